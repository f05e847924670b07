package render

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/themes"
)

const testBase = "https://badges.example.fr/"

const testSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#335"/></svg>` + "\n"

// writeFiles writes files (slash path → content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadSite writes a site and loads it as a build would.
func loadSite(t testing.TB, files map[string]string) (string, *model.Site) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	site, err := content.Load(dir, content.Options{
		BaseURL: testBase,
		Now:     time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		Secret:  func(string) ([]byte, error) { return []byte("0123456789abcdef0123456789abcdef"), nil },
	})
	if err != nil {
		t.Fatalf("loading the test site: %v", err)
	}
	return dir, site
}

// renderSite renders site with the lookup order of a build: the site
// folder, then the embedded default theme; spaces given in spaceDirs get
// their content/<space>/ overrides.
func renderSite(t testing.TB, dir string, site *model.Site, spaceDirs ...string) publish.Files {
	t.Helper()
	l := layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
	overrides := map[string]fs.FS{}
	for _, sp := range spaceDirs {
		overrides[sp] = os.DirFS(filepath.Join(dir, "content", sp))
	}
	r, err := New(l, themes.Layers(os.DirFS(dir), themes.Default()), SpaceOverrides(overrides))
	if err != nil {
		t.Fatal(err)
	}
	out := publish.Files{}
	if err := r.Site(site, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// htmlPages returns the paths of the HTML pages among files.
func htmlPages(files publish.Files) []string {
	var out []string
	for p := range files {
		if strings.HasSuffix(p, ".html") {
			out = append(out, p)
		}
	}
	return out
}

// renderSiteErr is renderSite returning the error of New or Site.
func renderSiteErr(t testing.TB, dir string, site *model.Site, spaceDirs ...string) error {
	t.Helper()
	l := layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
	overrides := map[string]fs.FS{}
	for _, sp := range spaceDirs {
		overrides[sp] = os.DirFS(filepath.Join(dir, "content", sp))
	}
	r, err := New(l, themes.Layers(os.DirFS(dir), themes.Default()), SpaceOverrides(overrides))
	if err != nil {
		return err
	}
	return r.Site(site, publish.Files{})
}

func testLayout(site *model.Site) layout.Layout {
	return layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
}
