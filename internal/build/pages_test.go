package build

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the browser for page tests. Without one the test is
// skipped on a laptop, and fails under CI=true.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on this CI machine; .ci/run must install it")
	}
	t.Skip("no Chromium found; install Debian's chromium to run page tests")
	return ""
}

func browser(t *testing.T) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// TestCataloguePagesInChromium opens the demo catalogue in headless Chromium:
// every image loads, a badge page shows its levels and criteria, and the
// language switch leads to the English page.
func TestCataloguePagesInChromium(t *testing.T) {
	ctx := browser(t)
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
