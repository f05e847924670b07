package content

import (
	"slices"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/ids"
)

// baseSite is a minimal valid site: one space, one badge, one award.
var baseSite = map[string]string{
	"blason.yaml": "title: Test\nbaseURL: https://badges.example.fr/\n",
	"content/ecole/_space.md": `---
name: École de test
url: https://www.ecole.example/
email: badges@ecole.example
---
Une école.
`,
	"content/ecole/badges/tutorat.svg": svg,
	"content/ecole/badges/tutorat.md": `---
name: Tutorat
description: Accompagner des étudiants.
image: tutorat.svg
---
Avoir encadré un groupe pendant un semestre.
`,
	"content/ecole/awards/ok.csv": "email,badge,date\nalice@example.org,tutorat,2025-01-10\n",
}

// reseauSpace adds a network space with one badge, for template cases.
var reseauSpace = map[string]string{
	"content/reseau/_space.md": `---
name: Réseau
url: https://reseau.example/
email: badges@reseau.example
---
`,
	"content/reseau/badges/mentorat.svg": svg,
	"content/reseau/badges/mentorat.md": `---
name: Mentorat
description: Guider un pair.
image: mentorat.svg
---
Avoir guidé un pair.
`,
}

// badgeWith returns a valid badge file (image tutorat.svg) whose front
// matter ends with extra; extra starts at line 5 of the file.
func badgeWith(extra string) string {
	return "---\nname: Niveaux\ndescription: Un badge.\nimage: tutorat.svg\n" + extra + "---\nCritères.\n"
}

type errCase struct {
	name  string
	files map[string]string // overlaid on baseSite; "-" deletes a file
	// want lists "file:line: message" lines that must all be reported (a
	// trailing "*" makes the line a prefix).
	want  []string
	hints []string // substrings of the hints of the reported problems
	// afterSecret marks problems that can only be found once award ids are
	// known, hence after the secrets were read.
	afterSecret bool
	// others allows problems beyond want; by default want is the exact set.
	others bool
}

func errCases() []errCase {
	aliceID := ids.AwardID(testSecret, "ecole", "tutorat", "email:alice@example.org", "", "2025-01-10")
	return append([]errCase{
		// Templates.
		{
			name:  "lang column neither fr nor en",
			files: map[string]string{"content/ecole/awards/ok.csv": "email,badge,date,lang\nalice@example.org,tutorat,2025-01-10,de\nbob@example.org,tutorat,2025-01-10,Bob Martin\n"},
			want: []string{`content/ecole/awards/ok.csv:2: lang "de" is not fr or en`,
				`content/ecole/awards/ok.csv:3: lang (value not shown: it does not look like one) is not fr or en`},
			hints: []string{"write fr or en"},
		},
		{
			name:  "unknown template",
			files: merge(reseauSpace, map[string]string{"content/ecole/badges/tutorat.md": badgeWith("template: reseau/mentorst\n")}),
			want:  []string{`content/ecole/badges/tutorat.md:5: unknown template "reseau/mentorst"`},
			hints: []string{`did you mean "reseau/mentorat"?`},
		},
		{
			name:  "template without space",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("template: mentorat\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: unknown template "mentorat"`},
			hints: []string{"a shared template is content/_templates/<slug>.md"},
		},
		{
			name: "template cycle",
			files: map[string]string{
				"content/ecole/badges/a.md": badgeWith("template: ecole/b\n"),
				"content/ecole/badges/b.md": badgeWith("tags: [x]\ntemplate: ecole/a\n"),
			},
			want: []string{`content/ecole/badges/b.md:6: template cycle: ecole/a → ecole/b → ecole/a`},
		},
		{
			name:  "template of itself",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("template: ecole/tutorat\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: template cycle: ecole/tutorat → ecole/tutorat`},
		},
		{
			name: "badge from a template still needs an image",
			files: merge(reseauSpace, map[string]string{
				"content/reseau/badges/mentorat.md": "---\nname: Mentorat\ndescription: Guider.\n---\nCritères.\n",
				"content/ecole/badges/m.md":         "---\ntemplate: reseau/mentorat\n---\n",
			}),
			want: []string{
				`content/ecole/badges/m.md:2: missing image`,
				`content/reseau/badges/mentorat.md:2: missing image`,
			},
		},

		// Badge images must be what their extension says.
		{
			name:  "JPEG named .png",
			files: map[string]string{"content/ecole/badges/tutorat.md": "---\nname: T\ndescription: D.\nimage: photo.png\n---\nCritères.\n", "content/ecole/badges/photo.png": "\xff\xd8\xff\xe0\x00\x10JFIF\x00"},
			want:  []string{`content/ecole/badges/tutorat.md:4: image "photo.png" is not a PNG file (its content looks like image/jpeg)`},
			hints: []string{"export the image as PNG or SVG"},
		},
		{
			name:  "HTML named .svg",
			files: map[string]string{"content/ecole/badges/tutorat.svg": "<html><body>404</body></html>"},
			want:  []string{`content/ecole/badges/tutorat.md:4: image "tutorat.svg" is not an SVG file (its root element is <html>)`},
		},

		// Badge front matter.
		{
			name: "duplicate level id",
			files: map[string]string{"content/ecole/badges/niveaux.md": badgeWith(`levels:
  - id: bronze
    name: Bronze
  - id: argent
    name: Argent
  - id: bronze
    name: Bronze bis
`)},
			want:  []string{`content/ecole/badges/niveaux.md:10: level id "bronze" used twice`},
			hints: []string{"give each level its own id"},
		},
		{
			name: "level id not a slug, level without name",
			files: map[string]string{"content/ecole/badges/niveaux.md": badgeWith(`levels:
  - name: Or massif
    id: Or Massif
  - id: argent
`)},
			want: []string{
				`content/ecole/badges/niveaux.md:7: level 1: id "Or Massif" is not a valid slug`,
				`content/ecole/badges/niveaux.md:8: level "argent" has no name`,
			},
		},
		{
			name: "unknown key inside a level",
			files: map[string]string{"content/ecole/badges/niveaux.md": badgeWith(`levels:
  - id: or
    nom: Or
`)},
			want: []string{
				`content/ecole/badges/niveaux.md:7: unknown key "levels.0.nom"`,
				`content/ecole/badges/niveaux.md:6: level "or" has no name`,
			},
			hints: []string{`did you mean "name"?`},
		},
		{
			name: "alignment targetUrl and targetName",
			files: map[string]string{"content/ecole/badges/niveaux.md": badgeWith(`alignments:
  - targetName: C1
    targetUrl: ftp://framework.example/c1
  - targetName: C2
    targetCode: C2
  - targetUrl: https://framework.example/c3
`)},
			want: []string{
				`content/ecole/badges/niveaux.md:7: alignment 1: targetUrl "ftp://framework.example/c1" is not an http(s) URL`,
				`content/ecole/badges/niveaux.md:8: alignment 2: targetUrl "" is not an http(s) URL`,
				`content/ecole/badges/niveaux.md:10: alignment 3 has no targetName`,
			},
		},
		{
			name:  "bad achievementType",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("achievementType: Certficate\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: unknown achievementType "Certficate"`},
			hints: []string{`did you mean "Certificate"?`},
		},
		{
			name:  "credits not a number",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("credits: trois\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: credits "trois" is not a number of ECTS credits`},
			hints: []string{"e.g. 3 or 1,5"},
		},
		{
			name:  "credits not positive",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("credits: 0\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: credits "0" is not a number of ECTS credits`},
		},
		{
			name:  "bad expires",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("tags: [a]\nexpires: 2 ans\n")},
			want:  []string{`content/ecole/badges/tutorat.md:6: expires "2 ans" is not a duration`},
			hints: []string{"ISO 8601 duration"},
		},
		{
			name:  "time-of-day expires",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("expires: PT12H\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: expires "PT12H" is not a duration`},
		},
		{
			name:  "badge translation in an unsupported language",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("translations:\n  en: {name: Tutoring}\n  de: {name: Nachhilfe}\n")},
			want:  []string{`content/ecole/badges/tutorat.md:7: unsupported language "de"`},
		},
		{
			name: "badge missing everything",
			files: map[string]string{
				"content/ecole/badges/vide.md": "---\ntags: [a]\n---\n",
			},
			want: []string{
				`content/ecole/badges/vide.md:2: missing name`,
				`content/ecole/badges/vide.md:2: missing description`,
				`content/ecole/badges/vide.md:2: missing image`,
				`content/ecole/badges/vide.md:2: missing criteria (the Markdown body is empty)`,
			},
		},
		{
			name: "badge file name not a slug",
			files: map[string]string{
				"content/ecole/badges/Tutorat_2.md": badgeWith(""),
			},
			want:  []string{`content/ecole/badges/Tutorat_2.md: badge file name "Tutorat_2" is not a valid slug`},
			hints: []string{"rename the file"},
		},

		// Front matter syntax.
		{
			name:  "missing front matter",
			files: map[string]string{"content/ecole/_space.md": "name: École\n---\n"},
			want:  []string{`content/ecole/_space.md:1: missing front matter`},
		},
		{
			name:  "unterminated front matter",
			files: map[string]string{"content/ecole/_space.md": "---\nname: École\nurl: https://www.ecole.example/\n"},
			want:  []string{`content/ecole/_space.md:1: unterminated front matter`},
		},
		{
			name: "YAML syntax error at its file line",
			files: map[string]string{"content/ecole/badges/tutorat.md": `---
name: Tutorat
description: Accompagner: des étudiants.
image: tutorat.svg
---
`},
			want: []string{
				`content/ecole/badges/tutorat.md:3: invalid YAML: mapping values are not allowed in this context`,
				// and nothing about the award rows of the unreadable badge
			},
		},
		{
			name:  "front matter is not a mapping",
			files: map[string]string{"content/ecole/_space.md": "---\n- a\n- b\n---\n"},
			want:  []string{`content/ecole/_space.md:2: expected a mapping of keys, found a list`},
		},
		{
			name:  "type error at its line",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("tags: {a: b}\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: cannot unmarshal !!map into []string`},
		},
		{
			name:  "type error in a level",
			files: map[string]string{"content/ecole/badges/niveaux.md": badgeWith("levels:\n  - id: or\n    name: [a, b]\n")},
			want: []string{
				`content/ecole/badges/niveaux.md:7: cannot unmarshal !!seq into string`,
				`content/ecole/badges/niveaux.md:6: level "or" has no name`,
			},
		},

		// Spaces.
		{
			name: "space email, url and telephone invalid",
			files: map[string]string{"content/ecole/_space.md": `---
name: École de test
url: www.ecole.example
email: badges at ecole.example
telephone: 05 61 00 00 00
---
`},
			want: []string{
				`content/ecole/_space.md:3: url "www.ecole.example" is not an http(s) URL`,
				`content/ecole/_space.md:4: email "badges at ecole.example" is not a valid e-mail address`,
				`content/ecole/_space.md:5: telephone "05 61 00 00 00" is not an E.164 number`,
			},
		},
		{
			name: "space theme colours that could inject CSS",
			files: map[string]string{"content/ecole/_space.md": `---
name: École de test
url: https://www.ecole.example/
email: badges@ecole.example
theme:
  primary: "red;} body{display:none"
  accent: "#12345"
---
`},
			want: []string{
				`content/ecole/_space.md:6: theme.primary "red;} body{display:none" is not a #rgb or #rrggbb colour`,
				`content/ecole/_space.md:7: theme.accent "#12345" is not a #rgb or #rrggbb colour`,
			},
			hints: []string{`write a hex colour such as "#000091"`},
		},
		{
			name:  "space theme with an unknown key",
			files: map[string]string{"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: badges@ecole.example\ntheme: {primary: \"#fff\", background: \"#000\"}\n---\n"},
			want:  []string{`content/ecole/_space.md:5: unknown key "theme.background"`},
		},
		{
			name:  "space LinkedIn organization id that is not a number",
			files: map[string]string{"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: badges@ecole.example\nlinkedin:\n  organizationId: \"ecole-de-test\"\n---\n"},
			want:  []string{`content/ecole/_space.md:6: linkedin.organizationId "ecole-de-test" is not a LinkedIn organization id`},
			hints: []string{"linkedin.com/company/<number>/admin"},
		},
		{
			name:  "space LinkedIn with an unknown key",
			files: map[string]string{"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: badges@ecole.example\nlinkedin: {organisationId: 1337}\n---\n"},
			want:  []string{`content/ecole/_space.md:5: unknown key "linkedin.organisationId"`, `content/ecole/_space.md:5: linkedin.organizationId "" is not a LinkedIn organization id`},
		},
		{
			name:  "space email with a display name",
			files: map[string]string{"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: Badges <badges@ecole.example>\n---\n"},
			want:  []string{`content/ecole/_space.md:4: email "Badges <badges@ecole.example>" is not a valid e-mail address`},
		},
		{
			name:  "space without a name, at the document start",
			files: map[string]string{"content/ecole/_space.md": "---\nurl: https://e.example/\nemail: badges@ecole.example\n---\n"},
			want:  []string{`content/ecole/_space.md:2: missing name`},
		},
		{
			name:  "space logo missing",
			files: map[string]string{"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: badges@ecole.example\nlogo: logo.png\n---\n"},
			want:  []string{`content/ecole/_space.md:5: logo file "logo.png" not found`},
		},
		{
			name:  "space logo outside the space",
			files: map[string]string{"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: badges@ecole.example\nlogo: ../reseau/logo.svg\n---\n"},
			want:  []string{`content/ecole/_space.md:5: logo "../reseau/logo.svg" must be a relative path inside the space`},
		},
		{
			name:  "space without _space.md",
			files: map[string]string{"content/labo/badges/x.svg": svg},
			want:  []string{`content/labo: space "labo" has no _space.md`},
		},
		{
			name:  "space folder name not a slug",
			files: map[string]string{"content/Labo/_space.md": "---\nname: L\n---\n"},
			want:  []string{`content/Labo: space folder name "Labo" is not a valid slug`},
		},
		{
			name: "unknown parent",
			files: map[string]string{
				"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: badges@ecole.example\nparent: reseaux\n---\n",
			},
			want:  []string{`content/ecole/_space.md:5: unknown parent space "reseaux"`},
			hints: []string{"parent must be the slug of another space folder"},
		},
		{
			name: "parent of itself",
			files: map[string]string{
				"content/ecole/_space.md": "---\nname: É\nurl: https://e.example/\nemail: badges@ecole.example\nparent: ecole\n---\n",
			},
			want: []string{`content/ecole/_space.md:5: unknown parent space "ecole"`},
		},
		{
			name: "no space at all",
			files: map[string]string{
				"content/ecole/_space.md":          "-",
				"content/ecole/badges/tutorat.md":  "-",
				"content/ecole/badges/tutorat.svg": "-",
				"content/ecole/awards/ok.csv":      "-",
				"content/":                         "",
			},
			want: []string{`content: no space found`},
		},
		{
			name: "no content folder",
			files: map[string]string{
				"content/ecole/_space.md":          "-",
				"content/ecole/badges/tutorat.md":  "-",
				"content/ecole/badges/tutorat.svg": "-",
				"content/ecole/awards/ok.csv":      "-",
			},
			want: []string{`content: cannot read the content folder: *`},
		},

		// Site configuration.
		{
			name:  "blason.yaml missing",
			files: map[string]string{"blason.yaml": "-"},
			want:  []string{`blason.yaml: no site configuration found`},
		},
		{
			name:  "blason.yaml missing baseURL",
			files: map[string]string{"blason.yaml": "title: Test\n"},
			want:  []string{`blason.yaml:1: missing baseURL`},
		},
		{
			name:  "baseURL not http(s)",
			files: map[string]string{"blason.yaml": "title: Test\nbaseURL: ftp://badges.example.fr/\n"},
			want:  []string{`blason.yaml:2: baseURL "ftp://badges.example.fr/" is not an absolute http(s) URL`},
		},
		{
			name:  "baseURL relative",
			files: map[string]string{"blason.yaml": "title: Test\nbaseURL: /badges/\n"},
			want:  []string{`blason.yaml:2: baseURL "/badges/" is not an absolute http(s) URL`},
		},
		{
			name:  "unsupported language",
			files: map[string]string{"blason.yaml": "title: Test\nbaseURL: https://b.example/\nlanguages:\n  - fr\n  - de\n"},
			want:  []string{`blason.yaml:5: unsupported language "de"`},
		},
		{
			name:  "language listed twice",
			files: map[string]string{"blason.yaml": "title: Test\nbaseURL: https://b.example/\nlanguages:\n  - fr\n  - en\n  - fr\n"},
			want:  []string{`blason.yaml:6: language "fr" listed twice`},
		},
		{
			name:  "site translation for a language not listed",
			files: map[string]string{"blason.yaml": "title: Test\nbaseURL: https://b.example/\nlanguages: [fr]\ntranslations:\n  en:\n    title: T\n"},
			want:  []string{`blason.yaml:5: translation for "en", which is not in languages`},
		},

		// Regressions of problems found in review.
		{
			name:  "more values than columns",
			files: map[string]string{"content/ecole/awards/ok.csv": "email,badge,date,evidence_narrative\nalice@example.org,tutorat,2025-01-10,Un an, deux groupes\n"},
			want:  []string{`content/ecole/awards/ok.csv:2: 5 values for 4 columns`},
			hints: []string{`quote values containing the separator ','`},
		},
		{
			name:  "zero validity",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("expires: P0D\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: expires "P0D" is not a duration`},
		},
		{
			name:  "absurd validity",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("expires: P99999999999999999999Y\n")},
			want:  []string{`content/ecole/badges/tutorat.md:5: expires "P99999999999999999999Y" is not a duration`},
		},
		{
			name:  "repeated key at its file line, without follow-up noise",
			files: map[string]string{"content/ecole/badges/tutorat.md": "---\nname: T\ndescription: D\nname: U\nimage: tutorat.svg\n---\nCritères.\n"},
			want:  []string{`content/ecole/badges/tutorat.md:4: mapping key "name" already defined at line 2`},
		},
		{
			name: "a template's mistakes are reported once, in the template",
			files: merge(reseauSpace, map[string]string{
				"content/reseau/badges/mentorat.md": "---\nname: Mentorat\ndescription: Guider.\nimage: mentorat.svg\nachievementType: Foo\n---\nCritères.\n",
				"content/ecole/badges/m.md":         "---\ntemplate: reseau/mentorat\n---\n",
			}),
			want: []string{`content/reseau/badges/mentorat.md:5: unknown achievementType "Foo"`},
		},

		{
			name:  "evidence carrying the recipient's identifiers",
			files: map[string]string{"content/ecole/awards/ok.csv": "email,name,badge,date,evidence_url,evidence_narrative\nalice@example.org,Alice Fictive,tutorat,2025-01-10,https://p.example/alice@example.org,Travail d'alice fictive\n"},
			want: []string{
				`content/ecole/awards/ok.csv:2: evidence_url contains the recipient's email`,
				`content/ecole/awards/ok.csv:2: evidence_narrative contains the recipient's email`, // "alice", the address's local part
				`content/ecole/awards/ok.csv:2: evidence_narrative contains the recipient's name`,
			},
		},
		{
			name: "suspension with the 1EdTech list",
			files: map[string]string{
				"blason.yaml":                   "title: Test\nbaseURL: https://badges.example.fr/\ncredentials:\n  status: 1edtech\n",
				"content/ecole/revocations.csv": "award,date,reason,action\naaaaaaaaaaaaaaaaaaaaaaaaaa,2025-02-01,enquête,suspend\n",
			},
			want: []string{`content/ecole/revocations.csv:2: action suspend is not available with credentials.status: 1edtech`},
		},
		{
			name:  "an e-mail in the badge column is not repeated",
			files: map[string]string{"content/ecole/awards/ok.csv": "badge,email,date\nalice@example.org,tutorat,2025-01-10\n"},
			want:  []string{`content/ecole/awards/ok.csv:2: unknown badge (value not shown: it does not look like one) in space ecole`, `content/ecole/awards/ok.csv:2: malformed e-mail address`},
		},

		// Award lists.
		{
			name:  "CSV without a required column",
			files: map[string]string{"content/ecole/awards/ok.csv": "email,date\nalice@example.org,2025-01-10\n"},
			want:  []string{`content/ecole/awards/ok.csv:1: missing column "badge"`},
		},
		{
			name:  "CSV with a column twice",
			files: map[string]string{"content/ecole/awards/ok.csv": "email,badge,date,email\na@example.org,tutorat,2025-01-10,b@example.org\n"},
			want:  []string{`content/ecole/awards/ok.csv:1: column "email" appears twice`},
		},
		{
			name:  "empty CSV",
			files: map[string]string{"content/ecole/awards/ok.csv": ""},
			want:  []string{`content/ecole/awards/ok.csv:1: cannot read the header: EOF`},
		},
		{
			name: "CSV with a stray quote",
			files: map[string]string{"content/ecole/awards/ok.csv": `email,badge,date
alice@example.org,tutorat,2025-01-10
bob@example.org,tu"torat,2025-01-10
`},
			want:  []string{`content/ecole/awards/ok.csv:3: bare " in non-quoted-field`},
			hints: []string{`quote values containing the separator ',' or quotes`},
		},
		{
			name: "no recipient, no badge, no date",
			files: map[string]string{"content/ecole/awards/ok.csv": `email,eppn,student_id,badge,date
,,,,
`},
			want: []string{
				`content/ecole/awards/ok.csv:2: no recipient identifier`,
				`content/ecole/awards/ok.csv:2: no badge`,
				`content/ecole/awards/ok.csv:2: no date`,
			},
		},
		{
			name: "malformed eppn and student_id with spaces",
			files: map[string]string{"content/ecole/awards/ok.csv": `eppn,student_id,badge,date
alice,,tutorat,2025-01-10
,12 345,tutorat,2025-01-10
`},
			want: []string{
				`content/ecole/awards/ok.csv:2: malformed eppn`,
				`content/ecole/awards/ok.csv:3: malformed student_id`,
			},
		},
		{
			// Each row hides an identifier in a form the literal comparison
			// missed: URL-encoded (once, twice), an HTML character
			// reference, the local part of the address, the name without
			// accents, in the other order, or written as one word.
			name: "evidence carrying the recipient's identifiers in other forms",
			files: map[string]string{"content/ecole/awards/ok.csv": `email,eppn,student_id,name,badge,date,evidence_url,evidence_narrative
camille.martin@example.org,,,,tutorat,2025-01-10,https://p.example/u/camille.martin%40example.org,
camille.martin@example.org,,,,tutorat,2025-01-11,https://p.example/?who=camille.martin%2540example.org,
camille.martin@example.org,,,,tutorat,2025-01-12,,Contact : camille.martin&#64;example.org
camille.martin@example.org,,,,tutorat,2025-01-13,https://portfolio.example/camille.martin/,
,cmartin42@univ.example,,,tutorat,2025-01-14,https://moodle.example/user/CMARTIN42,
camille.martin@example.org,,,Élodie Müller-Nguyễn,tutorat,2025-01-15,,Travail d'elodie muller nguyen
camille.martin@example.org,,,Élodie Müller,tutorat,2025-01-16,,"Rapport de MÜLLER, Élodie"
camille.martin@example.org,,,Zoé Lœuvre,tutorat,2025-01-17,https://github.example/zoeloeuvre,
camille.martin@example.org,,,Zoé Lœuvre,tutorat,2025-01-18,,"Présenté par  Zoé
 Lœuvre"
camille.martin@example.org,,2100%0042,,tutorat,2025-01-19,https://sis.example/?id%3D21000042,
`},
			want: []string{
				`content/ecole/awards/ok.csv:2: evidence_url contains the recipient's email`,
				`content/ecole/awards/ok.csv:3: evidence_url contains the recipient's email`,
				`content/ecole/awards/ok.csv:4: evidence_narrative contains the recipient's email`,
				`content/ecole/awards/ok.csv:5: evidence_url contains the recipient's email`,
				`content/ecole/awards/ok.csv:6: evidence_url contains the recipient's eppn`,
				`content/ecole/awards/ok.csv:7: evidence_narrative contains the recipient's name`,
				`content/ecole/awards/ok.csv:8: evidence_narrative contains the recipient's name`,
				`content/ecole/awards/ok.csv:9: evidence_url contains the recipient's name`,
				`content/ecole/awards/ok.csv:10: evidence_narrative contains the recipient's name`,
				`content/ecole/awards/ok.csv:12: malformed student_id`,
			},
			others: true,
		},
		{
			// The evidence check does not fire on mere resemblance: short
			// local parts, name parts of two letters, a name's words apart,
			// a local part inside a longer word.
			name: "evidence resembling the recipient's identifiers",
			files: map[string]string{
				"content/ecole/awards/ok.csv": `email,name,badge,date,evidence_url,evidence_narrative
jo@example.org,Li Na,tutorat,2025-01-10,https://moodle.example/linalg/na?lina=1,"Analyse linéaire, nature des sols ; jo et li"
c.martin@example.org,Camille Martin,tutorat,2025-01-11,,Camille a présenté avec l'équipe de Martin
alice@example.org,Bob,tutorat,2025-01-12,https://malice.example/bobine,Malicette
`,
				"content/ecole/badges/tutorat.md": "---\nname: Tutorat\ndescription: Accompagner des étudiants.\nimage: tutorat.svg\n---\nCritères.\n",
				"content/ecole/awards/z.csv":      "email,badge,date\nnot-an-address,tutorat,2025-01-10\n",
			},
			want: []string{`content/ecole/awards/z.csv:2: malformed e-mail address`},
		},
		{
			name: "recipient known only by a student number",
			files: map[string]string{
				"content/ecole/badges/mentorat.md": "---\nname: Mentorat\ndescription: Guider un pair.\nimage: tutorat.svg\n---\nCritères.\n",
				"content/ecole/awards/ok.csv": `email,student_id,badge,date
alice@example.org,21000042,tutorat,2025-01-10
,21000042,mentorat,2025-02-10
,21000043,tutorat,2025-02-10
`},
			want: []string{
				`content/ecole/awards/ok.csv:3: recipient known only by a student number: its published hash can be reversed by hashing every student number`,
				`content/ecole/awards/ok.csv:4: recipient known only by a student number: its published hash can be reversed by hashing every student number`,
			},
			hints: []string{
				"add the recipient's e-mail (column email) or eppn (column eppn), as the same recipient's row content/ecole/awards/ok.csv:2 has",
				"`credentials.allowStudentNumberOnly: true` in blason.yaml",
			},
		},
		{
			name: "evidence_url not http(s)",
			files: map[string]string{"content/ecole/awards/ok.csv": `email,badge,date,evidence_url
alice@example.org,tutorat,2025-01-10,javascript:alert(1)
bob@example.org,tutorat,2025-01-10,https://
`},
			want: []string{
				`content/ecole/awards/ok.csv:2: evidence_url is not an http(s) URL`,
				`content/ecole/awards/ok.csv:3: evidence_url is not an http(s) URL`,
			},
		},
		{
			name: "bad dates",
			files: map[string]string{"content/ecole/awards/ok.csv": `email,badge,date,expires
a@example.org,tutorat,01/13/2025,
b@example.org,tutorat,2025-01-10,2025-01-10
c@example.org,tutorat,2025-01-10,demain
d@example.org,tutorat,2025-02-30,
`},
			want: []string{
				`content/ecole/awards/ok.csv:2: date "01/13/2025" does not exist: there is no month 13`,
				`content/ecole/awards/ok.csv:3: expires 2025-01-10 is not after date 2025-01-10`,
				`content/ecole/awards/ok.csv:4: expires (value not shown: it does not look like one) is not a date`,
				`content/ecole/awards/ok.csv:5: date "2025-02-30" does not exist: month 02 of 2025 has 28 days`,
			},
		},
		{
			name: "level given for a badge without levels",
			files: map[string]string{"content/ecole/awards/ok.csv": `email,badge,level,date
alice@example.org,tutorat,or,2025-01-10
`},
			want: []string{`content/ecole/awards/ok.csv:2: badge "tutorat" has no levels, but level "or" is given`},
		},
		{
			name: "no level for a badge with levels",
			files: map[string]string{
				"content/ecole/badges/niveaux.md": badgeWith("levels:\n  - id: or\n    name: Or\n"),
				"content/ecole/awards/ok.csv":     "email,badge,level,date\nalice@example.org,niveaux,,2025-01-10\n",
			},
			want:  []string{`content/ecole/awards/ok.csv:2: badge "niveaux" is awarded per level; the level column is empty`},
			hints: []string{"levels of niveaux: or"},
		},
		{
			name: "duplicate award through another identifier, across files",
			files: map[string]string{
				"content/ecole/awards/ok.csv": "email,eppn,badge,date\nalice@example.org,alice@univ.example.fr,tutorat,2025-01-10\n",
				"content/ecole/awards/z.csv":  "eppn,badge,date\n\nalice@univ.example.fr,tutorat,10/01/2025\n",
			},
			want: []string{`content/ecole/awards/z.csv:3: duplicate award of tutorat to the same recipient on 2025-01-10, first awarded at content/ecole/awards/ok.csv:2`},
		},

		// Revocations.
		{
			name: "revocation of one award twice",
			files: map[string]string{"content/ecole/revocations.csv": `award,date,reason
aaaaaaaaaaaaaaaaaaaaaaaaaa,2025-02-01,erreur
aaaaaaaaaaaaaaaaaaaaaaaaaa,2025-02-02,encore
`},
			want:  []string{`content/ecole/revocations.csv:3: award aaaaaaaaaaaaaaaaaaaaaaaaaa already revoked at line 2`},
			hints: []string{"keep one line per revoked award"},
		},
		{
			name: "revocation without a reason column, or dated in the future",
			files: map[string]string{
				"content/ecole/revocations.csv": "award,date\naaaaaaaaaaaaaaaaaaaaaaaaaa,2025-02-01\n",
				"content/reseau/_space.md":      reseauSpace["content/reseau/_space.md"],
				"content/reseau/revocations.csv": "award,date,reason\n" +
					"aaaaaaaaaaaaaaaaaaaaaaaaaa,2026-01-16,x\n" +
					"aaaaaaaaaaaaaaaaaaaaaaaaaa,le 2 mars,x\n",
			},
			want: []string{
				`content/ecole/revocations.csv:1: missing column "reason"`,
				`content/reseau/revocations.csv:2: date 2026-01-16 is in the future`,
				`content/reseau/revocations.csv:3: date (value not shown: it does not look like one) is not a date`,
			},
		},
		{
			name:        "revocation dated before the award",
			files:       map[string]string{"content/ecole/revocations.csv": "award,date,reason\n" + aliceID + ",2025-01-09,erreur\n"},
			want:        []string{`content/ecole/revocations.csv:2: revocation dated before the award`},
			hints:       []string{"a revocation comes after the award (2025-01-10)"},
			afterSecret: true,
		},
		{
			name: "revocation naming an award of another space",
			files: merge(reseauSpace, map[string]string{
				"content/reseau/revocations.csv": "award,date,reason\n\n" + aliceID + ",2025-02-01,erreur\n",
			}),
			want:        []string{`content/reseau/revocations.csv:3: no award of space reseau has id ` + aliceID},
			afterSecret: true,
		},
	}, microErrCases()...) // microcred_test.go
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range errCases() {
		t.Run(tc.name, func(t *testing.T) {
			site, sc, err := loadFiles(t, merge(baseSite, tc.files))
			if err == nil {
				t.Fatalf("Load succeeded (%d spaces), want errors %q", len(site.Spaces), tc.want)
			}
			if site != nil {
				t.Errorf("Load returned a site along with its errors")
			}
			items, lines := diagLines(t, err)
			matches := func(w, l string) bool {
				if p, ok := strings.CutSuffix(w, "*"); ok {
					return strings.HasPrefix(l, p)
				}
				return l == w
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return matches(w, l) }) {
					t.Errorf("missing problem\n\t%s\ngot:\n\t%s", w, strings.Join(lines, "\n\t"))
				}
			}
			if !tc.others {
				for _, l := range lines {
					if !slices.ContainsFunc(tc.want, func(w string) bool { return matches(w, l) }) {
						t.Errorf("unexpected problem\n\t%s", l)
					}
				}
			}
			for _, h := range tc.hints {
				if !slices.ContainsFunc(items, func(d diag.Diagnostic) bool { return strings.Contains(d.Hint, h) }) {
					t.Errorf("no hint contains %q; got:\n%v", h, err)
				}
			}
			// Secrets are read (and created) only for content that is otherwise valid.
			if tc.afterSecret {
				if len(sc.spaces) == 0 {
					t.Errorf("want Secret called before this check, got no call")
				}
			} else if len(sc.spaces) != 0 {
				t.Errorf("Secret called for %v although the content has errors", sc.spaces)
			}
		})
	}
}
