// Package statuslist encodes W3C Bitstring Status Lists and allocates each
// award a stable, random-looking index in its space's list.
//
// # Encoding
//
// A [Bitstring] is the uncompressed list: bit 0 is the most significant
// (left-most) bit of byte 0, as the W3C Bitstring Status List v1.0
// specification requires. [Bitstring.Encode] produces the value of
// credentialSubject.encodedList: the bytes are GZIP-compressed (RFC 1952,
// default compression level, with a zeroed header: no file name or comment,
// modification time 0, OS byte 255 "unknown"), then base64url-encoded
// without padding and prefixed with the multibase code "u". For a given Go
// toolchain the output is byte-identical across runs and machines. [Decode]
// reverses this; it refuses lists shorter than [MinSize] bits
// (STATUS_LIST_LENGTH_ERROR, see [ErrListLength]) and stops decompressing
// beyond [MaxDecodedBytes] (zip-bomb guard).
//
// # Positions
//
// A [Ledger] gives every award of a space a position — a list number and
// an index — and remembers it for good: a credential carries its position,
// signed, so a position must never move. Candidate j (j = 0, 1, 2, …) of
// an award is
//
//	HMAC-SHA-256(secret, "blason/status" ‖ uint64be(len(ID)) ‖ ID ‖ uint32be(j))
//
// whose first 8 bytes, read as a big-endian uint64, are reduced modulo the
// list size (plain modulo: the bias is below 2^-40). New awards are placed
// in date then id order in the last list, each at its first free
// candidate; when that list holds a quarter of its size (a load that keeps
// each set bit hidden among many unused ones), a new list starts. Without
// the secret, positions can neither be predicted nor linked to award ids,
// as the specification's privacy section asks. Positions of awards removed
// from the content stay reserved. The ledger also keeps final revocations
// and the dates lists were published with, so neither can go back.
package statuslist
