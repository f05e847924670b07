package build

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
)

// dashCell is one line of a published dashboard CSV.
type dashCell struct{ dash, table, row, label, col, value, supp string }

func (c dashCell) id() string { return c.dash + "|" + c.table + "|" + c.row + "|" + c.col }

// dashData is what the published dashboard files say, read back with
// encoding/csv and encoding/json.
type dashData struct {
	k       int
	cells   map[string][]dashCell // by dashboard id, in file order
	members map[string][]string   // dashboard id → member space slugs
	kinds   map[string]string
}

func readDashData(t *testing.T, dest string) *dashData {
	t.Helper()
	d := &dashData{cells: map[string][]dashCell{}, members: map[string][]string{}, kinds: map[string]string{}}
	files, err := filepath.Glob(filepath.Join(dest, "dashboards", "data", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboard data in %s (%v)", dest, err)
	}
	for _, f := range files {
		if filepath.Base(f) == "schema.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var j struct {
			Dashboard, Kind string
			K               int
			Members         []string
		}
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		d.k = j.K
		d.members[j.Dashboard], d.kinds[j.Dashboard] = j.Members, j.Kind
		raw, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte("\ufeff")) {
			t.Errorf("%s.csv has no byte-order mark (Excel would mangle accents)", j.Dashboard)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", j.Dashboard, err)
		}
		if want := []string{"dashboard", "table", "row", "row_label", "column", "value", "suppressed"}; !slices.Equal(recs[0], want) {
			t.Fatalf("%s.csv header %q, want %q", j.Dashboard, recs[0], want)
		}
		for _, rec := range recs[1:] {
			d.cells[j.Dashboard] = append(d.cells[j.Dashboard], dashCell{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6]})
		}
	}
	return d
}

// value is a cell's published number; ok is false when it is suppressed.
func (c dashCell) number() (int, bool) {
	n, err := strconv.Atoi(c.value)
	return n, err == nil
}

func (d *dashData) find(dash, table, row, col string) (dashCell, bool) {
	for _, c := range d.cells[dash] {
		if c.table == table && c.row == row && c.col == col {
			return c, true
		}
	}
	return dashCell{}, false
}

var (
	htmlCountRE = regexp.MustCompile(`(?s)<(?:td|dd) class="count">(.*?)</(?:td|dd)>|<text class="value"[^>]*>(.*?)</text>`)
	tagRE       = regexp.MustCompile(`<[^>]*>`)
)

// checkNoSmallCount scans every published dashboard file (pages with their
// inline SVG charts, CSV, JSON) and fails on a count below k: each count is
// a number of k or more, "< k", or hidden. It returns how many counts it saw.
func checkNoSmallCount(t *testing.T, root string, k int) int {
	t.Helper()
	small := "< " + strconv.Itoa(k)
	seen, files := 0, 0
	count := func(where, s string) {
		seen++
		n, err := strconv.Atoi(strings.NewReplacer("\u202f", "", ",", "", "\u00a0", "").Replace(s))
		if err != nil || n < k {
			t.Errorf("%s: count %q published (k=%d)", where, s, k)
		}
	}
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !strings.HasPrefix(rel, "dashboards/") && !strings.Contains(rel, "/dashboards/") {
			return nil
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch path.Ext(rel) {
		case ".csv":
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
			r.Comma = ';'
			recs, err := r.ReadAll()
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			for i, rec := range recs[1:] {
				where := fmt.Sprintf("%s:%d", rel, i+2)
				switch v, s := rec[5], rec[6]; {
				case v == "" && s == "secondary", v == small && s == "primary":
					seen++
				case s != "":
					t.Errorf("%s: value %q marked %q", where, v, s)
				default:
					count(where, v)
				}
			}
		case ".json":
			if path.Base(rel) == "schema.json" {
				return nil
			}
			var doc any
			if err := json.Unmarshal(b, &doc); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					if val, ok := v["value"]; ok {
						switch n := val.(type) {
						case nil:
							seen++
							if s := v["suppressed"]; s != "primary" && s != "secondary" {
								t.Errorf("%s: a null value is marked %v", rel, s)
							}
						case float64:
							count(rel, strconv.FormatFloat(n, 'f', -1, 64))
						default:
							t.Errorf("%s: value %v", rel, val)
						}
					}
					for _, x := range v {
						walk(x)
					}
				case []any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			walk(doc)
		case ".html":
			ms := htmlCountRE.FindAllStringSubmatch(string(b), -1)
			if len(ms) == 0 {
				t.Errorf("%s: no count found", rel)
			}
			for _, m := range ms {
				inner := m[1] + m[2]
				text := strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(inner, "")))
				switch {
				case text == small:
					seen++
				case strings.HasPrefix(text, "—"):
					seen++
				default:
					count(rel, text)
				}
			}
			if bytes.Contains(b, []byte("<script")) && bytes.Count(b, []byte("<script")) != 1 {
				t.Errorf("%s: a script besides the theme's", rel)
			}
		default:
			t.Errorf("%s: unexpected dashboard file", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 || seen == 0 {
		t.Fatalf("no dashboard file under %s", root)
	}
	return seen
}

// checkNoIdentifier fails when a dashboard file holds a recipient's
// identifier or name or an award id.
func checkNoIdentifier(t *testing.T, root string, site *model.Site) {
	t.Helper()
	var needles []string
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			needles = append(needles, a.ID)
			for _, s := range []string{a.Recipient.Email, a.Recipient.EPPN, a.Recipient.Name, a.Recipient.StudentID} {
				if s != "" {
					needles = append(needles, s)
				}
			}
		}
	}
	slices.Sort(needles)
	needles = slices.Compact(needles)
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.Contains(filepath.ToSlash(p), "dashboards/") {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %q", p, n)
				return nil
			}
		}
		return nil
	})
}

// checkNotDerivable fails when a suppressed count can be computed from the
// published ones: it writes down every linear relation a reader knows
// between the published cells of all the dashboards (a table's rows and
// its total, a network's month and its spaces', the same badge row on two
// dashboards, a template's use and its badges' rows…) and solves for each
// hidden cell by Gaussian elimination. A hidden cell whose value is
// determined fails, unless that value is 0 (a space that issued nothing).
func checkNotDerivable(t *testing.T, d *dashData, site *model.Site) {
	t.Helper()
	// Holders never outnumber awards: with its awards hidden, a scope's
	// holders would bound them, so they are hidden too.
	for dash := range d.cells {
		a, _ := d.find(dash, "figures", "awards", "count")
		h, _ := d.find(dash, "figures", "holders", "count")
		if _, shown := a.number(); !shown {
			if _, shown := h.number(); shown {
				t.Errorf("%s: awards hidden but holders shown (%s)", dash, h.value)
			}
		}
	}
	// Counts of people over a scope and a scope inside it: their
	// difference, people of the other spaces only, is a count as well.
	for big, bm := range d.members {
		for small, sm := range d.members {
			inside := big != small && len(sm) < len(bm)
			for _, s := range sm {
				inside = inside && slices.Contains(bm, s)
			}
			if !inside {
				continue
			}
			for _, c := range d.cells[big] {
				if !(c.table == "figures" && c.row == "holders") && !strings.HasPrefix(c.table, "progression-") && !strings.HasPrefix(c.table, "complete-") {
					continue
				}
				o, ok := d.find(small, c.table, c.row, c.col)
				n, shown := c.number()
				m, shown2 := o.number()
				if ok && shown && shown2 && n-m > 0 && n-m < d.k {
					t.Errorf("%s %s %s %s: %d, and %d in %s: a difference of %d people", big, c.table, c.row, c.col, n, m, small, n-m)
				}
			}
		}
	}
	type equation map[string]float64 // Σ coef·cell
	var eqs []equation
	known := map[string]float64{}
	for _, cs := range d.cells {
		for _, c := range cs {
			if n, ok := c.number(); ok {
				known[c.id()] = float64(n)
			}
		}
	}
	add := func(terms map[string]float64) { eqs = append(eqs, terms) }
	id := func(dash, table, row, col string) string { return dash + "|" + table + "|" + row + "|" + col }
	for dash, cs := range d.cells {
		rows := map[string][]dashCell{}
		for _, c := range cs {
			rows[c.table] = append(rows[c.table], c)
		}
		for table, tc := range rows {
			switch {
			case table == "awards-by-badge" || table == "awards-by-space" || table == "awards-by-month" || strings.HasPrefix(table, "template-"):
				e := equation{}
				for _, c := range tc {
					if c.row == "total" {
						e[c.id()] -= 1
					} else {
						e[c.id()] += 1
					}
				}
				add(e)
				if !strings.HasPrefix(table, "template-") {
					add(equation{id(dash, table, "total", "awards"): 1, id(dash, "figures", "awards", "count"): -1})
				}
			case strings.HasPrefix(table, "progression-"):
				byRow := map[string]equation{}
				for _, c := range tc {
					if byRow[c.row] == nil {
						byRow[c.row] = equation{}
					}
					if c.col == "holders" {
						byRow[c.row][c.id()] -= 1
					} else {
						byRow[c.row][c.id()] += 1
					}
				}
				for _, e := range byRow {
					add(e)
				}
			case strings.HasPrefix(table, "cohorts-"):
				byRow := map[string]equation{}
				for _, c := range tc {
					if byRow[c.row] == nil {
						byRow[c.row] = equation{}
					}
					byRow[c.row][c.id()] = map[string]float64{"complete": 1, "incomplete": 1, "members": -1}[c.col]
				}
				for _, e := range byRow {
					add(e)
				}
			}
		}
		if d.kinds[dash] == "space" {
			continue
		}
		members := d.members[dash]
		for _, s := range members {
			sd := "space-" + s
			if c, ok := d.find(dash, "awards-by-space", s, "awards"); ok {
				add(equation{c.id(): 1, id(sd, "figures", "awards", "count"): -1})
			} else {
				add(equation{id(sd, "figures", "awards", "count"): 1}) // not listed: issued nothing
			}
			for _, c := range d.cells[sd] {
				if c.table == "awards-by-badge" && c.row != "total" {
					add(equation{c.id(): 1, id(dash, c.table, c.row, c.col): -1})
				}
			}
		}
		for _, c := range cs {
			if c.table == "awards-by-month" && c.row != "total" {
				e := equation{c.id(): -1}
				for _, s := range members {
					if sc, ok := d.find("space-"+s, c.table, c.row, c.col); ok {
						e[sc.id()] += 1
					}
				}
				add(e)
			}
			if c.table == "figures" && (c.row == "revoked" || c.row == "suspended" || c.row == "expired") {
				e := equation{c.id(): -1}
				for _, s := range members {
					e[id("space-"+s, "figures", c.row, "count")] += 1
				}
				add(e)
			}
			if tpl, ok := strings.CutPrefix(c.table, "template-"); ok && c.row != "total" {
				e := equation{c.id(): -1}
				for _, sp := range site.Spaces {
					if sp.Slug != c.row {
						continue
					}
					for _, b := range sp.Badges {
						if b.Shared == nil || b.Shared.Slug != tpl {
							continue
						}
						for _, bc := range cs {
							if bc.table == "awards-by-badge" && strings.HasPrefix(bc.row, sp.Slug+"/"+b.Slug+"/") {
								e[bc.id()] += 1
							}
						}
					}
				}
				add(e)
			}
			// A framework used by one member only: the scope's progression is that space's.
			if strings.HasPrefix(c.table, "progression-") || strings.HasPrefix(c.table, "complete-") {
				var users []string
				for _, s := range members {
					if _, ok := d.find("space-"+s, c.table, c.row, c.col); ok {
						users = append(users, s)
					}
				}
				if len(users) == 1 {
					sc, _ := d.find("space-"+users[0], c.table, c.row, c.col)
					add(equation{c.id(): 1, sc.id(): -1})
				}
			}
		}
	}
	// Unknowns: the hidden cells; known cells move to the right-hand side.
	index := map[string]int{}
	var names []string
	type row struct {
		a   []float64
		rhs float64
	}
	var rowsIn []map[string]float64
	var rhs []float64
	for _, e := range eqs {
		u := map[string]float64{}
		r := 0.0
		for k, v := range e {
			if v == 0 {
				continue
			}
			if n, ok := known[k]; ok {
				r -= v * n
				continue
			}
			u[k] += v
			if _, ok := index[k]; !ok {
				index[k] = len(names)
				names = append(names, k)
			}
		}
		if len(u) > 0 {
			rowsIn = append(rowsIn, u)
			rhs = append(rhs, r)
		} else if math.Abs(r) > 1e-9 {
			t.Errorf("published counts break a relation: %v (off by %v)", e, r)
		}
	}
	m := make([]row, len(rowsIn))
	for i, u := range rowsIn {
		m[i] = row{a: make([]float64, len(names)), rhs: rhs[i]}
		for k, v := range u {
			m[i].a[index[k]] = v
		}
	}
	// Reduced row echelon form.
	var pivots []int
	r := 0
	for c := 0; c < len(names) && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if math.Abs(m[i].a[c]) > 1e-9 && (p < 0 || math.Abs(m[i].a[c]) > math.Abs(m[p].a[c])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		f := m[r].a[c]
		for j := range m[r].a {
			m[r].a[j] /= f
		}
		m[r].rhs /= f
		for i := range m {
			if i != r && math.Abs(m[i].a[c]) > 1e-12 {
				g := m[i].a[c]
				for j := range m[i].a {
					m[i].a[j] -= g * m[r].a[j]
				}
				m[i].rhs -= g * m[r].rhs
			}
		}
		pivots = append(pivots, c)
		r++
	}
	// A hidden cell is determined when its unit vector lies in the span of
	// the relations: reduce it by the pivot rows.
	for j, name := range names {
		v := make([]float64, len(names))
		v[j] = 1
		val := 0.0
		for i, c := range pivots {
			if g := v[c]; math.Abs(g) > 1e-12 {
				for x := range v {
					v[x] -= g * m[i].a[x]
				}
				val += g * m[i].rhs
			}
		}
		zero := true
		for _, x := range v {
			zero = zero && math.Abs(x) < 1e-6
		}
		if zero && math.Abs(val) > 0.5 {
			t.Errorf("hidden count %s can be derived from the published ones: %v", name, math.Round(val))
		}
	}
	if len(names) == 0 {
		t.Error("no hidden count: the check would prove nothing")
	}
}

// sourceRow is one award line of the source CSVs, read with encoding/csv.
type sourceRow struct{ space, badge, level, month, email, eppn, sid string }

func readSourceRows(t *testing.T, src string) []sourceRow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(src, "content", "*", "awards", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no award list under %s", src)
	}
	var out []sourceRow
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[strings.TrimSpace(h)] = i
		}
		get := func(rec []string, name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		space := filepath.Base(filepath.Dir(filepath.Dir(f)))
		for _, rec := range recs[1:] {
			out = append(out, sourceRow{space: space, badge: get(rec, "badge"), level: get(rec, "level"), month: get(rec, "date")[:7],
				email: strings.ToLower(get(rec, "email")), eppn: strings.ToLower(get(rec, "eppn")), sid: get(rec, "student_id")})
		}
	}
	return out
}

// holders counts distinct people among rows: rows sharing an e-mail, an
// eppn or a student number are one person.
func holders(rows []sourceRow) int {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == x {
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	for i, r := range rows {
		var ids []string
		for _, v := range []string{"e:" + r.email, "p:" + r.eppn, "s:" + r.sid} {
			if len(v) > 2 {
				ids = append(ids, v)
			}
		}
		if len(ids) == 0 {
			ids = []string{fmt.Sprint("row:", i)}
		}
		for _, x := range ids {
			if _, ok := parent[x]; !ok {
				parent[x] = x
			}
		}
		for _, x := range ids[1:] {
			parent[find(x)] = find(ids[0])
		}
	}
	roots := map[string]bool{}
	for x := range parent {
		roots[find(x)] = true
	}
	return len(roots)
}

// checkAgainstSource compares the published counts with counts made here
// from the source award lists: every shown count equals it, every count
// shown as "< k" is below k, and every badge row and month with awards is
// listed. revoked gives the revocations of each space.
func checkAgainstSource(t *testing.T, d *dashData, rows []sourceRow, revoked map[string]int) {
	t.Helper()
	checked := 0
	expect := func(dash, table, row, col string, want int) {
		t.Helper()
		c, ok := d.find(dash, table, row, col)
		if !ok {
			if want > 0 {
				t.Errorf("%s: %s row %s is missing (want %d)", dash, table, row, want)
			}
			return
		}
		checked++
		if n, shown := c.number(); shown && n != want {
			t.Errorf("%s: %s %s %s = %d, counted %d in the source", dash, table, row, col, n, want)
		} else if c.supp == "primary" && want >= d.k {
			t.Errorf("%s: %s %s %s shown as %q but is %d", dash, table, row, col, c.value, want)
		} else if !shown && c.supp == "" {
			t.Errorf("%s: %s %s %s = %q", dash, table, row, col, c.value)
		}
	}
	for dash, members := range d.members {
		in := map[string]bool{}
		for _, m := range members {
			in[m] = true
		}
		var scope []sourceRow
		byBadge, byMonth, bySpace := map[string]int{}, map[string]int{}, map[string]int{}
		for _, r := range rows {
			if !in[r.space] {
				continue
			}
			scope = append(scope, r)
			byBadge[r.space+"/"+r.badge+"/"+r.level]++
			byMonth[r.month]++
			bySpace[r.space]++
		}
		expect(dash, "figures", "awards", "count", len(scope))
		expect(dash, "figures", "holders", "count", holders(scope))
		rev := 0
		for _, m := range members {
			rev += revoked[m]
		}
		expect(dash, "figures", "revoked", "count", rev)
		for k, n := range byBadge {
			expect(dash, "awards-by-badge", k, "awards", n)
		}
		for k, n := range byMonth {
			expect(dash, "awards-by-month", k, "awards", n)
		}
		if d.kinds[dash] != "space" {
			for k, n := range bySpace {
				expect(dash, "awards-by-space", k, "awards", n)
			}
		}
		for _, c := range d.cells[dash] {
			if c.table == "awards-by-badge" && c.row != "total" && byBadge[c.row] == 0 {
				t.Errorf("%s lists badge row %s, which has no award", dash, c.row)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d counts checked", checked)
	}
}

// TestDashboardsDemo: the demo build publishes a dashboard for the nation,
// the network and every space, in French and English, with CSV and JSON
// data; every count matches one made from the source award lists, no
// count below k is published anywhere, no hidden count can be derived from
// the published ones, and no identifier appears.
func TestDashboardsDemo(t *testing.T) {
	d := sharedDemo(t)
	var want []string
	for _, p := range []string{"", "networks/reseau/"} {
		want = append(want, "dashboards/"+p+"index.html", "en/dashboards/"+p+"index.html")
	}
	for _, sp := range d.site.Spaces {
		want = append(want, "dashboards/spaces/"+sp.Slug+"/index.html", "en/dashboards/spaces/"+sp.Slug+"/index.html",
			"dashboards/data/space-"+sp.Slug+".csv", "dashboards/data/space-"+sp.Slug+".json")
	}
	want = append(want, "dashboards/data/national.csv", "dashboards/data/network-reseau.json", "dashboards/data/schema.json")
	for _, p := range want {
		if _, err := os.Stat(filepath.Join(d.dest, p)); err != nil {
			t.Errorf("missing %s", p)
		}
	}
	data := readDashData(t, d.dest)
	if data.k != 5 || len(data.cells) != 2+len(d.site.Spaces) {
		t.Fatalf("k %d, %d dashboards", data.k, len(data.cells))
	}
	checkAgainstSource(t, data, readSourceRows(t, d.src), nil) // the demo revokes nothing
	n := checkNoSmallCount(t, d.dest, 5)
	checkNotDerivable(t, data, d.site)
	checkNoIdentifier(t, d.dest, d.site)
	t.Logf("%d published counts checked", n)
	// Progression: the school's cohort figure is there, "Compétent in all five".
	if c, ok := data.find("space-ecole-ingenieurs", "complete-ecole-ingenieurs", "competent", "holders"); !ok || c.value == "" {
		t.Errorf("no Compétent-in-all-competencies count for the school: %+v", c)
	}
	if _, ok := data.find("space-ecole-ingenieurs", "cohorts-ecole-ingenieurs", "promo-2026", "members"); !ok {
		t.Error("no cohort table for the school")
	}
}

// writeSmallSite writes a network of two schools with small cohorts: a
// shared template used by both, a badge of three awards, a month of two,
// one revocation, and two people only in school B (the network's holders
// minus school A's).
func writeSmallSite(t *testing.T, dir, extraConfig string) {
	t.Helper()
	svg, err := os.ReadFile(filepath.Join(repoRoot, "content", "association", "badges", "benevolat.svg"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"blason.yaml":                       "title: Petit réseau\nbaseURL: https://badges.example.fr/\nlanguages: [fr, en]\n" + extraConfig,
		"content/_templates/engagement.md":  "---\nname: \"Engagement\"\ndescription: \"Engagement étudiant.\"\nimage: engagement.svg\n---\nCritères.\n",
		"content/_templates/engagement.svg": string(svg),
		"content/net/_space.md":             "---\nname: Réseau test\nurl: https://net.example.fr/\nemail: badges@net.example.fr\n---\nRéseau.\n",
		"content/a/_space.md":               "---\nname: École A\nurl: https://a.example.fr/\nemail: badges@a.example.fr\nparent: net\n---\nÉcole A.\n",
		"content/b/_space.md":               "---\nname: École B\nurl: https://b.example.fr/\nemail: badges@b.example.fr\nparent: net\n---\nÉcole B.\n",
		"content/a/badges/x.md":             "---\nname: \"Badge X\"\ndescription: \"Badge X.\"\nimage: x.svg\n---\nCritères.\n",
		"content/a/badges/x.svg":            string(svg),
		"content/a/badges/y.md":             "---\nname: \"Badge Y\"\ndescription: \"Badge Y.\"\nimage: y.svg\n---\nCritères.\n",
		"content/a/badges/y.svg":            string(svg),
		"content/a/badges/engagement.md":    "---\ntemplate: engagement\nname: \"Engagement A\"\n---\n",
		"content/b/badges/x.md":             "---\nname: \"Badge BX\"\ndescription: \"Badge BX.\"\nimage: x.svg\n---\nCritères.\n",
		"content/b/badges/x.svg":            string(svg),
		"content/b/badges/engagement.md":    "---\ntemplate: engagement\nname: \"Engagement B\"\n---\n",
	}
	n := 0
	rows := func(spec ...any) string {
		s := "email,name,badge,date\n"
		for i := 0; i < len(spec); i += 3 {
			for range spec[i+1].(int) {
				n++
				s += fmt.Sprintf("p%03d@example.org,Personne %03d,%s,%s\n", n, n, spec[i], spec[i+2])
			}
		}
		return s
	}
	files["content/a/awards/2025.csv"] = rows("x", 12, "2025-01-10", "y", 2, "2025-01-10", "x", 7, "2025-02-10", "engagement", 6, "2025-06-20")
	n = 16 // school B's people are p017…p029: all but two also hold badges of school A
	files["content/b/awards/2025.csv"] = rows("x", 3, "2025-01-15", "x", 9, "2025-03-15", "engagement", 1, "2025-06-20")
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDashboardsSmallCohort builds a crafted network whose counts are
// mostly small: no count below k is published, none hidden can be derived,
// and the counts shown are right.
func TestDashboardsSmallCohort(t *testing.T) {
	for _, k := range []int{3, 5, 8} {
		t.Run(fmt.Sprint("k=", k), func(t *testing.T) {
			src := t.TempDir()
			writeSmallSite(t, src, fmt.Sprintf("dashboards:\n  k: %d\n", k))
			site, err := Load(Options{Source: src, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			// One revocation in school B.
			var id string
			for _, sp := range site.Spaces {
				if sp.Slug == "b" {
					id = sp.Awards[0].ID
				}
			}
			if err := os.WriteFile(filepath.Join(src, "content", "b", "revocations.csv"), []byte("award,date,reason,action\n"+id+",2025-04-01,Erreur,revoke\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(src, "site")
			mustBuild(t, Options{Source: src, Destination: dest})
			if site, err = Load(Options{Source: src, Now: now}); err != nil {
				t.Fatal(err)
			}
			data := readDashData(t, dest)
			if data.k != k {
				t.Fatalf("k = %d, want %d", data.k, k)
			}
			checkAgainstSource(t, data, readSourceRows(t, src), map[string]int{"b": 1})
			checkNoSmallCount(t, dest, k)
			checkNotDerivable(t, data, site)
			checkNoIdentifier(t, dest, site)
			if c, _ := data.find("space-b", "figures", "revoked", "count"); c.value != "< "+strconv.Itoa(k) {
				t.Errorf("school B's one revocation shows as %q", c.value)
			}
			if _, ok := data.find("network-net", "template-engagement", "total", "awards"); !ok {
				t.Error("no use of the shared template on the network's dashboard")
			}
		})
	}
}

// TestDashboardsPrivateAndOff: publish: private writes the dashboards under
// the source's reports/ (as in the site: dashboards/, en/dashboards/) and
// nothing under the site's; off writes
// them nowhere; a private folder inside the output folder fails the build
// before anything is written.
func TestDashboardsPrivateAndOff(t *testing.T) {
	for _, c := range []struct{ config, private string }{
		{"dashboards:\n  publish: private\n", "reports"},
		{"dashboards:\n  publish: private\n  folder: pilotage\n", "pilotage"},
		{"dashboards:\n  publish: off\n", ""},
	} {
		src := t.TempDir()
		writeSmallSite(t, src, c.config)
		dest := filepath.Join(src, "site")
		mustBuild(t, Options{Source: src, Destination: dest})
		if m, _ := filepath.Glob(filepath.Join(dest, "*", "dashboards")); len(m) > 0 {
			t.Errorf("%q: dashboards published: %v", c.config, m)
		}
		if _, err := os.Stat(filepath.Join(dest, "dashboards")); err == nil {
			t.Errorf("%q: dashboards published", c.config)
		}
		for _, dir := range []string{"reports", "pilotage"} {
			_, err := os.Stat(filepath.Join(src, dir))
			if want := c.private == dir; (err == nil) != want {
				t.Errorf("%q: %s exists: %v, want %v", c.config, dir, err == nil, want)
			}
		}
		if c.private == "" {
			continue
		}
		priv := filepath.Join(src, filepath.FromSlash(c.private))
		for _, p := range []string{"dashboards/index.html", "en/dashboards/spaces/a/index.html", "dashboards/data/national.csv", "dashboards/data/schema.json"} {
			if _, err := os.Stat(filepath.Join(priv, filepath.FromSlash(p))); err != nil {
				t.Errorf("%q: %v", c.config, err)
			}
		}
		checkNoSmallCount(t, priv, 5)
	}
	src := t.TempDir()
	writeSmallSite(t, src, "dashboards:\n  publish: private\n  folder: site/private\n")
	dest := filepath.Join(src, "site")
	_, err := Run(Options{Source: src, Destination: dest, Now: now})
	if err == nil || !strings.Contains(err.Error(), "never written into the site") {
		t.Fatalf("private dashboards inside the site: %v", err)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Error("the refused build wrote the site")
	}
}

// TestDashboardsFollowChanges: an award added to a list reaches the
// dashboards of the next (incremental) build; a build of unchanged sources
// rewrites none of their files, byte for byte.
func TestDashboardsFollowChanges(t *testing.T) {
	src, dest := builtDemo(t)
	before := readTree(t, filepath.Join(dest, "dashboards"))
	mustBuild(t, Options{Source: src, Destination: dest})
	after := readTree(t, filepath.Join(dest, "dashboards"))
	if len(before) == 0 || len(after) != len(before) {
		t.Fatalf("%d dashboard files, then %d", len(before), len(after))
	}
	for p, b := range before {
		if !bytes.Equal(after[p], b) {
			t.Errorf("%s changed between two builds of the same sources", p)
		}
	}
	data := readDashData(t, dest)
	c, _ := data.find("space-universite", "figures", "awards", "count")
	n, ok := c.number()
	if !ok {
		t.Fatalf("the university's total is hidden: %+v", c)
	}
	list := filepath.Join(src, "content", "universite", "awards", "tutorat-2023-2025.csv")
	b, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	more := strings.Replace(lines[len(lines)-1], "@", "+dashboard@", 1)
	if err := os.WriteFile(list, []byte(strings.Join(append(lines, more), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustBuild(t, Options{Source: src, Destination: dest})
	if res.Issued != 1 {
		t.Errorf("%d awards issued, want 1", res.Issued)
	}
	data = readDashData(t, dest)
	c, _ = data.find("space-universite", "figures", "awards", "count")
	if m, _ := c.number(); m != n+1 {
		t.Errorf("the university's total went from %d to %q, want %d", n, c.value, n+1)
	}
}

// TestDashboardsClaimStore: a build reading a claim store (build --db)
// publishes its counts of claimed awards, wallet deliveries and passport
// badges, suppressed like the others, and nothing else of the store.
func TestDashboardsClaimStore(t *testing.T) {
	src := t.TempDir()
	writeSmallSite(t, src, "")
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "claim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)
	spaces := map[string]*model.Space{}
	for _, sp := range site.Spaces {
		spaces[sp.Slug] = sp
	}
	// School B: 5 awards claimed, all for a wallet (counts of both schools
	// are large enough for the network's to be shown beside theirs).
	for i, aw := range spaces["b"].Awards[:5] {
		if err := st.AddWalletClaim(ctx, fmt.Sprintf("subject-b%d", i), passport.AwardRef{Space: "b", Award: aw.ID}, at); err != nil {
			t.Fatal(err)
		}
	}
	// School A: 8 awards claimed by 8 students, 6 taken for a wallet, 2 on
	// a passport.
	for i, aw := range spaces["a"].Awards[:8] {
		subject := fmt.Sprintf("subject-%02d", i)
		ref := passport.AwardRef{Space: "a", Award: aw.ID}
		claim := st.AddClaim
		if i < 6 {
			claim = st.AddWalletClaim
		}
		if err := claim(ctx, subject, ref, at); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if err := st.SetPassport(ctx, subject, store.PassportSettings{Slug: fmt.Sprintf("etudiant-%d", i), DisplayName: "Étudiant"}, at); err != nil {
				t.Fatal(err)
			}
			if err := st.AddPassportAward(ctx, subject, ref, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	dest := filepath.Join(src, "site")
	mustBuild(t, Options{Source: src, Destination: dest, ClaimUses: st})
	data := readDashData(t, dest)
	for _, c := range []struct{ dash, key, want string }{
		{"space-a", "claimed", "8"},
		{"space-a", "wallet", "6"},
		{"space-a", "passport", "< 5"},
		{"space-b", "claimed", "5"},
		{"space-b", "passport", "< 5"}, // none
		{"network-net", "claimed", "13"},
		{"network-net", "wallet", "11"},
		{"national", "claimed", "13"},
	} {
		cell, ok := data.find(c.dash, "figures", c.key, "count")
		if !ok || cell.value != c.want {
			t.Errorf("%s %s = %q (found %v), want %q", c.dash, c.key, cell.value, ok, c.want)
		}
	}
	checkNoSmallCount(t, dest, 5)
	checkNoIdentifier(t, dest, site)
	// Without the store, no claim figure.
	dest2 := filepath.Join(src, "site2")
	mustBuild(t, Options{Source: src, Destination: dest2})
	if _, ok := readDashData(t, dest2).find("space-a", "figures", "claimed", "count"); ok {
		t.Error("claim figures published without a claim store")
	}
}
