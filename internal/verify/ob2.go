package verify

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/jsonld"
)

// Status is the outcome of verifying one credential.
type Status int

// Outcomes, from best to worst.
const (
	Valid Status = iota
	Expired
	Suspended
	Revoked
	Invalid
)

func (s Status) String() string {
	return [...]string{"valid", "expired", "suspended", "revoked", "invalid"}[s]
}

// Recipient is a plaintext identity to match against an assertion's hash.
type Recipient struct {
	Type     string // "email", "url", "telephone" or "id"
	Identity string
}

// Report is the result of verifying one badge.
type Report struct {
	URL      string
	Issuer   string // the issuer id the badge claims (an OB 2.0 issuer URL, an OB 3.0 issuer id)
	Status   Status
	Reason   string   // revocation reason, when revoked
	Level    string   // OB 3.0: the level the credential's result says was achieved
	Problems []string // every rule that failed
}

func (r *Report) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	r.Status = Invalid
}

// OB2 verifies Open Badges 2.0 hosted assertions.
type OB2 struct {
	Fetcher Fetcher
	Loader  *jsonld.Loader
	Now     time.Time
}

var (
	hashedRE   = regexp.MustCompile(`^(?:sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)$`)
	emailRE    = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	e164RE     = regexp.MustCompile(`^\+?[1-9]\d{1,14}(;ext=\d+)?$`)
)

// Hosted verifies the assertion at u. When rcpt is not nil, the recipient
// hash must match it.
func (v OB2) Hosted(ctx context.Context, u string, rcpt *Recipient) Report {
	rep := Report{URL: u}
	a, ok := v.fetchNode(ctx, &rep, "assertion", u)
	if !ok {
		return rep
	}
	if b, _ := a["revoked"].(bool); b {
		rep.Status = Revoked
		rep.Reason, _ = a["revocationReason"].(string)
		if id, _ := a["id"].(string); id != u {
			rep.fail("revoked assertion: id %q is not its URL", id)
		}
		return rep
	}
	v.checkAssertion(ctx, &rep, u, a, rcpt)
	return rep
}

func (v OB2) checkAssertion(ctx context.Context, rep *Report, u string, a map[string]any, rcpt *Recipient) {
	if !hasType(a, "Assertion") {
		rep.fail("assertion: type is not Assertion")
	}
	if id, _ := a["id"].(string); id != u {
		rep.fail("assertion: hosted id %q differs from the URL it was fetched from", id)
	}
	ver, _ := a["verification"].(map[string]any)
	if vt, _ := ver["type"].(string); vt != "hosted" && vt != "HostedBadge" {
		rep.fail("assertion: verification.type %q is not hosted", vt)
	}
	issued := v.dateTime(rep, a, "issuedOn", true)
	if !issued.IsZero() && issued.After(v.Now) {
		rep.fail("assertion: issuedOn %s is in the future", a["issuedOn"])
	}
	if exp := v.dateTime(rep, a, "expires", false); !exp.IsZero() {
		if exp.Before(issued) {
			rep.fail("assertion: expires before issuedOn")
		} else if exp.Before(v.Now) && rep.Status == Valid {
			rep.Status = Expired
		}
	}
	v.checkRecipient(rep, a, rcpt)
	if img, ok := a["image"].(string); ok {
		if strings.HasPrefix(img, "data:") {
			rep.fail("assertion: image may not be a data URI")
		} else {
			v.checkImage(ctx, rep, "assertion", img)
		}
	}
	for _, e := range asList(a["evidence"]) {
		if m, ok := e.(map[string]any); ok {
			if id, ok := m["id"].(string); ok && !isHTTP(id) {
				rep.fail("assertion: evidence id %q is not an http(s) URL", id)
			}
		}
	}
	badgeURL, _ := a["badge"].(string)
	if !isHTTP(badgeURL) {
		rep.fail("assertion: badge %v is not an http(s) IRI", a["badge"])
		return
	}
	bc, ok := v.fetchNode(ctx, rep, "badge class", badgeURL)
	if !ok {
		return
	}
	issuerURL := v.checkBadgeClass(ctx, rep, badgeURL, bc)
	if issuerURL == "" {
		return
	}
	rep.Issuer = issuerURL
	is, ok := v.fetchNode(ctx, rep, "issuer", issuerURL)
	if !ok {
		return
	}
	v.checkIssuer(ctx, rep, issuerURL, is)
	v.checkScope(rep, u, issuerURL, is)
	v.checkRevocationList(ctx, rep, u, issuerURL, is)
}

func (v OB2) checkRecipient(rep *Report, a map[string]any, rcpt *Recipient) {
	r, ok := a["recipient"].(map[string]any)
	if !ok {
		rep.fail("assertion: no recipient")
		return
	}
	typ, _ := r["type"].(string)
	ident, _ := r["identity"].(string)
	hashed, _ := r["hashed"].(bool)
	salt, _ := r["salt"].(string)
	if !slices.Contains([]string{"email", "url", "telephone", "id"}, typ) {
		rep.fail("recipient: type %q is not email, url, telephone or id", typ)
	}
	switch {
	case hashed && !hashedRE.MatchString(ident):
		rep.fail("recipient: hashed identity is not sha256$<64 hex> or md5$<32 hex>")
	case !hashed && hashedRE.MatchString(ident):
		rep.fail("recipient: identity looks hashed but hashed is false")
	case !hashed && typ == "email" && !emailRE.MatchString(ident):
		rep.fail("recipient: plaintext email identity is not an e-mail address")
	}
	if rcpt == nil {
		return
	}
	if rcpt.Type != typ {
		rep.fail("recipient: type %q, expected %q", typ, rcpt.Type)
		return
	}
	if !hashed {
		if ident != rcpt.Identity {
			rep.fail("recipient: identity does not match")
		}
		return
	}
	alg, want, _ := strings.Cut(strings.ToLower(ident), "$")
	var got string
	switch alg {
	case "sha256":
		s := sha256.Sum256([]byte(rcpt.Identity + salt))
		got = hex.EncodeToString(s[:])
	case "md5":
		s := md5.Sum([]byte(rcpt.Identity + salt))
		got = hex.EncodeToString(s[:])
	}
	if got != want {
		rep.fail("recipient: identity hash does not match the expected recipient")
	}
}

func (v OB2) checkBadgeClass(ctx context.Context, rep *Report, u string, bc map[string]any) string {
	if !hasType(bc, "BadgeClass") {
		rep.fail("badge class: type is not BadgeClass")
	}
	if id, _ := bc["id"].(string); id != u {
		rep.fail("badge class: id %q differs from its URL %s", id, u)
	}
	for _, k := range []string{"name", "description"} {
		if s, _ := bc[k].(string); strings.TrimSpace(s) == "" {
			rep.fail("badge class: missing %s", k)
		}
	}
	switch img := bc["image"].(type) {
	case string:
		switch {
		case strings.HasPrefix(img, "data:image/png") || strings.HasPrefix(img, "data:image/svg+xml"):
		case strings.HasPrefix(img, "data:"):
			rep.fail("badge class: data URI image must be PNG or SVG")
		default:
			v.checkImage(ctx, rep, "badge class", img)
		}
	case map[string]any:
		if id, _ := img["id"].(string); id != "" {
			v.checkImage(ctx, rep, "badge class", id)
		} else {
			rep.fail("badge class: image object has no id")
		}
	default:
		rep.fail("badge class: missing image")
	}
	switch c := bc["criteria"].(type) {
	case string:
		if !isHTTP(c) {
			rep.fail("badge class: criteria %q is not an http(s) URL", c)
		}
	case map[string]any:
		id, _ := c["id"].(string)
		n, _ := c["narrative"].(string)
		if id == "" && n == "" {
			rep.fail("badge class: criteria has neither id nor narrative")
		}
		if id != "" && !isHTTP(id) {
			rep.fail("badge class: criteria id %q is not an http(s) URL", id)
		}
	default:
		rep.fail("badge class: missing criteria")
	}
	for i, al := range asList(bc["alignment"]) {
		m, _ := al.(map[string]any)
		n, _ := m["targetName"].(string)
		tu, _ := m["targetUrl"].(string)
		if n == "" || !isHTTP(tu) {
			rep.fail("badge class: alignment %d needs targetName and an http(s) targetUrl", i+1)
		}
		for _, k := range []string{"targetDescription", "targetFramework", "targetCode"} {
			if x, ok := m[k]; ok {
				if _, text := x.(string); !text {
					rep.fail("badge class: alignment %d: %s must be text", i+1, k)
				}
			}
		}
	}
	for _, t := range asList(bc["tags"]) {
		if _, ok := t.(string); !ok {
			rep.fail("badge class: tags must be text")
		}
	}
	iss, _ := bc["issuer"].(string)
	if !isHTTP(iss) {
		rep.fail("badge class: issuer %v is not an http(s) IRI", bc["issuer"])
		return ""
	}
	return iss
}

func (v OB2) checkIssuer(ctx context.Context, rep *Report, u string, is map[string]any) {
	if !hasType(is, "Issuer") && !hasType(is, "Profile") {
		rep.fail("issuer: type is not Issuer or Profile")
	}
	if id, _ := is["id"].(string); id != u {
		rep.fail("issuer: id %q differs from its URL %s", id, u)
	}
	if s, _ := is["name"].(string); s == "" {
		rep.fail("issuer: missing name")
	}
	if s, _ := is["url"].(string); !isHTTP(s) {
		rep.fail("issuer: url %q is not an http(s) URL", s)
	}
	if s, _ := is["email"].(string); !emailRE.MatchString(s) {
		rep.fail("issuer: email %q is not an e-mail address", s)
	}
	if s, ok := is["telephone"].(string); ok && !e164RE.MatchString(s) {
		rep.fail("issuer: telephone %q is not E.164", s)
	}
	if img, ok := is["image"].(string); ok && !strings.HasPrefix(img, "data:") {
		v.checkImage(ctx, rep, "issuer", img)
	}
}

// checkScope applies the issuer's hosted verification policy, by default
// "same origin as the issuer profile".
func (v OB2) checkScope(rep *Report, assertionURL, issuerURL string, is map[string]any) {
	au, err := url.Parse(assertionURL)
	if err != nil {
		rep.fail("assertion: id is not a URL")
		return
	}
	iu, _ := url.Parse(issuerURL)
	allowed := []string{iu.Host}
	var starts []string
	if pol, ok := is["verification"].(map[string]any); ok {
		if ao := asStrings(pol["allowedOrigins"]); len(ao) > 0 {
			allowed = ao
		}
		starts = asStrings(pol["startsWith"])
	}
	if !slices.Contains(allowed, au.Host) {
		rep.fail("scope: assertion origin %s is not allowed by the issuer (allowed: %s)", au.Host, strings.Join(allowed, ", "))
	}
	if len(starts) > 0 && !slices.ContainsFunc(starts, func(p string) bool { return strings.HasPrefix(assertionURL, p) }) {
		rep.fail("scope: assertion URL does not start with any of the issuer's startsWith prefixes")
	}
}

func (v OB2) checkRevocationList(ctx context.Context, rep *Report, assertionURL, issuerURL string, is map[string]any) {
	rlURL, _ := is["revocationList"].(string)
	if rlURL == "" {
		return
	}
	rl, ok := v.fetchNode(ctx, rep, "revocation list", rlURL)
	if !ok {
		return
	}
	if !hasType(rl, "RevocationList") {
		rep.fail("revocation list: type is not RevocationList")
	}
	if s, _ := rl["issuer"].(string); s != "" && s != issuerURL {
		rep.fail("revocation list: issuer %q is not %s", s, issuerURL)
	}
	for _, e := range asList(rl["revokedAssertions"]) {
		id, reason := "", ""
		switch e := e.(type) {
		case string:
			id = e
		case map[string]any:
			id, _ = e["id"].(string)
			reason, _ = e["revocationReason"].(string)
		}
		if id == assertionURL && rep.Status < Revoked {
			rep.Status, rep.Reason = Revoked, reason
		}
	}
}

func (v OB2) checkImage(ctx context.Context, rep *Report, what, u string) {
	if !isHTTP(u) {
		rep.fail("%s: image %q is not an http(s) URL", what, u)
		return
	}
	b, ct, err := v.Fetcher.Fetch(ctx, u)
	if err != nil {
		rep.fail("%s: image not fetchable: %v", what, err)
		return
	}
	mt, _, _ := strings.Cut(ct, ";")
	if mt != "image/png" && mt != "image/svg+xml" {
		rep.fail("%s: image %s served as %q, not PNG or SVG", what, u, ct)
	}
	if len(b) == 0 {
		rep.fail("%s: image %s is empty", what, u)
	}
}

// fetchNode fetches a JSON-LD document, checks its context and that it
// expands in SafeMode (every term defined by the Open Badges 2.0 context).
func (v OB2) fetchNode(ctx context.Context, rep *Report, what, u string) (map[string]any, bool) {
	b, ct, err := v.Fetcher.Fetch(ctx, u)
	if errors.Is(err, ErrGone) && what == "assertion" {
		rep.Status = Revoked
		return nil, false
	}
	if err != nil {
		rep.fail("%s: %v", what, err)
		return nil, false
	}
	mt, _, _ := strings.Cut(ct, ";")
	if mt != "application/json" && mt != "application/ld+json" {
		rep.fail("%s: served as %q, not application/ld+json or application/json", what, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		rep.fail("%s: not a JSON object: %v", what, err)
		return nil, false
	}
	if !slices.Contains(asStrings(m["@context"]), jsonld.OpenBadgesV2) {
		rep.fail("%s: @context is not %s", what, jsonld.OpenBadgesV2)
	}
	err = within(ctx, func() error {
		_, err := jsonld.ExpandStrict(v.Loader, b)
		return err
	})
	switch {
	case errors.Is(err, errTimedOut):
		rep.fail("%v", err)
		return nil, false
	case err != nil:
		rep.fail("%s: not valid JSON-LD under its context: %v", what, err)
	}
	return m, true
}

func (v OB2) dateTime(rep *Report, m map[string]any, key string, required bool) time.Time {
	s, ok := m[key].(string)
	if !ok {
		if required {
			rep.fail("missing %s", key)
		}
		return time.Time{}
	}
	if !dateTimeRE.MatchString(s) {
		rep.fail("%s %q is not an ISO 8601 date-time with a time zone", key, s)
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z07", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	rep.fail("%s %q is not a valid date-time", key, s)
	return time.Time{}
}

func hasType(m map[string]any, t string) bool { return slices.Contains(asStrings(m["type"]), t) }

func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asList(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
