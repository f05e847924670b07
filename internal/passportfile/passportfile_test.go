package passportfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
)

// testSite is a small site: one space, a badge with levels and one
// without, awards of two students.
func testSite() *model.Site {
	sp := &model.Space{Slug: "universite", Revocations: map[string]model.Revocation{}}
	langues := &model.Badge{Space: sp, Slug: "langues", Levels: []*model.Level{{ID: "b1"}, {ID: "b2"}}}
	tutorat := &model.Badge{Space: sp, Slug: "tutorat"}
	sp.Badges = []*model.Badge{langues, tutorat}
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	sp.Awards = []*model.Award{
		{ID: "aaaaaaaaaaaaaaaaaaaaaaaaa1", Badge: langues, Level: langues.Levels[0], Date: d("2023-12-15"), Recipient: model.Identity{Email: "camille@example.org", EPPN: "c1@univ.example"}},
		{ID: "aaaaaaaaaaaaaaaaaaaaaaaaa2", Badge: langues, Level: langues.Levels[1], Date: d("2024-12-13"), Recipient: model.Identity{EPPN: "c1@univ.example"}},
		{ID: "aaaaaaaaaaaaaaaaaaaaaaaaa3", Badge: tutorat, Date: d("2024-06-01"), Recipient: model.Identity{StudentID: "23001"}},
		{ID: "bbbbbbbbbbbbbbbbbbbbbbbbb1", Badge: tutorat, Date: d("2024-06-01"), Recipient: model.Identity{Email: "dominique@example.org"}},
	}
	return &model.Site{Languages: []string{"fr", "en"}, Spaces: []*model.Space{sp}}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, "content", Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestLoad(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"camille-m.yaml": `displayName: Camille M.
email: camille@example.org
indexable: true
lang: en
recipients: [C1@UNIV.example, "23001"]
awards:
  - {space: universite, badge: langues, level: b2}
  - {space: universite, badge: tutorat}
  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}
`,
		"dominique.yaml": "displayName: Dominique\nawards:\n  - {space: universite, award: bbbbbbbbbbbbbbbbbbbbbbbbb1}\n",
		".hidden":        "ignored",
	})
	got, err := Load(root, testSite())
	if err != nil {
		t.Fatal(err)
	}
	want := []passport.Passport{
		{Slug: "camille-m", DisplayName: "Camille M.", Email: "camille@example.org", Indexable: true, Lang: "en", Source: "content/_passports/camille-m.yaml:1",
			Awards: []passport.AwardRef{{Space: "universite", Award: "aaaaaaaaaaaaaaaaaaaaaaaaa2"}, {Space: "universite", Award: "aaaaaaaaaaaaaaaaaaaaaaaaa3"}, {Space: "universite", Award: "aaaaaaaaaaaaaaaaaaaaaaaaa1"}}},
		{Slug: "dominique", DisplayName: "Dominique", Source: "content/_passports/dominique.yaml:1",
			Awards: []passport.AwardRef{{Space: "universite", Award: "bbbbbbbbbbbbbbbbbbbbbbbbb1"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// No folder, no passport.
	if ps, err := Load(t.TempDir(), testSite()); err != nil || len(ps) != 0 {
		t.Fatalf("without the folder: %v, %v", ps, err)
	}
}

func TestLoadErrors(t *testing.T) {
	const head = "displayName: X\nrecipients: [camille@example.org]\nawards:\n"
	tests := []struct {
		name, file, body string
		want             []string // "file:line: message" substrings, in order
	}{
		{"bad slug", "Camille.yaml", head + "  - {space: universite, badge: tutorat}\n",
			[]string{`content/_passports/Camille.yaml: passport slug "Camille" (the file name) is not valid`}},
		{"not yaml", "notes.txt", "x", []string{"content/_passports/notes.txt: not a passport declaration"}},
		{"unknown award id", "x.yaml", "displayName: X\nawards:\n  - space: universite\n    award: zzzzzzzzzzzzzzzzzzzzzzzzzz\n",
			[]string{`content/_passports/x.yaml:4: unknown award id "zzzzzzzzzzzzzzzzzzzzzzzzzz" in space universite`, "blason awards"}},
		{"someone else's award", "x.yaml", head + "  - space: universite\n    award: bbbbbbbbbbbbbbbbbbbbbbbbb1\n",
			[]string{"x.yaml:5: award bbbbbbbbbbbbbbbbbbbbbbbbb1 was not awarded to the file's recipients"}},
		{"unknown space", "x.yaml", head + "  - space: universit\n    badge: tutorat\n",
			[]string{`x.yaml:4: unknown space "universit"`, `did you mean "universite"?`}},
		{"ambiguous", "x.yaml", "displayName: X\nrecipients: [c1@univ.example]\nawards:\n  - space: universite\n    badge: langues\n",
			[]string{`x.yaml:5: 2 awards of badge "langues" match`, "level b1 2023-12-15; level b2 2024-12-13"}},
		{"no match", "x.yaml", head + "  - space: universite\n    badge: tutorat\n",
			[]string{`x.yaml:5: the recipients have no award of badge "tutorat"`}},
		{"badge without recipients", "x.yaml", "displayName: X\nawards:\n  - space: universite\n    badge: tutorat\n",
			[]string{"x.yaml:4: badge selects one of the recipient's awards, but the file has no recipients"}},
		{"both award and badge", "x.yaml", head + "  - {space: universite, badge: tutorat, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n",
			[]string{"x.yaml:4: an award is named by exactly one of award and badge"}},
		{"duplicate", "x.yaml", head + "  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n  - {space: universite, badge: langues, level: b1}\n",
			[]string{"x.yaml:5: the same award as item 1"}},
		{"missing name, bad e-mail, bad lang, no awards", "x.yaml", "email: Camille <c@example.org>\nlang: de\n",
			[]string{"x.yaml:1: malformed e-mail address", `x.yaml:2: lang "de" is not a language of the site`, "x.yaml:1: missing displayName", "x.yaml:1: no award listed"}},
		{"unknown key", "x.yaml", "displayName: X\nindexabel: true\nawards:\n  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n",
			[]string{`x.yaml:2: unknown key "indexabel"`, `did you mean "indexable"?`}},
		{"bad date", "x.yaml", head + "  - {space: universite, badge: langues, date: 15/12/2023}\n",
			[]string{"x.yaml:4: malformed date"}},
		{"too large", "x.yaml", head + "  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n# " + strings.Repeat("x", 64<<10) + "\n",
			[]string{"content/_passports/x.yaml: file of 65655 bytes, more than the 64 KiB a passport declaration may hold"}},
		{"control characters", "x.yaml", "displayName: \"A\\u0007B\"\nawards:\n  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n",
			[]string{"x.yaml:1: displayName is too long or holds control characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeFiles(t, map[string]string{tt.file: tt.body})
			_, err := Load(root, testSite())
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			// Messages never quote a recipient identifier.
			for _, id := range []string{"camille@example.org", "c1@univ.example", "23001"} {
				if strings.Contains(msg, id) && !strings.Contains(tt.body, "Camille <") {
					t.Errorf("error quotes identifier %q:\n%s", id, msg)
				}
			}
		})
	}
}
