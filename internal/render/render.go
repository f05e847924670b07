// Package render produces the human side of the site from the model: the
// catalogue pages (home, space, badge class) in every language, the home
// page's search index, each badge class's oEmbed document, theme assets,
// images, sitemap.xml and robots.txt. Templates and static files are looked
// up in layers (a space's overrides, the site's, the theme's, the embedded
// default: see docs/themes.md).
package render

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/markdown"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/serverconf"
	"github.com/francebadge/blason/themes"
	"go.yaml.in/yaml/v3"
)

var langLabels = map[string]string{"fr": "Français", "en": "English"}

// Renderer renders pages with one theme.
type Renderer struct {
	layout  layout.Layout
	theme   fs.FS
	md      *markdown.Renderer
	root    string                        // URL path of the site root, ends with "/"
	pages   map[string]*template.Template // by layout name, before language binding
	strings map[string]map[string]string  // lang → key → text

	// Per-space overrides: a space folder's layouts/ and static/ win over
	// the site's for that space's pages.
	spaceFS     map[string]fs.FS
	spacePages  map[string]map[string]*template.Template // space → layout name → template
	spaceAssets map[string]map[string]bool               // space → static file names it overrides

	levelImages sync.Map // *model.Badge → bool: its SVG image has level marks (see levelSVG)
	cards       cards    // social preview cards of the pages rendered (social.go)
	// Number of holders on badge pages (eufacts.go).
	holdersK    int
	holders     map[*model.Badge]int
	holdersDone map[*model.Space]bool
}

// Option adjusts a Renderer.
type Option func(*Renderer)

// SpaceOverrides gives, per space slug, the folder holding that space's
// own layouts/ and static/ overrides (content/<space>/). A template found
// there replaces the site's for that space's pages only; a static file is
// published under <space>/assets/ and used by that space's pages.
func SpaceOverrides(m map[string]fs.FS) Option {
	return func(r *Renderer) { r.spaceFS = m }
}

// templateFuncs are the functions layouts may call; page binds them to the
// page's language and space.
var templateFuncs = template.FuncMap{
	"t":     func(string) string { return "" },
	"tn":    func(string, int) string { return "" },
	"asset": func(string) string { return "" },
}

// New loads the layouts and strings of a theme. theme is usually a stack of
// layers (see themes.Layers): the site's own layouts/, static/ and i18n/,
// then the named theme, then the embedded default.
func New(l layout.Layout, theme fs.FS, opts ...Option) (*Renderer, error) {
	u, err := url.Parse(l.Base)
	if err != nil {
		return nil, err
	}
	r := &Renderer{layout: l, theme: theme, md: markdown.New(), root: u.Path, strings: map[string]map[string]string{},
		spacePages: map[string]map[string]*template.Template{}, spaceAssets: map[string]map[string]bool{}}
	for _, o := range opts {
		o(r)
	}
	if r.pages, err = parseLayouts(theme, "theme "); err != nil {
		return nil, err
	}
	slugs := make([]string, 0, len(r.spaceFS))
	for slug := range r.spaceFS {
		slugs = append(slugs, slug)
	}
	sort.Strings(slugs)
	for _, slug := range slugs {
		sfs := r.spaceFS[slug]
		if own, _ := fs.Glob(sfs, "layouts/*.html"); len(own) > 0 {
			pages, err := parseLayouts(themes.Layers(sfs, theme), "content/"+slug+"/")
			if err != nil {
				return nil, err
			}
			r.spacePages[slug] = pages
		}
		fs.WalkDir(sfs, "static", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if r.spaceAssets[slug] == nil {
					r.spaceAssets[slug] = map[string]bool{}
				}
				r.spaceAssets[slug][strings.TrimPrefix(p, "static/")] = true
			}
			return nil
		})
	}
	// Strings: every layer's i18n/<lang>.yaml, the upper layers' keys
	// winning, so that a site can change one string without copying the file.
	files, _ := fs.Glob(theme, "i18n/*.yaml")
	for _, f := range files {
		lang := strings.TrimSuffix(path.Base(f), ".yaml")
		m := map[string]string{}
		for _, layer := range themes.Each(theme) {
			b, err := fs.ReadFile(layer, f)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("theme %s: %w", f, err)
			}
			lm := map[string]string{}
			if err := yaml.Unmarshal(b, &lm); err != nil {
				return nil, fmt.Errorf("theme %s: %w", f, err)
			}
			for k, v := range lm {
				if _, ok := m[k]; !ok {
					m[k] = v
				}
			}
		}
		r.strings[lang] = m
	}
	return r, nil
}

// parseLayouts parses every page layout of fsys (layouts/*.html whose name
// does not start with "_") with layouts/_base.html first, then the page,
// then every partial (layouts/_*.html): a partial's define replaces a
// block of the same name in the page.
func parseLayouts(fsys fs.FS, where string) (map[string]*template.Template, error) {
	base, err := fs.ReadFile(fsys, "layouts/_base.html")
	if err != nil {
		return nil, fmt.Errorf("%s%w", where, err)
	}
	names, err := fs.Glob(fsys, "layouts/*.html")
	if err != nil {
		return nil, err
	}
	var partials, pages []string
	for _, n := range names {
		switch b := path.Base(n); {
		case b == "_base.html":
		case strings.HasPrefix(b, "_"):
			partials = append(partials, n)
		default:
			pages = append(pages, n)
		}
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t := template.New(name).Funcs(templateFuncs)
		if _, err := t.Parse(string(base)); err != nil {
			return nil, fmt.Errorf("%slayouts/_base.html: %w", where, err)
		}
		for _, f := range append([]string{p}, partials...) {
			src, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("%s%w", where, err)
			}
			if _, err := t.Parse(string(src)); err != nil {
				return nil, fmt.Errorf("%s%s: %w", where, f, err)
			}
		}
		out[name] = t
	}
	return out, nil
}

// Site renders every page and asset of site into out.
func (r *Renderer) Site(site *model.Site, out publish.Files) error {
	for _, lang := range site.Languages {
		if _, ok := r.strings[lang]; !ok {
			return fmt.Errorf("theme has no strings for language %q (i18n/%s.yaml)", lang, lang)
		}
		v := r.view(site, lang)
		home := v.home()
		v.homeSocial(home)
		if err := r.page(out, "home", r.layout.Home(lang), home); err != nil {
			return err
		}
		idx, err := v.searchIndex()
		if err != nil {
			return err
		}
		out[r.layout.Home(lang)+SearchIndex] = idx
		for _, sp := range site.Spaces {
			d, err := v.space(sp)
			if err != nil {
				return err
			}
			v.spaceSocial(d, sp)
			if err := r.page(out, "space", r.layout.SpacePage(sp, lang), d); err != nil {
				return err
			}
			for _, b := range sp.Badges {
				d, err := v.badge(b)
				if err != nil {
					return err
				}
				v.badgeSocial(d, b)
				if err := r.page(out, "badge", r.layout.BadgePage(b, lang), d); err != nil {
					return err
				}
				oe, err := v.oembed(b)
				if err != nil {
					return err
				}
				out[r.layout.BadgePage(b, lang)+OEmbedFile] = oe
			}
		}
		if err := r.frameworkPages(v, out); err != nil {
			return err
		}
		if err := r.verifyPages(v, out); err != nil {
			return err
		}
	}
	if err := r.assets(site, out); err != nil {
		return err
	}
	if err := r.frameworkAssets(site, out); err != nil {
		return err
	}
	out["sitemap.xml"] = r.sitemap(site)
	out["robots.txt"] = r.robots(site)
	r.hostRules(site, out)
	return nil
}

// hostRules gives the rules of static hosts (Netlify, Cloudflare Pages;
// other servers: see docs/deploy.md and internal/serverconf): _headers —
// JSON documents may be fetched by browser-based verifiers from any origin,
// credentials are never indexed — and _redirects, the 410 Gone status of
// the tombstones of revoked or suspended awards.
func (r *Renderer) hostRules(site *model.Site, out publish.Files) {
	s := serverconf.FromModel(site, r.layout)
	out["_headers"] = s.Headers()
	out["_redirects"] = s.Redirects()
}

func (r *Renderer) page(out publish.Files, name, dir string, d *pageData) error {
	src := r.pages[name]
	if sp, ok := r.spacePages[d.SpaceSlug]; ok {
		src = sp[name]
	}
	if src == nil {
		return fmt.Errorf("theme has no layouts/%s.html", name)
	}
	t, err := src.Clone()
	if err != nil {
		return err
	}
	t.Funcs(r.stringFuncs(d.Lang))
	t.Funcs(template.FuncMap{
		"asset": func(name string) string { return r.root + r.assetPath(d.SpaceSlug, name) },
	})
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "base", d); err != nil {
		return fmt.Errorf("rendering %s: %w", dir, err)
	}
	out[dir+"index.html"] = b.Bytes()
	return nil
}

// assetPath is the output path of a theme's static file as seen from a
// space's pages: the space's own copy when it overrides it.
func (r *Renderer) assetPath(space, name string) string {
	if r.spaceAssets[space][name] {
		return space + "/" + r.layout.Asset(name)
	}
	return r.layout.Asset(name)
}

// staticFiles publishes every file under static/ of fsys at prefix+assets/.
func (r *Renderer) staticFiles(fsys fs.FS, prefix string, out publish.Files) error {
	return fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if errors.Is(err, fs.ErrNotExist) && p == "static" {
				return nil
			}
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("theme file %s is a symbolic link; copy the file instead (a link could publish files from outside the theme)", p)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[prefix+r.layout.Asset(strings.TrimPrefix(p, "static/"))] = b
		return nil
	})
}

func (r *Renderer) assets(site *model.Site, out publish.Files) error {
	if err := r.staticFiles(r.theme, "", out); err != nil {
		return fmt.Errorf("theme static files: %w", err)
	}
	// The JSON-LD contexts, for the in-browser verifier (reverify.js).
	ctxs, err := jsonld.Published()
	if err != nil {
		return err
	}
	for name, b := range ctxs {
		out[r.layout.Asset("contexts/"+name)] = b
	}
	for _, sp := range site.Spaces {
		if sfs := r.spaceFS[sp.Slug]; sfs != nil {
			if err := r.staticFiles(sfs, sp.Slug+"/", out); err != nil {
				return fmt.Errorf("content/%s static files: %w", sp.Slug, err)
			}
		}
		if sp.Logo != nil {
			if err := copyFile(out, r.layout.Logo(sp), sp.Logo); err != nil {
				return err
			}
		}
		for _, b := range sp.Badges {
			if err := copyFile(out, r.layout.BadgeImage(b), b.Image); err != nil {
				return err
			}
			if err := r.levelImageFiles(b, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(out publish.Files, dst string, src *model.Asset) error {
	b, err := src.Read()
	if err != nil {
		return err
	}
	out[dst] = b
	return nil
}

// sitemap lists every HTML page, never a credential.
func (r *Renderer) sitemap(site *model.Site) []byte {
	var locs []string
	for _, lang := range site.Languages {
		locs = append(locs, r.layout.Home(lang))
		for _, sp := range site.Spaces {
			locs = append(locs, r.layout.SpacePage(sp, lang))
			for _, b := range sp.Badges {
				locs = append(locs, r.layout.BadgePage(b, lang))
			}
		}
		locs = append(locs, r.frameworkLocs(site, lang)...)
		locs = append(locs, r.layout.Home(lang)+VerifyDir)
	}
	sort.Strings(locs)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, l := range locs {
		b.WriteString("  <url><loc>")
		template.HTMLEscape(&b, []byte(r.layout.URL(l)))
		b.WriteString("</loc></url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// robots disallows every folder holding credentials.
func (r *Renderer) robots(site *model.Site) []byte {
	var b bytes.Buffer
	b.WriteString("User-agent: *\n")
	for _, sp := range site.Spaces {
		fmt.Fprintf(&b, "Disallow: %s%s\n", r.root, r.layout.AssertionDir(sp))
		fmt.Fprintf(&b, "Disallow: %s%s\n", r.root, r.layout.CredentialDir(sp))
	}
	fmt.Fprintf(&b, "\nSitemap: %s\n", r.layout.URL("sitemap.xml"))
	return b.Bytes()
}
