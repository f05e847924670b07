package layout

import (
	"testing"

	"github.com/francebadge/blason/internal/model"
)

func TestDIDWeb(t *testing.T) {
	sp := &model.Space{Slug: "ecole"}
	tests := []struct{ base, did, url string }{
		{"https://badges.example.fr/", "did:web:badges.example.fr:ecole", "https://badges.example.fr/ecole/did.json"},
		{"https://example.fr/open/badges/", "did:web:example.fr:open:badges:ecole", "https://example.fr/open/badges/ecole/did.json"},
		{"http://localhost:1313/", "did:web:localhost%3A1313:ecole", "https://localhost:1313/ecole/did.json"},
	}
	for _, tt := range tests {
		l := Layout{Base: tt.base}
		if got := l.DID(sp); got != tt.did {
			t.Errorf("DID(%s) = %s, want %s", tt.base, got, tt.did)
		}
		if got, err := DIDURL(tt.did + "#key-1"); err != nil || got != tt.url {
			t.Errorf("DIDURL(%s) = %s, %v; want %s", tt.did, got, err, tt.url)
		}
	}
	if u, err := DIDURL("did:web:example.fr"); err != nil || u != "https://example.fr/.well-known/did.json" {
		t.Errorf("bare domain: %s, %v", u, err)
	}
	if _, err := DIDURL("did:key:z6Mk"); err == nil {
		t.Error("did:key accepted")
	}
}
