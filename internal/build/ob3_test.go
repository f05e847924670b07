package build

import (
	"bytes"
	"context"
	"crypto/rand"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/bake"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob2"
	"github.com/francebadge/blason/internal/ob3"
	"github.com/francebadge/blason/internal/verify"
)

// wantStatus is what a verifier must report for an award at `now`.
func wantStatus(a *model.Award) verify.Status {
	if !a.Expires.IsZero() && a.Expires.Before(now) {
		return verify.Expired
	}
	return verify.Valid
}

// TestDemoCredentialsVerify verifies every credential of the demo build in
// every published form — OB 3.0 with its Data Integrity proof (JSON Schema,
// SafeMode JSON-LD, did:web key, status lists), OB 3.0 VC-JWT, OB 2.0 signed
// — reading the site folder only, and matching the recipient.
func TestDemoCredentialsVerify(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	ctx := context.Background()
	type file struct {
		a      *model.Award
		path   string
		format string
		rcpt   *verify.Recipient
	}
	var files []file
	for _, sp := range d.site.Spaces {
		for _, a := range sp.Awards {
			typ, ident := ob3.IdentityType(a.Recipient)
			typ2, ident2 := ob2.RecipientIdentity(a.Recipient, sp.Slug)
			files = append(files,
				file{a, paths.Credential(a), verify.FormatOB3DI, &verify.Recipient{Type: typ, Identity: ident}},
				file{a, paths.CredentialJWT(a), verify.FormatOB3JWT, &verify.Recipient{Type: typ, Identity: ident}},
				file{a, paths.SignedAssertion(a), verify.FormatOB2Signed, &verify.Recipient{Type: typ2, Identity: ident2}})
		}
	}
	// One verifier per core, each taking every n-th file.
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			v := verify.New(verify.DirFetcher{Base: d.base, Dir: d.dest}, now)
			for i := w; i < len(files); i += workers {
				f := files[i]
				data, err := os.ReadFile(filepath.Join(d.dest, f.path))
				if err != nil {
					t.Error(err)
					return
				}
				format, rep := v.Bytes(ctx, data, f.rcpt)
				if format != f.format || rep.Status != wantStatus(f.a) || len(rep.Problems) > 0 {
					t.Errorf("%s %s (%s): %s %v %v, want %s", f.a.Source(), f.path, format, rep.Status, rep.Problems, rep.Reason, wantStatus(f.a))
				}
			}
		})
	}
	wg.Wait()
	n := len(files)
	if n < 3*1000 {
		t.Fatalf("only %d credentials verified", n)
	}
	t.Logf("%d credentials verified from the site folder", n)
}

// TestTamperedFilesFailVerification changes one byte in a credential, a
// VC-JWT, a status list and a DID document, and expects a clear reason.
func TestTamperedFilesFailVerification(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	a := d.site.Spaces[1].Awards[0] // ecole-ingenieurs
	sp := a.Badge.Space.Slug
	cred := paths.Credential(a)
	tests := []struct {
		name, file, target string
		edit               func([]byte) []byte
		reason             string
	}{
		{"credential name", cred, cred, replaceOnce(`"name": "`, `"name": "X`), "signature does not match"},
		{"credential date", cred, cred, replaceOnce(`"validFrom": "20`, `"validFrom": "19`), "signature does not match"},
		{"VC-JWT payload", paths.CredentialJWT(a), paths.CredentialJWT(a), flipAt(120), "VC-JWT"},
		{"revocation list", sp + "/status/revocation.json", cred, replaceOnce(`"validFrom": "20`, `"validFrom": "19`), "status"},
		{"suspension list", sp + "/status/suspension.json", cred, replaceOnce(`"encodedList": "uH4s`, `"encodedList": "uH4t`), "status"},
		{"DID document key", sp + "/did.json", cred, replaceOnce(`"publicKeyMultibase": "z6Mk`, `"publicKeyMultibase": "z6Mm`), "proof"},
		{"DID document for the JWT", sp + "/did.json", paths.CredentialJWT(a), replaceOnce(`"x": "`, `"x": "A`), "not an assertion key"},
		{"OB 2.0 key", sp + "/keys/", paths.SignedAssertion(a), nil, "key:|signature:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "site")
			if err := linkTree(d.dest, dir); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, tt.file)
			if tt.edit == nil { // one character of the RSA public key
				matches, _ := filepath.Glob(filepath.Join(file, "rs256-*.ob2.json"))
				if len(matches) != 1 {
					t.Fatalf("RSA key documents: %v", matches)
				}
				file = matches[0]
				tt.edit = func(b []byte) []byte {
					return flipAt(bytes.Index(b, []byte("MII")) + 80)(b)
				}
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			changed := tt.edit(b)
			if bytes.Equal(changed, b) {
				t.Fatal("the edit changed nothing")
			}
			if err := replaceFile(file, changed); err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, file)
			if shared, _ := os.ReadFile(filepath.Join(d.dest, rel)); !bytes.Equal(shared, b) {
				t.Fatalf("the edit reached the shared demo's %s", rel)
			}
			v := verify.New(verify.DirFetcher{Base: d.base, Dir: dir}, now)
			_, rep := v.Target(context.Background(), filepath.Join(dir, tt.target), nil)
			problems := strings.Join(rep.Problems, "; ")
			if rep.Status != verify.Invalid || !slices.ContainsFunc(strings.Split(tt.reason, "|"), func(r string) bool { return strings.Contains(problems, r) }) {
				t.Fatalf("status %v, problems %v; want invalid mentioning %q", rep.Status, rep.Problems, tt.reason)
			}
		})
	}
}

func replaceOnce(old, new string) func([]byte) []byte {
	return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
}

func flipAt(i int) func([]byte) []byte {
	return func(b []byte) []byte {
		out := append([]byte(nil), b...)
		if out[i] == 'A' {
			out[i] = 'B'
		} else {
			out[i] = 'A'
		}
		return out
	}
}

// TestKeyRotation rotates a space's keys and checks that credentials
// signed before keep their bytes and still verify, while newer awards use
// the new keys.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	before := readTree(t, dest)
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	store := keys.Store{Dir: KeysDir(src), Rand: rand.Reader}
	pivot := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	newKeys := map[string]*keys.Key{}
	for _, alg := range []string{keys.EdDSA, keys.ES256, keys.RS256} {
		k, err := store.NewKey("association", alg, pivot)
		if err != nil {
			t.Fatal(err)
		}
		newKeys[alg] = k
	}
	mustBuild(t, Options{Source: src, Destination: dest})
	after := readTree(t, dest)
	v := verify.New(verify.DirFetcher{Base: site.BaseURL, Dir: dest}, now)
	var old, renewed int
	for _, sp := range site.Spaces {
		if sp.Slug != "association" {
			continue
		}
		for _, a := range sp.Awards {
			p := paths.Credential(a)
			usesNew := bytes.Contains(after[p], []byte(newKeys[keys.EdDSA].Kid))
			if a.Date.Before(pivot) {
				old++
				if !bytes.Equal(before[p], after[p]) || usesNew {
					t.Errorf("%s (%s): an award from before the rotation was re-signed", p, a.Date.Format(time.DateOnly))
				}
			} else {
				renewed++
				if !usesNew {
					t.Errorf("%s (%s): not signed with the new key", p, a.Date.Format(time.DateOnly))
				}
			}
			for _, f := range []string{p, paths.CredentialJWT(a), paths.SignedAssertion(a)} {
				if _, rep := v.Target(context.Background(), filepath.Join(dest, f), nil); rep.Status != wantStatus(a) || len(rep.Problems) > 0 {
					t.Errorf("%s: %v %v", f, rep.Status, rep.Problems)
				}
			}
		}
	}
	if old == 0 || renewed == 0 {
		t.Fatalf("%d old and %d renewed awards: the pivot date does not split the demo", old, renewed)
	}
	did := string(after["association/did.json"])
	for _, k := range newKeys {
		if !strings.Contains(did, k.Kid) {
			t.Errorf("did.json lacks the new key %s", k.Kid)
		}
	}
}

// TestBakedDemoCredentialsVerify bakes demo credentials into their badge
// image (SVG) and into a PNG, in every form, and verifies them read back.
func TestBakedDemoCredentialsVerify(t *testing.T) {
	d := sharedDemo(t)
	a := d.site.Spaces[0].Awards[0] // association
	sp := a.Badge.Space.Slug
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(d.dest, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	svg := read(sp + "/badges/" + a.Badge.Slug + "/image" + a.Badge.Image.Ext)
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 4, 4)))
	cred, jwt := read(paths.Credential(a)), read(paths.CredentialJWT(a))
	hosted := d.base + paths.Assertion(a)
	type baked struct {
		name string
		img  []byte
		err  error
	}
	var imgs []baked
	add := func(name string, img []byte, err error) { imgs = append(imgs, baked{name, img, err}) }
	i, err := bake.SVG(svg, bake.OB3, "", string(cred))
	add("OB 3.0 JSON in SVG", i, err)
	i, err = bake.SVG(svg, bake.OB3, string(jwt), "")
	add("OB 3.0 JWT in SVG", i, err)
	i, err = bake.PNG(pngBuf.Bytes(), bake.OB3, string(cred))
	add("OB 3.0 JSON in PNG", i, err)
	i, err = bake.PNG(pngBuf.Bytes(), bake.OB2, hosted)
	add("OB 2.0 hosted URL in PNG", i, err)
	i, err = bake.SVG(svg, bake.OB2, hosted, "")
	add("OB 2.0 hosted URL in SVG", i, err)
	v := verify.New(verify.DirFetcher{Base: d.base, Dir: d.dest}, now)
	for _, b := range imgs {
		if b.err != nil {
			t.Fatalf("%s: %v", b.name, b.err)
		}
		format, rep := v.Bytes(context.Background(), b.img, nil)
		if rep.Status != wantStatus(a) || len(rep.Problems) > 0 || !strings.Contains(format, "baked in") {
			t.Errorf("%s: %s %v %v", b.name, format, rep.Status, rep.Problems)
		}
	}
}
