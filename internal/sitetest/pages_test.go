package sitetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
	qrcode "github.com/skip2/go-qrcode"
)

// pgType is one kind of page checked in Chromium in every language.
type pgType struct {
	name string
	// path is the page's path from the site root in lang; false when the
	// demo has no such page.
	path func(d *Demo, lang string) (string, bool)
}

// pgFirst is the first page (in name order) matching a glob of site
// folders under the default language's root, as a path in lang.
func pgFirst(d *Demo, lang, glob string, keep func(html string) bool) (string, bool) {
	pages, _ := filepath.Glob(filepath.Join(d.Dest, filepath.FromSlash(glob), "index.html"))
	sort.Strings(pages)
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil || (keep != nil && !keep(string(b))) {
			continue
		}
		rel, _ := filepath.Rel(d.Dest, filepath.Dir(p))
		return d.Layout.Home(lang) + filepath.ToSlash(rel) + "/", true
	}
	return "", false
}

func pgExists(d *Demo, lang, dir string) (string, bool) {
	if _, err := os.Stat(filepath.Join(d.Dest, filepath.FromSlash(dir), "index.html")); err != nil {
		return "", false
	}
	return d.Layout.Home(lang) + dir, true
}

// pgTypes lists every page type of the site. Extend it when a page type
// is added.
var pgTypes = []pgType{
	{"home", func(d *Demo, lang string) (string, bool) { return d.Layout.Home(lang), true }},
	{"space", func(d *Demo, lang string) (string, bool) {
		return d.Layout.SpacePage(d.Space("ecole-ingenieurs"), lang), true // theme colours, logo
	}},
	{"space-plain", func(d *Demo, lang string) (string, bool) {
		return d.Layout.SpacePage(d.Space("association"), lang), true
	}},
	{"badge", func(d *Demo, lang string) (string, bool) {
		return d.Layout.BadgePage(d.Badge("ecole-ingenieurs", "innovation"), lang), true // levels, grid
	}},
	{"badge-free", func(d *Demo, lang string) (string, bool) {
		return d.Layout.BadgePage(d.Badge("universite", "certification-langues"), lang), true // progression: free
	}},
	{"badge-simple", func(d *Demo, lang string) (string, bool) {
		return d.Layout.BadgePage(d.Badge("universite", "secourisme"), lang), true
	}},
	{"framework", func(d *Demo, lang string) (string, bool) { return pgExists(d, lang, "frameworks/ecole-ingenieurs/") }},
	{"template", func(d *Demo, lang string) (string, bool) { return pgFirst(d, lang, "templates/*", nil) }},
	{"dashboard", func(d *Demo, lang string) (string, bool) {
		return pgExists(d, lang, "dashboards/spaces/ecole-ingenieurs/")
	}},
	{"dashboard-national", func(d *Demo, lang string) (string, bool) { return pgExists(d, lang, "dashboards/") }},
	{"award", func(d *Demo, lang string) (string, bool) {
		return pgFirst(d, lang, "ecole-ingenieurs/awards/*/*", func(h string) bool { return strings.Contains(h, "/levels/") })
	}},
	{"award-simple", func(d *Demo, lang string) (string, bool) { return pgFirst(d, lang, "universite/awards/*/*", nil) }},
	{"passport", func(d *Demo, lang string) (string, bool) {
		return pgExists(d, lang, "passport/etudiante-fictive-1008/")
	}},
	{"verify", func(d *Demo, lang string) (string, bool) { return pgExists(d, lang, "verify/") }},
}

// pgSettle waits until the page has loaded and its scripts had a moment to
// run (the search index is fetched after load).
const pgSettle = `new Promise(ok => { const done = () => setTimeout(() => ok(true), 150); document.readyState === "complete" ? done() : addEventListener("load", done); })`

func pgOpen(t *testing.T, ctx context.Context, u string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](pgSettle, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
}

func pgEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return browsertest.Eval[T](t, ctx, expr)
}

// pgViewports are the screens every page type is checked on.
var pgViewports = []struct {
	name string
	act  chromedp.Action[chromedp.Void]
}{
	{"desktop", chromedp.EmulateViewport(1280, 900)},
	{"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)},
}

// pgChecks are what every page must satisfy, on every screen, as a
// script returning a list of problems.
const pgChecks = `(() => {
	const out = [];
	const canon = Array.from(document.querySelectorAll('link[rel~="canonical"]')).map(l => l.href);
	if (canon.length !== 1) out.push(canon.length + " canonical links: " + canon.join(" "));
	else if (canon[0] !== location.href.split("#")[0].split("?")[0]) out.push("canonical " + canon[0] + " is not the page itself");
	for (const w of document.querySelectorAll(".grid-wrap"))
		if (w.getAttribute("tabindex") !== "0" || w.getAttribute("role") !== "region" || !w.getAttribute("aria-label"))
			out.push("a competency grid is not a labelled region reachable by keyboard");
	const text = document.body.innerText;
	const one = text.match(/(^|[^0-9])1 (badges|levels|niveaux)\b/);
	if (one) out.push("singular count written in the plural: " + JSON.stringify(one[0]));
	if (/r[ée]seau r[ée]seau/i.test(text)) out.push("the word réseau repeated");
	if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push("wider than the screen");
	return out;
})()`

// TestEveryPageTypeInChromium opens every page type of the demo in French
// and English, on a desktop (1280 px) and a phone (390 px) screen: no
// serious or critical axe-core violation, exactly one canonical link (the
// page itself), competency grids reachable by keyboard, counts in the
// singular for one, no page wider than the screen, no console error.
func TestEveryPageTypeInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	axe := browsertest.AxeSource(t)
	d := Shared(t)
	ctx := browsertest.Context(t, exe, 10*time.Minute)
	rec := browsertest.Record(ctx)
	out := browsertest.Artefacts(t)
	seen := 0
	for _, pt := range pgTypes {
		for _, lang := range d.Site.Languages {
			p, ok := pt.path(d, lang)
			if !ok {
				if pt.name != "verify" {
					t.Errorf("the demo has no %s page", pt.name)
				}
				continue
			}
			seen++
			for _, vp := range pgViewports {
				t.Run(pt.name+"-"+lang+"-"+vp.name, func(t *testing.T) {
					if err := chromedp.Do(ctx, vp.act); err != nil {
						t.Fatal(err)
					}
					pgOpen(t, ctx, d.URL(p))
					pgShot(t, ctx, filepath.Join(out, pt.name+"-"+lang+"-"+vp.name+".png"))
					if got := pgEval[string](t, ctx, `document.documentElement.lang`); got != lang {
						t.Errorf("%s: <html lang=%q>, want %q", p, got, lang)
					}
					for _, problem := range pgEval[[]string](t, ctx, pgChecks) {
						t.Errorf("%s: %s", p, problem)
					}
					vs, err := browsertest.Axe(ctx, axe)
					if err != nil {
						t.Fatal(err)
					}
					for _, v := range vs {
						if v.Impact == "serious" || v.Impact == "critical" {
							t.Errorf("%s: axe %s (%s): %s\n\t%s", p, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
						}
					}
					if errs, dialogs := rec.Take(); len(errs)+len(dialogs) > 0 {
						t.Errorf("%s: console errors %q, dialogs %q", p, errs, dialogs)
					}
				})
			}
		}
	}
	if seen < 2*(len(pgTypes)-1) {
		t.Errorf("%d pages checked", seen)
	}
}

func pgShot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestForeignTextMarkedInChromium: on pages in a language other than the
// default, content left in the default language (tags, never translated;
// alignments to external frameworks) carries that language's lang
// attribute, so that screen readers pronounce it right.
func TestForeignTextMarkedInChromium(t *testing.T) {
	d := Shared(t)
	ctx := browsertest.Context(t, browsertest.Chromium(t), 2*time.Minute)
	def := d.Site.Languages[0]
	for _, lang := range d.Site.Languages[1:] {
		for _, b := range []struct{ space, slug string }{{"universite", "secourisme"}, {"universite", "certification-langues"}} {
			badge := d.Badge(b.space, b.slug)
			pgOpen(t, ctx, d.URL(d.Layout.BadgePage(badge, lang)))
			for _, tag := range badge.Tags {
				got := pgEval[string](t, ctx, fmt.Sprintf(`(() => { const li = Array.from(document.querySelectorAll(".tags li")).find(li => li.textContent === %q); return li ? li.closest("[lang]").lang : "missing"; })()`, tag))
				if got != def {
					t.Errorf("%s page of %s: tag %q is in lang %q, want %q", lang, b.slug, tag, got, def)
				}
			}
			for _, a := range badge.Alignments {
				if a.Competency != nil {
					continue
				}
				got := pgEval[string](t, ctx, fmt.Sprintf(`(() => { const a = Array.from(document.querySelectorAll("a[rel=external]")).find(a => a.textContent === %q); return a ? a.closest("[lang]").lang : "missing"; })()`, a.TargetName))
				if got != def {
					t.Errorf("%s page of %s: alignment %q is in lang %q, want %q", lang, b.slug, a.TargetName, got, def)
				}
			}
			// The page's own texts are in its language.
			if got := pgEval[string](t, ctx, `document.querySelector("h1").closest("[lang]").lang`); got != lang {
				t.Errorf("%s page of %s: the translated title is in lang %q", lang, b.slug, got)
			}
		}
	}
	// In the default language nothing is marked as foreign but the
	// language switch.
	pgOpen(t, ctx, d.URL(d.Layout.BadgePage(d.Badge("universite", "secourisme"), def)))
	if n := pgEval[int](t, ctx, `document.querySelectorAll("main [lang]").length`); n != 0 {
		t.Errorf("%d elements of the %s badge page are marked with another language", n, def)
	}
}

// TestSearchPerLanguageInChromium: each language's search matches its own texts only
// (the English index has no French tags), a search reloaded with ?q= (as
// Enter does) is applied on load.
func TestSearchPerLanguageInChromium(t *testing.T) {
	d := Shared(t)
	ctx := browsertest.Context(t, browsertest.Chromium(t), 2*time.Minute)
	rec := browsertest.Record(ctx)
	waitIndex := func() {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.querySelector("form.search").hidden || null`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("the search form stays hidden: the index did not load (%v)", err)
		}
	}
	shown := func() string {
		t.Helper()
		return pgEval[string](t, ctx, `Array.from(document.querySelectorAll(".badge-list li")).filter(li => !li.hidden && li.offsetParent !== null).map(li => li.dataset.url).join(" ")`)
	}
	search := func(q string) string {
		t.Helper()
		pgEval[bool](t, ctx, `(() => { const q = document.getElementById("q"); q.value = `+fmt.Sprintf("%q", q)+`; q.dispatchEvent(new Event("input")); return true; })()`)
		return shown()
	}
	secours := "/" + strings.TrimPrefix(d.Layout.BadgePage(d.Badge("universite", "secourisme"), "en"), "/")
	for _, c := range []struct {
		lang, q, want string
	}{
		{"fr", "premiers secours", d.Layout.BadgePage(d.Badge("universite", "secourisme"), "fr")},
		{"en", "first aid", d.Layout.BadgePage(d.Badge("universite", "secourisme"), "en")},
		{"en", "premiers secours", ""}, // French tags of the badge
		{"en", "citoyenneté", ""},
	} {
		pgOpen(t, ctx, d.URL(d.Layout.Home(c.lang)))
		waitIndex()
		want := ""
		if c.want != "" {
			want = "/" + c.want
		}
		if got := search(c.q); got != want {
			t.Errorf("%s search %q shows %q, want %q", c.lang, c.q, got, want)
		}
	}
	// Enter submits the form: the page reloads with ?q=, and the search is applied.
	pgOpen(t, ctx, d.URL(d.Layout.Home("en")))
	waitIndex()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "first aid\r")); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ { // the page reloads: evaluations fail meanwhile
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && location.search.includes("q=")`)); err == nil && ok {
			break
		}
		if i == 100 {
			t.Fatalf("Enter did not reload with ?q=: %s", pgEval[string](t, ctx, `location.href`))
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitIndex()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](pgSettle, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	if got, q := shown(), pgEval[string](t, ctx, `document.getElementById("q").value`); got != secours || q != "first aid" {
		t.Errorf("after Enter (%s): the field holds %q and the list shows %q, want %q", pgEval[string](t, ctx, `location.href`), q, got, secours)
	}
	if status := pgEval[string](t, ctx, `document.getElementById("search-status").textContent`); status == "" {
		t.Error("after Enter: no search status")
	}
	if errs, dialogs := rec.Take(); len(errs)+len(dialogs) > 0 {
		t.Errorf("console errors %q, dialogs %q", errs, dialogs)
	}
}

var pgLevelRE = regexp.MustCompile(`data-level="(\d+)"[^>]*fill-opacity="([^"]*)"`)

// TestContentBugsInChromium covers content that read wrong: a free
// progression said levels are earned in order, competencies listed by slug
// (C1, C3, C2…), the award page of a Novice showed three level marks, award
// pages ignored the space's colours, the French passport showed and
// encoded the English address, the printed passport showed « Vérifier »,
// and a phone opened a passport on its QR code.
func TestContentBugsInChromium(t *testing.T) {
	d := Shared(t)
	ctx := browsertest.Context(t, browsertest.Chromium(t), 3*time.Minute)
	rec := browsertest.Record(ctx)

	t.Run("progression", func(t *testing.T) {
		for _, c := range []struct {
			slug, lang, want, not string
		}{
			{"certification-langues", "fr", "indépendamment", "dans l'ordre"},
			{"certification-langues", "en", "on its own", "in order"},
		} {
			pgOpen(t, ctx, d.URL(d.Layout.BadgePage(d.Badge("universite", c.slug), c.lang)))
			text := pgEval[string](t, ctx, `document.querySelector("main").innerText`)
			if !strings.Contains(text, c.want) || strings.Contains(text, c.not) {
				t.Errorf("%s %s: the free progression reads %q", c.lang, c.slug, pgEval[string](t, ctx, `(document.querySelector(".progression") || {}).textContent`))
			}
		}
		pgOpen(t, ctx, d.URL(d.Layout.BadgePage(d.Badge("ecole-ingenieurs", "innovation"), "en")))
		if text := pgEval[string](t, ctx, `document.querySelector("main").innerText`); !strings.Contains(text, "in order") {
			t.Error("an ordered badge no longer says its levels are earned in order")
		}
	})

	t.Run("framework-order", func(t *testing.T) {
		codes := map[string]string{} // badge page path → competency code
		for _, b := range d.Space("ecole-ingenieurs").Badges {
			if b.Competency != nil {
				for _, lang := range d.Site.Languages {
					codes["/"+d.Layout.BadgePage(b, lang)] = b.Competency.Code
				}
			}
		}
		for _, lang := range d.Site.Languages {
			for _, page := range []string{d.Layout.SpacePage(d.Space("ecole-ingenieurs"), lang), d.Layout.Home(lang)} {
				pgOpen(t, ctx, d.URL(page))
				var got []string
				for _, href := range pgEval[[]string](t, ctx, `Array.from(document.querySelectorAll("main a")).map(a => a.getAttribute("href"))`) {
					if c, ok := codes[href]; ok && (len(got) == 0 || got[len(got)-1] != c) {
						got = append(got, c)
					}
				}
				if s := strings.Join(got, " "); s != "C1 C2 C3 C4 C5" {
					t.Errorf("%s lists the competencies' badges as %s", page, s)
				}
			}
		}
	})

	t.Run("framework-toc", func(t *testing.T) {
		if err := chromedp.Do(ctx, pgViewports[1].act); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Do(ctx, pgViewports[0].act)
		for _, lang := range d.Site.Languages {
			pgOpen(t, ctx, d.URL(d.Layout.Home(lang)+"frameworks/ecole-ingenieurs/"))
			toc := pgEval[[]string](t, ctx, `Array.from(document.querySelectorAll("nav.toc a")).map(a => a.getAttribute("href"))`)
			ids := pgEval[[]string](t, ctx, `Array.from(document.querySelectorAll("section.competency")).map(s => "#" + s.id)`)
			if len(ids) < 5 || strings.Join(toc, " ") != strings.Join(ids, " ") {
				t.Errorf("%s framework page: table of contents %v, competencies %v", lang, toc, ids)
			}
			// On a phone nothing of a grid is clipped.
			if clipped := pgEval[int](t, ctx, `Array.from(document.querySelectorAll(".grid-wrap")).filter(w => w.scrollWidth > w.clientWidth + 1).length`); clipped != 0 {
				t.Errorf("%s framework page: %d grids clipped on a phone", lang, clipped)
			}
		}
	})

	t.Run("level-image", func(t *testing.T) {
		for _, lang := range d.Site.Languages {
			p, ok := pgFirst(d, lang, "ecole-ingenieurs/awards/*/*", func(h string) bool { return strings.Contains(h, "/levels/novice.svg") })
			if !ok {
				t.Fatal("no award page shows a Novice level image")
			}
			pgOpen(t, ctx, d.URL(p))
			svg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("article.award img").src).then(r => r.text())`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			full, marks := 0, 0
			for _, m := range pgLevelRE.FindAllStringSubmatch(svg, -1) {
				marks++
				if m[2] == "1" {
					full++
				}
			}
			if marks != 5 || full != 1 {
				t.Errorf("%s: a Novice award's image shows %d of %d level marks, want 1 of 5", p, full, marks)
			}
		}
	})

	t.Run("award-colours", func(t *testing.T) {
		sp := d.Space("ecole-ingenieurs")
		pgOpen(t, ctx, d.URL(d.Layout.SpacePage(sp, "fr")))
		want := pgEval[string](t, ctx, `getComputedStyle(document.documentElement).getPropertyValue("--brand-accent")`)
		p, _ := pgFirst(d, "fr", "ecole-ingenieurs/awards/*/*", nil)
		pgOpen(t, ctx, d.URL(p))
		got := pgEval[string](t, ctx, `getComputedStyle(document.documentElement).getPropertyValue("--brand-accent") + " " + document.body.className`)
		if want == "" || got != want+" branded" {
			t.Errorf("award page colours %q, want the space's %q", got, want)
		}
	})

	t.Run("passport", func(t *testing.T) {
		for _, lang := range d.Site.Languages {
			own := d.URL(d.Layout.Home(lang) + "passport/etudiante-fictive-1008/")
			other := d.URL(d.Layout.Home(pgOtherLang(d, lang)) + "passport/etudiante-fictive-1008/")
			pgOpen(t, ctx, own)
			if got := pgEval[string](t, ctx, `document.querySelector(".passport-head .url").textContent`); got != own {
				t.Errorf("%s passport prints %q, want its own address %q", lang, got, own)
			}
			qr := pgEval[string](t, ctx, `document.querySelector(".qr-code svg path").getAttribute("d")`)
			if want, wrong := pgQRPath(t, own), pgQRPath(t, other); qr != want || qr == wrong {
				t.Errorf("%s passport: the QR code does not encode %s", lang, own)
			}
			// Printed: no button or link to click.
			text := pgPrintedText(t, ctx)
			for _, w := range []string{"Vérifier", "Verify"} {
				if strings.Contains(text, w) {
					t.Errorf("%s passport printed shows %q:\n%s", lang, w, text)
				}
			}
		}
		// A phone opens the passport on the holder's badges, not on a QR code.
		if err := chromedp.Do(ctx, pgViewports[1].act); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Do(ctx, pgViewports[0].act)
		pgOpen(t, ctx, d.URL("passport/etudiante-fictive-1008/"))
		if top := pgEval[float64](t, ctx, `document.querySelector(".passport-badge").getBoundingClientRect().top`); top > 844 {
			t.Errorf("on a phone the first badge starts %v px down, below the screen", top)
		}
		if shown := pgEval[bool](t, ctx, `(() => { const q = document.querySelector(".qr-code"); return !!q && q.getBoundingClientRect().height > 0; })()`); shown {
			t.Error("on a phone the passport shows its QR code")
		}
	})
	if errs, dialogs := rec.Take(); len(errs)+len(dialogs) > 0 {
		t.Errorf("console errors %q, dialogs %q", errs, dialogs)
	}
}

func pgOtherLang(d *Demo, lang string) string {
	for _, l := range d.Site.Languages {
		if l != lang {
			return l
		}
	}
	return lang
}

// qrPath is the path of dark modules the pages draw for a QR code of text
// (see render's qrSVG), to compare with a page's.
func pgQRPath(t *testing.T, text string) string {
	t.Helper()
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for y, row := range q.Bitmap() {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	return b.String()
}

// printedText is the text of the open page as printed.
func pgPrintedText(t *testing.T, ctx context.Context) string {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	return pgEval[string](t, ctx, `document.body.innerText`)
}
