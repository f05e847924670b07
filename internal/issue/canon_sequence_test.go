package issue

import (
	"math/rand"
	"testing"

	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/ob3"
)

// TestFastCanonicalizationOverManyDocuments runs one canonicalizer over a
// long random sequence of awards made of tricky values (placeholder
// look-alikes, relative or invalid IRIs, empty strings), since its
// templates and structural keys carry state from one document to the next.
func TestFastCanonicalizationOverManyDocuments(t *testing.T) {
	is := newIssuer()
	l := is.Suite.Loader
	fast := jsonld.NewCanonicalizer(l)
	o := ob3.Issuer{Layout: is.Layout}
	palette := []string{"", "0", "a", "fixe", "Niveau", "competent", "\u2063v1\u2063", "\u2063v0\u2063", "urn:placeholder:v1", "https://placeholder.invalid/v3", "https://x.example/", "http://127.0.0.1:8123/x?y#z", "https://a.example/ b", "x\"y\\z", "\n\t", "é", "did:web:x", "Competency", "ecole", "https://badges.example.fr/ecole/logo.svg"}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 1000; i++ {
		var x [5]string
		for j := range x {
			x[j] = palette[r.Intn(len(palette))]
		}
		a := variants()[5]
		b := *a.Badge
		b.Name, b.Description, b.Tags = x[0], x[1], []string{x[4], "fixe"}
		a.Badge = &b
		a.EvidenceURL, a.EvidenceNarrative = x[2], x[3]
		m, _ := jsonout.ToMap(o.Credential(a, o.BitstringEntry(b.Space, 0, 7)))
		want, werr := jsonld.Canonicalize(l, m)
		got, gerr := fast.Canonicalize(m)
		if (werr == nil) != (gerr == nil) || got != want {
			t.Fatalf("%d: %q: %v %v; structural %v\nGOT\n%s\nWANT\n%s", i, x, werr, gerr, fast.StructuralKeys(), got, want)
		}
	}
}
