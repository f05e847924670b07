package federation

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

// TestGeneratedFeedVerifiesWithCrewjam checks the test signer (and so the
// canonicalizer it uses) against an independent verifier.
func TestGeneratedFeedVerifiesWithCrewjam(t *testing.T) {
	k := newTestKey(t, "generator test")
	doc := syntheticFeed(t, k, 2, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if _, err := saml.VerifyMetadataSignature(doc, []*x509.Certificate{k.cert}); err != nil {
		t.Fatalf("crewjam: %v", err)
	}
	d, err := parseBytes(doc, verifyOptions{certs: []*x509.Certificate{k.cert}, now: feedTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.idps) != 620 {
		t.Fatalf("%d IdPs, want 620", len(d.idps))
	}
}
