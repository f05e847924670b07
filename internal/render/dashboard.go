package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/dashboard"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
)

// DashboardsDir is the folder of the dashboards under a language's home:
// the national one at its top, networks under networks/<slug>/, spaces
// under spaces/<slug>/. Open data (one set for all languages) lies under
// DashboardsDir + dashboard.DataDir at the site's top.
const DashboardsDir = "dashboards/"

// DashboardPage is the folder of a dashboard's page in lang.
func (r *Renderer) DashboardPage(d *dashboard.Dashboard, lang string) string {
	p := r.layout.Home(lang) + DashboardsDir
	switch d.Kind {
	case dashboard.Network:
		p += "networks/" + d.Space.Slug + "/"
	case dashboard.Space:
		p += "spaces/" + d.Space.Slug + "/"
	}
	return p
}

// DashboardFiles renders the dashboards' pages in every language and their
// open data (data/<id>.csv, data/<id>.json, data/schema.json) into out, at
// their paths in the site.
func (r *Renderer) DashboardFiles(site *model.Site, ds []*dashboard.Dashboard, out publish.Files) error {
	def := site.Languages[0]
	prefix := DashboardsDir
	for _, d := range ds {
		csv, err := d.CSV(def)
		if err != nil {
			return err
		}
		js, err := d.JSON()
		if err != nil {
			return err
		}
		out[prefix+dashboard.DataDir+d.ID()+".csv"] = csv
		out[prefix+dashboard.DataDir+d.ID()+".json"] = js
	}
	out[prefix+dashboard.DataDir+"schema.json"] = []byte(dashboard.SchemaJSON)
	var pages []string
	for _, lang := range site.Languages {
		v := r.view(site, lang)
		dir := r.DashboardPage
		for _, d := range ds {
			pd := v.base(v.dashboardTitle(d), func(l string) string { return dir(d, l) })
			pd.Crumbs = []link{{Label: v.siteTitle(), URL: pd.HomeURL}}
			if d.Kind != dashboard.National {
				pd.Crumbs = append(pd.Crumbs, link{Label: v.dashboardTitle(ds[0]), URL: v.href(dir(ds[0], lang))})
			}
			if d.Space != nil {
				pd.SpaceSlug, pd.Brand = d.Space.Slug, brand(d.Space.Theme)
			}
			v.dashboardSocial(pd, d.Space)
			dv := v.dashboardView(d, ds)
			b, err := r.exec("dashboard", lang, &dashboardPage{pageData: pd, Dashboard: dv})
			if err != nil {
				return fmt.Errorf("rendering %s: %w", dir(d, lang), err)
			}
			out[dir(d, lang)+"index.html"] = b
			pages = append(pages, dir(d, lang))
		}
	}
	// Published with the site, they are in its sitemap.
	if sm, ok := out["sitemap.xml"]; ok {
		out["sitemap.xml"] = r.sitemapWith(sm, pages)
	}
	return nil
}

type dashboardPage struct {
	*pageData
	Dashboard *dashboardView
}

type dashboardView struct {
	Kind, Scope, AsOf, AsOfISO string
	K                          int
	CSV, JSON, Schema          string
	Members                    []link
	Related                    []link // the other dashboards
	Figures                    []figureView
	Tables                     []*tableView
}

type figureView struct {
	Key  string // theme string: dashboardFigure<Key>
	Cell cellView
}

type cellView struct {
	Text   string // number, "< k", or empty when hidden to protect another count
	Hidden bool   // suppressed
	Small  bool   // below k
}

type tableView struct {
	ID, Title, Subject, RowHead string
	Columns                     []string // headings (already in the page's language)
	Rows                        []rowView
	Chart                       *chartView
}

type rowView struct {
	Label string
	Total bool
	Cells []cellView
}

// chartView is a horizontal bar chart: one bar per row but the total, its
// label above it; hidden counts draw no bar.
type chartView struct {
	Width, Height int
	Bars          []barView
}

type barView struct {
	Label          string
	Cell           cellView
	Y, TextY       int // top of the bar, baseline of the label
	W, BarH        int // bar width (0 when hidden) and height
	ValueX, ValueY int // where the value is written
}

func (v *langView) dashboardTitle(d *dashboard.Dashboard) string {
	switch d.Kind {
	case dashboard.Network:
		return v.r.t(v.lang, "dashboardNetworkTitle") + " " + v.spaceName(d.Space)
	case dashboard.Space:
		return v.r.t(v.lang, "dashboardSpaceTitle") + " " + v.spaceName(d.Space)
	}
	return v.r.t(v.lang, "dashboardNationalTitle")
}

// t is a theme string of lang, falling back to French like layouts' t.
func (r *Renderer) t(lang, k string) string {
	if s, ok := r.strings[lang][k]; ok {
		return s
	}
	return r.strings["fr"][k]
}

func (v *langView) label(l dashboard.Label) string {
	if l.Key != "" {
		return v.r.t(v.lang, l.Key)
	}
	return l.Text[v.lang]
}

// number writes n with the language's thousands separator.
func (v *langView) number(n int) string {
	s := strconv.Itoa(n)
	sep := ","
	if v.lang == "fr" {
		sep = "\u202f"
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (v *langView) cell(d *dashboard.Dashboard, c dashboard.Count) cellView {
	if n, ok := c.Value(); ok {
		return cellView{Text: v.number(n)}
	}
	if c.Status() == dashboard.Primary {
		return cellView{Text: "< " + strconv.Itoa(d.K), Hidden: true, Small: true}
	}
	return cellView{Hidden: true}
}

func (v *langView) dashboardView(d *dashboard.Dashboard, all []*dashboard.Dashboard) *dashboardView {
	dv := &dashboardView{Kind: d.Kind, K: d.K, Scope: v.dashboardTitle(d)}
	if !d.AsOf.IsZero() {
		dv.AsOf, dv.AsOfISO = v.date(d.AsOf), d.AsOf.Format("2006-01-02")
	}
	// Open data lies beside the default language's pages.
	data := v.href(DashboardsDir + dashboard.DataDir)
	dv.CSV, dv.JSON, dv.Schema = data+d.ID()+".csv", data+d.ID()+".json", data+"schema.json"
	for _, m := range d.Members {
		if d.Kind != dashboard.Space {
			dv.Members = append(dv.Members, link{Label: v.spaceName(m), URL: v.href(v.r.layout.SpacePage(m, v.lang))})
		}
	}
	for _, o := range all {
		if o == d {
			continue
		}
		related := d.Kind == dashboard.National || o.Kind == dashboard.National
		if d.Kind == dashboard.Network && o.Kind == dashboard.Space {
			for _, m := range d.Members {
				related = related || m == o.Space
			}
		}
		if d.Kind == dashboard.Space && o.Kind == dashboard.Network {
			related = d.Space.Parent == o.Space.Slug || d.Space == o.Space
		}
		if related {
			dv.Related = append(dv.Related, link{Label: v.dashboardTitle(o), URL: v.href(v.r.DashboardPage(o, v.lang))})
		}
	}
	for _, f := range d.Figures {
		dv.Figures = append(dv.Figures, figureView{Key: "dashboardFigure" + strings.ToUpper(f.Key[:1]) + f.Key[1:], Cell: v.cell(d, f.Count)})
	}
	for _, t := range d.Tables {
		tv := &tableView{ID: t.ID, Title: v.r.t(v.lang, t.Title), Subject: t.Subject[v.lang], RowHead: v.r.t(v.lang, t.RowHead)}
		for _, c := range t.Columns {
			tv.Columns = append(tv.Columns, v.label(c.Label))
		}
		for _, r := range t.Rows {
			rv := rowView{Label: v.label(r.Label), Total: r.Total}
			for _, c := range r.Cells {
				rv.Cells = append(rv.Cells, v.cell(d, c))
			}
			tv.Rows = append(tv.Rows, rv)
		}
		if t.Chart {
			tv.Chart = chart(t, tv)
		}
		dv.Tables = append(dv.Tables, tv)
	}
	return dv
}

// chart lays out the bars of a one-column table (its total left out).
func chart(t *dashboard.Table, tv *tableView) *chartView {
	const width, rowH, barH, labelH, valueW = 640, 40, 14, 16, 72
	c := &chartView{Width: width}
	top := 0
	for _, r := range t.Rows {
		if r.Total {
			continue
		}
		if n, ok := r.Cells[0].Value(); ok {
			top = max(top, n)
		}
	}
	y := 0
	for i, r := range t.Rows {
		if r.Total {
			continue
		}
		b := barView{Label: tv.Rows[i].Label, Cell: tv.Rows[i].Cells[0], TextY: y + labelH - 3, Y: y + labelH + 2, BarH: barH}
		if n, ok := r.Cells[0].Value(); ok && top > 0 {
			b.W = max(1, n*(width-valueW)/top)
		}
		b.ValueX, b.ValueY = b.W+6, b.Y+barH-2
		c.Bars = append(c.Bars, b)
		y += rowH
	}
	c.Height = max(y, rowH)
	return c
}
