package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/francebadge/blason/internal/bake"
	"github.com/francebadge/blason/internal/issue"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob3"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/passportfile"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/render"
)

// Group id prefixes of the files a build publishes for passports. Award
// groups are named by the bare award id.
const (
	passportGroup = "passport:" // + slug: the passport's pages
	awardGroup    = "page:"     // + award id: the award's public pages
	bakeGroup     = "bake:"     // + award id: its baked images
)

// bakeGenerator names this version of the baking code in action keys.
const bakeGenerator = "blason-bake 1"

// collectPassports merges the declarations of content/_passports and of
// the build's other sources. References to awards the site does not hold
// (possible from a store, which the content may have outgrown) are left
// off with a warning; the files source reports them as errors itself.
func collectPassports(o Options, site *model.Site) ([]passport.Passport, []string, error) {
	sources := append([]passport.Source{passportfile.Source{Root: o.Source, Site: site}}, o.Passports...)
	ps, warnings, err := passport.Collect(context.Background(), sources...)
	if err != nil {
		return nil, nil, err
	}
	var index map[string]*model.Award
	if len(ps) > 0 {
		index = awardIndex(site)
		for _, sp := range site.Spaces {
			if sp.Slug == "passport" {
				return nil, nil, fmt.Errorf("content/passport: a space may not be named passport on a site with passports (their pages are published under passport/); rename the space folder")
			}
		}
	}
	for i := range ps {
		p := &ps[i]
		kept := p.Awards[:0:0]
		for _, ref := range p.Awards {
			if a := index[ref.Award]; a == nil || a.Badge.Space.Slug != ref.Space {
				warnings = append(warnings, fmt.Sprintf("%s: passport %s lists an award that is not in space %s; it is left off the page", p.Source, p.Slug, ref.Space))
				continue
			}
			kept = append(kept, ref)
		}
		p.Awards = kept
		if p.Lang != "" && !contains(site.Languages, p.Lang) {
			warnings = append(warnings, fmt.Sprintf("%s: passport %s prefers language %q, which the site does not publish", p.Source, p.Slug, p.Lang))
			p.Lang = ""
		}
	}
	return ps, warnings, nil
}

// awardIndex maps award ids to awards. Ids are unique across spaces: they
// are HMACs, under each space's secret, of inputs naming the space.
func awardIndex(site *model.Site) map[string]*model.Award {
	n := 0
	for _, sp := range site.Spaces {
		n += len(sp.Awards)
	}
	index := make(map[string]*model.Award, n)
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			index[a.ID] = a
		}
	}
	return index
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// public is the passport part of a build: the pages of students who opted
// in, the public pages of the awards they show, and baked images.
type public struct {
	r      *render.Renderer
	l      layout.Layout
	dest   string
	set    *render.PassportSet
	pages  map[string]*render.Pages // passport and award page groups
	bakes  map[string]*model.Award  // bake groups
	groups map[string]publish.Group
}

// asOf is the reference date of statuses shown on pages: the latest status
// list date of any space (the latest award or revocation date, never going
// backwards), so that pages depend on the content only.
func asOf(ledgers issue.Ledgers) time.Time {
	var at time.Time
	for _, l := range ledgers {
		for _, d := range l.Dates {
			if t, err := time.Parse(time.RFC3339, d); err == nil && t.After(at) {
				at = t
			}
		}
	}
	return at
}

func newPublic(site *model.Site, l layout.Layout, r *render.Renderer, ledgers issue.Ledgers, ps []passport.Passport, awardGroups map[string]publish.Group, dest string, logEntry func(*model.Award) (int64, bool)) (*public, error) {
	pub := &public{r: r, l: l, dest: dest, pages: map[string]*render.Pages{}, bakes: map[string]*model.Award{}, groups: map[string]publish.Group{}}
	set := &render.PassportSet{Site: site, AsOf: asOf(ledgers), Awards: map[string]*render.Public{}, BakedPath: l.Baked}
	pub.set = set
	var index map[string]*model.Award
	if len(ps) > 0 {
		index = awardIndex(site)
	}
	for i := range ps {
		p := &ps[i]
		for _, ref := range p.Awards {
			a := index[ref.Award]
			pb := set.Awards[a.ID]
			if pb == nil {
				pb = &render.Public{Award: a}
				if logEntry != nil {
					if n, ok := logEntry(a); ok {
						pb.LogEntry = n + 1
					}
				}
				if pos, ok := ledgers[a.Badge.Space.Slug].Pos[a.ID]; ok {
					pb.SuspensionList = l.StatusList(a.Badge.Space, ob3.PurposeSuspension, pos.List)
				}
				set.Awards[a.ID] = pb
			}
			pb.Owners = append(pb.Owners, p)
		}
	}
	// Baked images: of the awards chosen by the configuration, those not
	// revoked or suspended (their hosted assertion is a tombstone).
	var toBake []*model.Award
	switch site.Credentials.Bake {
	case "all":
		for _, sp := range site.Spaces {
			toBake = append(toBake, sp.Awards...)
		}
	case "none":
	default:
		for _, pb := range set.Awards {
			toBake = append(toBake, pb.Award)
		}
	}
	images := map[*model.Badge]string{}
	for _, a := range toBake {
		if _, revoked := a.Badge.Space.Revocations[a.ID]; revoked {
			continue
		}
		g, ok := awardGroups[a.ID]
		if !ok {
			continue
		}
		img, ok := images[a.Badge]
		if !ok {
			b, err := a.Badge.Image.Read()
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(b)
			img = hex.EncodeToString(sum[:])
			images[a.Badge] = img
		}
		flags := "pq" // one letter per file: OB 2.0 and OB 3.0 PNG images
		if a.Badge.Image.Ext == ".svg" {
			flags = "vw" // or SVG images
		}
		h := sha256.New()
		fmt.Fprintf(h, "%s\n%s\n%s\n%s\n", bakeGenerator, g.Key, img, flags)
		id := bakeGroup + a.ID
		pub.groups[id] = publish.Group{Space: g.Space, Flags: flags, Key: hex.EncodeToString(h.Sum(nil)[:16])}
		pub.bakes[id] = a
		if pb := set.Awards[a.ID]; pb != nil {
			pb.Baked = true
		}
	}

	digest, err := r.ThemeDigest()
	if err != nil {
		return nil, err
	}
	flags, err := langFlags(site.Languages)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		pages, err := r.PassportPages(set, &ps[i], digest)
		if err != nil {
			return nil, fmt.Errorf("passport %s: %w", ps[i].Slug, err)
		}
		id := passportGroup + ps[i].Slug
		pub.pages[id] = pages
		pub.groups[id] = publish.Group{Space: "_", Flags: flags, Key: pages.Key}
	}
	for _, pb := range set.Awards {
		pages, err := r.AwardPages(set, pb, digest)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pb.Award.Source(), err)
		}
		id := awardGroup + pb.Award.ID
		pub.pages[id] = pages
		pub.groups[id] = publish.Group{Space: pb.Award.Badge.Space.Slug, Flags: flags, Key: pages.Key}
	}
	return pub, nil
}

// Language flags of page groups: one letter per page, the language's
// initial, upper-case for the default language (published at the root).
var langLetters = map[string]rune{"fr": 'f', "en": 'e'}

func langFlags(langs []string) (string, error) {
	var b strings.Builder
	for i, l := range langs {
		c, ok := langLetters[l]
		if !ok {
			return "", fmt.Errorf("passport pages: no page flag for language %q", l)
		}
		if i == 0 {
			c = unicode.ToUpper(c)
		}
		b.WriteRune(c)
	}
	return b.String(), nil
}

// langPrefixes returns the folder prefix of each page of a group's flags.
func langPrefixes(flags string) []string {
	var out []string
	for _, c := range flags {
		if unicode.IsUpper(c) {
			out = append(out, "")
			continue
		}
		for l, x := range langLetters {
			if x == c {
				out = append(out, l+"/")
			}
		}
	}
	return out
}

// extraPaths lists the files of a passport, award page or bake group; ok
// is false for award groups.
func extraPaths(l layout.Layout, id string, g publish.Group) ([]string, bool) {
	switch {
	case strings.HasPrefix(id, passportGroup):
		var out []string
		for _, p := range langPrefixes(g.Flags) {
			out = append(out, p+"passport/"+strings.TrimPrefix(id, passportGroup)+"/index.html")
		}
		return out, true
	case strings.HasPrefix(id, awardGroup):
		aid := strings.TrimPrefix(id, awardGroup)
		shard := ""
		if len(aid) >= 2 {
			shard = aid[:2] + "/"
		}
		var out []string
		for _, p := range langPrefixes(g.Flags) {
			out = append(out, p+g.Space+"/awards/"+shard+aid+"/index.html")
		}
		return out, true
	case strings.HasPrefix(id, bakeGroup):
		aid := strings.TrimPrefix(id, bakeGroup)
		var out []string
		for _, f := range g.Flags {
			switch f {
			case 'p':
				out = append(out, l.BakedAssertion(g.Space, aid, ".png"))
			case 'q':
				out = append(out, l.BakedCredential(g.Space, aid, ".png"))
			case 'v':
				out = append(out, l.BakedAssertion(g.Space, aid, ".svg"))
			case 'w':
				out = append(out, l.BakedCredential(g.Space, aid, ".svg"))
			}
		}
		return out, true
	}
	return nil, false
}

// produce makes the files of the dirty passport groups and puts them, on a
// pool of workers. Baked images are made from the award files already in
// the output folder (issued by this build or an earlier one).
func (p *public) produce(dirty map[string]bool, sess *publish.Session) error {
	return onAllCores(dirtyIDs(p.groups, dirty), func(id string) error { return p.one(id, sess) })
}

func (p *public) one(id string, sess *publish.Session) error {
	files := publish.Files{}
	if pages := p.pages[id]; pages != nil {
		if err := p.r.Render(pages, files); err != nil {
			return err
		}
	} else if a := p.bakes[id]; a != nil {
		if err := p.bake(a, files); err != nil {
			return fmt.Errorf("%s: baking: %w", a.Source(), err)
		}
	}
	paths := make([]string, 0, len(files))
	for f := range files {
		paths = append(paths, f)
	}
	sort.Strings(paths)
	for _, f := range paths {
		if err := sess.Put(f, files[f]); err != nil {
			return err
		}
	}
	return nil
}

// bake puts the badge image of a with its hosted OB 2.0 assertion, and
// with its signed OB 3.0 credential (Data Integrity JSON), baked in.
func (p *public) bake(a *model.Award, out publish.Files) error {
	img, err := a.Badge.Image.Read()
	if err != nil {
		return err
	}
	read := func(rel string) (string, error) {
		b, err := os.ReadFile(filepath.Join(p.dest, filepath.FromSlash(rel)))
		return string(bytes.TrimRight(b, "\n")), err
	}
	assertion, err := read(p.l.Assertion(a))
	if err != nil {
		return err
	}
	cred, err := read(p.l.Credential(a))
	if err != nil {
		return err
	}
	ob2Path, ob3Path := p.l.Baked(a)
	var b2, b3 []byte
	if a.Badge.Image.Ext == ".svg" {
		if b2, err = bake.SVG(img, bake.OB2, "", assertion); err == nil {
			b3, err = bake.SVG(img, bake.OB3, "", cred)
		}
	} else {
		if b2, err = bake.PNG(img, bake.OB2, assertion); err == nil {
			b3, err = bake.PNG(img, bake.OB3, cred)
		}
	}
	if err != nil {
		return err
	}
	out[ob2Path], out[ob3Path] = b2, b3
	return nil
}

// isExtraGroup reports whether a group id names passport files rather
// than an award's credentials.
func isExtraGroup(id string) bool { return strings.Contains(id, ":") }

func dirsOf(paths []string) []string {
	var out []string
	for _, p := range paths {
		d := path.Dir(p)
		if !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}
