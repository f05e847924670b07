package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path/filepath"
	"strings"
	texttemplate "text/template"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/markdown"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/themes"
)

// Data is what a mail template sees (themes/default/mail/*.html, *.txt).
type Data struct {
	Lang        string // "fr" or "en": the language of the message
	Kind        string // "issued" or "revoked"
	Subject     string
	Name        string // the recipient's name, or empty
	Badge       string // the badge's name in Lang
	Level       string // the level's name, or empty
	Description string // what the badge means, plain text
	Criteria    string // the criteria, plain text
	Image       string // absolute URL of the hosted badge image
	Issuer      string // the space's name
	IssuerURL   string // the space's page on the site
	BadgeURL    string // the badge's page on the site
	Date        string // the award date, written for people
	ClaimURL    string // where the recipient collects the badge (blason claim)
	Contact     string // the issuer's contact address
	SiteTitle   string
	SiteURL     string
	RevokedDate string // revocation notices: the revocation date
	Reason      string // revocation notices: the published reason
}

// Templates are the mail templates and strings of a site: its own mail/
// folder, then its theme's, then the default theme's (like page layouts).
type Templates struct {
	fsys    fs.FS
	strings map[string]map[string]string // lang → key → template text
	html    map[string]*htmltemplate.Template
	text    map[string]*texttemplate.Template
}

// mailFS stacks the places mail templates are looked up in, most specific
// first: SOURCE/mail/, SOURCE/themes/<theme>/mail/, the embedded default.
// Files are read under the rules of package safefs, like page layouts.
func mailFS(source, theme string) (fs.FS, error) {
	if err := safefs.CheckTree(source, filepath.Join(source, "mail")); err != nil {
		return nil, err
	}
	var named fs.FS
	if theme != "" && theme != "default" {
		dir := filepath.Join(source, "themes", theme)
		if err := safefs.CheckTree(source, filepath.Join(dir, "mail")); err != nil {
			return nil, err
		}
		named = safefs.Dir(dir, "themes/"+theme)
	}
	return themes.Layers(safefs.Dir(source, ""), named, themes.Default()), nil
}

// LoadTemplates reads and parses the mail templates of a site.
func LoadTemplates(source, theme string) (*Templates, error) {
	fsys, err := mailFS(source, theme)
	if err != nil {
		return nil, err
	}
	t := &Templates{fsys: fsys, strings: map[string]map[string]string{}, html: map[string]*htmltemplate.Template{}, text: map[string]*texttemplate.Template{}}
	for _, lang := range []string{"fr", "en"} {
		name := "mail/i18n/" + lang + ".yaml"
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.strings[lang] = m
	}
	for _, kind := range []string{"issued", "revoked"} {
		name := "mail/" + kind + ".html"
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		h, err := htmltemplate.New(kind).Funcs(htmltemplate.FuncMap{"t": noT, "lines": lines, "inc": inc}).Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.html[kind] = h
		name = "mail/" + kind + ".txt"
		b, err = fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		x, err := texttemplate.New(kind).Funcs(texttemplate.FuncMap{"t": noT, "lines": lines, "inc": inc}).Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.text[kind] = x
	}
	return t, nil
}

func noT(string) string { return "" }

// lines splits a multi-line string into its non-empty lines.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func inc(i int) int { return i + 1 }

// str renders a string of the catalogue (itself a small text template)
// with d.
func (t *Templates) str(lang, key string, d *Data) (string, error) {
	s, ok := t.strings[lang][key]
	if !ok {
		return "", fmt.Errorf("mail/i18n/%s.yaml: no string %q", lang, key)
	}
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	x, err := texttemplate.New(key).Option("missingkey=error").Parse(s)
	if err != nil {
		return "", fmt.Errorf("mail/i18n/%s.yaml: %s: %w", lang, key, err)
	}
	var b strings.Builder
	if err := x.Execute(&b, d); err != nil {
		return "", fmt.Errorf("mail/i18n/%s.yaml: %s: %w", lang, key, err)
	}
	return b.String(), nil
}

// Rendered is a message's text: its subject, plain-text and HTML parts.
type Rendered struct {
	Subject, Text, HTML string
}

// Render renders the message of d (its Kind and Lang).
func (t *Templates) Render(d *Data) (*Rendered, error) {
	var err error
	d.Subject, err = t.str(d.Lang, "subject_"+d.Kind, d)
	if err != nil {
		return nil, err
	}
	var terr error
	tr := func(key string) string {
		s, err := t.str(d.Lang, key, d)
		if err != nil && terr == nil {
			terr = err
		}
		return s
	}
	h, err := t.html[d.Kind].Clone()
	if err != nil {
		return nil, err
	}
	var hb, xb bytes.Buffer
	if err := h.Funcs(htmltemplate.FuncMap{"t": tr}).Execute(&hb, d); err != nil {
		return nil, fmt.Errorf("mail/%s.html: %w", d.Kind, err)
	}
	x, err := t.text[d.Kind].Clone()
	if err != nil {
		return nil, err
	}
	if err := x.Funcs(texttemplate.FuncMap{"t": tr}).Execute(&xb, d); err != nil {
		return nil, fmt.Errorf("mail/%s.txt: %w", d.Kind, err)
	}
	if terr != nil {
		return nil, terr
	}
	return &Rendered{Subject: d.Subject, Text: xb.String(), HTML: hb.String()}, nil
}

// months names the months for dates written for people.
var months = map[string][12]string{
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// humanDate writes a date for people: "15 décembre 2023", "1er mars
// 2024", "15 December 2023".
func humanDate(t time.Time, lang string) string {
	m := months[lang]
	if lang == "fr" && t.Day() == 1 {
		return fmt.Sprintf("1er %s %d", m[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), m[t.Month()-1], t.Year())
}

// dataOf fills the template data of an event.
func dataOf(site *model.Site, l layout.Layout, ev *Event, claimURL string, md *markdown.Renderer) *Data {
	a, b := ev.Award, ev.Award.Badge
	lang := ev.Lang
	pageLang := lang // the site's pages exist in its languages only
	found := false
	for _, sl := range site.Languages {
		found = found || sl == lang
	}
	if !found {
		pageLang = site.Languages[0]
	}
	bt := model.Text{Name: b.Name, Description: b.Description, Criteria: b.Criteria}.In(lang, site.Languages[0], b.Translations)
	sp := b.Space
	st := model.Text{Name: sp.Name}.In(lang, site.Languages[0], sp.Translations)
	d := &Data{
		Lang: lang, Kind: ev.Kind, Name: a.Recipient.Name,
		Badge: bt.Name, Description: strings.TrimSpace(bt.Description),
		Image:  l.URL(l.BadgeImage(b)),
		Issuer: st.Name, IssuerURL: l.URL(l.SpacePage(sp, pageLang)),
		BadgeURL: l.URL(l.BadgePage(b, pageLang)),
		Date:     humanDate(a.Date, lang),
		ClaimURL: claimURL + "?lang=" + lang,
		Contact:  sp.Email,
		SiteURL:  l.URL(l.Home(pageLang)),
	}
	d.SiteTitle = site.Title
	if t, ok := site.Translations[lang]; ok && t.Title != "" {
		d.SiteTitle = t.Title
	}
	crit := bt.Criteria
	if lv := a.Level; lv != nil {
		lt := model.Text{Name: lv.Name, Description: lv.Description, Criteria: lv.Criteria}.In(lang, site.Languages[0], lv.Translations)
		d.Level = lt.Name
		if lt.Description != "" {
			d.Description = strings.TrimSpace(strings.TrimSpace(d.Description + "\n" + lt.Description))
		}
		if lt.Criteria != "" {
			crit = lt.Criteria
		}
	}
	d.Criteria = strings.TrimSpace(md.PlainText(crit))
	if ev.Kind == KindRevoked {
		d.RevokedDate = humanDate(ev.Revocation.Date, lang)
		d.Reason = ev.Revocation.Reason
	}
	return d
}
