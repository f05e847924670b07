package claim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

// The DCC Learner Credential Wallet (lcw.app) delivery, by a VC-API
// exchange (docs/dcc-wallet.md): the student opens a page showing a
// deep link (and its QR code for a phone)
//
//	dccrequest://request?request={"credentialRequestOrigin": …, "protocols": {"vcapi": <exchange URL>}}
//
// and the wallet POSTs to the exchange URL, which answers with an unsigned
// verifiable presentation holding the award's Open Badges 3.0 credential,
// as signed by the build: the claim tier holds no signing key.
//
// The exchange URL carries a capability: the award, an expiry, and an HMAC
// of both under a key derived from the server secret. It is minted for a
// logged-in owner of the award, valid dccTTL, and lives under
// /me/download/ so the access log does not show it.

// dccTTL is how long an exchange URL works after the page shows it.
const dccTTL = 15 * time.Minute

// dccRoutes adds the DCC wallet page and the VC-API exchange.
func (s *Server) dccRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/download/{space}/{award}/dcc", s.authed(s.dccPage))
	mux.HandleFunc("POST /me/download/{space}/{award}/dcc/{token}", s.limited(s.dccExchange))
}

// dccMAC is the capability's HMAC over the award and the expiry.
func (s *Server) dccMAC(space, award string, exp int64) []byte {
	k := hmac.New(sha256.New, s.cfg.Secret)
	k.Write([]byte("blason dcc exchange key"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(space + "\x00" + award + "\x00" + strconv.FormatInt(exp, 10)))
	return m.Sum(nil)
}

// dccToken is "<expiry unix seconds>.<base64url HMAC>".
func (s *Server) dccToken(space, award string, now time.Time) string {
	exp := now.Add(dccTTL).Unix()
	return strconv.FormatInt(exp, 10) + "." + base64.RawURLEncoding.EncodeToString(s.dccMAC(space, award, exp))
}

func (s *Server) dccTokenValid(space, award, token string, now time.Time) bool {
	e, mac, ok := strings.Cut(token, ".")
	exp, err := strconv.ParseInt(e, 10, 64)
	if !ok || err != nil || now.Unix() > exp {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	return err == nil && hmac.Equal(got, s.dccMAC(space, award, exp))
}

// dccView is the wallet page.
type dccView struct {
	pageData
	Badge    string
	DeepLink template.URL // dccrequest://… (html/template would refuse the scheme)
	QR       template.URL // data:image/png;base64,…
}

var dccTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for lang := range messages {
		out[lang] = template.Must(template.New("dcc").Option("missingkey=error").ParseFS(templateFS, "templates/base.html", "templates/dcc.html"))
	}
	return out
}()

func (s *Server) dccPage(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.owned(sess, r.PathValue("space"), r.PathValue("award"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "errNotYours")
		return
	}
	if !exportOffered(e) {
		s.fail(w, r, http.StatusGone, "errDCCStatus")
		return
	}
	exchange := s.base.JoinPath("me/download", e.Space, e.Award, "dcc", s.dccToken(e.Space, e.Award, s.cfg.Now()))
	origin := s.base.Scheme + "://" + s.base.Host
	req, _ := json.Marshal(map[string]any{"credentialRequestOrigin": origin, "protocols": map[string]string{"vcapi": exchange.String()}})
	link := "dccrequest://request?" + url.Values{"request": {string(req)}}.Encode()
	png, err := qrcode.Encode(link, qrcode.Medium, 320)
	if err != nil {
		s.internal(w, r, "qr code", err)
		return
	}
	l := lang(r)
	d := dccView{pageData: pageData{Lang: l, T: messages[l], OtherLang: map[string]string{"fr": "en", "en": "fr"}[l],
		SiteURL: s.cfg.SiteURL, Base: s.base.Path, Title: messages[l]["dccTitle"]},
		Badge: pick(e.Name, l), DeepLink: template.URL(link),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
	var buf bytes.Buffer
	if err := dccTemplates[l].ExecuteTemplate(&buf, "base", d); err != nil {
		s.cfg.Log.Error("render", slog.String("page", "dcc"), slog.String("error", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// dccError is a VC-API error answer.
func dccError(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"type": "about:blank", "title": title})
}

// dccExchange answers the wallet's POST (any JSON body, usually {}) with
// the presentation. Revocation is checked now, not when the link was made.
func (s *Server) dccExchange(w http.ResponseWriter, r *http.Request) {
	space, award := r.PathValue("space"), r.PathValue("award")
	if !s.dccTokenValid(space, award, r.PathValue("token"), s.cfg.Now()) {
		dccError(w, http.StatusNotFound, "unknown or expired exchange: open the page of the badge again")
		return
	}
	e, ok := s.cfg.Index().Find(space, award)
	if !ok {
		dccError(w, http.StatusNotFound, "unknown or expired exchange: open the page of the badge again")
		return
	}
	if !exportOffered(e) {
		dccError(w, http.StatusGone, "this badge is revoked or suspended")
		return
	}
	cred, err := s.siteFile(e.Credential)
	if err != nil || !json.Valid(cred) {
		s.cfg.Log.Error("internal error", slog.String("what", "dcc read credential"), slog.Any("error", err))
		dccError(w, http.StatusInternalServerError, "internal error")
		return
	}
	vp := map[string]any{
		"verifiablePresentation": map[string]any{
			"@context":             []string{"https://www.w3.org/ns/credentials/v2"},
			"type":                 []string{"VerifiablePresentation"},
			"verifiableCredential": []json.RawMessage{cred},
		},
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(vp)
}
