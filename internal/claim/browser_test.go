package claim

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/verify"
)

// injected matches a console message of a script with no URL: one the test
// evaluated in the page.
var injected = regexp.MustCompile(`\(:\d+\)$`)

// browserGet downloads the target of the page's first link matching
// selector with the browser's own session (its HttpOnly cookie, read
// through the DevTools protocol): the claim pages' CSP forbids scripts
// and fetch.
func browserGet(t *testing.T, ctx context.Context, selector string) (*http.Response, []byte) {
	t.Helper()
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+selector+`').href`))
	if err != nil {
		t.Fatal(err)
	}
	jar, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{href}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", href, nil)
	for _, c := range jar.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

// pageAudit returns a check of the browser's current page, named name in
// failures: a screenshot saved under out (when out is not empty), no
// serious or critical axe-core violation, and no console error or dialog —
// leaving out the IdP's own pages (idpURL: not ours) and what axe's
// injected script logs when the page's CSP stops it fetching stylesheets.
func pageAudit(t *testing.T, ctx context.Context, rec *browsertest.Recorder, axe, out, idpURL string) func(name string) {
	return func(name string) {
		t.Helper()
		if out != "" {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(out, name+".png"), png, 0o644)
			}
		}
		vs, err := browsertest.Axe(ctx, axe)
		if err != nil {
			t.Fatalf("%s: axe: %v", name, err)
		}
		for _, v := range vs {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: axe %s (%s): %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
			}
		}
		errs, dialogs := rec.Take()
		errs = slices.DeleteFunc(errs, func(e string) bool {
			return strings.Contains(e, idpURL) || injected.MatchString(e) && strings.Contains(e, "Content Security Policy")
		})
		if len(errs)+len(dialogs) > 0 {
			t.Errorf("%s: console errors %q, dialogs %q", name, errs, dialogs)
		}
	}
}

// TestBrowserClaimFlow drives the whole flow in headless Chromium: the
// discovery page, the real SimpleSAMLphp login form and its auto-submitted
// POST to the ACS, "my badges", then the passport consent forms.
func TestBrowserClaimFlow(t *testing.T) {
	exe := browsertest.Chromium(t)
	w := setup(t)
	// The flow opens a dozen pages, each checked by axe-core at two widths in two languages:
	// 129 s when CI ran it beside the other browser packages on 2 cores, hence the room.
	ctx := browsertest.Context(t, exe, 5*time.Minute)
	rec := browsertest.Record(ctx)
	axe := browsertest.AxeSource(t)
	out := browsertest.Artefacts(t)
	audit := pageAudit(t, ctx, rec, axe, out, w.a.URL)
	link := `a[href*="` + url.QueryEscape(w.a.EntityID) + `&" i]`
	err := chromedp.Do(ctx,
		chromedp.Navigate(w.url+"?lang=fr"),
		chromedp.WaitVisible(chromedp.CSS(link)),
		chromedp.Click(chromedp.CSS(link)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "etudiant1"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "etudiant1pw"),
		chromedp.Click(chromedp.CSS(`#submit_button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.passport-form`)),
	)
	var path, text string
	if err == nil {
		path, err = chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	}
	if err == nil {
		text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	}
	if err != nil {
		t.Fatalf("login in Chromium: %v\nIdP log:\n%s", err, w.a.Log())
	}
	if path != "/me" {
		t.Fatalf("landed on %s", path)
	}
	for _, name := range []string{"Premiers secours", "Tuteur ou tutrice pair", "Bénévole solidaire"} {
		if !strings.Contains(text, name) {
			t.Errorf("my badges lacks %q:\n%s", name, text)
		}
	}
	audit("me-fr")
	if strings.Contains(text, "Compétences numériques") {
		t.Error("etudiant1 sees etudiant2's badge")
	}
	// Create the passport, then add the first badge to it.
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("%s in Chromium: %v\npage:\n%s\nlog:\n%s", what, err, body, w.logText())
		}
	}
	step("create the passport",
		chromedp.SetValue(chromedp.CSS(`#slug`), "camille-chromium"),
		chromedp.SetValue(chromedp.CSS(`#name`), "Camille M."),
		browsertest.Submit(chromedp.Click(chromedp.CSS(`form.passport-form button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	audit("me-fr-passport")
	step("English", chromedp.Click(chromedp.CSS(`header.site nav a[hreflang=en]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=en] form.passport-form`)))
	audit("me-en")
	step("add a badge",
		browsertest.Submit(chromedp.Click(chromedp.CSS(`li.award button[name=toggle]`))),
		chromedp.WaitReady(chromedp.CSS(`li.award button[name=toggle][value^="remove:"]`)),
	)
	// The credential link downloads, with the browser's own session (its
	// HttpOnly cookie, read through the DevTools protocol), a credential
	// that verifies. (The page's CSP forbids scripts and fetch.)
	resp, credBytes := browserGet(t, ctx, `a[href$="credential.json"]`)
	cred := string(credBytes)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") == "" {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	v := verify.New(verify.DirFetcher{Base: w.siteURL, Dir: w.site}, time.Now())
	if _, rep := v.Bytes(context.Background(), []byte(cred), nil); rep.Status != verify.Valid {
		t.Fatalf("credential downloaded in Chromium: %v %v", rep.Status, rep.Problems)
	}
	// The rebuild triggered by the consent publishes the passport page,
	// which the browser then opens on the static site.
	passportURL := w.siteURL + "passport/camille-chromium/"
	// Each consent triggers a rebuild: wait for the one with the badge.
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(passportURL)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Count(string(body), `class="passport-badge `) == 1 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no passport page at %s\n%s", passportURL, w.logText())
		}
		time.Sleep(200 * time.Millisecond)
	}
	step("open the passport page", chromedp.Navigate(passportURL), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	cards, err2 := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("li.passport-badge").length`))
	if err != nil || err2 != nil || !strings.Contains(shown, "Camille M.") || cards != 1 {
		t.Fatalf("passport page (%v, %v, %d badges):\n%s", err, err2, cards, shown)
	}

	var found bool
	all, err := w.st.Passports(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Slug == "camille-chromium" && p.DisplayName == "Camille M." && len(p.Awards) == 1 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the passport chosen in the browser is not in the store: %+v", all)
	}
	browserRichPassport(t, ctx, w, rec, step, audit)
}
