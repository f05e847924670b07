package sitetest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/francebadge/blason/internal/browsertest"
)

// TestPassportRichPages opens the demo passport that has a headline, links
// and groups (content/_passports/ef-0102.yaml, in English) in headless
// Chromium, in French and English, at 1280 and 390 px: the student's text
// is shown and marked with its language on the French page, links are
// https:// with rel=me, the skills summary lists the framework
// competencies in framework order with the highest level and its rank,
// each badge with levels shows "n / 5", badges come by group; no serious
// or critical axe-core violation, no sideways scrolling on a phone, no
// console error.
func TestPassportRichPages(t *testing.T) {
	t.Parallel()
	d := Shared(t)
	exe := browsertest.Chromium(t)
	axe := browsertest.AxeSource(t)
	ctx := browsertest.Context(t, exe, 2*time.Minute)
	rec := browsertest.Record(ctx)
	eval := func(expr string) string { t.Helper(); return browsertest.Eval[string](t, ctx, expr) }
	for _, c := range []struct {
		lang, path           string
		headlineLang, skills string
		levelText            string
	}{
		{"fr", "passport/ef-0102/", "en", "Synthèse des compétences", "niveau 1 sur 5"},
		{"en", "en/passport/ef-0102/", "", "Skills summary", "level 1 of 5"},
	} {
		for _, width := range []int64{1280, 390} {
			name := c.path + " at " + map[int64]string{1280: "1280", 390: "390"}[width] + " px"
			vp := chromedp.EmulateViewport(1280, 900)
			if width == 390 {
				vp = chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
			}
			if err := chromedp.Do(ctx, vp, chromedp.Navigate(d.URL(c.path))); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got := eval(`document.documentElement.lang`); got != c.lang {
				t.Errorf("%s: page language %q", name, got)
			}
			if got := eval(`(e => e ? e.textContent + "|" + e.lang : "none")(document.querySelector(".passport-headline"))`); got != "Engineering student looking for a 2026 internship in sustainable product design|"+c.headlineLang {
				t.Errorf("%s: headline %q", name, got)
			}
			if got := eval(`Array.from(document.querySelectorAll(".passport-links a")).map(a => a.textContent + " " + a.href + " " + a.rel).join("; ")`); got != "Portfolio https://portfolio.example.org/ef-0102 me nofollow noopener; Projects on GitLab https://gitlab.example.org/ef-0102 me nofollow noopener" {
				t.Errorf("%s: links %q", name, got)
			}
			if got := eval(`document.getElementById("skills-title").textContent`); got != c.skills {
				t.Errorf("%s: skills title %q", name, got)
			}
			codes := eval(`Array.from(document.querySelectorAll(".passport-skills .skill-code")).map(e => e.textContent).join(" ")`)
			if codes != "C1 C2 C5" {
				t.Errorf("%s: skills %q, want C1 C2 C5 (framework order, each once)", name, codes)
			}
			if got := eval(`document.querySelector(".passport-skills .skills li").innerText.replace(/\s+/g, " ")`); !strings.Contains(got, "1 / 5") {
				t.Errorf("%s: first skill %q lacks its level rank", name, got)
			}
			// Groups, each heading followed by its badges.
			groups := eval(`Array.from(document.querySelectorAll("h2.passport-group")).map(h => h.textContent + ":" + h.nextElementSibling.querySelectorAll("li.passport-badge").length).join(" ")`)
			if groups != "Design and innovation:2 Engineering method:1" {
				t.Errorf("%s: groups %q", name, groups)
			}
			progress := eval(`Array.from(document.querySelectorAll(".level-progress")).map(e => e.querySelectorAll(".dot.on").length + "/" + e.querySelectorAll(".dot").length + " " + e.querySelector(".visually-hidden").textContent).join("; ")`)
			if want := strings.Repeat("1/5 "+c.levelText+"; ", 3); progress+"; " != want {
				t.Errorf("%s: level progress %q", name, progress)
			}
			if w := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
				t.Errorf("%s: the page scrolls sideways by %d px", name, w)
			}
			if broken := eval(browsertest.BrokenImages); broken != "" {
				t.Errorf("%s: broken images %s", name, broken)
			}
			vs, err := browsertest.Axe(ctx, axe)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, v := range vs {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s: axe %s (%s): %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
				}
			}
		}
	}
	errs, dialogs := rec.Take()
	for _, p := range append(errs, dialogs...) {
		t.Errorf("console: %s", p)
	}
}
