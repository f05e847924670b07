package content

import (
	"bytes"
	"encoding/xml"
	"github.com/francebadge/blason/internal/markdown"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/safefs"
)

type textFM struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Criteria    string `yaml:"criteria"`
}

type spaceFM struct {
	Name         string            `yaml:"name"`
	LegalName    string            `yaml:"legalName"`
	URL          string            `yaml:"url"`
	Email        string            `yaml:"email"`
	Telephone    string            `yaml:"telephone"`
	Logo         string            `yaml:"logo"`
	Contact      string            `yaml:"contact"`
	Parent       string            `yaml:"parent"`
	Translations map[string]textFM `yaml:"translations"`
	Theme        spaceThemeFM      `yaml:"theme"`
	Import       *importFM         `yaml:"import"`
	// NotifyRevocations: does `blason notify` tell recipients of a
	// revocation (default: notify.revocations in blason.yaml).
	NotifyRevocations *bool `yaml:"notifyRevocations"`
	// LinkedIn: the institution's LinkedIn page, for the "add to profile"
	// links of award pages.
	LinkedIn *linkedInFM `yaml:"linkedin"`
}

type linkedInFM struct {
	OrganizationID string `yaml:"organizationId"`
}

// linkedInIDRE is a LinkedIn organisation id: the number in the address of
// the organisation's admin page.
var linkedInIDRE = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

type spaceThemeFM struct {
	Primary string `yaml:"primary"`
	Accent  string `yaml:"accent"`
}

var (
	e164RE = regexp.MustCompile(`^\+?[1-9]\d{1,14}$`)
	// colourRE is the only colour syntax accepted: it goes into the pages'
	// CSS, where anything richer could inject rules.
	colourRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
)

func (l *loader) space(dir, slug string) *model.Space {
	path := filepath.Join(dir, "_space.md")
	if ok, err := safefs.Exists(l.src, path); l.refused(err) {
		return nil
	} else if !ok {
		l.diags.Add(l.rel(dir), 0, "create "+l.rel(path)+" with the issuer's name, url and email", "space %q has no _space.md", slug)
		return nil
	}
	var fm spaceFM
	p := l.readPage(path, &fm)
	if p == nil {
		return nil
	}
	sp := &model.Space{
		Slug: slug, Name: fm.Name, LegalName: fm.LegalName, URL: fm.URL, Email: fm.Email,
		Telephone: fm.Telephone, Contact: fm.Contact, Parent: fm.Parent, Description: p.body,
		DescriptionText:   markdown.New().PlainText(p.body),
		Translations:      texts(fm.Translations),
		Theme:             model.SpaceTheme{Primary: fm.Theme.Primary, Accent: fm.Theme.Accent},
		NotifyRevocations: fm.NotifyRevocations,
	}
	for _, kc := range [][2]string{{"primary", fm.Theme.Primary}, {"accent", fm.Theme.Accent}} {
		if key, c := kc[0], kc[1]; c != "" && !colourRE.MatchString(c) {
			addAt(l.diags, p, "write a hex colour such as \"#000091\" or \"#009\" (quoted: # starts a YAML comment)", []string{"theme", key}, "theme.%s %q is not a #rgb or #rrggbb colour", key, c)
		}
	}
	if fm.LinkedIn != nil {
		if id := fm.LinkedIn.OrganizationID; linkedInIDRE.MatchString(id) {
			sp.LinkedInOrganizationID = id
		} else {
			addAt(l.diags, p, "write the number in the address of the institution's LinkedIn admin page (linkedin.com/company/<number>/admin), e.g. organizationId: 1337", []string{"linkedin", "organizationId"}, "linkedin.organizationId %q is not a LinkedIn organization id", id)
		}
	}
	if fm.Name == "" {
		addAt(l.diags, p, "add `name: …`", nil, "missing name")
	}
	if !httpURL(fm.URL) {
		addAt(l.diags, p, "the issuer's web site, e.g. https://www.univ.example.fr/", []string{"url"}, "url %q is not an http(s) URL", fm.URL)
	}
	if !validEmail(fm.Email) {
		addAt(l.diags, p, "the issuer's contact address, e.g. badges@univ.example.fr", []string{"email"}, "email %q is not a valid e-mail address", fm.Email)
	}
	if fm.Telephone != "" && !e164RE.MatchString(fm.Telephone) {
		addAt(l.diags, p, "write it in E.164 form, e.g. +33561000000", []string{"telephone"}, "telephone %q is not an E.164 number", fm.Telephone)
	}
	if l.parentLine == nil {
		l.parentLine = map[string]int{}
	}
	l.parentLine[slug] = p.doc.Line("parent")
	if fm.Logo != "" {
		sp.Logo = l.asset(p, dir, fm.Logo, "logo")
	}
	l.checkTranslations(p, fm.Translations)
	if fm.Import != nil {
		if imp := l.importSettings(p, fm.Import); imp != nil {
			if l.imports == nil {
				l.imports = map[string]*importSpec{}
			}
			l.imports[slug] = imp
		}
	}
	sp.Badges = l.badges(sp, filepath.Join(dir, "badges"))
	return sp
}

func texts(m map[string]textFM) map[string]model.Text {
	out := make(map[string]model.Text, len(m))
	for k, v := range m {
		out[k] = model.Text{Name: v.Name, Description: v.Description, Criteria: v.Criteria}
	}
	return out
}

func (l *loader) checkTranslations(p *page, tr map[string]textFM) {
	for lang := range tr {
		if lang != "en" && lang != "fr" {
			addAt(l.diags, p, "translations are keyed by language: en", []string{"translations", lang}, "unsupported language %q", lang)
		}
	}
}

// asset checks that an image file exists next to the page and is SVG or PNG.
func (l *loader) asset(p *page, dir, name, key string) *model.Asset {
	if filepath.IsAbs(name) || strings.Contains(filepath.ToSlash(name), "../") {
		addAt(l.diags, p, "give a path relative to "+l.rel(dir), []string{key}, "%s %q must be a relative path inside the space", key, name)
		return nil
	}
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".svg" && ext != ".png" {
		addAt(l.diags, p, "Open Badges images are PNG or SVG", []string{key}, "%s %q is neither .svg nor .png", key, name)
		return nil
	}
	full := filepath.Join(dir, name)
	fi, err := safefs.Lstat(l.src, full)
	if e := safefs.AsError(err); e != nil {
		addAt(l.diags, p, e.Hint(), []string{key}, "%s %q: %s %s", key, name, e.Path, e.Problem())
		return nil
	}
	if err != nil || !fi.Mode().IsRegular() {
		hint := "add the file " + l.rel(full)
		if cands := siblings(l.src, filepath.Dir(full)); len(cands) > 0 {
			hint += " (files there: " + strings.Join(cands, ", ") + ")"
		}
		addAt(l.diags, p, hint, []string{key}, "%s file %q not found", key, name)
		return nil
	}
	if fi.Size() > MaxImageFile {
		addAt(l.diags, p, "images are shown at 256 pixels or less: export a smaller file (a few tens of KB is usual; "+limitsHint+")", []string{key},
			"%s %q is %s bytes, more than the %d MiB an image may hold", key, name, count(int(fi.Size())), MaxImageFile>>20)
		return nil
	}
	if problem := sniffImage(l.src, full, ext); problem != "" {
		addAt(l.diags, p, "export the image as PNG or SVG and point "+key+" at it", []string{key}, "%s %q %s", key, name, problem)
		return nil
	}
	if ext == ".svg" && !l.safeSVG(full) {
		return nil
	}
	return &model.Asset{Source: full, Ext: ext, Root: l.src}
}

// safeSVG checks an SVG file once (badges may share an image), reporting
// each refused construct at its line.
func (l *loader) safeSVG(full string) bool {
	if ok, done := l.svgChecked[full]; done {
		return ok
	}
	f, err := safefs.Open(l.src, full)
	if l.refused(err) {
		return false
	}
	if err != nil {
		l.diags.Add(l.rel(full), 0, "", "cannot read: %v", err)
		return false
	}
	defer f.Close()
	problems := checkSVG(io.LimitReader(f, MaxImageFile))
	for _, pr := range problems {
		l.diags.Add(l.rel(full), pr.line, pr.hint, "%s", pr.msg)
	}
	if l.svgChecked == nil {
		l.svgChecked = map[string]bool{}
	}
	l.svgChecked[full] = len(problems) == 0
	return len(problems) == 0
}

// sniffImage checks that an image file holds what its extension says: a
// PNG signature, or an XML document whose root is an SVG element. It
// returns what is wrong, or "".
func sniffImage(root, file, ext string) string {
	f, err := safefs.Open(root, file)
	if err != nil {
		return "cannot be read: " + err.Error()
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	kind := http.DetectContentType(head)
	if ext == ".png" {
		if !bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")) {
			return "is not a PNG file (its content looks like " + kind + ")"
		}
		return ""
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "cannot be read: " + err.Error()
	}
	d := xml.NewDecoder(io.LimitReader(f, 4<<20))
	for {
		tok, err := d.Token()
		if err != nil {
			return "is not an SVG file (no <svg> root element; its content looks like " + kind + ")"
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "svg" {
				return "is not an SVG file (its root element is <" + se.Name.Local + ">)"
			}
			return ""
		}
	}
}

// siblings lists up to five images in dir, for hints.
func siblings(root, dir string) []string {
	es, _ := safefs.ReadDir(root, dir)
	var out []string
	for _, e := range es {
		if ext := strings.ToLower(filepath.Ext(e.Name())); (ext == ".svg" || ext == ".png") && len(out) < 5 {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || strings.IndexByte(s[at+1:], '@') >= 0 || strings.ContainsAny(s, " \t\r\n") || !strings.Contains(s[at+1:], ".") ||
		strings.HasSuffix(s, ".") || strings.HasPrefix(s[at+1:], ".") {
		return false // the shape name@domain.tld, checked without a regular expression
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
