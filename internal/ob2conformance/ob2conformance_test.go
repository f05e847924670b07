// Package ob2conformance checks the Open Badges 2.0 assertions of the demo
// build with a verifier that shares no code with Blason: tools/ob2verify,
// built on jsonld.js (JSON-LD in safe mode under the OB 2.0 context) and jose
// (RS256 JWS), applying the OB 2.0 verification procedure and the rule list
// of 1EdTech's reference validator. The demo is built once, served by a plain
// static file server on loopback, and every award's hosted (.json) and signed
// (.jws) assertion goes through one run of the verifier.
package ob2conformance

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob2"
)

// now is the reference time of the build and of the verification, after
// every demo award date.
var now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

var paths layout.Layout

// Where the pinned verifier lives, relative to the module root
// (npm ci --prefix tools/ob2verify).
const (
	toolDir = "tools/ob2verify"
	script  = "verify.mjs"
)

// recipient is the identity a verifier holds for an award.
type recipient struct {
	Type     string `json:"type"`
	Identity string `json:"identity"`
}

// item is one input of the verifier.
type item struct {
	Name      string     `json:"name"`
	Hosted    string     `json:"hosted,omitempty"`
	Signed    string     `json:"signed,omitempty"`
	Recipient *recipient `json:"recipient,omitempty"`
	Now       string     `json:"now,omitempty"`
	file      string     // what it is a copy of, for messages
}

// result is the verifier's verdict on one item.
type result struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"` // valid, expired, revoked or invalid
	Problems []string `json:"problems"`
	Warnings []string `json:"warnings"`
}

// award is a demo award with what the checks expect of it.
type award struct {
	a         *model.Award
	space     string
	recipient recipient
	expired   bool   // past its expiry date at now
	revoked   string // "revoke" or "suspend" when revocations.csv lists it
}

// file names an award's published file and its source line, for messages.
func (w award) file(ext string) string {
	p := paths.Assertion(w.a)
	return strings.TrimSuffix(p, ".json") + ext + " (" + w.a.Source() + ")"
}

// fixture is the demo build and the verifier's results over it.
type fixture struct {
	base    string
	dest    string
	awards  []award
	results map[string]result // by item name
	extra   map[string]item   // the tampered and dated inputs, by name
}

var (
	once    sync.Once
	shared  *fixture
	sharedE error
	skipMsg string
	tmpDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(code)
}

// fix returns the shared fixture, building it on first use.
func fix(t *testing.T) *fixture {
	t.Helper()
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	node, dir := demotest.Node(t, root, toolDir, "jsonld", "jose")
	once.Do(func() { shared, sharedE = setUp(root, node, dir) })
	if sharedE != nil {
		t.Fatalf("setting up the OB 2.0 check: %v", sharedE)
	}
	return shared
}

// overlay serves extra documents (the tampered copies) beside the site.
type overlay struct {
	files map[string][]byte // URL path → body
	next  http.Handler
}

func (o overlay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if b, ok := o.files[r.URL.Path]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	o.next.ServeHTTP(w, r)
}

// setUp copies the demo sources, revokes one award and suspends another,
// builds for a loopback origin, serves the site and runs the verifier once.
func setUp(root, node, toolPath string) (*fixture, error) {
	var err error
	tmpDir, err = os.MkdirTemp("", "blason-ob2conformance-")
	if err != nil {
		return nil, err
	}
	src, dest := filepath.Join(tmpDir, "src"), filepath.Join(tmpDir, "site")
	if err := demotest.CopyTree(filepath.Join(root, "content"), filepath.Join(src, "content")); err != nil {
		return nil, err
	}
	conf, err := os.ReadFile(filepath.Join(root, "blason.yaml"))
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(conf, []byte("ob2Signed: true")) {
		return nil, fmt.Errorf("blason.yaml does not set credentials.ob2Signed: true; the demo would publish no signed assertion")
	}
	if err := os.WriteFile(filepath.Join(src, "blason.yaml"), conf, 0o644); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	served := false
	defer func() {
		if !served {
			ln.Close()
		}
	}()
	f := &fixture{base: "http://" + ln.Addr().String() + "/", dest: dest, extra: map[string]item{}}
	opts := build.Options{Source: src, Destination: dest, BaseURL: f.base, Now: now}

	// Award ids come from the space secrets, which Load creates.
	site, err := build.Load(opts)
	if err != nil {
		return nil, err
	}
	var uni *model.Space
	for _, sp := range site.Spaces {
		if sp.Slug == "universite" {
			uni = sp
		}
	}
	if uni == nil || len(uni.Awards) < 6 {
		return nil, fmt.Errorf("the demo has no space universite with awards")
	}
	revoked, suspended := uni.Awards[3], uni.Awards[4]
	csv := "award,date,reason,action\n" +
		revoked.ID + ",2025-11-03,Attribution faite par erreur,revoke\n" +
		suspended.ID + ",2025-11-04,Enquête en cours,suspend\n"
	if err := os.WriteFile(filepath.Join(src, "content", "universite", "revocations.csv"), []byte(csv), 0o644); err != nil {
		return nil, err
	}
	res, err := build.Run(opts)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if res.Revoked != 2 {
		return nil, fmt.Errorf("the build reports %d revoked or suspended awards, want 2", res.Revoked)
	}
	if site, err = build.Load(opts); err != nil {
		return nil, err
	}

	var items []item
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			typ, ident := ob2.RecipientIdentity(a.Recipient, sp.Slug)
			w := award{a: a, space: sp.Slug, recipient: recipient{typ, ident}, expired: !a.Expires.IsZero() && a.Expires.Before(now)}
			switch a.ID {
			case revoked.ID:
				w.revoked = "revoke"
			case suspended.ID:
				w.revoked = "suspend"
			}
			jws, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(paths.SignedAssertion(a))))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.Source(), err)
			}
			r := w.recipient
			items = append(items,
				item{Name: "hosted " + a.ID, Hosted: f.base + paths.Assertion(a), Recipient: &r},
				item{Name: "signed " + a.ID, Signed: string(bytes.TrimSpace(jws)), Recipient: &r})
			if w.expired {
				// The same award checked on the day before it expires.
				before := a.Expires.Add(-24 * time.Hour).Format(time.RFC3339)
				items = append(items,
					item{Name: "hosted-before-expiry " + a.ID, Hosted: f.base + paths.Assertion(a), Recipient: &r, Now: before},
					item{Name: "signed-before-expiry " + a.ID, Signed: string(bytes.TrimSpace(jws)), Recipient: &r, Now: before})
			}
			f.awards = append(f.awards, w)
		}
	}

	extra, files, err := tampered(f, dest)
	if err != nil {
		return nil, err
	}
	for _, it := range extra {
		f.extra[it.Name] = it
		items = append(items, it)
	}

	srv := &http.Server{Handler: overlay{files: files, next: http.FileServer(http.Dir(dest))}, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) // lives as long as the test binary
	served = true

	f.results, err = runVerifier(node, toolPath, root, f.base, items)
	return f, err
}

// victim returns the first valid, non-expiring award of the space universite
// whose recipient is an e-mail address.
func victim(f *fixture) (award, error) {
	for _, w := range f.awards {
		if w.space == "universite" && w.revoked == "" && w.a.Expires.IsZero() && w.recipient.Type == "email" {
			return w, nil
		}
	}
	return award{}, fmt.Errorf("no e-mail award to tamper with in universite")
}

// tampered makes the altered inputs: hosted copies served from the overlay
// (each with its id set to where it is served, so that only the named
// change is wrong) and signed assertions with a changed byte.
func tampered(f *fixture, dest string) ([]item, map[string][]byte, error) {
	w, err := victim(f)
	if err != nil {
		return nil, nil, err
	}
	r := w.recipient
	files := map[string][]byte{}
	var items []item
	hostedPath := paths.Assertion(w.a)
	orig, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(hostedPath)))
	if err != nil {
		return nil, nil, err
	}
	dir := hostedPath[:strings.LastIndex(hostedPath, "/")+1]
	addHosted := func(name string, change func(map[string]any), keepID bool) error {
		var doc map[string]any
		if err := json.Unmarshal(orig, &doc); err != nil {
			return err
		}
		p := dir + strings.ReplaceAll(name, " ", "-") + ".json"
		if !keepID {
			doc["id"] = f.base + p
		}
		change(doc)
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		files["/"+p] = b
		items = append(items, item{Name: name, Hosted: f.base + p, Recipient: &r, file: "/" + p + ", a copy of " + w.file(".json")})
		return nil
	}
	for _, c := range []struct {
		name   string
		keepID bool
		change func(map[string]any)
	}{
		{"hosted recipient hash changed", false, func(d map[string]any) {
			rec := d["recipient"].(map[string]any)
			h := []byte(rec["identity"].(string))
			h[len(h)-1] = flipHex(h[len(h)-1])
			rec["identity"] = string(h)
		}},
		{"hosted copy elsewhere", true, func(map[string]any) {}},
		{"hosted undefined term", false, func(d map[string]any) { d["notAnOpenBadgesTerm"] = "x" }},
		{"hosted issuedOn without time zone", false, func(d map[string]any) { d["issuedOn"] = strings.TrimSuffix(d["issuedOn"].(string), "Z") }},
	} {
		if err := addHosted(c.name, c.change, c.keepID); err != nil {
			return nil, nil, err
		}
	}
	items = append(items, item{Name: "hosted wrong recipient", Hosted: f.base + hostedPath, Recipient: &recipient{"email", "someone.else@example.org"}, file: w.file(".json")})

	jws, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(paths.SignedAssertion(w.a))))
	if err != nil {
		return nil, nil, err
	}
	parts := strings.Split(string(bytes.TrimSpace(jws)), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, nil, fmt.Errorf("%s: payload: %w", paths.SignedAssertion(w.a), err)
	}
	// One byte of the signed payload: a hex digit of the salt.
	i := bytes.Index(payload, []byte(`"salt"`))
	if i < 0 {
		return nil, nil, fmt.Errorf("%s: no salt in the payload", paths.SignedAssertion(w.a))
	}
	i = bytes.IndexByte(payload[i+len(`"salt"`):], '"') + i + len(`"salt"`) + 1
	changed := slices.Clone(payload)
	changed[i] = flipHex(changed[i])
	// A key the issuer does not list: published on the site, owned (it
	// says) by the issuer, and really signing the assertion.
	rogue, err := rogueSigned(f, files, w, parts[0], payload)
	if err != nil {
		return nil, nil, err
	}
	items = append(items, item{Name: "signed by a key the issuer does not list", Signed: rogue, Recipient: &r,
		file: w.file(".jws") + " signed again with a key not in the issuer's publicKey"})
	items = append(items,
		item{Name: "signed payload byte changed", Signed: parts[0] + "." + base64.RawURLEncoding.EncodeToString(changed) + "." + parts[2], Recipient: &r,
			file: w.file(".jws") + " with one byte of its payload changed"},
		item{Name: "signed signature byte changed", Signed: parts[0] + "." + parts[1] + "." + flipB64(parts[2]), Recipient: &r,
			file: w.file(".jws") + " with its signature changed"},
		item{Name: "signed wrong recipient", Signed: string(bytes.TrimSpace(jws)), Recipient: &recipient{"email", "someone.else@example.org"}, file: w.file(".jws")})
	return items, files, nil
}

// rogueSigned publishes a CryptographicKey that the issuer does not list
// (in the overlay) and returns the award's signed assertion naming it as
// creator, signed with it.
func rogueSigned(f *fixture, files map[string][]byte, w award, header string, payload []byte) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", err
	}
	keyPath := w.space + "/keys/rogue.ob2.json"
	var doc map[string]any
	if err := json.Unmarshal(payload, &doc); err != nil {
		return "", err
	}
	issuerURL := f.base + w.space + "/issuer.json"
	kb, err := json.Marshal(map[string]any{
		"@context": ob2.Context, "type": "CryptographicKey", "id": f.base + keyPath, "owner": issuerURL,
		"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
	})
	if err != nil {
		return "", err
	}
	files["/"+keyPath] = kb
	doc["verification"].(map[string]any)["creator"] = f.base + keyPath
	pb, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	input := header + "." + base64.RawURLEncoding.EncodeToString(pb)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func flipHex(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

// flipB64 changes the first character of a base64url string to another.
func flipB64(s string) string {
	c := byte('A')
	if s[0] == 'A' {
		c = 'B'
	}
	return string(c) + s[1:]
}

// runVerifier runs tools/ob2verify once over every item.
func runVerifier(node, toolPath, root, base string, items []item) (map[string]result, error) {
	in, err := json.Marshal(map[string]any{
		"contexts":    map[string]string{ob2.Context: filepath.Join(root, "internal", "jsonld", "contexts", "openbadges-v2.json")},
		"allow":       []string{base},
		"now":         now.Format(time.RFC3339),
		"concurrency": 8,
		"items":       items,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(toolPath, script))
	cmd.Dir = toolPath
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", node, script, err, stderr.String())
	}
	var out struct{ Results []result }
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("%s output: %v", script, err)
	}
	if len(out.Results) != len(items) {
		return nil, fmt.Errorf("%s returned %d results for %d inputs", script, len(out.Results), len(items))
	}
	m := make(map[string]result, len(items))
	for i, r := range out.Results {
		m[items[i].Name] = r
	}
	fmt.Fprintf(os.Stderr, "ob2conformance: %d inputs verified by %s in %v\n", len(items), script, time.Since(start).Round(time.Millisecond))
	return m, nil
}

// failures collects failed checks and reports a bounded number of them, then
// a count by problem.
type failures struct {
	t      *testing.T
	shown  int
	total  int
	byKind map[string]int
}

const maxShown = 15

func (fl *failures) add(file, got string, problems []string, want string) {
	fl.total++
	for _, p := range problems {
		fl.byKind[kind(p)]++
	}
	if fl.shown < maxShown {
		fl.shown++
		fl.t.Errorf("%s: %s, want %s; problems: %s", file, got, want, strings.Join(problems, "; "))
	}
}

func (fl *failures) report(n int) {
	if fl.total == 0 {
		return
	}
	kinds := make([]string, 0, len(fl.byKind))
	for k := range fl.byKind {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return fl.byKind[kinds[i]] > fl.byKind[kinds[j]] })
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n  %5d × %s", fl.byKind[k], k)
	}
	fl.t.Errorf("%d of %d checks failed (%d shown above); problems:%s", fl.total, n, fl.shown, b.String())
}

// kind reduces a problem to its wording, without ids and URLs.
func kind(p string) string {
	var out []string
	for _, w := range strings.Fields(p) {
		switch {
		case strings.HasPrefix(w, "urn:uuid:"):
			w = "urn:uuid:…"
		case strings.HasPrefix(w, "http://"), strings.HasPrefix(w, "https://"), strings.HasPrefix(w, "(http"):
			w = "<url>"
		case strings.HasPrefix(w, "sha256$"):
			w = "sha256$…"
		}
		out = append(out, w)
	}
	s := strings.Join(out, " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// TestDemoAwardsVerify checks both forms of every award that is neither
// revoked nor suspended: valid, or expired when past its expiry date.
func TestDemoAwardsVerify(t *testing.T) {
	f := fix(t)
	for _, form := range []struct{ name, prefix, ext string }{
		{"hosted", "hosted ", ".json"},
		{"signed", "signed ", ".jws"},
	} {
		t.Run(form.name, func(t *testing.T) {
			fl := &failures{t: t, byKind: map[string]int{}}
			n, pass, expired := 0, 0, 0
			warnings := map[string]int{}
			for _, w := range f.awards {
				if w.revoked != "" {
					continue
				}
				n++
				want := "valid"
				if w.expired {
					want = "expired"
				}
				r := f.results[form.prefix+w.a.ID]
				for _, x := range r.Warnings {
					warnings[kind(x)]++
				}
				if r.Status != want {
					fl.add(w.file(form.ext), r.Status, r.Problems, want)
					continue
				}
				pass++
				if w.expired {
					expired++
				}
			}
			if n < 300 {
				t.Fatalf("only %d awards checked; the demo carries more than a thousand", n)
			}
			t.Logf("%s: %d of %d awards pass (%d reported expired at %s)", form.name, pass, n, expired, now.Format("2006-01-02"))
			for k, c := range warnings {
				t.Logf("%s: warning on %d awards: %s", form.name, c, k)
			}
			fl.report(n)
		})
	}
}

// TestExpiredAwardsBeforeExpiry checks the expired awards as of the day
// before their expiry date: they were valid then.
func TestExpiredAwardsBeforeExpiry(t *testing.T) {
	f := fix(t)
	for _, form := range []struct{ name, prefix, ext string }{
		{"hosted", "hosted-before-expiry ", ".json"},
		{"signed", "signed-before-expiry ", ".jws"},
	} {
		t.Run(form.name, func(t *testing.T) {
			fl := &failures{t: t, byKind: map[string]int{}}
			n := 0
			for _, w := range f.awards {
				if !w.expired || w.revoked != "" {
					continue
				}
				n++
				if r := f.results[form.prefix+w.a.ID]; r.Status != "valid" {
					fl.add(w.file(form.ext)+" the day before it expires", r.Status, r.Problems, "valid")
				}
			}
			if n == 0 {
				t.Fatal("the demo has no expired award: expiry is not checked")
			}
			t.Logf("%s: %d expired awards checked as of the day before expiry", form.name, n)
			fl.report(n)
		})
	}
}

// TestRevokedAndSuspended checks that the revoked and the suspended award
// (Open Badges 2.0 knows no suspension: both are revoked there) fail as
// revoked in both forms.
func TestRevokedAndSuspended(t *testing.T) {
	f := fix(t)
	var tests []struct {
		name string
		w    award
		form string
		ext  string
	}
	for _, w := range f.awards {
		if w.revoked == "" {
			continue
		}
		for _, form := range []struct{ prefix, ext string }{{"hosted", ".json"}, {"signed", ".jws"}} {
			tests = append(tests, struct {
				name string
				w    award
				form string
				ext  string
			}{w.revoked + "/" + form.prefix, w, form.prefix, form.ext})
		}
	}
	if len(tests) != 4 {
		t.Fatalf("%d revoked or suspended inputs, want 4", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.results[tt.form+" "+tt.w.a.ID]
			if r.Status != "revoked" {
				t.Errorf("%s: %s, want revoked; problems: %s", tt.w.file(tt.ext), r.Status, strings.Join(r.Problems, "; "))
			} else {
				t.Logf("%s: %s", tt.w.file(tt.ext), r.Problems[0])
			}
		})
	}
}

// TestTamperedInputsFail checks that altered assertions fail, each for the
// reason it was altered.
func TestTamperedInputsFail(t *testing.T) {
	f := fix(t)
	for _, tt := range []struct {
		name string
		want string // a problem must contain this
	}{
		{"hosted recipient hash changed", "does not match the expected email identity"},
		{"hosted copy elsewhere", "is not the URL it was fetched from"},
		{"hosted undefined term", "Safe mode"},
		{"hosted issuedOn without time zone", "issuedOn"},
		{"hosted wrong recipient", "does not match the expected email identity"},
		{"signed payload byte changed", "JWS signature does not verify"},
		{"signed by a key the issuer does not list", "is not in the issuer's publicKey"},
		{"signed signature byte changed", "JWS signature does not verify"},
		{"signed wrong recipient", "does not match the expected email identity"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := f.extra[tt.name]
			if !ok {
				t.Fatalf("no input named %q", tt.name)
			}
			where := in.file
			r := f.results[tt.name]
			if r.Status != "invalid" {
				t.Fatalf("%s: %s, want invalid; problems: %s", where, r.Status, strings.Join(r.Problems, "; "))
			}
			if !slices.ContainsFunc(r.Problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("%s: problems %q do not say %q", where, r.Problems, tt.want)
			}
			t.Logf("%s: %s", where, strings.Join(r.Problems, "; "))
		})
	}
}
