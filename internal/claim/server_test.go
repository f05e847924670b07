package claim

import (
	"bytes"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/ssptest"
)

// unit is a claim server with no identity provider process: sessions are
// put straight into its store.
type unit struct {
	srv   *Server
	h     http.Handler
	store *memStore
	cert  *x509.Certificate
	ix    *claimindex.Index
	key   []byte
	logs  *bytes.Buffer
}

func newUnit(t *testing.T, base string, limit int) *unit {
	t.Helper()
	key, cert := ssptest.SelfSigned(t, "unit SP")
	idxKey := bytes.Repeat([]byte{9}, 32)
	ix := &claimindex.Index{Version: 1, Recipients: map[string][]int{}, Entries: []claimindex.Entry{
		{Space: "universite", SpaceName: map[string]string{"fr": "Université"}, Award: "aaaa", Badge: "tutorat",
			Name: map[string]string{"fr": "Tutorat", "en": "Peer tutoring"}, Date: "2025-01-02", Status: "valid",
			Image: "universite/badges/tutorat.svg", BadgePage: "universite/badges/tutorat/"},
		{Space: "universite", SpaceName: map[string]string{"fr": "Université"}, Award: "bbbb", Badge: "secourisme",
			Name: map[string]string{"fr": "Secourisme"}, Date: "2025-02-03", Status: "revoked",
			Image: "universite/badges/secourisme.svg", BadgePage: "universite/badges/secourisme/"},
	}}
	ix.Recipients[claimindex.Hash(idxKey, claimindex.KindEPPN, "e1@univ-test.fr")] = []int{0, 1}
	dir := staticDirectory{"https://idp.univ-test.fr/idp": {
		EntityID: "https://idp.univ-test.fr/idp", Names: map[string]string{"fr": "Université de Test", "en": "Test University"},
		Metadata: &saml.EntityDescriptor{EntityID: "https://idp.univ-test.fr/idp", IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: "https://idp.univ-test.fr/sso"}}}}},
		OwnsScope: func(s string) bool { return strings.EqualFold(s, "univ-test.fr") },
	}}
	u := &unit{store: newMemStore(), cert: cert, ix: ix, key: idxKey, logs: &bytes.Buffer{}}
	var err error
	u.srv, err = New(Config{URL: base, SiteURL: "https://badges.example.fr/", SiteDir: t.TempDir(),
		Index: func() *claimindex.Index { return ix }, IndexKey: idxKey, Secret: bytes.Repeat([]byte{1}, 32),
		SPKey: key, SPCert: cert, Directory: dir, Store: u.store, RateLimit: limit,
		Organization: Organization{Names: map[string]string{"fr": "Mes badges", "en": "My badges"},
			Descriptions:   map[string]string{"fr": "Récupérer ses badges", "en": "Claim your badges"},
			InformationURL: "https://badges.example.fr/", PrivacyURL: "https://badges.example.fr/privacy/",
			TechnicalEmail: "tech@example.fr", SupportEmail: "help@example.fr", SecurityEmail: "cert@example.fr"},
		Log: slog.New(slog.NewJSONHandler(u.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	u.h = u.srv.Handler()
	return u
}

// login puts a session for e1@univ-test.fr in the store.
func (u *unit) login(t *testing.T) Session {
	t.Helper()
	s := Session{ID: randomID(32), Subject: "subj-1", IdP: "https://idp.univ-test.fr/idp",
		Keys:        []string{claimindex.Hash(u.key, claimindex.KindEPPN, "e1@univ-test.fr")},
		DisplayName: "Camille", CSRF: randomID(32), Expires: time.Now().Add(time.Hour)}
	if _, err := u.store.CreateSession(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (u *unit) do(t *testing.T, method, target string, form url.Values, sess *Session) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = "192.0.2.1:1234"
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if sess != nil {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID})
	}
	w := httptest.NewRecorder()
	u.h.ServeHTTP(w, r)
	return w
}

func TestSPMetadata(t *testing.T) {
	u := newUnit(t, "https://claim.example.fr/", 100)
	w := u.do(t, "GET", "https://claim.example.fr/saml/metadata", nil, nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/samlmetadata+xml" {
		t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.Bytes()
	// Signed with the SP key: crewjam verifies it with the SP certificate.
	if _, err := saml.VerifyMetadataSignature(body, []*x509.Certificate{u.cert}); err != nil {
		t.Fatalf("metadata signature: %v", err)
	}
	for _, want := range []string{
		`AuthnRequestsSigned="true"`, `WantAssertionsSigned="true"`,
		`DisplayName xml:lang="fr"`, `>Mes badges<`, `DisplayName xml:lang="en"`, `>My badges<`,
		`PrivacyStatementURL`, `contactType="technical"`, `contactType="support"`,
		`http://refeds.org/metadata/contactType/security`, `mailto:cert@example.fr`,
		`Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.6"`, `Name="urn:oasis:names:tc:SAML:attribute:pairwise-id"`,
		`isRequired="true"`, `https://refeds.org/category/personalized`, `https://refeds.org/sirtfi`,
		`https://claim.example.fr/saml/acs`, `entityID="https://claim.example.fr/saml/metadata"`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metadata lacks %s", want)
		}
	}
	// A tampered copy does not verify.
	bad := bytes.Replace(body, []byte("My badges"), []byte("My bodges"), 1)
	if _, err := saml.VerifyMetadataSignature(bad, []*x509.Certificate{u.cert}); err == nil {
		t.Fatal("tampered metadata verified")
	}
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	u := newUnit(t, "https://claim.example.fr/", 100)
	w := u.do(t, "GET", "https://claim.example.fr/login?entityID="+url.QueryEscape("https://idp.univ-test.fr/idp"), nil, nil)
	if w.Code != http.StatusFound || !strings.HasPrefix(w.Header().Get("Location"), "https://idp.univ-test.fr/sso?SAMLRequest=") {
		t.Fatalf("login: %d %s", w.Code, w.Header().Get("Location"))
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	if loc.Query().Get("Signature") == "" || loc.Query().Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Fatalf("AuthnRequest not signed with RSA-SHA256: %s", loc.RawQuery)
	}
	csp := w.Header().Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %s", csp, d)
		}
	}
	if w.Header().Get("Strict-Transport-Security") == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("missing HSTS or nosniff")
	}
	var tracker *http.Cookie
	for _, c := range w.Result().Cookies() {
		if strings.HasPrefix(c.Name, "saml_") {
			tracker = c
		}
	}
	if tracker == nil || !tracker.Secure || !tracker.HttpOnly || tracker.SameSite != http.SameSiteNoneMode {
		t.Fatalf("request-tracking cookie: %+v", tracker)
	}
	// The session cookie after logout is cleared with the same flags.
	s := u.login(t)
	me := u.do(t, "GET", "https://claim.example.fr/me", nil, &s)
	tok := csrfFrom(t, me.Body.String())
	w = u.do(t, "POST", "https://claim.example.fr/logout", url.Values{"csrf": {tok}}, &s)
	var sc *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if w.Code != http.StatusSeeOther || sc == nil || !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.MaxAge >= 0 {
		t.Fatalf("logout: %d cookie %+v", w.Code, sc)
	}
	if _, err := u.store.Session(t.Context(), s.ID); err == nil {
		t.Fatal("session survives logout")
	}
}

func csrfFrom(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `name="csrf" value="`)
	if i < 0 {
		t.Fatalf("no CSRF field in\n%s", page)
	}
	rest := page[i+len(`name="csrf" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestMyBadgesAndPassportConsent(t *testing.T) {
	u := newUnit(t, "http://claim.example.fr/", 100)
	var changes atomic.Int32
	u.srv.cfg.OnPassportChange = func() { changes.Add(1) }
	s := u.login(t)
	me := u.do(t, "GET", "http://claim.example.fr/me?lang=en", nil, &s)
	page := me.Body.String()
	if me.Code != 200 || !strings.Contains(page, "Peer tutoring") || !strings.Contains(page, "revoked") || !strings.Contains(page, `lang="en"`) {
		t.Fatalf("me: %d\n%s", me.Code, page)
	}
	tok := csrfFrom(t, page)
	post := func(path string, f url.Values) *httptest.ResponseRecorder {
		return u.do(t, "POST", "http://claim.example.fr"+path, f, &s)
	}
	// No token, wrong token: refused, nothing saved.
	for _, f := range []url.Values{{"slug": {"camille"}, "name": {"Camille"}}, {"csrf": {"x"}, "slug": {"camille"}, "name": {"Camille"}}} {
		if w := post("/me/passport", f); w.Code != http.StatusForbidden {
			t.Fatalf("CSRF: %d", w.Code)
		}
	}
	if _, err := u.store.Passport(t.Context(), "subj-1"); err == nil {
		t.Fatal("passport saved without a valid CSRF token")
	}
	// Bad slug, then a good one.
	if w := post("/me/passport", url.Values{"csrf": {tok}, "slug": {"../x"}, "name": {"Camille"}}); !strings.Contains(w.Header().Get("Location"), "badSlug") {
		t.Fatalf("bad slug: %s", w.Header().Get("Location"))
	}
	if w := post("/me/passport", url.Values{"csrf": {tok}, "slug": {"camille-m"}, "name": {"Camille M."}, "indexable": {"1"}}); !strings.Contains(w.Header().Get("Location"), "saved") {
		t.Fatalf("save: %s", w.Header().Get("Location"))
	}
	// Only one's own awards can be added.
	if w := post("/me/passport/badges", url.Values{"csrf": {tok}, "toggle": {"add:universite:zzzz"}}); w.Code != http.StatusNotFound {
		t.Fatalf("foreign award: %d", w.Code)
	}
	post("/me/passport/badges", url.Values{"csrf": {tok}, "toggle": {"add:universite:aaaa"}})
	p, err := u.store.Passport(t.Context(), "subj-1")
	if err != nil || p.Slug != "camille-m" || p.DisplayName != "Camille M." || !p.Indexable || len(p.Awards) != 1 || p.Awards[0].Award != "aaaa" {
		t.Fatalf("passport %+v %v", p, err)
	}
	post("/me/passport/badges", url.Values{"csrf": {tok}, "toggle": {"remove:universite:aaaa"}})
	if p, _ = u.store.Passport(t.Context(), "subj-1"); len(p.Awards) != 0 {
		t.Fatalf("remove: %+v", p)
	}
	// Another student cannot take the slug.
	u.store.SavePassport(t.Context(), "subj-2", passportWithSlug("taken"), time.Now())
	if w := post("/me/passport", url.Values{"csrf": {tok}, "slug": {"taken"}, "name": {"C"}}); !strings.Contains(w.Header().Get("Location"), "slugTaken") {
		t.Fatalf("slug taken: %s", w.Header().Get("Location"))
	}
	// Nor the address of a page the site already publishes (a content file's).
	os.MkdirAll(filepath.Join(u.srv.cfg.SiteDir, "passport", "from-file"), 0o755)
	os.WriteFile(filepath.Join(u.srv.cfg.SiteDir, "passport", "from-file", "index.html"), []byte("page"), 0o644)
	if w := post("/me/passport", url.Values{"csrf": {tok}, "slug": {"from-file"}, "name": {"C"}}); !strings.Contains(w.Header().Get("Location"), "slugTaken") {
		t.Fatalf("published slug: %s", w.Header().Get("Location"))
	}
	post("/me/passport/delete", url.Values{"csrf": {tok}})
	if _, err := u.store.Passport(t.Context(), "subj-1"); err == nil {
		t.Fatal("passport not deleted")
	}
	time.Sleep(50 * time.Millisecond) // OnPassportChange runs in a goroutine
	if changes.Load() == 0 {
		t.Fatal("no rebuild triggered")
	}
}

func TestDiscoveryTreatsEntityIDAsUntrusted(t *testing.T) {
	u := newUnit(t, "http://claim.example.fr/", 100)
	w := u.do(t, "GET", "http://claim.example.fr/?q=test&lang=en", nil, nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Test University") ||
		!strings.Contains(w.Body.String(), `href="/login?entityID=https%3a%2f%2fidp.univ-test.fr%2fidp&amp;lang=en"`) {
		t.Fatalf("search: %d\n%s", w.Code, w.Body)
	}
	if w := u.do(t, "GET", "http://claim.example.fr/?q=nothing-like-this", nil, nil); strings.Contains(w.Body.String(), "Université de Test") {
		t.Fatal("search does not filter")
	}
	// ?idp= hint and the remembered choice show the provider first.
	w = u.do(t, "GET", "http://claim.example.fr/?idp="+url.QueryEscape("https://idp.univ-test.fr/idp"), nil, nil)
	if !strings.Contains(w.Body.String(), "Dernier établissement utilisé") {
		t.Fatal("idp hint ignored")
	}
	for _, evil := range []string{`"><script>alert(1)</script>`, "javascript:alert(1)", "https://evil.example/idp"} {
		w := u.do(t, "GET", "http://claim.example.fr/login?entityID="+url.QueryEscape(evil), nil, nil)
		if w.Code != http.StatusBadRequest || strings.Contains(w.Body.String(), "<script>alert") || w.Header().Get("Location") != "" {
			t.Fatalf("entityID %q: %d %s", evil, w.Code, w.Header().Get("Location"))
		}
		w = u.do(t, "GET", "http://claim.example.fr/?idp="+url.QueryEscape(evil), nil, nil)
		if strings.Contains(w.Body.String(), "<script>alert") || strings.Contains(w.Body.String(), "evil.example") {
			t.Fatalf("hint %q reflected", evil)
		}
	}
}

func TestRateLimitAndProbes(t *testing.T) {
	u := newUnit(t, "http://claim.example.fr/", 3)
	var last int
	for range 4 {
		last = u.do(t, "GET", "http://claim.example.fr/login?entityID=x", nil, nil).Code
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("4th login in a minute: %d", last)
	}
	if w := u.do(t, "GET", "http://claim.example.fr/healthz", nil, nil); w.Code != 200 {
		t.Fatal("healthz")
	}
	if w := u.do(t, "GET", "http://claim.example.fr/readyz", nil, nil); w.Code != 200 {
		t.Fatal("readyz")
	}
	u.srv.SetReady(false)
	if w := u.do(t, "GET", "http://claim.example.fr/readyz", nil, nil); w.Code != http.StatusServiceUnavailable {
		t.Fatal("readyz while draining")
	}
	// The access log has routes, not identifiers.
	s := u.login(t)
	u.do(t, "GET", "http://claim.example.fr/me/download/universite/aaaa/credential.json", nil, &s)
	if strings.Contains(u.logs.String(), "aaaa") || !strings.Contains(u.logs.String(), `"route":"/me/download/…"`) {
		t.Fatalf("access log: %s", u.logs)
	}
}

func passportWithSlug(slug string) passport.Passport {
	return passport.Passport{Slug: slug, DisplayName: "Other"}
}
