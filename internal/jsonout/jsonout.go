// Package jsonout encodes published JSON documents one way everywhere:
// two-space indentation, no HTML escaping, a final newline.
package jsonout

import (
	"bytes"
	"encoding/json"
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

// ToMap returns v as a decoded JSON object, the form signers work on.
func ToMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return m, d.Decode(&m)
}
