package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/publish"
	qrcode "github.com/skip2/go-qrcode"
)

// Award statuses shown on passport and award pages, as computed at build
// time (Status) and by the page's re-verify button.
const (
	StatusValid     = "valid"
	StatusExpired   = "expired"
	StatusRevoked   = "revoked"
	StatusSuspended = "suspended"
)

// Status is an award's status as of the reference date at: revoked and
// suspended come from the space's revocations, expired from the award's
// expiry. at must come from the content (never the clock), so that the
// same inputs give the same pages.
func Status(a *model.Award, at time.Time) string {
	if rv, ok := a.Badge.Space.Revocations[a.ID]; ok {
		if rv.Suspended {
			return StatusSuspended
		}
		return StatusRevoked
	}
	if !a.Expires.IsZero() && !a.Expires.After(at) {
		return StatusExpired
	}
	return StatusValid
}

// Public describes an award shown on a passport, as the build knows it.
type Public struct {
	Award *model.Award
	// Owners are the passports showing the award.
	Owners []*passport.Passport
	// Baked is true when the build publishes the award's baked images.
	Baked bool
	// SuspensionList is the output path of the suspension status list
	// holding the award's entry (for the browser re-verify button).
	SuspensionList string
	// LogEntry is the index, plus one, of the award's first entry in the
	// site's transparency log; 0 when the site keeps none.
	LogEntry int64
}

// PassportSet is what passport and award pages are rendered from.
type PassportSet struct {
	Site *model.Site
	// AsOf is the reference date of statuses. It is not printed: a page
	// changes only when a status it shows does.
	AsOf   time.Time
	Awards map[string]*Public // by award id
	// BakedPath returns the output paths of an award's baked images
	// (OB 2.0, OB 3.0).
	BakedPath func(a *model.Award) (ob2, ob3 string)
}

// Pages are the rendered pages of one passport or award: output path →
// bytes, and the action key they are made from.
type Pages struct {
	Key  string
	Data []*PublicPage // one per language, in site language order
}

// PublicPage is the data of one passport or award page in one language.
type PublicPage struct {
	*pageData
	Dir      string        // output folder of the page
	Layout   string        // "passport" or "award"
	Passport *passportView `json:",omitempty"`
	Award    *awardView    `json:",omitempty"`
}

type passportView struct {
	DisplayName, Email, URL string
	QR                      template.HTML
	Awards                  []*awardView
	Rich                    *richView // headline, links, groups, skills
}

type awardView struct {
	ID, Name, BadgeName, LevelName, Description string
	Image, BadgeURL, PageURL, VerifyURL         string
	IssuerName, IssuerURL                       string
	Date, DateISO, Expires, ExpiresISO          string
	Status                                      string
	CredentialURL, JWTURL, AssertionURL         string
	SuspensionURL                               string
	BakedOB2, BakedOB3                          string
	LinkedIn                                    string
	EvidenceURL, EvidenceNarrative              string
	Criteria                                    template.HTML
	Owners                                      []link
	Log                                         *logLine // tlog.go
	// The printed certificate (award pages): the page's absolute URL,
	// which verifies the award, and its QR code, drawn at rendering time.
	CertificateURL string
	QR             template.HTML `json:"-"`
	EU             *euFactsView  // EU micro-credential facts (eufacts.go)
	// LevelPos and LevelCount place the award's level on its ladder
	// ("3 / 5"); 0 without levels.
	LevelPos, LevelCount int
	LevelDots            []bool // one per level, true up to the award's
}

// ThemeDigest is a hash of the theme files passport and award pages are
// made from, for their action keys.
func (r *Renderer) ThemeDigest() (string, error) {
	h := sha256.New()
	var names []string
	for _, pat := range []string{"layouts/*.html", "i18n/*.yaml"} {
		m, err := fs.Glob(r.theme, pat)
		if err != nil {
			return "", err
		}
		names = append(names, m...)
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(r.theme, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// PassportPage is the output folder of a passport page in lang.
func (r *Renderer) PassportPage(slug, lang string) string {
	return r.layout.Home(lang) + "passport/" + slug + "/"
}

// AwardPage is the output folder of an award's public page in lang:
// sharded like the award's credentials.
func (r *Renderer) AwardPage(space, id, lang string) string {
	shard := ""
	if len(id) >= 2 {
		shard = id[:2] + "/"
	}
	return r.layout.Home(lang) + space + "/awards/" + shard + id + "/"
}

// PassportPages returns the data of a passport's pages in every language
// and their action key; nothing is rendered yet.
func (r *Renderer) PassportPages(set *PassportSet, p *passport.Passport, digest string) (*Pages, error) {
	site := set.Site
	out := &Pages{}
	for _, lang := range site.Languages {
		v := r.view(site, lang)
		// Each language's page prints and encodes its own address.
		pageURL := r.layout.URL(r.PassportPage(p.Slug, lang))
		d := v.base(p.DisplayName, func(l string) string { return r.PassportPage(p.Slug, l) })
		// The QR code is drawn at rendering time: it only depends on the URL.
		pv := &passportView{DisplayName: p.DisplayName, Email: p.Email, URL: pageURL}
		views := map[string]*awardView{}
		for _, ref := range p.Awards {
			pub := set.Awards[ref.Award]
			if pub == nil {
				continue
			}
			av, err := r.awardView(v, set, pub, lang)
			if err != nil {
				return nil, err
			}
			if av.EU != nil {
				av.EU.Compact = true // eufacts.go
			}
			pv.Awards = append(pv.Awards, av)
			views[ref.Award] = av
		}
		pv.Rich = r.rich(v, set, p, views)
		page := &PublicPage{pageData: d, Dir: r.PassportPage(p.Slug, lang), Layout: "passport", Passport: pv}
		var names []string
		for _, a := range pv.Awards {
			names = append(names, a.Name)
		}
		// The card of the first badge shown, or the home page's.
		image, alt := r.layout.URL(r.layout.Home(lang)+PreviewFile), v.siteTitle()
		for _, ref := range p.Awards {
			if pub := set.Awards[ref.Award]; pub != nil {
				image, alt = v.badgeCardURL(pub.Award.Badge), v.badgeCardAlt(pub.Award.Badge)
				break
			}
		}
		d.Social = v.socialView(d, strings.Join(names, " · "), image, alt)
		d.Social.Canonical, d.Social.NoIndex, d.Social.Type = pageURL, !p.Indexable, "profile"
		out.Data = append(out.Data, page)
	}
	var err error
	out.Key, err = pagesKey("passport", digest, out.Data)
	return out, err
}

// AwardPages returns the data of an award's public pages in every language
// and their action key.
func (r *Renderer) AwardPages(set *PassportSet, pub *Public, digest string) (*Pages, error) {
	site := set.Site
	a := pub.Award
	sp := a.Badge.Space
	indexable := false
	for _, o := range pub.Owners {
		indexable = indexable || o.Indexable
	}
	out := &Pages{}
	for _, lang := range site.Languages {
		v := r.view(site, lang)
		av, err := r.awardView(v, set, pub, lang)
		if err != nil {
			return nil, err
		}
		d := v.base(av.Name, func(l string) string { return r.AwardPage(sp.Slug, a.ID, l) })
		d.Crumbs = []link{{Label: v.siteTitle(), URL: d.HomeURL}, {Label: v.spaceName(sp), URL: v.href(r.layout.SpacePage(sp, lang))}, {Label: av.BadgeName, URL: av.BadgeURL}}
		d.Brand = brand(sp.Theme) // the space's colours, as on its other pages
		av.CertificateURL = d.URL
		page := &PublicPage{pageData: d, Dir: r.AwardPage(sp.Slug, a.ID, lang), Layout: "award", Award: av}
		d.Social = v.socialView(d, av.Description, v.badgeCardURL(a.Badge), v.badgeCardAlt(a.Badge))
		d.Social.NoIndex = !indexable
		d.Social.Share = shareLinks(d.URL, pageTitle(d))
		d.Social.Share.Print = true
		out.Data = append(out.Data, page)
	}
	var err error
	out.Key, err = pagesKey("award", digest, out.Data)
	return out, err
}

// pagesKey hashes everything a page is made from: the data it receives and
// the theme files.
func pagesKey(kind, digest string, data []*PublicPage) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "blason-%s-page 1\n%s\n", kind, digest)
	if err := json.NewEncoder(h).Encode(data); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// Render renders pages into out.
func (r *Renderer) Render(p *Pages, out publish.Files) error {
	for _, d := range p.Data {
		if d.Passport != nil && d.Passport.QR == "" {
			qr, err := qrSVG(d.Passport.URL)
			if err != nil {
				return err
			}
			d.Passport.QR = qr
		}
		if d.Award != nil && d.Award.QR == "" && d.Award.CertificateURL != "" {
			qr, err := qrSVG(d.Award.CertificateURL)
			if err != nil {
				return err
			}
			d.Award.QR = qr
		}
		b, err := r.exec(d.Layout, d.Lang, d)
		if err != nil {
			return fmt.Errorf("rendering %s: %w", d.Dir, err)
		}
		out[d.Dir+"index.html"] = b
	}
	return nil
}

// exec runs a layout with the strings of lang.
func (r *Renderer) exec(name, lang string, data any) ([]byte, error) {
	tpl, ok := r.pages[name]
	if !ok {
		return nil, fmt.Errorf("theme has no layouts/%s.html", name)
	}
	t, err := tpl.Clone()
	if err != nil {
		return nil, err
	}
	t.Funcs(r.stringFuncs(lang))
	t.Funcs(template.FuncMap{
		// Passport and award pages use the site's static files (a space's
		// overrides style its catalogue pages).
		"asset": func(name string) string { return r.root + r.assetPath("", name) },
	})
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "base", data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (r *Renderer) awardView(v *langView, set *PassportSet, pub *Public, lang string) (*awardView, error) {
	l := r.layout
	a := pub.Award
	b := a.Badge
	sp := b.Space
	t := v.text(model.Text{Name: b.Name, Description: b.Description, Criteria: b.Criteria}, b.Translations)
	av := &awardView{
		ID: a.ID, BadgeName: t.Name, Name: t.Name, Description: t.Description,
		Image: v.href(r.awardImage(a)), BadgeURL: v.href(l.BadgePage(b, lang)),
		PageURL: v.href(r.AwardPage(sp.Slug, a.ID, lang)), IssuerName: v.spaceName(sp), IssuerURL: v.href(l.SpacePage(sp, lang)),
		Date: v.date(a.Date), DateISO: a.Date.Format(time.DateOnly),
		Status: Status(a, set.AsOf), CredentialURL: l.URL(l.Credential(a)), JWTURL: l.URL(l.CredentialJWT(a)), AssertionURL: l.URL(l.Assertion(a)),
		EvidenceNarrative: a.EvidenceNarrative,
	}
	if u, err := url.Parse(a.EvidenceURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		av.EvidenceURL = a.EvidenceURL // content checks it too; never link anything else
	}
	av.VerifyURL = av.PageURL + "#verify"
	av.Log = r.awardLog(v, pub)
	if pub.SuspensionList != "" {
		av.SuspensionURL = l.URL(pub.SuspensionList)
	}
	if a.Level != nil {
		lt := v.text(model.Text{Name: a.Level.Name, Criteria: a.Level.Criteria}, a.Level.Translations)
		av.LevelName = lt.Name
		av.LevelPos, av.LevelCount = levelProgress(a)
		for i := range av.LevelCount {
			av.LevelDots = append(av.LevelDots, i < av.LevelPos)
		}
		av.Name = t.Name + " — " + lt.Name
		if lt.Criteria != "" {
			t.Criteria = lt.Criteria
		}
	}
	if !a.Expires.IsZero() {
		av.Expires, av.ExpiresISO = v.date(a.Expires), a.Expires.Format(time.DateOnly)
	}
	if pub.Baked && set.BakedPath != nil {
		o2, o3 := set.BakedPath(a)
		av.BakedOB2, av.BakedOB3 = v.href(o2), v.href(o3)
	}
	crit, err := r.md.HTML(t.Criteria)
	if err != nil {
		return nil, err
	}
	av.Criteria = crit
	av.EU = v.euFacts(b)
	for _, o := range pub.Owners {
		av.Owners = append(av.Owners, link{Label: o.DisplayName, URL: v.href(r.PassportPage(o.Slug, lang))})
	}
	av.LinkedIn = linkedInURL(av.Name, av.IssuerName, sp.LinkedInOrganizationID, a, l.URL(r.AwardPage(sp.Slug, a.ID, lang)))
	return av, nil
}

// linkedInURL is LinkedIn's "add to profile" link for a certification:
// the badge, issuer, dates, the award page and the award id — never an
// e-mail address or a personal identifier. The issuer is named by its
// LinkedIn organization id when its space gives one (orgID), which links
// the certification to the institution's LinkedIn page, else by name.
func linkedInURL(name, org, orgID string, a *model.Award, certURL string) string {
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", name)
	if orgID != "" {
		q.Set("organizationId", orgID)
	} else {
		q.Set("organizationName", org)
	}
	q.Set("issueYear", strconv.Itoa(a.Date.Year()))
	q.Set("issueMonth", strconv.Itoa(int(a.Date.Month())))
	if !a.Expires.IsZero() {
		q.Set("expirationYear", strconv.Itoa(a.Expires.Year()))
		q.Set("expirationMonth", strconv.Itoa(int(a.Expires.Month())))
	}
	q.Set("certUrl", certURL)
	q.Set("certId", a.ID)
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

var months = map[string][12]string{
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// date writes a date for people: "15 décembre 2023", "15 December 2023".
func (v *langView) date(t time.Time) string {
	m, ok := months[v.lang]
	if !ok {
		return t.Format(time.DateOnly)
	}
	return fmt.Sprintf("%d %s %d", t.Day(), m[t.Month()-1], t.Year())
}

// qrSVG draws the QR code of text as an inline SVG: one path of dark
// modules, with the quiet zone the standard asks for.
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	bm := q.Bitmap()
	n := len(bm)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="160" height="160" shape-rendering="crispEdges" aria-hidden="true" focusable="false"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // numbers only: nothing from the content
}

// SitemapPassports adds the pages of indexable passports, and of the
// awards they show, to a sitemap made by Site; the others are noindex and
// stay out of it.
func (r *Renderer) SitemapPassports(sitemap []byte, site *model.Site, ps []passport.Passport) []byte {
	var pages []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !p.Indexable {
			continue
		}
		for _, lang := range site.Languages {
			pages = append(pages, r.PassportPage(p.Slug, lang))
			for _, a := range p.Awards {
				if pg := r.AwardPage(a.Space, a.Award, lang); !seen[pg] {
					seen[pg] = true
					pages = append(pages, pg)
				}
			}
		}
	}
	return r.sitemapWith(sitemap, pages)
}

// sitemapWith returns a sitemap made by Site with more pages listed
// before its end.
func (r *Renderer) sitemapWith(sitemap []byte, pages []string) []byte {
	end := bytes.LastIndex(sitemap, []byte("</urlset>"))
	if len(pages) == 0 || end < 0 {
		return sitemap
	}
	var b bytes.Buffer
	b.Write(sitemap[:end])
	for _, p := range pages {
		b.WriteString("  <url><loc>")
		template.HTMLEscape(&b, []byte(r.layout.URL(p)))
		b.WriteString("</loc></url>\n")
	}
	b.Write(sitemap[end:])
	return b.Bytes()
}
