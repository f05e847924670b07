package claim

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/francebadge/blason/internal/browsertest"
)

// browserRichPassport continues TestBrowserClaimFlow (a passport with one
// badge): in the passport form an http:// link is refused with its error
// next to the field (a 422 answer), then a headline and an https:// link are saved; the
// layout form puts the badge in a group; the pages stay axe-clean at 1280
// and 390 px; the rebuilt passport page shows the headline, the link and
// the group.
func browserRichPassport(t *testing.T, ctx context.Context, w *world, rec *browsertest.Recorder, step func(string, ...chromedp.Action[chromedp.Void]), audit func(string)) {
	t.Helper()
	step("back to my badges",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(w.url+"me?lang=fr"),
		chromedp.WaitVisible(chromedp.CSS(`form.passport-form`)),
	)
	step("an http:// link",
		chromedp.SetValue(chromedp.CSS(`#headline`), "Étudiante en L3, cherche une alternance"),
		chromedp.SetValue(chromedp.CSS(`#link-label-1`), "Portfolio"),
		chromedp.SetValue(chromedp.CSS(`#link-url-1`), "http://portfolio.example.org/c"),
		browsertest.Submit(chromedp.Click(chromedp.CSS(`form.passport-form button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`.form-errors`)),
	)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".form-errors a").getAttribute("href") + " " + document.getElementById("link-url-1").getAttribute("aria-invalid") + " " + document.getElementById("headline").value`))
	if err != nil || got != "#link-url-1 true Étudiante en L3, cherche une alternance" {
		t.Errorf("refused form: %q, %v", got, err)
	}
	// The refused form comes back as 422, which Chromium logs: that one
	// line is expected, any other is not.
	errs, _ := rec.Take()
	for _, e := range errs {
		if !strings.Contains(e, "422") || !strings.Contains(e, "/me/passport?lang=fr") {
			t.Errorf("console: %s", e)
		}
	}
	audit("me-fr-refused-link")
	step("an https:// link",
		chromedp.SetValue(chromedp.CSS(`#link-url-1`), "https://portfolio.example.org/c"),
		browsertest.Submit(chromedp.Click(chromedp.CSS(`form.passport-form button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	step("a group",
		chromedp.SetValue(chromedp.CSS(`#group-1`), "Engagement"),
		browsertest.Submit(chromedp.Click(chromedp.CSS(`form.passport-layout button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	audit("me-fr-layout")
	step("on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Reload())
	audit("me-fr-layout-390")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); err != nil || n > 0 {
		t.Errorf("my badges scrolls sideways on a phone by %d px (%v)", n, err)
	}
	step("English on a phone", chromedp.Navigate(w.url+"me?lang=en"), chromedp.WaitVisible(chromedp.CSS(`form.passport-layout`)))
	audit("me-en-layout-390")
	step("desktop again", chromedp.EmulateViewport(1280, 900))

	// The rebuild publishes them.
	passportURL := w.siteURL + "passport/camille-chromium/"
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(passportURL)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page := string(b)
			if strings.Contains(page, `<p class="passport-headline">Étudiante en L3, cherche une alternance</p>`) &&
				strings.Contains(page, `<a href="https://portfolio.example.org/c" rel="me nofollow noopener">Portfolio</a>`) &&
				strings.Contains(page, `>Engagement</h2>`) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the passport page does not show the headline, link and group\n%s", w.logText())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
