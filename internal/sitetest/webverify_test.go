package sitetest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
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

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passportfile"
	"github.com/francebadge/blason/internal/verify"
)

// credentialFiles lists, by site path, every credential a site publishes in
// every form: OB 3.0 Data Integrity (.json) and VC-JWT (.jwt) under
// <space>/credentials/, OB 2.0 hosted (.json) and signed (.jws) under
// <space>/assertions/, and the baked SVG images of both.
func credentialFiles(t *testing.T, dest string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		rel = filepath.ToSlash(rel)
		parts := strings.Split(rel, "/")
		if len(parts) == 4 && (parts[1] == "credentials" || parts[1] == "assertions") {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// browserVerdicts runs window.BlasonVerify.verify in the page open in ctx
// on each input: a site URL (the page fetches it, as bytes for images) or
// a credential's text. It returns the verdict of each, with the failed
// steps' details for a reading when it differs.
func browserVerdicts(t *testing.T, ctx context.Context, inputs []string) []string {
	t.Helper()
	in, _ := json.Marshal(inputs)
	script := `(async (inputs) => {
		const out = [];
		for (const x of inputs) {
			try {
				let arg = x;
				if (/\.(svg|png)$/.test(x)) arg = new Uint8Array(await (await fetch(x)).arrayBuffer());
				const r = await BlasonVerify.verify(arg);
				out.push(r.verdict + " " + r.steps.filter(s => s.ok === false).map(s => s.id + ": " + s.detail).join("; "));
			} catch (e) { out.push("error " + e.message); }
		}
		return out;
	})(` + string(in) + `)`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("in-browser verification: %v", err)
	}
	if len(got) != len(inputs) {
		t.Fatalf("%d results for %d inputs", len(got), len(inputs))
	}
	return got
}

// tamper changes a credential's name in its text, leaving its signature:
// JSON documents directly, compact JWS in their payload.
func tamper(t *testing.T, text string) string {
	t.Helper()
	edit := func(b []byte) []byte {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["name"]; ok {
			m["name"] = "Forged"
		} else {
			m["issuedOn"] = "2020-01-01T00:00:00Z"
		}
		out, _ := json.Marshal(m)
		return out
	}
	if parts := strings.Split(strings.TrimSpace(text), "."); len(parts) == 3 && !strings.HasPrefix(text, "{") {
		p, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		parts[1] = base64.RawURLEncoding.EncodeToString(edit(p))
		return strings.Join(parts, ".")
	}
	return string(edit([]byte(text)))
}

// TestInBrowserVerifierAgreesWithBlasonVerify builds the demo with one
// award revoked and one suspended, and checks every credential the site
// publishes in every form (Data Integrity, VC-JWT, OB 2.0 hosted and
// signed, baked SVG) in headless Chromium with reverify.js: the verdict is
// the one `blason verify` (internal/verify) gives, and the demo's verdicts
// include valid, expired, revoked and suspended ones. Tampered copies of a
// credential of each form fail on both sides.
func TestInBrowserVerifierAgreesWithBlasonVerify(t *testing.T) {
	exe := browsertest.Chromium(t)
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	src := filepath.Join(t.TempDir(), "src")
	if err := demotest.CopyDemo(root, src); err != nil {
		t.Fatal(err)
	}
	site, err := build.Load(build.Options{Source: src, Now: Now})
	if err != nil {
		t.Fatal(err)
	}
	// The revoked and suspended awards are shown on passports: their award
	// pages are published.
	ps, err := passportfile.Load(src, site)
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, p := range ps {
		for _, r := range p.Awards {
			shown[r.Award] = true
		}
	}
	var revoked, suspended string
	for _, a := range universiteAwards(site) {
		if !a.Expires.IsZero() && a.Expires.Before(time.Now()) || !shown[a.ID] {
			continue
		}
		switch {
		case revoked == "":
			revoked = a.ID
		case suspended == "":
			suspended = a.ID
		}
	}
	if revoked == "" || suspended == "" {
		t.Fatalf("the demo shows fewer than two unexpired awards of universite on passports")
	}
	csv := "award,date,reason,action\n" + revoked + ",2025-11-03,Attribution faite par erreur,revoke\n" + suspended + ",2025-11-04,Enquête en cours,suspend\n"
	if err := os.WriteFile(filepath.Join(src, "content", "universite", "revocations.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/"
	dest := filepath.Join(t.TempDir(), "site")
	if _, err := build.Run(build.Options{Source: src, Destination: dest, BaseURL: base, Now: Now}); err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dest)), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	t.Logf("built in %s", time.Since(t0))
	// Every credential of every space, in every form.
	files := credentialFiles(t, dest)
	if len(files) < 400 {
		t.Fatalf("found %d credential files, want every form of a few hundred awards", len(files))
	}
	v := verify.New(verify.DirFetcher{Base: base, Dir: dest}, time.Now())
	goVerdict := func(data []byte) (string, string) {
		_, rep := v.Bytes(context.Background(), data, nil)
		return rep.Status.String(), strings.Join(rep.Problems, "; ")
	}

	t.Logf("blason verify ran after %s", time.Since(t0))
	ctx := browsertest.Context(t, exe, 10*time.Minute)
	rec := browsertest.Record(ctx)
	browsertest.Navigate(t, ctx, base+"verify/")
	var inputs, want, why []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		w, p := goVerdict(b)
		inputs, want, why = append(inputs, base+f), append(want, w), append(why, p)
	}
	t.Logf("blason verify ran after %s", time.Since(t0))
	// Tampered: one credential of each signed form, its name changed.
	forms := map[string]bool{}
	for _, f := range files {
		ext := filepath.Ext(f)
		kind := strings.Split(f, "/")[1] + ext
		// A hosted assertion carries no signature: verifiers check the copy
		// its issuer hosts, whatever copy they are given.
		if ext == ".svg" || kind == "assertions.json" || forms[kind] {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dest, filepath.FromSlash(f)))
		if strings.Contains(string(b), `"revoked": true`) {
			continue
		}
		forms[kind] = true
		forged := tamper(t, string(b))
		w, p := goVerdict([]byte(forged))
		if w != "invalid" {
			t.Errorf("blason verify accepts a tampered %s: %s", kind, w)
		}
		inputs, want, why = append(inputs, forged), append(want, w), append(why, p)
	}
	if len(forms) != 3 {
		t.Errorf("tampered forms %v, want the three signed forms", forms)
	}
	start := time.Now()
	var got []string
	for i := 0; i < len(inputs); i += 200 {
		got = append(got, browserVerdicts(t, ctx, inputs[i:min(i+200, len(inputs))])...)
		t.Logf("%d verified in Chromium after %s", len(got), time.Since(start))
	}
	seen := map[string]int{}
	bad := 0
	for i, g := range got {
		verdict, detail, _ := strings.Cut(g, " ")
		seen[verdict]++
		if verdict != want[i] {
			if bad++; bad <= 15 {
				name := inputs[i]
				if len(name) > 120 {
					name = "tampered " + name[:60] + "…"
				}
				t.Errorf("%s: in the browser %s (%s), blason verify %s (%s)", name, verdict, detail, want[i], why[i])
			}
		}
	}
	t.Logf("%d inputs checked in Chromium, verdicts %v", len(inputs), seen)
	if bad > 0 {
		t.Errorf("%d of %d verdicts differ", bad, len(inputs))
	}
	for _, s := range []string{"valid", "expired", "revoked", "suspended", "invalid"} {
		if seen[s] == 0 {
			t.Errorf("no %s verdict among the inputs: %v", s, seen)
		}
	}

	// The award page's button shows the same verdict, replacing the pill.
	for _, c := range []struct{ id, want string }{{revoked, "revoked"}, {suspended, "suspended"}} {
		u := fmt.Sprintf("%suniversite/awards/%s/%s/", base, c.id[:2], c.id)
		browsertest.Navigate(t, ctx, u)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const b = document.getElementById("reverify-box"); return b && !b.hidden ? true : null })()`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s: no verify button shown: %v", u, err)
		}
		browsertest.Eval[bool](t, ctx, `(document.getElementById("reverify").click(), true)`)
		status, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const s = document.getElementById("reverify-result").dataset.status; return s && s !== "checking" ? s : null })()`, chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		pill := browsertest.Eval[string](t, ctx, `document.querySelector(".badge-head .status").className`)
		if status != c.want || pill != "status status-"+c.want {
			t.Errorf("%s: verdict %q, pill %q; want %s", u, status, pill, c.want)
		}
	}
	errs, dialogs := rec.Take()
	for _, p := range append(errs, dialogs...) {
		t.Errorf("console: %s", p)
	}
}

// TestInBrowserVerifierStaysOnOrigin opens award pages of the shared demo
// and the verify/ page, runs the verifier on a Data Integrity credential,
// a VC-JWT and OB 2.0 assertions, and records every request Chromium makes:
// none leaves the site's origin. A credential of another site is reported
// as not verifiable, without a request.
func TestInBrowserVerifierStaysOnOrigin(t *testing.T) {
	exe := browsertest.Chromium(t)
	d := Shared(t)
	ctx := browsertest.Context(t, exe, 3*time.Minute)
	var mu sync.Mutex
	var requests []string
	events := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			mu.Lock()
			requests = append(requests, ev.Request.URL)
			mu.Unlock()
		}
	}()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	files := credentialFiles(t, d.Dest)
	var pick []string
	kinds := map[string]bool{}
	for _, f := range files {
		kind := strings.Split(f, "/")[1] + filepath.Ext(f)
		if !kinds[kind] {
			kinds[kind] = true
			pick = append(pick, d.Base+f)
		}
	}
	browsertest.Navigate(t, ctx, d.Base+"en/verify/")
	got := browserVerdicts(t, ctx, append(pick, `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:web:elsewhere.example","credentialSubject":{},"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","verificationMethod":"did:web:elsewhere.example#k","proofValue":"z1"}}`))
	for i, g := range got[:len(pick)] {
		if v, _, _ := strings.Cut(g, " "); v == "invalid" || v == "error" {
			t.Errorf("%s: %s", pick[i], g)
		}
	}
	if last := got[len(got)-1]; !strings.HasPrefix(last, "invalid") || !strings.Contains(last, "outside this site") {
		t.Errorf("a credential of another site: %s", last)
	}
	origin := strings.TrimSuffix(d.Base, "/")
	time.Sleep(500 * time.Millisecond) // the last events
	mu.Lock()
	defer mu.Unlock()
	for _, r := range requests {
		if !strings.HasPrefix(r, origin+"/") && !strings.HasPrefix(r, "data:") {
			t.Errorf("request left the site's origin: %s", r)
		}
	}
	if len(requests) < 5 {
		t.Errorf("only %d requests recorded: %v", len(requests), requests)
	}
}

func universiteAwards(site *model.Site) []*model.Award {
	for _, sp := range site.Spaces {
		if sp.Slug == "universite" {
			return sp.Awards
		}
	}
	return nil
}

// TestVerifyPage opens the verify/ page of the shared demo in French and
// English, at 1280 and 390 px: axe-core finds no serious or critical
// violation; a baked image chosen in the file input, a pasted VC-JWT and a
// pasted tampered JWT are checked step by step in the page's language.
func TestVerifyPage(t *testing.T) {
	exe := browsertest.Chromium(t)
	axe := browsertest.AxeSource(t)
	d := Shared(t)
	ctx := browsertest.Context(t, exe, 3*time.Minute)
	rec := browsertest.Record(ctx)
	var jwt, baked string
	for _, f := range credentialFiles(t, d.Dest) {
		switch {
		case jwt == "" && strings.HasSuffix(f, ".jwt"):
			b, _ := os.ReadFile(filepath.Join(d.Dest, filepath.FromSlash(f)))
			jwt = strings.TrimSpace(string(b))
		case baked == "" && strings.HasSuffix(f, ".svg"):
			baked = filepath.Join(d.Dest, filepath.FromSlash(f))
		}
	}
	result := func(page string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const r = document.getElementById("verify-result"); const s = r.dataset.status; if (!s || s === "checking") return null; const sig = r.querySelector("li[data-step=signature]"); return s + " | " + (sig ? sig.className + " " + sig.textContent : "") + " | " + r.textContent })()`, chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Fatalf("%s: waiting for the result: %v", page, err)
		}
		browsertest.Eval[bool](t, ctx, `(delete document.getElementById("verify-result").dataset.status, true)`)
		return s
	}
	for _, c := range []struct{ page, signature string }{{"verify/", "step-ok Signature\u202f: vérifié"}, {"en/verify/", "step-ok Signature: checked"}} {
		for _, w := range []int{1280, 390} {
			vp := chromedp.EmulateViewport(1280, 900)
			if w == 390 {
				vp = chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
			}
			if err := chromedp.Do(ctx, vp, chromedp.Navigate(d.Base+c.page)); err != nil {
				t.Fatal(err)
			}
			vs, err := browsertest.Axe(ctx, axe)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s at %d px: axe %s (%s): %v", c.page, w, v.ID, v.Impact, v.Nodes)
				}
			}
		}
		if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#verify-file"), []string{baked})); err != nil {
			t.Fatal(err)
		}
		if got := result(c.page); !strings.HasPrefix(got, "valid") && !strings.HasPrefix(got, "expired") || !strings.Contains(got, c.signature) {
			t.Errorf("%s: baked image %s: %s", c.page, baked, got)
		}
		for _, in := range []struct{ text, want string }{{jwt, c.signature}, {tamper(t, jwt), "invalid"}} {
			js, _ := json.Marshal(in.text)
			browsertest.Eval[bool](t, ctx, `(document.getElementById("verify-text").value = `+string(js)+`, document.getElementById("verify-submit").click(), true)`)
			if got := result(c.page); !strings.Contains(got, in.want) {
				t.Errorf("%s: pasted JWT: %s, want %q", c.page, got, in.want)
			}
		}
	}
	errs, dialogs := rec.Take()
	for _, p := range append(errs, dialogs...) {
		t.Errorf("console: %s", p)
	}
}
