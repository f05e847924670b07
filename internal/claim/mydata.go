package claim

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/claimindex"
)

// The student's data pages ("my data"): what the server holds about them,
// a download of all of it as one zip archive, the erasure of their
// account, and the privacy page that explains it all.

// dataView is the "my data" page.
type dataView struct {
	Awards   []dataAward
	Claims   []dataClaim
	Passport *dataPassport
	Slugs    []string
	Sessions []dataSession
	Events   []dataEvent
}

type dataAward struct{ Title, Space, Date, Expires, Status, StatusLabel string }
type dataClaim struct{ Title, Claimed, Wallet string }
type dataSession struct{ IdP, Name, Created, Expires string }
type dataEvent struct{ What, Detail, At string }
type dataPassport struct {
	URL, Name, Indexable, Created, Updated string
	Badges                                 int
}

// privacyView is the privacy page's configurable part.
type privacyView struct {
	Controller, DPO, DPOHref               string
	SessionTTL, AuditRetention, PurgeEvery string
	AssertionGrace                         string
}

// stamp formats a stored time for the pages.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// duration says d in words, in days, hours or minutes.
func duration(d time.Duration, lang string) string {
	m := messages[lang]
	unit := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + m[one]
		}
		return fmt.Sprintf("%d %s", n, m[many])
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day", "days")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour", "hours")
	default:
		return unit(int64((d+time.Minute-1)/time.Minute), "minute", "minutes")
	}
}

// awardTitle is an award's name and level in lang.
func awardTitle(e claimindex.Entry, lang string) string {
	t := pick(e.Name, lang)
	if lv := pick(e.LevelName, lang); lv != "" {
		t += " — " + lv
	}
	return t
}

// sessionDataOf decodes what a session keeps beyond the store's fields.
func sessionDataOf(b []byte) sessionData {
	var d sessionData
	_ = json.Unmarshal(b, &d)
	return d
}

// myData lists everything held about the student.
func (s *Server) myData(w http.ResponseWriter, r *http.Request, sess Session) {
	l := lang(r)
	m := messages[l]
	held, err := s.cfg.Store.Data(r.Context(), sess.Subject)
	if err != nil {
		s.internal(w, r, "my data", err)
		return
	}
	v := &dataView{}
	titles := map[string]string{}
	for _, e := range s.awards(sess) {
		titles[e.Space+"/"+e.Award] = awardTitle(e, l)
		v.Awards = append(v.Awards, dataAward{Title: awardTitle(e, l), Space: pick(e.SpaceName, l), Date: e.Date,
			Expires: e.Expires, Status: e.Status, StatusLabel: m["status_"+e.Status]})
	}
	title := func(space, award string) string {
		if t := titles[space+"/"+award]; t != "" {
			return t
		}
		return space + "/" + award // no longer in the site (revoked and removed)
	}
	for _, c := range held.Claims {
		v.Claims = append(v.Claims, dataClaim{Title: title(c.Award.Space, c.Award.Award), Claimed: stamp(c.ClaimedAt), Wallet: stamp(c.WalletAt)})
	}
	if p := held.Passport; p != nil {
		v.Passport = &dataPassport{URL: s.cfg.SiteURL + "passport/" + p.Slug + "/", Name: p.DisplayName,
			Indexable: m[map[bool]string{true: "yes", false: "no"}[p.Indexable]],
			Created:   stamp(p.Created), Updated: stamp(p.Updated), Badges: len(p.Awards)}
	}
	v.Slugs = held.Slugs
	for _, ss := range held.Sessions {
		name := ss.IdP
		if idp, ok := s.cfg.Directory.Lookup(ss.IdP); ok {
			name = idpName(idp, l)
		}
		v.Sessions = append(v.Sessions, dataSession{IdP: name, Name: sessionDataOf(ss.Data).DisplayName,
			Created: stamp(ss.Created), Expires: stamp(ss.Expires)})
	}
	for _, e := range held.Events {
		what := m["event_"+e.Kind]
		if what == "" {
			what = e.Kind
		}
		detail := e.Detail
		if sp, aw, ok := strings.Cut(e.Detail, "/"); ok {
			detail = title(sp, aw)
		}
		v.Events = append(v.Events, dataEvent{What: what, Detail: detail, At: stamp(e.At)})
	}
	s.render(w, r, http.StatusOK, "mydata", pageData{Data: v, CSRF: csrfToken(sess)})
}

// archive is the student's copy of everything held about them, as one zip
// file: their credentials in every published format and the badge images
// baked with them (read from the site folder), what the store keeps, with
// its dates (data.json), and a README in their language.
func (s *Server) archive(w http.ResponseWriter, r *http.Request, sess Session) {
	l := lang(r)
	now := s.cfg.Now()
	held, err := s.cfg.Store.Data(r.Context(), sess.Subject)
	if err != nil {
		s.internal(w, r, "my data", err)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, body []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		_, err = f.Write(body)
		return err
	}
	doc := archiveData{Generated: now.UTC(), Subject: sess.Subject, Awards: []archiveAward{},
		Sessions: []archiveSession{}, Claims: []archiveClaim{}, Slugs: held.Slugs, Events: []archiveEvent{}}
	for _, e := range s.awards(sess) {
		dir := "badges/" + e.Space + "/" + e.Badge
		if e.Level != "" {
			dir += "-" + e.Level
		}
		dir += "-" + e.Award + "/"
		a := archiveAward{Space: e.Space, Award: e.Award, Badge: e.Badge, Level: e.Level, Name: e.Name,
			Date: e.Date, Expires: e.Expires, Status: e.Status, Page: s.cfg.SiteURL + e.BadgePage}
		cred, err := s.siteFile(e.Credential)
		if err != nil {
			s.internal(w, r, "read credential", err)
			return
		}
		files := []struct {
			name string
			src  string
			body []byte
		}{{name: "credential.json", body: cred}, {name: "credential.jwt", src: e.CredentialJWT}, {name: "assertion-ob2.json", src: e.Assertion}}
		for _, f := range files {
			body := f.body
			if body == nil {
				if f.src == "" {
					continue
				}
				if body, err = s.siteFile(f.src); errors.Is(err, fs.ErrNotExist) {
					continue // a format the site does not publish
				} else if err != nil {
					s.internal(w, r, "read credential", err)
					return
				}
			}
			if err := add(dir+f.name, body); err != nil {
				s.internal(w, r, "zip", err)
				return
			}
			a.Files = append(a.Files, dir+f.name)
		}
		img, _, err := s.baked(e, cred)
		if err != nil {
			s.internal(w, r, "bake", err)
			return
		}
		name := dir + "badge" + path.Ext(e.Image)
		if err := add(name, img); err != nil {
			s.internal(w, r, "zip", err)
			return
		}
		a.Files = append(a.Files, name)
		doc.Awards = append(doc.Awards, a)
	}
	for _, ss := range held.Sessions {
		d := sessionDataOf(ss.Data)
		doc.Sessions = append(doc.Sessions, archiveSession{IdP: ss.IdP, Created: ss.Created, Expires: ss.Expires,
			DisplayName: d.DisplayName, IdentifierHashes: d.Keys})
	}
	for _, c := range held.Claims {
		ac := archiveClaim{Space: c.Award.Space, Award: c.Award.Award, Claimed: c.ClaimedAt}
		if !c.WalletAt.IsZero() {
			t := c.WalletAt
			ac.Wallet = &t
		}
		doc.Claims = append(doc.Claims, ac)
	}
	if p := held.Passport; p != nil {
		ap := &archivePassport{Address: s.cfg.SiteURL + "passport/" + p.Slug + "/", Slug: p.Slug, DisplayName: p.DisplayName,
			Indexable: p.Indexable, Email: p.Email, Lang: p.Lang, Awards: []string{}, Created: p.Created, Updated: p.Updated}
		for _, a := range p.Awards {
			ap.Awards = append(ap.Awards, a.Space+"/"+a.Award)
		}
		ap.Headline = p.Headline
		for _, l := range p.Links {
			ap.Links = append(ap.Links, archiveLink{Label: l.Label, URL: l.URL})
		}
		for i, g := range p.Groups {
			if g != "" && i < len(p.Awards) {
				if ap.Groups == nil {
					ap.Groups = map[string]string{}
				}
				ap.Groups[p.Awards[i].Space+"/"+p.Awards[i].Award] = g
			}
		}
		doc.Passport = ap
	}
	for _, e := range held.Events {
		doc.Events = append(doc.Events, archiveEvent{Kind: e.Kind, Detail: e.Detail, At: e.At})
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		s.internal(w, r, "my data", err)
		return
	}
	readme := messages[l]["archiveReadme"]
	readme = strings.ReplaceAll(readme, "{{date}}", stamp(now))
	readme = strings.ReplaceAll(readme, "{{privacy}}", s.cfg.URL+"privacy")
	for _, f := range []struct {
		name string
		body []byte
	}{{messages[l]["archiveReadmeName"], []byte(strings.ReplaceAll(readme, "\n", "\r\n"))}, {"data.json", append(js, '\n')}} {
		if err := add(f.name, f.body); err != nil {
			s.internal(w, r, "zip", err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		s.internal(w, r, "zip", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "data-download", "", now)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+messages[l]["archiveName"]+"-"+now.UTC().Format("2006-01-02")+`.zip"`)
	w.Write(buf.Bytes())
}

// archiveData is data.json in the archive (documented in docs/privacy.md).
type archiveData struct {
	Generated time.Time        `json:"generated"`
	Subject   string           `json:"subject"`
	Awards    []archiveAward   `json:"awards"`
	Sessions  []archiveSession `json:"sessions"`
	Claims    []archiveClaim   `json:"claims"`
	Passport  *archivePassport `json:"passport"`
	Slugs     []string         `json:"reservedPassportAddresses"`
	Events    []archiveEvent   `json:"auditEvents"`
}

type archiveAward struct {
	Space   string            `json:"space"`
	Award   string            `json:"award"`
	Badge   string            `json:"badge"`
	Level   string            `json:"level,omitempty"`
	Name    map[string]string `json:"name"`
	Date    string            `json:"date"`
	Expires string            `json:"expires,omitempty"`
	Status  string            `json:"status"`
	Page    string            `json:"page"`
	Files   []string          `json:"files"`
}

type archiveSession struct {
	IdP              string    `json:"identityProvider"`
	Created          time.Time `json:"created"`
	Expires          time.Time `json:"expires"`
	DisplayName      string    `json:"nameFromInstitution,omitempty"`
	IdentifierHashes []string  `json:"identifierHashes"`
}

type archiveClaim struct {
	Space   string     `json:"space"`
	Award   string     `json:"award"`
	Claimed time.Time  `json:"firstDownloaded"`
	Wallet  *time.Time `json:"firstWalletDownload,omitempty"`
}

type archivePassport struct {
	Address     string   `json:"address"`
	Slug        string   `json:"slug"`
	DisplayName string   `json:"displayName"`
	Indexable   bool     `json:"indexable"`
	Email       string   `json:"email,omitempty"`
	Lang        string   `json:"lang,omitempty"`
	Awards      []string `json:"awards"`
	Headline    string   `json:"headline,omitempty"`
	// Links and Groups (award → group name) are what the student added.
	Links   []archiveLink     `json:"links,omitempty"`
	Groups  map[string]string `json:"groups,omitempty"`
	Created time.Time         `json:"created"`
	Updated time.Time         `json:"updated"`
}

type archiveLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

type archiveEvent struct {
	Kind   string    `json:"kind"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// eraseForm is the confirmation step before an erasure.
func (s *Server) eraseForm(w http.ResponseWriter, r *http.Request, sess Session) {
	s.render(w, r, http.StatusOK, "erase", pageData{CSRF: csrfToken(sess)})
}

// erase removes the student's account: sessions, claims, passport and
// audit events, in one transaction. The badges the institution issued
// stay as they are; the next build removes the passport page. The log
// says that an account was erased, with counts, never whose.
func (s *Server) erase(w http.ResponseWriter, r *http.Request, sess Session) {
	if r.PostForm.Get("confirm") != "yes" {
		s.render(w, r, http.StatusUnprocessableEntity, "erase", pageData{CSRF: csrfToken(sess), Notice: "eraseUnconfirmed"})
		return
	}
	n, err := s.cfg.Store.Erase(r.Context(), sess.Subject)
	if err != nil {
		s.internal(w, r, "erase", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), "", "account-erased", "", s.cfg.Now())
	s.cfg.Log.Info("account erased", slog.Int64("sessions", n.Sessions), slog.Int64("claims", n.Claims),
		slog.Int64("passports", n.Passports), slog.Int64("events", n.Events))
	s.setSessionCookie(w, "", -1)
	if n.Passports > 0 {
		s.changed()
	}
	u := s.path("erased")
	if l := r.URL.Query().Get("lang"); l != "" {
		u += "?lang=" + lang(r)
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// erased confirms an erasure.
func (s *Server) erased(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "erased", pageData{})
}

// privacy explains what the server keeps, why, for how long, and whom to
// ask.
func (s *Server) privacy(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	p := &privacyView{Controller: s.cfg.Privacy.Controller, DPO: s.cfg.Privacy.DPO,
		SessionTTL: duration(s.cfg.SessionTTL, l), AuditRetention: duration(s.cfg.AuditRetention, l),
		PurgeEvery: duration(s.cfg.PurgeEvery, l), AssertionGrace: duration(assertionGrace, l)}
	switch d := s.cfg.Privacy.DPO; {
	case strings.HasPrefix(d, "https://") || strings.HasPrefix(d, "http://"):
		p.DPOHref = d
	case strings.Contains(d, "@") && !strings.ContainsAny(d, " <>"):
		p.DPOHref = "mailto:" + d
	}
	_, logged := s.currentSession(r)
	s.render(w, r, http.StatusOK, "privacy", pageData{Privacy: p, LoggedIn: logged})
}
