// Package claim is `blason claim`, the only dynamic part of Blason: students
// log in through their institution's SAML identity provider (Renater,
// eduGAIN), see the awards the build issued to them, download them (signed
// credential, baked image) and choose what their passport page shows.
//
// The server holds no plaintext roster: it finds a student's awards through
// the keyed hashes of the build's claim index, and its store keeps only an
// opaque subject hash per student.
package claim

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crewjam/saml"

	"github.com/francebadge/blason/internal/claimindex"
)

// IdP is an identity provider the server trusts.
type IdP struct {
	EntityID string
	Names    map[string]string // display names by language (mdui:DisplayName)
	// Metadata is the provider's verified metadata, used for the SAML
	// exchange.
	Metadata *saml.EntityDescriptor
	// OwnsScope reports whether the provider may assert a scoped value of
	// that scope (shibmd:Scope, case-insensitive).
	OwnsScope func(scope string) bool
}

// Directory is the set of trusted identity providers (a federation).
type Directory interface {
	// Lookup finds a provider by entityID.
	Lookup(entityID string) (*IdP, bool)
	// Search lists providers whose name matches query, for the discovery
	// page.
	Search(query, lang string, limit int) []*IdP
}

// Config parameterises a claim server.
type Config struct {
	// URL is the public base URL of the claim server (ends with "/").
	URL string
	// SiteURL is the public base URL of the published site; SiteDir its
	// folder on this host (credentials and images are read from there).
	SiteURL, SiteDir string
	// Index returns the current claim index (it may be reloaded after a
	// build); IndexKey is its key.
	Index    func() *claimindex.Index
	IndexKey []byte
	// Secret keys the subject hashes and CSRF tokens (32 bytes or more).
	Secret []byte
	// SP is the service provider's key and certificate (SAML signing).
	SPKey  *rsa.PrivateKey
	SPCert *x509.Certificate
	// EntityID of the service provider; default URL + "saml/metadata".
	EntityID string
	// Organisation and contacts for the SP metadata.
	Organization Organization
	Directory    Directory
	Store        Store
	// OnPassportChange is called (asynchronously) after a student changed
	// their passport, so a single-host deployment can rebuild the page.
	OnPassportChange func()
	Log              *slog.Logger
	Now              func() time.Time // default time.Now
	SessionTTL       time.Duration    // default 8 hours
	// RateLimit is the number of login and consent requests a client
	// address may make per minute (default 60).
	RateLimit int
	// Privacy names who answers for the students' data, on the privacy
	// page.
	Privacy Privacy
	// AuditRetention is how long audit events are kept (default 180
	// days); PurgeEvery how often expired sessions, replay-cache entries
	// and audit events are removed (default 10 minutes; see RunPurge).
	AuditRetention, PurgeEvery time.Duration
	// Wallet parameterises OpenID4VCI delivery (wallet.go).
	Wallet Wallet
}

// Privacy is who answers for the data the claim server keeps, shown on its
// privacy page: the controller (the institution, its address) and the
// data protection officer's contact (an e-mail address or a web page).
type Privacy struct {
	Controller, DPO string
}

// Organization describes the service for its SAML metadata (mdui:UIInfo,
// Organization, ContactPerson).
type Organization struct {
	Names                                       map[string]string // fr, en
	Descriptions                                map[string]string
	InformationURL, PrivacyURL                  string
	TechnicalEmail, SupportEmail, SecurityEmail string
}

// Server serves the claim pages.
type Server struct {
	cfg     Config
	base    *url.URL
	sp      *serviceProvider
	pages   *pages
	limiter *limiter
	ready   atomic.Bool
}

// New checks the configuration and makes a server.
func New(cfg Config) (*Server, error) {
	if !strings.HasSuffix(cfg.URL, "/") {
		cfg.URL += "/"
	}
	base, err := url.Parse(cfg.URL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("claim URL %q: want an absolute http(s) URL such as https://badges.example.fr/claim/", cfg.URL)
	}
	if l := cfg.Wallet.LogoURL; l != "" {
		if u, err := url.Parse(l); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("wallet logo %q: want an absolute http(s) URL such as https://univ.example.fr/logo.png", l)
		}
	}
	if cfg.Wallet.OfferTTL < 0 || cfg.Wallet.TokenTTL < 0 {
		return nil, errors.New("wallet offer and token lifetimes: want a positive duration such as 5m")
	}
	if !strings.HasSuffix(cfg.SiteURL, "/") {
		cfg.SiteURL += "/"
	}
	if len(cfg.Secret) < 32 {
		return nil, errors.New("claim server secret: need at least 32 bytes")
	}
	if cfg.Store == nil || cfg.Directory == nil || cfg.Index == nil || cfg.SPKey == nil || cfg.SPCert == nil {
		return nil, errors.New("claim server: store, directory, index, SP key and certificate are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 60
	}
	if cfg.AuditRetention == 0 {
		cfg.AuditRetention = DefaultAuditRetention
	}
	if cfg.PurgeEvery == 0 {
		cfg.PurgeEvery = DefaultPurgeEvery
	}
	if cfg.EntityID == "" {
		cfg.EntityID = cfg.URL + "saml/metadata"
	}
	if cfg.Organization.PrivacyURL == "" {
		cfg.Organization.PrivacyURL = cfg.URL + "privacy"
	}
	s := &Server{cfg: cfg, base: base, limiter: newLimiter(cfg.RateLimit, time.Minute, cfg.Now)}
	if s.sp, err = newServiceProvider(s); err != nil {
		return nil, err
	}
	if s.pages, err = newPages(); err != nil {
		return nil, err
	}
	s.ready.Store(true)
	return s, nil
}

// SetReady marks the server ready or not (readiness probe), e.g. while
// draining before shutdown.
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.limited(s.login))
	mux.HandleFunc("GET /saml/metadata", s.metadata)
	mux.HandleFunc("POST /saml/acs", s.limited(s.acs))
	mux.HandleFunc("GET /me", s.authed(s.me))
	mux.HandleFunc("GET /me/download/{space}/{award}/{file}", s.authed(s.download))
	mux.HandleFunc("POST /me/passport", s.limited(s.authed(s.csrf(s.savePassport))))
	mux.HandleFunc("POST /me/passport/badges", s.limited(s.authed(s.csrf(s.toggleBadge))))
	mux.HandleFunc("POST /me/passport/delete", s.limited(s.authed(s.csrf(s.deletePassport))))
	mux.HandleFunc("POST /me/passport/layout", s.limited(s.authed(s.csrf(s.savePassportLayout))))
	mux.HandleFunc("POST /logout", s.authed(s.csrf(s.logout)))
	mux.HandleFunc("GET /privacy", s.privacy)
	mux.HandleFunc("GET /erased", s.erased)
	mux.HandleFunc("GET /me/data", s.authed(s.myData))
	mux.HandleFunc("GET /me/data/archive.zip", s.limited(s.authed(s.archive)))
	mux.HandleFunc("GET /me/erase", s.authed(s.eraseForm))
	mux.HandleFunc("POST /me/erase", s.limited(s.authed(s.csrf(s.erase))))
	s.walletRoutes(mux)   // OpenID4VCI (wallet.go)
	s.europassRoutes(mux) // European Learning Model downloads (europass.go)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return s.accessLog(s.secure(http.StripPrefix(strings.TrimSuffix(s.base.Path, "/"), mux)))
}

// path returns the absolute path of a route under the server's base.
func (s *Server) path(p string) string { return s.base.Path + strings.TrimPrefix(p, "/") }

// subject is the opaque, keyed hash under which the store knows a student.
func (s *Server) subject(idp, id string) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("subject\x00" + idp + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfToken derives a form token from the session's secret.
func csrfToken(sess Session) string {
	m := hmac.New(sha256.New, []byte(sess.CSRF))
	m.Write([]byte("form"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// secure adds the security headers to every response.
func (s *Server) secure(next http.Handler) http.Handler {
	site := origin(s.cfg.SiteURL)
	csp := "default-src 'none'; style-src 'self' " + site + "; img-src 'self' data: " + site +
		"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if s.base.Scheme == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Scheme + "://" + p.Host
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// accessLog logs each request as structured data with no personal data: the
// route pattern (never the path, which may hold award ids), the status and
// the duration.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		s.cfg.Log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route(r)),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
	})
}

// route is the request's path with identifiers removed.
func route(r *http.Request) string {
	p := r.URL.Path
	if i := strings.Index(p, "/me/download/"); i >= 0 {
		return p[:i] + "/me/download/…"
	}
	return p
}

// sessionCookie is the name of the session cookie.
const sessionCookie = "blason_session"

// currentSession returns the request's session, if any.
func (s *Server) currentSession(r *http.Request) (Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return Session{}, false
	}
	sess, err := s.cfg.Store.Session(r.Context(), c.Value)
	if err != nil || !s.cfg.Now().Before(sess.Expires) {
		return Session{}, false
	}
	return sess, true
}

type sessionKey struct{}

// authed requires a session; without one it sends the browser to the
// discovery page.
func (s *Server) authed(next func(http.ResponseWriter, *http.Request, Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentSession(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, s.path("/"), http.StatusSeeOther)
				return
			}
			s.fail(w, r, http.StatusUnauthorized, "errSession")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)), sess)
	}
}

// csrf checks the form token of a state-changing request.
func (s *Server) csrf(next func(http.ResponseWriter, *http.Request, Session)) func(http.ResponseWriter, *http.Request, Session) {
	return func(w http.ResponseWriter, r *http.Request, sess Session) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil || !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(csrfToken(sess))) {
			s.fail(w, r, http.StatusForbidden, "errCSRF")
			return
		}
		next(w, r, sess)
	}
}

// limited applies the per-client rate limit.
func (s *Server) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.limiter.allow(clientAddr(r)) {
			w.Header().Set("Retry-After", "60")
			s.fail(w, r, http.StatusTooManyRequests, "errRate")
			return
		}
		next(w, r)
	}
}

func (s *Server) setSessionCookie(w http.ResponseWriter, id string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: s.base.Path, MaxAge: maxAge,
		HttpOnly: true, Secure: s.base.Scheme == "https", SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess Session) {
	_ = s.cfg.Store.DeleteSession(r.Context(), sess.ID)
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "logout", "", s.cfg.Now())
	s.setSessionCookie(w, "", -1)
	http.Redirect(w, r, s.path("/"), http.StatusSeeOther)
}
