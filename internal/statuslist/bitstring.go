package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MinSize is the minimum length of a status list in bits (16 KiB), the
// W3C Bitstring Status List minimumNumberOfEntries for a statusSize of 1.
const MinSize = 131072

// MaxDecodedBytes caps the decompressed size accepted by [Decode] (64 MiB),
// guarding against zip bombs.
const MaxDecodedBytes = 64 << 20

// multibaseBase64URL is the multibase prefix for base64url without padding.
const multibaseBase64URL = "u"

// ErrListLength is wrapped by the error [Decode] returns when the decoded
// list is shorter than [MinSize] bits (STATUS_LIST_LENGTH_ERROR in the W3C
// specification).
var ErrListLength = errors.New("STATUS_LIST_LENGTH_ERROR")

// Bitstring is an uncompressed status list. Bit 0 is the most significant
// bit of byte 0. The zero value is an empty list; use [New] or [Decode].
type Bitstring struct {
	bits []byte
}

// New returns an all-zero list of size bits. size must be a multiple of 8
// and at least [MinSize].
func New(size int) (*Bitstring, error) {
	if err := checkSize(size); err != nil {
		return nil, err
	}
	return &Bitstring{bits: make([]byte, size/8)}, nil
}

func checkSize(size int) error {
	if size < MinSize {
		return fmt.Errorf("statuslist: size %d bits is below the minimum of %d bits (16 KiB)", size, MinSize)
	}
	if size%8 != 0 {
		return fmt.Errorf("statuslist: size %d bits is not a multiple of 8", size)
	}
	return nil
}

// Len returns the length of the list in bits.
func (b *Bitstring) Len() int { return len(b.bits) * 8 }

// Set sets bit i to v. It panics if i is outside [0, Len()).
func (b *Bitstring) Set(i int, v bool) {
	b.check(i)
	mask := byte(0x80) >> (i % 8)
	if v {
		b.bits[i/8] |= mask
	} else {
		b.bits[i/8] &^= mask
	}
}

// Get reports whether bit i is set. It panics if i is outside [0, Len());
// verifiers should compare an index with Len first (RANGE_ERROR).
func (b *Bitstring) Get(i int) bool {
	b.check(i)
	return b.bits[i/8]&(byte(0x80)>>(i%8)) != 0
}

func (b *Bitstring) check(i int) {
	if i < 0 || i >= b.Len() {
		panic(fmt.Sprintf("statuslist: index %d out of range [0, %d)", i, b.Len()))
	}
}

// Encode returns the list as an encodedList value: "u" followed by the
// base64url (no padding) encoding of the GZIP-compressed bits. The GZIP
// header is zeroed so the result is deterministic.
func (b *Bitstring) Encode() (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return "", fmt.Errorf("statuslist: %w", err)
	}
	zw.Header = gzip.Header{ModTime: time.Time{}, OS: 255}
	if _, err := zw.Write(b.bits); err != nil {
		return "", fmt.Errorf("statuslist: compressing list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("statuslist: compressing list: %w", err)
	}
	return multibaseBase64URL + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// Decode parses an encodedList value: a multibase "u" prefix, base64url
// without padding, then GZIP. It fails if the prefix is not "u", if the
// decompressed list exceeds [MaxDecodedBytes], or if it is shorter than
// [MinSize] bits (the error then wraps [ErrListLength]).
func Decode(encoded string) (*Bitstring, error) {
	rest, ok := strings.CutPrefix(encoded, multibaseBase64URL)
	if !ok {
		return nil, fmt.Errorf("statuslist: encodedList must use the multibase base64url prefix %q", multibaseBase64URL)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("statuslist: encodedList is not base64url without padding: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("statuslist: encodedList is not GZIP data: %w", err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, MaxDecodedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("statuslist: decompressing encodedList: %w", err)
	}
	if len(bits) > MaxDecodedBytes {
		return nil, fmt.Errorf("statuslist: decompressed list exceeds %d bytes", MaxDecodedBytes)
	}
	if err := zr.Close(); err != nil {
		return nil, fmt.Errorf("statuslist: decompressing encodedList: %w", err)
	}
	if n := len(bits) * 8; n < MinSize {
		return nil, fmt.Errorf("statuslist: %w: list has %d bits, fewer than the minimum of %d", ErrListLength, n, MinSize)
	}
	return &Bitstring{bits: bits}, nil
}
