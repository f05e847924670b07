package build

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
)

// TestDashboardPagesInChromium opens the national, network and a space
// dashboard of the demo in French and English, at desktop and phone
// widths: no axe-core violation, every chart has its accessible name and a
// data table beside it, nothing wider than a phone, no console error.
func TestDashboardPagesInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	axe := browsertest.AxeSource(t)
	d := sharedDemo(t)
	ctx := browsertest.Context(t, exe, 5*time.Minute)
	rec := browsertest.Record(ctx)
	out := browsertest.Artefacts(t)
	pages := []string{"dashboards/", "dashboards/networks/reseau/", "dashboards/spaces/ecole-ingenieurs/", "en/dashboards/", "en/dashboards/spaces/universite/"}
	for _, p := range pages {
		name := strings.ReplaceAll(strings.Trim(p, "/"), "/", "-")
		t.Run(name, func(t *testing.T) {
			for _, phone := range []bool{false, true} {
				vp := chromedp.EmulateViewport(1280, 900)
				if phone {
					vp = chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
				}
				if err := chromedp.Do(ctx, vp, chromedp.Navigate(d.base+p)); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settle, chromedp.EvalAwaitPromise)); err != nil {
					t.Fatal(err)
				}
				suffix := ""
				if phone {
					suffix = "-phone"
				}
				shot(t, ctx, filepath.Join(out, "dashboard-"+name+suffix+".png"))
				vs, err := browsertest.Axe(ctx, axe)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range vs {
					t.Errorf("%s%s: axe %s (%s): %s\n\t%s", p, suffix, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
				}
				// Every chart is named by its title and described, with a table beside it.
				bad := browsertest.Eval[string](t, ctx, `Array.from(document.querySelectorAll("svg.dash-chart")).filter(s => {
					const ids = (s.getAttribute("aria-labelledby") || "").split(" ");
					const named = s.getAttribute("role") === "img" && ids.length === 2 && ids.every(id => { const e = document.getElementById(id); return e && s.contains(e) && e.textContent.trim() !== ""; });
					return !named || !s.parentElement.querySelector("table");
				}).map(s => s.closest("section").id).join()`)
				if bad != "" {
					t.Errorf("%s: charts without a name, description or table: %s", p, bad)
				}
				if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("svg.dash-chart").length`); n < 2 {
					t.Errorf("%s: %d charts", p, n)
				}
				if phone {
					wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
					if err != nil || wide {
						t.Errorf("%s: wider than a 390 px phone screen (%v)", p, err)
					}
				}
				if errs, dialogs := rec.Take(); len(errs)+len(dialogs) > 0 {
					t.Errorf("%s: console errors %q, dialogs %q", p, errs, dialogs)
				}
			}
		})
	}
}
