package sitetest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/people"
)

// TestEUFactsInChromium opens, in French and English, at desktop and
// phone widths, the badge page of a demo badge stating EU micro-credential
// facts, one of its award pages and a passport holding it: the facts are
// visible and readable (ECTS, hours, EQF level, ESCO skills), the badge
// page alone says how to earn it and how many hold it, nothing overflows a
// phone, and axe-core finds no serious or critical problem in them.
func TestEUFactsInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	axe := browsertest.AxeSource(t)
	d := Shared(t)
	b := d.Badge("universite", "competences-numeriques")
	if b.Micro.EQF == 0 || len(b.Micro.Skills) == 0 || b.Micro.Earn == "" {
		t.Fatalf("the demo badge %s states no facts: %+v", b.Slug, b.Micro)
	}
	// Its holders, as a badge page counts them (the demo's k is the default 5).
	who := people.New(b.Space.Awards)
	holders := map[string]bool{}
	for _, a := range b.Space.Awards {
		if _, revoked := b.Space.Revocations[a.ID]; a.Badge == b && !revoked {
			holders[who.Of(a)] = true
		}
	}
	if len(holders) < 5 {
		t.Fatalf("the demo badge has %d holders, the test needs 5 or more", len(holders))
	}
	// The demo's public award pages are of other badges: first aid states
	// its workload, assessment and mode.
	award := findPage(t, d, "universite/awards/*/*/index.html", `href="/universite/badges/secourisme/"`, `class="eu-facts"`)
	passport := findPage(t, d, "passport/*/index.html", "eu-facts-compact")

	type page struct {
		path                 string
		sel                  string
		want, absent         []string
		earn, count, compact bool
	}
	skill := b.Micro.Skills[0].Name
	pages := []page{
		{path: "universite/badges/competences-numeriques/", sel: ".eu-facts",
			want: []string{"3 ECTS", "75 heures", "Niveau 6", "examen écrit", "hybride", skill, "Comment obtenir ce badge", fmt.Sprintf("%d personnes", len(holders))}},
		{path: "en/universite/badges/competences-numeriques/", sel: ".eu-facts",
			want: []string{"3 ECTS", "75 hours", "Level 6", "written exam", "blended", skill, "How to earn this badge", fmt.Sprintf("%d people", len(holders))}},
		{path: award, sel: ".eu-facts", want: []string{"7 heures", "mise en situation pratique", "en présence", "PSC1"}, absent: []string{"Comment obtenir", "personnes"}},
		{path: "en/" + award, sel: ".eu-facts", want: []string{"7 hours", "practical demonstration", "on site", "PSC1"}, absent: []string{"How to earn", "people"}},
		{path: passport, sel: ".eu-facts-compact", want: []string{"heures"}},
		{path: "en/" + passport, sel: ".eu-facts-compact", want: []string{"hours"}},
	}
	ctx := browsertest.Context(t, exe, 4*time.Minute)
	rec := browsertest.Record(ctx)
	for _, p := range pages {
		t.Run(strings.ReplaceAll(strings.Trim(p.path, "/"), "/", "-"), func(t *testing.T) {
			for _, phone := range []bool{false, true} {
				vp := chromedp.EmulateViewport(1280, 900)
				if phone {
					vp = chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
				}
				if err := chromedp.Do(ctx, vp, chromedp.Navigate(d.URL(p.path))); err != nil {
					t.Fatalf("%s: %v", p.path, err)
				}
				js := fmt.Sprintf(`(() => { const s = document.querySelector(%q); if (!s) return "missing";
					const r = s.getBoundingClientRect();
					if (!s.checkVisibility() || r.height < 10) return "hidden";
					if (s.scrollWidth > s.clientWidth + 1 || r.right > document.documentElement.clientWidth + 1) return "overflows";
					return s.innerText; })()`, p.sel)
				text := browsertest.Eval[string](t, ctx, js)
				if text == "missing" || text == "hidden" || text == "overflows" {
					t.Fatalf("%s (phone %v): the facts are %s", p.path, phone, text)
				}
				for _, w := range p.want {
					if !strings.Contains(text, w) {
						t.Errorf("%s (phone %v): the facts do not read %q:\n%s", p.path, phone, w, text)
					}
				}
				for _, a := range p.absent {
					if strings.Contains(text, a) {
						t.Errorf("%s: the facts read %q, which only a badge page says:\n%s", p.path, a, text)
					}
				}
				if strings.HasPrefix(p.path, "en/") && strings.Contains(p.path, "/badges/") {
					// French text on an English page is marked as such.
					if n := browsertest.Eval[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, p.sel+` a[href^="http://data.europa.eu/esco/"][lang="fr"]`)); n == 0 {
						t.Errorf("%s: the ESCO skills' French names have no lang=\"fr\"", p.path)
					}
				}
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+"\n;true")); err != nil {
					t.Fatal(err)
				}
				run := fmt.Sprintf(`axe.run({include: [[%q]]}, {resultTypes: ["violations"]}).then(r => r.violations
					.filter(v => v.impact === "serious" || v.impact === "critical")
					.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")))`, p.sel)
				vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](run, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatal(err)
				}
				if len(vs) > 0 {
					t.Errorf("%s (phone %v): axe-core: %s", p.path, phone, strings.Join(vs, "; "))
				}
			}
			if errs, _ := rec.Take(); len(errs) > 0 {
				t.Errorf("%s: console errors: %s", p.path, strings.Join(errs, "; "))
			}
		})
	}
}

// findPage returns the folder (site path ending with "/") of the first
// page, in name order, matching glob whose HTML holds every marker.
func findPage(t *testing.T, d *Demo, glob string, markers ...string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(d.Dest, filepath.FromSlash(glob)))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(markers, func(m string) bool { return !strings.Contains(string(b), m) }) {
			rel, _ := filepath.Rel(d.Dest, filepath.Dir(f))
			return filepath.ToSlash(rel) + "/"
		}
	}
	t.Fatalf("no page %s holds %q", glob, markers)
	return ""
}
