package render

import (
	"net/url"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/model"
)

// PreviewFile is the name of a page's social preview card (PNG), next to
// its index.html.
const PreviewFile = "preview.png"

// Preview card size in pixels (see package preview).
const (
	previewWidth  = 1200
	previewHeight = 630
)

// Card is a social preview card the build draws (package preview) at
// Path: a page's title, its issuer or a short line, the site's title, the
// badge image or the space's logo, and the space's colour.
type Card struct {
	Path            string // output path of the PNG
	Title, Subtitle string
	Footer          string         // the site's title in the page's language
	Images          []*model.Asset // the badge image, or the spaces' logos
	Brand           string         // the space's primary colour, or ""
}

// socialView is what the head of every page says to search engines and
// to the sites a page is shared on (Open Graph, X cards), and the share
// links of the page.
type socialView struct {
	Canonical        string
	NoIndex          bool
	Description      string
	Type             string // og:type
	Locale           string // og:locale, e.g. fr_FR
	LocaleAlternates []string
	Image, ImageAlt  string // absolute URL of a PNG card
	ImageWidth       int
	ImageHeight      int
	Share            *shareView
}

// shareView holds the share links of a page: no third-party script, only
// links that open the network's own share form.
type shareView struct {
	URL      string // the page
	LinkedIn string // LinkedIn post
	X        string // X post
	Email    string // mailto: link
	Print    bool   // the page prints as a certificate
}

// cards collects the preview cards of the pages rendered so far.
type cards struct {
	mu sync.Mutex
	m  map[string]Card
}

func (c *cards) add(card Card) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]Card{}
	}
	c.m[card.Path] = card
}

// Cards returns the preview cards of the catalogue pages rendered by Site
// and DashboardFiles, sorted by path. Award and passport pages use their
// badge's card: one card per badge and language, whatever the number of
// awards.
func (r *Renderer) Cards() []Card {
	r.cards.mu.Lock()
	defer r.cards.mu.Unlock()
	out := make([]Card, 0, len(r.cards.m))
	for _, c := range r.cards.m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

var locales = map[string]string{"fr": "fr_FR", "en": "en_GB"}

func locale(lang string) string {
	if l, ok := locales[lang]; ok {
		return l
	}
	return lang
}

// social fills the head data of a page d from its description and the
// card drawn for it, records the card, and gives the page share links
// when share is set.
func (v *langView) social(d *pageData, desc string, card Card, share bool) {
	dir := strings.TrimPrefix(d.URL, v.r.layout.Base)
	card.Path = dir + PreviewFile
	card.Footer = v.siteTitle()
	if card.Title == "" {
		card.Title = v.siteTitle()
	}
	v.r.cards.add(card)
	d.Social = v.socialView(d, desc, v.r.layout.URL(card.Path), imageAlt(card))
	if share {
		d.Social.Share = shareLinks(d.URL, pageTitle(d))
	}
}

// socialView is the head data of a page whose card is at image.
func (v *langView) socialView(d *pageData, desc, image, alt string) *socialView {
	s := &socialView{Canonical: d.URL, Description: clip(desc, 200), Type: "website", Locale: locale(v.lang),
		Image: image, ImageAlt: alt, ImageWidth: previewWidth, ImageHeight: previewHeight}
	for _, l := range v.site.Languages {
		if l != v.lang {
			s.LocaleAlternates = append(s.LocaleAlternates, locale(l))
		}
	}
	return s
}

func imageAlt(c Card) string {
	if c.Subtitle == "" {
		return c.Title
	}
	return c.Title + " — " + c.Subtitle
}

func pageTitle(d *pageData) string {
	if d.Title == "" {
		return d.SiteTitle
	}
	return d.Title + " · " + d.SiteTitle
}

// shareLinks are the share links of the page at pageURL.
func shareLinks(pageURL, title string) *shareView {
	li := url.Values{"url": {pageURL}}
	x := url.Values{"text": {title}, "url": {pageURL}}
	return &shareView{
		URL:      pageURL,
		LinkedIn: "https://www.linkedin.com/sharing/share-offsite/?" + li.Encode(),
		X:        "https://x.com/intent/post?" + x.Encode(),
		// mailto: takes %20 for spaces, not "+" (RFC 6068).
		Email: "mailto:?subject=" + mailtoEscape(title) + "&body=" + mailtoEscape(title+"\n"+pageURL),
	}
}

func mailtoEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// clip shortens s to at most n characters, at a word boundary, with an
// ellipsis; blanks are folded.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// strs is the theme string k in the view's language.
func (v *langView) str(k string) string {
	if s, ok := v.r.strings[v.lang][k]; ok {
		return s
	}
	return v.r.strings["fr"][k]
}

// homeSocial describes the home page: the spaces that publish on it.
func (v *langView) homeSocial(d *pageData) {
	var names []string
	for _, sp := range v.site.Spaces {
		names = append(names, v.spaceName(sp))
	}
	c := Card{Subtitle: strings.Join(names, ", ")}
	for _, sp := range v.site.Spaces {
		if sp.Logo != nil {
			c.Images = append(c.Images, sp.Logo)
		}
	}
	v.social(d, v.str("socialHome")+" "+strings.Join(names, ", ")+".", c, false)
}

func (v *langView) spaceSocial(d *pageData, sp *model.Space) {
	t := v.text(model.Text{Name: sp.Name, Description: sp.Description}, sp.Translations)
	desc := v.r.md.PlainText(t.Description)
	if strings.TrimSpace(desc) == "" {
		desc = v.str("socialSpace") + " " + t.Name + "."
	}
	c := Card{Title: t.Name, Brand: sp.Theme.Primary}
	if sp.LegalName != "" && sp.LegalName != t.Name {
		c.Subtitle = sp.LegalName
	}
	if p := v.spaces[sp.Parent]; p != nil {
		c.Subtitle = v.spaceName(p)
	}
	if sp.Logo != nil {
		c.Images = []*model.Asset{sp.Logo}
	}
	v.social(d, desc, c, false)
}

func (v *langView) badgeSocial(d *pageData, b *model.Badge) {
	t := v.text(model.Text{Name: b.Name, Description: b.Description}, b.Translations)
	v.social(d, t.Description, Card{Title: t.Name, Subtitle: v.spaceName(b.Space), Images: []*model.Asset{b.Image}, Brand: b.Space.Theme.Primary}, true)
}

func (v *langView) frameworkSocial(d *pageData, f *model.Framework) {
	t := v.frameworkText(f.Name, f.Description, f.Translations)
	v.social(d, t.Description, Card{Title: t.Name, Subtitle: v.str("socialFramework")}, false)
}

func (v *langView) templateSocial(d *pageData, t *model.Template) {
	tt := v.text(model.Text{Name: t.Name, Description: t.Description}, t.Translations)
	v.social(d, tt.Description, Card{Title: tt.Name, Subtitle: v.str("sharedTemplate"), Images: []*model.Asset{t.Image}}, false)
}

// dashboardSocial describes a dashboard page; it shows the card of its
// space's page (the home page's nationally): a dashboard's folder holds
// only its page and open data, every figure of which is checked for small
// counts.
func (v *langView) dashboardSocial(d *pageData, sp *model.Space) {
	l := v.r.layout
	image, alt := l.URL(l.Home(v.lang)+PreviewFile), v.siteTitle()
	if sp != nil {
		image, alt = l.URL(l.SpacePage(sp, v.lang)+PreviewFile), v.spaceName(sp)
	}
	d.Social = v.socialView(d, v.str("socialDashboard")+" — "+d.Title+".", image, alt)
}

// badgeCardURL is the absolute URL of the card of b's page in the view's
// language, which award and passport pages show too.
func (v *langView) badgeCardURL(b *model.Badge) string {
	return v.r.layout.URL(v.r.layout.BadgePage(b, v.lang) + PreviewFile)
}

func (v *langView) badgeCardAlt(b *model.Badge) string {
	t := v.text(model.Text{Name: b.Name}, b.Translations)
	return t.Name + " — " + v.spaceName(b.Space)
}
