package build

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/model"
)

// TestCataloguePagesInChromium opens the demo catalogue in headless Chromium:
// every image loads, a badge page shows its levels and criteria, and the
// language switch leads to the English page.
func TestCataloguePagesInChromium(t *testing.T) {
	ctx := browsertest.Context(t, browsertest.Chromium(t), 60*time.Second)
	base := sharedDemo(t).base

	eval := func(expr string) any { t.Helper(); return browsertest.Eval[any](t, ctx, expr) }
	navigate := func(u string) { t.Helper(); browsertest.Navigate(t, ctx, u) }
	for _, page := range []string{"", "ecole-ingenieurs/", "universite/", "en/association/"} {
		navigate(base + page)
		if broken := eval(browsertest.BrokenImages); broken != "" {
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

func demoSpace(d *demo, slug string) *model.Space {
	for _, sp := range d.site.Spaces {
		if sp.Slug == slug {
			return sp
		}
	}
	panic("no demo space " + slug)
}

func demoBadge(d *demo, space, slug string) *model.Badge {
	for _, b := range demoSpace(d, space).Badges {
		if b.Slug == slug {
			return b
		}
	}
	panic("no demo badge " + space + "/" + slug)
}

// settle waits until the page has loaded and its scripts had a moment to
// run (the search index is fetched after load).
const settle = `new Promise(ok => { const done = () => setTimeout(() => ok(true), 150); document.readyState === "complete" ? done() : addEventListener("load", done); })`

func shot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSearchAndCopyInChromium: the home page's search filters the lists of
// badges (accents and case ignored, tags and level names searched), and a
// badge page's copy button copies the Moodle snippet.
func TestSearchAndCopyInChromium(t *testing.T) {
	ctx := browsertest.Context(t, browsertest.Chromium(t), time.Minute)
	d := sharedDemo(t)
	rec := browsertest.Record(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(d.base)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settle, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	// The form shows once search.json has loaded, which may take a while on a busy machine.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.querySelector("form.search").hidden || null`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the search form stays hidden: the index did not load (%v)", err)
	}
	search := func(q string) (shown []string, status string) {
		t.Helper()
		expr := `(() => { const q = document.getElementById("q"); q.value = ` + jsString(q) + `; q.dispatchEvent(new Event("input"));
			return [Array.from(document.querySelectorAll(".badge-list li")).filter(li => li.offsetParent !== null).map(li => li.dataset.url).join(" "),
				document.getElementById("search-status").textContent]; })()`
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
		if err != nil || len(v) != 2 {
			t.Fatalf("search %q: %v %v", q, v, err)
		}
		return strings.Fields(v[0]), v[1]
	}
	for _, c := range []struct {
		q, want, status string
	}{
		{"SECOUR", "/universite/badges/secourisme/", "1 badge correspond."},
		{"competences numeriques", "/universite/badges/competences-numeriques/", "1 badge correspond."},
		{"cecrl", "/universite/badges/certification-langues/", "1 badge correspond."},
		{"zzzz", "", "Aucun badge ne correspond."},
	} {
		shown, status := search(c.q)
		if strings.Join(shown, " ") != c.want || status != c.status {
			t.Errorf("search %q shows %v (%q), want %q (%q)", c.q, shown, status, c.want, c.status)
		}
	}
	if sections, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section.catalogue:not([hidden])").length`)); sections != 0 {
		t.Errorf("%d space sections shown for no match", sections)
	}
	all := 0
	for _, sp := range d.site.Spaces {
		all += len(sp.Badges)
	}
	if shown, _ := search(""); len(shown) != all {
		t.Errorf("an empty search shows %d badges, want all %d", len(shown), all)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(d.base+"universite/badges/secourisme/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settle, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button.copy"), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise(ok => setTimeout(() => ok(document.querySelector(".embed [role=status]").textContent), 300))`, chromedp.EvalAwaitPromise))
	if err != nil || status != "Copié." {
		t.Errorf("copy button: status %q, %v", status, err)
	}
	if errs, dialogs := rec.Take(); len(errs)+len(dialogs) > 0 {
		t.Errorf("console errors %q, dialogs %q", errs, dialogs)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestNoEmptyURLsInPages: every page of the demo links its stylesheet,
// scripts and images by a real URL (an empty src or href loads the page
// itself, or nothing).
func TestNoEmptyURLsInPages(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	n := 0
	err := filepath.WalkDir(d.dest, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, bad := range []string{`src=""`, `href=""`} {
			if bytes.Contains(b, []byte(bad)) {
				rel, _ := filepath.Rel(d.dest, p)
				t.Errorf("%s has %s", rel, bad)
			}
		}
		if !bytes.Contains(b, []byte(`assets/style.css"`)) {
			rel, _ := filepath.Rel(d.dest, p)
			t.Errorf("%s does not link the stylesheet", rel)
		}
		return nil
	})
	if err != nil || n < 50 {
		t.Fatalf("%d pages checked: %v", n, err)
	}
}
