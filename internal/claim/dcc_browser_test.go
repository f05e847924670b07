package claim

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/francebadge/blason/internal/browsertest"
)

// TestBrowserDCCPage opens the wallet page of a badge in headless Chromium,
// from the link on "my badges": its QR code shows (the page's CSP lets the
// data: image through), the deep link is there, and axe-core finds no
// serious or critical violation, in French and in English.
func TestBrowserDCCPage(t *testing.T) {
	exe := browsertest.Chromium(t)
	w := setup(t)
	ctx := browsertest.Context(t, exe, 2*time.Minute)
	rec := browsertest.Record(ctx)
	axe := browsertest.AxeSource(t)
	audit := pageAudit(t, ctx, rec, axe, "", w.a.URL)
	link := `a[href*="` + url.QueryEscape(w.a.EntityID) + `&" i]`
	if err := chromedp.Do(ctx,
		chromedp.Navigate(w.url+"?lang=fr"),
		chromedp.WaitVisible(chromedp.CSS(link)),
		chromedp.Click(chromedp.CSS(link)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "etudiant1"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "etudiant1pw"),
		chromedp.Click(chromedp.CSS(`#submit_button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.passport-form`)),
		chromedp.Click(chromedp.CSS(`li.award a[href*="/dcc?"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main img`)),
	); err != nil {
		t.Fatalf("open the wallet page in Chromium: %v\nIdP log:\n%s", err, w.a.Log())
	}
	for _, l := range []string{"fr", "en"} {
		if l == "en" {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header.site nav a[hreflang=en]`)),
				chromedp.WaitVisible(chromedp.CSS(`html[lang=en] main img`))); err != nil {
				t.Fatal(err)
			}
		}
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("main img").naturalWidth`))
		if err != nil || width == 0 {
			t.Errorf("%s: the QR code does not show (%v)", l, err)
		}
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main a[href^="dccrequest:"]')?.href ?? ""`))
		if err != nil || !strings.HasPrefix(href, "dccrequest://request?request=") {
			t.Errorf("%s: deep link %q (%v)", l, href, err)
		}
		audit(l)
	}
}
