package content

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/model"
)

// fuzzSite writes baseSite (and extra) into a folder for a fuzz target,
// which then rewrites one file per input.
func fuzzSite(f *testing.F, extra map[string]string) string {
	dir := f.TempDir()
	for name, body := range merge(baseSite, extra) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	return dir
}

// fuzzLoad writes b as the file rel of the site in dir and loads it. It
// checks what holds of every load: problems are file:line diagnostics, and
// those of rel point at one of its lines.
func fuzzLoad(t *testing.T, dir, rel string, b []byte) (*model.Site, error) {
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	site, _, err := loadDir(dir)
	if err == nil {
		return site, nil
	}
	var de *diag.Error
	if !errors.As(err, &de) {
		return nil, err // an error reading the secret: not the input's
	}
	// YAML breaks lines at LF, CRLF and a lone CR.
	lines := bytes.Count(b, []byte("\n")) + bytes.Count(b, []byte("\r")) - bytes.Count(b, []byte("\r\n")) + 1
	for _, d := range de.Items {
		if d.File == rel && (d.Line < 1 || d.Line > lines+1) {
			t.Errorf("line %d outside %s (%d lines): %v", d.Line, rel, lines, d)
		}
	}
	return nil, err
}

// FuzzAwards loads arbitrary award lists: no panic, problems at lines of
// the file, and of an accepted list: no recipient known only by a student
// number unless the site allows it, and no evidence holding one of the
// recipient's identifiers as it is written (the old, literal rule, which
// the folded one must include).
func FuzzAwards(f *testing.F) {
	for _, s := range []string{
		"email,badge,date\nalice@example.org,tutorat,2025-01-10\n",
		"email,eppn,student_id,name,badge,level,date,expires,evidence_url,evidence_narrative,override\n" +
			"alice@example.org,a1@univ.example,21000042,Alice Fictive,tutorat,,2025-01-10,2026-01-10,https://p.example/x,Un an,\n",
		"student_id,badge,date\n21000042,tutorat,2025-01-10\n",
		"email,name,badge,date,evidence_url\nalice@example.org,Alice Fictive,tutorat,2025-01-10,https://p.example/alice%40example.org\n",
		"email,name,badge,date,evidence_narrative\nbob@example.org,Élodie Müller,tutorat,2025-01-10,\"MULLER, Elodie\"\n",
		"email,badge,date\n\"unterminated,tutorat,2025-01-10\n",
		"email,badge,date\na@example.org,tutorat,2025-01-10,extra\n",
		"\ufeffemail,badge,date,level\nA@EXAMPLE.ORG ,tutorat,2025-01-10,x\n",
		"email,badge\n",
		"",
		"email,badge,date\na@example.org,tutorat,2099-01-01\na@example.org,tutorat,2025-01-10\na@example.org,tutorat,2025-01-10\n",
		// French Excel: Windows-1252, semicolons, French names, day-first dates; a renewal.
		"Courriel;Nom;Pr\xe9nom;Badge;Date d'obtention;Preuve\r\nalice@example.org;M\xfcller;\xc9lodie;tutorat;10/01/2025;R\xe9ussi\r\nalice@example.org;;;tutorat;10/01/2026;\x9cuvre\r\n",
		"\ufeffE-mail;N\u00b0 \u00e9tudiant;Badge;Date\na@example.org;21000042;tutorat;31/04/2025\n",
	} {
		f.Add([]byte(s), false)
	}
	dir := fuzzSite(f, nil)
	f.Fuzz(func(t *testing.T, b []byte, allow bool) {
		if len(b) > 1<<16 {
			return
		}
		conf := "title: Test\nbaseURL: https://badges.example.fr/\n"
		if allow {
			conf += "credentials:\n  allowStudentNumberOnly: true\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "blason.yaml"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		site, err := fuzzLoad(t, dir, "content/ecole/awards/ok.csv", b)
		if err != nil {
			return
		}
		for _, a := range site.Spaces[0].Awards {
			r := a.Recipient
			if !allow && r.Email == "" && r.EPPN == "" {
				t.Errorf("%s: accepted a recipient known only by a student number", a.Source())
			}
			for _, id := range []string{r.Email, r.EPPN, r.StudentID, r.Name} {
				if len(id) < minIdent {
					continue
				}
				for _, v := range []string{a.EvidenceURL, a.EvidenceNarrative} {
					if strings.Contains(strings.ToLower(v), strings.ToLower(id)) {
						t.Errorf("%s: evidence %q holds the identifier %q", a.Source(), v, id)
					}
				}
			}
		}
	})
}

// FuzzRevocations loads arbitrary revocation lists: no panic, problems at
// lines of the file, and every accepted revocation names an award.
func FuzzRevocations(f *testing.F) {
	dir := fuzzSite(f, map[string]string{"content/ecole/revocations.csv": "award,date,reason\n"})
	site, _, err := loadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	aliceID := site.Spaces[0].Awards[0].ID
	for _, s := range []string{
		"award,date,reason\n" + aliceID + ",2025-02-01,Erreur\n",
		"award,date,reason,action\n" + aliceID + ",2025-02-01,Enquête,suspend\n",
		"award,date,reason,action\n" + aliceID + ",2025-02-01,x,delete\n",
		"award,date,reason\n" + aliceID + ",2025-01-01,avant\n",
		"award,date,reason\naaaaaaaaaaaaaaaaaaaaaaaaaa,2025-02-01,x\n",
		"award,date,reason\n" + aliceID + ",2025-02-01,x\n" + aliceID + ",2025-02-02,y\n",
		"award,date\n",
		"award,date,reason\nnot-an-id,2099-01-01,\"x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		site, err := fuzzLoad(t, dir, "content/ecole/revocations.csv", b)
		if err != nil {
			return
		}
		sp := site.Spaces[0]
		for id, rv := range sp.Revocations {
			if id != aliceID || rv.AwardID != id {
				t.Errorf("accepted a revocation of %q, not an award of the space", id)
			}
		}
	})
}

// FuzzFrontMatter loads arbitrary badge files (front matter and Markdown
// criteria): no panic, problems at lines of the file, and an accepted
// badge has a name, a description and an image.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{
		baseSite["content/ecole/badges/tutorat.md"],
		badgeWith("levels:\n  - {id: bronze, name: Bronze}\n  - {id: or, name: Or}\n"),
		badgeWith("tags: [a, b]\nexpires: P1Y\nachievementType: Competency\n"),
		badgeWith("alignments:\n  - {targetName: X, targetUrl: 'https://x.example/'}\n"),
		badgeWith("translations: {en: {name: Tutoring, criteria: Mentor.}}\n"),
		badgeWith("nmae: typo\n"),
		badgeWith("template: reseau/mentorat\n"),
		"---\nname: x\n",
		"no front matter\n",
		"\ufeff---\r\nname: Tutorat\r\ndescription: d\r\nimage: tutorat.svg\r\n---\r\nx\r\n",
		"---\n---\n",
		"---\nname: [\n---\n",
	} {
		f.Add([]byte(s))
	}
	dir := fuzzSite(f, map[string]string{"content/ecole/awards/ok.csv": "email,badge,date\n"})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		site, err := fuzzLoad(t, dir, "content/ecole/badges/tutorat.md", b)
		if err != nil {
			return
		}
		for _, bd := range site.Spaces[0].Badges {
			if bd.Name == "" || bd.Description == "" || bd.Image == nil {
				t.Errorf("accepted badge %q without name, description or image: %+v", bd.Slug, bd)
			}
		}
	})
}
