package render

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/dashboard"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/themes"
)

var (
	chartRE    = regexp.MustCompile(`(?s)<svg class="dash-chart".*?</svg>`)
	svgTagRE   = regexp.MustCompile(`<([a-zA-Z]+)((?:\s+[^>]*)?)>`)
	svgAttrRE  = regexp.MustCompile(`([a-zA-Z:-]+)="[^"]*"`)
	chartTags  = map[string]bool{"svg": true, "title": true, "desc": true, "text": true, "rect": true}
	chartAttrs = map[string]bool{"class": true, "role": true, "aria-labelledby": true, "viewBox": true, "width": true, "height": true,
		"xmlns": true, "id": true, "x": true, "y": true}
)

// TestHostileContentInDashboards renders the dashboards of the hostile
// site, with awards: the pages (their SVG charts included) stay inert and
// show the names as text, the CSV cells cannot run as formulas, and the
// JSON holds the names exactly.
func TestHostileContentInDashboards(t *testing.T) {
	files := hostileFiles()
	rows := "email,name,badge,level,date\n"
	for i := range 6 {
		rows += "p" + string(rune('a'+i)) + "@example.org,Personne,hostile,un,2025-01-10\n"
	}
	files["content/ecole/awards/a.csv"] = rows + "x@example.org,X,plain,,2025-02-10\n"
	files["content/ecole/badges/formula.svg"] = testSVG
	files["content/ecole/badges/formula.md"] = "---\nname: '=HYPERLINK(\"https://evil.example\";\"clic\")'\ndescription: F.\nimage: formula.svg\n---\nC.\n"
	files["content/ecole/awards/b.csv"] = "email,name,badge,date\n"
	for _, p := range "fghij" {
		files["content/ecole/awards/b.csv"] += string(p) + "@example.org,P,formula,2025-03-10\n"
	}
	_, site := loadSite(t, files)
	ds, err := dashboard.Build(site, dashboard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(testLayout(site), themes.Default())
	if err != nil {
		t.Fatal(err)
	}
	out := publish.Files{}
	if err := r.DashboardFiles(site, ds, out); err != nil {
		t.Fatal(err)
	}
	pages := 0
	for p, b := range out {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		pages++
		// The charts are the only SVG: title, desc, text and rect elements
		// with no attribute but geometry, class, id and ARIA ones. The rest
		// of the page passes the hostile-content check.
		charts := chartRE.FindAll(b, -1)
		if n := bytes.Count(b, []byte("<svg")); n != len(charts) {
			t.Errorf("%s: %d svg elements, %d charts", p, n, len(charts))
		}
		for _, c := range charts {
			for _, m := range svgTagRE.FindAllSubmatch(c, -1) {
				if !chartTags[string(m[1])] {
					t.Errorf("%s: <%s> in a chart", p, m[1])
				}
				for _, a := range svgAttrRE.FindAllSubmatch(m[2], -1) {
					if !chartAttrs[string(a[1])] {
						t.Errorf("%s: <%s %s> in a chart", p, m[1], a[1])
					}
				}
			}
		}
		checkInert(t, p, chartRE.ReplaceAll(b, nil))
	}
	if pages != 2*len(ds) {
		t.Fatalf("%d pages for %d dashboards", pages, len(ds))
	}
	page := string(out["dashboards/spaces/ecole/index.html"])
	if !strings.Contains(page, `<svg class="dash-chart"`) {
		t.Fatal("no chart on the space dashboard")
	}
	text := textOf(t, page)
	for _, want := range []string{hostileSpace, hostileBadge + " — " + hostileLevel} {
		if strings.Count(text, want) < 2 { // in the chart and in the table
			t.Errorf("the space dashboard does not show %q as text in its chart and table", want)
		}
	}
	csv := out["dashboards/data/space-ecole.csv"]
	if !bytes.Contains(csv, []byte(`"'=HYPERLINK(""https://evil.example"";""clic"")"`)) {
		t.Errorf("the formula badge name is not neutralised:\n%s", csv)
	}
	var doc struct {
		Tables []struct {
			ID   string
			Rows []struct {
				Label map[string]string
			}
		}
	}
	if err := json.Unmarshal(out["dashboards/data/space-ecole.json"], &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tb := range doc.Tables {
		for _, r := range tb.Rows {
			found = found || r.Label["fr"] == hostileBadge+" — "+hostileLevel
		}
	}
	if !found {
		t.Error("the JSON does not hold the badge's name exactly")
	}
}
