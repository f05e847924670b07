package claim

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/francebadge/blason/internal/bake"
	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/i18n"
	"github.com/francebadge/blason/internal/identity"
	"github.com/francebadge/blason/internal/passport"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds the parsed templates, one set per language.
type pages struct {
	sets map[string]map[string]*template.Template // lang → page → template
}

func newPages() (*pages, error) {
	p := &pages{sets: map[string]map[string]*template.Template{}}
	for lang := range messages {
		p.sets[lang] = map[string]*template.Template{}
		for _, name := range []string{"home", "me", "error", "mydata", "erase", "erased", "privacy", "wallet"} {
			t, err := template.New(name).Option("missingkey=error").ParseFS(templateFS, "templates/base.html", "templates/"+name+".html", "templates/passportrich.html")
			if err != nil {
				return nil, err
			}
			p.sets[lang][name] = t
		}
	}
	return p, nil
}

// lang picks the page language: ?lang=, then Accept-Language, then French.
func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "fr" || l == "en" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "fr") {
			return "fr"
		}
		if strings.HasPrefix(tag, "en") {
			return "en"
		}
	}
	return "fr"
}

type pageData struct {
	T                      map[string]string // the strings of the page's language
	Lang, OtherLang, Title string
	SiteURL, Base          string
	Message                string // a key of T
	// Detail is a reason shared with the CLI, from the catalogue of
	// internal/i18n, in the page's language.
	Detail string
	// home
	Query      string
	IdPs       []idpView
	Remembered *idpView
	// me
	Notice   string
	Spaces   []spaceView
	Passport *passport.Passport
	Form     passport.Passport
	Rich     *richForm // headline, links and layout of the passport
	CSRF     string
	// my data, privacy
	Data     *dataView
	Privacy  *privacyView
	LoggedIn bool
	// wallet (wallet.go): WalletOn when the store keeps wallet offers
	Wallet   *walletView
	WalletOn bool
}

type idpView struct{ EntityID, Name string }

type spaceView struct {
	Name   string
	Awards []awardView
}

// awardView is one award card, with its strings made beforehand: each
// template action costs a reflective call, and this page is the server's
// busiest.
type awardView struct {
	Space, Award          string
	Title, When           string // "name — level", "awarded on … · expires on …"
	Status, StatusLabel   string
	ImageURL, PageURL     string
	DL                    string // download folder of the award
	ImageFile, ImageLabel string // badge.svg or badge.png, its link text
	Toggle, ToggleLabel   string // passport button: "add:<space>:<award>" or "remove:…"
	OnPassport            bool
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	d.Lang = lang(r)
	d.T = messages[d.Lang]
	d.OtherLang = "en"
	if d.Lang == "en" {
		d.OtherLang = "fr"
	}
	d.SiteURL, d.Base = s.cfg.SiteURL, s.base.Path
	_, d.WalletOn = s.walletStore()
	if d.Title == "" {
		d.Title = messages[d.Lang][page+"Title"]
	}
	var buf bytes.Buffer
	if err := s.pages.sets[d.Lang][page].ExecuteTemplate(&buf, "base", d); err != nil {
		s.cfg.Log.Error("render", slog.String("page", page), slog.String("error", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page with a translated message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", pageData{Message: msg})
}

// refuse rejects a login. The log names the stage and the library's reason
// only — never the SAML response, which carries personal data.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, stage string, err error) {
	s.cfg.Log.Warn("login refused", slog.String("stage", stage), slog.String("reason", reason(err)))
	d := pageData{Message: "errLogin"}
	if why := shownReason(err); why != "" {
		l, _ := i18n.Parse(lang(r))
		d.Detail = l.Translate(why)
	}
	s.render(w, r, http.StatusForbidden, "error", d)
}

// shownReason is the reason of a refused login that the student may read,
// to pass on to their institution's help desk, or "": only reasons naming
// no attribute value (the provider released no stable identifier, or
// asserted identifiers outside its scopes) are shown.
func shownReason(err error) string {
	var se *scopeError
	if errors.Is(err, identity.ErrNoIdentifier) || errors.As(err, &se) {
		return err.Error()
	}
	return ""
}

// reason is the private cause of a SAML error, without the response.
func reason(err error) string {
	var ire interface{ Unwrap() error }
	if errors.As(err, &ire) {
		if inner := ire.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.cfg.Log.Error("internal error", slog.String("what", what), slog.String("error", err.Error()))
	s.fail(w, r, http.StatusInternalServerError, "errInternal")
}

// home is the discovery page: search the federation's providers by name,
// with the last one used on this browser first. Logged-in students go to
// their badges.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.currentSession(r); ok {
		http.Redirect(w, r, s.path("me"), http.StatusSeeOther)
		return
	}
	l := lang(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 100 {
		q = q[:100]
	}
	d := pageData{Query: q}
	for _, idp := range s.cfg.Directory.Search(q, l, 50) {
		d.IdPs = append(d.IdPs, idpView{EntityID: idp.EntityID, Name: idpName(idp, l)})
	}
	hint := r.URL.Query().Get("idp")
	if hint == "" {
		if c, err := r.Cookie(idpCookie); err == nil {
			hint, _ = url.QueryUnescape(c.Value)
		}
	}
	if idp, ok := s.cfg.Directory.Lookup(hint); ok {
		d.Remembered = &idpView{EntityID: idp.EntityID, Name: idpName(idp, l)}
	}
	s.render(w, r, http.StatusOK, "home", d)
}

func idpName(idp *IdP, lang string) string {
	if n := idp.Names[lang]; n != "" {
		return n
	}
	for _, l := range []string{"fr", "en"} {
		if n := idp.Names[l]; n != "" {
			return n
		}
	}
	return idp.EntityID
}

// awards returns the session's awards from the current index, deduplicated
// (an award may match both the eppn and the mail).
func (s *Server) awards(sess Session) []claimindex.Entry {
	ix := s.cfg.Index()
	seen := map[string]bool{}
	var out []claimindex.Entry
	for _, k := range sess.Keys {
		for _, e := range ix.ByHash(k) {
			if key := e.Space + "/" + e.Award; !seen[key] {
				seen[key] = true
				out = append(out, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b claimindex.Entry) int {
		if c := strings.Compare(a.Space, b.Space); c != 0 {
			return c
		}
		return strings.Compare(b.Date, a.Date)
	})
	return out
}

func (s *Server) owned(sess Session, space, award string) (claimindex.Entry, bool) {
	for _, e := range s.awards(sess) {
		if e.Space == space && e.Award == award {
			return e, true
		}
	}
	return claimindex.Entry{}, false
}

func pick(m map[string]string, lang string) string {
	if v := m[lang]; v != "" {
		return v
	}
	return m["fr"]
}

// me lists the student's awards by space, with downloads and the passport
// controls.
func (s *Server) me(w http.ResponseWriter, r *http.Request, sess Session) {
	s.render(w, r, http.StatusOK, "me", s.meData(r, sess, nil))
}

// meData is the data of the "my badges" page; form, when not nil, holds
// what the student typed in the passport form and its errors, shown
// instead of the stored settings.
func (s *Server) meData(r *http.Request, sess Session, form *richForm) pageData {
	l := lang(r)
	d := pageData{CSRF: csrfToken(sess), Notice: r.URL.Query().Get("notice")}
	if !slices.Contains([]string{"", "saved", "slugTaken", "badSlug", "badName", "deleted", "needPassport"}, d.Notice) {
		d.Notice = ""
	}
	on := map[string]bool{}
	if p, err := s.cfg.Store.Passport(r.Context(), sess.Subject); err == nil {
		d.Passport = &p
		d.Form = p
		for _, a := range p.Awards {
			on[a.Space+"/"+a.Award] = true
		}
	} else {
		d.Form = passport.Passport{DisplayName: sess.DisplayName}
	}
	var cur *spaceView
	var curSpace string
	titles := map[string]string{} // "space/award" → card title
	for _, e := range s.awards(sess) {
		if cur == nil || e.Space != curSpace {
			d.Spaces = append(d.Spaces, spaceView{Name: pick(e.SpaceName, l)})
			cur, curSpace = &d.Spaces[len(d.Spaces)-1], e.Space
		}
		ext := path.Ext(e.Image)
		m := messages[l]
		av := awardView{
			Space: e.Space, Award: e.Award, Title: pick(e.Name, l),
			When:   m["awarded"] + " " + e.Date,
			Status: e.Status, StatusLabel: m["status_"+e.Status],
			ImageURL: s.cfg.SiteURL + e.Image, PageURL: s.cfg.SiteURL + e.BadgePage,
			DL:        s.path("me/download/" + e.Space + "/" + e.Award + "/"),
			ImageFile: "badge" + ext, ImageLabel: m["dlImage"] + " (" + strings.ToUpper(strings.TrimPrefix(ext, ".")) + ")",
			OnPassport: on[e.Space+"/"+e.Award],
		}
		if lv := pick(e.LevelName, l); lv != "" {
			av.Title += " — " + lv
		}
		if e.Expires != "" {
			av.When += " · " + m["expiresOn"] + " " + e.Expires
		}
		av.Toggle, av.ToggleLabel = "add:"+e.Space+":"+e.Award, m["addToPassport"]
		if av.OnPassport {
			av.Toggle, av.ToggleLabel = "remove:"+e.Space+":"+e.Award, m["removeFromPassport"]
		}
		cur.Awards = append(cur.Awards, av)
		titles[e.Space+"/"+e.Award] = av.Title
	}
	d.Rich = s.richData(d.Passport, titles, l, form)
	if form != nil {
		d.Form.Slug, d.Form.DisplayName, d.Form.Indexable = form.Slug, form.DisplayName, form.Indexable
	}
	return d
}

// siteFile reads a file of the published site (p: its slash path from
// the site root, as the claim index gives it).
func (s *Server) siteFile(p string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.cfg.SiteDir, filepath.FromSlash(p)))
}

// download serves one of the student's awards: the Open Badges 3.0
// credential (JSON or VC-JWT) or the badge image baked with it.
func (s *Server) download(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.owned(sess, r.PathValue("space"), r.PathValue("award"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "errNotYours")
		return
	}
	cred, err := s.siteFile(e.Credential)
	if err != nil {
		s.internal(w, r, "read credential", err)
		return
	}
	name := e.Badge
	if e.Level != "" {
		name += "-" + e.Level
	}
	var body []byte
	var ctype string
	switch file := r.PathValue("file"); file {
	case "credential.json":
		body, ctype, name = cred, "application/vc+ld+json", name+".json"
	case "credential.jwt":
		if body, err = s.siteFile(e.CredentialJWT); err != nil {
			s.internal(w, r, "read jwt", err)
			return
		}
		ctype, name = "application/vc+jwt", name+".jwt"
	case "badge.png", "badge.svg":
		if path.Ext(e.Image) != path.Ext(file) {
			s.fail(w, r, http.StatusNotFound, "errNotYours")
			return
		}
		if body, ctype, err = s.baked(e, cred); err != nil {
			s.internal(w, r, "bake", err)
			return
		}
		name += path.Ext(file)
	default:
		s.fail(w, r, http.StatusNotFound, "errNotYours")
		return
	}
	ref := passport.AwardRef{Space: e.Space, Award: e.Award}
	if r.PathValue("file") == "credential.jwt" {
		_ = s.cfg.Store.RecordWalletClaim(r.Context(), sess.Subject, ref, s.cfg.Now())
	} else {
		_ = s.cfg.Store.RecordClaim(r.Context(), sess.Subject, ref, s.cfg.Now())
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(body)
}

// baked returns the award's badge image with its Open Badges 3.0
// credential baked in, and its media type.
func (s *Server) baked(e claimindex.Entry, cred []byte) ([]byte, string, error) {
	img, err := s.siteFile(e.Image)
	if err != nil {
		return nil, "", err
	}
	if path.Ext(e.Image) == ".png" {
		b, err := bake.PNG(img, bake.OB3, string(cred))
		return b, "image/png", err
	}
	b, err := bake.SVG(img, bake.OB3, "", string(cred))
	return b, "image/svg+xml", err
}

func (s *Server) back(w http.ResponseWriter, r *http.Request, notice string) {
	u := s.path("me") + "?notice=" + notice
	if l := r.URL.Query().Get("lang"); l != "" {
		u += "&lang=" + url.QueryEscape(l)
	}
	http.Redirect(w, r, u+"#passport", http.StatusSeeOther)
}

func (s *Server) changed() {
	if s.cfg.OnPassportChange != nil {
		go s.cfg.OnPassportChange()
	}
}

// savePassport creates the passport or changes its address, name or
// indexing.
func (s *Server) savePassport(w http.ResponseWriter, r *http.Request, sess Session) {
	slug := strings.TrimSpace(r.PostForm.Get("slug"))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if !passport.ValidSlug(slug) || len(slug) < 3 {
		s.back(w, r, "badSlug")
		return
	}
	if name == "" || len(name) > 100 || strings.ContainsAny(name, "<>\x00") {
		s.back(w, r, "badName")
		return
	}
	form := readRichForm(r.PostForm, lang(r))
	if len(form.ErrorList) > 0 {
		form.Slug, form.DisplayName, form.Indexable = slug, name, r.PostForm.Get("indexable") == "1"
		s.render(w, r, http.StatusUnprocessableEntity, "me", s.meData(r, sess, form))
		return
	}
	p, err := s.cfg.Store.Passport(r.Context(), sess.Subject)
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.internal(w, r, "passport", err)
		return
	}
	if slug != p.Slug && s.publishedElsewhere(slug) {
		s.back(w, r, "slugTaken")
		return
	}
	p.Slug, p.DisplayName, p.Indexable = slug, name, r.PostForm.Get("indexable") == "1"
	p.Headline, p.Links = form.Headline, form.Links
	p.Lang = lang(r)
	if err := s.cfg.Store.SavePassport(r.Context(), sess.Subject, p, s.cfg.Now()); err != nil {
		if errors.Is(err, ErrSlugTaken) {
			s.back(w, r, "slugTaken")
			return
		}
		s.internal(w, r, "save passport", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "passport-save", "", s.cfg.Now())
	s.changed()
	s.back(w, r, "saved")
}

// publishedElsewhere reports whether the site already has a passport page
// at slug that is not in the store (a content file declares it): the build
// would leave the student's passport off.
func (s *Server) publishedElsewhere(slug string) bool {
	_, err := os.Stat(filepath.Join(s.cfg.SiteDir, "passport", slug, "index.html"))
	return err == nil
}

// toggleBadge adds one of the student's awards to the passport or removes
// it.
func (s *Server) toggleBadge(w http.ResponseWriter, r *http.Request, sess Session) {
	op, rest, _ := strings.Cut(r.PostForm.Get("toggle"), ":")
	space, award, _ := strings.Cut(rest, ":")
	ref := passport.AwardRef{Space: space, Award: award}
	if _, ok := s.owned(sess, ref.Space, ref.Award); !ok || (op != "add" && op != "remove") {
		s.fail(w, r, http.StatusNotFound, "errNotYours")
		return
	}
	p, err := s.cfg.Store.Passport(r.Context(), sess.Subject)
	if err != nil {
		s.back(w, r, "needPassport")
		return
	}
	p.Awards = slices.DeleteFunc(p.Awards, func(a passport.AwardRef) bool { return a == ref })
	if op == "add" {
		p.Awards = append(p.Awards, ref)
	}
	if err := s.cfg.Store.SetPassportAwards(r.Context(), sess.Subject, p.Awards, s.cfg.Now()); err != nil {
		s.internal(w, r, "save passport", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "passport-"+map[bool]string{true: "add", false: "remove"}[op == "add"], ref.Space+"/"+ref.Award, s.cfg.Now())
	s.changed()
	s.back(w, r, "saved")
}

// deletePassport withdraws the passport; the next build removes the page.
func (s *Server) deletePassport(w http.ResponseWriter, r *http.Request, sess Session) {
	if err := s.cfg.Store.DeletePassport(r.Context(), sess.Subject, s.cfg.Now()); err != nil && !errors.Is(err, ErrNotFound) {
		s.internal(w, r, "delete passport", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "passport-delete", "", s.cfg.Now())
	s.changed()
	s.back(w, r, "deleted")
}
