package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/model"
)

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`

// fixture is a school with a two-competency framework, badges for both,
// a cohort roster of four students and awards:
//   - Alice holds Compétent in C1 and Avancé in C2: complete;
//   - Bob holds Compétent in C1 only (C2 at Intermédiaire): missing C2;
//   - Chloé is known under her e-mail in the roster and her student number
//     in an award row, linked by a row carrying both: Compétent in C1 and
//     C2, but her C2 Compétent is revoked: missing C2;
//   - Dan has no badge at all: missing both.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		// Chloé's rows with only her student number need the setting.
		"blason.yaml": "title: Test\nbaseURL: https://badges.example.fr/\ncredentials: {allowStudentNumberOnly: true}\n",
		"content/_frameworks/ref.yaml": `name: Référentiel
updated: 2025-09-01
levels:
  - {id: novice, name: Novice}
  - {id: intermediaire, name: Intermédiaire}
  - {id: competent, name: Compétent}
  - {id: avance, name: Avancé}
competencies:
  - {id: c1, code: C1, name: Innover}
  - {id: c2, code: C2, name: Piloter}
`,
		"content/ecole/_space.md":       "---\nname: École\nurl: https://ecole.example/\nemail: badges@ecole.example\n---\n",
		"content/ecole/badges/b.svg":    svg,
		"content/ecole/badges/c1.md":    "---\nname: Innover\ndescription: C1.\nimage: b.svg\ncompetency: ref/c1\n---\nDans l'ordre.\n",
		"content/ecole/badges/c2.md":    "---\nname: Piloter\ndescription: C2.\nimage: b.svg\ncompetency: ref/c2\n---\nDans l'ordre.\n",
		"content/ecole/badges/autre.md": "---\nname: Autre\ndescription: Autre.\nimage: b.svg\n---\nAutre.\n",
		"content/ecole/awards/a.csv": "email,student_id,name,badge,level,date\n" +
			"alice@example.org,,Alice A,c1,novice,2025-01-10\n" +
			"alice@example.org,,Alice A,c1,intermediaire,2025-02-10\n" +
			"alice@example.org,,Alice A,c1,competent,2025-03-10\n" +
			"alice@example.org,,Alice A,c2,novice,2025-01-10\n" +
			"alice@example.org,,Alice A,c2,intermediaire,2025-02-10\n" +
			"alice@example.org,,Alice A,c2,competent,2025-03-10\n" +
			"alice@example.org,,Alice A,c2,avance,2025-04-10\n" +
			"bob@example.org,,Bob B,c1,novice,2025-01-10\n" +
			"bob@example.org,,Bob B,c1,intermediaire,2025-01-10\n" +
			"bob@example.org,,Bob B,c1,competent,2025-01-10\n" +
			"bob@example.org,,Bob B,c2,novice,2025-01-10\n" +
			"bob@example.org,,Bob B,c2,intermediaire,2025-01-10\n" +
			"chloe@example.org,2100,Chloé C,autre,,2025-01-10\n" +
			",2100,Chloé C,c1,novice,2025-01-10\n" +
			",2100,Chloé C,c1,intermediaire,2025-01-10\n" +
			",2100,Chloé C,c1,competent,2025-01-10\n" +
			",2100,Chloé C,c2,novice,2025-01-10\n" +
			",2100,Chloé C,c2,intermediaire,2025-01-10\n" +
			",2100,Chloé C,c2,competent,2025-01-10\n" +
			"eve@example.org,,Eve E,c1,novice,2025-01-10\n",
		"content/ecole/cohorts/promo-2026.csv": "email,name\nalice@example.org,Alice A\nbob@example.org,Bob B\nchloe@example.org,Chloé C\ndan@example.org,Dan D\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestJuryReport(t *testing.T) {
	dir := fixture(t)
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	secret := []byte("0123456789abcdef0123456789abcdef")
	site, err := content.Load(dir, content.Options{Now: now, Secret: func(string) ([]byte, error) { return secret, nil }})
	if err != nil {
		t.Fatal(err)
	}
	// Revoke Chloé's C2 Compétent.
	sp := site.Spaces[0]
	for _, a := range sp.Awards {
		if a.Recipient.StudentID == "2100" && a.Badge.Slug == "c2" && a.Level.ID == "competent" {
			sp.Revocations[a.ID] = modelRevocation(a.ID)
		}
	}
	reps, err := Build(site, dir, Options{AsOf: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || len(reps[0].Cohorts) != 1 {
		t.Fatalf("reports: %+v", reps)
	}
	var b bytes.Buffer
	if err := reps[0].CSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffcohort;name;email;eppn;student_id;complete;missing;C1;C2\n" +
		"promo-2026;Alice A;alice@example.org;;;oui;;competent;avance\n" +
		"promo-2026;Bob B;bob@example.org;;;non;C2;competent;intermediaire\n" +
		"promo-2026;Chloé C;chloe@example.org;;2100;non;C2;competent;intermediaire\n" +
		"promo-2026;Dan D;dan@example.org;;;non;C1 C2;;\n"
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
	// Another level: Avancé is held by nobody in C1.
	reps2, err := Build(site, dir, Options{Level: "avance", AsOf: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range reps2[0].Cohorts[0].Rows {
		if row.Complete {
			t.Errorf("%s complete at avance", row.Person.Name)
		}
	}
	// Before Alice's C1 Compétent (2025-03-10), she is not complete.
	reps3, _ := Build(site, dir, Options{AsOf: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)})
	if r := reps3[0].Cohorts[0].Rows[0]; r.Person.Name != "Alice A" || r.Complete || strings.Join(r.Missing, " ") != "C1 C2" {
		t.Errorf("as of 2025-03-01: %+v", r)
	}
	// Without rosters: every recipient of the framework's badges (Eve too, Dan not).
	os.RemoveAll(filepath.Join(dir, "content/ecole/cohorts"))
	reps4, _ := Build(site, dir, Options{AsOf: now})
	var names []string
	for _, r := range reps4[0].Cohorts[0].Rows {
		names = append(names, r.Person.Name)
	}
	if got := strings.Join(names, ","); got != "Alice A,Bob B,Chloé C,Eve E" || reps4[0].Cohorts[0].Name != "all" {
		t.Errorf("cohort all: %s", got)
	}

	var h bytes.Buffer
	if err := reps[0].HTML(&h); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Cohorte promo-2026", "1 sur 4 étudiant(s)", "Dan D", `<td class="ko">non</td>`, "noindex"} {
		if !strings.Contains(h.String(), s) {
			t.Errorf("HTML lacks %q", s)
		}
	}

	// Reports are never written inside the site folder.
	siteDir := filepath.Join(dir, "site")
	if _, err := Write(reps, filepath.Join(siteDir, "rapports"), []string{siteDir}); err == nil || !strings.Contains(err.Error(), "never be published") {
		t.Errorf("write inside the site folder: %v", err)
	}
	files, err := Write(reps, filepath.Join(dir, "reports"), []string{siteDir})
	if err != nil || len(files) != 2 || !strings.HasSuffix(files[0], "ecole-ref-competent.csv") {
		t.Errorf("Write: %v %v", files, err)
	}
	if _, err := os.Stat(siteDir); err == nil {
		t.Error("the site folder was created")
	}

	// Errors name what to choose.
	if _, err := Build(site, dir, Options{Level: "expert", AsOf: now}); err == nil || !strings.Contains(err.Error(), "novice, intermediaire, competent, avance") {
		t.Errorf("unknown level: %v", err)
	}
}

func modelRevocation(id string) model.Revocation {
	return model.Revocation{AwardID: id, Date: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Reason: "Erreur de saisie"}
}

// TestFormulaNamesAreNeutralised: names typed as spreadsheet formulas in an
// award list or a cohort roster come out of the report CSV as text.
func TestFormulaNamesAreNeutralised(t *testing.T) {
	dir := fixture(t)
	hostile := `=HYPERLINK("http://x","y")`
	edit := func(name, old, new string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p, []byte(strings.ReplaceAll(string(b), old, new)), 0o644)
	}
	quoted := `"` + strings.ReplaceAll(hostile, `"`, `""`) + `"`
	edit("content/ecole/awards/a.csv", "Eve E", quoted)                                       // award list: cohort "all"
	edit("content/ecole/cohorts/promo-2026.csv", "Dan D", `"+HYPERLINK(""http://x"",""y"")"`) // roster
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	secret := []byte("0123456789abcdef0123456789abcdef")
	site, err := content.Load(dir, content.Options{Now: now, Secret: func(string) ([]byte, error) { return secret, nil }})
	if err != nil {
		t.Fatal(err)
	}
	csvOf := func() string {
		reps, err := Build(site, dir, Options{AsOf: now})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := reps[0].CSV(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	roster := csvOf()
	if want := "\n" + `promo-2026;"'+HYPERLINK(""http://x"",""y"")";dan@example.org;;;non;C1 C2;;` + "\n"; !strings.Contains(roster, want) {
		t.Errorf("roster name not neutralised:\n%s\nwant a line %q", roster, want)
	}
	os.RemoveAll(filepath.Join(dir, "content/ecole/cohorts"))
	all := csvOf()
	if want := "\n" + `all;"'=HYPERLINK(""http://x"",""y"")";eve@example.org;;;non;C1 C2;novice;` + "\n"; !strings.Contains(all, want) {
		t.Errorf("award-list name not neutralised:\n%s\nwant a line %q", all, want)
	}
	for _, out := range []string{roster, all} {
		for _, line := range strings.Split(out, "\n") {
			for _, cell := range strings.Split(line, ",") {
				if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, `"=`) || strings.HasPrefix(cell, `"+`) {
					t.Errorf("formula cell %q in %q", cell, line)
				}
			}
		}
	}
}

// TestRosterLimits: roster cells over their limit are reported at their line.
func TestRosterLimits(t *testing.T) {
	dir := fixture(t)
	p := filepath.Join(dir, "content/ecole/cohorts/promo-2026.csv")
	os.WriteFile(p, []byte("email,name\nalice@example.org,Alice A\nbob@example.org,"+strings.Repeat("B", 201)+"\n"), 0o644)
	_, err := ReadRosters(dir, "ecole")
	if err == nil || !strings.Contains(err.Error(), "content/ecole/cohorts/promo-2026.csv:3: column name is 201 characters long, more than 200") {
		t.Errorf("got %v", err)
	}
	// An unclosed quote followed by 9 MiB of text: reading stops after
	// 8 MiB. (NUL bytes, as in a sparse file, stop the decoder first.)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("email,name\nalice@example.org,Alice A\nbob@example.org,\"Bob")
	chunk := strings.Repeat("texte sans fin ", 4<<10)
	for n := 0; n < 9<<20; n += len(chunk) {
		f.WriteString(chunk)
	}
	f.Close()
	_, err = ReadRosters(dir, "ecole")
	if err == nil || !strings.Contains(err.Error(), "content/ecole/cohorts/promo-2026.csv:3: row longer than 8 MiB") {
		t.Errorf("got %v", err)
	}
}
