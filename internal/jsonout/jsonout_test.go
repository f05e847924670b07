package jsonout

import (
	"bytes"
	"testing"
)

type doc struct {
	ID    string   `json:"id"`
	Name  string   `json:"name,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	Proof []any    `json:"proof,omitempty"`
}

// Assembling a document from its compact form and a last member, then
// indenting it, gives what Marshal gives for the whole value.
func TestAssembledEqualsMarshal(t *testing.T) {
	proof := []any{map[string]any{"type": "DataIntegrityProof", "note": "a<b & c>d"}}
	for _, d := range []doc{
		{ID: "urn:x"},
		{ID: "urn:y", Name: "Été <&> \"quoted\"", Tags: []string{"a", "b"}},
	} {
		compact, err := Compact(d)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compact(proof)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := WithMembers(compact, Member{"proof", p})
		if err != nil {
			t.Fatal(err)
		}
		d.Proof = proof
		want, err := Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := Indent(whole); !bytes.Equal(got, want) {
			t.Errorf("assembled:\n%s\nMarshal:\n%s", got, want)
		}
	}
}

func TestWithMembers(t *testing.T) {
	for _, tc := range []struct{ obj, want string }{
		{`{}`, `{"k":1}`},
		{`{"a":2}`, `{"a":2,"k":1}`},
	} {
		got, err := WithMembers([]byte(tc.obj), Member{"k", []byte("1")})
		if err != nil || string(got) != tc.want {
			t.Errorf("WithMembers(%s) = %s, %v; want %s", tc.obj, got, err, tc.want)
		}
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{`} {
		if _, err := WithMembers([]byte(bad), Member{"k", []byte("1")}); err == nil {
			t.Errorf("WithMembers(%q) accepted", bad)
		}
	}
}
