// Package jsonout encodes published JSON documents one way everywhere:
// two-space indentation, no HTML escaping, a final newline.
package jsonout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// buffers are scratch space for encoding: what is returned is a copy of
// exactly the right size (builds encode millions of documents; growing a
// fresh buffer for each is most of what they allocate).
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func encode(v any, indent bool) ([]byte, error) {
	b := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(b)
	b.Reset()
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := b.Bytes()
	if !indent {
		out = out[:len(out)-1] // the newline Encode ends with
	}
	return bytes.Clone(out), nil
}

// Marshal encodes v.
func Marshal(v any) ([]byte, error) { return encode(v, true) }

// Compact encodes v on one line, without HTML escaping and without a final
// newline: the form documents are assembled in before Indent.
func Compact(v any) ([]byte, error) { return encode(v, false) }

// Indent turns a compact document into the published form: what Marshal
// returns for the value it encodes.
func Indent(compact []byte) []byte {
	b := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(b)
	b.Reset()
	if err := json.Indent(b, compact, "", "  "); err != nil {
		panic(fmt.Sprintf("jsonout: Indent of invalid JSON: %v", err)) // compact comes from Compact
	}
	b.WriteByte('\n')
	return bytes.Clone(b.Bytes())
}

// Member is one member of a JSON object: its key and its compact value.
type Member struct {
	Key   string
	Value []byte
}

// WithMembers returns a copy of the compact object obj with more members,
// after its others and in the order given. Members added this way come out
// as Compact would encode a struct whose last fields are theirs.
func WithMembers(obj []byte, members ...Member) ([]byte, error) {
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return nil, fmt.Errorf("jsonout: not a compact object")
	}
	size := len(obj)
	for _, m := range members {
		size += len(m.Key) + len(m.Value) + 8
	}
	out := make([]byte, 0, size)
	out = append(out, obj[:len(obj)-1]...)
	for i, m := range members {
		k, err := Compact(m.Key)
		if err != nil {
			return nil, err
		}
		if len(obj) > 2 || i > 0 {
			out = append(out, ',')
		}
		out = append(out, k...)
		out = append(out, ':')
		out = append(out, m.Value...)
	}
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
