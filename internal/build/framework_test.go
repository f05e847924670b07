package build

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/casejson"
	"github.com/francebadge/blason/internal/model"
)

// templateSite is a network with a shared template, two spaces deriving a
// badge from it (one overriding its name) and an unrelated badge.
var templateSite = map[string]string{
	"blason.yaml":                        "title: Test\nbaseURL: https://badges.example.fr/\n",
	"content/_templates/engagement.svg":  `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`,
	"content/_templates/engagement.md":   "---\nname: Engagement étudiant\ndescription: Un an de bénévolat.\nimage: engagement.svg\n---\nUne année de bénévolat.\n",
	"content/ecole/_space.md":            "---\nname: École\nurl: https://ecole.example/\nemail: badges@ecole.example\n---\n",
	"content/ecole/badges/engagement.md": "---\ntemplate: engagement\nname: Engagement à l'école\n---\n",
	"content/ecole/badges/tutorat.svg":   `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`,
	"content/ecole/badges/tutorat.md":    "---\nname: Tutorat\ndescription: Encadrer.\nimage: tutorat.svg\n---\nEncadrer.\n",
	"content/ecole/awards/a.csv":         "email,badge,date\nalice@example.org,engagement,2025-06-01\nbob@example.org,tutorat,2025-06-01\n",
	"content/asso/_space.md":             "---\nname: Association\nurl: https://asso.example/\nemail: badges@asso.example\n---\n",
	"content/asso/badges/engagement.md":  "---\ntemplate: engagement\n---\n",
	"content/asso/awards/a.csv":          "email,badge,date\ncarol@example.org,engagement,2025-06-01\n",
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
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

// TestTemplateChangePropagates: editing a shared template re-issues the
// credentials of the badge classes derived from it, and only those; the
// template page lists the institutions using it, and the badge classes
// link to it.
func TestTemplateChangePropagates(t *testing.T) {
	src := t.TempDir()
	writeFiles(t, src, templateSite)
	res := mustBuild(t, Options{Source: src})
	if res.Issued != 3 {
		t.Fatalf("first build issued %d awards, want 3", res.Issued)
	}
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	byBadge := map[string]*model.Award{}
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			byBadge[sp.Slug+"/"+a.Badge.Slug] = a
		}
	}
	dest := filepath.Join(src, "site")
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cred := func(key string) string { return read(paths.Credential(byBadge[key])) }
	tutorat := cred("ecole/tutorat")

	page := read("templates/engagement/index.html")
	for _, want := range []string{"Engagement étudiant", "École", "Association", "/ecole/badges/engagement/", "/asso/badges/engagement/"} {
		if !strings.Contains(page, want) {
			t.Errorf("template page lacks %q", want)
		}
	}
	if !strings.Contains(read("ecole/badges/engagement/index.html"), "/templates/engagement/") {
		t.Error("the badge page does not link to its template")
	}
	if c := cred("ecole/engagement"); !strings.Contains(c, `"related": [`) || !strings.Contains(c, `"id": "https://badges.example.fr/templates/engagement/achievement.json"`) ||
		!strings.Contains(c, "Engagement à l'école") || !strings.Contains(c, "Un an de bénévolat.") {
		t.Errorf("derived credential: %s", c)
	}
	if bc := read("asso/badges/engagement/badge.json"); !strings.Contains(bc, `"targetUrl": "https://badges.example.fr/templates/engagement/"`) {
		t.Errorf("OB 2.0 badge class does not align to its template: %s", bc)
	}

	// Edit the template: its two derived awards are issued again, not the other.
	replaceIn(t, filepath.Join(src, "content/_templates/engagement.md"), "Un an de bénévolat.", "Une année de bénévolat reconnue.")
	res = mustBuild(t, Options{Source: src})
	if res.Issued != 2 {
		t.Errorf("after the template edit %d awards were issued, want 2", res.Issued)
	}
	for _, k := range []string{"ecole/engagement", "asso/engagement"} {
		if c := cred(k); !strings.Contains(c, "Une année de bénévolat reconnue.") {
			t.Errorf("%s does not carry the template's new description", k)
		}
	}
	if cred("ecole/tutorat") != tutorat {
		t.Error("an award unrelated to the template changed")
	}
	// A name edit reaches the badge inheriting it, not the one overriding it
	// (both are issued again: their keys cover the template they link to).
	replaceIn(t, filepath.Join(src, "content/_templates/engagement.md"), "name: Engagement étudiant", "name: Engagement des étudiants")
	res = mustBuild(t, Options{Source: src})
	if res.Issued != 2 {
		t.Errorf("after the name edit %d awards were issued, want 2", res.Issued)
	}
	if c := cred("asso/engagement"); !strings.Contains(c, "Engagement des étudiants") {
		t.Error("asso's badge did not inherit the template's new name")
	}
	if c := cred("ecole/engagement"); !strings.Contains(c, "Engagement à l'école") {
		t.Error("ecole's own name was overwritten by the template's")
	}
}

// TestDemoFramework: the demo publishes the school's grid as pages (fr and
// en) and as CASE JSON, and the competency badges' credentials align to the
// CASE items.
func TestDemoFramework(t *testing.T) {
	d := sharedDemo(t)
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(d.dest, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	fr := read("frameworks/ecole-ingenieurs/index.html")
	for _, want := range []string{"FAIRE ÉMERGER", "OSER", "CONCRÉTISER", "Novice", "Intermédiaire", "Compétent", "Avancé", "Expert",
		"Identifie et décrit les apports et indications des outils et techniques de créativité.", `id="c5"`} {
		if !strings.Contains(fr, want) {
			t.Errorf("French framework page lacks %q", want)
		}
	}
	en := read("en/frameworks/ecole-ingenieurs/index.html")
	for _, want := range []string{"BRING OUT IDEAS", "Intermediate", "Competent", "Advanced", "Creating value through scientific and technical innovation"} {
		if !strings.Contains(en, want) {
			t.Errorf("English framework page lacks %q", want)
		}
	}
	var pkg casejson.Package
	if err := json.Unmarshal([]byte(read("frameworks/ecole-ingenieurs/case.json")), &pkg); err != nil {
		t.Fatal(err)
	}
	items := map[string]bool{}
	for _, it := range pkg.CFItems {
		items[it.URI] = true
		if _, err := os.Stat(filepath.Join(d.dest, strings.TrimPrefix(it.URI, d.base))); err != nil {
			t.Errorf("CFItem %s is not published at its URI", it.URI)
		}
	}
	if len(pkg.CFItems) != 5*(1+3+5) || len(pkg.CFRubrics) != 5 {
		t.Errorf("%d CFItems, %d CFRubrics", len(pkg.CFItems), len(pkg.CFRubrics))
	}
	badge := read("ecole-ingenieurs/badges/innovation/competent.json")
	var bc struct {
		Alignment []struct{ TargetURL, TargetCode string } `json:"alignment"`
	}
	json.Unmarshal([]byte(badge), &bc)
	codes := ""
	for _, a := range bc.Alignment {
		codes += a.TargetCode + " "
		if !items[a.TargetURL] {
			t.Errorf("OB 2.0 alignment %s points at no CFItem", a.TargetURL)
		}
	}
	if codes != "C1 C1.competent " {
		t.Errorf("OB 2.0 level badge class alignments: %q", codes)
	}
	page := read("ecole-ingenieurs/badges/innovation/index.html")
	if !strings.Contains(page, `class="ladder-steps"`) || !strings.Contains(page, "/frameworks/ecole-ingenieurs/#c1") {
		t.Error("the badge page shows no ladder linking to the framework")
	}
	// and the competency's grid: its three dimensions, one row per level.
	if !strings.Contains(page, `<table class="grid">`) || strings.Count(page, `<th scope="row">`) != 5 ||
		!strings.Contains(page, "FAIRE ÉMERGER") || !strings.Contains(page, "CONCRÉTISER") {
		t.Error("the badge page shows no competency grid (3 dimensions × 5 levels)")
	}
}
