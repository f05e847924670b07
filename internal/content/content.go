// Package content reads a site's source folder (blason.yaml, content/) into
// a validated model.Site. Every problem is reported with its file and line,
// all at once; nothing is returned unless the whole content is valid.
package content

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/safefs"
)

// Options parameterise Load.
type Options struct {
	// BaseURL overrides the configuration's baseURL when not empty.
	BaseURL string
	// Config is the configuration file to read instead of the source
	// folder's blason.yaml (--config); empty: BLASON_CONFIG or the folder's.
	Config string
	// Now is the reference time for "date in the future" checks. It never
	// reaches the output.
	Now time.Time
	// Secret returns the secret of a space, creating it if needed. It is
	// called only once the content is otherwise valid.
	Secret func(space string) ([]byte, error)
	// RosterCache, when set, is the folder of the roster cache
	// (rostercache.go): award lists unchanged since they were last read
	// without a problem are taken from it.
	RosterCache string
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Load reads and validates the site under src.
func Load(src string, opt Options) (*model.Site, error) {
	var diags diag.List
	cfg := config.LoadEnv(src, opt.BaseURL, config.WithFile(os.Getenv, opt.Config), &diags)
	if _, err := os.Lstat(filepath.Join(src, "content")); cfg == nil && errors.Is(err, fs.ErrNotExist) {
		// Not a site folder at all: the configuration's message says what
		// to run; a missing content/ would only repeat it.
		return nil, diags.Err()
	}
	l := &loader{src: src, now: opt.Now, diags: &diags, broken: map[string]bool{}, raw: map[string]*rawBadge{}}
	if program, ok := programDigest(); ok && opt.RosterCache != "" {
		l.cache = &rosterCache{dir: opt.RosterCache, program: program}
		l.cacheKeep = map[string]bool{}
	}
	spaces := l.spaces()
	l.frameworks = l.readFrameworks(spaces)
	l.readTemplates()
	l.resolveTemplates(spaces)
	templates := l.templates(spaces)
	for _, sp := range spaces {
		l.awards(sp)
		l.revocations(sp)
		if cfg != nil && !cfg.Credentials.AllowStudentNumberOnly {
			l.studentNumberOnly(sp)
		}
	}
	if l.cache != nil {
		l.cache.prune(l.cacheKeep)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	for _, sp := range spaces {
		l.progression(sp)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	site := &model.Site{
		Frameworks:   l.frameworks,
		Templates:    templates,
		Title:        cfg.Title,
		BaseURL:      cfg.BaseURL,
		Languages:    cfg.Languages,
		Theme:        cfg.Theme,
		Translations: map[string]model.SiteText{},
		Spaces:       spaces,
		Credentials:  model.Credentials(cfg.Credentials),
	}
	for lang, t := range cfg.Translations {
		site.Translations[lang] = model.SiteText{Title: t.Title}
	}
	if cfg.Credentials.Status == "1edtech" {
		for _, sp := range spaces {
			for _, rv := range sp.Revocations {
				if rv.Suspended {
					diags.Add(rv.File, rv.Line, "suspensions need credentials.status: bitstring (the 1EdTech list only knows revocation)", "action suspend is not available with credentials.status: 1edtech")
				}
			}
		}
		if err := diags.Err(); err != nil {
			return nil, err
		}
	}
	// Ids need the space secrets, which are only read (or created) once the
	// content is known to be valid.
	for _, sp := range spaces {
		sec, err := opt.Secret(sp.Slug)
		if err != nil {
			return nil, fmt.Errorf("space %s: %w", sp.Slug, err)
		}
		sp.Secret = sec
		workers := runtime.GOMAXPROCS(0)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k := ids.NewKeyed(sec)
				for i := w; i < len(sp.Awards); i += workers {
					a := sp.Awards[i]
					a.ID = k.AwardID(sp.Slug, a.Badge.Slug, primaryIdentity(a.Recipient), levelID(a.Level), a.Date.Format(time.DateOnly))
				}
			}()
		}
		wg.Wait()
		l.checkRevocations(sp)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return site, nil
}

// primaryIdentity is the recipient value award ids are derived from.
func primaryIdentity(r model.Identity) string {
	switch {
	case r.EPPN != "":
		return "eppn:" + r.EPPN
	case r.Email != "":
		return "email:" + r.Email
	}
	return "student:" + r.StudentID
}

func levelID(l *model.Level) string {
	if l == nil {
		return ""
	}
	return l.ID
}

type loader struct {
	src   string
	now   time.Time
	diags *diag.List
	raw   map[string]*rawBadge
	// broken holds "<space>/<slug>" of badge files that could not be read.
	broken map[string]bool
	// parentLine is the line of each space's parent key, for messages.
	parentLine map[string]int
	// frameworks are the competency frameworks, read before the badges are resolved.
	frameworks []*model.Framework
	// templateKeys are the slugs of the shared templates, in l.raw.
	templateKeys []string
	// imports are the spaces' import settings for award lists, by space slug.
	imports map[string]*importSpec
	// svgChecked records the SVG images checked so far, and whether they passed.
	svgChecked map[string]bool
	// cache is the roster cache (nil without one); cacheKeep collects the
	// entries of the award lists read, the others being pruned.
	cache     *rosterCache
	cacheKeep map[string]bool
}

// refused records a file or folder refused by the one rule for source
// files (package safefs: no symbolic link, no special file) and reports
// whether err was such a refusal. Nothing of the refused file is read, so
// nothing of it can appear in a message.
func (l *loader) refused(err error) bool {
	e := safefs.AsError(err)
	if e == nil {
		return false
	}
	l.diags.Add(e.Path, 0, e.Hint(), "%s", e.Problem())
	return true
}

// list returns the files of dir (under the source folder) whose names end
// with ext, sorted; a missing folder has none, a refused one is reported.
func (l *loader) list(dir, ext string) []string {
	es, err := safefs.ReadDir(l.src, dir)
	if l.refused(err) || err != nil {
		return nil
	}
	var out []string
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ext) && !strings.HasPrefix(e.Name(), ".") && !e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// rel returns p relative to the source folder, slash-separated, for messages.
func (l *loader) rel(p string) string {
	r, err := filepath.Rel(l.src, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

func (l *loader) spaces() []*model.Space {
	dir := filepath.Join(l.src, "content")
	entries, err := safefs.ReadDir(l.src, dir)
	if l.refused(err) {
		return nil
	}
	if err != nil {
		l.diags.Add("content", 0, "create content/<space>/_space.md", "cannot read the content folder: %v", err)
		return nil
	}
	var spaces []*model.Space
	for _, e := range entries {
		if e.Type()&os.ModeSymlink != 0 {
			l.refused(&safefs.Error{Path: l.rel(filepath.Join(dir, e.Name())), Link: true})
			continue
		}
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == FrameworksDir || e.Name() == TemplatesDir || e.Name() == "_passports" { // _passports: package passportfile
			continue
		}
		if !slugRE.MatchString(e.Name()) {
			l.diags.Add(l.rel(filepath.Join(dir, e.Name())), 0, "use lower-case letters, digits and dashes", "space folder name %q is not a valid slug", e.Name())
			continue
		}
		if e.Name() == "frameworks" || e.Name() == "templates" || e.Name() == "assets" || e.Name() == "log" || e.Name() == "verify" {
			l.diags.Add(l.rel(filepath.Join(dir, e.Name())), 0, "rename the space folder", "space name %q is reserved: the site publishes its %s/ folder", e.Name(), e.Name())
			continue
		}
		if sp := l.space(filepath.Join(dir, e.Name()), e.Name()); sp != nil {
			spaces = append(spaces, sp)
		}
	}
	if len(spaces) == 0 && l.diags.Len() == 0 {
		l.diags.Add("content", 0, "create content/<space>/_space.md", "no space found")
	}
	sort.Slice(spaces, func(i, j int) bool { return spaces[i].Slug < spaces[j].Slug })
	bySlug := map[string]bool{}
	for _, sp := range spaces {
		bySlug[sp.Slug] = true
	}
	for _, sp := range spaces {
		if sp.Parent != "" && (!bySlug[sp.Parent] || sp.Parent == sp.Slug) {
			l.diags.Add(l.rel(filepath.Join(dir, sp.Slug, "_space.md")), l.parentLine[sp.Slug], "parent must be the slug of another space folder", "unknown parent space %q", sp.Parent)
		}
	}
	return spaces
}
