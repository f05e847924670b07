// Package dashboard computes the pilotage dashboards of a site (issue 16):
// aggregate counts per space, per network (a space and the spaces naming it
// as parent) and for the whole site, with small counts suppressed (see
// suppress.go), as one table model rendered to HTML by package render and
// to CSV and JSON open data here. It reads the model in one pass and never
// publishes an identifier, a name or an award id: only counts, slugs and
// the names of badges, levels, spaces, frameworks and cohorts.
package dashboard

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/people"
	"github.com/francebadge/blason/internal/report"
)

// DefaultK is the default suppression threshold; MinK the lowest allowed.
const (
	DefaultK = 5
	MinK     = 3
)

// Options parameterise the dashboards.
type Options struct {
	K   int    // suppression threshold; 0 means DefaultK
	Src string // source folder, for the cohort rosters (content/<space>/cohorts); empty: no cohort tables
	// Uses are what the claim store knows of the awards (space slug →
	// award id → use), when the build reads it (build --db); nil: the
	// dashboards have no claim figures.
	Uses map[string]map[string]Use
}

// Use is what students did with one award through the claim server.
type Use struct {
	Claimed  bool // downloaded from the claim server at least once
	Wallet   bool // its VC-JWT taken, the form wallets import
	Passport bool // shown on a passport page
}

// Kinds of dashboards.
const (
	National = "national"
	Network  = "network"
	Space    = "space"
)

// Dashboard is the dashboard of one scope.
type Dashboard struct {
	Kind    string       // National, Network or Space
	Space   *model.Space // the space, or the network's head space; nil nationally
	Members []*model.Space
	K       int
	AsOf    time.Time // date of the latest award or revocation of the site
	Figures []Figure
	Tables  []*Table
}

// ID names the dashboard in file names: "national", "network-<slug>",
// "space-<slug>".
func (d *Dashboard) ID() string {
	if d.Kind == National {
		return National
	}
	return d.Kind + "-" + d.Space.Slug
}

// Figure is one headline count.
type Figure struct {
	Key   string // awards, holders, revoked, suspended, expired; claimed, wallet, passport with Options.Uses
	Count Count
}

// Count is a published count, possibly suppressed.
type Count struct{ q *quantity }

// Value is the count and whether it is shown; a suppressed count gives 0, false.
func (c Count) Value() (int, bool) {
	if c.q.status != Shown {
		return 0, false
	}
	return c.q.value, true
}

// Status is Shown, Primary or Secondary.
func (c Count) Status() Status { return c.q.status }

// Label is a heading: a theme string (Key, when the heading is fixed) or a
// text per language (when it names content).
type Label struct {
	Key  string
	Text map[string]string
}

// Table is a table of counts: rows by columns, the last row a total when
// Total is set.
type Table struct {
	ID      string            // stable, e.g. "awards-by-badge", "progression-<framework>"
	Title   string            // theme string key of the title
	RowHead string            // theme string key of the rows' heading
	Subject map[string]string // by language: what the table is about (a framework's name), or nil
	Columns []Column
	Rows    []Row
	Chart   bool // drawn as a bar chart (one count column)
}

// Column is a column of counts.
type Column struct {
	Key   string
	Label Label
}

// Row is a row of counts, one per column.
type Row struct {
	Key   string
	Label Label
	Cells []Count
	Total bool
}

// Build computes the dashboards of site: national first, then networks and
// spaces by slug. Suppression is decided over all of them at once.
func Build(site *model.Site, o Options) ([]*Dashboard, error) {
	if o.K == 0 {
		o.K = DefaultK
	}
	if o.K < MinK {
		return nil, fmt.Errorf("dashboards.k %d is below %d", o.K, MinK)
	}
	b := &builder{site: site, o: o, reg: newRegistry(), stats: map[*model.Space]*spaceStats{}}
	b.collect()
	var out []*Dashboard
	out = append(out, b.dashboard(National, nil, site.Spaces))
	for _, sp := range site.Spaces {
		var members []*model.Space
		for _, c := range site.Spaces {
			if c.Parent == sp.Slug {
				members = append(members, c)
			}
		}
		if len(members) > 0 {
			out = append(out, b.dashboard(Network, sp, append([]*model.Space{sp}, members...)))
		}
	}
	for _, sp := range site.Spaces {
		d := b.dashboard(Space, sp, []*model.Space{sp})
		if err := b.cohorts(d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	b.nest()
	b.reg.suppress(o.K)
	return out, nil
}

// atom is the count of awards of one badge class at one level (nil for a
// badge without levels): the cells every award table sums.
type atom struct {
	space *model.Space
	badge *model.Badge
	level *model.Level
	key   string // <space>/<badge>/<level>
	count int
}

// spaceStats is what one pass over a space's awards gathers.
type spaceStats struct {
	atoms                     []*atom // by badge then level, in the space's order
	months                    map[string]int
	revoked, suspended, expir int
	claimed, wallet, passport int // awards used through the claim server (Options.Uses)
	holders                   map[string]bool
	levels                    map[*model.Framework]map[string][]int // framework → person → highest level index per competency (-1: none)
}

// builder computes the dashboards of one site.
type builder struct {
	persons map[string]map[string]*quantity // counts of people: family → scope (sorted slugs) → count
	site    *model.Site
	o       Options
	reg     *registry
	stats   map[*model.Space]*spaceStats
	who     *people.Index
	asOf    time.Time
}

// collect makes the one pass over the awards.
func (b *builder) collect() {
	var all []*model.Award
	for _, sp := range b.site.Spaces {
		all = append(all, sp.Awards...)
		for _, a := range sp.Awards {
			if a.Date.After(b.asOf) {
				b.asOf = a.Date
			}
		}
		for _, rv := range sp.Revocations {
			if rv.Date.After(b.asOf) {
				b.asOf = rv.Date
			}
		}
	}
	b.who = people.New(all)
	for _, sp := range b.site.Spaces {
		st := &spaceStats{months: map[string]int{}, holders: map[string]bool{}, levels: map[*model.Framework]map[string][]int{}}
		b.stats[sp] = st
		type cell struct {
			badge *model.Badge
			level *model.Level
		}
		idx := map[cell]*atom{}
		for _, bd := range sp.Badges {
			lvs := bd.Levels
			if len(lvs) == 0 {
				lvs = []*model.Level{nil}
			}
			for _, lv := range lvs {
				k := sp.Slug + "/" + bd.Slug + "/"
				if lv != nil {
					k += lv.ID
				}
				a := &atom{space: sp, badge: bd, level: lv, key: k}
				idx[cell{bd, lv}] = a
				st.atoms = append(st.atoms, a)
			}
		}
		for _, a := range sp.Awards {
			at := idx[cell{a.Badge, a.Level}]
			if at == nil { // a level unknown to the badge: checked by content, but stay safe
				continue
			}
			at.count++
			st.months[a.Date.Format("2006-01")]++
			g := b.who.Of(a)
			if g == "" {
				g = "award:" + a.ID
			}
			st.holders[g] = true
			rv, revoked := sp.Revocations[a.ID]
			switch {
			case revoked && rv.Suspended:
				st.suspended++
			case revoked:
				st.revoked++
			}
			if !a.Expires.IsZero() && !a.Expires.After(b.asOf) {
				st.expir++
			}
			if u, ok := b.o.Uses[sp.Slug][a.ID]; ok {
				st.claimed += b2i(u.Claimed)
				st.wallet += b2i(u.Wallet)
				st.passport += b2i(u.Passport)
			}
			c := a.Badge.Competency
			if c == nil || a.Level == nil || (revoked && !rv.Suspended) {
				continue
			}
			fw := c.Framework
			li := slices.IndexFunc(fw.Levels, func(l *model.FrameworkLevel) bool { return l.ID == a.Level.ID })
			ci := slices.Index(fw.Competencies, c)
			if li < 0 || ci < 0 {
				continue
			}
			m := st.levels[fw]
			if m == nil {
				m = map[string][]int{}
				st.levels[fw] = m
			}
			h := m[g]
			if h == nil {
				h = make([]int, len(fw.Competencies))
				for i := range h {
					h[i] = -1
				}
				m[g] = h
			}
			h[ci] = max(h[ci], li)
		}
		kept := st.atoms[:0]
		for _, a := range st.atoms {
			if a.count > 0 {
				kept = append(kept, a)
			}
		}
		st.atoms = kept
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// atomsKey is the key of the sum of atoms: the sorted atom keys.
func atomsKey(as []*atom) string {
	ks := make([]string, len(as))
	for i, a := range as {
		ks[i] = a.key
	}
	sort.Strings(ks)
	return "a:" + strings.Join(ks, ",")
}

func sum(as []*atom) int {
	n := 0
	for _, a := range as {
		n += a.count
	}
	return n
}

// active are the members with at least one award, by slug.
func (b *builder) active(members []*model.Space) []*model.Space {
	var out []*model.Space
	for _, sp := range members {
		if len(b.stats[sp].atoms) > 0 {
			out = append(out, sp)
		}
	}
	return out
}

func slugs(sps []*model.Space) string {
	s := make([]string, len(sps))
	for i, sp := range sps {
		s[i] = sp.Slug
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// text picks a translation's name in lang, else the default name.
func text(name string, tr map[string]model.Text, lang string) string {
	if t, ok := tr[lang]; ok && t.Name != "" {
		return t.Name
	}
	return name
}

func (b *builder) perLang(f func(lang string) string) map[string]string {
	m := map[string]string{}
	for _, l := range b.site.Languages {
		m[l] = f(l)
	}
	return m
}

func (b *builder) spaceName(sp *model.Space, lang string) string {
	return text(sp.Name, sp.Translations, lang)
}

func (b *builder) atomLabel(a *atom, withSpace bool) Label {
	return Label{Text: b.perLang(func(lang string) string {
		s := text(a.badge.Name, a.badge.Translations, lang)
		if a.level != nil {
			s += " — " + text(a.level.Name, a.level.Translations, lang)
		}
		if withSpace {
			s += " (" + b.spaceName(a.space, lang) + ")"
		}
		return s
	})}
}

func (b *builder) count(key string, v int) Count { return Count{b.reg.get(key, v)} }

// people returns a count of distinct people of a family (holders, a
// progression cell…) over scope, the sorted slugs of the spaces counted.
// Such counts do not add up over spaces; nest relates them.
func (b *builder) people(family, scope string, v int) Count {
	c := b.count(family+scope, v)
	if b.persons == nil {
		b.persons = map[string]map[string]*quantity{}
	}
	if b.persons[family] == nil {
		b.persons[family] = map[string]*quantity{}
	}
	b.persons[family][scope] = c.q
	return c
}

// nest records, for each family of people counts, the pairs of scopes one
// inside the other: the difference of their counts is a count of people
// too (those who hold badges only in the larger scope's other spaces).
func (b *builder) nest() {
	for _, family := range slices.Sorted(maps.Keys(b.persons)) {
		byScope := b.persons[family]
		scopes := slices.Sorted(maps.Keys(byScope))
		for _, big := range scopes {
			in := map[string]bool{}
			for _, s := range strings.Split(big, ",") {
				in[s] = true
			}
			for _, small := range scopes {
				if small == big {
					continue
				}
				inside := true
				for _, s := range strings.Split(small, ",") {
					inside = inside && in[s]
				}
				if inside {
					b.reg.nested = append(b.reg.nested, [2]*quantity{byScope[big], byScope[small]})
				}
			}
		}
	}
}

// oneColumn makes a single-column table of rows and their total, related.
func (b *builder) oneColumn(id, title, rowHead, col string, rows []Row, total Count) *Table {
	parts := make([]*quantity, len(rows))
	for i, r := range rows {
		parts[i] = r.Cells[0].q
	}
	b.reg.relate(parts, total.q)
	rows = append(rows, Row{Key: "total", Label: Label{Key: "dashboardTotal"}, Cells: []Count{total}, Total: true})
	return &Table{ID: id, Title: title, RowHead: rowHead, Columns: []Column{{Key: col, Label: Label{Key: "dashboardCol" + strings.ToUpper(col[:1]) + col[1:]}}}, Rows: rows, Chart: true}
}

func (b *builder) dashboard(kind string, head *model.Space, members []*model.Space) *Dashboard {
	d := &Dashboard{Kind: kind, Space: head, Members: members, K: b.o.K, AsOf: b.asOf}
	active := b.active(members)
	var atoms []*atom
	for _, sp := range active {
		atoms = append(atoms, b.stats[sp].atoms...)
	}
	total := b.count(atomsKey(atoms), sum(atoms))
	holders := map[string]bool{}
	for _, sp := range active {
		for g := range b.stats[sp].holders {
			holders[g] = true
		}
	}
	withdrawn := func(name string, of func(*spaceStats) int) Count {
		var parts []*quantity
		n := 0
		for _, sp := range active {
			v := of(b.stats[sp])
			n += v
			parts = append(parts, b.reg.get("r:"+name+":"+sp.Slug, v))
		}
		c := b.count("r:"+name+":"+slugs(active), n)
		b.reg.relate(parts, c.q)
		return c
	}
	holdersCount := b.people("h:", slugs(active), len(holders))
	b.reg.follows = append(b.reg.follows, [2]*quantity{total.q, holdersCount.q})
	d.Figures = []Figure{
		{"awards", total},
		{"holders", holdersCount},
		{"revoked", withdrawn("revoked", func(s *spaceStats) int { return s.revoked })},
		{"suspended", withdrawn("suspended", func(s *spaceStats) int { return s.suspended })},
		{"expired", withdrawn("expired", func(s *spaceStats) int { return s.expir })},
	}
	if b.o.Uses != nil {
		d.Figures = append(d.Figures,
			Figure{"claimed", withdrawn("claimed", func(s *spaceStats) int { return s.claimed })},
			Figure{"wallet", withdrawn("wallet", func(s *spaceStats) int { return s.wallet })},
			Figure{"passport", withdrawn("passport", func(s *spaceStats) int { return s.passport })},
		)
	}

	// Awards by badge class and level.
	var rows []Row
	for _, a := range atoms {
		rows = append(rows, Row{Key: a.key, Label: b.atomLabel(a, kind != Space), Cells: []Count{b.count(atomsKey([]*atom{a}), a.count)}})
	}
	d.Tables = append(d.Tables, b.oneColumn("awards-by-badge", "dashboardTableByBadge", "dashboardRowBadge", "awards", rows, total))

	// Awards by institution: the spaces that issued some (a space that
	// issued none is left out: listed, its zero would hide another space's
	// count for nothing).
	if kind != Space {
		rows = nil
		for _, sp := range active {
			as := b.stats[sp].atoms
			rows = append(rows, Row{Key: sp.Slug, Label: Label{Text: b.perLang(func(l string) string { return b.spaceName(sp, l) })}, Cells: []Count{b.count(atomsKey(as), sum(as))}})
		}
		d.Tables = append(d.Tables, b.oneColumn("awards-by-space", "dashboardTableBySpace", "dashboardRowSpace", "awards", rows, total))
	}

	// Awards by month.
	months := map[string]bool{}
	for _, sp := range active {
		for m := range b.stats[sp].months {
			months[m] = true
		}
	}
	rows = nil
	for _, m := range slices.Sorted(maps.Keys(months)) {
		var keys []string
		var parts []*quantity
		n := 0
		for _, sp := range active {
			if v := b.stats[sp].months[m]; v > 0 {
				keys = append(keys, sp.Slug+"|"+m)
				parts = append(parts, b.reg.get("m:"+sp.Slug+"|"+m, v))
				n += v
			}
		}
		c := b.count("m:"+strings.Join(keys, ","), n)
		b.reg.relate(parts, c.q)
		rows = append(rows, Row{Key: m, Label: Label{Text: b.perLang(func(string) string { return m })}, Cells: []Count{c}})
	}
	d.Tables = append(d.Tables, b.oneColumn("awards-by-month", "dashboardTableByMonth", "dashboardRowMonth", "awards", rows, total))

	// Shared templates' use across institutions.
	if kind != Space {
		for _, t := range b.site.Templates {
			rows = nil
			var all []*atom
			for _, sp := range active {
				var as []*atom
				for _, a := range b.stats[sp].atoms {
					if a.badge.Shared == t {
						as = append(as, a)
					}
				}
				if len(as) == 0 {
					continue
				}
				all = append(all, as...)
				rows = append(rows, Row{Key: sp.Slug, Label: Label{Text: b.perLang(func(l string) string { return b.spaceName(sp, l) })}, Cells: []Count{b.count(atomsKey(as), sum(as))}})
			}
			if len(rows) == 0 {
				continue
			}
			tb := b.oneColumn("template-"+t.Slug, "dashboardTableTemplate", "dashboardRowSpace", "awards", rows, b.count(atomsKey(all), sum(all)))
			tb.Subject = b.perLang(func(l string) string { return text(t.Name, t.Translations, l) })
			d.Tables = append(d.Tables, tb)
		}
	}

	// Progression through each framework's levels.
	for _, fw := range b.site.Frameworks {
		b.progression(d, fw, active)
	}
	return d
}

// progression adds, for a framework, how many people reached each level
// (their highest) of each competency, and how many hold a level or above in
// every competency.
func (b *builder) progression(d *Dashboard, fw *model.Framework, active []*model.Space) {
	held := map[string][]int{}
	var users []*model.Space
	for _, sp := range active {
		m := b.stats[sp].levels[fw]
		if len(m) == 0 {
			continue
		}
		users = append(users, sp)
		for g, h := range m {
			cur := held[g]
			if cur == nil {
				cur = slices.Clone(h)
				held[g] = cur
				continue
			}
			for i := range cur {
				cur[i] = max(cur[i], h[i])
			}
		}
	}
	if len(users) == 0 {
		return
	}
	scope := slugs(users)
	subject := b.perLang(func(l string) string { return text(fw.Name, fw.Translations, l) })
	t := &Table{ID: "progression-" + fw.Slug, Title: "dashboardTableProgression", RowHead: "dashboardRowCompetency", Subject: subject}
	for _, lv := range fw.Levels {
		t.Columns = append(t.Columns, Column{Key: lv.ID, Label: Label{Text: b.perLang(func(l string) string { return text(lv.Name, lv.Translations, l) })}})
	}
	t.Columns = append(t.Columns, Column{Key: "holders", Label: Label{Key: "dashboardColHolders"}})
	for ci, c := range fw.Competencies {
		counts := make([]int, len(fw.Levels))
		n := 0
		for _, h := range held {
			if h[ci] >= 0 {
				counts[h[ci]]++
				n++
			}
		}
		r := Row{Key: c.ID, Label: Label{Text: b.perLang(func(l string) string {
			name := text(c.Name, c.Translations, l)
			if c.Code != "" {
				name = c.Code + " " + name
			}
			return name
		})}}
		var parts []*quantity
		for li, lv := range fw.Levels {
			q := b.people("p:"+fw.Slug+":"+c.ID+":"+lv.ID+":", scope, counts[li]).q
			parts = append(parts, q)
			r.Cells = append(r.Cells, Count{q})
		}
		tot := b.people("p:"+fw.Slug+":"+c.ID+":*:", scope, n)
		b.reg.relate(parts, tot.q)
		r.Cells = append(r.Cells, tot)
		t.Rows = append(t.Rows, r)
	}
	d.Tables = append(d.Tables, t)

	all := &Table{ID: "complete-" + fw.Slug, Title: "dashboardTableComplete", RowHead: "dashboardRowLevel", Subject: subject,
		Columns: []Column{{Key: "holders", Label: Label{Key: "dashboardColHolders"}}}}
	for li, lv := range fw.Levels {
		n := 0
		for _, h := range held {
			if slices.Min(h) >= li {
				n++
			}
		}
		all.Rows = append(all.Rows, Row{Key: lv.ID, Label: Label{Text: b.perLang(func(l string) string { return text(lv.Name, lv.Translations, l) })},
			Cells: []Count{b.people("c:"+fw.Slug+":"+lv.ID+":", scope, n)}})
	}
	d.Tables = append(d.Tables, all)
}

// cohorts adds to a space's dashboard, for each framework its badges
// certify, how many of each cohort (content/<space>/cohorts/*.csv, or all
// the recipients) hold Compétent — the level "competent", else the top
// level — in every competency (package report computes it, as of AsOf).
func (b *builder) cohorts(d *Dashboard) error {
	if b.o.Src == "" {
		return nil
	}
	for _, fw := range b.site.Frameworks {
		tied := false
		for _, bd := range d.Space.Badges {
			tied = tied || bd.Competency != nil && bd.Competency.Framework == fw
		}
		if !tied || len(fw.Levels) == 0 {
			continue
		}
		level := fw.Levels[len(fw.Levels)-1]
		for _, lv := range fw.Levels {
			if lv.ID == "competent" {
				level = lv
			}
		}
		reps, err := report.Build(b.site, b.o.Src, report.Options{Framework: fw.Slug, Level: level.ID, Space: d.Space.Slug, AsOf: b.asOf})
		if err != nil {
			return err
		}
		t := &Table{ID: "cohorts-" + fw.Slug, Title: "dashboardTableCohorts", RowHead: "dashboardRowCohort",
			Subject: b.perLang(func(l string) string {
				return text(fw.Name, fw.Translations, l) + " — " + text(level.Name, level.Translations, l)
			}),
			Columns: []Column{{Key: "complete", Label: Label{Key: "dashboardColComplete"}}, {Key: "incomplete", Label: Label{Key: "dashboardColIncomplete"}}, {Key: "members", Label: Label{Key: "dashboardColMembers"}}}}
		for _, rep := range reps {
			for _, co := range rep.Cohorts {
				n := 0
				for _, r := range co.Rows {
					if r.Complete {
						n++
					}
				}
				key := "k:" + fw.Slug + ":" + d.Space.Slug + ":" + co.Name + ":"
				c, i, m := b.reg.get(key+"complete", n), b.reg.get(key+"incomplete", len(co.Rows)-n), b.reg.get(key+"members", len(co.Rows))
				b.reg.relate([]*quantity{c, i}, m)
				label := Label{Text: b.perLang(func(string) string { return co.Name })}
				if !co.Roster {
					label = Label{Key: "dashboardCohortAll"}
				}
				t.Rows = append(t.Rows, Row{Key: co.Name, Label: label, Cells: []Count{{c}, {i}, {m}}})
			}
		}
		d.Tables = append(d.Tables, t)
	}
	return nil
}
