// Package render produces the human side of the site from the model: the
// catalogue pages (home, space, badge class) in every language, theme
// assets, images, sitemap.xml and robots.txt.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/markdown"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
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
}

// New loads the layouts and strings of a theme.
func New(l layout.Layout, theme fs.FS) (*Renderer, error) {
	u, err := url.Parse(l.Base)
	if err != nil {
		return nil, err
	}
	r := &Renderer{layout: l, theme: theme, md: markdown.New(), root: u.Path, pages: map[string]*template.Template{}, strings: map[string]map[string]string{}}
	base, err := fs.ReadFile(theme, "layouts/_base.html")
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	for _, name := range []string{"home", "space", "badge", "passport", "award"} {
		src, err := fs.ReadFile(theme, "layouts/"+name+".html")
		if err != nil && (name == "passport" || name == "award") {
			continue // needed only by sites with passports (see exec)
		}
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		t := template.New(name).Funcs(template.FuncMap{"t": func(string) string { return "" }})
		if _, err := t.Parse(string(base)); err != nil {
			return nil, fmt.Errorf("theme layouts/_base.html: %w", err)
		}
		if _, err := t.Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme layouts/%s.html: %w", name, err)
		}
		r.pages[name] = t
	}
	files, _ := fs.Glob(theme, "i18n/*.yaml")
	for _, f := range files {
		b, err := fs.ReadFile(theme, f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("theme %s: %w", f, err)
		}
		r.strings[strings.TrimSuffix(path.Base(f), ".yaml")] = m
	}
	return r, nil
}

// Site renders every page and asset of site into out.
func (r *Renderer) Site(site *model.Site, out publish.Files) error {
	for _, lang := range site.Languages {
		if _, ok := r.strings[lang]; !ok {
			return fmt.Errorf("theme has no strings for language %q (i18n/%s.yaml)", lang, lang)
		}
		v := r.view(site, lang)
		if err := r.page(out, "home", r.layout.Home(lang), v.home()); err != nil {
			return err
		}
		for _, sp := range site.Spaces {
			d, err := v.space(sp)
			if err != nil {
				return err
			}
			if err := r.page(out, "space", r.layout.SpacePage(sp, lang), d); err != nil {
				return err
			}
			for _, b := range sp.Badges {
				d, err := v.badge(b)
				if err != nil {
					return err
				}
				if err := r.page(out, "badge", r.layout.BadgePage(b, lang), d); err != nil {
					return err
				}
			}
		}
	}
	if err := r.assets(site, out); err != nil {
		return err
	}
	out["sitemap.xml"] = r.sitemap(site)
	out["robots.txt"] = r.robots(site)
	out["_headers"] = r.headers(site)
	return nil
}

// headers writes response headers in the _headers format read by common
// static hosts (Netlify, Cloudflare Pages; other servers: see docs): JSON
// documents may be fetched by browser-based verifiers from any origin, and
// credentials are never indexed.
func (r *Renderer) headers(site *model.Site) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s*.json\n  Access-Control-Allow-Origin: *\n", r.root)
	for _, sp := range site.Spaces {
		for _, dir := range []string{r.layout.AssertionDir(sp), r.layout.CredentialDir(sp)} {
			fmt.Fprintf(&b, "%s%s*\n  X-Robots-Tag: noindex, nofollow\n  Access-Control-Allow-Origin: *\n", r.root, dir)
		}
		// Compact JWS files are served as text, as Open Badges 3.0 recommends.
		fmt.Fprintf(&b, "%s%s*.jwt\n  Content-Type: text/plain; charset=utf-8\n", r.root, r.layout.CredentialDir(sp))
		fmt.Fprintf(&b, "%s%s*.jws\n  Content-Type: text/plain; charset=utf-8\n", r.root, r.layout.AssertionDir(sp))
	}
	return b.Bytes()
}

func (r *Renderer) page(out publish.Files, name, dir string, d *pageData) error {
	t, err := r.pages[name].Clone()
	if err != nil {
		return err
	}
	strs := r.strings[d.Lang]
	t.Funcs(template.FuncMap{"t": func(k string) string {
		if s, ok := strs[k]; ok {
			return s
		}
		return r.strings["fr"][k]
	}})
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "base", d); err != nil {
		return fmt.Errorf("rendering %s: %w", dir, err)
	}
	out[dir+"index.html"] = b.Bytes()
	return nil
}

func (r *Renderer) assets(site *model.Site, out publish.Files) error {
	err := fs.WalkDir(r.theme, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("theme file %s is a symbolic link; copy the file instead (a link could publish files from outside the theme)", p)
		}
		b, err := fs.ReadFile(r.theme, p)
		if err != nil {
			return err
		}
		out[r.layout.Asset(strings.TrimPrefix(p, "static/"))] = b
		return nil
	})
	if err != nil {
		return fmt.Errorf("theme static files: %w", err)
	}
	for _, sp := range site.Spaces {
		if sp.Logo != nil {
			if err := copyFile(out, r.layout.Logo(sp), sp.Logo.Source); err != nil {
				return err
			}
		}
		for _, b := range sp.Badges {
			if err := copyFile(out, r.layout.BadgeImage(b), b.Image.Source); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(out publish.Files, dst, src string) error {
	b, err := os.ReadFile(src)
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
