package content

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/fileid"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/people"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/yamlx"
)

var (
	awardColumns      = []string{"email", "eppn", "student_id", "name", "badge", "level", "date", "expires", "evidence_url", "evidence_narrative", "override", "lang"}
	revocationColumns = []string{"award", "date", "reason", "action"}
	studentIDRE       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	langRE            = regexp.MustCompile(`^[A-Za-z_-]{1,10}$`)
)

// table is a CSV file read with its header mapped to column indexes.
type table struct {
	file  string
	width int // number of header columns
	cols  map[string]int
	names []string // column names by index
	max   []int    // character limits by index
	r     *CSVReader
	last  int // line of the last record read, for errors between records
	rec   []string
	// unnamed are the columns with an empty header cell (Excel leaves
	// them after the last column used): their cells must be empty.
	unnamed []int
	// fixed gives the value of a field the file has no column for (the
	// space's import settings: a fixed badge, level or date).
	fixed map[string]string
	// evidence is the evidence check of the current row (award lists).
	evidence evidenceCheck
}

// tableKind describes one kind of CSV table: its columns and their aliases.
type tableKind struct {
	allowed  []string // the columns, in documentation order
	required []string
	aliases  aliases
	// importable tables may be read through a space's import settings.
	importable bool
}

var (
	awardTable      = tableKind{allowed: awardColumns, required: []string{"badge", "date"}, aliases: awardAliases, importable: true}
	revocationTable = tableKind{allowed: revocationColumns, required: revocationColumns[:3], aliases: revocationAliases}
)

// openTable reads the header of a CSV file and checks its columns. imp,
// when not nil, is the space's import settings (award lists only).
func (l *loader) openTable(path string, kind tableKind, imp *importSpec) (*table, func()) {
	allowed, required := kind.allowed, kind.required
	rel := l.rel(path)
	f, err := safefs.Open(l.src, path)
	if l.refused(err) {
		return nil, func() {}
	}
	if err != nil {
		l.diags.Add(rel, 0, "", "cannot read: %v", err)
		return nil, func() {}
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > MaxCSVFile {
		l.diags.Add(rel, 0, "split it into several files (one per jury or cohort); "+limitsHint,
			"file of %s bytes, more than the %d MiB a CSV file may hold", count(int(fi.Size())), MaxCSVFile>>20)
		f.Close()
		return nil, func() {}
	}
	r := NewCSVReader(f)
	head, err := r.Read()
	if err != nil {
		var ee *EncodingError
		switch {
		case errors.As(err, &ee):
			l.diags.Add(rel, ee.Line, ee.Hint, ee.Problem, ee.Args...)
		case errors.Is(err, ErrRecordTooLarge):
			l.diags.Add(rel, 1, "the first line names the columns: "+strings.Join(allowed, ","), "header longer than %d MiB (an unclosed quote?)", MaxCSVRecord>>20)
		default:
			l.diags.Add(rel, 1, "the first line names the columns: "+strings.Join(allowed, ","), "cannot read the header: %v", csvErr(err))
		}
		f.Close()
		return nil, func() {}
	}
	t := &table{file: rel, width: len(head), cols: map[string]int{}, names: make([]string, len(head)), max: make([]int, len(head)), r: r, last: 1}
	ok := true
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		key := headerKey(h)
		field := ""
		if imp != nil {
			field = imp.columns[key]
		}
		if field == "" {
			field = kind.aliases[key]
		}
		t.names[i], t.max[i] = h, ColumnLimit(field)
		if field == fieldIgnored || field == "" && imp != nil && imp.ignoreOthers {
			t.max[i] = MaxCell
			continue
		}
		if h == "" {
			t.unnamed = append(t.unnamed, i)
			continue
		}
		if field == "" {
			enc, sep := r.Encoding(), r.Separator()
			var hint string
			switch s := yamlx.Closest(h, allowed); {
			case s != "" && kind.importable:
				hint = fmt.Sprintf("did you mean %q? To read another export, map its columns in content/%s/_space.md (import: in docs/content.md); file read as %s, separator %q", s, l.spaceOf(rel), enc, sep)
			case kind.importable:
				hint = fmt.Sprintf("allowed columns: %s; to read another export, map its columns in content/%s/_space.md (import: in docs/content.md); file read as %s, separator %q", strings.Join(allowed, ", "), l.spaceOf(rel), enc, sep)
			case s != "":
				hint = fmt.Sprintf("did you mean %q? File read as %s, separator %q", s, enc, sep)
			default:
				hint = fmt.Sprintf("allowed columns: %s; file read as %s, separator %q", strings.Join(allowed, ", "), enc, sep)
			}
			l.diags.Add(rel, 1, hint, "unknown column %q", h)
			continue // the other columns are still checked
		}
		if j, dup := t.cols[field]; dup {
			if headerKey(t.names[j]) == key {
				l.diags.Add(rel, 1, "keep one column of each name", "column %q appears twice", h)
			} else {
				l.diags.Add(rel, 1, "keep one of them, or map one to \"-\" (not read) under import: columns: in the space's _space.md", "columns %q and %q both give %s", t.names[j], h, field)
			}
			ok = false
		}
		t.cols[field] = i
	}
	if n, has := t.cols["name"]; has {
		for _, part := range []string{fieldFirstName, fieldLastName} {
			if j, both := t.cols[part]; both {
				l.diags.Add(rel, 1, "keep either the full name or the first and family names", "columns %q and %q both give the name", t.names[n], t.names[j])
				ok = false
			}
		}
	}
	if imp != nil {
		for f, v := range imp.fixed {
			if _, has := t.cols[f]; !has && v != "" {
				if t.fixed == nil {
					t.fixed = map[string]string{}
				}
				t.fixed[f] = v
			}
		}
	}
	for _, c := range required {
		if _, has := t.cols[c]; !has && t.fixed[c] == "" {
			hint := "add the column to the header line"
			if imp != nil {
				hint = fmt.Sprintf("add the column to the header line, or give a fixed %s under import: in the space's _space.md", c)
			}
			l.diags.Add(rel, 1, hint, "missing column %q", c)
			ok = false
		}
	}
	if !ok {
		f.Close()
		return nil, func() {}
	}
	return t, func() { f.Close() }
}

// spaceOf returns the space folder of a content file path, for messages.
func (l *loader) spaceOf(rel string) string {
	parts := strings.Split(rel, "/")
	if len(parts) > 1 && parts[0] == "content" {
		return parts[1]
	}
	return "<space>"
}

// next reads the next record; it returns false at the end of the file.
func (t *table) next(l *loader) bool {
	for {
		rec, err := t.r.Read()
		if errors.Is(err, io.EOF) {
			return false
		}
		var ee *EncodingError
		if errors.As(err, &ee) {
			l.diags.Add(t.file, ee.Line, ee.Hint, ee.Problem, ee.Args...)
			return false
		}
		if errors.Is(err, ErrRecordTooLarge) {
			l.diags.Add(t.file, t.last+1, "a quote is left open, or a cell is far over its limit ("+count(MaxEvidence)+" characters for evidence_narrative, "+count(MaxCell)+" for any cell; "+limitsHint+")",
				"row longer than %d MiB; the rest of the file is not read", MaxCSVRecord>>20)
			return false
		}
		if err != nil {
			l.csvError(t.file, err, t.r.Separator())
			return false
		}
		line, _ := t.r.FieldPos(0)
		t.last, _ = t.r.FieldPos(len(rec) - 1)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) > t.width {
			l.diags.Add(t.file, line, fmt.Sprintf("quote values containing the separator %q with \"…\"", t.r.Separator()), "%d values for %d columns", len(rec), t.width)
			continue
		}
		for _, i := range t.unnamed {
			if i < len(rec) && strings.TrimSpace(rec[i]) != "" {
				// The value is not shown: it may be personal data.
				l.diags.Add(t.file, line, "name the column in the header line, or empty it", "a value in column %d, which has no name in the header line", i+1)
			}
		}
		long := false
		for i, v := range rec {
			if max := t.max[i]; tooLong(v, max) {
				// The value is not shown: it may be personal data.
				l.diags.Add(t.file, line, fmt.Sprintf("shorten it to at most %s characters (%s)", count(max), limitsHint),
					"column %s is %s characters long, more than %s", t.names[i], count(utf8.RuneCountInString(v)), count(max))
				long = true
			}
		}
		if long {
			continue
		}
		t.rec = rec
		return true
	}
}

// csvError reports a CSV syntax error: an unclosed quote at the line where
// it opened, anything else at its line.
func (l *loader) csvError(file string, err error, sep rune) {
	line, hint := 0, fmt.Sprintf("quote values containing the separator %q or quotes with \"…\"", sep)
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = pe.Line
		if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line {
			l.diags.Add(file, pe.StartLine, "close the quote: a quoted value ends with \" (write a quote inside a value as \"\")", "a quote opened on this line is not closed before line %d", pe.Line)
			return
		}
	}
	l.diags.Add(file, line, hint, "%v", csvErr(err))
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// get returns the trimmed value of column c in the current record.
func (t *table) get(c string) string {
	i, ok := t.cols[c]
	if !ok && c == "name" {
		return JoinName(t.get(fieldFirstName), t.get(fieldLastName))
	}
	if !ok {
		return t.fixed[c]
	}
	if i >= len(t.rec) {
		return ""
	}
	v := t.rec[i]
	if n := len(v); n > 0 && (v[0] <= ' ' || v[0] >= 0x80 || v[n-1] <= ' ' || v[n-1] >= 0x80) {
		return strings.TrimSpace(v) // only values that may have spaces to trim
	}
	return v
}

// line returns the line of the current record.
func (t *table) line() int {
	line, _ := t.r.FieldPos(0)
	return line
}

func (l *loader) awards(sp *model.Space) {
	dir := filepath.Join(l.src, "content", sp.Slug, "awards")
	files := l.list(dir, ".csv")
	badges := map[string]*model.Badge{}
	var slugs []string
	for _, b := range sp.Badges {
		badges[b.Slug] = b
		slugs = append(slugs, b.Slug)
	}
	// Award lists are read in parallel, each with its own diagnostics;
	// duplicates across lists are then found in file and line order.
	type result struct {
		awards []*model.Award
		diags  diag.List
	}
	results := make([]result, len(files))
	if l.cache != nil {
		for _, f := range files {
			l.cacheKeep[l.cache.entryPath(l.rel(f))] = true
		}
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if l.cache != nil {
					if as, ok := l.cache.get(l, sp, files[i], badges); ok {
						results[i].awards = as
						continue
					}
				}
				var before fileid.ID
				var known bool
				if l.cache != nil {
					before, known = l.identity(files[i])
				}
				fl := *l
				fl.diags = &results[i].diags
				t, done := fl.openTable(files[i], awardTable, l.imports[sp.Slug])
				if t == nil {
					continue
				}
				for t.next(&fl) {
					if a := fl.award(t, sp, badges, slugs); a != nil {
						results[i].awards = append(results[i].awards, a)
					}
				}
				done()
				if l.cache != nil && results[i].diags.Len() == 0 {
					// A cache that cannot be written costs time, never correctness.
					_ = l.cache.put(l, sp, files[i], before, known, results[i].awards)
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	n := 0
	for i := range results {
		n += len(results[i].awards)
	}
	seen := make(map[dupKey]*model.Award, 2*n) // → the first award; most rows have two identifiers
	for i := range results {
		l.diags.Append(&results[i].diags)
		for _, a := range results[i].awards {
			if l.duplicate(a, seen) {
				continue
			}
			sp.Awards = append(sp.Awards, a)
		}
	}
}

// duplicate reports (and records) an award already given to the same
// recipient (any shared identifier) for the same badge and level on the
// same date. The same badge at another date is a renewal (a first-aid
// refresher, a re-certification): both awards stay, each with its own id
// (derived from the date too), dates and expiry.
func (l *loader) duplicate(a *model.Award, seen map[dupKey]*model.Award) bool {
	lv := ""
	if a.Level != nil {
		lv = a.Level.ID
	}
	slug, r, day := a.Badge.Slug, a.Recipient, a.Date.Format(time.DateOnly)
	keys := [3]dupKey{{slug, lv, day, 'e', r.Email}, {slug, lv, day, 'p', r.EPPN}, {slug, lv, day, 's', r.StudentID}}
	for _, k := range keys {
		if k.value == "" {
			continue
		}
		if first, dup := seen[k]; dup {
			what := slug
			if lv != "" {
				what += " (" + lv + ")"
			}
			l.diags.Add(a.File, a.Line, "remove one of the two rows; the recipient already holds this award on this date (a renewal has its own, later date)", "duplicate award of %s to the same recipient on %s, first awarded at %s", what, day, first.Source())
			return true
		}
	}
	for _, k := range keys {
		if k.value != "" {
			seen[k] = a
		}
	}
	return false
}

// dupKey identifies an award to one recipient identifier, for duplicates.
type dupKey struct {
	badge, level, date string
	kind               byte // e-mail, eppn or student number
	value              string
}

func (l *loader) award(t *table, sp *model.Space, badges map[string]*model.Badge, slugs []string) *model.Award {
	line := t.line()
	bad := func(hint, format string, args ...any) { l.diags.Add(t.file, line, hint, format, args...) }
	ok := true
	fail := func(hint, format string, args ...any) { bad(hint, format, args...); ok = false }

	r := model.Identity{Email: ids.NormalizeEmail(t.get("email")), EPPN: t.get("eppn"), StudentID: t.get("student_id"), Name: t.get("name")}
	if r.Email == "" && r.EPPN == "" && r.StudentID == "" {
		fail("fill email, eppn or student_id", "no recipient identifier")
	}
	// Messages never quote identifiers: build logs must carry no personal data.
	if r.Email != "" && !validEmail(r.Email) {
		fail("check the address in column email (name@domain.tld)", "malformed e-mail address")
	}
	if r.EPPN != "" && !validEPPN(r.EPPN) {
		fail("an eppn looks like user@univ.example.fr", "malformed eppn")
	}
	if r.StudentID != "" && !studentIDRE.MatchString(r.StudentID) {
		fail("a student number is made of letters, digits, '.', '_' or '-'", "malformed student_id")
	}

	a := &model.Award{Recipient: r, File: t.file, Line: line}
	slug := t.get("badge")
	b := badges[slug]
	switch {
	case slug == "":
		fail("fill the badge column with a badge slug", "no badge")
	case b == nil && l.broken[sp.Slug+"/"+slug]:
		ok = false // the badge file itself is reported
	case b == nil:
		hint := "badges of space " + sp.Slug + ": " + strings.Join(slugs, ", ")
		if s := yamlx.Closest(slug, slugs); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		fail(hint, "unknown badge %s in space %s", shown(slug, slugRE), sp.Slug)
	}
	a.Badge = b
	lv := t.get("level")
	if b != nil {
		for _, x := range b.Levels {
			if x.ID == lv {
				a.Level = x
			}
		}
		lids := func() []string { // for messages only
			var ids []string
			for _, x := range b.Levels {
				ids = append(ids, x.ID)
			}
			return ids
		}
		switch {
		case len(b.Levels) == 0 && lv != "":
			fail("leave the level column empty for this badge", "badge %q has no levels, but level %s is given", slug, shown(lv, slugRE))
		case len(b.Levels) > 0 && lv == "":
			fail("levels of "+slug+": "+strings.Join(lids(), ", "), "badge %q is awarded per level; the level column is empty", slug)
		case len(b.Levels) > 0 && a.Level == nil:
			hint := "levels of " + slug + ": " + strings.Join(lids(), ", ")
			if s := yamlx.Closest(lv, lids()); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			fail(hint, "unknown level %s for badge %q", shown(lv, slugRE), slug)
		}
	}

	var err error
	a.Date, err = parseDate(t.get("date"))
	switch {
	case t.get("date") == "":
		fail("fill the award date as YYYY-MM-DD or DD/MM/YYYY", "no date")
	case err != nil:
		l.badDate(t.file, line, "date", t.get("date"), err)
		ok = false
	case !l.now.IsZero() && a.Date.After(l.now):
		fail("award dates cannot be in the future; check the year", "date %s is in the future", t.get("date"))
	}
	if e := t.get("expires"); e != "" {
		a.Expires, err = parseDate(e)
		switch {
		case err != nil:
			l.badDate(t.file, line, "expires", e, err)
			ok = false
		case !a.Date.IsZero() && !a.Expires.After(a.Date):
			fail("the expiry date must come after the award date", "expires %s is not after date %s", e, t.get("date"))
		}
	} else if b != nil && b.Expires != "" && !a.Date.IsZero() {
		if d, ok := parseDuration(b.Expires); ok {
			a.Expires = d.addTo(a.Date)
		}
	}
	a.EvidenceURL, a.EvidenceNarrative, a.Override = t.get("evidence_url"), t.get("evidence_narrative"), t.get("override")
	switch lang := strings.ToLower(t.get("lang")); lang {
	case "", "fr", "en":
		a.Lang = lang
	default:
		fail("write fr or en (the language of the e-mail blason notify sends), or leave it empty for the site's first language", "lang %s is not fr or en", shown(lang, langRE))
	}
	if a.EvidenceURL != "" && !httpURL(a.EvidenceURL) {
		fail("evidence_url must be an http(s) URL", "evidence_url is not an http(s) URL")
	}
	// Evidence is published: it must not carry the recipient's identifiers,
	// in any form a reader would recognise (see evidenceCheck).
	if a.EvidenceURL != "" || a.EvidenceNarrative != "" || a.Override != "" {
		chk := &t.evidence
		chk.reset(r)
		for _, f := range [...]struct{ col, v string }{{"evidence_url", a.EvidenceURL}, {"evidence_narrative", a.EvidenceNarrative}, {"override", a.Override}} {
			if f.v == "" {
				continue
			}
			for _, col := range columns(chk.find(f.v)) {
				fail("evidence is published with the badge: remove the recipient's "+col+" from it, in every form (case, accents, URL-encoding, word order, an address's local part)", "%s contains the recipient's %s", f.col, col)
			}
		}
	}
	if !ok {
		return nil
	}
	return a
}

// validEPPN reports whether s has the shape of an eduPersonPrincipalName:
// user@domain, where user has no white space and domain is two or more
// dot-separated labels of letters, digits and inner hyphens. It is the
// regular expression
//
//	^[^@\s]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+$
//
// written out (a test checks they agree): it runs once per award row.
func validEPPN(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 {
		return false
	}
	for i := range at {
		switch s[i] {
		case ' ', '\t', '\n', '\f', '\r':
			return false
		}
	}
	labels := 0
	for label := range strings.SplitSeq(s[at+1:], ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
		labels++
	}
	return labels >= 2
}

// dateishRE matches values that look like dates, safe to repeat in messages.
var dateishRE = regexp.MustCompile(`^[0-9TZ:+./ -]{1,30}$`)

// shown quotes a cell value in a message only when it has the expected
// shape; anything else (an e-mail in the wrong column, a name) is not
// repeated, since build logs must carry no personal data.
func shown(v string, shape *regexp.Regexp) string {
	if shape.MatchString(v) {
		return fmt.Sprintf("%q", v)
	}
	return "(value not shown: it does not look like one)"
}

func (l *loader) revocations(sp *model.Space) {
	path := filepath.Join(l.src, "content", sp.Slug, "revocations.csv")
	sp.Revocations = map[string]model.Revocation{}
	if ok, err := safefs.Exists(l.src, path); l.refused(err) || !ok {
		return
	}
	t, done := l.openTable(path, revocationTable, nil)
	if t == nil {
		return
	}
	defer done()
	for t.next(l) {
		line := t.line()
		rv := model.Revocation{AwardID: t.get("award"), Reason: t.get("reason"), File: t.file, Line: line}
		var err error
		rv.Date, err = parseDate(t.get("date"))
		okRow := true
		switch t.get("action") {
		case "", "revoke":
		case "suspend":
			rv.Suspended = true
		default:
			l.diags.Add(t.file, line, "action is revoke (the default, final) or suspend (undone by removing the line)", "unknown action %q", t.get("action"))
			okRow = false
		}
		if !ids.ValidAwardID(rv.AwardID) {
			l.diags.Add(t.file, line, "award ids are 26 characters a-z, 2-7; `blason awards` lists them", "%q is not an award id", rv.AwardID)
			okRow = false
		}
		if err != nil {
			l.badDate(t.file, line, "date", t.get("date"), err)
			okRow = false
		} else if !l.now.IsZero() && rv.Date.After(l.now) {
			l.diags.Add(t.file, line, "a revocation cannot be dated in the future", "date %s is in the future", t.get("date"))
			okRow = false
		}
		if prev, dup := sp.Revocations[rv.AwardID]; dup && okRow {
			l.diags.Add(t.file, line, "keep one line per revoked award", "award %s already revoked at line %d", rv.AwardID, prev.Line)
			continue
		}
		if okRow {
			sp.Revocations[rv.AwardID] = rv
		}
	}
}

// checkRevocations reports revocations naming no award of the space, once
// award ids are known.
func (l *loader) checkRevocations(sp *model.Space) {
	known := make(map[string]*model.Award, len(sp.Awards))
	for _, a := range sp.Awards {
		known[a.ID] = a
	}
	revs := make([]model.Revocation, 0, len(sp.Revocations))
	for _, rv := range sp.Revocations {
		revs = append(revs, rv)
	}
	sort.Slice(revs, func(i, j int) bool { return revs[i].Line < revs[j].Line })
	for _, rv := range revs {
		a := known[rv.AwardID]
		switch {
		case a == nil:
			l.diags.Add(rv.File, rv.Line, "`blason awards` lists the award ids of space "+sp.Slug, "no award of space %s has id %s", sp.Slug, rv.AwardID)
		case rv.Date.Before(a.Date):
			l.diags.Add(rv.File, rv.Line, "a revocation comes after the award ("+a.Date.Format(time.DateOnly)+")", "revocation dated before the award")
		}
	}
}

// OverridePrefix introduces the jury's justification in the published
// evidence narrative of an award given out of level order.
const OverridePrefix = "Dérogation du jury à l'ordre des niveaux : "

// progression checks that every award at a level of a badge whose levels
// are acquired in order follows an award of the previous level to the same
// recipient (any shared identifier), dated the same day or earlier, unless
// its override column gives the jury's justification, which is then
// recorded in the award's evidence narrative.
func (l *loader) progression(sp *model.Space) {
	who := people.New(sp.Awards)
	type held struct{ who, badge, level string }
	first := map[held]*model.Award{} // earliest award of each level to each recipient
	for _, a := range sp.Awards {
		if a.Level == nil {
			continue
		}
		k := held{who.Of(a), a.Badge.Slug, a.Level.ID}
		if f := first[k]; f == nil || a.Date.Before(f.Date) {
			first[k] = a
		}
	}
	for _, a := range sp.Awards {
		if a.Override != "" {
			if a.EvidenceNarrative != "" {
				a.EvidenceNarrative += "\n\n"
			}
			a.EvidenceNarrative += OverridePrefix + a.Override
		}
		b := a.Badge
		if a.Level == nil || b.Progression != "ordered" || a.Override != "" {
			continue
		}
		i := slices.Index(b.Levels, a.Level)
		if i <= 0 {
			continue
		}
		prev := b.Levels[i-1]
		f := first[held{who.Of(a), b.Slug, prev.ID}]
		if f != nil && !f.Date.After(a.Date) {
			continue
		}
		file, line := a.File, a.Line
		hint := fmt.Sprintf("award level %s first, or write the jury's justification in the override column", prev.ID)
		if f != nil {
			l.diags.Add(file, line, hint, "award of %s at level %s before its prerequisite: level %s of the same recipient is dated %s (%s)",
				b.Slug, a.Level.ID, prev.ID, f.Date.Format(time.DateOnly), f.Source())
			continue
		}
		l.diags.Add(file, line, hint, "award of %s at level %s without its prerequisite: the recipient holds no award of level %s (%s) dated %s or earlier",
			b.Slug, a.Level.ID, prev.ID, prev.Name, a.Date.Format(time.DateOnly))
	}
}
