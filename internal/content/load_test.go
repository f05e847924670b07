package content

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/model"
)

// happySite has two spaces: reseau (the network) and ecole (parent: reseau).
// ecole/tutorat is built from the template reseau/tutorat with an empty
// body and no image of its own.
var happySite = map[string]string{
	"blason.yaml": `title: Badges de test
baseURL: https://badges.example.fr
languages: [fr, en]
translations:
  en:
    title: Test badges
credentials:
  allowStudentNumberOnly: true # b-2025.csv has a row with only a student number
`,
	"content/reseau/_space.md": `---
name: Réseau
url: https://reseau.example/
email: badges@reseau.example
telephone: "+33561000000"
---
Le réseau des écoles.
`,
	"content/reseau/badges/tutorat.svg": svg,
	"content/reseau/badges/tutorat.md": `---
name: Tutorat
description: Accompagner des étudiants.
image: tutorat.svg
tags: [entraide, pédagogie]
achievementType: Competency
expires: P2Y
alignments:
  - targetName: Compétence C1
    targetUrl: https://framework.example/c1
    targetDescription: Accompagner un pair.
    targetFramework: RNCP
    targetCode: C1
levels:
  - id: bronze
    name: Bronze
    description: Un semestre.
    translations:
      en: {name: Bronze EN}
  - id: or
    name: Or
    criteria: Deux ans.
translations:
  en:
    name: Tutoring
    description: Mentoring students.
    criteria: Mentor a group.
  fr:
    name: Tutorat (fr)
---
Avoir encadré un groupe.
`,
	"content/ecole/_space.md": `---
name: École
legalName: École nationale de test
url: https://www.ecole.example/
email: badges@ecole.example
logo: logo.svg
contact: Bureau 12
parent: reseau
translations:
  en: {name: School, description: A school.}
---
Une école.
`,
	"content/ecole/logo.svg": svg,
	"content/ecole/badges/tutorat.md": `---
template: reseau/tutorat
translations:
  en:
    name: Peer tutoring
---
`,
	"content/ecole/badges/simple.svg": svg,
	"content/ecole/badges/simple.md": `---
name: Simple
description: Un badge simple.
image: simple.svg
---
Être là.
`,
	"content/ecole/awards/a-2025.csv": `email,badge,level,date,expires,evidence_url,evidence_narrative
  Alice@Example.ORG ,tutorat,bronze,2025-01-10,,https://evidence.example/a,"Un an, deux groupes"
alice@example.org,tutorat,or,2025-01-10,,,
bob@example.org,tutorat,bronze,2024-02-29,2025-06-30,,
`,
	"content/ecole/awards/b-2025.csv": `eppn,student_id,email,badge,date

carol@univ.example.fr,,carol@example.org,simple,2025-03-01
,A-12345,,simple,2026-01-15
`,
}

func TestLoadHappyPath(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, happySite)
	site, sc, err := loadDir(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	if site.Title != "Badges de test" || site.BaseURL != "https://badges.example.fr/" || site.Theme != "default" {
		t.Errorf("site = %q %q %q", site.Title, site.BaseURL, site.Theme)
	}
	if !slices.Equal(site.Languages, []string{"fr", "en"}) {
		t.Errorf("languages = %v", site.Languages)
	}
	if got := site.Translations["en"].Title; got != "Test badges" {
		t.Errorf("en title = %q", got)
	}
	if !slices.Equal(sc.spaces, []string{"ecole", "reseau"}) {
		t.Errorf("Secret called for %v, want [ecole reseau] (once per space)", sc.spaces)
	}
	if len(site.Spaces) != 2 || site.Spaces[0].Slug != "ecole" || site.Spaces[1].Slug != "reseau" {
		t.Fatalf("spaces = %v", site.Spaces)
	}
	ecole, reseau := site.Spaces[0], site.Spaces[1]

	// Spaces.
	if ecole.Parent != "reseau" || reseau.Parent != "" {
		t.Errorf("parents = %q, %q", ecole.Parent, reseau.Parent)
	}
	if ecole.Name != "École" || ecole.LegalName != "École nationale de test" || ecole.URL != "https://www.ecole.example/" ||
		ecole.Email != "badges@ecole.example" || ecole.Contact != "Bureau 12" || ecole.Description != "Une école." {
		t.Errorf("ecole = %+v", ecole)
	}
	if want := (model.Text{Name: "School", Description: "A school."}); ecole.Translations["en"] != want {
		t.Errorf("ecole en = %+v", ecole.Translations["en"])
	}
	if ecole.Logo == nil || ecole.Logo.Ext != ".svg" || ecole.Logo.Source != filepath.Join(dir, "content", "ecole", "logo.svg") {
		t.Errorf("ecole logo = %+v", ecole.Logo)
	}
	if reseau.Telephone != "+33561000000" || reseau.Logo != nil || reseau.Description != "Le réseau des écoles." {
		t.Errorf("reseau = %+v", reseau)
	}
	if !reflect.DeepEqual(ecole.Secret, testSecret) || !reflect.DeepEqual(reseau.Secret, testSecret) {
		t.Errorf("space secrets not set")
	}

	// Badges, sorted by slug.
	if len(ecole.Badges) != 2 || ecole.Badges[0].Slug != "simple" || ecole.Badges[1].Slug != "tutorat" {
		t.Fatalf("ecole badges = %v", ecole.Badges)
	}
	simple, tut := ecole.Badges[0], ecole.Badges[1]
	if len(reseau.Badges) != 1 {
		t.Fatalf("reseau badges = %v", reseau.Badges)
	}
	tpl := reseau.Badges[0]

	if simple.AchievementType != "Badge" {
		t.Errorf("default achievementType = %q, want Badge", simple.AchievementType)
	}
	if simple.Expires != "" || simple.Levels != nil || simple.Template != "" || simple.Criteria != "Être là." {
		t.Errorf("simple = %+v", simple)
	}
	if simple.Space != ecole || simple.Source != "content/ecole/badges/simple.md" {
		t.Errorf("simple space/source = %v %q", simple.Space, simple.Source)
	}

	// The template itself.
	if tpl.AchievementType != "Competency" || tpl.Expires != "P2Y" || tpl.Criteria != "Avoir encadré un groupe." {
		t.Errorf("template = %+v", tpl)
	}
	wantAlign := []model.Alignment{{
		TargetName: "Compétence C1", TargetURL: "https://framework.example/c1",
		TargetDescription: "Accompagner un pair.", TargetFramework: "RNCP", TargetCode: "C1",
	}}
	if !reflect.DeepEqual(tpl.Alignments, wantAlign) {
		t.Errorf("template alignments = %+v", tpl.Alignments)
	}

	// The badge built from the template.
	if tut.Template != "reseau/tutorat" || tut.Space != ecole || tut.Source != "content/ecole/badges/tutorat.md" {
		t.Errorf("tutorat template/space/source = %q %v %q", tut.Template, tut.Space, tut.Source)
	}
	if tut.Name != "Tutorat" || tut.Description != "Accompagner des étudiants." {
		t.Errorf("inherited name/description = %q / %q", tut.Name, tut.Description)
	}
	if tut.Criteria != "Avoir encadré un groupe." {
		t.Errorf("inherited criteria = %q", tut.Criteria)
	}
	if tut.Image == nil || tut.Image.Source != filepath.Join(dir, "content", "reseau", "badges", "tutorat.svg") || tut.Image.Ext != ".svg" {
		t.Errorf("inherited image = %+v", tut.Image)
	}
	if tut.AchievementType != "Competency" || tut.Expires != "P2Y" {
		t.Errorf("inherited achievementType/expires = %q %q", tut.AchievementType, tut.Expires)
	}
	if !slices.Equal(tut.Tags, []string{"entraide", "pédagogie"}) {
		t.Errorf("inherited tags = %v", tut.Tags)
	}
	if !reflect.DeepEqual(tut.Alignments, wantAlign) {
		t.Errorf("inherited alignments = %+v", tut.Alignments)
	}
	wantLevels := []*model.Level{
		{ID: "bronze", Name: "Bronze", Description: "Un semestre.", Translations: map[string]model.Text{"en": {Name: "Bronze EN"}}},
		{ID: "or", Name: "Or", Criteria: "Deux ans.", Translations: map[string]model.Text{}},
	}
	if !reflect.DeepEqual(tut.Levels, wantLevels) {
		t.Errorf("inherited levels = %+v %+v", tut.Levels[0], tut.Levels[1])
	}
	wantTr := map[string]model.Text{
		// name set locally wins; description and criteria come from the template
		"en": {Name: "Peer tutoring", Description: "Mentoring students.", Criteria: "Mentor a group."},
		// a language only the template has is inherited whole
		"fr": {Name: "Tutorat (fr)"},
	}
	if !reflect.DeepEqual(tut.Translations, wantTr) {
		t.Errorf("merged translations = %+v, want %+v", tut.Translations, wantTr)
	}
	if got := tpl.Translations["en"].Name; got != "Tutoring" {
		t.Errorf("the template's own translation changed: %q", got)
	}

	// Awards: file name order, then line order.
	if len(reseau.Awards) != 0 {
		t.Errorf("reseau awards = %v", reseau.Awards)
	}
	var sources []string
	for _, a := range ecole.Awards {
		sources = append(sources, a.Source())
	}
	wantSources := []string{
		"content/ecole/awards/a-2025.csv:2",
		"content/ecole/awards/a-2025.csv:3",
		"content/ecole/awards/a-2025.csv:4",
		"content/ecole/awards/b-2025.csv:3", // line 2 is blank
		"content/ecole/awards/b-2025.csv:4",
	}
	if !slices.Equal(sources, wantSources) {
		t.Fatalf("award sources = %v, want %v", sources, wantSources)
	}
	date := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	aliceB, aliceO, bob, carol, stud := ecole.Awards[0], ecole.Awards[1], ecole.Awards[2], ecole.Awards[3], ecole.Awards[4]

	if aliceB.Recipient != (model.Identity{Email: "alice@example.org"}) {
		t.Errorf("email not trimmed/lower-cased: %+v", aliceB.Recipient)
	}
	if aliceB.Badge != tut || aliceB.Level != tut.Levels[0] || aliceO.Level != tut.Levels[1] {
		t.Errorf("alice badge/levels = %v %v %v", aliceB.Badge, aliceB.Level, aliceO.Level)
	}
	if !aliceB.Date.Equal(date("2025-01-10")) || !aliceB.Expires.Equal(date("2027-01-10")) {
		t.Errorf("alice date/expires = %v / %v, want 2025-01-10 / 2027-01-10 (P2Y inherited)", aliceB.Date, aliceB.Expires)
	}
	if aliceB.EvidenceURL != "https://evidence.example/a" || aliceB.EvidenceNarrative != "Un an, deux groupes" {
		t.Errorf("evidence = %q / %q", aliceB.EvidenceURL, aliceB.EvidenceNarrative)
	}
	if aliceO.EvidenceURL != "" || aliceO.EvidenceNarrative != "" {
		t.Errorf("empty evidence = %q / %q", aliceO.EvidenceURL, aliceO.EvidenceNarrative)
	}
	if !bob.Expires.Equal(date("2025-06-30")) {
		t.Errorf("a row's own expires must win: got %v", bob.Expires)
	}
	if carol.Recipient != (model.Identity{Email: "carol@example.org", EPPN: "carol@univ.example.fr"}) || carol.Level != nil {
		t.Errorf("carol = %+v level %v", carol.Recipient, carol.Level)
	}
	if !carol.Expires.IsZero() {
		t.Errorf("a badge without expires gives no expiry, got %v", carol.Expires)
	}
	if stud.Recipient != (model.Identity{StudentID: "A-12345"}) || !stud.Date.Equal(testNow) {
		t.Errorf("student award = %+v %v (an award dated Now is not in the future)", stud.Recipient, stud.Date)
	}

	// Award ids: 26 characters, derived from the documented inputs.
	seen := map[string]bool{}
	for _, a := range ecole.Awards {
		if len(a.ID) != 26 || !ids.ValidAwardID(a.ID) {
			t.Errorf("%s: award id %q is not 26 base32 characters", a.Source(), a.ID)
		}
		if seen[a.ID] {
			t.Errorf("%s: award id %q used twice", a.Source(), a.ID)
		}
		seen[a.ID] = true
	}
	if aliceB.ID == aliceO.ID {
		t.Errorf("the two levels of one badge share award id %s", aliceB.ID)
	}
	for _, c := range []struct {
		a                             *model.Award
		badge, recipient, level, date string
	}{
		{aliceB, "tutorat", "email:alice@example.org", "bronze", "2025-01-10"},
		{aliceO, "tutorat", "email:alice@example.org", "or", "2025-01-10"},
		{carol, "simple", "eppn:carol@univ.example.fr", "", "2025-03-01"}, // eppn wins over email
		{stud, "simple", "student:A-12345", "", "2026-01-15"},
	} {
		if want := ids.AwardID(testSecret, "ecole", c.badge, c.recipient, c.level, c.date); c.a.ID != want {
			t.Errorf("%s: id %s, want %s", c.a.Source(), c.a.ID, want)
		}
	}
	if len(ecole.Revocations) != 0 || reseau.Revocations == nil {
		t.Errorf("revocations without a revocations.csv = %v / %v", ecole.Revocations, reseau.Revocations)
	}

	// Second load, with a revocation of Alice's bronze award: ids are stable.
	writeSite(t, dir, map[string]string{
		"content/ecole/revocations.csv": "award,date,reason\n" + aliceB.ID + ",2025-06-01, Erreur de saisie \n",
	})
	site2, sc2, err := loadDir(dir)
	if err != nil {
		t.Fatalf("second Load: %v", err)
	}
	if len(sc2.spaces) != 2 {
		t.Errorf("second load: Secret called %d times, want 2", len(sc2.spaces))
	}
	ecole2 := site2.Spaces[0]
	for i, a := range ecole2.Awards {
		if a.ID != ecole.Awards[i].ID {
			t.Errorf("%s: id changed across loads: %s → %s", a.Source(), ecole.Awards[i].ID, a.ID)
		}
	}
	want := map[string]model.Revocation{aliceB.ID: {
		AwardID: aliceB.ID, Date: date("2025-06-01"), Reason: "Erreur de saisie",
		File: "content/ecole/revocations.csv", Line: 2,
	}}
	if !reflect.DeepEqual(ecole2.Revocations, want) {
		t.Errorf("revocations = %+v, want %+v", ecole2.Revocations, want)
	}
}

// TestLoadAwardIDDependsOnSecret checks that award ids are keyed by the
// space secret.
func TestLoadAwardIDDependsOnSecret(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, baseSite)
	id := func(secret string) string {
		site, err := Load(dir, Options{Now: testNow, Secret: func(string) ([]byte, error) { return []byte(secret), nil }})
		if err != nil {
			t.Fatal(err)
		}
		return site.Spaces[0].Awards[0].ID
	}
	a, b := id(strings.Repeat("a", 32)), id(strings.Repeat("b", 32))
	if a == b {
		t.Errorf("two secrets give the same award id %s", a)
	}
	if a != id(strings.Repeat("a", 32)) {
		t.Errorf("award id not stable under one secret")
	}
}

func TestLoadSecretError(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, baseSite)
	boom := errors.New("disk full")
	_, err := Load(dir, Options{Now: testNow, Secret: func(string) ([]byte, error) { return nil, boom }})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
	var de *diag.Error
	if errors.As(err, &de) {
		t.Errorf("a secret failure is not a content problem: %v", err)
	}
	if !strings.Contains(err.Error(), "space ecole") {
		t.Errorf("err = %q, want the space named", err)
	}
}

// TestLoadBaseURLOverride checks that Options.BaseURL replaces a missing or
// bad baseURL in blason.yaml.
func TestLoadBaseURLOverride(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, merge(baseSite, map[string]string{"blason.yaml": "title: Test\nbaseURL: ftp://nope/\n"}))
	sc := &secretCalls{}
	site, err := Load(dir, Options{Now: testNow, Secret: sc.secret, BaseURL: "http://localhost:1313"})
	if err != nil {
		t.Fatal(err)
	}
	if site.BaseURL != "http://localhost:1313/" {
		t.Errorf("BaseURL = %q", site.BaseURL)
	}
}

// TestLoadValidVariants covers accepted spellings of valid content.
func TestLoadValidVariants(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		check func(t *testing.T, sp *model.Space)
	}{
		{
			name:  "LinkedIn organization id, a YAML number",
			files: map[string]string{"content/ecole/_space.md": "---\nname: École\nurl: https://e.example/\nemail: badges@ecole.example\nlinkedin: {organizationId: 1337}\n---\n"},
			check: func(t *testing.T, sp *model.Space) {
				if id := sp.LinkedInOrganizationID; id != "1337" {
					t.Errorf("LinkedIn organization id = %q, want 1337", id)
				}
			},
		},
		{
			name:  "ECTS credits, with a French decimal comma",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("credits: 1,5\n")},
			check: func(t *testing.T, sp *model.Space) {
				if c := sp.Badges[0].Credits; c != 1.5 {
					t.Errorf("credits = %v, want 1.5", c)
				}
			},
		},
		{
			name:  "ECTS credits, a YAML number",
			files: map[string]string{"content/ecole/badges/tutorat.md": badgeWith("credits: 6\n")},
			check: func(t *testing.T, sp *model.Space) {
				if c := sp.Badges[0].Credits; c != 6 {
					t.Errorf("credits = %v, want 6", c)
				}
			},
		},
		{
			name: "lang column (blason notify) and notifyRevocations",
			files: map[string]string{
				"content/ecole/_space.md":     strings.Replace(baseSite["content/ecole/_space.md"], "---\n", "---\nnotifyRevocations: true\n", 1),
				"content/ecole/awards/ok.csv": "email,badge,date,Langue\nalice@example.org,tutorat,2025-01-10,EN\nbob@example.org,tutorat,2025-01-10,fr\ncarol@example.org,tutorat,2025-01-10,\n",
			},
			check: func(t *testing.T, sp *model.Space) {
				var langs []string
				for _, a := range sp.Awards {
					langs = append(langs, a.Lang)
				}
				if strings.Join(langs, ",") != "en,fr," {
					t.Errorf("langs = %q", langs)
				}
				if sp.NotifyRevocations == nil || !*sp.NotifyRevocations {
					t.Errorf("notifyRevocations = %v", sp.NotifyRevocations)
				}
			},
		},
		{
			name: "CRLF line endings",
			files: map[string]string{
				"content/ecole/_space.md":     strings.ReplaceAll(baseSite["content/ecole/_space.md"], "\n", "\r\n"),
				"content/ecole/awards/ok.csv": "email,badge,date\r\nalice@example.org,tutorat,2025-01-10\r\n",
			},
			check: func(t *testing.T, sp *model.Space) {
				if sp.Name != "École de test" || sp.Description != "Une école." || len(sp.Awards) != 1 {
					t.Errorf("space = %q %q, %d awards", sp.Name, sp.Description, len(sp.Awards))
				}
			},
		},
		{
			name:  "CSV header with a byte order mark and spaces",
			files: map[string]string{"content/ecole/awards/ok.csv": "\ufeffemail , badge,date\n alice@example.org , tutorat ,2025-01-10\n"},
			check: func(t *testing.T, sp *model.Space) {
				if len(sp.Awards) != 1 || sp.Awards[0].Recipient.Email != "alice@example.org" || sp.Awards[0].Badge.Slug != "tutorat" {
					t.Errorf("awards = %+v", sp.Awards)
				}
			},
		},
		{
			name: "extension achievementType, front matter closed at end of file",
			files: map[string]string{
				"content/ecole/_space.md":         "---\nname: É\nurl: http://e.example/\nemail: Badges@Ecole.example\n---",
				"content/ecole/badges/tutorat.md": badgeWith("achievementType: ext:Tutorat\n"),
			},
			check: func(t *testing.T, sp *model.Space) {
				if sp.Description != "" || sp.Email != "Badges@Ecole.example" {
					t.Errorf("space = %q %q", sp.Description, sp.Email)
				}
				if got := sp.Badges[0].AchievementType; got != "ext:Tutorat" {
					t.Errorf("achievementType = %q", got)
				}
			},
		},
		{
			name:  "RFC 3339 award date",
			files: map[string]string{"content/ecole/awards/ok.csv": "email,badge,date,expires\nalice@example.org,tutorat,2025-01-10T09:30:00Z,2026-01-10\n"},
			check: func(t *testing.T, sp *model.Space) {
				a := sp.Awards[0]
				if !a.Date.Equal(time.Date(2025, 1, 10, 9, 30, 0, 0, time.UTC)) || !a.Expires.Equal(time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("date/expires = %v / %v", a.Date, a.Expires)
				}
				if want := ids.AwardID(testSecret, "ecole", "tutorat", "email:alice@example.org", "", "2025-01-10"); a.ID != want {
					t.Errorf("id = %s, want %s (the id uses the calendar date)", a.ID, want)
				}
			},
		},
		{
			name: "same recipient, same badge, other level is no duplicate",
			files: map[string]string{
				"content/ecole/badges/niveaux.md": badgeWith("levels:\n  - id: a\n    name: A\n  - id: b\n    name: B\n"),
				"content/ecole/awards/ok.csv":     "email,badge,level,date\nalice@example.org,niveaux,a,2025-01-10\nalice@example.org,niveaux,b,2025-01-10\nalice@example.org,tutorat,,2025-01-10\n",
			},
			check: func(t *testing.T, sp *model.Space) {
				if len(sp.Awards) != 3 {
					t.Fatalf("%d awards, want 3", len(sp.Awards))
				}
				if sp.Awards[0].ID == sp.Awards[1].ID {
					t.Errorf("levels a and b share award id %s", sp.Awards[0].ID)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, sc, err := loadFiles(t, merge(baseSite, tt.files))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !slices.Equal(sc.spaces, []string{"ecole"}) {
				t.Errorf("Secret called for %v, want [ecole]", sc.spaces)
			}
			tt.check(t, site.Spaces[0])
		})
	}
}

// TestLoadSkipsHiddenBadgeFiles checks that an editor's lock or backup file
// beside a badge class (emacs writes .#tutorat.md while it is open) is not
// read as a badge class, as in awards/, and a hidden folder of content/ is
// no space.
func TestLoadSkipsHiddenBadgeFiles(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, merge(baseSite, map[string]string{
		"content/ecole/badges/.tutorat.md.swp.md": "x",
		"content/.blason/manifests/":              "", // a hidden folder is no space either
	}))
	if err := os.Symlink("root@host.1234:1700000000", filepath.Join(dir, "content/ecole/badges/.#tutorat.md")); err != nil {
		t.Fatal(err)
	}
	site, _, err := loadDir(dir)
	if err != nil {
		t.Fatalf("hidden files in badges/ broke the load: %v", err)
	}
	if n := len(site.Spaces[0].Badges); n != 1 {
		t.Errorf("%d badge classes, want 1", n)
	}
}
