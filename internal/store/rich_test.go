package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/passport"
)

// TestPassportRich runs the headline, links and groups tests (schema
// version 4) on both databases.
func TestPassportRich(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				run  func(t *testing.T, e *env)
			}{
				{"Settings", testRichSettings},
				{"Layout", testRichLayout},
				{"Invalid", testRichInvalid},
				{"MigrateFrom3", testMigrateFrom3},
			} {
				t.Run(tc.name, func(t *testing.T) {
					e := &env{t: t, dsn: b.freshDSN(t)}
					e.s = e.open()
					tc.run(t, e)
				})
			}
		})
	}
}

var richLinks = []passport.Link{{Label: "Portfolio", URL: "https://camille.example/p"}, {Label: "Dépôt « code »", URL: "https://git.example/c?x=1&y=2"}}

func richRef(i int) passport.AwardRef {
	return passport.AwardRef{Space: "info", Award: "a-00" + string(rune('0'+i))}
}

func testRichSettings(t *testing.T, e *env) {
	s := e.s
	set := PassportSettings{Slug: "camille", DisplayName: "Camille", Headline: "Élève ingénieure — stage 2026", Links: richLinks}
	must(t, s.SetPassport(ctx, "alice", set, t0))
	got, err := s.Passport(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if got.Headline != set.Headline || !reflect.DeepEqual(got.Links, richLinks) {
		t.Errorf("Passport = %+v", got)
	}
	// Another connection (a second server) reads the same.
	other := e.open()
	ps, err := other.Passports(ctx)
	if err != nil || len(ps) != 1 || ps[0].Headline != set.Headline || !reflect.DeepEqual(ps[0].Links, richLinks) {
		t.Errorf("Passports = %+v, %v", ps, err)
	}
	// The student's data export holds them.
	d, err := s.SubjectData(ctx, "alice")
	if err != nil || d.Passport == nil || d.Passport.Headline != set.Headline || !reflect.DeepEqual(d.Passport.Links, richLinks) {
		t.Errorf("SubjectData passport = %+v, %v", d.Passport, err)
	}
	// Removing them.
	set.Headline, set.Links = "", nil
	must(t, s.SetPassport(ctx, "alice", set, t0))
	if got, _ := s.Passport(ctx, "alice"); got.Headline != "" || got.Links != nil {
		t.Errorf("after clearing: %+v", got)
	}
}

func testRichLayout(t *testing.T, e *env) {
	s := e.s
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "camille", DisplayName: "Camille"}, t0))
	for i := 1; i <= 4; i++ {
		must(t, s.AddPassportAward(ctx, "alice", richRef(i), t0))
	}
	v0, _ := s.PassportsVersion(ctx)
	order := []passport.AwardRef{richRef(3), richRef(1), richRef(4), richRef(2)}
	groups := map[passport.AwardRef]string{richRef(1): "Langues", richRef(3): "Numérique", richRef(2): "Langues"}
	must(t, s.SetPassportLayout(ctx, "alice", order, groups, t0))
	if v1, _ := s.PassportsVersion(ctx); v1 == v0 {
		t.Error("a layout change does not bump the passports version")
	}
	got, err := s.Passport(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Awards, order) || !reflect.DeepEqual(got.GroupOf, groups) {
		t.Errorf("after the layout: awards %v groups %v", got.Awards, got.GroupOf)
	}
	want := []passport.Group{{Name: "Numérique", Awards: []passport.AwardRef{richRef(3)}}, {Name: "Langues", Awards: []passport.AwardRef{richRef(1), richRef(2)}}, {Awards: []passport.AwardRef{richRef(4)}}}
	if g := got.Grouped(); !reflect.DeepEqual(g, want) {
		t.Errorf("Grouped = %+v", g)
	}
	// Removing an award and reordering keep the others' groups.
	must(t, s.RemovePassportAward(ctx, "alice", richRef(3), t0))
	must(t, s.SetPassportAwards(ctx, "alice", []passport.AwardRef{richRef(2), richRef(1), richRef(4)}, t0))
	must(t, s.AddPassportAward(ctx, "alice", richRef(3), t0)) // back, in no group
	got, _ = s.Passport(ctx, "alice")
	if want := map[passport.AwardRef]string{richRef(1): "Langues", richRef(2): "Langues"}; !reflect.DeepEqual(got.GroupOf, want) {
		t.Errorf("groups kept: %v, want %v", got.GroupOf, want)
	}
	d, err := s.SubjectData(ctx, "alice")
	if err != nil || !reflect.DeepEqual(d.Passport.Groups, []string{"Langues", "Langues", "", ""}) {
		t.Errorf("SubjectData groups = %q, %v", d.Passport.Groups, err)
	}
	// Erasing removes everything.
	if _, err := s.EraseSubject(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Passport(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after erasure: %v", err)
	}
}

func testRichInvalid(t *testing.T, e *env) {
	s := e.s
	base := PassportSettings{Slug: "camille", DisplayName: "Camille"}
	for _, tt := range []struct {
		name string
		edit func(p *PassportSettings)
	}{
		{"markup headline", func(p *PassportSettings) { p.Headline = "<b>x</b>" }},
		{"two-line headline", func(p *PassportSettings) { p.Headline = "a\nb" }},
		{"long headline", func(p *PassportSettings) { p.Headline = strings.Repeat("a", passport.MaxHeadline+1) }},
		{"http link", func(p *PassportSettings) { p.Links = []passport.Link{{Label: "x", URL: "http://example.org/"}} }},
		{"javascript link", func(p *PassportSettings) { p.Links = []passport.Link{{Label: "x", URL: "javascript:alert(1)"}} }},
		{"no label", func(p *PassportSettings) { p.Links = []passport.Link{{URL: "https://example.org/"}} }},
		{"six links", func(p *PassportSettings) {
			for i := range 6 {
				p.Links = append(p.Links, passport.Link{Label: "x", URL: "https://example.org/" + string(rune('a'+i))})
			}
		}},
	} {
		p := base
		tt.edit(&p)
		if err := s.SetPassport(ctx, "alice", p, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tt.name, err)
		}
	}
	if _, err := s.Passport(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused passport was stored: %v", err)
	}
	if err := s.SetPassportLayout(ctx, "alice", nil, nil, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("layout without passport: %v", err)
	}
	must(t, s.SetPassport(ctx, "alice", base, t0))
	must(t, s.AddPassportAward(ctx, "alice", richRef(1), t0))
	must(t, s.AddPassportAward(ctx, "alice", richRef(2), t0))
	two := []passport.AwardRef{richRef(1), richRef(2)}
	many := map[passport.AwardRef]string{}
	for i := range passport.MaxGroups + 1 {
		many[passport.AwardRef{Space: "x", Award: string(rune('a' + i))}] = string(rune('A' + i))
	}
	for _, tt := range []struct {
		name   string
		awards []passport.AwardRef
		groups map[passport.AwardRef]string
	}{
		{"markup group", two, map[passport.AwardRef]string{richRef(1): "<i>"}},
		{"long group", two, map[passport.AwardRef]string{richRef(1): strings.Repeat("g", passport.MaxGroupName+1)}},
		{"too many groups", two, many},
		{"missing award", two[:1], nil},
		{"foreign award", []passport.AwardRef{richRef(1), richRef(3)}, nil},
		{"twice", []passport.AwardRef{richRef(1), richRef(1)}, nil},
		{"group of an award not listed", two, map[passport.AwardRef]string{richRef(5): "G"}},
	} {
		if err := s.SetPassportLayout(ctx, "alice", tt.awards, tt.groups, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tt.name, err)
		}
	}
	if got, _ := s.Passport(ctx, "alice"); !reflect.DeepEqual(got.Awards, two) || got.GroupOf != nil {
		t.Errorf("refused layouts changed the passport: %+v", got)
	}
}

// testMigrateFrom3: a database at schema version 3 holding a passport is
// brought to version 4 when a newer blason opens it; the passport is kept,
// with no headline, link or group.
func testMigrateFrom3(t *testing.T, e *env) {
	ss := e.s.(*sqlStore)
	for _, q := range []string{
		`ALTER TABLE passport_awards DROP COLUMN group_name`,
		`ALTER TABLE passports DROP COLUMN links`,
		`ALTER TABLE passports DROP COLUMN headline`,
		`DELETE FROM schema_migrations WHERE version >= 4`,
		`INSERT INTO passports (subject, slug, display_name, indexable, email, lang, created_us, updated_us) VALUES ('alice', 'camille', 'Camille', TRUE, '', 'fr', 1, 1)`,
		`INSERT INTO passport_awards (subject, space, award, position) VALUES ('alice', 'info', 'a-001', 1)`,
	} {
		if _, err := ss.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if v, err := schemaVersion(ctx, ss.db); err != nil || v != 3 {
		t.Fatalf("schema version %d, %v; want 3", v, err)
	}
	s := e.open()
	if v, err := schemaVersion(ctx, s.(*sqlStore).db); err != nil || v != 4 {
		t.Fatalf("after the upgrade: schema version %d, %v; want 4", v, err)
	}
	got, err := s.Passport(ctx, "alice")
	want := passport.Passport{Slug: "camille", DisplayName: "Camille", Indexable: true, Lang: "fr", Source: "store", Awards: []passport.AwardRef{richRef(1)}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after the upgrade: %+v, %v\nwant %+v", got, err, want)
	}
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "camille", DisplayName: "Camille", Headline: "Nouveau", Links: richLinks[:1]}, t0))
	must(t, s.SetPassportLayout(ctx, "alice", want.Awards, map[passport.AwardRef]string{richRef(1): "G"}, t0))
	if got, _ := s.Passport(ctx, "alice"); got.Headline != "Nouveau" || got.GroupOf[richRef(1)] != "G" {
		t.Errorf("after the upgrade, writing: %+v", got)
	}
}
