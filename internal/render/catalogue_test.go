package render

import (
	"testing"

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
