package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestThemeOverridesInBuilds builds a small site whose folder overrides
// the home and badge layouts, one space overriding its space page and the
// style sheet; a second build after the overrides change re-renders the
// pages that use them, and removing an override brings the theme's back.
func TestThemeOverridesInBuilds(t *testing.T) {
	src := t.TempDir()
	dest := filepath.Join(t.TempDir(), "site")
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"/>`
	space := func(name string) string {
		return "---\nname: " + name + "\nurl: https://" + name + ".example/\nemail: badges@" + name + ".example\n---\n"
	}
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write("blason.yaml", "title: Test\nbaseURL: https://badges.example.fr/\n")
	for _, sp := range []string{"alpha", "beta"} {
		write("content/"+sp+"/_space.md", space(sp))
		write("content/"+sp+"/badges/b.svg", svg)
		write("content/"+sp+"/badges/tut.md", "---\nname: Tutorat\ndescription: Accompagner.\nimage: b.svg\n---\nCritères.\n")
	}
	write("layouts/badge.html", `{{define "main"}}<p id="v">site badge v1</p>{{end}}`)
	write("content/beta/layouts/space.html", `{{define "main"}}<p id="v">beta space v1</p>{{end}}`)
	write("content/beta/static/style.css", "/* beta v1 */")

	mustBuild(t, Options{Source: src, Destination: dest})
	for page, want := range map[string]string{
		"alpha/badges/tut/index.html": "site badge v1", "beta/badges/tut/index.html": "site badge v1",
		"beta/index.html": "beta space v1", "beta/assets/style.css": "/* beta v1 */",
	} {
		if !strings.Contains(read(page), want) {
			t.Errorf("first build: %s lacks %q", page, want)
		}
	}
	if strings.Contains(read("alpha/index.html"), "beta space") {
		t.Error("alpha's space page uses beta's override")
	}

	write("layouts/badge.html", `{{define "main"}}<p id="v">site badge v2</p>{{end}}`)
	write("content/beta/static/style.css", "/* beta v2 */")
	if err := os.Remove(filepath.Join(src, "content/beta/layouts/space.html")); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, Options{Source: src, Destination: dest})
	if !strings.Contains(read("alpha/badges/tut/index.html"), "site badge v2") || read("beta/assets/style.css") != "/* beta v2 */" {
		t.Error("second build: changed overrides did not reach the pages")
	}
	if p := read("beta/index.html"); strings.Contains(p, "beta space") || !strings.Contains(p, "<h1>beta</h1>") {
		t.Error("second build: beta's space page did not go back to the theme's layout")
	}
}
