package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob2"
	"github.com/francebadge/blason/internal/verify"
)

// repoRoot holds the demo site (blason.yaml and content/).
const repoRoot = "../.."

// paths names the published files of awards.
var paths layout.Layout

// now is the reference time of these tests, after every demo award date.
var now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// copyDemo copies the demo site's sources into a fresh folder, so that tests
// generate their own keys and never touch the repository's keys/.
func copyDemo(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	if err := copyDemoTo(dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// copyDemoTo copies the demo's sources (content/, blason.yaml) into dst.
func copyDemoTo(dst string) error { return demotest.CopyDemo(repoRoot, dst) }

// readTree returns every file under dir by slash path.
func readTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustBuild(t testing.TB, o Options) Result {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = now
	}
	res, err := Run(o)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return res
}

// serve starts a plain static file server for dir on a loopback port and
// returns its base URL. The listener is opened first so that the site can
// be built for that exact origin.
func listen(t *testing.T) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String() + "/"
}

func serve(t *testing.T, ln net.Listener, dir string) {
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// demo is one build of the demo content, shared by the tests that only read
// it: built once for a loopback origin and served by a plain static file
// server for the whole test binary.
type demo struct {
	src, dest, base string
	site            *model.Site
	res             Result
}

var (
	demoOnce  sync.Once
	demoBuilt *demo
	demoErr   error
	demoDir   string
)

func TestMain(m *testing.M) {
	// The crash test runs builds in child processes of this test binary.
	if src := os.Getenv("BLASON_CHILD_BUILD_SOURCE"); src != "" {
		_, err := Run(Options{Source: src, Destination: os.Getenv("BLASON_CHILD_BUILD_DEST"), Now: now, Force: os.Getenv("BLASON_CHILD_BUILD_FORCE") == "1"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

func sharedDemo(t *testing.T) *demo {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "blason-demo-")
		if demoErr != nil {
			return
		}
		d := &demo{src: filepath.Join(demoDir, "src"), dest: filepath.Join(demoDir, "site")}
		if demoErr = copyDemoTo(d.src); demoErr != nil {
			return
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if demoErr = err; err != nil {
			return
		}
		d.base = "http://" + ln.Addr().String() + "/"
		if d.res, demoErr = Run(Options{Source: d.src, Destination: d.dest, BaseURL: d.base, Now: now}); demoErr != nil {
			return
		}
		if d.site, demoErr = Load(Options{Source: d.src, BaseURL: d.base, Now: now}); demoErr != nil {
			return
		}
		srv := &http.Server{Handler: http.FileServer(http.Dir(d.dest)), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln) // lives as long as the test binary
		demoBuilt = d
	})
	if demoErr != nil {
		t.Fatalf("demo build: %v", demoErr)
	}
	return demoBuilt
}

// TestDemoAssertionsVerifyHosted runs the Open Badges 2.0 hosted
// verification rules over HTTP on every assertion of the demo build,
// recipient hash included.
func TestDemoAssertionsVerifyHosted(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	site, base, res := d.site, d.base, d.res
	v := verify.OB2{Fetcher: verify.HTTPFetcher{AllowPrivate: true}, Loader: jsonld.NewLoader(), Now: now}
	var n, expired int
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			n++
			typ, ident := ob2.RecipientIdentity(a.Recipient, sp.Slug)
			u := base + paths.Assertion(a)
			rep := v.Hosted(context.Background(), u, &verify.Recipient{Type: typ, Identity: ident})
			want := verify.Valid
			if !a.Expires.IsZero() && a.Expires.Before(now) {
				want = verify.Expired
				expired++
			}
			if rep.Status != want || len(rep.Problems) > 0 {
				t.Errorf("%s (%s): status %v, want %v; problems: %s", a.Source(), u, rep.Status, want, strings.Join(rep.Problems, "; "))
			}
		}
	}
	if n != res.Awards || n < 300 {
		t.Fatalf("verified %d assertions, build reported %d; the demo should carry a few hundred", n, res.Awards)
	}
	t.Logf("%d assertions verified over HTTP (%d expired)", n, expired)

	// A wrong recipient must not match: the check above can fail.
	a := site.Spaces[1].Awards[0]
	rep := v.Hosted(context.Background(), base+paths.Assertion(a), &verify.Recipient{Type: "email", Identity: "someone.else@example.org"})
	if rep.Status != verify.Invalid {
		t.Fatalf("a wrong recipient verified: %+v", rep)
	}
}

// TestBuildsAreByteIdentical builds the same sources twice into two folders.
func TestBuildsAreByteIdentical(t *testing.T) {
	t.Parallel()
	src, d1 := builtDemo(t) // built at now
	d2 := filepath.Join(t.TempDir(), "b")
	mustBuild(t, Options{Source: src, Destination: d2, Now: now.Add(1000 * time.Hour)})
	a, b := readTree(t, d1), readTree(t, d2)
	if len(a) != len(b) || len(a) < 1000 {
		t.Fatalf("builds hold %d and %d files", len(a), len(b))
	}
	if a["passport/etudiante-fictive-1008/index.html"] == nil {
		t.Fatal("the demo build holds no passport page: reproducibility of passports is not checked")
	}
	if a["preview.png"] == nil || a["en/universite/badges/tutorat/preview.png"] == nil {
		t.Fatal("the demo build holds no preview card: reproducibility of PNG previews is not checked")
	}
	for p, x := range a {
		if !bytes.Equal(x, b[p]) {
			t.Errorf("%s differs between two builds", p)
		}
	}
	// A warm build (cache in use) after a change and its undoing gives the
	// same bytes as the cold builds.
	badge := filepath.Join(src, "content", "ecole-ingenieurs", "badges", "innovation.md")
	orig, _ := os.ReadFile(badge)
	os.WriteFile(badge, append(append([]byte(nil), orig...), "\nUne phrase de plus.\n"...), 0o644)
	if res := mustBuild(t, Options{Source: src, Destination: d1}); res.Issued == 0 || res.Issued == res.Awards {
		t.Fatalf("the warm build issued %d of %d awards", res.Issued, res.Awards)
	}
	os.WriteFile(badge, orig, 0o644)
	mustBuild(t, Options{Source: src, Destination: d1})
	warm := readTree(t, d1)
	notLog := func(m map[string][]byte) (n int) {
		for p := range m {
			if !strings.HasPrefix(p, "log/") {
				n++
			}
		}
		return n
	}
	if notLog(warm) != notLog(b) {
		t.Fatalf("warm build holds %d files, cold %d", len(warm), len(b))
	}
	for p, x := range b {
		// The transparency log never forgets: the change and its undoing
		// are two re-issues it records (docs/transparency.md).
		if strings.HasPrefix(p, "log/") && p != "log/key" {
			continue
		}
		if !bytes.Equal(x, warm[p]) {
			t.Errorf("%s differs between a cold and a warm build", p)
		}
	}
	if bytes.Equal(b["log/checkpoint"], warm["log/checkpoint"]) {
		t.Error("the transparency log did not record the re-issues of the change and its undoing")
	}
}

// recipientNeedles returns every recipient identifier and name of the demo
// award lists under src (as written and lower-cased), with where it comes from.
func recipientNeedles(t testing.TB, src string) map[string]string {
	t.Helper()
	needles := map[string]string{} // value → where it comes from
	files, _ := filepath.Glob(filepath.Join(src, "content", "*", "awards", "*.csv"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			for i, col := range recs[0] {
				switch col {
				case "email", "eppn", "student_id", "name":
					if v := strings.TrimSpace(rec[i]); v != "" {
						needles[v] = f + " " + col
						needles[strings.ToLower(v)] = f + " " + col
					}
				}
			}
		}
	}
	return needles
}

// TestNoPersonalDataInSite scans every published byte for every recipient
// identifier and name of the demo award lists, and for the space secrets.
// The display names and e-mail addresses students chose to show on their
// passports are the exception, and only on their own pages: an address on
// the passport pages, a name there and on the pages of the awards shown.
func TestNoPersonalDataInSite(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	src, dest := d.src, d.dest

	needles := recipientNeedles(t, src)
	secrets, _ := filepath.Glob(filepath.Join(src, "keys", "*", "secret"))
	for _, s := range secrets {
		b, _ := os.ReadFile(s)
		needles[strings.TrimSpace(string(b))] = s
	}
	if len(needles) < 500 || len(secrets) == 0 {
		t.Fatalf("only %d needles and %d secrets: the scanner would prove nothing", len(needles), len(secrets))
	}
	ps, shown := demoPassports(t, src, d.site)
	optedIn := map[string][]string{} // value → the only files it may be in
	for _, p := range ps {
		pages := []string{passportPath(p.Slug, "fr"), passportPath(p.Slug, "en")}
		if p.Email != "" {
			optedIn[p.Email] = pages
		}
		for _, r := range p.Awards {
			pages = append(pages, awardPagePath(shown[r.Award], "fr"), awardPagePath(shown[r.Award], "en"))
		}
		optedIn[p.DisplayName] = pages
	}
	shownNames := 0
	for v := range optedIn {
		if needles[v] != "" {
			shownNames++
			delete(needles, v)
			delete(needles, strings.ToLower(v))
		}
	}
	if shownNames < 2 {
		t.Fatalf("the demo should show an opted-in name and address from the award lists (%d found)", shownNames)
	}
	site := readTree(t, dest)
	// The scanner must find a planted identifier (it can fail).
	site["planted.txt"] = []byte("contact: " + firstKey(needles))
	found := 0
	for p, b := range site {
		for v, from := range needles {
			if bytes.Contains(b, []byte(v)) {
				if p == "planted.txt" {
					found++
					continue
				}
				t.Errorf("%s contains %q (from %s)", p, v, from)
			}
		}
		for v, allowed := range optedIn {
			if bytes.Contains(b, []byte(v)) && !slices.Contains(allowed, p) {
				t.Errorf("%s contains %q, shown by its owner on %v only", p, v, allowed)
			}
		}
	}
	if found == 0 {
		t.Fatal("the scanner missed a planted identifier")
	}
	for v, allowed := range optedIn {
		if !bytes.Contains(site[allowed[0]], []byte(html.EscapeString(v))) {
			t.Errorf("%s does not show %q", allowed[0], v)
		}
	}
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

// TestRevocationAndSuspension revokes one demo award and suspends another,
// rebuilds, and checks every form: the OB 2.0 tombstone and revocation list,
// the OB 3.0 status lists (both verified by blason's verifier), and that
// nothing else changed.
func TestRevocationAndSuspension(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	servers := ServersPath(src)
	// The built demo, with the server snippets: a build with nothing to sign.
	if res := mustBuild(t, Options{Source: src, Destination: dest, Servers: servers}); res.Issued != 0 {
		t.Fatalf("the build writing the server snippets issued %d awards", res.Issued)
	}
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var sp *model.Space
	for _, s := range site.Spaces {
		if s.Slug == "universite" {
			sp = s
		}
	}
	revoked, suspended := sp.Awards[3], sp.Awards[4]
	csvText := "award,date,reason,action\n" +
		revoked.ID + ",2025-11-03,Attribution faite par erreur,revoke\n" +
		suspended.ID + ",2025-11-04,Enquête en cours,suspend\n"
	if err := os.WriteFile(filepath.Join(src, "content", "universite", "revocations.csv"), []byte(csvText), 0o644); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dest)
	serversBefore := readTree(t, servers)
	res := mustBuild(t, Options{Source: src, Destination: dest, Servers: servers})
	if res.Revoked != 2 {
		t.Fatalf("build reports %d revoked or suspended", res.Revoked)
	}
	after := readTree(t, dest)
	assertionPath := paths.Assertion(revoked)
	var tomb map[string]any
	if err := json.Unmarshal(after[assertionPath], &tomb); err != nil {
		t.Fatal(err)
	}
	if tomb["revoked"] != true || tomb["revocationReason"] != "Attribution faite par erreur" || tomb["recipient"] != nil {
		t.Fatalf("tombstone = %v", tomb)
	}
	var rl ob2.RevocationList
	if err := json.Unmarshal(after["universite/revocations.json"], &rl); err != nil {
		t.Fatal(err)
	}
	// Signed assertions are listed by their URN; hosted URLs never are.
	if len(rl.RevokedAssertions) != 2 || !strings.HasPrefix(rl.RevokedAssertions[0].ID, "urn:uuid:") || bytes.Contains(after["universite/revocations.json"], []byte("/assertions/")) {
		t.Fatalf("revocation list = %+v", rl)
	}
	// Only the affected files changed, and the transparency log grew (its
	// checkpoint and edge tiles; the log's own tests check what it holds).
	var changed []string
	logged := false
	for p, b := range after {
		if !bytes.Equal(b, before[p]) {
			if strings.HasPrefix(p, "log/") {
				logged = logged || p == "log/checkpoint"
				continue
			}
			changed = append(changed, p)
		}
	}
	if !logged {
		t.Error("the revocation and the suspension left the transparency log's checkpoint unchanged")
	}
	slices.Sort(changed)
	want := []string{
		paths.Assertion(revoked),
		paths.Assertion(suspended),
		"universite/revocations.json",
		"universite/status/revocation.json",
		"universite/status/suspension.json",
		"_redirects", // 410 Gone for the two tombstones (Netlify)
	}
	// The badge pages give the number of holders (at least dashboards.k).
	for _, b := range []*model.Badge{revoked.Badge, suspended.Badge} {
		for _, lang := range []string{"", "en"} { // "": the default language, French
			if p := paths.BadgePage(b, lang) + "index.html"; !slices.Contains(want, p) {
				want = append(want, p)
			}
		}
	}
	slices.Sort(want)
	if !slices.Equal(changed, want) {
		t.Fatalf("changed files:\n%v\nwant:\n%v", changed, want)
	}
	// The server snippets that list the tombstones changed too, and only they.
	serversAfter := readTree(t, servers)
	changed = nil
	for p, b := range serversAfter {
		if !bytes.Equal(b, serversBefore[p]) {
			changed = append(changed, p)
		}
	}
	slices.Sort(changed)
	if want := []string{"apache/gone.conf", "caddy/gone.caddy", "nginx/gone.conf"}; !slices.Equal(changed, want) {
		t.Fatalf("changed server snippets: %v, want %v", changed, want)
	}
	for _, f := range []string{"_redirects", "nginx/gone.conf", "apache/gone.conf", "caddy/gone.caddy"} {
		b := after[f]
		if f != "_redirects" {
			b = serversAfter[f]
		}
		for _, a := range []*model.Award{revoked, suspended} {
			if !bytes.Contains(b, []byte(a.ID)) {
				t.Errorf("%s does not list the tombstone of %s", f, a.ID)
			}
		}
	}
	v := verify.New(verify.DirFetcher{Base: site.BaseURL, Dir: dest}, now)
	ctx := context.Background()
	for _, tt := range []struct {
		a      *model.Award
		status verify.Status
	}{{revoked, verify.Revoked}, {suspended, verify.Suspended}, {sp.Awards[5], verify.Valid}} {
		for _, p := range []string{paths.Credential(tt.a), paths.CredentialJWT(tt.a), paths.SignedAssertion(tt.a)} {
			_, rep := v.Target(ctx, filepath.Join(dest, p), nil)
			want := tt.status
			if strings.HasSuffix(p, ".jws") && want == verify.Suspended {
				want = verify.Revoked // OB 2.0 knows no suspension
			}
			if rep.Status != want || (want == verify.Valid && len(rep.Problems) > 0) {
				t.Errorf("%s: %v %v, want %v", p, rep.Status, rep.Problems, want)
			}
		}
	}
	// A revocation is final: dropping its line fails the build, naming the award.
	os.WriteFile(filepath.Join(src, "content", "universite", "revocations.csv"), []byte("award,date,reason,action\n"+suspended.ID+",2025-11-04,Enquête en cours,suspend\n"), 0o644)
	if _, err := Run(Options{Source: src, Destination: dest, Now: now}); err == nil || !strings.Contains(err.Error(), revoked.ID+" was revoked by an earlier build") {
		t.Fatalf("dropping a revocation: err = %v", err)
	}
	// Lifting the suspension restores the award.
	os.WriteFile(filepath.Join(src, "content", "universite", "revocations.csv"), []byte(csvText[:strings.LastIndex(strings.TrimSpace(csvText), "\n")+1]), 0o644)
	mustBuild(t, Options{Source: src, Destination: dest, Servers: servers})
	// … and its URL answers 200 again on every server (an incremental build).
	lifted := readTree(t, servers)
	lifted["_redirects"], _ = os.ReadFile(filepath.Join(dest, "_redirects"))
	for _, f := range []string{"_redirects", "nginx/gone.conf", "apache/gone.conf", "caddy/gone.caddy"} {
		if !bytes.Contains(lifted[f], []byte(revoked.ID)) || bytes.Contains(lifted[f], []byte(suspended.ID)) {
			t.Errorf("after lifting the suspension, %s:\n%s", f, lifted[f])
		}
	}
	v = verify.New(verify.DirFetcher{Base: site.BaseURL, Dir: dest}, now) // a verifier caches the lists it read
	if _, rep := v.Target(ctx, filepath.Join(dest, paths.Credential(suspended)), nil); rep.Status != verify.Valid {
		t.Errorf("after lifting the suspension: %v %v", rep.Status, rep.Problems)
	}
}

// TestFailedBuildLeavesSiteIntact breaks the content after a good build.
func TestFailedBuildLeavesSiteIntact(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	before := treeHash(t, dest)
	f := filepath.Join(src, "content", "association", "awards", "saison-2024-2025.csv")
	b, _ := os.ReadFile(f)
	os.WriteFile(f, append(b, []byte("x@example.org,,,,no-such-badge,,2025-01-01,,,\n")...), 0o644)
	os.Remove(filepath.Join(src, "content", "universite", "badges", "tutorat.svg"))
	_, err := Run(Options{Source: src, Destination: dest, Now: now})
	if err == nil || !strings.Contains(err.Error(), "no-such-badge") || !strings.Contains(err.Error(), "tutorat.svg") {
		t.Fatalf("err = %v; want both problems reported", err)
	}
	if treeHash(t, dest) != before {
		t.Fatal("a failed build changed the site")
	}
}

func treeHash(t testing.TB, dir string) [32]byte {
	h := sha256.New()
	tree := readTree(t, dir)
	paths := make([]string, 0, len(tree))
	for p := range tree {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		h.Write([]byte(p))
		h.Write(tree[p])
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
