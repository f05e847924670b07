// Package serverconf writes how the site must be served: the response
// headers every file needs (content types, CORS, no indexing of
// credentials, no MIME sniffing) and the 410 Gone status of the hosted
// Open Badges 2.0 assertions of revoked or suspended awards, which keep
// their tombstone as the body. It gives the same rules in the formats of
// static hosts (_headers, _redirects: Netlify, Cloudflare Pages) and as
// configuration snippets for nginx, Apache and Caddy (docs/deploy.md).
// Site.For gives the same rules for one file, as blason deploy stores them
// on objects (Content-Type, Cache-Control) — one definition for both.
//
// Everything is derived from the site's spaces and revocations only, paths
// sorted, so that the same inputs give the same bytes.
package serverconf

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// Header values shared by every format.
const (
	TextType = "text/plain; charset=utf-8" // compact JWS (.jws) and VC-JWT (.jwt) files
	VCType   = "application/vc+ld+json"    // Open Badges 3.0 credentials with an embedded proof
	JSONType = "application/json"          // every other JSON document, tombstones included
	NoIndex  = "noindex, nofollow"         // X-Robots-Tag of assertion and credential folders
	// FilesCSP is the Content-Security-Policy of the files that are not
	// pages — JSON documents, compact JWS and SVG images — opened directly
	// in a browser: no script, no plugin, no fetch, no form, sandboxed;
	// only an SVG's own inline styles and embedded images.
	FilesCSP   = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
	hostsFiles = "_headers _redirects" // files for static hosts, never served as content
)

// Site is what the rules depend on.
type Site struct {
	Root   string   // URL path of the site root, starting and ending with "/"
	Spaces []string // space slugs, sorted
	Gone   []string // output paths of the tombstones (revoked or suspended awards), sorted
}

// FromModel collects the rules' inputs from a validated site.
func FromModel(site *model.Site, l layout.Layout) Site {
	s := Site{Root: "/"}
	if u, err := url.Parse(l.Base); err == nil && u.Path != "" {
		s.Root = u.Path
	}
	if !strings.HasSuffix(s.Root, "/") {
		s.Root += "/"
	}
	for _, sp := range site.Spaces {
		s.Spaces = append(s.Spaces, sp.Slug)
		for _, a := range sp.Awards {
			if _, ok := sp.Revocations[a.ID]; ok {
				s.Gone = append(s.Gone, l.Assertion(a))
			}
		}
	}
	slices.Sort(s.Spaces)
	slices.Sort(s.Gone)
	s.Gone = slices.Compact(s.Gone)
	return s
}

// safeRoot matches the URL paths the generated files may hold unquoted:
// slugs, award ids and the base URL's path are made of these characters.
var safeRoot = regexp.MustCompile(`^/([A-Za-z0-9._~-]+/)*$`)

// Problem says why the rules cannot be written for this site, or "": a
// base URL path with characters (spaces, quotes, braces, percent-escapes)
// that the servers' syntaxes would need quoted or escaped each its own way.
// The files are then written without rules, so that no server applies
// half-understood ones.
func (s Site) Problem() string {
	if safeRoot.MatchString(s.Root) {
		return ""
	}
	return fmt.Sprintf("the base URL path %q holds characters other than letters, digits, '-', '.', '_', '~' and '/': _headers, _redirects and the server snippets in .blason/servers/ are written without rules; serve the site from a plainer path or write the rules by hand (docs/deploy.md)", s.Root)
}

// inert is what every file holds when Problem is not empty.
func (s Site) inert() []byte {
	return []byte("# No rules: " + strings.ReplaceAll(s.Problem(), "\n", " ") + "\n")
}

func (s Site) assertionDir(slug string) string {
	return layout.Layout{}.AssertionDir(&model.Space{Slug: slug})
}

func (s Site) credentialDir(slug string) string {
	return layout.Layout{}.CredentialDir(&model.Space{Slug: slug})
}

// Cache-Control values, by how soon a file may change at its URL.
const (
	// ImmutableCache: a key's own documents (<space>/keys/<kid>.json and
	// .ob2.json). A kid names one public key for ever: builds never
	// recreate a published key (internal/build's key safety), and a
	// retired key keeps its document; only the JWK sets and DID documents
	// listing the current keys change, and they are short-lived.
	ImmutableCache = "public, max-age=31536000, immutable"
	// LongCache: the files of an award (Open Badges 3.0 credentials,
	// VC-JWTs, baked images), rewritten only when reissued; their
	// revocation is told by status lists, not by them.
	LongCache = "public, max-age=86400"
	// ShortCache: everything else — pages, status and revocation lists,
	// did.json, JWK sets, issuer profiles, badge classes and the hosted Open
	// Badges 2.0 assertions, which become tombstones when revoked.
	ShortCache = "public, max-age=300"
	// NoCache: tombstones, whose 410 status must reach verifiers at once.
	NoCache = "no-cache"
)

// Header is what one file of the site is served with: the one definition
// that _headers, the deployment to object storage (internal/deploy) and
// the documentation's table follow.
type Header struct {
	ContentType  string
	CacheControl string
	CORS         bool   // Access-Control-Allow-Origin: *
	Robots       string // X-Robots-Tag, or ""
	CSP          string // Content-Security-Policy, or ""
	NoSniff      bool   // X-Content-Type-Options: nosniff
}

// rule gives headers to the paths matching pattern (relative to the site
// root, with at most one "*" matching any run of characters, "/" too, as
// in _headers).
type rule struct {
	pattern string
	set     []string // header name, value, name, value…
}

func (r rule) match(p string) bool {
	before, after, star := strings.Cut(r.pattern, "*")
	if !star {
		return p == r.pattern
	}
	return len(p) >= len(before)+len(after) && strings.HasPrefix(p, before) && strings.HasSuffix(p, after)
}

// rules are the header rules of the site, in the order of _headers. Every
// header is given by one rule only for any path (TestOneRulePerHeader):
// Cloudflare Pages joins the values of a header set by several matching
// rules with a comma, which would make "Access-Control-Allow-Origin: *, *"
// (refused by browsers).
func (s Site) rules() []rule {
	cors := []string{"Access-Control-Allow-Origin", "*", "Content-Security-Policy", FilesCSP}
	r := []rule{
		{"*", []string{"X-Content-Type-Options", "nosniff"}},
		{"*.json", cors},
		{"*.svg", []string{"Content-Security-Policy", FilesCSP}},
	}
	for _, sp := range s.Spaces {
		a, c := s.assertionDir(sp), s.credentialDir(sp)
		r = append(r,
			rule{a + "*", []string{"X-Robots-Tag", NoIndex}},
			rule{c + "*", []string{"X-Robots-Tag", NoIndex, "Cache-Control", LongCache}},
			// Compact JWS files are served as text, as Open Badges 3.0 recommends.
			rule{a + "*.jws", append([]string{"Content-Type", TextType}, cors...)},
			rule{c + "*.jwt", append([]string{"Content-Type", TextType}, cors...)},
			rule{c + "*.json", []string{"Content-Type", VCType}},
			rule{s.keyDir(sp) + "*", []string{"Cache-Control", ImmutableCache}},
		)
	}
	return r
}

func (s Site) keyDir(slug string) string { return slug + "/keys/" }

// types are the content types by file extension, for the files no rule
// types (a static host or web server knows these by itself; an object
// store needs them given).
var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".json": JSONType,
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".webp": "image/webp",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".xml":  "application/xml",
	".txt":  TextType,
	".jws":  TextType,
	".jwt":  TextType,
	".ico":  "image/x-icon",
	".pdf":  "application/pdf",
	".csv":  "text/csv; charset=utf-8",
}

// For returns the headers of the file at p, a slash path relative to the
// site root: the rules of _headers, plus the content type by extension and
// the Cache-Control a static host would otherwise pick by itself, and the
// tombstones' own (their 410 status needs a server rule: Redirects).
func (s Site) For(p string) Header { return s.apply(s.rules(), p) }

// Lookup is For with the rules made once, for the many files of a site.
func (s Site) Lookup() func(p string) Header {
	rules := s.rules()
	return func(p string) Header { return s.apply(rules, p) }
}

func (s Site) apply(rules []rule, p string) Header {
	h := Header{ContentType: "application/octet-stream", CacheControl: ShortCache}
	if t, ok := types[strings.ToLower(path.Ext(p))]; ok {
		h.ContentType = t
	}
	for _, r := range rules {
		if !r.match(p) {
			continue
		}
		for i := 0; i < len(r.set); i += 2 {
			switch v := r.set[i+1]; r.set[i] {
			case "Content-Type":
				h.ContentType = v
			case "Cache-Control":
				h.CacheControl = v
			case "Access-Control-Allow-Origin":
				h.CORS = true
			case "X-Robots-Tag":
				h.Robots = v
			case "Content-Security-Policy":
				h.CSP = v
			case "X-Content-Type-Options":
				h.NoSniff = true
			}
		}
	}
	if _, gone := slices.BinarySearch(s.Gone, p); gone {
		h.ContentType, h.CacheControl = JSONType, NoCache
	}
	return h
}

// Headers is the _headers file of Netlify and Cloudflare Pages: the rules
// (see rules), under the site's root.
func (s Site) Headers() []byte {
	if s.Problem() != "" {
		return s.inert()
	}
	var b bytes.Buffer
	b.WriteString("# Response headers (Netlify, Cloudflare Pages). Generated by blason build; see docs/deploy.md.\n")
	for _, r := range s.rules() {
		fmt.Fprintf(&b, "%s%s\n", s.Root, r.pattern)
		for i := 0; i < len(r.set); i += 2 {
			fmt.Fprintf(&b, "  %s: %s\n", r.set[i], r.set[i+1])
		}
	}
	return b.Bytes()
}

// HostFiles are the files for static hosts in the site's root, never
// served as content.
func HostFiles() []string { return strings.Fields(hostsFiles) }

// FromBuilt collects the rules' inputs from a built site in dir, to be
// served at the URL path root ("/" or "/badges/"): the spaces are the
// folders of the root holding an issuer profile, the tombstones those
// _redirects lists (none when it lists none or is missing).
func FromBuilt(dir, root string) (Site, error) {
	s := Site{Root: root}
	if !strings.HasSuffix(s.Root, "/") {
		s.Root += "/"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return s, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "issuer.json")); err == nil {
			s.Spaces = append(s.Spaces, e.Name())
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "_redirects"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "410!" && strings.HasPrefix(f[0], s.Root) {
			s.Gone = append(s.Gone, strings.TrimPrefix(f[0], s.Root))
		}
	}
	slices.Sort(s.Spaces)
	slices.Sort(s.Gone)
	return s, nil
}

// Redirects is the _redirects file of Netlify: each tombstone is served
// at its own URL with status 410, forced ("!") since the file exists.
// Cloudflare Pages reads the same file but only knows redirects (3xx) and
// rewrites (200): it ignores these lines, and serves tombstones with 200.
func (s Site) Redirects() []byte {
	if s.Problem() != "" {
		return s.inert()
	}
	var b bytes.Buffer
	b.WriteString("# Hosted Open Badges 2.0 assertions of revoked or suspended awards: their tombstone, with status 410 Gone.\n")
	b.WriteString("# Netlify applies these rules; Cloudflare Pages ignores them (no 410 there). Generated by blason build; see docs/deploy.md.\n")
	for _, p := range s.Gone {
		fmt.Fprintf(&b, "%s%s %s%s 410!\n", s.Root, p, s.Root, p)
	}
	return b.Bytes()
}

// Files returns the server configuration snippets by path: a main snippet
// per server, and the list of tombstones it includes, rewritten whenever
// revocations change.
func (s Site) Files() map[string][]byte {
	if s.Problem() != "" {
		out := map[string][]byte{}
		for _, n := range []string{"nginx/blason.conf", "nginx/gone.conf", "apache/blason.conf", "apache/gone.conf", "caddy/blason.caddy", "caddy/gone.caddy"} {
			out[n] = s.inert()
		}
		return out
	}
	return map[string][]byte{
		"nginx/blason.conf":  s.nginx(),
		"nginx/gone.conf":    s.nginxGone(),
		"apache/blason.conf": s.apache(),
		"apache/gone.conf":   s.apacheGone(),
		"caddy/blason.caddy": s.caddy(),
		"caddy/gone.caddy":   s.caddyGone(),
	}
}

// slugs is a regular expression alternative of the spaces' slugs.
func (s Site) slugs() string {
	q := make([]string, len(s.Spaces))
	for i, sp := range s.Spaces {
		q[i] = regexp.QuoteMeta(sp)
	}
	return "(" + strings.Join(q, "|") + ")"
}

const generated = "# Generated by `blason build` for the site served at %s; rewritten by every build, do not edit.\n"

func (s Site) nginx() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, generated, s.Root)
	b.WriteString(`# Include it in the server block serving the site (see docs/deploy.md), with the folder of
# this file copied to blason/ in nginx's configuration folder (/etc/nginx/blason/):
#     root /srv/www/badges;   # the built site (its parent folder when the site is not at /)
#     include blason/blason.conf;
# It defines the site's locations; reload nginx after copying a new blason/gone.conf.

`)
	hdr := func(indent string, robots, cors, svg bool) {
		fmt.Fprintf(&b, "%sadd_header X-Content-Type-Options \"nosniff\" always;\n", indent)
		if robots {
			fmt.Fprintf(&b, "%sadd_header X-Robots-Tag \"%s\" always;\n", indent, NoIndex)
		}
		if cors {
			fmt.Fprintf(&b, "%sadd_header Access-Control-Allow-Origin \"*\" always;\n", indent)
		}
		if cors || svg {
			fmt.Fprintf(&b, "%sadd_header Content-Security-Policy \"%s\" always;\n", indent, FilesCSP)
		}
	}
	svgBlock := func(indent string, robots bool) {
		fmt.Fprintf(&b, "%slocation ~ \\.svg$ {\n", indent)
		hdr(indent+"    ", robots, false, true)
		fmt.Fprintf(&b, "%s}\n", indent)
	}
	typ := func(indent, t string) {
		ct, charset, _ := strings.Cut(t, "; charset=")
		fmt.Fprintf(&b, "%stypes { }\n%sdefault_type %s;\n", indent, indent, ct)
		if charset != "" {
			fmt.Fprintf(&b, "%scharset %s;\n%scharset_types %s;\n", indent, charset, indent, ct)
		}
	}
	b.WriteString("# Instructions for static hosts, not content.\n")
	for _, f := range strings.Fields(hostsFiles) {
		fmt.Fprintf(&b, "location = %s%s {\n    return 404;\n}\n", s.Root, f)
	}
	fmt.Fprintf(&b, "\nlocation %s {\n", s.Root)
	hdr("    ", false, false, false)
	b.WriteString("    location ~ \\.json$ {\n")
	hdr("        ", false, true, false)
	b.WriteString("    }\n")
	svgBlock("    ", false)
	b.WriteString("}\n")
	for _, sp := range s.Spaces {
		fmt.Fprintf(&b, "\n# Space %s: hosted and signed Open Badges 2.0 assertions.\nlocation ^~ %s%s {\n", sp, s.Root, s.assertionDir(sp))
		hdr("    ", true, false, false)
		b.WriteString("    location ~ \\.json$ {\n")
		hdr("        ", true, true, false)
		b.WriteString("    }\n    location ~ \\.jws$ {\n")
		typ("        ", TextType)
		hdr("        ", true, true, false)
		b.WriteString("    }\n")
		svgBlock("    ", true)
		b.WriteString("}\n")
		fmt.Fprintf(&b, "# Space %s: Open Badges 3.0 credentials.\nlocation ^~ %s%s {\n", sp, s.Root, s.credentialDir(sp))
		hdr("    ", true, false, false)
		b.WriteString("    location ~ \\.json$ {\n")
		typ("        ", VCType)
		hdr("        ", true, true, false)
		b.WriteString("    }\n    location ~ \\.jwt$ {\n")
		typ("        ", TextType)
		hdr("        ", true, true, false)
		b.WriteString("    }\n")
		svgBlock("    ", true)
		b.WriteString("}\n")
	}
	b.WriteString(`
# Revoked or suspended awards: their hosted assertion (the tombstone file) with status 410.
location @blason_gone {
`)
	typ("    ", JSONType)
	hdr("    ", true, true, false)
	b.WriteString("}\ninclude blason/gone.conf;\n")
	return b.Bytes()
}

func (s Site) nginxGone() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, generated, s.Root)
	b.WriteString("# Hosted assertions of revoked or suspended awards, answered with 410 Gone and their tombstone (see blason.conf).\n")
	for _, p := range s.Gone {
		fmt.Fprintf(&b, "location = %s%s {\n    error_page 410 @blason_gone;\n    return 410;\n}\n", s.Root, p)
	}
	return b.Bytes()
}

func (s Site) apache() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, generated, s.Root)
	b.WriteString(`# Include it in the VirtualHost serving the site (see docs/deploy.md), with the folder of
# this file copied to blason/ in Apache's ServerRoot (/etc/apache2/blason/):
#     DocumentRoot /srv/www/badges   # the built site (its parent folder when the site is not at /)
#     Include blason/blason.conf
# It needs mod_headers, mod_mime and mod_rewrite (a2enmod headers rewrite); reload Apache after
# copying a new blason/gone.conf.
<IfModule !headers_module>
    Error "blason.conf needs mod_headers (a2enmod headers)"
</IfModule>
<IfModule !rewrite_module>
    Error "blason.conf needs mod_rewrite (a2enmod rewrite)"
</IfModule>

AddType application/json .json
AddType text/plain .jws .jwt
AddCharset utf-8 .jws .jwt
Header always set X-Content-Type-Options "nosniff"
`)
	r := regexp.QuoteMeta(s.Root)
	fmt.Fprintf(&b, "<LocationMatch \"\\.(json|jws|jwt)$\">\n    Header always set Access-Control-Allow-Origin \"*\"\n</LocationMatch>\n")
	fmt.Fprintf(&b, "<LocationMatch \"\\.(json|jws|jwt|svg)$\">\n    Header always set Content-Security-Policy \"%s\"\n</LocationMatch>\n", FilesCSP)
	if len(s.Spaces) > 0 {
		fmt.Fprintf(&b, "<LocationMatch \"^%s%s/(assertions|credentials)/\">\n    Header always set X-Robots-Tag \"%s\"\n</LocationMatch>\n", r, s.slugs(), NoIndex)
		fmt.Fprintf(&b, "<LocationMatch \"^%s%s/credentials/.*\\.json$\">\n    ForceType %s\n</LocationMatch>\n", r, s.slugs(), VCType)
	}
	b.WriteString(`
RewriteEngine On
# Instructions for static hosts, not content.
`)
	fmt.Fprintf(&b, "RewriteRule \"^%s(_headers|_redirects)$\" - [R=404,L]\n", r)
	b.WriteString("# Revoked or suspended awards: 410 Gone.\nInclude blason/gone.conf\n")
	return b.Bytes()
}

func (s Site) apacheGone() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, generated, s.Root)
	b.WriteString("# Hosted assertions of revoked or suspended awards, answered with 410 Gone and their tombstone (see blason.conf).\n")
	b.WriteString("# Each tombstone is its own error document; REDIRECT_STATUS is set when Apache serves it as such.\n")
	for _, p := range s.Gone {
		fmt.Fprintf(&b, "RewriteCond %%{ENV:REDIRECT_STATUS} ^$\nRewriteRule \"^%s$\" - [G]\n", regexp.QuoteMeta(s.Root+p))
		fmt.Fprintf(&b, "<Location \"%s%s\">\n    ErrorDocument 410 %s%s\n</Location>\n", s.Root, p, s.Root, p)
	}
	return b.Bytes()
}

func (s Site) caddy() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, generated, s.Root)
	b.WriteString(`# Import it in the site block serving the site (see docs/deploy.md), with the folder of this
# file copied to blason/ beside the Caddyfile (/etc/caddy/blason/):
#     root * /srv/www/badges   # the built site (its parent folder when the site is not at /)
#     import blason/blason.caddy
#     file_server
# Reload Caddy after copying a new blason/gone.caddy.

`)
	r := s.Root
	fmt.Fprintf(&b, "# Instructions for static hosts, not content.\n@blason_hosts path %s_headers %s_redirects\nrespond @blason_hosts 404\n\n", r, r)
	b.WriteString("header X-Content-Type-Options nosniff\n")
	fmt.Fprintf(&b, "@blason_cors path *.json *.jws *.jwt\nheader @blason_cors Access-Control-Allow-Origin *\n")
	fmt.Fprintf(&b, "@blason_csp path *.json *.jws *.jwt *.svg\nheader @blason_csp Content-Security-Policy \"%s\"\n", FilesCSP)
	if len(s.Spaces) > 0 {
		rq := regexp.QuoteMeta(r)
		fmt.Fprintf(&b, "@blason_robots path_regexp ^%s%s/(assertions|credentials)/\nheader @blason_robots X-Robots-Tag \"%s\"\n", rq, s.slugs(), NoIndex)
		fmt.Fprintf(&b, "@blason_jwt path_regexp ^%s%s/(assertions/.*\\.jws|credentials/.*\\.jwt)$\nheader @blason_jwt Content-Type \"%s\"\n", rq, s.slugs(), TextType)
		fmt.Fprintf(&b, "@blason_vc path_regexp ^%s%s/credentials/.*\\.json$\nheader @blason_vc Content-Type %s\n", rq, s.slugs(), VCType)
	}
	b.WriteString("\n# Revoked or suspended awards: 410 Gone.\nimport gone.caddy\n")
	return b.Bytes()
}

func (s Site) caddyGone() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, generated, s.Root)
	b.WriteString("# Hosted assertions of revoked or suspended awards, answered with 410 Gone and their tombstone (see blason.caddy).\n")
	if len(s.Gone) == 0 {
		return b.Bytes()
	}
	b.WriteString("@blason_gone path")
	for _, p := range s.Gone {
		fmt.Fprintf(&b, " \\\n    %s%s", s.Root, p)
	}
	b.WriteString("\nhandle @blason_gone {\n    file_server {\n        status 410\n    }\n}\n")
	return b.Bytes()
}
