package render

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/themes"
)

// euSite has a badge stating every fact (a, awarded to five people, one
// of them twice) and one stating none (b, four holders).
func euSite(t *testing.T) (string, *model.Site) {
	badge := func(name, extra string) string {
		return "---\nname: " + name + "\ndescription: Un badge.\nimage: x.svg\n" + extra + "---\nCritères.\n"
	}
	rows := "email,badge,date\n"
	for i := 1; i <= 5; i++ {
		rows += fmt.Sprintf("p%d@example.org,a,2025-01-1%d\n", i, i)
	}
	rows += "p1@example.org,a,2025-02-01\n"
	for i := 1; i <= 4; i++ {
		rows += fmt.Sprintf("q%d@example.org,b,2025-01-1%d\n", i, i)
	}
	return loadSite(t, map[string]string{
		"blason.yaml":                "title: Test\nbaseURL: " + testBase + "\nlanguages: [fr, en]\n",
		"content/ecole/_space.md":    "---\nname: École\nurl: https://ecole.example/\nemail: b@ecole.example\n---\n",
		"content/ecole/badges/x.svg": testSVG,
		"content/ecole/badges/a.md": badge("Alpha", "credits: 1,5\nworkload: 40\neqf: 6\nassessment: portfolio\nmode: online\n"+
			"qualityAssurance: https://www.hceres.fr/\nprerequisites: Licence 2\nearn: Écrire au **secrétariat**.\n"+
			"esco:\n  skills:\n    - {uri: http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce, name: utiliser des services en ligne}\n"+
			"  occupations:\n    - {uri: http://data.europa.eu/esco/occupation/114e1eff-215e-47df-8e10-45a5b72f8197, name: tuteur}\n"),
		"content/ecole/badges/b.md":  badge("Bêta", ""),
		"content/ecole/awards/l.csv": rows,
	})
}

func renderWith(t *testing.T, dir string, site *model.Site, opts ...Option) publish.Files {
	t.Helper()
	r, err := New(testLayout(site), themes.Layers(os.DirFS(dir), themes.Default()), opts...)
	if err != nil {
		t.Fatal(err)
	}
	out := publish.Files{}
	if err := r.Site(site, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEUFactsOnBadgePages(t *testing.T) {
	dir, site := euSite(t)
	out := renderWith(t, dir, site, Holders(5))
	fr, en := string(out["ecole/badges/a/index.html"]), string(out["en/ecole/badges/a/index.html"])
	for _, want := range []string{"<dt>Crédits</dt><dd>1,5 ECTS</dd>", "<dd>40 heures</dd>", `<a href="http://data.europa.eu/snb/eqf/6" rel="external">Niveau 6</a>`,
		"<dd>portfolio</dd>", "<dd>à distance</dd>", `<a href="https://www.hceres.fr/" rel="external">`, "<dd>Licence 2</dd>",
		`<a href="http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce" rel="external">utiliser des services en ligne</a>`,
		"<dt>Professions ESCO</dt>", `<dd class="eu-holders">5 personnes</dd>`, "<h3>Comment obtenir ce badge</h3>", "<strong>secrétariat</strong>"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French badge page lacks %s", want)
		}
	}
	for _, want := range []string{"<dd>1.5 ECTS</dd>", "<dd>40 hours</dd>", "Level 6</a>", "<dd>online</dd>", `<dd lang="fr">Licence 2</dd>`,
		`rel="external" lang="fr">utiliser des services en ligne</a>`, `<dd class="eu-holders">5 people</dd>`, "<h3>How to earn this badge</h3>", `<div class="prose" lang="fr">`} {
		if !strings.Contains(en, want) {
			t.Errorf("English badge page lacks %s", want)
		}
	}
	if b := string(out["ecole/badges/b/index.html"]); strings.Contains(b, "eu-facts") {
		t.Errorf("a badge with no fact and 4 holders (under k=5) shows an eu-facts section")
	}
}

// TestHoldersThreshold: the count shows only from k holders, people
// counted once, revoked and suspended awards not counted.
func TestHoldersThreshold(t *testing.T) {
	for _, tc := range []struct {
		name   string
		k      int
		revoke int // how many of badge a's first awards to revoke (the first one suspended)
		a, b   string
	}{
		{"k=5", 5, 0, "5 personnes", ""},
		{"k=4", 4, 0, "5 personnes", "4 personnes"},
		{"no threshold set: no count", 0, 0, "", ""},
		{"two holders revoked", 5, 2, "", ""}, // p1 (both awards) and p2: 3 holders left
		{"one suspended, the person holds it twice", 5, 1, "5 personnes", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, site := euSite(t)
			sp := site.Spaces[0]
			var ofA []*model.Award
			for _, a := range sp.Awards {
				if a.Badge.Slug == "a" {
					ofA = append(ofA, a)
				}
			}
			if sp.Revocations == nil {
				sp.Revocations = map[string]model.Revocation{}
			}
			for i := 0; i < tc.revoke; i++ {
				sp.Revocations[ofA[i].ID] = model.Revocation{AwardID: ofA[i].ID, Suspended: i == 0}
			}
			if tc.revoke == 2 { // p1's other award too
				last := ofA[len(ofA)-1]
				sp.Revocations[last.ID] = model.Revocation{AwardID: last.ID}
			}
			out := renderWith(t, dir, site, Holders(tc.k))
			for slug, want := range map[string]string{"a": tc.a, "b": tc.b} {
				page := string(out["ecole/badges/"+slug+"/index.html"])
				i := strings.Index(page, `<dd class="eu-holders">`)
				switch {
				case want == "" && i >= 0:
					t.Errorf("badge %s shows a holder count: %.60s", slug, page[i:])
				case want != "" && !strings.Contains(page, `<dd class="eu-holders">`+want+`</dd>`):
					t.Errorf("badge %s: want %q holders", slug, want)
				}
			}
		})
	}
}
