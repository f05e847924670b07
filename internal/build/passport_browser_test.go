package build

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
)

var pdfPageRE = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestPassportPagesInChromium serves a demo build in which one award shown
// on a passport is revoked, opens passport and award pages in headless
// Chromium, and clicks the re-verify button: it reports "valid" for a valid
// award, "revoked" for the revoked one and "expired" for an expired one,
// reading the hosted status lists. No page logs a console error.
func TestPassportPagesInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	src := copyDemo(t)
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ps, shown := demoPassports(t, src, site)
	var valid, revoked, expired string
	var revokedBaked []string
	for _, p := range ps {
		for _, r := range p.Awards {
			a := shown[r.Award]
			switch {
			case p.Slug == "etudiante-fictive-1008" && a.Badge.Slug == "ambassadeur":
				revoked = awardPagePath(a, "fr")
				ob2, ob3 := paths.Baked(a)
				revokedBaked = []string{ob2, ob3}
				csv := "award,date,reason,action\n" + a.ID + ",2025-11-03,Attribution faite par erreur,revoke\n"
				if err := os.WriteFile(filepath.Join(src, "content", "universite", "revocations.csv"), []byte(csv), 0o644); err != nil {
					t.Fatal(err)
				}
			case p.Slug == "etudiante-fictive-1008":
				valid = awardPagePath(a, "en")
			case !a.Expires.IsZero() && a.Expires.Before(now):
				expired = awardPagePath(a, "fr")
			}
		}
	}
	if valid == "" || revoked == "" || expired == "" {
		t.Fatalf("demo passports lack a valid, a revocable or an expired award: %q %q %q", valid, revoked, expired)
	}
	ln, base := listen(t)
	dest := filepath.Join(t.TempDir(), "site")
	mustBuild(t, Options{Source: src, Destination: dest, BaseURL: base})
	serve(t, ln, dest)
	// A revoked award is not baked: its hosted assertion is a tombstone.
	for _, p := range revokedBaked {
		if _, err := os.Stat(filepath.Join(dest, p)); err == nil {
			t.Errorf("the revoked award is baked: %s", p)
		}
	}

	ctx := browsertest.Context(t, exe, 90*time.Second)
	rec := browsertest.Record(ctx)
	eval := func(expr string) string { t.Helper(); return browsertest.Eval[string](t, ctx, expr) }
	navigate := func(u string) { t.Helper(); browsertest.Navigate(t, ctx, u) }
	for _, page := range []string{"passport/etudiante-fictive-1008/", "en/passport/etudiante-fictive-1008/", "passport/etudiant-fictif-1001/", "en/passport/ef-0102/"} {
		navigate(base + page)
		if broken := eval(browsertest.BrokenImages); broken != "" {
			t.Errorf("%s: broken images %s", page, broken)
		}
		revokedCards := eval(`Array.from(document.querySelectorAll("li.passport-badge.status-revoked .status")).map(e => e.textContent).join()`)
		if want := map[string]string{"passport/etudiante-fictive-1008/": "Révoqué", "en/passport/etudiante-fictive-1008/": "Revoked"}[page]; revokedCards != want {
			t.Errorf("%s: revoked cards %q, want %q", page, revokedCards, want)
		}
	}
	// Printed, a passport is a one-page CV without the site's navigation.
	for _, page := range []string{"passport/etudiante-fictive-1008/", "en/passport/ef-0102/"} {
		navigate(base + page)
		pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
		if err != nil {
			t.Fatalf("%s: printing: %v", page, err)
		}
		if n := len(pdfPageRE.FindAll(pdf, -1)); n != 1 {
			t.Errorf("%s prints on %d pages, want 1", page, n)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if d := eval(`getComputedStyle(document.querySelector("header.site")).display + " " + getComputedStyle(document.querySelector(".qr-code")).display`); d != "none block" {
			t.Errorf("%s: in print, header and QR code display %q", page, d)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ page, want string }{{valid, "valid"}, {revoked, "revoked"}, {expired, "expired"}} {
		navigate(base + strings.TrimSuffix(c.page, "index.html"))
		class := eval(`document.querySelector("article.award").className`)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reverify"))); err != nil {
			t.Fatalf("%s: clicking re-verify: %v", c.page, err)
		}
		status, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const s = document.getElementById("reverify-result").dataset.status; return s && s !== "checking" ? s : null })()`, chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			t.Fatalf("%s: waiting for the re-verify result: %v", c.page, err)
		}
		text := eval(`document.getElementById("reverify-result").textContent`)
		if status != c.want || text == "" || class != "award status-"+c.want {
			t.Errorf("%s: re-verify says %q (%q), page shows %q; want %q", c.page, status, text, class, c.want)
		}
	}
	errs, dialogs := rec.Take()
	for _, p := range append(errs, dialogs...) {
		t.Errorf("console: %s", p)
	}
}
