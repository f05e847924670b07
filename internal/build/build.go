// Package build runs the whole pipeline of `blason build`: load and check
// the content, issue the credentials, render the pages, and publish them to
// the output folder. Nothing is written to the output folder unless every
// stage before publication succeeded.
package build

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/issue"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob3"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/render"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/safepath"
	"github.com/francebadge/blason/internal/serverconf"
	"github.com/francebadge/blason/internal/statuslist"
	"github.com/francebadge/blason/internal/store"
	"github.com/francebadge/blason/themes"
)

// Phase is one timed stage of a build.
type Phase struct {
	Name     string
	Duration time.Duration
}

// Options parameterise a build.
type Options struct {
	Source      string    // site folder holding blason.yaml, content/, keys/
	Destination string    // output folder; relative paths are taken from Source
	BaseURL     string    // overrides the configuration when not empty
	Config      string    // configuration file instead of Source's blason.yaml (--config)
	Now         time.Time // reference time for validation only; zero means time.Now()
	Rand        io.Reader // entropy for new space secrets; nil means crypto/rand
	Force       bool      // issue every award again, ignoring the build cache
	ClaimIndex  string    // when set, where to write the claim server's private index
	// Servers, when set, is the folder the nginx, Apache and Caddy
	// configuration snippets are written to (ServersPath by default for
	// `blason build`; docs/deploy.md). It must lie outside the destination.
	Servers string
	// Progress, when set, is called as awards are issued (from several
	// goroutines): done of total.
	Progress func(done, total int)
	// Passports are sources of passport declarations besides the files
	// under content/_passports, which are always read (see docs/passports.md).
	Passports []passport.Source
	// StartOver names spaces that make a genuinely new start: a build may
	// create their secret, keys and ledger although they have published
	// (every credential they issued stops verifying). See keysafe.go.
	StartOver []string
	// ExistingKeys treats every space as having published: the build creates
	// no secret, key or ledger at all (for CI, where keys come from a backup).
	ExistingKeys bool
	// LockWait is how long a build waits while another build of the same
	// source writes the same output folder: 0 means DefaultLockWait, a
	// negative value not waiting at all.
	LockWait time.Duration
	// Waiting, when set, is called once when the build starts waiting for
	// another (pid: its process id, 0 when unknown).
	Waiting func(dest string, pid int)
	// ClaimUses, when set, is the claim store the dashboards read their
	// claim figures from (awards claimed, taken for a wallet, shown on a
	// passport; `blason build --db`). Only counts reach the dashboards.
	ClaimUses AwardUses
	// NoLog leaves the transparency log alone: nothing appended, its files
	// kept as published (for measuring its cost; docs/transparency.md).
	NoLog bool
}

// AwardUses reports what students did with each award of a space through
// the claim server (store.Store has it).
type AwardUses interface {
	AwardUses(ctx context.Context, space string) (map[string]store.AwardUse, error)
}

// DefaultLockWait is how long a build waits for another one writing the
// same output folder before it gives up.
const DefaultLockWait = 10 * time.Minute

// Result summarises a build.
type Result struct {
	Spaces, Badges, Awards, Revoked int
	Issued                          int // awards issued (signed) by this build; the others were up to date
	Warnings                        []string
	Phases                          []Phase // how long each stage took

	publish.Stats
}

func (o Options) withDefaults() Options {
	if o.Source == "" {
		o.Source = "."
	}
	if o.Destination == "" {
		o.Destination = "site"
	}
	if !filepath.IsAbs(o.Destination) {
		o.Destination = filepath.Join(o.Source, o.Destination)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	return o
}

// KeysDir is the folder of private material inside a source folder.
func KeysDir(source string) string { return filepath.Join(source, "keys") }

// Load reads and checks the content, creating missing space secrets of
// spaces that never published (see keysafe.go).
func Load(o Options) (*model.Site, error) {
	o = o.withDefaults()
	store := keys.Store{Dir: KeysDir(o.Source), Rand: o.Rand}
	return content.Load(o.Source, content.Options{
		BaseURL: o.BaseURL,
		Config:  o.Config,
		Now:     o.Now,
		Secret:  secretGuard(o, store),
		// Award lists unchanged since a build read them are not read again.
		RosterCache: RosterCachePath(o.Source),
	})
}

// RosterCachePath is the folder of the roster cache: the awards of each
// award list read without a problem, by its bytes (content/rostercache.go).
func RosterCachePath(source string) string {
	return filepath.Join(source, ".blason", "cache", "rosters")
}

// Run builds the site.
func Run(o Options) (Result, error) {
	o = o.withDefaults()
	var res Result
	last := time.Now()
	phase := func(name string) {
		now := time.Now()
		res.Phases = append(res.Phases, Phase{name, now.Sub(last)})
		last = now
	}
	if err := checkFolders(o.Source, o.Destination); err != nil {
		return res, err
	}
	// A folder that is no site gets its one message (what to run) before
	// anything, the lock included, is created under it.
	var noSite diag.List
	if p, _ := config.Find(o.Source, config.WithFile(os.Getenv, o.Config), &noSite); p == "" {
		return res, noSite.Err()
	}
	if err := checkServers(o.Servers, o.Destination); err != nil {
		return res, err
	}
	// One build at a time per output folder: from the secrets and ledgers
	// to the manifest, nothing is read or written while another build may
	// be halfway through it.
	wait := o.LockWait
	if wait == 0 {
		wait = DefaultLockWait
	}
	release, err := publish.Target{Dir: o.Destination, Manifest: manifestPath(o.Source, o.Destination)}.Lock(wait, func(pid int) {
		if o.Waiting != nil {
			o.Waiting(o.Destination, pid)
		}
	})
	if err != nil {
		return res, err
	}
	defer release()
	// Nothing changed since the last build into this folder: nothing to do
	// (unchanged.go). Otherwise the stamp goes: it is written again only
	// when this build succeeds.
	var before snapshot
	var old *stamp
	if stampable(o) {
		old = readStamp(o)
		if ok, refresh := unchanged(o, old); ok {
			if refresh {
				if err := old.write(stampPath(o.Source, o.Destination)); err != nil {
					return res, err
				}
			}
			res = old.result()
			phase("unchanged")
			return res, nil
		}
		// A source folder that cannot be listed whole (a link, a folder
		// this user cannot read) only means no stamp.
		if before, err = snap(o); err != nil {
			before = nil
		}
	}
	if err := os.Remove(stampPath(o.Source, o.Destination)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}
	// The previous build's manifest is read while the content loads.
	type manifest struct {
		m   *publish.Manifest
		err error
	}
	prevCh := make(chan manifest, 1)
	go func() {
		m, err := publish.Target{Manifest: manifestPath(o.Source, o.Destination)}.ReadManifest()
		prevCh <- manifest{m, err}
	}()
	readPrev := sync.OnceValue(func() manifest { return <-prevCh })
	// Keys, secrets and ledgers of spaces that have published are never
	// recreated: checked before anything is written.
	if err := preflight(o, func() *publish.Manifest { return readPrev().m }); err != nil {
		return res, err
	}
	stale := staleLedgers(o)
	site, err := Load(o)
	if err != nil {
		return res, err
	}
	// Passport declarations are checked before any key or ledger is written.
	passports, warnings, err := collectPassports(o, site)
	if err != nil {
		return res, err
	}
	res.Warnings = append(res.Warnings, warnings...)
	if err := abandonLedgers(stale); err != nil {
		return res, err
	}
	rings, err := Keyrings(o, site)
	if err != nil {
		return res, err
	}
	phase("load")
	ledgers, err := Ledgers(o, site)
	if err != nil {
		return res, err
	}
	phase("keys and ledgers")
	if w := baseURLWarning(site.BaseURL); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	if w := serverconf.FromModel(site, layout.Layout{Base: site.BaseURL}).Problem(); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	for _, sp := range site.Spaces {
		res.Spaces++
		res.Badges += len(sp.Badges)
		res.Awards += len(sp.Awards)
		res.Revoked += len(sp.Revocations)
	}

	l := layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
	loader := jsonld.NewLoader()
	is := &issue.Issuer{Layout: l, Suite: dataintegrity.Suite{Loader: loader, Canon: jsonld.NewCanonicalizer(loader)}}
	// Everything but the awards' own files: few, always made afresh.
	docs, err := is.Documents(site, rings, ledgers)
	if err != nil {
		return res, err
	}
	theme, err := openTheme(o.Source, site.Theme)
	if err != nil {
		return res, refusal(err)
	}
	overrides, err := spaceOverrides(o.Source, site)
	if err != nil {
		return res, refusal(err)
	}
	r, err := render.New(l, theme, render.SpaceOverrides(overrides), holdersOption(o)) // microcred.go
	if err != nil {
		return res, refusal(err)
	}
	if err := r.Site(site, docs); err != nil {
		return res, refusal(err)
	}
	docs["sitemap.xml"] = r.SitemapPassports(docs["sitemap.xml"], site, passports)
	phase("documents and pages")
	private, err := dashboards(o, site, r, docs) // dashboards.go
	if err != nil {
		return res, err
	}
	phase("dashboards")
	cards, err := newPreviews(r, docs) // previews.go
	if err != nil {
		return res, err
	}

	// The awards: only those whose action key changed, or whose files are gone.
	groups, err := is.Keys(site, rings, ledgers)
	if err != nil {
		return res, err
	}
	var logp *logPlan
	if logEnabled(o) {
		if logp, err = planLog(o, site, l, rings, groups, readPrev().m); err != nil {
			return res, err
		}
	}
	defer logp.close()
	var logEntry func(*model.Award) (int64, bool)
	if logp != nil {
		logEntry = logp.EntryOf
	}
	pub, err := newPublic(site, l, r, ledgers, passports, groups, o.Destination, logEntry)
	if err != nil {
		return res, err
	}
	awardDirs := is.AwardDirs()
	target := publish.Target{
		Dir: o.Destination, Manifest: manifestPath(o.Source, o.Destination),
		PathsOf: func(id string, g publish.Group) []string {
			if p, ok := previewPaths(id); ok {
				return p
			}
			if p, ok := extraPaths(l, id, g); ok {
				return p
			}
			return is.AwardPaths(g.Space, id, g.Flags)
		},
		DirsOf: func(id string, g publish.Group) []string {
			if d, ok := previewDirs(id); ok {
				return d
			}
			if p, ok := extraPaths(l, id, g); ok {
				return dirsOf(p)
			}
			return awardDirs(id, g)
		},
	}
	read := readPrev()
	prev, err := read.m, read.err
	if err != nil {
		return res, err
	}
	next := publish.NewManifest()
	for p := range docs {
		next.Files[p] = true
	}
	next.Groups = groups
	if logp != nil {
		for _, p := range logp.paths() {
			next.Files[p] = true
		}
	} else if prev != nil {
		// A build without the log keeps it as published: it never vanishes.
		for p := range prev.Files {
			if strings.HasPrefix(p, logFolder) {
				next.Files[p] = true
			}
		}
	}
	for id, g := range pub.groups {
		next.Groups[id] = g
	}
	for id, g := range cards.groups {
		next.Groups[id] = g
	}
	dirty := staleGroups(target, prev, next, o.Force)
	if err := recordPublished(o.Source, rings); err != nil {
		return res, err
	}
	phase("cache")
	sess, err := target.Begin(prev, next, dirty)
	if err != nil {
		return res, err
	}
	paths := make([]string, 0, len(docs))
	for p := range docs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		if err := sess.Put(p, docs[p]); err != nil {
			return res, err
		}
	}
	var done atomic.Int64
	total := 0
	for id := range dirty {
		if !isExtraGroup(id) {
			total++
		}
	}
	res.Issued = total
	if o.Progress != nil {
		o.Progress(0, total)
	}
	var out issue.Output = sess
	if logp != nil {
		out = capture{sess, logp}
	}
	err = is.Awards(site, rings, ledgers, out, func(a *model.Award) bool { return dirty[a.ID] }, func() {
		n := done.Add(1)
		if o.Progress != nil {
			o.Progress(int(n), total)
		}
	})
	if err != nil {
		return res, err
	}
	phase("issue and write")
	if logp != nil {
		if err := logp.finish(o.Destination, sess); err != nil {
			return res, err
		}
		phase("transparency log")
	}
	if err := pub.produce(dirty, sess); err != nil {
		return res, err
	}
	if err := cards.produce(dirty, sess); err != nil {
		return res, err
	}
	phase("pages and previews")
	res.Stats, err = sess.Finish()
	res.Stats.Files += len(cards.groups) // the preview cards are files of the site too
	if err == nil {
		err = writeClaimIndex(o, site, l)
	}
	if err == nil {
		err = writeServers(o, site, l)
	}
	if err == nil {
		err = writePrivateDashboards(private)
	}
	if err == nil && before != nil {
		logp.close() // its scratch file goes before the source folder is listed
		dir := ""
		if private != nil {
			dir = private.dir
		}
		// The stamp only saves the next build its work: one that cannot
		// be made (a file this user cannot read, a full disk) is not an
		// error of a build that published everything.
		_ = stampBuild(o, before, old, dir, next, res)
	}
	phase("finish")
	return res, err
}

// staleGroups returns the awards to issue: new or changed action keys, and
// unchanged ones whose files are missing from the folder (deleted by hand,
// or never written by a killed build). Files are looked for only in
// folders whose modification time changed since the last build.
func staleGroups(t publish.Target, prev, next *publish.Manifest, force bool) map[string]bool {
	ids := make([]string, 0, len(next.Groups))
	for id := range next.Groups {
		ids = append(ids, id)
	}
	// Comparing keys, then checking that files exist (a stat per file, only
	// in folders that changed), on every core.
	workers := runtime.GOMAXPROCS(0)
	found := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker its own memo of folders: no lock shared by a
			// million lookups.
			intact := t.GroupIntact(prev)
			for i := w; i < len(ids); i += workers {
				id := ids[i]
				g := next.Groups[id]
				if force || prev.Groups[id] != g {
					found[w] = append(found[w], id)
					continue
				}
				if intact(id, g) {
					continue
				}
				for _, p := range t.PathsOf(id, g) {
					if _, err := os.Stat(filepath.Join(t.Dir, filepath.FromSlash(p))); err != nil {
						found[w] = append(found[w], id)
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	dirty := map[string]bool{}
	for _, f := range found {
		for _, id := range f {
			dirty[id] = true
		}
	}
	return dirty
}

// Keyrings loads the key ring of every space, creating the keys the
// configuration needs and the space lacks. A space's first key of an
// algorithm is active from the space's earliest award (it also signs any
// award dated before it), so that a later rotation only concerns newer awards.
func Keyrings(o Options, site *model.Site) (issue.Keyrings, error) {
	o = o.withDefaults()
	store := keys.Store{Dir: KeysDir(o.Source), Rand: o.Rand}
	today := time.Date(o.Now.Year(), o.Now.Month(), o.Now.Day(), 0, 0, 0, 0, time.UTC)
	need := []string{keys.EdDSA, site.Credentials.JWTAlg}
	if site.Credentials.OB2Signed {
		need = append(need, keys.RS256)
	}
	rings := issue.Keyrings{}
	for _, sp := range site.Spaces {
		from := today
		for _, a := range sp.Awards {
			if d := time.Date(a.Date.Year(), a.Date.Month(), a.Date.Day(), 0, 0, 0, 0, time.UTC); d.Before(from) {
				from = d
			}
		}
		for _, alg := range need {
			if o.ExistingKeys {
				ring, err := store.Keyring(sp.Slug)
				if err != nil {
					return nil, fmt.Errorf("space %s: %w", sp.Slug, err)
				}
				if ring.Signing(alg, from) == nil {
					return nil, fmt.Errorf("space %s has no %s key, and --existing-keys forbids creating one: restore keys/ from your backup, or create it with blason keys new --space %s --alg %s", sp.Slug, alg, sp.Slug, alg)
				}
				continue
			}
			if _, _, err := store.EnsureKey(sp.Slug, alg, from); err != nil {
				return nil, fmt.Errorf("space %s: %w", sp.Slug, err)
			}
		}
		ring, err := store.Keyring(sp.Slug)
		if err != nil {
			return nil, fmt.Errorf("space %s: %w", sp.Slug, err)
		}
		rings[sp.Slug] = ring
	}
	return rings, nil
}

// LedgerPath is where a space's status ledger is kept: beside its keys,
// private, to be backed up with them.
func LedgerPath(source, space string) string {
	return filepath.Join(KeysDir(source), space, "status.ledger")
}

// Ledgers reads each space's status ledger, gives status positions to new
// awards, enforces that revocations are final, dates the status lists
// (never backwards) and saves the ledger.
func Ledgers(o Options, site *model.Site) (issue.Ledgers, error) {
	o = o.withDefaults()
	out := issue.Ledgers{}
	var diags diag.List
	for _, sp := range site.Spaces {
		path := LedgerPath(o.Source, sp.Slug)
		l, err := statuslist.ReadLedger(path, site.Credentials.StatusListSize)
		if err != nil {
			return nil, err
		}
		if l.Size != site.Credentials.StatusListSize {
			diags.Add(config.FileName, 0, fmt.Sprintf("set credentials.statusListSize: %d back; a full list is followed by a new one automatically", l.Size),
				"space %s publishes status lists of %d entries; positions never move, so the size cannot change", sp.Slug, l.Size)
			continue
		}
		items := make([]statuslist.Item, len(sp.Awards))
		var awarded time.Time
		for i, a := range sp.Awards {
			items[i] = statuslist.Item{ID: a.ID, Date: a.Date}
			if a.Date.After(awarded) {
				awarded = a.Date
			}
		}
		if _, err := l.Place(sp.Secret, items); err != nil {
			return nil, fmt.Errorf("space %s: %w", sp.Slug, err)
		}
		revFile := filepath.ToSlash(filepath.Join("content", sp.Slug, "revocations.csv"))
		for id := range l.Revoked {
			if rv, ok := sp.Revocations[id]; !ok || rv.Suspended {
				diags.Add(revFile, 0, "put its line back (action revoke): a revoked credential stays revoked", "award %s was revoked by an earlier build; revocations are final", id)
			}
		}
		dates := map[string]time.Time{ob3.PurposeRevocation: awarded, ob3.PurposeSuspension: awarded}
		for _, rv := range sp.Revocations {
			purpose := ob3.PurposeRevocation
			if rv.Suspended {
				purpose = ob3.PurposeSuspension
			} else {
				l.Revoke(rv.AwardID)
			}
			if rv.Date.After(dates[purpose]) {
				dates[purpose] = rv.Date
			}
		}
		for purpose, d := range dates {
			l.Date(purpose, d)
		}
		out[sp.Slug] = l
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	for _, sp := range site.Spaces {
		if err := out[sp.Slug].Write(LedgerPath(o.Source, sp.Slug)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openTheme stacks the places templates, static files and strings are
// looked up in, most specific first: the site folder's own layouts/,
// static/ and i18n/, then themes/<name>/, then the embedded default theme.
// Pages are rendered afresh by every build, so a changed override always
// reaches the pages that use it. Like every source file, theme files are
// read under the rules of package safefs: the folders are checked whole
// first (a symbolic link or a special file anywhere in them stops the
// build), and every file is opened without following links.
func openTheme(source, name string) (fs.FS, error) {
	for _, sub := range []string{"layouts", "static", "i18n"} {
		if err := safefs.CheckTree(source, filepath.Join(source, sub)); err != nil {
			return nil, err
		}
	}
	var named fs.FS
	dir := filepath.Join(source, "themes", name)
	fi, err := safefs.Lstat(source, dir)
	switch {
	case safefs.IsRefused(err):
		return nil, err
	case err == nil && fi.IsDir():
		if err := safefs.CheckTree(source, dir); err != nil {
			return nil, err
		}
		named = safefs.Dir(dir, "themes/"+name)
	case name != "default":
		return nil, fmt.Errorf("%s: theme %q not found (create themes/%s or use theme: default)", "blason.yaml", name, name)
	}
	return themes.Layers(safefs.Dir(source, ""), named, themes.Default()), nil
}

// spaceOverrides returns the folders of the spaces that override templates
// or static files (content/<space>/layouts/, content/<space>/static/),
// checked like the theme's (see openTheme).
func spaceOverrides(source string, site *model.Site) (map[string]fs.FS, error) {
	m := map[string]fs.FS{}
	for _, sp := range site.Spaces {
		dir := filepath.Join(source, "content", sp.Slug)
		for _, sub := range []string{"layouts", "static"} {
			fi, err := safefs.Lstat(source, filepath.Join(dir, sub))
			if safefs.IsRefused(err) {
				return nil, err
			}
			if err == nil && fi.IsDir() {
				if err := safefs.CheckTree(source, filepath.Join(dir, sub)); err != nil {
					return nil, err
				}
				m[sp.Slug] = safefs.Dir(dir, "content/"+sp.Slug)
			}
		}
	}
	return m, nil
}

// refusal reports a file refused by the rule for source files (package
// safefs) like any content problem, file first; other errors are kept.
func refusal(err error) error {
	e := safefs.AsError(err)
	if e == nil {
		return err
	}
	var d diag.List
	d.Add(e.Path, 0, e.Hint(), "%s", e.Problem())
	return d.Err()
}

// manifestPath is where the list of files published to dest is kept: under
// the source's .blason/ folder, never in the output (it names every
// credential URL).
func manifestPath(source, dest string) string {
	abs, err := filepath.Abs(dest)
	if err != nil {
		abs = dest
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(source, ".blason", "manifests", hex.EncodeToString(sum[:8])+".json")
}

// checkFolders refuses an output folder that is not plausibly a site's
// (safepath.Destination: the root, system folders, the home or source
// folder or one holding them, a symbolic link), one that overlaps the
// private or source folders — private keys must never be published, and a
// build must never write into its own inputs — and a folder that is not
// empty yet holds no site a build published (see checkPlausible). The
// source's .blason/ folder, where manifests, journals and the lock are
// kept, may hold no symbolic link.
func checkFolders(source, dest string) error {
	if err := safepath.Destination("output folder", dest, source); err != nil {
		return err
	}
	if err := safefs.CheckTree(source, filepath.Join(source, ".blason")); err != nil {
		return refusal(err)
	}
	src, err := safepath.Real(source)
	if err != nil {
		return err
	}
	dst, err := safepath.Real(dest)
	if err != nil {
		return err
	}
	for _, in := range []string{"keys", "content", "themes", "layouts", "static", ".blason"} {
		p, err := safepath.Real(filepath.Join(src, in))
		if err != nil {
			return err
		}
		if safepath.Within(dst, p) || safepath.Within(p, dst) {
			return fmt.Errorf("output folder %s overlaps %s; private keys and sources must never be published", dest, p)
		}
	}
	return checkPlausible(dest, manifestPath(source, dest))
}

// siteMarks are files every build publishes at the top of the site.
var siteMarks = []string{"_headers", "robots.txt", "sitemap.xml"}

// checkPlausible refuses to publish into a folder that holds something
// (dot files aside: .git, .well-known, …) unless an earlier build from
// this source published there (its manifest or journal exists) or it
// looks like a Blason site (_headers, robots.txt and sitemap.xml at its
// top, as when the manifest was lost with a fresh copy of the source).
// A build never removes files it did not publish, but it would spread a
// site's thousands of files through a folder holding other things.
func checkPlausible(dest, manifest string) error {
	es, err := os.ReadDir(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	empty := true
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), ".") {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	for _, m := range []string{manifest, manifest + ".journal"} {
		if _, err := os.Lstat(m); err == nil {
			return nil
		}
	}
	marks := 0
	for _, m := range siteMarks {
		if fi, err := os.Lstat(filepath.Join(dest, m)); err == nil && fi.Mode().IsRegular() {
			marks++
		}
	}
	if marks == len(siteMarks) {
		return nil
	}
	return fmt.Errorf("output folder %s is not empty and holds no site published by a build of this source (no manifest in .blason/manifests/, no %s at its top); empty it or choose another folder", dest, strings.Join(siteMarks, ", "))
}

// baseURLWarning explains why a base URL is fit for previews only: did:web
// identifiers resolve over https, on a host name (not an IP address).
func baseURLWarning(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	host := u.Hostname()
	if u.Scheme == "https" && net.ParseIP(host) == nil && host != "localhost" {
		return ""
	}
	return fmt.Sprintf("base URL %s is fine for a preview, but verifiers resolve the spaces' did:web identifiers over https on a host name: publish with -b https://<host>/", base)
}
