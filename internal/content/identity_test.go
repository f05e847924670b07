package content

import (
	"slices"
	"testing"

	"github.com/francebadge/blason/internal/model"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"Alice.Fictive@Example.ORG":     "alice fictive example org",
		"  Élise  D'ARC-Œuvre ":         "elise d arc oeuvre",
		"Müller\u00a0Nguyễn\tß":         "muller nguyen ss",
		"E\u0301lodie":                  "elodie", // decomposed accent
		"ﬁnal Ｆｕｌｌ":                     "final full",
		"a%40b":                         "a 40b",
		"Łukasz Øster Đorđe":            "lukasz oster dorde",
		"21000042":                      "21000042",
		"--":                            "",
		"Ἀθῆναι":                        "αθηναι",
		"\xff\xfeinvalid":               "invalid",
		"Étudiante Fictive 0002, ok !!": "etudiante fictive 0002 ok",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		"a%40b":            "a@b",
		"a%2540b":          "a@b",
		"a%252540b":        "a@b",
		"100% réussi":      "100% réussi",
		"%zz%4":            "%zz%4",
		"a&#64;b &commat;": "a@b @",
		"id%3D21000042":    "id=21000042",
		"caf%C3%A9":        "café",
	} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEvidenceCheck: every form of an identifier a reader would recognise
// is found (each bypass of the literal comparison has its row), and mere
// resemblance is not.
func TestEvidenceCheck(t *testing.T) {
	camille := model.Identity{Email: "camille.martin@example.org", EPPN: "cmartin42@univ.example.fr", StudentID: "21000042", Name: "Camille Martin"}
	elodie := model.Identity{Email: "e.muller@example.org", Name: "Élodie Müller-Nguyễn"}
	// Camille's address is made of her name, as most are: what shows one
	// shows the other.
	both := []string{"email", "name"}
	short := model.Identity{Email: "jo@example.org", EPPN: "li@univ.example", Name: "Li Na"}
	tests := []struct {
		name  string
		who   model.Identity
		value string
		want  []string
	}{
		// What the literal comparison found.
		{"literal e-mail", camille, "https://p.example/camille.martin@example.org", both},
		{"literal name", camille, "Travail de Camille Martin", both},
		{"literal student number", camille, "https://sis.example/?id=21000042", []string{"student_id"}},
		{"literal eppn", camille, "cmartin42@univ.example.fr", []string{"eppn"}},
		// Case and white space.
		{"upper case", camille, "CAMILLE.MARTIN@EXAMPLE.ORG", both},
		{"spaces collapsed", camille, "Camille \u00a0\t  Martin", both},
		{"line break", camille, "Camille\nMartin", both},
		// Encodings.
		{"URL-encoded @", camille, "https://p.example/camille.martin%40example.org", both},
		{"URL-encoded twice", camille, "https://p.example/?u=camille.martin%2540example.org", both},
		{"URL-encoded name", camille, "https://p.example/Camille%20Martin", both},
		{"query plus", camille, "https://p.example/?q=camille+martin", both},
		{"encoded student number", camille, "https://sis.example/?id%3D21000042", []string{"student_id"}},
		{"HTML reference", camille, "camille.martin&#64;example.org", both},
		// Local parts.
		{"e-mail local part", camille, "https://portfolio.example/camille.martin/", both},
		{"e-mail local part joined", camille, "https://git.example/camillemartin", []string{"email", "name"}},
		{"eppn local part", camille, "https://moodle.example/user/CMARTIN42", []string{"eppn"}},
		// Accents, order.
		{"accents dropped", elodie, "Travail d'Elodie Muller Nguyen", []string{"name"}},
		{"accents decomposed", elodie, "E\u0301lodie Mu\u0308ller-Nguye\u0302\u0303n", []string{"name"}},
		{"family name first", elodie, "MÜLLER-NGUYỄN Élodie", []string{"name"}},
		{"family name first, comma", camille, "Rapport de Martin, Camille", []string{"name"}},
		{"name joined reversed", camille, "https://p.example/martincamille", []string{"name"}},
		// Resemblance only.
		{"name words apart", camille, "Camille a présenté avec l'équipe de Martin", nil},
		{"local part inside a word", model.Identity{Email: "alice@example.org"}, "Malicette et https://malice.example/", nil},
		{"short local parts", short, "Projet jo, li et na : analyse linéaire, nature des sols", nil},
		{"two-letter name parts", short, "https://moodle.example/linalg/na?lina=1", nil},
		{"single name inside a word", model.Identity{Email: "x@example.org", Name: "Bob"}, "bobine", nil},
		{"single name as a word", model.Identity{Email: "x@example.org", Name: "Bob"}, "avec Bob", []string{"name"}},
		{"other student number", camille, "id=21000043", nil},
		{"percent signs", camille, "100% réussi, 50%%", nil},
		{"empty", camille, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := columns(newEvidenceCheck(tt.who).find(tt.value))
			if !slices.Equal(got, tt.want) {
				t.Errorf("find(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

// TestStudentNumberOnlyAccepted: the site setting accepts recipients known
// only by a student number, and the model carries it.
func TestStudentNumberOnlyAccepted(t *testing.T) {
	site, _, err := loadFiles(t, merge(baseSite, map[string]string{
		"blason.yaml":                 "title: Test\nbaseURL: https://badges.example.fr/\ncredentials:\n  allowStudentNumberOnly: true\n",
		"content/ecole/awards/ok.csv": "student_id,badge,date\n21000042,tutorat,2025-01-10\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !site.Credentials.AllowStudentNumberOnly || len(site.Spaces[0].Awards) != 1 {
		t.Fatalf("credentials %+v, %d awards", site.Credentials, len(site.Spaces[0].Awards))
	}
}

// BenchmarkEvidenceCheck is the evidence check of one row with an e-mail,
// an eppn, a name and two evidence values, one with accents.
func BenchmarkEvidenceCheck(b *testing.B) {
	r := model.Identity{Email: "etudiant.0042@example.org", EPPN: "e0042@ecole.example", StudentID: "21000042", Name: "Étudiante Fictive 0042"}
	var c evidenceCheck
	for b.Loop() {
		c.reset(r)
		c.find("https://moodle.ecole.example/mod/assign/view.php?id=46354")
		c.find("Projet S6 : planning, jalons tenus et retour d'expérience d'équipe.")
	}
}
