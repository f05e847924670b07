package jsonld

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// readDoc decodes a JSON document as the issuer's maps hold it (numbers as
// json.Number).
func readDoc(tb testing.TB, name string) map[string]any {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkCanonicalize canonicalizes an Open Badges 3.0 credential of the
// demo shape (five levels, an alignment, an evidence, a status entry) once
// its template is built: the per-credential cost of the fast path.
func BenchmarkCanonicalize(b *testing.B) {
	doc := readDoc(b, "testdata/ob3-credential.json")
	c := NewCanonicalizer(NewLoader())
	if _, err := c.Canonicalize(doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Canonicalize(doc); err != nil {
			b.Fatal(err)
		}
	}
}
