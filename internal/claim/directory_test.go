package claim

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/federation"
)

// TestFederationDirectory: the claim server's view of a verified federation
// (the RENATER test feed, 310 IdPs): lookup by entityID, search by name,
// scopes, and an empty search that lists only a small federation.
func TestFederationDirectory(t *testing.T) {
	dir := filepath.Join("..", "federation", "testdata", "renater")
	certPEM, err := os.ReadFile(filepath.Join(dir, "test-metadata-signer.crt"))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := federation.ParseCertificates(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	f, err := federation.New(federation.Config{Sources: []federation.Source{{
		Location: filepath.Join(dir, "renater-test-idps-2022-06-13.resigned.xml"), Certificates: certs, AllowNoValidUntil: true}},
		Now: func() time.Time { return time.Date(2022, 6, 14, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := FederationDirectory(f)
	if got := d.Search("", "fr", 50); len(got) != 0 {
		t.Fatalf("an empty search lists %d of 310 IdPs; want none (too many to list)", len(got))
	}
	hits := d.Search("poitiers", "fr", 50)
	if len(hits) == 0 {
		t.Fatal("no IdP found for poitiers")
	}
	idp, ok := d.Lookup(hits[0].EntityID)
	if !ok || idp.Metadata == nil || idp.Metadata.EntityID != hits[0].EntityID || idpName(idp, "fr") == idp.EntityID {
		t.Fatalf("lookup of %s: %+v", hits[0].EntityID, idp)
	}
	if idp.OwnsScope("univ-poitiers.fr") != true || idp.OwnsScope("univ-test-autre.fr") {
		t.Errorf("scopes of %s", idp.EntityID)
	}
	if _, ok := d.Lookup("https://unknown.example.org/idp"); ok {
		t.Error("an unknown entityID was found")
	}
}
