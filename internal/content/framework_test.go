package content

import (
	"github.com/francebadge/blason/internal/diag"
	"slices"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/model"
)

// frameworkSite is baseSite with a two-competency, three-level framework,
// a badge tied to each competency (one with its own levels, one taking the
// framework's) and a shared template.
var frameworkSite = map[string]string{
	"content/_frameworks/ref.yaml": `name: Référentiel de test
publisher: ecole
updated: 2025-09-01
translations:
  en: {name: Test framework}
levels:
  - id: novice
    name: Novice
    translations: {en: {name: Novice}}
  - id: intermediaire
    name: Intermédiaire
    translations: {en: {name: Intermediate}}
  - id: competent
    name: Compétent
    translations: {en: {name: Competent}}
competencies:
  - id: c1
    code: C1
    name: Innover
    dimensions:
      - id: oser
        name: OSER
        descriptors: {novice: Partage son analyse., competent: Décide Go/no Go.}
        translations:
          en: {name: DARE, descriptors: {novice: Shares an analysis.}}
  - id: c2
    name: Piloter
`,
	"content/ecole/badges/innovation.svg": svg,
	"content/ecole/badges/innovation.md": `---
name: Innovation
description: Créer de la valeur.
image: innovation.svg
competency: ref/c1
levels:
  - id: novice
    name: Novice
  - id: intermediaire
    name: Intermédiaire
  - id: competent
    name: Compétent
---
Dans l'ordre.
`,
	"content/ecole/badges/pilotage.md": `---
name: Pilotage
description: Piloter.
image: innovation.svg
competency: ref/c2
---
Dans l'ordre.
`,
	"content/_templates/engagement.svg": svg,
	"content/_templates/engagement.md": `---
name: Engagement étudiant
description: Un engagement bénévole.
image: engagement.svg
tags: [engagement]
translations:
  en: {name: Student engagement, criteria: One year of volunteering.}
---
Une année de bénévolat.
`,
	"content/ecole/badges/engagement.md": `---
template: engagement
name: Engagement à l'école
---
`,
}

func TestFrameworkLoads(t *testing.T) {
	site, _, err := loadFiles(t, merge(baseSite, merge(frameworkSite, map[string]string{
		"content/ecole/awards/c.csv": "email,badge,level,date,override\n" +
			"bob@example.org,innovation,novice,2025-01-10,\n" +
			"bob@example.org,innovation,intermediaire,2025-01-10,\n" + // same day: allowed
			"carol@example.org,innovation,intermediaire,2025-02-01,Validation par équivalence (semestre à l'étranger)\n" +
			"bob@example.org,pilotage,novice,2025-03-01,\n",
	})))
	if err != nil {
		t.Fatal(err)
	}
	if len(site.Frameworks) != 1 || len(site.Frameworks[0].Competencies) != 2 {
		t.Fatalf("frameworks: %+v", site.Frameworks)
	}
	f := site.Frameworks[0]
	if c := f.Competencies[1]; c.Code != "C2" {
		t.Errorf("code defaults to the upper-cased id, got %q", c.Code)
	}
	var innov, pil, eng *model.Badge
	for _, b := range site.Spaces[0].Badges {
		switch b.Slug {
		case "innovation":
			innov = b
		case "pilotage":
			pil = b
		case "engagement":
			eng = b
		}
	}
	if innov.Competency != f.Competencies[0] || innov.Progression != "ordered" {
		t.Errorf("innovation: competency %v, progression %q", innov.Competency, innov.Progression)
	}
	// A badge without levels takes the framework's, descriptors as criteria.
	if len(pil.Levels) != 3 || pil.Levels[2].ID != "competent" || pil.Levels[1].Translations["en"].Name != "Intermediate" {
		t.Fatalf("pilotage levels: %+v", pil.Levels)
	}
	c1 := f.Competencies[0]
	lv := frameworkLevel(c1, f.Levels[0])
	if lv.Criteria != "- **OSER** : Partage son analyse.\n" || lv.Translations["en"].Criteria != "- **DARE**: Shares an analysis.\n" {
		t.Errorf("descriptor criteria: %q / %q", lv.Criteria, lv.Translations["en"].Criteria)
	}
	// The override is recorded in the published narrative.
	var carol *model.Award
	for _, a := range site.Spaces[0].Awards {
		if a.Recipient.Email == "carol@example.org" {
			carol = a
		}
	}
	if carol == nil || carol.EvidenceNarrative != OverridePrefix+"Validation par équivalence (semestre à l'étranger)" {
		t.Errorf("override narrative: %+v", carol)
	}
	// Shared template: inherited, overridden, and knows its users.
	if len(site.Templates) != 1 || site.Templates[0].Slug != "engagement" {
		t.Fatalf("templates: %+v", site.Templates)
	}
	tp := site.Templates[0]
	if eng.Shared != tp || eng.Name != "Engagement à l'école" || eng.Description != "Un engagement bénévole." ||
		eng.Criteria != "Une année de bénévolat." || eng.Image == nil || !slices.Equal(eng.Tags, []string{"engagement"}) {
		t.Errorf("derived badge: %+v", eng)
	}
	if eng.Translations["en"].Name != "Student engagement" {
		t.Errorf("translations are inherited too: %+v", eng.Translations)
	}
	if len(tp.Users) != 1 || tp.Users[0] != eng {
		t.Errorf("template users: %v", tp.Users)
	}
	for _, sp := range site.Spaces {
		if strings.HasPrefix(sp.Slug, "_") {
			t.Errorf("%s taken for a space", sp.Slug)
		}
	}
}

func TestFrameworkErrors(t *testing.T) {
	cases := []errCase{
		{
			name: "progression violation",
			files: map[string]string{"content/ecole/awards/c.csv": "email,badge,level,date\n" +
				"bob@example.org,innovation,novice,2025-01-10\n" +
				"bob@example.org,innovation,competent,2025-01-10\n"},
			want:  []string{"content/ecole/awards/c.csv:3: award of innovation at level competent without its prerequisite: the recipient holds no award of level intermediaire (Intermédiaire) dated 2025-01-10 or earlier"},
			hints: []string{"award level intermediaire first, or write the jury's justification in the override column"},
		},
		{
			name: "prerequisite of the same person under another identifier, dated later",
			files: map[string]string{"content/ecole/awards/c.csv": "email,eppn,badge,level,date\n" +
				"bob@example.org,,innovation,intermediaire,2025-01-10\n" +
				",bob@ecole.example,innovation,novice,2025-01-11\n" +
				"bob@example.org,bob@ecole.example,tutorat,,2025-01-11\n"},
			// Rows 2 and 3 share no identifier, but row 4 shows they are the same person.
			want: []string{"content/ecole/awards/c.csv:2: award of innovation at level intermediaire before its prerequisite: level novice of the same recipient is dated 2025-01-11 (content/ecole/awards/c.csv:3)"},
		},
		{
			name: "prerequisite dated later, same identifier",
			files: map[string]string{"content/ecole/awards/c.csv": "email,badge,level,date\n" +
				"bob@example.org,innovation,intermediaire,2025-01-10\n" +
				"bob@example.org,innovation,novice,2025-01-11\n"},
			want: []string{"content/ecole/awards/c.csv:2: award of innovation at level intermediaire before its prerequisite: level novice of the same recipient is dated 2025-01-11 (content/ecole/awards/c.csv:3)"},
		},
		{
			name: "free progression",
			files: map[string]string{
				"content/ecole/badges/pilotage.md": "---\nname: P\ndescription: P.\nimage: innovation.svg\ncompetency: ref/c2\nprogression: libre\n---\nP.\n",
			},
			want:  []string{`content/ecole/badges/pilotage.md:6: unknown progression "libre"`},
			hints: []string{"ordered"},
		},
		{
			name:  "unknown competency",
			files: map[string]string{"content/ecole/badges/pilotage.md": "---\nname: P\ndescription: P.\nimage: innovation.svg\ncompetency: ref/c3\n---\nP.\n"},
			want:  []string{`content/ecole/badges/pilotage.md:5: unknown competency "ref/c3"`},
			hints: []string{`did you mean "ref/c1"?`},
		},
		{
			name:  "level not in the framework",
			files: map[string]string{"content/ecole/badges/pilotage.md": "---\nname: P\ndescription: P.\nimage: innovation.svg\ncompetency: ref/c2\nlevels:\n  - id: expert\n    name: Expert\n---\nP.\n"},
			want:  []string{`content/ecole/badges/pilotage.md:7: level "expert" is not a level of framework ref`},
		},
		{
			name:   "unknown shared template",
			files:  map[string]string{"content/ecole/badges/engagement.md": "---\ntemplate: engagemnt\n---\n"},
			want:   []string{`content/ecole/badges/engagement.md:2: unknown template "engagemnt"`},
			others: true,
		},
		{
			name:   "framework descriptor for an unknown level",
			files:  map[string]string{"content/_frameworks/ref.yaml": strings.Replace(frameworkSite["content/_frameworks/ref.yaml"], "competent: Décide", "competant: Décide", 1)},
			want:   []string{`content/_frameworks/ref.yaml:17: competency "c1", dimension 1: unknown level "competant" in descriptors`},
			hints:  []string{`did you mean "competent"?`},
			others: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadFiles(t, merge(baseSite, merge(frameworkSite, tc.files)))
			if err == nil {
				t.Fatal("Load succeeded")
			}
			items, lines := diagLines(t, err)
			for _, w := range tc.want {
				p, prefix := strings.CutSuffix(w, "*")
				if !slices.ContainsFunc(lines, func(l string) bool { return l == w || prefix && strings.HasPrefix(l, p) }) {
					t.Errorf("missing\n\t%s\ngot\n\t%s", w, strings.Join(lines, "\n\t"))
				}
			}
			if !tc.others && len(lines) != len(tc.want) {
				t.Errorf("want %d problems, got\n\t%s", len(tc.want), strings.Join(lines, "\n\t"))
			}
			for _, h := range tc.hints {
				if !slices.ContainsFunc(items, func(d diagItem) bool { return strings.Contains(d.Hint, h) }) {
					t.Errorf("no hint contains %q: %v", h, err)
				}
			}
		})
	}
}

type diagItem = diag.Diagnostic
