// Package jsonout encodes published JSON documents one way everywhere:
// two-space indentation, no HTML escaping, a final newline.
package jsonout

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Marshal encodes v.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Compact encodes v on one line, without HTML escaping and without a final
// newline: the form documents are assembled in before Indent.
func Compact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Indent turns a compact document into the published form: what Marshal
// returns for the value it encodes.
func Indent(compact []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(compact) * 5 / 4)
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		panic(fmt.Sprintf("jsonout: Indent of invalid JSON: %v", err)) // compact comes from Compact
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// WithMember returns a copy of the compact object obj with one more member,
// key: value (value compact JSON), after its others. Members added this way
// come out as Compact would encode a struct whose last field is key.
func WithMember(obj []byte, key string, value []byte) ([]byte, error) {
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return nil, fmt.Errorf("jsonout: not a compact object")
	}
	k, err := Compact(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(obj)+len(k)+len(value)+2)
	out = append(out, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	out = append(out, k...)
	out = append(out, ':')
	out = append(out, value...)
	return append(out, '}'), nil
}

// Decode returns a compact (or any) JSON object decoded, numbers as
// json.Number: the form signers work on.
func Decode(b []byte) (map[string]any, error) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return m, d.Decode(&m)
}

// ToMap returns v as a decoded JSON object, the form signers work on.
func ToMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}
