package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/ob2"
)

// The published site the tests verify, laid out as the publisher lays it out.
const (
	testBase           = "https://badges.example.fr/"
	testIssuerURL      = testBase + "ecole/issuer.json"
	testLogoURL        = testBase + "ecole/logo.png"
	testRevocationsURL = testBase + "ecole/revocations.json"
	testBadgeURL       = testBase + "ecole/badges/python/badge.json"
	testBadgeImageURL  = testBase + "ecole/badges/python/image.svg"
	testCriteriaURL    = testBase + "ecole/badges/python/"
	testAssertionURL   = testBase + "ecole/assertions/a1.json"

	// The recipient of the assertion, with the OB 3.0 implementation guide's
	// IdentityHash vector (standards.md §1.4).
	testEmail      = "jjefferson18@example.com"
	testSalt       = "FleurDeSel"
	testEmailHash  = "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc"
	testBadgeImage = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>`
)

// testNow is the verifier's clock: after issuedOn, before expires.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// response is what the in-memory web answers for one URL.
type response struct {
	body        []byte
	contentType string
	err         error
}

// memFetcher serves responses from memory; an unknown URL is a 404 error.
// It records what was fetched.
type memFetcher struct {
	mu      sync.Mutex
	res     map[string]response
	fetched []string
}

func (f *memFetcher) Fetch(_ context.Context, u string) ([]byte, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetched = append(f.fetched, u)
	r, ok := f.res[u]
	if !ok {
		return nil, "", statusError{url: u, status: "404 Not Found", code: http.StatusNotFound}
	}
	return r.body, r.contentType, r.err
}

// site is a published site held in memory. JSON-LD documents are kept
// decoded so that a test case can edit a single field; raw responses
// (images, or overrides of a document's response) are served as they are.
type site struct {
	docs  map[string]map[string]any
	types map[string]string   // content type of a document; default application/ld+json
	raw   map[string]response // takes precedence over docs
}

func (s *site) assertion() map[string]any   { return s.docs[testAssertionURL] }
func (s *site) badgeClass() map[string]any  { return s.docs[testBadgeURL] }
func (s *site) issuer() map[string]any      { return s.docs[testIssuerURL] }
func (s *site) revocations() map[string]any { return s.docs[testRevocationsURL] }
func (s *site) recipient() map[string]any   { return s.assertion()["recipient"].(map[string]any) }

// move serves the document at from under the URL to instead.
func (s *site) move(from, to string) {
	s.docs[to] = s.docs[from]
	delete(s.docs, from)
}

func (s *site) fetcher(t testing.TB) *memFetcher {
	t.Helper()
	f := &memFetcher{res: map[string]response{}}
	for u, d := range s.docs {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("encoding %s: %v", u, err)
		}
		ct := s.types[u]
		if ct == "" {
			ct = "application/ld+json"
		}
		f.res[u] = response{body: b, contentType: ct}
	}
	for u, r := range s.raw {
		f.res[u] = r
	}
	return f
}

// hashIdentity is an OB 2.0 IdentityHash: sha256 of identity ‖ salt.
func hashIdentity(identity, salt string) string {
	s := sha256.Sum256([]byte(identity + salt))
	return "sha256$" + hex.EncodeToString(s[:])
}

// decoded round-trips one of the publisher's documents through its encoder.
func decoded(t testing.TB, doc any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ob2.Marshal(doc), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func pngImage(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{0, 0, 145, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// validSite returns a site on which the assertion verifies: issuer Profile,
// BadgeClass, hosted Assertion, revocation list (listing another
// assertion) and the two images, built with the publisher's document types.
func validSite(t testing.TB) *site {
	t.Helper()
	profile := ob2.Profile{
		Context: ob2.Context, Type: "Issuer", ID: testIssuerURL, Language: ob2.Language,
		Name: "École des Mines d'Exemple", URL: "https://www.ecole.example.fr/",
		Email: "badges@ecole.example.fr", Telephone: "+33123456789",
		Description: "Une école.", Image: testLogoURL, RevocationList: testRevocationsURL,
	}
	badge := ob2.BadgeClass{
		Context: ob2.Context, Type: "BadgeClass", ID: testBadgeURL, Language: ob2.Language,
		Name: "Python", Description: "Programmer en Python.", Image: testBadgeImageURL,
		Criteria: ob2.Criteria{ID: testCriteriaURL, Narrative: "Réussir le projet."},
		Issuer:   testIssuerURL,
		Alignment: []ob2.Alignment{{
			TargetName: "Développer une application",
			TargetURL:  "https://www.francecompetences.fr/recherche/rncp/37873/",
			TargetCode: "RNCP37873BC01",
		}},
		Tags: []string{"python", "programmation"},
	}
	assertion := ob2.Assertion{
		Context: ob2.Context, Type: "Assertion", ID: testAssertionURL,
		Recipient:    ob2.Identity{Type: "email", Hashed: true, Salt: testSalt, Identity: hashIdentity(testEmail, testSalt)},
		Badge:        testBadgeURL,
		IssuedOn:     "2025-06-01T09:30:00Z",
		Expires:      "2027-06-01T09:30:00Z",
		Verification: ob2.Verification{Type: "hosted"},
		Evidence:     []ob2.Evidence{{ID: testBase + "ecole/evidence/a1.html", Narrative: "Projet rendu."}},
	}
	revocations := ob2.RevocationList{
		Context: ob2.Context, Type: "RevocationList", ID: testRevocationsURL, Issuer: testIssuerURL,
		RevokedAssertions: []ob2.RevokedAssertion{{ID: testBase + "ecole/assertions/a0.json", RevocationReason: "erreur de saisie"}},
	}
	return &site{
		docs: map[string]map[string]any{
			testIssuerURL:      decoded(t, profile),
			testBadgeURL:       decoded(t, badge),
			testAssertionURL:   decoded(t, assertion),
			testRevocationsURL: decoded(t, revocations),
		},
		types: map[string]string{testIssuerURL: "application/json; charset=utf-8"},
		raw: map[string]response{
			testBadgeImageURL: {body: []byte(testBadgeImage), contentType: "image/svg+xml"},
			testLogoURL:       {body: pngImage(t), contentType: "image/png"},
		},
	}
}

func testVerifier(f Fetcher) OB2 {
	return OB2{Fetcher: f, Loader: jsonld.NewLoader(), Now: testNow}
}

func rightRecipient() *Recipient { return &Recipient{Type: "email", Identity: testEmail} }

func TestRecipientHashVector(t *testing.T) {
	if got := hashIdentity(testEmail, testSalt); got != testEmailHash {
		t.Fatalf("hashIdentity(%q, %q) = %s, want %s", testEmail, testSalt, got, testEmailHash)
	}
}

func TestOB2HostedValid(t *testing.T) {
	s := validSite(t)
	f := s.fetcher(t)
	rep := testVerifier(f).Hosted(context.Background(), testAssertionURL, rightRecipient())
	if rep.Status != Valid || len(rep.Problems) > 0 || rep.Reason != "" {
		t.Fatalf("status %v, reason %q, problems:\n%s", rep.Status, rep.Reason, strings.Join(rep.Problems, "\n"))
	}
	if rep.URL != testAssertionURL {
		t.Errorf("report URL %q, want %q", rep.URL, testAssertionURL)
	}
	// The whole chain was followed, not just the assertion.
	for _, u := range []string{testAssertionURL, testBadgeURL, testBadgeImageURL, testIssuerURL, testLogoURL, testRevocationsURL} {
		if !slices.Contains(f.fetched, u) {
			t.Errorf("%s was not fetched (fetched: %v)", u, f.fetched)
		}
	}

	// Without a recipient to match, the same assertion is valid too.
	rep = testVerifier(s.fetcher(t)).Hosted(context.Background(), testAssertionURL, nil)
	if rep.Status != Valid || len(rep.Problems) > 0 {
		t.Fatalf("without recipient: status %v, problems:\n%s", rep.Status, strings.Join(rep.Problems, "\n"))
	}
}

// TestOB2HostedRules mutates one thing of the valid site per case.
func TestOB2HostedRules(t *testing.T) {
	const otherHostAssertion = "https://autre.example.com/ecole/assertions/a1.json"
	tests := []struct {
		name   string
		mutate func(s *site)
		url    string     // URL verified; default testAssertionURL
		rcpt   *Recipient // default rightRecipient()
		noRcpt bool       // verify without a recipient to match
		want   Status
		reason string
		// problems holds one substring per expected problem: each must occur
		// in some problem, and there must be no other problem.
		problems []string
	}{
		// Assertion.
		{
			name:     "assertion id differs from its URL",
			mutate:   func(s *site) { s.assertion()["id"] = testBase + "ecole/assertions/a2.json" },
			want:     Invalid,
			problems: []string{`hosted id "https://badges.example.fr/ecole/assertions/a2.json" differs from the URL it was fetched from`},
		},
		{
			name:     "assertion type is not Assertion",
			mutate:   func(s *site) { s.assertion()["type"] = "BadgeClass" },
			want:     Invalid,
			problems: []string{"assertion: type is not Assertion"},
		},
		{
			name:     "verification type is signed, not hosted",
			mutate:   func(s *site) { s.assertion()["verification"] = map[string]any{"type": "SignedBadge"} },
			want:     Invalid,
			problems: []string{`verification.type "SignedBadge" is not hosted`},
		},
		{
			name:   "verification type HostedBadge is accepted",
			mutate: func(s *site) { s.assertion()["verification"] = map[string]any{"type": "HostedBadge"} },
			want:   Valid,
		},
		{
			name:     "issuedOn without time zone",
			mutate:   func(s *site) { s.assertion()["issuedOn"] = "2025-06-01T09:30:00" },
			want:     Invalid,
			problems: []string{`issuedOn "2025-06-01T09:30:00" is not an ISO 8601 date-time with a time zone`},
		},
		{
			name:     "issuedOn missing",
			mutate:   func(s *site) { delete(s.assertion(), "issuedOn") },
			want:     Invalid,
			problems: []string{"missing issuedOn"},
		},
		{
			name:   "issuedOn with an offset is accepted",
			mutate: func(s *site) { s.assertion()["issuedOn"] = "2025-06-01T11:30:00.250+02:00" },
			want:   Valid,
		},
		{
			name:   "issuedOn with an hour-only offset is accepted",
			mutate: func(s *site) { s.assertion()["issuedOn"] = "2025-06-01T11:30:00+02" },
			want:   Valid,
		},
		{
			name:   "issuedOn with a colon-less offset is accepted",
			mutate: func(s *site) { s.assertion()["issuedOn"] = "2025-06-01T11:30:00+0200" },
			want:   Valid,
		},
		{
			name:     "issuedOn in the future",
			mutate:   func(s *site) { s.assertion()["issuedOn"] = "2026-01-15T12:00:01Z" },
			want:     Invalid,
			problems: []string{"issuedOn 2026-01-15T12:00:01Z is in the future"},
		},
		{
			name:     "expires before issuedOn",
			mutate:   func(s *site) { s.assertion()["expires"] = "2025-05-31T09:30:00Z" },
			want:     Invalid,
			problems: []string{"expires before issuedOn"},
		},
		{
			name:     "expires without time zone",
			mutate:   func(s *site) { s.assertion()["expires"] = "2027-06-01" },
			want:     Invalid,
			problems: []string{`expires "2027-06-01" is not an ISO 8601 date-time with a time zone`},
		},
		{
			name:   "expires in the past",
			mutate: func(s *site) { s.assertion()["expires"] = "2026-01-15T11:59:59Z" },
			want:   Expired,
		},
		{
			name:   "no expiry",
			mutate: func(s *site) { delete(s.assertion(), "expires") },
			want:   Valid,
		},
		{
			name:     "assertion image is a data URI",
			mutate:   func(s *site) { s.assertion()["image"] = "data:image/png;base64,iVBORw0KGgo=" },
			want:     Invalid,
			problems: []string{"assertion: image may not be a data URI"},
		},
		{
			name: "evidence id is not http(s)",
			mutate: func(s *site) {
				s.assertion()["evidence"] = []any{map[string]any{"id": "ftp://badges.example.fr/preuve.pdf"}}
			},
			want:     Invalid,
			problems: []string{`evidence id "ftp://badges.example.fr/preuve.pdf" is not an http(s) URL`},
		},
		{
			name:     "badge URL is not http(s)",
			mutate:   func(s *site) { s.assertion()["badge"] = "ftp://badges.example.fr/ecole/badges/python/badge.json" },
			want:     Invalid,
			problems: []string{"badge ftp://badges.example.fr/ecole/badges/python/badge.json is not an http(s) IRI"},
		},
		{
			name:     "badge class not published",
			mutate:   func(s *site) { delete(s.docs, testBadgeURL) },
			want:     Invalid,
			problems: []string{"badge class: GET " + testBadgeURL + ": 404 Not Found"},
		},

		// Recipient.
		{
			name:     "hashed identity malformed",
			mutate:   func(s *site) { s.recipient()["identity"] = "sha256$658625b25ab3" },
			want:     Invalid,
			problems: []string{"hashed identity is not sha256$<64 hex> or md5$<32 hex>", "identity hash does not match the expected recipient"},
		},
		{
			name:     "hashed identity malformed, no recipient to match",
			mutate:   func(s *site) { s.recipient()["identity"] = "sha512$" + strings.Repeat("ab", 64) },
			noRcpt:   true,
			want:     Invalid,
			problems: []string{"hashed identity is not sha256$<64 hex> or md5$<32 hex>"},
		},
		{
			name: "upper-case hex hash matches",
			mutate: func(s *site) {
				s.recipient()["identity"] = "sha256$" + strings.ToUpper(strings.TrimPrefix(testEmailHash, "sha256$"))
			},
			want: Valid,
		},
		{
			name:     "wrong recipient identity",
			rcpt:     &Recipient{Type: "email", Identity: "someone.else@example.org"},
			want:     Invalid,
			problems: []string{"recipient: identity hash does not match the expected recipient"},
		},
		{
			name:     "wrong salt",
			mutate:   func(s *site) { s.recipient()["salt"] = "GrosSel" },
			want:     Invalid,
			problems: []string{"recipient: identity hash does not match the expected recipient"},
		},
		{
			name:     "recipient type mismatch",
			rcpt:     &Recipient{Type: "id", Identity: testEmail},
			want:     Invalid,
			problems: []string{`recipient: type "email", expected "id"`},
		},
		{
			name:     "recipient type not an identity property",
			mutate:   func(s *site) { s.recipient()["type"] = "phone" },
			want:     Invalid,
			problems: []string{`recipient: type "phone" is not email, url, telephone or id`, `recipient: type "phone", expected "email"`},
		},
		{
			name:     "plaintext identity that looks hashed",
			mutate:   func(s *site) { s.recipient()["hashed"] = false },
			rcpt:     &Recipient{Type: "email", Identity: testEmailHash},
			want:     Invalid,
			problems: []string{"recipient: identity looks hashed but hashed is false"},
		},
		{
			name: "plaintext recipient matches",
			mutate: func(s *site) {
				s.recipient()["hashed"] = false
				s.recipient()["identity"] = testEmail
				delete(s.recipient(), "salt")
			},
			want: Valid,
		},
		{
			name:     "no recipient",
			mutate:   func(s *site) { delete(s.assertion(), "recipient") },
			want:     Invalid,
			problems: []string{"assertion: no recipient"},
		},

		// BadgeClass.
		{
			name:     "BadgeClass missing name",
			mutate:   func(s *site) { delete(s.badgeClass(), "name") },
			want:     Invalid,
			problems: []string{"badge class: missing name"},
		},
		{
			name:     "BadgeClass blank description",
			mutate:   func(s *site) { s.badgeClass()["description"] = "  " },
			want:     Invalid,
			problems: []string{"badge class: missing description"},
		},
		{
			name:     "BadgeClass id differs from its URL",
			mutate:   func(s *site) { s.badgeClass()["id"] = testBase + "ecole/badges/java/badge.json" },
			want:     Invalid,
			problems: []string{`badge class: id "https://badges.example.fr/ecole/badges/java/badge.json" differs from its URL`},
		},
		{
			name:     "BadgeClass image unfetchable",
			mutate:   func(s *site) { delete(s.raw, testBadgeImageURL) },
			want:     Invalid,
			problems: []string{"badge class: image not fetchable: GET " + testBadgeImageURL + ": 404 Not Found"},
		},
		{
			name: "BadgeClass image served with wrong content type",
			mutate: func(s *site) {
				s.raw[testBadgeImageURL] = response{body: []byte(testBadgeImage), contentType: "image/jpeg"}
			},
			want:     Invalid,
			problems: []string{`badge class: image ` + testBadgeImageURL + ` served as "image/jpeg", not PNG or SVG`},
		},
		{
			name: "BadgeClass image empty",
			mutate: func(s *site) {
				s.raw[testBadgeImageURL] = response{contentType: "image/svg+xml"}
			},
			want:     Invalid,
			problems: []string{"badge class: image " + testBadgeImageURL + " is empty"},
		},
		{
			name:   "BadgeClass image as PNG data URI is accepted",
			mutate: func(s *site) { s.badgeClass()["image"] = "data:image/png;base64,iVBORw0KGgo=" },
			want:   Valid,
		},
		{
			name:     "BadgeClass image as GIF data URI",
			mutate:   func(s *site) { s.badgeClass()["image"] = "data:image/gif;base64,R0lGODlh" },
			want:     Invalid,
			problems: []string{"badge class: data URI image must be PNG or SVG"},
		},
		{
			name:     "BadgeClass criteria missing",
			mutate:   func(s *site) { delete(s.badgeClass(), "criteria") },
			want:     Invalid,
			problems: []string{"badge class: missing criteria"},
		},
		{
			name:     "BadgeClass criteria with neither id nor narrative",
			mutate:   func(s *site) { s.badgeClass()["criteria"] = map[string]any{} },
			want:     Invalid,
			problems: []string{"badge class: criteria has neither id nor narrative"},
		},
		{
			name:   "BadgeClass criteria narrative only is accepted",
			mutate: func(s *site) { s.badgeClass()["criteria"] = map[string]any{"narrative": "Réussir le projet."} },
			want:   Valid,
		},
		{
			name: "alignment missing targetUrl",
			mutate: func(s *site) {
				s.badgeClass()["alignment"] = []any{
					map[string]any{"targetName": "A", "targetUrl": "https://example.fr/a"},
					map[string]any{"targetName": "B"},
				}
			},
			want:     Invalid,
			problems: []string{"badge class: alignment 2 needs targetName and an http(s) targetUrl"},
		},
		{
			name:     "tags not text",
			mutate:   func(s *site) { s.badgeClass()["tags"] = []any{"python", 3} },
			want:     Invalid,
			problems: []string{"badge class: tags must be text"},
		},
		{
			name:     "BadgeClass issuer not http(s)",
			mutate:   func(s *site) { s.badgeClass()["issuer"] = "urn:uuid:4f1b3c2e-8d1a-4b5e-9c3f-2a1b0c9d8e7f" },
			want:     Invalid,
			problems: []string{"badge class: issuer urn:uuid:4f1b3c2e-8d1a-4b5e-9c3f-2a1b0c9d8e7f is not an http(s) IRI"},
		},

		// Issuer Profile.
		{
			name:     "issuer email invalid",
			mutate:   func(s *site) { s.issuer()["email"] = "badges at ecole.example.fr" },
			want:     Invalid,
			problems: []string{`issuer: email "badges at ecole.example.fr" is not an e-mail address`},
		},
		{
			name:     "issuer email missing",
			mutate:   func(s *site) { delete(s.issuer(), "email") },
			want:     Invalid,
			problems: []string{`issuer: email "" is not an e-mail address`},
		},
		{
			name:     "issuer telephone not E.164",
			mutate:   func(s *site) { s.issuer()["telephone"] = "01 23 45 67 89" },
			want:     Invalid,
			problems: []string{`issuer: telephone "01 23 45 67 89" is not E.164`},
		},
		{
			name:     "issuer url not http(s)",
			mutate:   func(s *site) { s.issuer()["url"] = "mailto:badges@ecole.example.fr" },
			want:     Invalid,
			problems: []string{`issuer: url "mailto:badges@ecole.example.fr" is not an http(s) URL`},
		},
		{
			name:     "issuer type is neither Issuer nor Profile",
			mutate:   func(s *site) { s.issuer()["type"] = "BadgeClass" },
			want:     Invalid,
			problems: []string{"issuer: type is not Issuer or Profile"},
		},
		{
			name:   "issuer type Profile is accepted",
			mutate: func(s *site) { s.issuer()["type"] = "Profile" },
			want:   Valid,
		},
		{
			name:     "issuer logo served as HTML",
			mutate:   func(s *site) { s.raw[testLogoURL] = response{body: []byte("<html></html>"), contentType: "text/html"} },
			want:     Invalid,
			problems: []string{`issuer: image ` + testLogoURL + ` served as "text/html", not PNG or SVG`},
		},

		// Hosted verification scope.
		{
			name: "assertion hosted on another host than the issuer",
			mutate: func(s *site) {
				s.assertion()["id"] = otherHostAssertion
				s.move(testAssertionURL, otherHostAssertion)
			},
			url:      otherHostAssertion,
			want:     Invalid,
			problems: []string{"scope: assertion origin autre.example.com is not allowed by the issuer (allowed: badges.example.fr)"},
		},
		{
			name: "assertion on another host allowed by allowedOrigins",
			mutate: func(s *site) {
				s.assertion()["id"] = otherHostAssertion
				s.move(testAssertionURL, otherHostAssertion)
				s.issuer()["verification"] = map[string]any{"allowedOrigins": []any{"badges.example.fr", "autre.example.com"}}
				// The revocation list is searched by the URL verified.
				s.revocations()["revokedAssertions"] = []any{testAssertionURL}
			},
			url:  otherHostAssertion,
			want: Valid,
		},
		{
			name:     "allowedOrigins excluding the assertion host",
			mutate:   func(s *site) { s.issuer()["verification"] = map[string]any{"allowedOrigins": "autre.example.com"} },
			want:     Invalid,
			problems: []string{"scope: assertion origin badges.example.fr is not allowed by the issuer (allowed: autre.example.com)"},
		},
		{
			name:     "verification policy startsWith not matching",
			mutate:   func(s *site) { s.issuer()["verification"] = map[string]any{"startsWith": testBase + "autre-ecole/"} },
			want:     Invalid,
			problems: []string{"scope: assertion URL does not start with any of the issuer's startsWith prefixes"},
		},
		{
			name: "verification policy startsWith matching",
			mutate: func(s *site) {
				s.issuer()["verification"] = map[string]any{"startsWith": []any{testBase + "autre-ecole/", testBase + "ecole/assertions/"}}
			},
			want: Valid,
		},

		// Documents as JSON-LD.
		{
			name:     "assertion served as text/html",
			mutate:   func(s *site) { s.types[testAssertionURL] = "text/html; charset=utf-8" },
			want:     Invalid,
			problems: []string{`assertion: served as "text/html; charset=utf-8", not application/ld+json or application/json`},
		},
		{
			name:     "issuer served as text/plain",
			mutate:   func(s *site) { s.types[testIssuerURL] = "text/plain" },
			want:     Invalid,
			problems: []string{`issuer: served as "text/plain"`},
		},
		{
			name: "assertion not a JSON object",
			mutate: func(s *site) {
				s.raw[testAssertionURL] = response{body: []byte(`["not", "an", "object"]`), contentType: "application/ld+json"}
			},
			want:     Invalid,
			problems: []string{"assertion: not a JSON object"},
		},
		{
			// Under the credentials context the OB2 terms are undefined too.
			name:   "@context is not the OB2 context",
			mutate: func(s *site) { s.assertion()["@context"] = jsonld.CredentialsV2 },
			want:   Invalid,
			problems: []string{
				"assertion: @context is not https://w3id.org/openbadges/v2",
				"assertion: not valid JSON-LD under its context: undefined term(s) badge, evidence, expires, issuedOn, recipient, verification:",
			},
		},
		{
			name:     "@context missing",
			mutate:   func(s *site) { delete(s.badgeClass(), "@context") },
			want:     Invalid,
			problems: []string{"badge class: @context is not https://w3id.org/openbadges/v2", "badge class: not valid JSON-LD under its context"},
		},
		{
			name:   "@context as an array with the OB2 context is accepted",
			mutate: func(s *site) { s.assertion()["@context"] = []any{ob2.Context} },
			want:   Valid,
		},
		{
			name:     "undefined JSON-LD term in the assertion",
			mutate:   func(s *site) { s.assertion()["favouriteColour"] = "bleu" },
			want:     Invalid,
			problems: []string{"assertion: not valid JSON-LD under its context: undefined term(s) favouriteColour"},
		},
		{
			name: "undefined JSON-LD term nested in the BadgeClass",
			mutate: func(s *site) {
				s.badgeClass()["criteria"].(map[string]any)["difficulté"] = "élevée"
			},
			want:     Invalid,
			problems: []string{"badge class: not valid JSON-LD under its context: undefined term(s) difficulté"},
		},

		// Revocation.
		{
			name: "tombstone with reason",
			mutate: func(s *site) {
				s.docs[testAssertionURL] = decoded(t, ob2.Tombstone{Context: ob2.Context, Type: "Assertion", ID: testAssertionURL, Revoked: true, RevocationReason: "x"})
			},
			want:   Revoked,
			reason: "x",
		},
		{
			name: "tombstone whose id is not its URL",
			mutate: func(s *site) {
				s.docs[testAssertionURL] = decoded(t, ob2.Tombstone{Context: ob2.Context, Type: "Assertion", ID: testBase + "ecole/assertions/a2.json", Revoked: true, RevocationReason: "x"})
			},
			want:     Invalid,
			reason:   "x",
			problems: []string{`revoked assertion: id "https://badges.example.fr/ecole/assertions/a2.json" is not its URL`},
		},
		{
			name: "assertion listed in the issuer's revocation list",
			mutate: func(s *site) {
				rl := s.revocations()
				rl["revokedAssertions"] = append(rl["revokedAssertions"].([]any), map[string]any{"id": testAssertionURL, "revocationReason": "fraude"})
			},
			want:   Revoked,
			reason: "fraude",
		},
		{
			name: "a listed assertion with other problems stays invalid",
			mutate: func(s *site) {
				s.issuer()["email"] = "nope"
				s.revocations()["revokedAssertions"] = []any{testAssertionURL}
			},
			want:     Invalid,
			problems: []string{`issuer: email "nope" is not an e-mail address`},
		},
		{
			name:   "assertion listed by bare id in the revocation list",
			mutate: func(s *site) { s.revocations()["revokedAssertions"] = []any{testAssertionURL} },
			want:   Revoked,
		},
		{
			name:   "410 Gone",
			mutate: func(s *site) { s.raw[testAssertionURL] = response{err: ErrGone} },
			want:   Revoked,
		},
		{
			name:     "revocation list not published",
			mutate:   func(s *site) { delete(s.docs, testRevocationsURL) },
			want:     Invalid,
			problems: []string{"revocation list: GET " + testRevocationsURL + ": 404 Not Found"},
		},
		{
			name:     "revocation list of another issuer",
			mutate:   func(s *site) { s.revocations()["issuer"] = testBase + "autre-ecole/issuer.json" },
			want:     Invalid,
			problems: []string{`revocation list: issuer "https://badges.example.fr/autre-ecole/issuer.json" is not ` + testIssuerURL},
		},
		{
			name:   "no revocation list",
			mutate: func(s *site) { delete(s.issuer(), "revocationList"); delete(s.docs, testRevocationsURL) },
			want:   Valid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSite(t)
			if tt.mutate != nil {
				tt.mutate(s)
			}
			u := tt.url
			if u == "" {
				u = testAssertionURL
			}
			rcpt := tt.rcpt
			if rcpt == nil && !tt.noRcpt {
				rcpt = rightRecipient()
			}
			rep := testVerifier(s.fetcher(t)).Hosted(context.Background(), u, rcpt)
			got := strings.Join(rep.Problems, "\n  ")
			if rep.Status != tt.want {
				t.Errorf("status %v, want %v; problems:\n  %s", rep.Status, tt.want, got)
			}
			if rep.Reason != tt.reason {
				t.Errorf("reason %q, want %q", rep.Reason, tt.reason)
			}
			for _, want := range tt.problems {
				if !slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, want) }) {
					t.Errorf("no problem mentions %q; problems:\n  %s", want, got)
				}
			}
			if len(rep.Problems) != len(tt.problems) {
				t.Errorf("%d problems, want %d:\n  %s", len(rep.Problems), len(tt.problems), got)
			}
		})
	}
}

func TestDirFetcher(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "site")
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("site/ecole/issuer.json", `{"id":"issuer"}`)
	write("site/ecole/badges/python/image.svg", testBadgeImage)
	write("site/ecole/index.html", "<html>école</html>")
	write("secret.json", `{"secret":true}`)
	f := DirFetcher{Base: testBase, Dir: dir}

	ok := []struct {
		name, url, body, mediaType string
	}{
		{"json document", testBase + "ecole/issuer.json", `{"id":"issuer"}`, "application/json"},
		{"svg image", testBase + "ecole/badges/python/image.svg", testBadgeImage, "image/svg+xml"},
		{"fragment ignored", testBase + "ecole/issuer.json#key", `{"id":"issuer"}`, "application/json"},
		{"folder is its index.html", testBase + "ecole/", "<html>école</html>", "text/html"},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			b, ct, err := f.Fetch(context.Background(), tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.body {
				t.Errorf("body %q, want %q", b, tt.body)
			}
			if mt, _, _ := mime.ParseMediaType(ct); mt != tt.mediaType {
				t.Errorf("content type %q, want %s", ct, tt.mediaType)
			}
		})
	}

	refused := []struct {
		name, url, errHas string
	}{
		{"other host", "https://autre.example.com/ecole/issuer.json", "refusing to use the network"},
		{"http instead of https", "http://badges.example.fr/ecole/issuer.json", "refusing to use the network"},
		{"escape with ../", testBase + "../secret.json", "escapes the site folder"},
		{"escape with nested ../", testBase + "ecole/../../secret.json", "escapes the site folder"},
		{"missing file", testBase + "ecole/missing.json", "no such file"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			b, _, err := f.Fetch(context.Background(), tt.url)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v, want one mentioning %q (body %q)", err, tt.errHas, b)
			}
		})
	}
}

func TestHTTPFetcher(t *testing.T) {
	const doc = `{"@context":"https://w3id.org/openbadges/v2","id":"x"}`
	var accept string
	mux := http.NewServeMux()
	mux.HandleFunc("/ok.json", func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/ld+json")
		fmt.Fprint(w, doc)
	})
	mux.HandleFunc("/moved.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok.json", http.StatusFound)
	})
	mux.HandleFunc("/gone.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, `{"revoked":true}`)
	})
	srv := httptest.NewServer(mux) // on loopback
	defer srv.Close()
	f := HTTPFetcher{Client: srv.Client(), AllowPrivate: true}

	tests := []struct {
		name     string
		path     string
		wantBody string
		wantErr  func(error) bool
	}{
		{"200", "/ok.json", doc, nil},
		{"redirect followed", "/moved.json", doc, nil},
		{"404 is an error", "/missing.json", "", func(err error) bool {
			return err != nil && !errors.Is(err, ErrGone) && strings.Contains(err.Error(), "404")
		}},
		{"410 is ErrGone", "/gone.json", `{"revoked":true}`, func(err error) bool { return errors.Is(err, ErrGone) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ct, err := f.Fetch(context.Background(), srv.URL+tt.path)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("unexpected error: %v", err)
			}
			if string(b) != tt.wantBody {
				t.Errorf("body %q, want %q", b, tt.wantBody)
			}
			if tt.wantErr == nil && ct != "application/ld+json" {
				t.Errorf("content type %q, want application/ld+json", ct)
			}
		})
	}
	if !strings.HasPrefix(accept, "application/ld+json") {
		t.Errorf("Accept header %q does not ask for JSON-LD first", accept)
	}

	// A verifier on top of it treats 410 as revocation.
	rep := testVerifier(f).Hosted(context.Background(), srv.URL+"/gone.json", nil)
	if rep.Status != Revoked || len(rep.Problems) > 0 {
		t.Errorf("410 over HTTP: status %v, problems %v", rep.Status, rep.Problems)
	}
}

func TestDirFetcherRelativeDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, d := range []string{".", "./"} {
		if _, _, err := (DirFetcher{Base: testBase, Dir: d}).Fetch(context.Background(), testBase+"a.json?v=1"); err != nil {
			t.Errorf("Dir %q: %v", d, err)
		}
	}
}
