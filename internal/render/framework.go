package render

import (
	"html/template"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
)

type frameworkView struct {
	Name, Description, JSON string
	Levels                  []ladderStep
	Competencies            []competencyView
}

type ladderStep struct {
	ID, Name, Description, URL string
	Current                    bool // the badge awards this level
}

type competencyView struct {
	ID, Code, Name, Description, JSON string
	TextLang                          string // language of the grid's texts when not the page's
	Dimensions                        []string
	Rows                              []gridRow
	Badges                            []link
}

type gridRow struct {
	Level string
	Cells []string
}

type templateView struct {
	Name, Description, Image, JSON string
	Criteria                       template.HTML
	Tags                           []string
	TagsLang                       string // language of the tags when not the page's
	Users                          []templateUser
}

type templateUser struct {
	Space, SpaceURL, Badge, BadgeURL string
}

// ladderView is the badge page's view of the badge's competency: the
// framework's levels as a ladder, linked to the badge's own levels.
type ladderView struct {
	Framework, FrameworkURL, Code, Competency, CompetencyURL string
	Steps                                                    []ladderStep
	Ordered                                                  bool
	TextLang                                                 string // language of the grid's texts when not the page's
	// Dimensions and Rows are the competency's grid: one row per level,
	// the level's descriptor in each dimension.
	Dimensions []string
	Rows       []gridRow
}

// frameworkText returns the name and description of a framework object in
// the page's language.
func (v *langView) frameworkText(name, desc string, tr map[string]model.Text) model.Text {
	return v.text(model.Text{Name: name, Description: desc}, tr)
}

// descriptor is a dimension's descriptor at a level, in the page's language.
func (v *langView) descriptor(d *model.Dimension, level string) string {
	if v.lang != v.site.Languages[0] {
		if s := d.Descriptors[v.lang][level]; s != "" {
			return s
		}
	}
	return d.Descriptors[""][level]
}

// badgesOf lists the badge classes certifying a competency.
func (v *langView) badgesOf(c *model.Competency) []link {
	var out []link
	for _, sp := range v.site.Spaces {
		for _, b := range sp.Badges {
			if b.Competency == c {
				out = append(out, link{Label: v.text(model.Text{Name: b.Name}, b.Translations).Name + " — " + v.spaceName(sp), URL: v.href(v.r.layout.BadgePage(b, v.lang))})
			}
		}
	}
	return out
}

func (v *langView) framework(f *model.Framework) *pageData {
	l := v.r.layout
	t := v.frameworkText(f.Name, f.Description, f.Translations)
	d := v.base(t.Name, func(lang string) string { return l.FrameworkPage(f, lang) })
	d.Crumbs = []link{{Label: v.siteTitle(), URL: d.HomeURL}}
	d.JSONLD = nil
	fv := &frameworkView{Name: t.Name, Description: t.Description, JSON: l.URL(l.FrameworkPackage(f))}
	for _, lv := range f.Levels {
		lt := v.frameworkText(lv.Name, lv.Description, lv.Translations)
		fv.Levels = append(fv.Levels, ladderStep{ID: lv.ID, Name: lt.Name, Description: lt.Description})
	}
	for _, c := range f.Competencies {
		ct := v.frameworkText(c.Name, c.Description, c.Translations)
		cv := competencyView{ID: c.ID, Code: c.Code, Name: ct.Name, Description: ct.Description, JSON: l.URL(l.CompetencyItem(c)), Badges: v.badgesOf(c)}
		for _, dim := range c.Dimensions {
			cv.Dimensions = append(cv.Dimensions, v.frameworkText(dim.Name, "", dim.Translations).Name)
		}
		cv.TextLang = v.gridLang(c)
		for i, lv := range f.Levels {
			row := gridRow{Level: fv.Levels[i].Name}
			for _, dim := range c.Dimensions {
				row.Cells = append(row.Cells, v.descriptor(dim, lv.ID))
			}
			cv.Rows = append(cv.Rows, row)
		}
		fv.Competencies = append(fv.Competencies, cv)
	}
	d.Framework = fv
	return d
}

func (v *langView) template(t *model.Template) (*pageData, error) {
	l := v.r.layout
	tt := v.text(model.Text{Name: t.Name, Description: t.Description, Criteria: t.Criteria}, t.Translations)
	d := v.base(tt.Name, func(lang string) string { return l.TemplatePage(t, lang) })
	d.Crumbs = []link{{Label: v.siteTitle(), URL: d.HomeURL}}
	d.JSONLD = []string{l.URL(l.TemplateAchievement(t))}
	crit, err := v.r.md.HTML(tt.Criteria)
	if err != nil {
		return nil, err
	}
	tv := &templateView{Name: tt.Name, Description: tt.Description, Image: v.href(l.TemplateImage(t)), JSON: l.URL(l.TemplateAchievement(t)), Criteria: crit, Tags: t.Tags, TagsLang: v.contentLang(false)}
	for _, b := range t.Users {
		tv.Users = append(tv.Users, templateUser{
			Space: v.spaceName(b.Space), SpaceURL: v.href(l.SpacePage(b.Space, v.lang)),
			Badge: v.text(model.Text{Name: b.Name}, b.Translations).Name, BadgeURL: v.href(l.BadgePage(b, v.lang)),
		})
	}
	d.Template = tv
	return d, nil
}

// ladder is the competency ladder shown on a badge page.
func (v *langView) ladder(b *model.Badge) *ladderView {
	c := b.Competency
	if c == nil {
		return nil
	}
	l := v.r.layout
	f := c.Framework
	lv := &ladderView{
		Framework: v.frameworkText(f.Name, "", f.Translations).Name, FrameworkURL: v.href(l.FrameworkPage(f, v.lang)),
		Code: c.Code, Competency: v.frameworkText(c.Name, "", c.Translations).Name,
		CompetencyURL: v.href(l.FrameworkPage(f, v.lang)) + "#" + c.ID,
		Ordered:       b.Progression == "ordered",
	}
	for _, fl := range f.Levels {
		st := ladderStep{ID: fl.ID, Name: v.frameworkText(fl.Name, "", fl.Translations).Name}
		for _, bl := range b.Levels {
			if bl.ID == fl.ID {
				st.URL = "#level-" + fl.ID
				st.Current = true
			}
		}
		lv.Steps = append(lv.Steps, st)
	}
	for _, dim := range c.Dimensions {
		lv.Dimensions = append(lv.Dimensions, v.frameworkText(dim.Name, "", dim.Translations).Name)
	}
	lv.TextLang = v.gridLang(c)
	if len(c.Dimensions) > 0 {
		for i, fl := range f.Levels {
			row := gridRow{Level: lv.Steps[i].Name}
			for _, dim := range c.Dimensions {
				row.Cells = append(row.Cells, v.descriptor(dim, fl.ID))
			}
			lv.Rows = append(lv.Rows, row)
		}
	}
	return lv
}

// frameworkPages renders the framework and shared-template pages of one
// language.
func (r *Renderer) frameworkPages(v *langView, out publish.Files) error {
	for _, f := range v.site.Frameworks {
		d := v.framework(f)
		v.frameworkSocial(d, f)
		if err := r.page(out, "framework", r.layout.FrameworkPage(f, v.lang), d); err != nil {
			return err
		}
	}
	for _, t := range v.site.Templates {
		d, err := v.template(t)
		if err != nil {
			return err
		}
		v.templateSocial(d, t)
		if err := r.page(out, "template", r.layout.TemplatePage(t, v.lang), d); err != nil {
			return err
		}
	}
	return nil
}

// frameworkLocs lists the framework and template pages, for the sitemap.
func (r *Renderer) frameworkLocs(site *model.Site, lang string) []string {
	var out []string
	for _, f := range site.Frameworks {
		out = append(out, r.layout.FrameworkPage(f, lang))
	}
	for _, t := range site.Templates {
		out = append(out, r.layout.TemplatePage(t, lang))
	}
	return out
}

// frameworkAssets copies the shared templates' images.
func (r *Renderer) frameworkAssets(site *model.Site, out publish.Files) error {
	for _, t := range site.Templates {
		if t.Image != nil {
			if err := copyFile(out, r.layout.TemplateImage(t), t.Image); err != nil {
				return err
			}
		}
	}
	return nil
}

// alignments are the badge's alignments as shown: those naming a framework
// competency link to it on the framework page.
func (v *langView) alignments(b *model.Badge) []model.Alignment {
	var out []model.Alignment
	for _, a := range b.Alignments {
		if c := a.Competency; c != nil {
			f := c.Framework
			a = model.Alignment{Competency: c, TargetName: v.frameworkText(c.Name, "", c.Translations).Name, TargetURL: v.href(v.r.layout.FrameworkPage(f, v.lang)) + "#" + c.ID,
				TargetDescription: a.TargetDescription, TargetFramework: v.frameworkText(f.Name, "", f.Translations).Name, TargetCode: c.Code}
		}
		out = append(out, a)
	}
	return out
}
