package jsonld

import (
	"strings"
	"testing"
)

func TestExpandStrict(t *testing.T) {
	l := NewLoader()
	tests := []struct {
		name, doc, errHas string
	}{
		{"ob2 assertion", `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://x.example/a","issuedOn":"2025-01-01T00:00:00Z"}`, ""},
		{"undefined term", `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://x.example/a","favouriteColour":"blue"}`, "favouriteColour"},
		{"two undefined terms", `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://x.example/a","recipient":{"type":"email","zzz":1},"favouriteColour":"blue"}`, "undefined term(s) favouriteColour, zzz"},
		{"unknown context", `{"@context":"https://example.org/ctx","id":"https://x.example/a"}`, "unknown context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ExpandStrict(l, []byte(tt.doc))
			if tt.errHas == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.errHas)
			}
		})
	}
}

func TestEveryEmbeddedContextParses(t *testing.T) {
	l := NewLoader()
	for u := range byURL {
		if _, err := l.LoadDocument(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
