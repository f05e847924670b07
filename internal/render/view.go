package render

import (
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/model"
)

// pageData is what every layout receives (docs/themes.md describes it).
type pageData struct {
	Lang       string // page language
	Title      string // page title; empty on the home page
	SiteTitle  string
	Root       string // URL path of the site root, ends with "/"
	HomeURL    string // home page in this language (path)
	URL        string // this page (absolute)
	SpaceSlug  string // the space whose overrides and colours apply, or ""
	Alternates []link // this page in every language (absolute), current one marked
	XDefault   string // this page in the default language (absolute)
	JSONLD     []string
	OEmbed     string // oEmbed document of a badge page (absolute)
	Crumbs     []link // ancestors of this page, home first
	Brand      *brandView
	Social     *socialView // canonical, description, Open Graph, share links (social.go)

	Spaces    []spaceCard // home
	SearchURL string      // home: the search index of this language (path)
	Space     *spaceView  // space page
	Badges    []badgeCard // space page
	Badge     *badgeView  // badge page

	Framework *frameworkView // framework page
	Template  *templateView  // shared template page
}

type link struct {
	Lang    string
	Label   string
	URL     string
	Current bool
}

// brandView carries a space's colours, checked and with the text colours
// that keep their contrast readable.
type brandView struct {
	Primary, OnPrimary template.CSS // header band and its text
	Link               template.CSS // link colour: the primary colour where it reads on white, else empty
	Accent, OnAccent   template.CSS // decorations and text on them
}

type spaceCard struct {
	Slug, Name, URL, Logo, ParentName string
	BadgeCount                        int
	Badges                            []badgeCard
}

type spaceView struct {
	Name, LegalName, Logo, ParentName, ParentURL string
	Website, Email, Contact, ProfileURL          string
	Description                                  template.HTML
}

type badgeCard struct {
	Name, Description, URL, Image string
	Tags                          []string
	Levels                        []levelView
	// NameLang, DescLang and TagsLang are the language of the name,
	// description and tags when it is not the page's (for lang="…").
	NameLang, DescLang, TagsLang string
}

type levelView struct {
	ID, Name, Description, JSON string
	Rung                        int // 1 for the first level
	Criteria                    template.HTML
}

type badgeView struct {
	Name, Description, Image, IssuerName, IssuerURL string
	Template, TemplateName, TemplateURL, Expires    string
	JSON                                            string
	Tags                                            []string
	Criteria                                        template.HTML
	Levels                                          []levelView
	Alignments                                      []model.Alignment
	PageURL                                         string      // absolute
	Snippet                                         string      // Moodle snippet (HTML source, shown as text)
	OEmbed                                          string      // absolute
	Ladder                                          *ladderView // the badge competency, when it has one
	// Progression is "ordered" (each level requires the previous one) or
	// "free" (levels are awarded in any order); empty without levels.
	Progression string
	// NameLang, DescLang, CritLang, TagsLang and AlignLang are the language
	// of those texts when it is not the page's (for lang="…").
	NameLang, DescLang, CritLang, TagsLang, AlignLang string
	EU                                                *euFactsView // EU micro-credential facts, how to earn it, holders (eufacts.go)
}

// langView renders one language.
type langView struct {
	r      *Renderer
	site   *model.Site
	lang   string
	spaces map[string]*model.Space
}

func (r *Renderer) view(site *model.Site, lang string) *langView {
	v := &langView{r: r, site: site, lang: lang, spaces: map[string]*model.Space{}}
	for _, sp := range site.Spaces {
		v.spaces[sp.Slug] = sp
	}
	return v
}

// href is the site-root-relative URL path of an output folder or file.
func (v *langView) href(p string) string { return v.r.root + p }

func (v *langView) siteTitle() string {
	if t, ok := v.site.Translations[v.lang]; ok && t.Title != "" {
		return t.Title
	}
	return v.site.Title
}

// text picks the translation of lang, falling back to the default text.
func (v *langView) text(base model.Text, tr map[string]model.Text) model.Text {
	return base.In(v.lang, v.site.Languages[0], tr)
}

func (v *langView) base(title string, pathOf func(lang string) string) *pageData {
	d := &pageData{Lang: v.lang, Title: title, SiteTitle: v.siteTitle(), Root: v.r.root, HomeURL: v.href(v.r.layout.Home(v.lang)),
		URL: v.r.layout.URL(pathOf(v.lang)), XDefault: v.r.layout.URL(pathOf(v.site.Languages[0]))}
	for _, l := range v.site.Languages {
		label := langLabels[l]
		if label == "" {
			label = l
		}
		d.Alternates = append(d.Alternates, link{Lang: l, Label: label, URL: v.r.layout.URL(pathOf(l)), Current: l == v.lang})
	}
	return d
}

func (v *langView) home() *pageData {
	d := v.base("", v.r.layout.Home)
	d.SearchURL = v.href(v.r.layout.Home(v.lang) + SearchIndex)
	for _, sp := range v.site.Spaces {
		c := spaceCard{Slug: sp.Slug, Name: v.text(model.Text{Name: sp.Name}, sp.Translations).Name, URL: v.href(v.r.layout.SpacePage(sp, v.lang)), BadgeCount: len(sp.Badges)}
		for _, b := range inFrameworkOrder(sp.Badges) {
			c.Badges = append(c.Badges, v.badgeCard(b))
		}
		if sp.Logo != nil {
			c.Logo = v.href(v.r.layout.Logo(sp))
		}
		if p := v.spaces[sp.Parent]; p != nil {
			c.ParentName = v.text(model.Text{Name: p.Name}, p.Translations).Name
		}
		d.Spaces = append(d.Spaces, c)
	}
	return d
}

func (v *langView) spaceName(sp *model.Space) string {
	return v.text(model.Text{Name: sp.Name}, sp.Translations).Name
}

func (v *langView) space(sp *model.Space) (*pageData, error) {
	l := v.r.layout
	t := v.text(model.Text{Name: sp.Name, Description: sp.Description}, sp.Translations)
	d := v.base(t.Name, func(lang string) string { return l.SpacePage(sp, lang) })
	d.SpaceSlug, d.Brand = sp.Slug, brand(sp.Theme)
	d.JSONLD = []string{l.URL(l.Issuer(sp))}
	d.Crumbs = []link{{Label: v.siteTitle(), URL: d.HomeURL}}
	desc, err := v.r.md.HTML(t.Description)
	if err != nil {
		return nil, err
	}
	sv := &spaceView{Name: t.Name, LegalName: sp.LegalName, Website: sp.URL, Email: sp.Email, Contact: sp.Contact, ProfileURL: l.URL(l.Issuer(sp)), Description: desc}
	if sp.Logo != nil {
		sv.Logo = v.href(l.Logo(sp))
	}
	if p := v.spaces[sp.Parent]; p != nil {
		sv.ParentName, sv.ParentURL = v.spaceName(p), v.href(l.SpacePage(p, v.lang))
	}
	d.Space = sv
	for _, b := range inFrameworkOrder(sp.Badges) {
		d.Badges = append(d.Badges, v.badgeCard(b))
	}
	return d, nil
}

// badgeCard is the short view of a badge class in lists.
func (v *langView) badgeCard(b *model.Badge) badgeCard {
	l := v.r.layout
	bt := v.text(model.Text{Name: b.Name, Description: b.Description}, b.Translations)
	c := badgeCard{Name: bt.Name, Description: bt.Description, URL: v.href(l.BadgePage(b, v.lang)), Image: v.href(l.BadgeImage(b)), Tags: b.Tags,
		NameLang: v.contentLang(v.translated(b.Translations, "name")), DescLang: v.contentLang(v.translated(b.Translations, "description")),
		TagsLang: v.contentLang(false)}
	for i, lv := range b.Levels {
		c.Levels = append(c.Levels, levelView{ID: lv.ID, Rung: i + 1, Name: v.text(model.Text{Name: lv.Name}, lv.Translations).Name})
	}
	return c
}

func (v *langView) badge(b *model.Badge) (*pageData, error) {
	l := v.r.layout
	t := v.text(model.Text{Name: b.Name, Description: b.Description, Criteria: b.Criteria}, b.Translations)
	d := v.base(t.Name, func(lang string) string { return l.BadgePage(b, lang) })
	d.SpaceSlug, d.Brand = b.Space.Slug, brand(b.Space.Theme)
	d.OEmbed = l.URL(l.BadgePage(b, v.lang) + OEmbedFile)
	d.Crumbs = []link{{Label: v.siteTitle(), URL: d.HomeURL}, {Label: v.spaceName(b.Space), URL: v.href(l.SpacePage(b.Space, v.lang))}}
	crit, err := v.r.md.HTML(t.Criteria)
	if err != nil {
		return nil, err
	}
	bv := &badgeView{
		Name: t.Name, Description: t.Description, Image: v.href(l.BadgeImage(b)),
		IssuerName: v.spaceName(b.Space), IssuerURL: v.href(l.SpacePage(b.Space, v.lang)),
		Tags: b.Tags, Criteria: crit, Alignments: b.Alignments, Expires: v.duration(b.Expires),
		JSON: l.URL(l.BadgeClass(b, nil)), PageURL: d.URL, OEmbed: d.OEmbed,
		Snippet: v.snippet(b, t.Name),
	}
	bv.Ladder = v.ladder(b)
	if len(b.Levels) > 0 {
		bv.Progression = b.Progression
	}
	bv.NameLang = v.contentLang(v.translated(b.Translations, "name"))
	bv.DescLang = v.contentLang(v.translated(b.Translations, "description"))
	bv.CritLang = v.contentLang(v.translated(b.Translations, "criteria"))
	bv.TagsLang, bv.AlignLang = v.contentLang(false), v.contentLang(false)
	if bv.EU, err = v.badgeFacts(b); err != nil {
		return nil, err
	}
	bv.Alignments = v.alignments(b)
	if t := b.Shared; t != nil {
		bv.Template = t.Slug
		bv.TemplateName = v.text(model.Text{Name: t.Name}, t.Translations).Name
		bv.TemplateURL = v.href(l.TemplatePage(t, v.lang))
	} else if b.Template != "" {
		space, slug, _ := strings.Cut(b.Template, "/")
		if sp := v.spaces[space]; sp != nil {
			for _, tb := range sp.Badges {
				if tb.Slug == slug {
					bv.Template = b.Template
					bv.TemplateName = v.text(model.Text{Name: tb.Name}, tb.Translations).Name
					bv.TemplateURL = v.href(l.BadgePage(tb, v.lang))
				}
			}
		}
	}
	for i, lv := range b.Levels {
		lt := v.text(model.Text{Name: lv.Name, Description: lv.Description, Criteria: lv.Criteria}, lv.Translations)
		lc, err := v.r.md.HTML(lt.Criteria)
		if err != nil {
			return nil, err
		}
		json := l.URL(l.BadgeClass(b, lv))
		bv.Levels = append(bv.Levels, levelView{ID: lv.ID, Rung: i + 1, Name: lt.Name, Description: lt.Description, Criteria: lc, JSON: json})
		d.JSONLD = append(d.JSONLD, json)
	}
	if len(b.Levels) == 0 {
		d.JSONLD = []string{bv.JSON}
	}
	d.Badge = bv
	return d, nil
}

var durPartRE = regexp.MustCompile(`(\d+)([YMWD])`)

// duration renders an ISO 8601 duration such as P2Y6M for people.
func (v *langView) duration(iso string) string {
	if iso == "" {
		return ""
	}
	units := map[string][2]string{"Y": {"an", "ans"}, "M": {"mois", "mois"}, "W": {"semaine", "semaines"}, "D": {"jour", "jours"}}
	if v.lang == "en" {
		units = map[string][2]string{"Y": {"year", "years"}, "M": {"month", "months"}, "W": {"week", "weeks"}, "D": {"day", "days"}}
	}
	var parts []string
	for _, m := range durPartRE.FindAllStringSubmatch(iso, -1) {
		n, _ := strconv.Atoi(m[1])
		u := units[m[2]][1]
		if n == 1 {
			u = units[m[2]][0]
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, u))
	}
	return strings.Join(parts, " ")
}
