package build

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
)

// TestCataloguePagesInChromium opens the demo catalogue in headless Chromium:
// every image loads, a badge page shows its levels and criteria, and the
// language switch leads to the English page.
func TestCataloguePagesInChromium(t *testing.T) {
	ctx := browsertest.Context(t, browsertest.Chromium(t), 60*time.Second)
	base := sharedDemo(t).base

	eval := func(expr string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	navigate := func(u string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
	const brokenImages = `Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src).join(" ")`
	for _, page := range []string{"", "ecole-ingenieurs/", "universite/", "en/association/"} {
		navigate(base + page)
		if broken := eval(brokenImages); broken != "" {
			t.Errorf("%s: broken images %v", page, broken)
		}
		if cards := eval(`document.querySelectorAll(".card").length`); cards == float64(0) {
			t.Errorf("%s: no cards listed", page)
		}
	}

	navigate(base + "ecole-ingenieurs/badges/innovation/")
	title := eval(`document.querySelector("h1").textContent`)
	level := eval(`document.querySelector("#level-competent h3").textContent`)
	crit, _ := eval(`document.querySelector("#level-competent .prose").innerText`).(string)
	jsonLinks := eval(`document.querySelectorAll('link[rel=alternate][type="application/ld+json"]').length`)
	if title != "Créer de la valeur par l'innovation scientifique et technique" || level != "Compétent" {
		t.Errorf("badge page shows %q / level %q", title, level)
	}
	if !strings.Contains(crit, "Go/no Go") || !strings.Contains(crit, "FAIRE ÉMERGER") {
		t.Errorf("the Compétent grid is not rendered: %q", crit)
	}
	if jsonLinks != float64(5) {
		t.Errorf("%v JSON-LD alternates, want one per level (5)", jsonLinks)
	}
	en, _ := eval(`document.querySelector('header.site nav a[hreflang="en"]').href`).(string)
	navigate(en)
	if lang, enTitle := eval(`document.documentElement.lang`), eval(`document.querySelector("h1").textContent`); lang != "en" || enTitle == title || enTitle == "" {
		t.Errorf("language switch to %s: lang %q, title %q", en, lang, enTitle)
	}
}
