// Package passportfile reads students' passport declarations from files,
// content/_passports/<slug>.yaml: the offline (and demo) source of the
// passport model. A declaration names the awards to show by space and award
// id (as `blason awards` prints them), or — for operators who only know the
// student — by badge, with the student's identifiers in the file (content/
// is private; that identifier is never published). Every problem is reported
// at once as file:line, and messages never quote identifiers.
package passportfile

import (
	"context"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/yamlx"
)

// Dir is the folder of declarations, under content/.
const Dir = "_passports"

// MaxDisplayName is the longest display name accepted, in characters.
const MaxDisplayName = 100

// Source reads the declarations under Root/content/_passports, resolved
// against a loaded site (award ids need the space secrets).
type Source struct {
	Root string // the site's source folder
	Site *model.Site
}

// Passports implements passport.Source.
func (s Source) Passports(context.Context) ([]passport.Passport, error) {
	return Load(s.Root, s.Site)
}

type file struct {
	DisplayName string      `yaml:"displayName"`
	Indexable   bool        `yaml:"indexable"`
	Email       string      `yaml:"email"`
	Lang        string      `yaml:"lang"`
	Recipients  []string    `yaml:"recipients"`
	Awards      []awardLine `yaml:"awards"`
	Headline    string      `yaml:"headline"`
	Links       []linkLine  `yaml:"links"`
}

type linkLine struct {
	Label string `yaml:"label"`
	URL   string `yaml:"url"`
}

type awardLine struct {
	Space string `yaml:"space"`
	Award string `yaml:"award"`
	Badge string `yaml:"badge"`
	Level string `yaml:"level"`
	Date  string `yaml:"date"`
	Group string `yaml:"group"`
}

// Load reads every declaration under root/content/_passports, sorted by
// slug. A missing folder means no passport.
func Load(root string, site *model.Site) ([]passport.Passport, error) {
	dir := filepath.Join(root, "content", Dir)
	entries, err := safefs.ReadDir(root, dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if e := safefs.AsError(err); e != nil {
		var diags diag.List
		diags.Add(e.Path, 0, e.Hint(), "%s", e.Problem())
		return nil, diags.Err()
	}
	if err != nil {
		return nil, err
	}
	r := newResolver(site)
	var diags diag.List
	var out []passport.Passport
	for _, e := range entries {
		name := e.Name()
		rel := "content/" + Dir + "/" + name
		if strings.HasPrefix(name, ".") {
			continue
		}
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			diags.Add(rel, 0, "a declaration is a file named <slug>.yaml; move other files out of content/"+Dir, "not a passport declaration")
			continue
		}
		slug := strings.TrimSuffix(name, ".yaml")
		if !passport.ValidSlug(slug) {
			diags.Add(rel, 0, "rename the file: "+passport.SlugHint, "passport slug %q (the file name) is not valid", slug)
			continue
		}
		f, err := safefs.Open(root, filepath.Join(dir, name))
		if e := safefs.AsError(err); e != nil {
			diags.Add(e.Path, 0, e.Hint(), "%s", e.Problem())
			continue
		}
		if err != nil {
			diags.Add(rel, 0, "", "%v", err)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, content.MaxPassportFile+1)) // a larger file is not read whole
		size := int64(len(b))
		if fi, serr := f.Stat(); serr == nil {
			size = fi.Size()
		}
		f.Close()
		if err != nil {
			diags.Add(rel, 0, "", "%v", err)
			continue
		}
		if len(b) > content.MaxPassportFile {
			diags.Add(rel, 0, "a declaration lists a student's awards: it never needs that much (see the size limits in docs/content.md)",
				"file of %d bytes, more than the %d KiB a passport declaration may hold", size, content.MaxPassportFile>>10)
			continue
		}
		if p, ok := r.declaration(rel, slug, b, &diags); ok {
			out = append(out, p)
		}
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, nil
}

type resolver struct {
	site   *model.Site
	spaces map[string]*model.Space
	byID   map[string]map[string]*model.Award // space → id → award
	// byWho maps each recipient identifier ("e:" e-mail, "p:" eppn,
	// "s:" student number) to its awards; built on first use.
	byWho map[string][]*model.Award
}

func whoKeys(r model.Identity) []string {
	var k []string
	if r.Email != "" {
		k = append(k, "e:"+r.Email)
	}
	if r.EPPN != "" {
		k = append(k, "p:"+strings.ToLower(r.EPPN))
	}
	if r.StudentID != "" {
		k = append(k, "s:"+r.StudentID)
	}
	return k
}

// awardsOf returns the awards of a space given to any of the student's
// identifiers, by date, each once.
func (r *resolver) awardsOf(sp *model.Space, student []string) []*model.Award {
	if r.byWho == nil {
		r.byWho = map[string][]*model.Award{}
		for _, s := range r.site.Spaces {
			for _, a := range s.Awards {
				for _, k := range whoKeys(a.Recipient) {
					r.byWho[k] = append(r.byWho[k], a)
				}
			}
		}
	}
	seen := map[*model.Award]bool{}
	var out []*model.Award
	for _, who := range student {
		who = strings.TrimSpace(who)
		if who == "" {
			continue
		}
		for _, k := range []string{"e:" + ids.NormalizeEmail(who), "p:" + strings.ToLower(who), "s:" + who} {
			for _, a := range r.byWho[k] {
				if a.Badge.Space == sp && !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

func newResolver(site *model.Site) *resolver {
	r := &resolver{site: site, spaces: map[string]*model.Space{}, byID: map[string]map[string]*model.Award{}}
	for _, sp := range site.Spaces {
		r.spaces[sp.Slug] = sp
	}
	return r
}

func (r *resolver) awards(sp *model.Space) map[string]*model.Award {
	m := r.byID[sp.Slug]
	if m == nil {
		m = make(map[string]*model.Award, len(sp.Awards))
		for _, a := range sp.Awards {
			m[a.ID] = a
		}
		r.byID[sp.Slug] = m
	}
	return m
}

func (r *resolver) spaceSlugs() string {
	var s []string
	for _, sp := range r.site.Spaces {
		s = append(s, sp.Slug)
	}
	return strings.Join(s, ", ")
}

// isRecipient reports whether one of the student's identifiers (e-mail
// addresses, eppns, student numbers) is one of the award's.
func isRecipient(a *model.Award, student []string) bool {
	r := a.Recipient
	for _, who := range student {
		who = strings.TrimSpace(who)
		if who == "" {
			continue
		}
		if (r.Email != "" && r.Email == ids.NormalizeEmail(who)) ||
			(r.EPPN != "" && strings.EqualFold(r.EPPN, who)) ||
			(r.StudentID != "" && r.StudentID == who) {
			return true
		}
	}
	return false
}

func (r *resolver) declaration(rel, slug string, src []byte, diags *diag.List) (passport.Passport, bool) {
	before := diags.Len()
	doc := yamlx.Parse(rel, 0, src, diags)
	var f file
	if !doc.Decode(&f, diags) || doc == nil {
		return passport.Passport{}, false
	}
	p := passport.Passport{Slug: slug, DisplayName: strings.TrimSpace(f.DisplayName), Indexable: f.Indexable, Email: strings.TrimSpace(f.Email), Lang: f.Lang, Source: rel + ":1"}
	switch {
	case p.DisplayName == "":
		diags.Add(rel, doc.Line("displayName"), "add `displayName: Camille Martin`, the name the student chose to show", "missing displayName")
	case utf8.RuneCountInString(p.DisplayName) > MaxDisplayName || strings.IndexFunc(p.DisplayName, unicode.IsControl) >= 0:
		diags.Add(rel, doc.Line("displayName"), fmt.Sprintf("use one line of at most %d characters", MaxDisplayName), "displayName is too long or holds control characters")
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || a.Name != "" || !strings.Contains(p.Email[strings.IndexByte(p.Email, '@')+1:], ".") {
			diags.Add(rel, doc.Line("email"), "write a bare address, name@domain.tld, or remove the key to show none", "malformed e-mail address")
		}
	}
	if p.Lang != "" && !contains(r.site.Languages, p.Lang) {
		diags.Add(rel, doc.Line("lang"), "site languages: "+strings.Join(r.site.Languages, ", "), "lang %q is not a language of the site", p.Lang)
	}
	if len(f.Awards) == 0 {
		diags.Add(rel, doc.Line("awards"), "list the awards to show: `awards: [{space: universite, award: <id>}]` (ids from `blason awards`)", "no award listed")
	}
	rich(&p, f, doc, rel, diags)
	seen := map[passport.AwardRef]int{}
	groups := map[string]bool{}
	for i, al := range f.Awards {
		line := func(key string) int { return doc.ItemKeyLine("awards", i, key) }
		a := r.award(rel, line, al, f.Recipients, diags)
		if a == nil {
			continue
		}
		ref := passport.AwardRef{Space: a.Badge.Space.Slug, Award: a.ID}
		if first, dup := seen[ref]; dup {
			diags.Add(rel, line("space"), "list each award once", "the same award as item %d", first+1)
			continue
		}
		seen[ref] = i
		p.Awards = append(p.Awards, ref)
		if g := strings.TrimSpace(al.Group); g != "" {
			if !groupName(g, rel, line("group"), diags) {
				continue
			}
			if !groups[g] && len(groups) == passport.MaxGroups {
				diags.Add(rel, line("group"), "put several awards in one group: a passport shows a few groups", "more than %d groups", passport.MaxGroups)
				continue
			}
			groups[g] = true
			if p.GroupOf == nil {
				p.GroupOf = map[passport.AwardRef]string{}
			}
			p.GroupOf[ref] = g
		}
	}
	if diags.Len() > before {
		return passport.Passport{}, false
	}
	return p, true
}

func (r *resolver) award(rel string, line func(string) int, al awardLine, recipients []string, diags *diag.List) *model.Award {
	sp := r.spaces[al.Space]
	switch {
	case al.Space == "":
		diags.Add(rel, line("space"), "spaces: "+r.spaceSlugs(), "award without space")
		return nil
	case sp == nil:
		hint := "spaces: " + r.spaceSlugs()
		var slugs []string
		for s := range r.spaces {
			slugs = append(slugs, s)
		}
		if c := yamlx.Closest(al.Space, slugs); c != "" {
			hint = fmt.Sprintf("did you mean %q?", c)
		}
		diags.Add(rel, line("space"), hint, "unknown space %q", al.Space)
		return nil
	case (al.Award == "") == (al.Badge == ""):
		diags.Add(rel, line("space"), "give either `award: <id>` (from `blason awards`) or `badge: <slug>` with the file's recipients", "an award is named by exactly one of award and badge")
		return nil
	}
	if al.Award != "" {
		if al.Level != "" || al.Date != "" {
			diags.Add(rel, line("award"), "remove level and date: the award id names one award", "level and date only go with badge")
			return nil
		}
		a := r.awards(sp)[al.Award]
		if a == nil {
			diags.Add(rel, line("award"), "run `blason awards` for the ids of space "+sp.Slug+" (they depend on keys/"+sp.Slug+"/secret)", "unknown award id %q in space %s", short(al.Award), sp.Slug)
			return nil
		}
		if len(recipients) > 0 && !isRecipient(a, recipients) {
			diags.Add(rel, line("award"), "check the id: only the student's own awards may be shown", "award %s was not awarded to the file's recipients", al.Award)
			return nil
		}
		return a
	}
	if len(recipients) == 0 {
		diags.Add(rel, line("badge"), "add `recipients: [<e-mail, eppn or student number>]` (never published) or name the award by its id", "badge selects one of the recipient's awards, but the file has no recipients")
		return nil
	}
	var date time.Time
	if al.Date != "" {
		d, err := time.Parse(time.DateOnly, al.Date)
		if err != nil {
			diags.Add(rel, line("date"), "use YYYY-MM-DD", "malformed date")
			return nil
		}
		date = d
	}
	var found []*model.Award
	for _, a := range r.awardsOf(sp, recipients) {
		if a.Badge.Slug != al.Badge {
			continue
		}
		if al.Level != "" && (a.Level == nil || a.Level.ID != al.Level) {
			continue
		}
		if !date.IsZero() && !a.Date.Equal(date) {
			continue
		}
		found = append(found, a)
	}
	switch len(found) {
	case 0:
		diags.Add(rel, line("badge"), "check space, badge, level and date against the award lists", "the recipients have no award of badge %q in space %s matching this item", al.Badge, sp.Slug)
		return nil
	case 1:
		return found[0]
	}
	var which []string
	for _, a := range found {
		w := a.Date.Format(time.DateOnly)
		if a.Level != nil {
			w = "level " + a.Level.ID + " " + w
		}
		which = append(which, w)
	}
	diags.Add(rel, line("badge"), "add level: or date: to pick one of: "+strings.Join(which, "; "), "%d awards of badge %q match", len(found), al.Badge)
	return nil
}

// short cuts a long unknown value for messages.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
