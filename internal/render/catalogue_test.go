package render

import (
	"bytes"
	"encoding/json"
	"image"
	pngenc "image/png"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/francebadge/blason/internal/model"
)

func TestBrandColours(t *testing.T) {
	for _, c := range []struct {
		primary, accent           string
		onPrimary, link, onAccent string
		none                      bool
	}{
		{primary: "#5c1f4a", accent: "#f0b323", onPrimary: "#ffffff", link: "#5c1f4a", onAccent: "#000000"},
		{primary: "#FFCC00", accent: "#000", onPrimary: "#000000", link: "", onAccent: "#ffffff"}, // yellow: no link colour
		{primary: "#767676", accent: "", onPrimary: "#000000", link: "", onAccent: "#000000"},     // 4.54:1 on white, less on the tint
		{primary: "", accent: "#003", onPrimary: "#ffffff", link: "#003", onAccent: "#ffffff"},    // accent alone colours both
		{primary: "red", accent: "#12", none: true},                                               // not hex: ignored
		{primary: "#fff;}body{x", none: true},
	} {
		b := brand(model.SpaceTheme{Primary: c.primary, Accent: c.accent})
		if c.none {
			if b != nil {
				t.Errorf("%q/%q: got colours %+v, want none", c.primary, c.accent, b)
			}
			continue
		}
		if b == nil || string(b.OnPrimary) != c.onPrimary || string(b.Link) != c.link || string(b.OnAccent) != c.onAccent {
			t.Errorf("%q/%q: got %+v", c.primary, c.accent, b)
		}
	}
}

func TestSnippetEscapesAttributes(t *testing.T) {
	dir, site := loadSite(t, hostileFiles())
	v := (&Renderer{layout: testLayout(site)}).view(site, "fr")
	got := v.snippet(site.Spaces[0].Badges[0], `a "b" <c> & d'e`)
	want := `<a href="https://badges.example.fr/ecole/badges/hostile/"><img src="https://badges.example.fr/ecole/badges/hostile/image.svg" alt="a &quot;b&quot; &lt;c&gt; &amp; d'e — ` +
		`École &lt;script&gt;alert(&quot;space&quot;)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(&quot;space2&quot;)&gt;" width="80" height="80"></a>`
	if got != want {
		t.Errorf("snippet\n got %s\nwant %s", got, want)
	}
	_ = dir
}

// TestHomeListsEveryBadgeWithoutScript: the home page lists every badge
// class as plain links (the search only filters them), the search form is
// hidden until the script has the index, and the index has the same pages.
func TestHomeListsEveryBadgeWithoutScript(t *testing.T) {
	dir, site := loadSite(t, twoSpaces())
	out := renderSite(t, dir, site)
	for _, lang := range []string{"", "en/"} {
		home := parse(t, string(out[lang+"index.html"]))
		var links []string
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "li" && attr(n, "data-url") != "" {
				if a := find(n, func(m *html.Node) bool { return m.Data == "a" }); a != nil && attr(a, "href") == attr(n, "data-url") {
					links = append(links, attr(a, "href"))
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(home)
		want := []string{"/" + lang + "alpha/badges/tut/", "/" + lang + "beta/badges/tut/"}
		if strings.Join(links, " ") != strings.Join(want, " ") {
			t.Errorf("%shome lists %v, want %v", lang, links, want)
		}
		form := find(home, func(n *html.Node) bool { return n.Data == "form" })
		if form == nil || !hasAttr(form, "hidden") || attr(form, "data-index") != "/"+lang+"search.json" {
			t.Errorf("%shome: search form missing, shown without script, or not pointing at its index", lang)
		}
		var idx struct {
			Language string        `json:"language"`
			Badges   []searchEntry `json:"badges"`
		}
		if err := json.Unmarshal(out[lang+"search.json"], &idx); err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, e := range idx.Badges {
			urls = append(urls, e.URL)
			if len(e.Levels) != 2 || e.Tags == nil {
				t.Errorf("%ssearch.json: %s has levels %v, tags %v", lang, e.URL, e.Levels, e.Tags)
			}
		}
		if strings.Join(urls, " ") != strings.Join(want, " ") {
			t.Errorf("%ssearch.json lists %v, want %v", lang, urls, want)
		}
	}
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func TestImageSize(t *testing.T) {
	dir := t.TempDir()
	var png bytes.Buffer
	if err := pngenc.Encode(&png, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{
		"a.png": png.String(),
		"b.svg": `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="120px" height="60"/>`,
		"c.svg": `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 200"/>`,
		"d.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="100%"/>`,
	})
	for name, want := range map[string][2]int{"a.png": {40, 30}, "b.svg": {120, 60}, "c.svg": {256, 200}, "d.svg": {snippetSize, snippetSize}} {
		w, h := imageSize(&model.Asset{Source: filepath.Join(dir, name), Ext: filepath.Ext(name)})
		if [2]int{w, h} != want {
			t.Errorf("%s: %d×%d, want %v", name, w, h, want)
		}
	}
}
