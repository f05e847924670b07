package claim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	"github.com/golang-jwt/jwt/v5"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/identity"
)

// serviceProvider is the SAML side: one template saml.ServiceProvider,
// copied per request with the chosen provider's metadata (crewjam has one
// IdP per ServiceProvider), and a cookie tracking each AuthnRequest.
type serviceProvider struct {
	s       *Server
	tmpl    saml.ServiceProvider
	tracker samlsp.CookieRequestTracker
	clock   *dsig.Clock
}

func newServiceProvider(s *Server) (*serviceProvider, error) {
	base := *s.base
	metadataURL, acsURL := base, base
	metadataURL.Path = s.path("saml/metadata")
	acsURL.Path = s.path("saml/acs")
	clock := dsig.NewFakeClock(clockFunc(s.cfg.Now))
	p := &serviceProvider{s: s, clock: clock}
	p.tmpl = saml.ServiceProvider{
		EntityID:                         s.cfg.EntityID,
		Key:                              s.cfg.SPKey,
		Certificate:                      s.cfg.SPCert,
		MetadataURL:                      metadataURL,
		AcsURL:                           acsURL,
		SignatureMethod:                  dsig.RSASHA256SignatureMethod,
		AllowIDPInitiated:                false,
		RejectSHA1Signatures:             true,
		RejectExpiredIDPMetadata:         true,
		RejectUnknownConditions:          true,
		LimitRelayStateLength:            true,
		ReplayCache:                      replayCache{s},
		Clock:                            clock,
		AuthnNameIDFormat:                saml.TransientNameIDFormat,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
	}
	p.tracker = samlsp.CookieRequestTracker{
		ServiceProvider: &p.tmpl,
		NamePrefix:      "saml_",
		Codec: samlsp.JWTTrackedRequestCodec{
			SigningMethod: jwt.SigningMethodRS256,
			Audience:      s.cfg.EntityID,
			Issuer:        s.cfg.EntityID,
			MaxAge:        10 * time.Minute,
			Key:           s.cfg.SPKey,
			Clock:         clock,
		},
		MaxAge: 10 * time.Minute,
		// Same-site POST from the IdP to the ACS needs SameSite=None over
		// https (crewjam sets it); over plain http (tests, previews) Lax
		// cookies are not sent cross-site, so leave the mode unset.
	}
	return p, nil
}

// forIdP returns a copy of the service provider set up for one IdP.
func (p *serviceProvider) forIdP(idp *IdP) *saml.ServiceProvider {
	sp := p.tmpl
	sp.IDPMetadata = idp.Metadata
	return &sp
}

// replayCache keeps consumed assertion ids in the store, shared by every
// claim server of a deployment.
type replayCache struct{ s *Server }

func (c replayCache) Consume(id string, expiresAt time.Time) error {
	fresh, err := c.s.cfg.Store.ConsumeAssertion(context.Background(), id, expiresAt)
	if err != nil {
		return err
	}
	if !fresh {
		return saml.ErrAssertionReplayed
	}
	return nil
}

// idpCookie remembers the last provider chosen on this browser (an
// entityID, not personal data).
const idpCookie = "blason_idp"

// login starts a SAML login with the provider named by ?entityID= (the
// SAMLDS return parameter) or ?idp=. The value is untrusted: only a
// provider of the directory is accepted.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	entityID := q.Get("entityID")
	if entityID == "" {
		entityID = q.Get("idp")
	}
	idp, ok := s.cfg.Directory.Lookup(entityID)
	if !ok || idp.Metadata == nil {
		s.fail(w, r, http.StatusBadRequest, "errUnknownIdP")
		return
	}
	sp := s.sp.forIdP(idp)
	loc := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	binding := saml.HTTPRedirectBinding
	if loc == "" {
		loc, binding = sp.GetSSOBindingLocation(saml.HTTPPostBinding), saml.HTTPPostBinding
	}
	if loc == "" {
		s.fail(w, r, http.StatusBadRequest, "errUnknownIdP")
		return
	}
	req, err := sp.MakeAuthenticationRequest(loc, binding, saml.HTTPPostBinding)
	if err != nil {
		s.internal(w, r, "authn request", err)
		return
	}
	// The tracked request remembers where to go after login: only our own
	// pages.
	rr := r.Clone(r.Context())
	rr.URL = &url.URL{Path: s.path("me")}
	if l := q.Get("lang"); l == "fr" || l == "en" {
		rr.URL.RawQuery = "lang=" + l
	}
	if ret := q.Get("return"); ret != "" && strings.HasPrefix(ret, s.path("me")) && !strings.HasPrefix(ret, "//") && !strings.Contains(ret, `\`) {
		rr.URL = &url.URL{Path: ret}
	}
	relay, err := s.sp.tracker.TrackRequest(w, rr, req.ID)
	if err != nil {
		s.internal(w, r, "track request", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: idpCookie, Value: url.QueryEscape(idp.EntityID), Path: s.base.Path,
		MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.base.Scheme == "https", SameSite: http.SameSiteLaxMode})
	if binding == saml.HTTPRedirectBinding {
		u, err := req.Redirect(relay, sp)
		if err != nil {
			s.internal(w, r, "redirect", err)
			return
		}
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action "+origin(loc)+"; script-src 'unsafe-inline'")
	w.Write(req.Post(relay))
}

// acs is the assertion consumer service (HTTP-POST binding). The response
// must answer a request this browser started (RelayState names its
// tracking cookie); it is verified with the keys of the provider named as
// its Issuer, which must be in the directory.
func (s *Server) acs(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.refuse(w, r, "form", err)
		return
	}
	relay := r.PostForm.Get("RelayState")
	tracked, err := s.sp.tracker.GetTrackedRequest(r, relay)
	if relay == "" || err != nil {
		s.refuse(w, r, "relay state", fmt.Errorf("no login started by this browser matches the RelayState"))
		return
	}
	issuer, err := peekIssuer(r.PostForm.Get("SAMLResponse"))
	if err != nil {
		s.refuse(w, r, "response", err)
		return
	}
	idp, ok := s.cfg.Directory.Lookup(issuer)
	if !ok || idp.Metadata == nil {
		s.refuse(w, r, "issuer", errors.New("response from an identity provider outside the federation"))
		return
	}
	sp := s.sp.forIdP(idp)
	assertion, err := sp.ParseResponse(r, []string{tracked.SAMLRequestID})
	if err != nil {
		s.refuse(w, r, "response", err)
		return
	}
	_ = s.sp.tracker.StopTrackingRequest(w, r, relay)
	id, err := identity.FromAssertion(assertion, idp.EntityID, idp.OwnsScope)
	if err != nil {
		s.refuse(w, r, "identity", err)
		return
	}
	if id.Dropped > 0 {
		// A provider asserting identifiers of a scope it does not own is
		// either misconfigured or impersonating another institution's
		// users: refuse the login rather than guess.
		s.refuse(w, r, "identity", &scopeError{id.Dropped})
		return
	}
	var keys []string
	if id.EPPN != "" {
		keys = append(keys, claimindex.Hash(s.cfg.IndexKey, claimindex.KindEPPN, id.EPPN))
	}
	if id.Mail != "" {
		keys = append(keys, claimindex.Hash(s.cfg.IndexKey, claimindex.KindEmail, id.Mail))
	}
	now := s.cfg.Now()
	expires := sessionExpiry(assertion, now, s.cfg.SessionTTL)
	if !expires.After(now) {
		s.refuse(w, r, "session", errors.New("the identity provider's session has already ended (SessionNotOnOrAfter)"))
		return
	}
	sess := Session{
		Created: now, Subject: s.subject(id.IdP, id.Subject), IdP: id.IdP, Keys: keys,
		DisplayName: id.DisplayName, CSRF: randomID(32), Expires: expires,
	}
	if sess.DisplayName == "" {
		sess.DisplayName = strings.TrimSpace(id.GivenName + " " + id.Surname)
	}
	if sess.ID, err = s.cfg.Store.CreateSession(r.Context(), sess); err != nil {
		s.internal(w, r, "session", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "login", "", now)
	s.setSessionCookie(w, sess.ID, int((expires.Sub(now)+time.Second-1)/time.Second))
	next := tracked.URI
	if !strings.HasPrefix(next, s.path("me")) {
		next = s.path("me")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// sessionExpiry is when a session opened now from assertion ends: after
// ttl (8 hours by default), or earlier when the identity provider says its
// own session ends earlier. SessionNotOnOrAfter on an AuthnStatement "indicates
// an upper bound on sessions with the subject derived from the enclosing
// assertion" (SAML core §2.7.2): the claim server must not keep a student
// logged in after their institution has logged them out.
func sessionExpiry(assertion *saml.Assertion, now time.Time, ttl time.Duration) time.Time {
	end := now.Add(ttl)
	for _, st := range assertion.AuthnStatements {
		if st.SessionNotOnOrAfter != nil && st.SessionNotOnOrAfter.Before(end) {
			end = *st.SessionNotOnOrAfter
		}
	}
	return end
}

// peekIssuer reads the Issuer of a base64 SAML response without trusting
// it: it only selects which provider's keys the response is then verified
// with (ParseResponse requires Issuer == that provider's entityID).
func peekIssuer(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(raw) == 0 {
		return "", errors.New("SAMLResponse is not base64")
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return "", errors.New("SAMLResponse has no Issuer")
		}
		if err != nil {
			return "", fmt.Errorf("SAMLResponse is not XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == "Issuer" && t.Name.Space == "urn:oasis:names:tc:SAML:2.0:assertion" {
				var v string
				if err := dec.DecodeElement(&v, &t); err != nil {
					return "", err
				}
				return strings.TrimSpace(v), nil
			}
		case xml.EndElement:
			depth--
		}
	}
}

// metadata serves the SP's signed metadata, with mdui:UIInfo in French and
// English, the organisation, contacts (SIRTFI security contact included),
// the requested attributes and the entity-category hint.
func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	sp := s.sp.tmpl
	md := sp.Metadata()
	o := s.cfg.Organization
	if len(o.Names) == 0 { // ServiceName is required by the metadata schema
		o.Names = map[string]string{"fr": messages["fr"]["service"], "en": messages["en"]["service"]}
	}
	yes := true
	for i := range md.SPSSODescriptors {
		d := &md.SPSSODescriptors[i]
		var req []saml.RequestedAttribute
		for _, a := range []struct{ name, friendly string }{
			{identity.SubjectID, "subject-id"}, {identity.PairwiseID, "pairwise-id"},
			{identity.EPPN, "eduPersonPrincipalName"}, {identity.Mail, "mail"},
			{identity.DisplayName, "displayName"}, {identity.GivenName, "givenName"}, {identity.Surname, "sn"},
			{identity.ScopedAffiliation, "eduPersonScopedAffiliation"}, {identity.HomeOrganization, "schacHomeOrganization"},
		} {
			req = append(req, saml.RequestedAttribute{Attribute: saml.Attribute{Name: a.name, FriendlyName: a.friendly,
				NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}, IsRequired: &yes})
		}
		d.AttributeConsumingServices = []saml.AttributeConsumingService{{
			Index: 1, IsDefault: &yes,
			ServiceNames:        localized(o.Names),
			ServiceDescriptions: localized(o.Descriptions),
			RequestedAttributes: req,
		}}
		d.Extensions = &saml.Extensions{Other: []saml.ExtensionElement{uiInfo(o)}}
	}
	if len(o.Names) > 0 {
		md.Organization = &saml.Organization{OrganizationNames: localized(o.Names), OrganizationDisplayNames: localized(o.Names)}
		for _, l := range md.Organization.OrganizationNames {
			md.Organization.OrganizationURLs = append(md.Organization.OrganizationURLs, saml.LocalizedURI{Lang: l.Lang, Value: nonEmpty(o.InformationURL, s.cfg.URL)})
		}
	}
	md.ContactPerson = nil
	md.ContactPersons = nil
	if o.TechnicalEmail != "" {
		md.ContactPersons = append(md.ContactPersons, saml.ContactPerson{ContactType: "technical", EmailAddresses: []string{"mailto:" + o.TechnicalEmail}})
	}
	if o.SupportEmail != "" {
		md.ContactPersons = append(md.ContactPersons, saml.ContactPerson{ContactType: "support", EmailAddresses: []string{"mailto:" + o.SupportEmail}})
	}
	md.Extensions = &saml.Extensions{Other: []saml.ExtensionElement{entityAttributes()}}
	doc := etree.NewDocument()
	if err := marshalInto(doc, md); err != nil {
		s.internal(w, r, "metadata", err)
		return
	}
	if o.SecurityEmail != "" {
		addSecurityContact(doc.Root(), o.SecurityEmail)
	}
	signed, err := signMetadata(&sp, doc.Root())
	if err != nil {
		s.internal(w, r, "metadata signature", err)
		return
	}
	out := etree.NewDocument()
	out.SetRoot(signed)
	b, err := out.WriteToBytes()
	if err != nil {
		s.internal(w, r, "metadata", err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Write(b)
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func localized(m map[string]string) []saml.LocalizedName {
	var out []saml.LocalizedName
	for _, lang := range []string{"fr", "en"} {
		if v := m[lang]; v != "" {
			out = append(out, saml.LocalizedName{Lang: lang, Value: v})
		}
	}
	return out
}

const (
	nsMDUI   = "urn:oasis:names:tc:SAML:metadata:ui"
	nsMDAttr = "urn:oasis:names:tc:SAML:metadata:attribute"
	nsSAML   = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsREMD   = "http://refeds.org/metadata"
)

func el(space, local, text string, attrs ...xml.Attr) saml.ExtensionElement {
	return saml.ExtensionElement{XMLName: xml.Name{Space: space, Local: local}, CharData: text, Attrs: attrs}
}

func langAttr(l string) xml.Attr {
	return xml.Attr{Name: xml.Name{Space: "http://www.w3.org/XML/1998/namespace", Local: "lang"}, Value: l}
}

// uiInfo is the mdui:UIInfo element (display names, descriptions,
// information and privacy URLs in French and English).
func uiInfo(o Organization) saml.ExtensionElement {
	ui := el(nsMDUI, "UIInfo", "")
	for _, lang := range []string{"fr", "en"} {
		if v := o.Names[lang]; v != "" {
			ui.Children = append(ui.Children, el(nsMDUI, "DisplayName", v, langAttr(lang)))
		}
	}
	for _, lang := range []string{"fr", "en"} {
		if v := o.Descriptions[lang]; v != "" {
			ui.Children = append(ui.Children, el(nsMDUI, "Description", v, langAttr(lang)))
		}
	}
	for _, lang := range []string{"fr", "en"} {
		if o.InformationURL != "" {
			ui.Children = append(ui.Children, el(nsMDUI, "InformationURL", o.InformationURL, langAttr(lang)))
		}
	}
	for _, lang := range []string{"fr", "en"} {
		if o.PrivacyURL != "" {
			ui.Children = append(ui.Children, el(nsMDUI, "PrivacyStatementURL", o.PrivacyURL, langAttr(lang)))
		}
	}
	return ui
}

// entityAttributes asks for the REFEDS Personalized Access entity category
// and asserts SIRTFI (the registrar decides; these are hints).
func entityAttributes() saml.ExtensionElement {
	attr := func(name, value string) saml.ExtensionElement {
		a := el(nsSAML, "Attribute", "", xml.Attr{Name: xml.Name{Local: "Name"}, Value: name},
			xml.Attr{Name: xml.Name{Local: "NameFormat"}, Value: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"})
		a.Children = []saml.ExtensionElement{el(nsSAML, "AttributeValue", value)}
		return a
	}
	ea := el(nsMDAttr, "EntityAttributes", "")
	ea.Children = []saml.ExtensionElement{
		attr("http://macedir.org/entity-category", "https://refeds.org/category/personalized"),
		attr("urn:oasis:names:tc:SAML:attribute:assurance-certification", "https://refeds.org/sirtfi"),
	}
	return ea
}

// addSecurityContact appends the SIRTFI security contact, which needs the
// remd:contactType attribute crewjam's ContactPerson cannot carry.
func addSecurityContact(root *etree.Element, email string) {
	c := root.CreateElement("ContactPerson")
	c.CreateAttr("xmlns:remd", nsREMD)
	c.CreateAttr("contactType", "other")
	c.CreateAttr("remd:contactType", "http://refeds.org/metadata/contactType/security")
	c.CreateElement("GivenName").SetText("Security")
	c.CreateElement("EmailAddress").SetText("mailto:" + email)
}

func marshalInto(doc *etree.Document, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	return doc.ReadFromBytes(b)
}

// signMetadata signs the metadata element with the SP key (enveloped,
// RSA-SHA256, exclusive c14n).
func signMetadata(sp *saml.ServiceProvider, root *etree.Element) (*etree.Element, error) {
	if root.SelectAttr("ID") == nil {
		root.CreateAttr("ID", "_"+strings.ReplaceAll(randomID(18), "-", "_"))
	}
	ctx, err := saml.GetSigningContext(sp)
	if err != nil {
		return nil, err
	}
	return ctx.SignEnveloped(root)
}

// nowClock is a real clock whose Now is Config.Now, so that tests can set
// the server's time for crewjam's and goxmldsig's checks.
type nowClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c nowClock) Now() time.Time                  { return c.now() }
func (c nowClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c nowClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

func clockFunc(now func() time.Time) clockwork.Clock {
	return nowClock{Clock: clockwork.NewRealClock(), now: now}
}

// scopeError refuses a provider that asserted identifiers of scopes it does
// not own. Its message names no value.
type scopeError struct{ dropped int }

func (e *scopeError) Error() string {
	return fmt.Sprintf("identity provider asserted %d values outside its scopes", e.dropped)
}
