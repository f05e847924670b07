package content

import (
	"strings"
	"testing"
	"time"
)

// importSite is baseSite with the space's import settings set to imp
// (YAML lines under `import:`) and one award list.
func importSite(imp, csv string) map[string]string {
	return merge(baseSite, map[string]string{
		"content/ecole/_space.md":         "---\nname: École de test\nurl: https://www.ecole.example/\nemail: badges@ecole.example\nimport:\n" + imp + "---\nUne école.\n",
		"content/ecole/awards/ok.csv":     "-",
		"content/ecole/awards/export.csv": csv,
	})
}

// TestImportPresets reads the docs' example exports (docs/content.md).
func TestImportPresets(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name, imp, csv                  string
		email, studentID, recipientName string
		date                            time.Time
		narrative                       string
	}{
		{
			name: "Pégase", imp: "  preset: pegase\n  columns:\n    Commentaire jury: evidence_narrative\n  badge: tutorat\n  date: 30/06/2025\n",
			csv:   "Code apprenant;INE;Nom usuel;Prénom;Mail;Résultat;Commentaire jury\n23001;123456789AB;Leroy;Zoé;zoe@univ.example.fr;Admis;Très impliquée : maîtrise des gestes\n",
			email: "zoe@univ.example.fr", studentID: "23001", recipientName: "Zoé Leroy", date: day(2025, 6, 30), narrative: "Très impliquée : maîtrise des gestes",
		},
		{
			name: "Apogée", imp: "  preset: apogee\n  columns:\n    MAIL_ETU: email\n    DAT_OBT: date\n  badge: tutorat\n",
			csv:   "COD_ETU;LIB_NOM_PAT_IND;LIB_PR1_IND;COD_NNE_IND;MAIL_ETU;DAT_OBT\n21000042;MARTIN;Camille;123456789AB;camille.martin@etu.univ.example.fr;15/12/2024\n",
			email: "camille.martin@etu.univ.example.fr", studentID: "21000042", recipientName: "Camille MARTIN", date: day(2024, 12, 15),
		},
		{
			name: "Moodle gradebook", imp: "  preset: moodle-grades\n  badge: tutorat\n  date: 2025-06-13\n",
			csv:   "Prénom,Nom,Numéro d'identification,Institution,Département,Adresse de courriel,Test : Quiz final (Réel),Total du cours (Réel),Dernier téléchargement depuis ce cours\nCamille,Martin,21000042,,,camille.martin@etu.univ.example.fr,18.00,18.00,1749800000\n",
			email: "camille.martin@etu.univ.example.fr", studentID: "21000042", recipientName: "Camille Martin", date: day(2025, 6, 13),
		},
		{
			name: "no preset: columns and a fixed badge, other columns ignored", imp: "  columns:\n    Identifiant ENT: eppn\n    Groupe: \"-\"\n  ignoreOtherColumns: true\n  badge: tutorat\n",
			csv:  "Identifiant ENT;Groupe;Date;Divers\ncm42@univ.example.fr;G1;01/02/2025;x\n",
			date: day(2025, 2, 1),
		},
		{
			name: "empty columns Excel leaves after the last one", imp: "  badge: tutorat\n",
			csv: "E-mail;Date;;\r\nzoe@univ.example.fr;01/02/2025;;\r\n", email: "zoe@univ.example.fr", date: day(2025, 2, 1),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site, _, err := loadFiles(t, importSite(tc.imp, tc.csv))
			if err != nil {
				t.Fatal(err)
			}
			aw := site.Spaces[0].Awards
			if len(aw) != 1 {
				t.Fatalf("%d awards", len(aw))
			}
			a := aw[0]
			r := a.Recipient
			if r.Email != tc.email || r.StudentID != tc.studentID || r.Name != tc.recipientName || a.Badge.Slug != "tutorat" || !a.Date.Equal(tc.date) || a.EvidenceNarrative != tc.narrative {
				t.Errorf("got %+v, badge %s, date %v, narrative %q", r, a.Badge.Slug, a.Date, a.EvidenceNarrative)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	for _, tc := range []struct{ name, imp, csv, want string }{
		{"other columns are errors without ignoreOtherColumns", "  badge: tutorat\n", "email;date;Groupe\na@example.org;2025-01-10;G1\n",
			`content/ecole/awards/export.csv:1: unknown column "Groupe"`},
		{"a preset's ignoreOtherColumns can be turned off", "  preset: pegase\n  ignoreOtherColumns: false\n  badge: tutorat\n", "Mail;Date;Groupe\na@example.org;2025-01-10;G1\n",
			`content/ecole/awards/export.csv:1: unknown column "Groupe"`},
		{"no badge column and no fixed badge", "  ignoreOtherColumns: true\n", "email;date\na@example.org;2025-01-10\n",
			`content/ecole/awards/export.csv:1: missing column "badge"`},
		{"fixed badge unknown in the space", "  badge: inconnu\n", "email;date\na@example.org;2025-01-10\n",
			`content/ecole/awards/export.csv:2: unknown badge "inconnu" in space ecole`},
		{"bad fixed date", "  date: 31/02/2025\n", "email;date\na@example.org;2025-01-10\n",
			`content/ecole/_space.md:6: import.date "31/02/2025" does not exist: month 02 of 2025 has 28 days`},
		{"a value under an empty header cell", "  badge: tutorat\n", "email;date;;\na@example.org;2025-01-10;;\nb@example.org;2025-01-10;;x\n",
			`content/ecole/awards/export.csv:3: a value in column 4, which has no name in the header line`},
		{"a mapped field twice", "  columns:\n    Mail perso: email\n", "Mail perso;Courriel;badge;date\na@example.org;a@example.org;tutorat;2025-01-10\n",
			`content/ecole/awards/export.csv:1: columns "Mail perso" and "Courriel" both give email`},
		{"the same export column twice", "  columns:\n    Mail perso: email\n    MAIL PERSO: email\n", "email;badge;date\na@example.org;tutorat;2025-01-10\n",
			`content/ecole/_space.md:7: columns "MAIL PERSO" and "Mail perso" are the same column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadFiles(t, importSite(tc.imp, tc.csv))
			if err == nil {
				t.Fatal("loaded")
			}
			_, lines := diagLines(t, err)
			if !strings.Contains(strings.Join(lines, "\n"), tc.want) {
				t.Errorf("want %q, got:\n%s", tc.want, strings.Join(lines, "\n"))
			}
		})
	}
}

// TestRenewal: the same badge to the same recipient at two dates gives
// two awards with distinct ids; at one date (written two ways, through
// another identifier) a duplicate.
func TestRenewal(t *testing.T) {
	site, _, err := loadFiles(t, merge(baseSite, map[string]string{
		"content/ecole/awards/ok.csv": "email,eppn,badge,date\nalice@example.org,a1@univ.example.fr,tutorat,2023-11-22\nalice@example.org,,tutorat,2025-11-19\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	aw := site.Spaces[0].Awards
	if len(aw) != 2 || aw[0].ID == aw[1].ID || aw[0].ID == "" {
		t.Fatalf("awards %+v", aw)
	}
	_, _, err = loadFiles(t, merge(baseSite, map[string]string{
		"content/ecole/awards/ok.csv": "email,eppn,badge,date\nalice@example.org,a1@univ.example.fr,tutorat,2025-11-19\n,a1@univ.example.fr,tutorat,19/11/2025\n",
	}))
	if err == nil {
		t.Fatal("a true duplicate loaded")
	}
	if _, lines := diagLines(t, err); len(lines) != 1 || lines[0] != "content/ecole/awards/ok.csv:3: duplicate award of tutorat to the same recipient on 2025-11-19, first awarded at content/ecole/awards/ok.csv:2" {
		t.Errorf("got %q", lines)
	}
}
