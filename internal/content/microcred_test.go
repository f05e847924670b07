package content

import (
	"reflect"
	"testing"

	"github.com/francebadge/blason/internal/model"
)

const (
	escoSkill = "http://data.europa.eu/esco/skill/0e9a6d8a-2a4b-4d3b-9a8f-1c2d3e4f5a6b"
	escoOcc   = "http://data.europa.eu/esco/occupation/114e1eff-215e-47df-8e10-45a5b72f8197"
)

// microErrCases are the broken micro-credential facts, checked by
// TestLoadErrors and, in French, by TestDiagnosticsInFrench.
func microErrCases() []errCase {
	tut := "content/ecole/badges/tutorat.md"
	return []errCase{
		{
			name:  "micro: workload out of range",
			files: map[string]string{tut: badgeWith("workload: 20000\n")},
			want:  []string{tut + `:5: workload 20000 is not a number of hours between 1 and 10000`},
			hints: []string{"whole number"},
		},
		{
			name:  "micro: negative workload",
			files: map[string]string{tut: badgeWith("workload: -3\n")},
			want:  []string{tut + `:5: workload -3 is not a number of hours between 1 and 10000`},
		},
		{
			name:  "micro: workload not a number",
			files: map[string]string{tut: badgeWith("workload: vingt\n")},
			want:  []string{tut + `:5: *`},
			hints: []string{"check the value's type"},
		},
		{
			name:  "micro: eqf 9",
			files: map[string]string{tut: badgeWith("eqf: 9\n")},
			want:  []string{tut + `:5: eqf 9 is not an EQF level`},
			hints: []string{"from 1 to 8"},
		},
		{
			name:  "micro: assessment typo",
			files: map[string]string{tut: badgeWith("assessment: projet\n")},
			want:  []string{tut + `:5: unknown assessment "projet"`},
			hints: []string{`did you mean "project"?`},
		},
		{
			name:  "micro: unknown assessment",
			files: map[string]string{tut: badgeWith("assessment: quiz-en-ligne\n")},
			want:  []string{tut + `:5: unknown assessment "quiz-en-ligne"`},
			hints: []string{"use one of: exam, oral"},
		},
		{
			name:  "micro: mode typo",
			files: map[string]string{tut: badgeWith("mode: onlin\n")},
			want:  []string{tut + `:5: unknown mode "onlin"`},
			hints: []string{`did you mean "online"?`},
		},
		{
			name:  "micro: unknown key in esco",
			files: map[string]string{tut: badgeWith("esco:\n  skill: []\n")},
			want:  []string{tut + `:6: unknown key "esco.skill"`},
			hints: []string{`did you mean "skills"?`},
		},
		{
			name: "micro: bad ESCO URIs",
			files: map[string]string{tut: badgeWith("esco:\n  skills:\n    - {uri: " + escoSkill + ", name: ok}\n" +
				"    - {uri: https://esco.ec.europa.eu/en/classification/skill, name: page}\n" +
				"    - {uri: " + escoOcc + ", name: métier}\n" +
				"    - " + escoSkill + "x\n" +
				"  occupations:\n    - " + escoOcc + "\n    - {uri: " + escoSkill + ", name: compétence}\n")},
			want: []string{
				tut + `:8: esco.skills 2: "https://esco.ec.europa.eu/en/classification/skill" is not the URI of an ESCO skill`,
				tut + `:9: esco.skills 3: "` + escoOcc + `" is not the URI of an ESCO skill`,
				tut + `:10: esco.skills 4: "` + escoSkill + `x" is not the URI of an ESCO skill`,
				tut + `:12: esco.occupations 1 has no name`,
				tut + `:13: esco.occupations 2: "` + escoSkill + `" is not the URI of an ESCO occupation`,
			},
			hints: []string{"this URI is an ESCO occupation: list it under esco.occupations", "e.g. http://data.europa.eu/esco/skill/<uuid>", "ESCO preferred label"},
		},
		{
			name:  "micro: ESCO skill twice",
			files: map[string]string{tut: badgeWith("esco:\n  skills:\n    - {uri: " + escoSkill + ", name: a}\n    - {uri: " + escoSkill + ", name: b}\n")},
			want:  []string{tut + `:8: esco.skills 2: ` + escoSkill + ` is listed twice`},
		},
	}
}

// TestMicroFacts loads the facts, with a template's inherited.
func TestMicroFacts(t *testing.T) {
	files := merge(baseSite, merge(reseauSpace, map[string]string{
		"content/reseau/badges/mentorat.md": "---\nname: Mentorat\ndescription: Guider.\nimage: mentorat.svg\ncredits: 2\n" +
			"workload: 50\neqf: 6\nassessment: portfolio\nmode: blended\nqualityAssurance: https://www.hceres.fr/\n" +
			"prerequisites: Licence 2 validée\nearn: Candidater auprès du **service de la vie étudiante**.\n" +
			"esco:\n  skills:\n    - {uri: " + escoSkill + ", name: encadrer des étudiants}\n  occupations:\n    - {uri: " + escoOcc + ", name: tuteur}\n---\nAvoir guidé un pair.\n",
		"content/ecole/badges/tutorat.md": "---\nname: Tutorat\ndescription: Accompagner.\nimage: tutorat.svg\ntemplate: reseau/mentorat\nworkload: 30\nmode: onsite\n---\nCritères.\n",
	}))
	site, _, err := loadFiles(t, files)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]model.Micro = map[string]model.Micro{}
	for _, sp := range site.Spaces {
		for _, b := range sp.Badges {
			got[sp.Slug+"/"+b.Slug] = b.Micro
		}
	}
	skills := []model.ESCO{{URI: escoSkill, Name: "encadrer des étudiants"}}
	occ := []model.ESCO{{URI: escoOcc, Name: "tuteur"}}
	want := map[string]model.Micro{
		"reseau/mentorat": {Workload: 50, EQF: 6, Assessment: "portfolio", Mode: "blended", QualityAssurance: "https://www.hceres.fr/",
			Prerequisites: "Licence 2 validée", Earn: "Candidater auprès du **service de la vie étudiante**.", Skills: skills, Occupations: occ},
		"ecole/tutorat": {Workload: 30, EQF: 6, Assessment: "portfolio", Mode: "onsite", QualityAssurance: "https://www.hceres.fr/",
			Prerequisites: "Licence 2 validée", Earn: "Candidater auprès du **service de la vie étudiante**.", Skills: skills, Occupations: occ},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if (model.Micro{}).Empty() != true || want["ecole/tutorat"].Empty() {
		t.Error("Empty is wrong")
	}
}
