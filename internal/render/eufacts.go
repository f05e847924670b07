package render

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/people"
)

// euFactsView is what the "eu-facts" partial shows of a badge's EU
// micro-credential facts (model.Micro): on badge pages (with how to earn
// it and its number of holders), award pages and passports.
type euFactsView struct {
	Credits             string // "3", "1,5" in French
	Workload            int
	EQF                 int
	EQFURL              string
	Assessment, Mode    string // keys: the theme says eu_assess_<key>, eu_mode_<key>
	QualityAssurance    string // text, or the link's text when QualityAssuranceURL is set
	QualityAssuranceURL string
	Prerequisites       string
	Skills, Occupations []model.ESCO
	Earn                template.HTML // badge pages only
	Holders             int           // badge pages only; 0: not shown (none, or fewer than the threshold)
	// SourceLang is the language the facts' free text is written in
	// (the site's first language) when it differs from the page's, for a
	// lang attribute; empty otherwise.
	SourceLang string
	// Compact is the one-line form of passport pages.
	Compact bool
}

// Holders shows on badge pages the number of people holding the badge (a
// revoked or suspended award does not count; an expired one does) when
// they are k or more; 0 shows it nowhere. Use the dashboards' threshold.
func Holders(k int) Option {
	return func(r *Renderer) { r.holdersK = k }
}

// euFacts returns the facts of badge b, or nil when it states none.
func (v *langView) euFacts(b *model.Badge) *euFactsView {
	m := b.Micro
	if m.Empty() && b.Credits == 0 {
		return nil
	}
	f := &euFactsView{Workload: m.Workload, EQF: m.EQF, Assessment: m.Assessment, Mode: m.Mode,
		Prerequisites: m.Prerequisites, Skills: m.Skills, Occupations: m.Occupations}
	if b.Credits > 0 {
		f.Credits = strconv.FormatFloat(b.Credits, 'f', -1, 64)
		if v.lang == "fr" {
			f.Credits = strings.Replace(f.Credits, ".", ",", 1)
		}
	}
	if m.EQF > 0 {
		f.EQFURL = model.EQFURL(m.EQF)
	}
	f.QualityAssurance = m.QualityAssurance
	if u, err := url.Parse(m.QualityAssurance); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		f.QualityAssuranceURL = m.QualityAssurance
	}
	if src := v.site.Languages[0]; src != v.lang {
		f.SourceLang = src
	}
	return f
}

// badgeFacts adds to euFacts what only badge pages show: how to earn the
// badge and its number of holders.
func (v *langView) badgeFacts(b *model.Badge) (*euFactsView, error) {
	f := v.euFacts(b)
	n := v.r.holderCount(b)
	if f == nil && (b.Micro.Earn != "" || n > 0) {
		f = &euFactsView{}
		if src := v.site.Languages[0]; src != v.lang {
			f.SourceLang = src
		}
	}
	if f == nil {
		return nil, nil
	}
	f.Holders = n
	if b.Micro.Earn != "" {
		h, err := v.r.md.HTML(b.Micro.Earn)
		if err != nil {
			return nil, err
		}
		f.Earn = h
	}
	return f, nil
}

// holderCount is the number of people holding b, or 0 when under the
// threshold (or none is set).
func (r *Renderer) holderCount(b *model.Badge) int {
	if r.holdersK <= 0 {
		return 0
	}
	if r.holders == nil {
		r.holders = map[*model.Badge]int{}
	}
	sp := b.Space
	if _, done := r.holdersDone[sp]; !done {
		if r.holdersDone == nil {
			r.holdersDone = map[*model.Space]bool{}
		}
		r.holdersDone[sp] = true
		who := people.New(sp.Awards)
		seen := map[*model.Badge]map[string]bool{}
		for _, a := range sp.Awards {
			if _, revoked := sp.Revocations[a.ID]; revoked {
				continue
			}
			g := who.Of(a)
			if g == "" {
				g = "award:" + a.ID
			}
			if seen[a.Badge] == nil {
				seen[a.Badge] = map[string]bool{}
			}
			seen[a.Badge][g] = true
		}
		for bd, s := range seen {
			r.holders[bd] = len(s)
		}
	}
	if n := r.holders[b]; n >= r.holdersK {
		return n
	}
	return 0
}
