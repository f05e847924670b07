package render

import (
	"strings"
	"testing"
)

// twoSpaces is a site of two spaces with one badge each.
func twoSpaces() map[string]string {
	space := func(name string) string {
		return "---\nname: " + name + "\nurl: https://" + name + ".example/\nemail: badges@" + name + ".example\n---\nDescription.\n"
	}
	badge := "---\nname: Tutorat\ndescription: Accompagner.\nimage: b.svg\nlevels:\n  - {id: un, name: Un}\n  - {id: deux, name: Deux}\n---\nCritères.\n"
	return map[string]string{
		"blason.yaml":                 "title: Test\nbaseURL: " + testBase + "\n",
		"content/alpha/_space.md":     space("alpha"),
		"content/alpha/badges/b.svg":  testSVG,
		"content/alpha/badges/tut.md": badge,
		"content/beta/_space.md":      space("beta"),
		"content/beta/badges/b.svg":   testSVG,
		"content/beta/badges/tut.md":  badge,
	}
}

// TestOverrides: a template or static file placed in the site folder
// replaces the theme's on every page; placed under content/<space>/, only
// on that space's pages. Partials override blocks; site strings override
// one key.
func TestOverrides(t *testing.T) {
	files := twoSpaces()
	files["layouts/badge.html"] = `{{define "main"}}<p class="site-badge">{{.Badge.Name}}</p>{{block "ladder" .Badge}}default ladder{{end}}{{end}}`
	files["layouts/_ladder.html"] = `{{define "ladder"}}<ol class="partial-ladder">{{range .Levels}}<li>{{.Rung}}. {{.Name}}</li>{{end}}</ol>{{end}}`
	files["static/extra.css"] = "/* site */"
	files["i18n/en.yaml"] = "footer: Site footer in English.\n"
	files["content/beta/layouts/space.html"] = `{{define "main"}}<p class="beta-space">{{.Space.Name}} · {{t "badges"}}</p>{{end}}`
	files["content/beta/static/style.css"] = "/* beta */"
	dir, site := loadSite(t, files)
	out := renderSite(t, dir, site, "beta")

	for _, p := range []string{"alpha/badges/tut/index.html", "beta/badges/tut/index.html", "en/beta/badges/tut/index.html"} {
		page := string(out[p])
		if !strings.Contains(page, `<p class="site-badge">Tutorat</p>`) || !strings.Contains(page, `<ol class="partial-ladder"><li>1. Un</li><li>2. Deux</li></ol>`) {
			t.Errorf("%s does not use the site's badge.html and _ladder.html:\n%s", p, page)
		}
		if strings.Contains(page, "default ladder") {
			t.Errorf("%s: the partial did not replace the block", p)
		}
	}
	if page := string(out["beta/index.html"]); !strings.Contains(page, `<p class="beta-space">beta · Badges</p>`) || !strings.Contains(page, `href="/beta/assets/style.css"`) {
		t.Errorf("beta's space page does not use beta's space.html and style.css:\n%s", page)
	}
	if page := string(out["alpha/index.html"]); strings.Contains(page, "beta-space") || !strings.Contains(page, `<h1>alpha</h1>`) || !strings.Contains(page, `href="/assets/style.css"`) {
		t.Errorf("alpha's space page does not use the theme's space.html and style.css:\n%s", page)
	}
	if page := string(out["beta/badges/tut/index.html"]); !strings.Contains(page, `href="/beta/assets/style.css"`) {
		t.Error("beta's badge page does not use beta's style.css")
	}
	if string(out["beta/assets/style.css"]) != "/* beta */" || string(out["assets/extra.css"]) != "/* site */" || !strings.Contains(string(out["assets/style.css"]), "Blason default theme") {
		t.Error("static files: want beta/assets/style.css from the space, assets/extra.css from the site, assets/style.css from the theme")
	}
	if en, fr := string(out["en/index.html"]), string(out["index.html"]); !strings.Contains(en, "Site footer in English.") || !strings.Contains(en, "Digital badges of the network") || strings.Contains(fr, "Site footer") {
		t.Error("the site's i18n/en.yaml does not override one English string and keep the others")
	}
}

// TestOverrideErrors: a broken override is reported with its file.
func TestOverrideErrors(t *testing.T) {
	files := twoSpaces()
	files["content/beta/layouts/badge.html"] = `{{define "main"}}{{.Badge.Name}{{end}}`
	dir, site := loadSite(t, files)
	l := renderSiteErr(t, dir, site, "beta")
	if l == nil || !strings.Contains(l.Error(), "content/beta/layouts/badge.html") {
		t.Errorf("error %v, want it to name content/beta/layouts/badge.html", l)
	}
}
