// Package build runs the whole pipeline of `blason build`: load and check
// the content, issue the credentials, render the pages, and publish them to
// the output folder. Nothing is written to the output folder unless every
// stage before publication succeeded.
package build

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/issue"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/render"
	"github.com/francebadge/blason/themes"
)

// Options parameterise a build.
type Options struct {
	Source      string    // site folder holding blason.yaml, content/, keys/
	Destination string    // output folder; relative paths are taken from Source
	BaseURL     string    // overrides the configuration when not empty
	Now         time.Time // reference time for validation only; zero means time.Now()
	Rand        io.Reader // entropy for new space secrets; nil means crypto/rand
}

// Result summarises a build.
type Result struct {
	Spaces, Badges, Awards, Revoked int
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

// Load reads and checks the content, creating missing space secrets.
func Load(o Options) (*model.Site, error) {
	o = o.withDefaults()
	store := keys.Store{Dir: KeysDir(o.Source), Rand: o.Rand}
	return content.Load(o.Source, content.Options{
		BaseURL: o.BaseURL,
		Now:     o.Now,
		Secret: func(space string) ([]byte, error) {
			s, _, err := store.EnsureSecret(space)
			return s, err
		},
	})
}

// Run builds the site.
func Run(o Options) (Result, error) {
	o = o.withDefaults()
	var res Result
	if err := checkFolders(o.Source, o.Destination); err != nil {
		return res, err
	}
	site, err := Load(o)
	if err != nil {
		return res, err
	}
	rings, err := Keyrings(o, site)
	if err != nil {
		return res, err
	}
	files, err := Generate(site, rings, o.Source)
	if err != nil {
		return res, err
	}
	for _, sp := range site.Spaces {
		res.Spaces++
		res.Badges += len(sp.Badges)
		res.Awards += len(sp.Awards)
		res.Revoked += len(sp.Revocations)
	}
	res.Stats, err = publish.Target{Dir: o.Destination, Manifest: manifestPath(o.Source, o.Destination)}.Publish(files)
	return res, err
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

// Generate produces every file of the site in memory.
func Generate(site *model.Site, rings issue.Keyrings, source string) (publish.Files, error) {
	l := layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
	theme, err := openTheme(source, site.Theme)
	if err != nil {
		return nil, err
	}
	r, err := render.New(l, theme)
	if err != nil {
		return nil, err
	}
	files := publish.Files{}
	loader := jsonld.NewLoader()
	is := &issue.Issuer{Layout: l, Suite: dataintegrity.Suite{Loader: loader, Canon: jsonld.NewCanonicalizer(loader)}}
	if err := is.Site(site, rings, files); err != nil {
		return nil, err
	}
	if err := r.Site(site, files); err != nil {
		return nil, err
	}
	return files, nil
}

// openTheme prefers the site's themes/<name> folder, then the embedded default.
func openTheme(source, name string) (fs.FS, error) {
	dir := filepath.Join(source, "themes", name)
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return os.DirFS(dir), nil
	}
	if name == "default" {
		return themes.Default(), nil
	}
	return nil, fmt.Errorf("%s: theme %q not found (create themes/%s or use theme: default)", "blason.yaml", name, name)
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

// checkFolders refuses an output folder that overlaps the private or source
// folders: private keys must never be published, and a build must never
// write into its own inputs.
func checkFolders(source, dest string) error {
	src, err := filepath.Abs(source)
	if err != nil {
		return err
	}
	dst, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	within := func(a, b string) bool { // a is b or inside b
		return a == b || strings.HasPrefix(a, b+string(filepath.Separator))
	}
	if within(src, dst) {
		return fmt.Errorf("output folder %s contains the source folder; choose a separate folder such as %s", dest, filepath.Join(source, "site"))
	}
	for _, in := range []string{"keys", "content", "themes", ".blason"} {
		p := filepath.Join(src, in)
		if within(dst, p) || within(p, dst) {
			return fmt.Errorf("output folder %s overlaps %s; private keys and sources must never be published", dest, p)
		}
	}
	return nil
}
