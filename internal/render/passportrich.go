package render

import (
	"net/url"
	"strconv"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
)

// The richer passport: what the student wrote (headline, links, groups of
// badges) and what the build derives from the badges shown (a skills
// summary, level progress). Only what the student chose is published: the
// headline, links and group names come from their declaration, the skills
// from the awards they chose to show.

// richView is the part of a passport page beyond the list of awards.
type richView struct {
	// TextLang is the language the student writes in (their passport's
	// preferred language); the page marks the student's text with it when
	// the page is in another language.
	TextLang string
	Headline string
	Links    []passport.Link
	// Groups are the awards by group; one group with no name when the
	// student made none.
	Groups []groupView
	// Skills are the framework competencies and other skills the awards
	// shown relate to, by framework.
	Skills []skillFramework
}

type groupView struct {
	Name   string
	ID     string // anchor of the group's heading
	Lang   string // the student's language, when not the page's
	Other  bool   // the awards in no group, after named groups
	Awards []*awardView
}

// skillFramework is one framework of the skills summary; the last one,
// with no name, holds alignments to skills outside any framework.
type skillFramework struct {
	Name, URL string
	Skills    []skillView
}

type skillView struct {
	Code, Name, URL string
	Count           int // awards shown that relate to the skill
	// Level is the highest framework level reached among the awards
	// certifying the competency, with its rank ("3 / 5"); empty when none.
	Level           string
	LevelPos, Total int
}

// levelProgress returns the rank of an award's level and the number of
// levels: on the framework's ladder for a badge certifying a framework
// competency (so that "3 / 5" reads the same across badges), else among
// the badge's levels. 0, 0 for an award without level.
func levelProgress(a *model.Award) (pos, total int) {
	if a.Level == nil {
		return 0, 0
	}
	if c := a.Badge.Competency; c != nil && c.Framework != nil {
		for i, fl := range c.Framework.Levels {
			if fl.ID == a.Level.ID {
				return i + 1, len(c.Framework.Levels)
			}
		}
	}
	for i, l := range a.Badge.Levels {
		if l == a.Level || l.ID == a.Level.ID {
			return i + 1, len(a.Badge.Levels)
		}
	}
	return 0, 0
}

// rich builds the richer part of a passport page in one language. views
// are the award views of p.Awards, by award id.
func (r *Renderer) rich(v *langView, set *PassportSet, p *passport.Passport, views map[string]*awardView) *richView {
	rv := &richView{TextLang: studentLang(set.Site, p.Lang)}
	if p.RichValid() { // checked where written; a store is re-checked here, never trusted
		rv.Headline = p.Headline
		rv.Links = p.Links
	}
	groups := p.Grouped()
	if !p.RichValid() {
		groups = passport.Passport{Awards: p.Awards}.Grouped()
	}
	for i, g := range groups {
		gv := groupView{Name: g.Name}
		if g.Name != "" && rv.TextLang != v.lang {
			gv.Lang = rv.TextLang
		}
		if g.Name != "" {
			gv.ID = "group-" + strconv.Itoa(i+1)
		}
		for _, ref := range g.Awards {
			if av := views[ref.Award]; av != nil {
				gv.Awards = append(gv.Awards, av)
			}
		}
		if len(gv.Awards) > 0 {
			rv.Groups = append(rv.Groups, gv)
		}
	}
	if n := len(rv.Groups); n > 1 && rv.Groups[n-1].Name == "" {
		rv.Groups[n-1].Other = true
	}
	var awards []*model.Award
	for _, ref := range p.Awards {
		if pub := set.Awards[ref.Award]; pub != nil && views[ref.Award] != nil {
			awards = append(awards, pub.Award)
		}
	}
	rv.Skills = v.skills(set.Site, awards)
	return rv
}

// skills is the skills summary of awards: each framework competency the
// awards certify or align to, once, in the site's framework order and the
// framework's competency order, with the number of awards and the highest
// level reached; then the other alignments, once each, in the order met.
func (v *langView) skills(site *model.Site, awards []*model.Award) []skillFramework {
	type acc struct {
		count    int
		pos, tot int
		level    string
		seenBy   map[*model.Award]bool
		other    model.Alignment
		position int
	}
	comp := map[*model.Competency]*acc{}
	other := map[string]*acc{}
	var otherOrder []string
	touch := func(c *model.Competency, a *model.Award) *acc {
		x := comp[c]
		if x == nil {
			x = &acc{seenBy: map[*model.Award]bool{}}
			comp[c] = x
		}
		if !x.seenBy[a] {
			x.seenBy[a] = true
			x.count++
		}
		return x
	}
	for _, a := range awards {
		b := a.Badge
		if c := b.Competency; c != nil {
			x := touch(c, a)
			if pos, tot := levelProgress(a); pos > x.pos {
				x.pos, x.tot = pos, tot
				x.level = v.text(model.Text{Name: a.Level.Name}, a.Level.Translations).Name
			}
		}
		for _, al := range b.Alignments {
			if al.Competency != nil {
				touch(al.Competency, a)
				continue
			}
			key := al.TargetURL
			if key == "" {
				key = al.TargetFramework + "\x00" + al.TargetCode + "\x00" + al.TargetName
			}
			x := other[key]
			if x == nil {
				x = &acc{seenBy: map[*model.Award]bool{}, other: al}
				other[key] = x
				otherOrder = append(otherOrder, key)
			}
			if !x.seenBy[a] {
				x.seenBy[a] = true
				x.count++
			}
		}
	}
	l := v.r.layout
	var out []skillFramework
	for _, f := range site.Frameworks {
		var sf skillFramework
		for _, c := range f.Competencies {
			x := comp[c]
			if x == nil {
				continue
			}
			sv := skillView{Code: c.Code, Name: v.frameworkText(c.Name, "", c.Translations).Name,
				URL: v.href(l.FrameworkPage(f, v.lang)) + "#" + c.ID, Count: x.count, Level: x.level, LevelPos: x.pos, Total: x.tot}
			sf.Skills = append(sf.Skills, sv)
		}
		if len(sf.Skills) > 0 {
			sf.Name, sf.URL = v.frameworkText(f.Name, "", f.Translations).Name, v.href(l.FrameworkPage(f, v.lang))
			out = append(out, sf)
		}
	}
	if len(otherOrder) > 0 {
		var sf skillFramework
		for _, k := range otherOrder {
			x := other[k]
			sv := skillView{Code: x.other.TargetCode, Name: x.other.TargetName, Count: x.count}
			// The content's alignments (ESCO URIs are http://): links
			// to the web only, never another scheme.
			if u, err := url.Parse(x.other.TargetURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
				sv.URL = x.other.TargetURL
			}
			if sv.Name == "" {
				continue
			}
			sf.Skills = append(sf.Skills, sv)
		}
		if len(sf.Skills) > 0 {
			out = append(out, sf)
		}
	}
	return out
}

// studentLang is the language a student wrote their passport's texts in:
// the passport's own, else the site's first.
func studentLang(site *model.Site, lang string) string {
	if lang == "" {
		return site.Languages[0]
	}
	return lang
}
