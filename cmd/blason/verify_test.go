package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExpandDirsKeepsBadges(t *testing.T) {
	root := t.TempDir()
	files := []string{
		"site/ecole/did.json", "site/ecole/issuer.json", "site/ecole/jwks.json", "site/ecole/revocations.json",
		"site/ecole/status/revocation.json", "site/ecole/keys/es256-x.json", "site/ecole/badges/b/badge.json",
		"site/ecole/badges/b/achievement.json",
		"site/ecole/credentials/a.json", "site/ecole/credentials/a.jwt", "site/ecole/credentials/notes.txt",
		"site/ecole/assertions/a.json", "site/ecole/assertions/a.jws",
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	badges := []string{"site/ecole/assertions/a.json", "site/ecole/assertions/a.jws", "site/ecole/credentials/a.json", "site/ecole/credentials/a.jwt"}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"site"}, badges},
		{[]string{"site/"}, badges},
		{[]string{"site/ecole/credentials"}, badges[2:]},
		{[]string{"site/ecole/assertions/"}, badges[:2]},
		{[]string{"site/ecole/status"}, nil},
		{[]string{"site/ecole/did.json", "https://example.org/x.json"}, []string{"site/ecole/did.json", "https://example.org/x.json"}},
	} {
		got, err := expandDirs(tt.args)
		for i := range got {
			got[i] = filepath.ToSlash(got[i])
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("expandDirs(%v) = %v, %v; want %v", tt.args, got, err, tt.want)
		}
	}
}

func TestVerifyPrintsIssuer(t *testing.T) {
	const issuer = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
	p := filepath.Join(t.TempDir(), "cred.json")
	doc := `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],` +
		`"id":"urn:uuid:1","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"` + issuer + `"}`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	cmdVerify([]string{p}, &out, &errOut)
	if !strings.Contains(out.String(), "[issuer "+issuer+"]") {
		t.Fatalf("output does not name the issuer:\n%s%s", out.String(), errOut.String())
	}
}
