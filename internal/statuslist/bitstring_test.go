package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func countSet(t *testing.T, b *Bitstring) []int {
	t.Helper()
	var set []int
	for i := 0; i < b.Len(); i++ {
		if b.Get(i) {
			set = append(set, i)
		}
	}
	return set
}

// The 1EdTech validator's sample list has exactly index 23 set.
func TestDecode1EdTechSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "bit-string-list_testlist.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cred struct {
		CredentialSubject struct {
			EncodedList string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(data, &cred); err != nil {
		t.Fatal(err)
	}
	b, err := Decode(cred.CredentialSubject.EncodedList)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if b.Len() < MinSize {
		t.Errorf("Len = %d, want >= %d", b.Len(), MinSize)
	}
	if !b.Get(23) {
		t.Error("Get(23) = false, want true")
	}
	if b.Get(22) || b.Get(24) {
		t.Errorf("Get(22) = %v, Get(24) = %v, want false", b.Get(22), b.Get(24))
	}
	if set := countSet(t, b); len(set) != 1 || set[0] != 23 {
		t.Errorf("set bits = %v, want [23]", set)
	}
}

// The W3C specification's example list is 16 KiB of zeros.
func TestDecodeW3CExample(t *testing.T) {
	b, err := Decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if b.Len() != 131072 {
		t.Errorf("Len = %d, want 131072", b.Len())
	}
	if set := countSet(t, b); len(set) != 0 {
		t.Errorf("set bits = %v, want none", set)
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		size int
		set  []int
	}{
		{"empty", MinSize, nil},
		{"edges", MinSize, []int{0, 7, 8, 131071}},
		{"byte boundaries", MinSize, []int{1, 6, 15, 16, 23, 65535, 65536, 131064}},
		{"larger list", 2 * MinSize, []int{0, 131072, 262143}},
		{"non-power-of-two size", MinSize + 8, []int{131072, 131079}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(tt.size)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range tt.set {
				b.Set(i, true)
			}
			// Setting and clearing a bit must leave no trace.
			b.Set(100, true)
			b.Set(100, false)
			enc, err := b.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(enc, "u") {
				t.Errorf("encoding %q lacks the multibase prefix u", enc)
			}
			if strings.ContainsAny(enc, "=+/") {
				t.Errorf("encoding %q is not base64url without padding", enc)
			}
			enc2, err := b.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if enc != enc2 {
				t.Errorf("Encode not deterministic: %q vs %q", enc, enc2)
			}
			d, err := Decode(enc)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if d.Len() != tt.size {
				t.Errorf("decoded Len = %d, want %d", d.Len(), tt.size)
			}
			got := countSet(t, d)
			if len(got) != len(tt.set) {
				t.Fatalf("decoded set bits = %v, want %v", got, tt.set)
			}
			want := map[int]bool{}
			for _, i := range tt.set {
				want[i] = true
			}
			for _, i := range got {
				if !want[i] {
					t.Errorf("decoded set bits = %v, want %v", got, tt.set)
					break
				}
			}
		})
	}
}

// Bit 0 is the most significant bit of byte 0; the gzip header is zeroed.
func TestEncodingLayout(t *testing.T) {
	b, err := New(MinSize)
	if err != nil {
		t.Fatal(err)
	}
	b.Set(0, true)
	b.Set(23, true)
	enc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc[1:])
	if err != nil {
		t.Fatal(err)
	}
	// ID1 ID2 CM FLG MTIME(4) XFL OS
	wantHeader := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}
	if !bytes.Equal(raw[:10], wantHeader) {
		t.Errorf("gzip header = % x, want % x", raw[:10], wantHeader)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := plain.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if got := plain.Bytes()[:3]; !bytes.Equal(got, []byte{0x80, 0, 0x01}) {
		t.Errorf("first bytes = % x, want 80 00 01", got)
	}
}

func gzipBase64(t *testing.T, data []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

func TestDecodeErrors(t *testing.T) {
	valid := "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
	tests := []struct {
		name, in, wantMsg string
	}{
		{"empty", "", "prefix"},
		{"multibase base58", "z" + valid[1:], "prefix"},
		{"no prefix", valid[1:], "prefix"},
		{"not base64url", "u@@@@!!!", "base64url"},
		{"standard base64 alphabet", "u" + strings.ReplaceAll(valid[1:], "-", "+"), "base64url"},
		{"not gzip", "u" + base64.RawURLEncoding.EncodeToString([]byte("plain text, not gzip")), "GZIP"},
		{"truncated gzip", valid[:len(valid)-10], "decompress"},
		{"too short", gzipBase64(t, make([]byte, 1000)), "STATUS_LIST_LENGTH_ERROR"},
		{"one byte short", gzipBase64(t, make([]byte, MinSize/8-1)), "STATUS_LIST_LENGTH_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Decode(tt.in)
			if err == nil {
				t.Fatalf("Decode(%q) = list of %d bits, want error", tt.in, b.Len())
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
	_, err := Decode(gzipBase64(t, make([]byte, 1000)))
	if !errors.Is(err, ErrListLength) {
		t.Errorf("short list error %v does not wrap ErrListLength", err)
	}
}

func TestDecodeZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 64 MiB")
	}
	enc := gzipBase64(t, make([]byte, MaxDecodedBytes+1))
	if _, err := Decode(enc); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("Decode of %d-byte list: err = %v, want size error", MaxDecodedBytes+1, err)
	}
	enc = gzipBase64(t, make([]byte, MaxDecodedBytes))
	if _, err := Decode(enc); err != nil {
		t.Errorf("Decode of %d-byte list: %v", MaxDecodedBytes, err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		size int
		ok   bool
	}{
		{MinSize, true},
		{MinSize + 8, true},
		{4 * MinSize, true},
		{MinSize - 8, false},
		{MinSize + 1, false},
		{MinSize + 4, false},
		{0, false},
		{-8, false},
		{1000, false},
	}
	for _, tt := range tests {
		b, err := New(tt.size)
		if tt.ok {
			if err != nil {
				t.Errorf("New(%d): %v", tt.size, err)
			} else if b.Len() != tt.size {
				t.Errorf("New(%d).Len() = %d", tt.size, b.Len())
			}
		} else if err == nil {
			t.Errorf("New(%d) succeeded, want error", tt.size)
		}
	}
}

func TestOutOfRangePanics(t *testing.T) {
	b, err := New(MinSize)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, MinSize} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Get(%d) did not panic", i)
				}
			}()
			b.Get(i)
		}()
	}
}
