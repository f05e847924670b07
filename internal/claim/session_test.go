package claim

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/identity"
	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/store"
)

func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	for _, tt := range []struct {
		name  string
		limit []*time.Time // SessionNotOnOrAfter of each AuthnStatement
		want  time.Time
	}{
		{"no AuthnStatement", nil, now.Add(8 * time.Hour)},
		{"no SessionNotOnOrAfter", []*time.Time{nil}, now.Add(8 * time.Hour)},
		{"IdP session ends in 10 minutes", []*time.Time{at(10 * time.Minute)}, now.Add(10 * time.Minute)},
		{"IdP session longer than 8 hours", []*time.Time{at(24 * time.Hour)}, now.Add(8 * time.Hour)},
		{"the earliest of several", []*time.Time{at(2 * time.Hour), nil, at(time.Hour)}, now.Add(time.Hour)},
		{"already ended", []*time.Time{at(-time.Minute)}, now.Add(-time.Minute)},
	} {
		a := &saml.Assertion{}
		for _, l := range tt.limit {
			a.AuthnStatements = append(a.AuthnStatements, saml.AuthnStatement{SessionNotOnOrAfter: l})
		}
		if got := sessionExpiry(a, now, 8*time.Hour); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// inProcessIdP is a crewjam identity provider signing assertions in the
// test process, trusted by a claim server whose clock the test moves.
type inProcessIdP struct {
	idp   *saml.IdentityProvider
	srv   *Server
	h     http.Handler
	st    Store
	clock *clockwork.FakeClock // the claim server's clock
}

func (p *inProcessIdP) now() time.Time { return p.clock.Now() }

func newInProcessIdP(t *testing.T) *inProcessIdP {
	t.Helper()
	p := &inProcessIdP{clock: clockwork.NewFakeClockAt(time.Now())}
	idpKey, idpCert := ssptest.SelfSigned(t, "in-process IdP")
	p.idp = &saml.IdentityProvider{Key: idpKey, Certificate: idpCert,
		MetadataURL: *mustURL("https://idp.univ-test.fr/idp"), SSOURL: *mustURL("https://idp.univ-test.fr/sso")}
	md := p.idp.Metadata()
	dir := staticDirectory{md.EntityID: {EntityID: md.EntityID, Names: map[string]string{"fr": "Université de Test"},
		Metadata: md, OwnsScope: func(s string) bool { return strings.EqualFold(s, "univ-test.fr") }}}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "claim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p.st = FromStore(st)
	key, cert := ssptest.SelfSigned(t, "claim SP")
	idxKey := bytes.Repeat([]byte{9}, 32)
	ix := &claimindex.Index{Version: 1, Recipients: map[string][]int{}}
	p.srv, err = New(Config{URL: "https://claim.example.fr/", SiteURL: "https://badges.example.fr/", SiteDir: t.TempDir(),
		Index: func() *claimindex.Index { return ix }, IndexKey: idxKey, Secret: bytes.Repeat([]byte{1}, 32),
		SPKey: key, SPCert: cert, Directory: dir, Store: p.st, Now: p.now})
	if err != nil {
		t.Fatal(err)
	}
	p.h = p.srv.Handler()
	return p
}

func (p *inProcessIdP) do(t *testing.T, r *http.Request, cookies []*http.Cookie) *http.Response {
	t.Helper()
	r.RemoteAddr = "192.0.2.1:1234"
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	return w.Result()
}

// login runs a login to its end: the claim server's AuthnRequest, an
// assertion signed by the IdP whose AuthnStatement carries
// sessionNotOnOrAfter (when not nil), and its POST to the ACS.
func (p *inProcessIdP) login(t *testing.T, sessionNotOnOrAfter *time.Time) *http.Response {
	t.Helper()
	res := p.do(t, httptest.NewRequest("GET", "https://claim.example.fr/login?idp="+url.QueryEscape(p.idp.MetadataURL.String()), nil), nil)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("login: %d", res.StatusCode)
	}
	loc, _ := url.Parse(res.Header.Get("Location"))
	raw, err := base64.StdEncoding.DecodeString(loc.Query().Get("SAMLRequest"))
	if err != nil {
		t.Fatal(err)
	}
	inflated, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var authn saml.AuthnRequest
	if err := xml.Unmarshal(inflated, &authn); err != nil {
		t.Fatal(err)
	}

	spMD := p.srv.sp.tmpl.Metadata()
	now := p.now() // the IdP's clock agrees with the server's
	req := &saml.IdpAuthnRequest{IDP: p.idp, HTTPRequest: httptest.NewRequest("POST", "https://idp.univ-test.fr/sso", nil),
		Request: authn, Now: now, ServiceProviderMetadata: spMD, SPSSODescriptor: &spMD.SPSSODescriptors[0],
		ACSEndpoint: &saml.IndexedEndpoint{Binding: saml.HTTPPostBinding, Location: authn.AssertionConsumerServiceURL}}
	attr := func(name, value string) saml.Attribute {
		return saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
			Values: []saml.AttributeValue{{Type: "xs:string", Value: value}}}
	}
	notOnOrAfter := now.Add(5 * time.Minute)
	req.Assertion = &saml.Assertion{
		ID: "id-" + randomID(16), IssueInstant: now, Version: "2.0",
		Issuer: saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.idp.MetadataURL.String()},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: string(saml.TransientNameIDFormat), Value: "_" + randomID(16)},
			SubjectConfirmations: []saml.SubjectConfirmation{{Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{InResponseTo: authn.ID, NotOnOrAfter: notOnOrAfter,
					Recipient: authn.AssertionConsumerServiceURL}}},
		},
		Conditions: &saml.Conditions{NotBefore: now.Add(-time.Minute), NotOnOrAfter: notOnOrAfter,
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: spMD.EntityID}}}},
		AuthnStatements: []saml.AuthnStatement{{AuthnInstant: now, SessionIndex: "s1", SessionNotOnOrAfter: sessionNotOnOrAfter,
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}}}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: []saml.Attribute{
			attr(identity.EPPN, "e1@univ-test.fr"), attr(identity.DisplayName, "Camille"),
		}}},
	}
	if err := req.MakeResponse(); err != nil { // signs the assertion (encrypted for the SP) and the response
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	doc.SetRoot(req.ResponseEl)
	body, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(body)}, "RelayState": {loc.Query().Get("RelayState")}}
	r := httptest.NewRequest("POST", "https://claim.example.fr/saml/acs", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(t, r, res.Cookies())
}

func sessionCookieOf(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

// TestSessionEndsWithTheIdPSession: an assertion whose AuthnStatement says
// the IdP session ends in 10 minutes gives a claim session (cookie and
// store) of 10 minutes, not 8 hours; a request after it is logged out.
func TestSessionEndsWithTheIdPSession(t *testing.T) {
	p := newInProcessIdP(t)
	start := p.now()
	end := start.Add(10 * time.Minute).Truncate(time.Second)
	res := p.login(t, &end)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/me" {
		t.Fatalf("acs: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	c := sessionCookieOf(res)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if c.MaxAge < 9*60 || c.MaxAge > 10*60 {
		t.Errorf("cookie Max-Age %d s, want about 600 (the IdP session), not 8 hours", c.MaxAge)
	}
	sess, err := p.st.Session(t.Context(), c.Value)
	if err != nil {
		t.Fatal(err)
	}
	if !sess.Expires.Equal(end) {
		t.Errorf("stored session expires at %v, want %v", sess.Expires, end)
	}

	get := func() *http.Response {
		return p.do(t, httptest.NewRequest("GET", "https://claim.example.fr/me", nil), []*http.Cookie{c})
	}
	p.clock.Advance(9 * time.Minute)
	if res := get(); res.StatusCode != http.StatusOK {
		t.Fatalf("after 9 minutes: %d, want the student's page", res.StatusCode)
	}
	p.clock.Advance(time.Minute + time.Second)
	if res := get(); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Errorf("after 10 minutes: %d %s, want logged out (303 to the discovery page)", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestSessionWithoutIdPLimit: without SessionNotOnOrAfter, or with a later
// one, the session lasts 8 hours; an IdP session already over refuses the
// login.
func TestSessionWithoutIdPLimit(t *testing.T) {
	p := newInProcessIdP(t)
	later := p.now().Add(48 * time.Hour)
	for _, limit := range []*time.Time{nil, &later} {
		res := p.login(t, limit)
		c := sessionCookieOf(res)
		if res.StatusCode != http.StatusSeeOther || c == nil || c.MaxAge != 8*3600 {
			t.Errorf("SessionNotOnOrAfter %v: %d, cookie %v; want an 8-hour session", limit, res.StatusCode, c)
		}
	}
	over := p.now().Add(-time.Second)
	res := p.login(t, &over)
	if res.StatusCode != http.StatusForbidden || sessionCookieOf(res) != nil {
		t.Errorf("ended IdP session: %d, want the login refused", res.StatusCode)
	}
}
