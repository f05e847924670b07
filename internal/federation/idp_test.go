package federation

import (
	"crypto/x509"
	"slices"
	"strings"
	"testing"

	"github.com/crewjam/saml"
)

func loadRenater(t *testing.T) *Index {
	t.Helper()
	d, err := parseBytes(readShared(t, resignedFeed), verifyOptions{certs: []*x509.Certificate{loadCert(t, testSigner)}, now: feedTime})
	if err != nil {
		t.Fatal(err)
	}
	return newIndex(d.idps)
}

func TestOwnsScope(t *testing.T) {
	lit := &IdP{Scopes: []Scope{{Value: "univ-poitiers.Fr"}}}
	p, err := newIdP(&saml.EntityDescriptor{EntityID: "https://idp.example/", IDPSSODescriptors: []saml.IDPSSODescriptor{{SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
		Extensions: &saml.Extensions{ShibbolethScopes: []saml.ShibbolethScope{
			{Value: " univ-test.fr\n  "},
			{Value: `^[a-z]+\.labo-test\.fr$`, Regexp: true},
			{Value: `lab.example`, Regexp: true}, // unanchored in the metadata: anchored here
			{Value: `(`, Regexp: true},           // invalid: matches nothing
		}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		idp   *IdP
		scope string
		want  bool
	}{
		{lit, "univ-poitiers.fr", true},
		{lit, "UNIV-POITIERS.FR", true},
		{lit, "etu.univ-poitiers.fr", false},
		{lit, "univ-poitiers.fr.evil.com", false},
		{lit, "", false},
		{p, "univ-test.fr", true},
		{p, "Univ-Test.FR", true},
		{p, "univ-test.fr ", false},
		{p, "chimie.labo-test.fr", true},
		{p, "CHIMIE.labo-test.fr", true},
		{p, "labo-test.fr", false},
		{p, "x.chimie.labo-test.fr", false},
		{p, "chimie.labo-test.fr.evil", false},
		{p, "lab.example", true},
		{p, "labXexample", true}, // "." is a regexp wildcard, as published
		{p, "evil.lab.example", false},
		{p, "lab.example.evil", false},
		{p, "(", false},
	}
	for _, tc := range tests {
		if got := tc.idp.OwnsScope(tc.scope); got != tc.want {
			t.Errorf("%v OwnsScope(%q) = %v, want %v", tc.idp.Scopes, tc.scope, got, tc.want)
		}
	}
	for v, want := range map[string]bool{
		"etudiant1@univ-test.fr": true, "etudiant1@UNIV-TEST.FR": true, "a@b@univ-test.fr": true,
		"etudiant1@univ-autre.fr": false, "univ-test.fr": false, "@univ-test.fr": false, "x@": false,
		"univ-test.fr@evil.fr": false,
	} {
		if got := p.OwnsScopedValue(v); got != want {
			t.Errorf("OwnsScopedValue(%q) = %v", v, got)
		}
	}
}

func TestRenaterScopesAndNames(t *testing.T) {
	ix := loadRenater(t)
	p, ok := ix.Lookup("https://idp-test.appli.univ-poitiers.fr/idp/shibboleth")
	if !ok {
		t.Fatal("Poitiers test IdP not found")
	}
	if !p.OwnsScope("univ-poitiers.fr") || p.OwnsScope("univ-test.fr") {
		t.Errorf("scopes %v", p.Scopes)
	}
	if p.Name("fr") != "TEST v4 Poitiers" || p.Name("en") != "Test V4 Poitiers" {
		t.Errorf("names %v", p.DisplayName)
	}
	if p.RegistrationAuthority != "https://federation.renater.fr/" {
		t.Errorf("registration authority %q", p.RegistrationAuthority)
	}
	if p.Descriptor.Extensions != nil && p.Descriptor.Extensions.Other != nil {
		t.Error("generic extensions kept")
	}
	sirtfi, rs := 0, 0
	for _, p := range ix.All() {
		if slices.Contains(p.EntityAttributes["urn:oasis:names:tc:SAML:attribute:assurance-certification"], "https://refeds.org/sirtfi") {
			sirtfi++
		}
		if slices.Contains(p.EntityAttributes["http://macedir.org/entity-category-support"], "http://refeds.org/category/research-and-scholarship") {
			rs++
		}
	}
	if sirtfi != 17 || rs != 16 {
		t.Errorf("SIRTFI %d (want 17), R&S support %d (want 16)", sirtfi, rs)
	}
	// Whitespace leaked into text nodes by pretty-printing is trimmed.
	q, ok := ix.Lookup("https://idp-cisco.univ-poitiers.fr/idp/shibboleth")
	if !ok || q.Name("fr") != "shibboleth Poitiers Cisco Test" {
		t.Errorf("cisco: %v %q", ok, q.Name("fr"))
	}
	// Several IdPs share a scope: each owns it on its own.
	owners := 0
	for _, p := range ix.All() {
		if p.OwnsScope("univ-test.fr") {
			owners++
		}
	}
	if owners < 2 {
		t.Errorf("%d IdPs own univ-test.fr", owners)
	}
	if _, ok := ix.Lookup("https://idp-test.appli.univ-poitiers.fr/idp/shibboleth "); ok {
		t.Error("entityID lookup is not exact")
	}
}

func TestSearch(t *testing.T) {
	ix := loadRenater(t)
	hits := ix.Search("universite poitiers", "fr", 10)
	if len(hits) == 0 {
		t.Fatal("no hit for 'universite poitiers'")
	}
	for _, h := range hits {
		if !containsAll(h.search, "universite", "poitiers") {
			t.Errorf("hit %s (%s) does not match", h.EntityID, h.Name("fr"))
		}
	}
	if got := ix.Search("UNIVERSITÉ", "fr", 5); len(got) != 5 {
		t.Errorf("limit: %d hits", len(got))
	}
	if got := ix.Search("  ", "fr", 5); got != nil {
		t.Errorf("empty query: %d hits", len(got))
	}
	if got := ix.Search("univ-poitiers.fr", "en", 0); len(got) == 0 {
		t.Error("no hit by scope")
	}
	if got := ix.Search("zzzzzz", "en", 0); len(got) != 0 {
		t.Errorf("%d hits for nonsense", len(got))
	}
	// Names starting with the query come first.
	got := ix.Search("test", "fr", 0)
	seenLater := false
	for _, h := range got {
		starts := strings.HasPrefix(fold(h.Name("fr")), "test")
		if !starts {
			seenLater = true
		} else if seenLater {
			t.Fatalf("%q ranked after a name not starting with the query", h.Name("fr"))
		}
	}
}

func containsAll(s string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Université Côte d’Azur":     "universite cote d azur",
		"ÉCOLE  Normale\tSupérieure": "ecole normale superieure",
		"univ-test.fr":               "univ test.fr",
		"Straße Ærø":                 "straße ærø",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}
