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
// # Index allocation
//
// [Allocator.Allocate] gives every [Item] an index in [0, Size). The rules
// are:
//
//  1. Candidates. Candidate j (j = 0, 1, 2, …) of an item is
//
//     HMAC-SHA-256(Secret, "blason/status" ‖ uint64be(len(ID)) ‖ ID ‖ uint32be(j))
//
//     whose first 8 bytes, read as a big-endian uint64, are reduced modulo
//     Size. Plain modulo is used rather than rejection sampling: Size is at
//     most a few million in practice, so the bias is below Size/2^64
//     (< 2^-40) and irrelevant. Without the secret the indices cannot be
//     predicted or linked to award ids, which gives the random assignment
//     the specification's privacy section asks for.
//
//  2. Priority. Items are placed one after the other, earlier Date first
//     and, for equal instants, by ID in byte-wise lexicographic order. Each
//     item takes its first candidate not already taken by an item placed
//     before it.
//
//  3. Limits. Size must be a multiple of 8 and at least [MinSize]; the
//     Secret must not be empty; IDs must be non-empty and unique; and at
//     most Size/4 items fit in one list (a load factor of at most 25% keeps
//     collisions, and therefore probing, rare and leaves each set bit
//     hidden among many unused ones). Exceeding it is an error suggesting a
//     larger statusListSize, a multiple of 131072.
//
// Consequences of rule 2: an item's index depends only on itself and on the
// items placed before it. Adding items dated after all existing ones (or on
// the same instant with a greater ID) therefore never moves an existing
// item's index. A back-dated item can only move an existing item when it
// collides with it, that is, when it takes the slot that item occupied;
// the displaced item then moves to its next free candidate, which may in
// turn displace a later item, and so on (a rare chain at a 25% load).
// Likewise, removing an item can move later items that had collided with
// it, so revoked or withdrawn awards must stay in the input: keep every
// award ever published in the list, and set its bit rather than dropping it.
package statuslist
