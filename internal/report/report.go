// Package report writes the private jury reports of `blason report`: for
// each cohort of a space, who holds a chosen level (Compétent by default)
// in every competency of a framework, and who is missing what, as CSV and
// as a readable HTML page. Reports name students: they are written only
// outside the published site, and nothing here is ever published.
package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/csvout"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/people"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/safepath"
)

// CohortsDir is the folder of a space holding its cohort rosters,
// content/<space>/cohorts/<cohort>.csv (private, never published).
const CohortsDir = "cohorts"

// Options choose what a report covers.
type Options struct {
	Framework string    // framework slug; may be empty when the site has one framework
	Level     string    // framework level id required in every competency; default "competent"
	Space     string    // space slug; empty: every space with badges tied to the framework
	AsOf      time.Time // awards dated after it, or expired or revoked then, do not count
}

// Held is what a student holds in one competency.
type Held struct {
	Level *model.FrameworkLevel // highest level held, nil for none
	Date  time.Time             // date of that award
}

// Row is one student of a cohort.
type Row struct {
	Person   model.Identity
	Held     []Held   // by competency, in framework order
	Complete bool     // the required level (or higher) in every competency
	Missing  []string // competency codes below the required level
}

// Cohort is a named group of students.
type Cohort struct {
	Name   string
	Roster bool // read from a roster file (else: every recipient of the framework's badges)
	Rows   []Row
}

// Report is the report of one space.
type Report struct {
	Space     *model.Space
	Framework *model.Framework
	Level     *model.FrameworkLevel
	AsOf      time.Time
	Cohorts   []Cohort
}

// Build computes the reports of a loaded site. Rosters are read from
// src/content/<space>/cohorts/*.csv.
func Build(site *model.Site, src string, o Options) ([]*Report, error) {
	if o.Level == "" {
		o.Level = "competent"
	}
	var fw *model.Framework
	var slugs []string
	for _, f := range site.Frameworks {
		slugs = append(slugs, f.Slug)
		if f.Slug == o.Framework || (o.Framework == "" && len(site.Frameworks) == 1) {
			fw = f
		}
	}
	if fw == nil {
		if len(slugs) == 0 {
			return nil, errors.New("the site has no competency framework (content/_frameworks/<slug>.yaml)")
		}
		return nil, fmt.Errorf("choose a framework with --framework: %s", strings.Join(slugs, ", "))
	}
	req := -1
	var lids []string
	for i, lv := range fw.Levels {
		lids = append(lids, lv.ID)
		if lv.ID == o.Level {
			req = i
		}
	}
	if req < 0 {
		return nil, fmt.Errorf("framework %s has no level %q; its levels: %s", fw.Slug, o.Level, strings.Join(lids, ", "))
	}
	var out []*Report
	found := false
	for _, sp := range site.Spaces {
		if o.Space != "" && sp.Slug != o.Space {
			continue
		}
		found = found || sp.Slug == o.Space
		tied := false
		for _, b := range sp.Badges {
			tied = tied || b.Competency != nil && b.Competency.Framework == fw
		}
		if !tied {
			if o.Space != "" {
				return nil, fmt.Errorf("space %s has no badge tied to framework %s (badge front matter `competency: %s/<id>`)", sp.Slug, fw.Slug, fw.Slug)
			}
			continue
		}
		rosters, err := ReadRosters(src, sp.Slug)
		if err != nil {
			return nil, err
		}
		out = append(out, build(sp, fw, req, o.AsOf, rosters))
	}
	if o.Space != "" && !found {
		return nil, fmt.Errorf("no space %q", o.Space)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no space has badges tied to framework %s", fw.Slug)
	}
	return out, nil
}

// Roster is a cohort's list of students.
type Roster struct {
	Name   string
	People []model.Identity
}

// ReadRosters reads content/<space>/cohorts/*.csv: columns email, eppn,
// student_id (one of them per line) and name.
func ReadRosters(src, space string) ([]Roster, error) {
	var out []Roster
	var diags diag.List
	dir := filepath.Join(src, "content", space, CohortsDir)
	entries, err := safefs.ReadDir(src, dir)
	if e := safefs.AsError(err); e != nil {
		diags.Add(e.Path, 0, e.Hint(), "%s", e.Problem())
		return nil, diags.Err()
	}
	var files []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") && !strings.HasPrefix(e.Name(), ".") && !e.IsDir() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	for _, f := range files {
		rel, _ := filepath.Rel(src, f)
		rel = filepath.ToSlash(rel)
		r := Roster{Name: strings.TrimSuffix(filepath.Base(f), ".csv")}
		fh, err := safefs.Open(src, f)
		if e := safefs.AsError(err); e != nil {
			diags.Add(e.Path, 0, e.Hint(), "%s", e.Problem())
			continue
		}
		if err != nil {
			return nil, err
		}
		if fi, err := fh.Stat(); err == nil && fi.Size() > content.MaxCSVFile {
			fh.Close()
			diags.Add(rel, 0, "split the roster into several cohorts (see the size limits in docs/content.md)", "file of %d bytes, more than the %d MiB a CSV file may hold", fi.Size(), content.MaxCSVFile>>20)
			continue
		}
		cr := content.NewCSVReader(io.LimitReader(fh, content.MaxCSVFile))
		head, err := cr.Read()
		if err != nil {
			fh.Close()
			if line, hint, problem, args, ok := content.EncodingProblem(err); ok {
				diags.Add(rel, line, hint, problem, args...)
			} else {
				diags.Add(rel, 1, "the first line names the columns: email,eppn,student_id,name", "cannot read the header: %v", err)
			}
			continue
		}
		// Column names as in award lists: aliases (Courriel, N° étudiant,
		// Nom and Prénom…) are accepted, matched without case or accents.
		cols := map[string]int{}
		names := make([]string, len(head))
		for i, h := range head {
			h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
			names[i] = h
			field := content.RosterColumn(h)
			if field == "" {
				diags.Add(rel, 1, "roster columns: email, eppn, student_id, name (or first_name and last_name)", "unknown column %q", h)
				continue
			}
			if j, dup := cols[field]; dup {
				diags.Add(rel, 1, "keep one of them", "columns %q and %q both give %s", strings.TrimSpace(head[j]), h, field)
			}
			names[i] = field
			cols[field] = i
		}
		get := func(rec []string, c string) string {
			if i, ok := cols[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			if c == "name" {
				return content.JoinName(get0(rec, cols, "first_name"), get0(rec, cols, "last_name"))
			}
			return ""
		}
		last := 1 // line of the last record read
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if errors.Is(err, content.ErrRecordTooLarge) {
				diags.Add(rel, last+1, "a quote is left open, or a cell is far over its limit (see the size limits in docs/content.md)", "row longer than %d MiB; the rest of the file is not read", content.MaxCSVRecord>>20)
				break
			}
			if line, hint, problem, args, ok := content.EncodingProblem(err); ok {
				diags.Add(rel, line, hint, problem, args...)
				break
			}
			if err != nil {
				// FieldPos has no field to point at after an error (it
				// panicked on a roster with an unterminated quote).
				line := 0
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.Line
				}
				diags.Add(rel, line, "quote values containing commas", "%v", err)
				break
			}
			line, _ := cr.FieldPos(0)
			last, _ = cr.FieldPos(len(rec) - 1)
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			long := false
			for i, v := range rec {
				col := ""
				if i < len(names) {
					col = names[i]
				}
				if max := content.ColumnLimit(col); len(v) > max && utf8.RuneCountInString(v) > max {
					diags.Add(rel, line, fmt.Sprintf("shorten it to at most %d characters (see the size limits in docs/content.md)", max), "column %s is %d characters long, more than %d", col, utf8.RuneCountInString(v), max)
					long = true
				}
			}
			if long {
				continue
			}
			p := model.Identity{Email: ids.NormalizeEmail(get(rec, "email")), EPPN: get(rec, "eppn"), StudentID: get(rec, "student_id"), Name: get(rec, "name")}
			if p.Email == "" && p.EPPN == "" && p.StudentID == "" {
				diags.Add(rel, line, "fill email, eppn or student_id", "no student identifier")
				continue
			}
			r.People = append(r.People, p)
		}
		fh.Close()
		out = append(out, r)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// get0 returns the trimmed cell of column c, or "".
func get0(rec []string, cols map[string]int, c string) string {
	if i, ok := cols[c]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

func build(sp *model.Space, fw *model.Framework, req int, asOf time.Time, rosters []Roster) *Report {
	rep := &Report{Space: sp, Framework: fw, Level: fw.Levels[req], AsOf: asOf}
	who := people.New(sp.Awards)
	levelIndex := map[string]int{}
	for i, lv := range fw.Levels {
		levelIndex[lv.ID] = i
	}
	compIndex := map[*model.Competency]int{}
	for i, c := range fw.Competencies {
		compIndex[c] = i
	}
	type best struct {
		level int
		date  time.Time
	}
	held := map[string][]best{}             // by recipient group
	persons := map[string]*model.Identity{} // identifiers seen for each group
	for _, a := range sp.Awards {
		g := who.Of(a)
		p := persons[g]
		if p == nil {
			p = &model.Identity{}
			persons[g] = p
		}
		fill := func(dst *string, v string) {
			if *dst == "" {
				*dst = v
			}
		}
		fill(&p.Email, a.Recipient.Email)
		fill(&p.EPPN, a.Recipient.EPPN)
		fill(&p.StudentID, a.Recipient.StudentID)
		fill(&p.Name, a.Recipient.Name)
		c := a.Badge.Competency
		if c == nil || c.Framework != fw || a.Level == nil {
			continue
		}
		if rv, revoked := sp.Revocations[a.ID]; revoked && !rv.Date.After(asOf) {
			continue
		}
		if a.Date.After(asOf) || (!a.Expires.IsZero() && !a.Expires.After(asOf)) {
			continue
		}
		lv, ok := levelIndex[a.Level.ID]
		if !ok {
			continue
		}
		h := held[g]
		if h == nil {
			h = make([]best, len(fw.Competencies))
			for i := range h {
				h[i].level = -1
			}
			held[g] = h
		}
		ci := compIndex[c]
		if lv > h[ci].level || (lv == h[ci].level && a.Date.Before(h[ci].date)) {
			h[ci] = best{lv, a.Date}
		}
	}
	row := func(g string, p model.Identity) Row {
		r := Row{Person: p, Complete: true}
		h := held[g]
		for i, c := range fw.Competencies {
			x := Held{}
			if h != nil && h[i].level >= 0 {
				x = Held{Level: fw.Levels[h[i].level], Date: h[i].date}
			}
			r.Held = append(r.Held, x)
			if x.Level == nil || levelIndex[x.Level.ID] < req {
				r.Complete = false
				r.Missing = append(r.Missing, c.Code)
			}
		}
		return r
	}
	if len(rosters) == 0 {
		co := Cohort{Name: "all"}
		for g := range held {
			co.Rows = append(co.Rows, row(g, *persons[g]))
		}
		sortRows(co.Rows)
		rep.Cohorts = []Cohort{co}
		return rep
	}
	for _, ro := range rosters {
		co := Cohort{Name: ro.Name, Roster: true}
		for _, p := range ro.People {
			g := who.Identity(p)
			if q := persons[g]; g != "" && q != nil {
				// The roster's identifiers first, completed from the award lists.
				for _, f := range [][2]*string{{&p.Email, &q.Email}, {&p.EPPN, &q.EPPN}, {&p.StudentID, &q.StudentID}, {&p.Name, &q.Name}} {
					if *f[0] == "" {
						*f[0] = *f[1]
					}
				}
			}
			co.Rows = append(co.Rows, row(g, p))
		}
		sortRows(co.Rows)
		rep.Cohorts = append(rep.Cohorts, co)
	}
	return rep
}

func sortRows(rows []Row) {
	key := func(p model.Identity) string {
		return strings.ToLower(p.Name) + "\x00" + p.Email + "\x00" + p.EPPN + "\x00" + p.StudentID
	}
	sort.Slice(rows, func(i, j int) bool { return key(rows[i].Person) < key(rows[j].Person) })
}

// CSV writes the report as one CSV table: a line per student and cohort.
// Cells that a spreadsheet would take for formulas (a name typed as
// `=HYPERLINK(…)` in an award list or a roster) are neutralised by
// package csvout.
func (r *Report) CSV(w io.Writer) error {
	cw := csvout.NewWriter(w)
	head := []string{"cohort", "name", "email", "eppn", "student_id", "complete", "missing"}
	for _, c := range r.Framework.Competencies {
		head = append(head, c.Code)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, co := range r.Cohorts {
		for _, row := range co.Rows {
			complete := "non"
			if row.Complete {
				complete = "oui"
			}
			rec := []string{co.Name, row.Person.Name, row.Person.Email, row.Person.EPPN, row.Person.StudentID, complete, strings.Join(row.Missing, " ")}
			for _, h := range row.Held {
				if h.Level == nil {
					rec = append(rec, "")
				} else {
					rec = append(rec, h.Level.ID)
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.Format(time.DateOnly) },
	"count": func(rows []Row) int {
		n := 0
		for _, r := range rows {
			if r.Complete {
				n++
			}
		}
		return n
	},
}).Parse(`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<title>Rapport de jury — {{.Space.Name}} — {{.Framework.Name}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1f3b; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border: 1px solid #dcdfee; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.ok { background: #e6f4ea; } td.ko { background: #fdecea; }
.note { color: #555a75; }
</style>
</head>
<body>
<h1>Rapport de jury — {{.Space.Name}}</h1>
<p>Référentiel : <strong>{{.Framework.Name}}</strong>. Niveau exigé dans chaque compétence : <strong>{{.Level.Name}}</strong> (ou supérieur). Situation au {{date .AsOf}}.</p>
<p class="note">Document confidentiel : il nomme des étudiants. Ne pas publier.</p>
{{range .Cohorts}}{{$co := .}}
<h2>Cohorte {{.Name}}</h2>
<p>{{count .Rows}} sur {{len .Rows}} étudiant(s) détiennent le niveau exigé dans toutes les compétences.{{if not .Roster}} <span class="note">(Sans liste de cohorte : tous les titulaires d'au moins un badge du référentiel.)</span>{{end}}</p>
<table>
<thead><tr><th>Étudiant</th><th>Identifiants</th><th>Complet</th><th>Manque</th>{{range $.Framework.Competencies}}<th title="{{.Name}}">{{.Code}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Person.Name}}</td><td>{{with .Person.Email}}{{.}} {{end}}{{with .Person.EPPN}}{{.}} {{end}}{{with .Person.StudentID}}{{.}}{{end}}</td><td class="{{if .Complete}}ok{{else}}ko{{end}}">{{if .Complete}}oui{{else}}non{{end}}</td><td>{{range $i, $m := .Missing}}{{if $i}}, {{end}}{{$m}}{{end}}</td>{{range .Held}}<td>{{if .Level}}{{.Level.Name}} <span class="note">({{date .Date}})</span>{{else}}—{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}
</body>
</html>
`))

// HTML writes the report as a readable page.
func (r *Report) HTML(w io.Writer) error { return page.Execute(w, r) }

// Name is the file name (without extension) of a report.
func (r *Report) Name() string {
	return r.Space.Slug + "-" + r.Framework.Slug + "-" + r.Level.ID
}

// Write writes every report as CSV and HTML into dir, which must not be
// inside any of the forbidden folders (the published site, the content,
// the keys), and returns the files written.
func Write(reports []*Report, dir string, forbidden []string) ([]string, error) {
	dst, err := safepath.Real(dir)
	if err != nil {
		return nil, err
	}
	if dst == filepath.Dir(dst) {
		return nil, fmt.Errorf("report folder %s is the root of the file system; write reports to a folder of their own (e.g. -o reports)", dir)
	}
	for _, f := range forbidden {
		p, err := safepath.Real(f)
		if err != nil {
			return nil, err
		}
		if safepath.Within(dst, p) {
			return nil, fmt.Errorf("report folder %s overlaps %s: jury reports name students and must never be published; write them elsewhere (e.g. -o reports)", dir, f)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var files []string
	for _, r := range reports {
		for ext, f := range map[string]func(io.Writer) error{".csv": r.CSV, ".html": r.HTML} {
			var b bytes.Buffer
			if err := f(&b); err != nil {
				return nil, err
			}
			p := filepath.Join(dir, r.Name()+ext)
			if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
				return nil, err
			}
			files = append(files, p)
		}
	}
	sort.Strings(files)
	return files, nil
}
