package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/themes"
)

// richSet is a site with a five-level framework of two competencies
// (declared C2 after C1), badges certifying them, a badge aligned to C1
// and to an outside skill, and one passport showing all of them.
func richSet(t *testing.T) (*Renderer, *PassportSet, *passport.Passport) {
	t.Helper()
	l := layout.Layout{Base: "https://badges.example.fr/", DefaultLang: "fr"}
	r, err := New(l, themes.Default())
	if err != nil {
		t.Fatal(err)
	}
	f := &model.Framework{Slug: "ref", Name: "Référentiel"}
	for _, id := range []string{"novice", "apprenti", "competent", "confirme", "expert"} {
		f.Levels = append(f.Levels, &model.FrameworkLevel{ID: id, Name: strings.ToUpper(id[:1]) + id[1:]})
	}
	c1 := &model.Competency{Framework: f, ID: "c1", Code: "C1", Name: "Innover"}
	c2 := &model.Competency{Framework: f, ID: "c2", Code: "C2", Name: "Résoudre"}
	f.Competencies = []*model.Competency{c1, c2}
	sp := &model.Space{Slug: "ecole", Name: "École", Revocations: map[string]model.Revocation{}}
	levels := func() []*model.Level {
		var out []*model.Level
		for _, fl := range f.Levels {
			out = append(out, &model.Level{ID: fl.ID, Name: fl.Name})
		}
		return out
	}
	b1 := &model.Badge{Space: sp, Slug: "innovation", Name: "Innovation", Competency: c1, Levels: levels(), Image: &model.Asset{Ext: ".svg"}}
	b2 := &model.Badge{Space: sp, Slug: "problemes", Name: "Problèmes", Competency: c2, Levels: levels(), Image: &model.Asset{Ext: ".svg"}}
	b3 := &model.Badge{Space: sp, Slug: "seed", Name: "Semaine SEED", Image: &model.Asset{Ext: ".svg"}, Alignments: []model.Alignment{
		{Competency: c1}, {TargetName: "Gestion de projet", TargetURL: "http://data.europa.eu/esco/skill/x"},
		{TargetName: "Pitch", TargetURL: "javascript:alert(1)"}}}
	aw := func(id string, b *model.Badge, lv int) *model.Award {
		a := &model.Award{ID: id, Badge: b, Date: day("2025-06-01")}
		if lv >= 0 {
			a.Level = b.Levels[lv]
		}
		return a
	}
	awards := []*model.Award{aw("a1aaaaaaaaaaaaaaaaaaaaaaaa", b2, 0), aw("a2aaaaaaaaaaaaaaaaaaaaaaaa", b1, 1), aw("a3aaaaaaaaaaaaaaaaaaaaaaaa", b1, 2), aw("a4aaaaaaaaaaaaaaaaaaaaaaaa", b3, -1)}
	sp.Badges, sp.Awards = []*model.Badge{b1, b2, b3}, awards
	site := &model.Site{Title: "Badges", Languages: []string{"fr", "en"}, Spaces: []*model.Space{sp}, Frameworks: []*model.Framework{f}}
	p := &passport.Passport{Slug: "camille", DisplayName: "Camille", Lang: "fr", Headline: "Élève ingénieure, cherche un stage",
		Links:   []passport.Link{{Label: "Portfolio", URL: "https://camille.example/"}},
		GroupOf: map[passport.AwardRef]string{{Space: "ecole", Award: "a3aaaaaaaaaaaaaaaaaaaaaaaa"}: "Ingénierie", {Space: "ecole", Award: "a1aaaaaaaaaaaaaaaaaaaaaaaa"}: "Ingénierie"}}
	set := &PassportSet{Site: site, AsOf: day("2025-10-23"), Awards: map[string]*Public{}, BakedPath: l.Baked}
	for _, a := range awards {
		p.Awards = append(p.Awards, passport.AwardRef{Space: "ecole", Award: a.ID})
		set.Awards[a.ID] = &Public{Award: a, Owners: []*passport.Passport{p}}
	}
	return r, set, p
}

func renderPassport(t *testing.T, r *Renderer, set *PassportSet, p *passport.Passport) map[string]string {
	t.Helper()
	pp, err := r.PassportPages(set, p, "digest")
	if err != nil {
		t.Fatal(err)
	}
	out := publish.Files{}
	if err := r.Render(pp, out); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"fr": string(out["passport/camille/index.html"]), "en": string(out["en/passport/camille/index.html"])}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// text is a page's visible text, tags removed and spaces collapsed.
func text(html string) string {
	return strings.Join(strings.Fields(tagRE.ReplaceAllString(html, " ")), " ")
}

func TestPassportRich(t *testing.T) {
	r, set, p := richSet(t)
	pages := renderPassport(t, r, set, p)
	fr, en := pages["fr"], pages["en"]
	for _, want := range []string{
		`<p class="passport-headline">Élève ingénieure, cherche un stage</p>`,
		`<a href="https://camille.example/" rel="me nofollow noopener">Portfolio</a>`,
		`<h2 id="skills-title">Synthèse des compétences</h2>`,
		`<h2 class="passport-group" id="group-1">Ingénierie</h2>`,
		`<h2 class="passport-group">Autres badges</h2>`,
		`<span aria-hidden="true">3 / 5</span><span class="visually-hidden">niveau 3 sur 5</span>`,
	} {
		if !strings.Contains(fr, want) {
			t.Errorf("French page lacks %s", want)
		}
	}
	// The skills summary: framework order (C1 before C2), each once, the
	// number of awards (two C1 badges and the SEED week aligned to it),
	// the highest level reached; then the outside skill. The javascript:
	// alignment is shown without link.
	sum := text(fr[strings.Index(fr, `<section class="passport-skills"`):strings.Index(fr, `</section>`)])
	wantSum := "Synthèse des compétences Référentiel C1 Innover · 3 badges · niveau le plus haut : Competent ( 3 / 5 niveau 3 sur 5 ) " +
		"C2 Résoudre · 1 badge · niveau le plus haut : Novice ( 1 / 5 niveau 1 sur 5 ) Autres compétences Gestion de projet · 1 badge Pitch · 1 badge"
	if sum != wantSum {
		t.Errorf("skills summary\n got %s\nwant %s", sum, wantSum)
	}
	if !strings.Contains(fr, `<a href="http://data.europa.eu/esco/skill/x">Gestion de projet</a>`) {
		t.Error("the ESCO alignment is not linked")
	}
	if strings.Contains(fr, "javascript:") {
		t.Error("a javascript: alignment is linked")
	}
	// Groups: Ingénierie (its first award comes first), then the rest.
	order := []string{"Ingénierie", "Problèmes", "Innovation", "Autres badges", "Innovation", "Semaine SEED"}
	at := strings.Index(fr, "</section>")
	for _, w := range order {
		i := strings.Index(fr[at:], w)
		if i < 0 {
			t.Fatalf("%q missing or out of order in the French page", w)
		}
		at += i + len(w)
	}
	// On the English page the student's French text says so.
	for _, want := range []string{`<p class="passport-headline" lang="fr">`, `rel="me nofollow noopener" lang="fr">Portfolio`, `id="group-1" lang="fr">Ingénierie`, `<h2 id="skills-title">Skills summary</h2>`, `level 3 of 5`} {
		if !strings.Contains(en, want) {
			t.Errorf("English page lacks %s", want)
		}
	}
}

// A declaration from a store the build did not write is checked again:
// an invalid headline, link or group name publishes none of them.
func TestPassportRichInvalidNotPublished(t *testing.T) {
	r, set, p := richSet(t)
	for _, bad := range []func(*passport.Passport){
		func(p *passport.Passport) { p.Headline = "<script>alert(1)</script>" },
		func(p *passport.Passport) { p.Links = []passport.Link{{Label: "x", URL: "javascript:alert(1)"}} },
		func(p *passport.Passport) {
			p.GroupOf = map[passport.AwardRef]string{p.Awards[0]: "a\u202Eb"}
		},
	} {
		q := *p
		bad(&q)
		fr := renderPassport(t, r, set, &q)["fr"]
		for _, no := range []string{"passport-headline", "passport-links", `id="group-1"`, "javascript:", "alert(1)"} {
			if strings.Contains(fr, no) {
				t.Errorf("invalid passport %+v: page holds %s", q, no)
			}
		}
		if !strings.Contains(fr, "Semaine SEED") {
			t.Error("the awards are no longer shown")
		}
	}
}

func TestLevelProgress(t *testing.T) {
	_, set, _ := richSet(t)
	for id, want := range map[string][2]int{"a1aaaaaaaaaaaaaaaaaaaaaaaa": {1, 5}, "a3aaaaaaaaaaaaaaaaaaaaaaaa": {3, 5}, "a4aaaaaaaaaaaaaaaaaaaaaaaa": {0, 0}} {
		if pos, tot := levelProgress(set.Awards[id].Award); pos != want[0] || tot != want[1] {
			t.Errorf("%s: %d / %d, want %d / %d", id, pos, tot, want[0], want[1])
		}
	}
	// A badge with levels and no framework: its own ladder.
	b := &model.Badge{Levels: []*model.Level{{ID: "a1"}, {ID: "a2"}, {ID: "b1"}}}
	if pos, tot := levelProgress(&model.Award{Badge: b, Level: b.Levels[1]}); pos != 2 || tot != 3 {
		t.Errorf("own ladder: %d / %d", pos, tot)
	}
}
