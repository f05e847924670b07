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

func TestDIDURLRefusesInjection(t *testing.T) {
	ok := []struct{ did, url string }{
		{"did:web:example.fr%3A8443:ecole", "https://example.fr:8443/ecole/did.json"},
		{"did:web:example.fr%3a8443", "https://example.fr:8443/.well-known/did.json"},
		{"did:web:127.0.0.1%3A1313:ecole", "https://127.0.0.1:1313/ecole/did.json"},
		{"did:web:[%3A%3A1]%3A1313:ecole", "https://[::1]:1313/ecole/did.json"},
		{"did:web:example.fr:open%20badges:ecole#k", "https://example.fr/open%20badges/ecole/did.json"},
	}
	for _, tt := range ok {
		if got, err := DIDURL(tt.did); err != nil || got != tt.url {
			t.Errorf("DIDURL(%s) = %s, %v; want %s", tt.did, got, err, tt.url)
		}
	}
	for _, did := range []string{
		"did:web:evil.example%2Fvictim.fr",    // path injected into the host
		"did:web:victim.fr%40evil.example",    // user info
		"did:web:evil.example%3Fvictim.fr",    // query
		"did:web:evil.example%23x",            // fragment
		"did:web:evil.example%2F..%2Fx:ecole", // escaped traversal
		"did:web:evil example.fr",             // space
		"did:web:victim.fr@evil.example",      // raw user info
		"did:web:evil.example/victim",         // raw slash
		"did:web:example.fr%3A",               // empty port
		"did:web:example.fr%3A80%3A81",        // two ports
		"did:web:example.fr%3A+80",            // signed port
		"did:web:example.fr%3A99999",          // port out of range
		"did:web:-bad.example",                // label starting with a hyphen
		"did:web:[%3A%3A1%25eth0]",            // zoned IPv6
		"did:web:[127.0.0.1]",                 // not IPv6
		"did:web:example.fr:..:secret",        // traversal in the path
		"did:web:example.fr:a%2Fb",            // escaped slash in a segment
		"did:web:example.fr:a?b",              // query in a segment
		"did:web:example.fr::ecole",           // empty segment
		"did:web:%65xample.fr",                // other escape in the host
		"did:web:",                            // nothing
	} {
		if u, err := DIDURL(did); err == nil {
			t.Errorf("DIDURL(%q) = %s, want an error", did, u)
		}
	}
}
