// Package layout decides where every published object lives in the site:
// its output path (slash-separated, relative to the site root) and its URL.
// It is the single source of truth shared by the issuing and rendering
// stages and by the verifier tests.
package layout

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/model"
)

// Layout maps model objects to paths and URLs under a base URL.
type Layout struct {
	Base        string // absolute, ends with "/"
	DefaultLang string // served at the root; others under /<lang>/
}

// URL returns the absolute URL of an output path.
func (l Layout) URL(path string) string { return l.Base + path }

func (l Layout) langPrefix(lang string) string {
	if lang == "" || lang == l.DefaultLang {
		return ""
	}
	return lang + "/"
}

// Home is the site's home page folder in lang.
func (l Layout) Home(lang string) string { return l.langPrefix(lang) }

// SpacePage is the folder of a space's catalogue page in lang.
func (l Layout) SpacePage(sp *model.Space, lang string) string {
	return l.langPrefix(lang) + sp.Slug + "/"
}

// BadgePage is the folder of a badge class's page in lang.
func (l Layout) BadgePage(b *model.Badge, lang string) string {
	return l.langPrefix(lang) + b.Space.Slug + "/badges/" + b.Slug + "/"
}

// Issuer is the space's Open Badges 2.0 issuer Profile.
func (l Layout) Issuer(sp *model.Space) string { return sp.Slug + "/issuer.json" }

// Logo is the space's logo image.
func (l Layout) Logo(sp *model.Space) string { return sp.Slug + "/logo" + sp.Logo.Ext }

// RevocationList is the space's Open Badges 2.0 revocation list.
func (l Layout) RevocationList(sp *model.Space) string { return sp.Slug + "/revocations.json" }

// BadgeClass is the Open Badges 2.0 BadgeClass of a badge, or of one of its
// levels when lv is not nil.
func (l Layout) BadgeClass(b *model.Badge, lv *model.Level) string {
	if lv != nil {
		return b.Space.Slug + "/badges/" + b.Slug + "/" + lv.ID + ".json"
	}
	return b.Space.Slug + "/badges/" + b.Slug + "/badge.json"
}

// BadgeImage is the image of a badge class.
func (l Layout) BadgeImage(b *model.Badge) string {
	return b.Space.Slug + "/badges/" + b.Slug + "/image" + b.Image.Ext
}

// AssertionDir is the folder holding a space's hosted assertions; it is
// never listed and is disallowed to crawlers.
func (l Layout) AssertionDir(sp *model.Space) string { return sp.Slug + "/assertions/" }

// shard spreads an award's files over sub-folders named after the first two
// characters of its id (1,024 of them): file systems create files much
// faster in many small folders than in one with a million entries.
func shard(id string) string {
	if len(id) < 2 {
		return ""
	}
	return id[:2] + "/"
}

// Assertion is the hosted Open Badges 2.0 assertion of an award.
func (l Layout) Assertion(a *model.Award) string {
	return a.Badge.Space.Slug + "/assertions/" + shard(a.ID) + a.ID + ".json"
}

// Asset is a theme file.
func (l Layout) Asset(name string) string { return "assets/" + name }

// CredentialDir is the folder holding a space's Open Badges 3.0
// credentials; like AssertionDir it is never listed.
func (l Layout) CredentialDir(sp *model.Space) string { return sp.Slug + "/credentials/" }

// Credential is the Open Badges 3.0 credential of an award, with its
// embedded Data Integrity proof.
func (l Layout) Credential(a *model.Award) string {
	return a.Badge.Space.Slug + "/credentials/" + shard(a.ID) + a.ID + ".json"
}

// CredentialJWT is the same credential secured as a VC-JWT.
func (l Layout) CredentialJWT(a *model.Award) string {
	return a.Badge.Space.Slug + "/credentials/" + shard(a.ID) + a.ID + ".jwt"
}

// SignedAssertion is the Open Badges 2.0 signed (JWS) assertion of an award.
func (l Layout) SignedAssertion(a *model.Award) string {
	return a.Badge.Space.Slug + "/assertions/" + shard(a.ID) + a.ID + ".jws"
}

// Achievement is the Open Badges 3.0 Achievement of a badge.
func (l Layout) Achievement(b *model.Badge) string {
	return b.Space.Slug + "/badges/" + b.Slug + "/achievement.json"
}

// StatusList is a space's Bitstring Status List credential for a purpose
// ("revocation" or "suspension") and list number: the first list is
// status/revocation.json, the next ones status/revocation-1.json, ….
func (l Layout) StatusList(sp *model.Space, purpose string, list int) string {
	if list == 0 {
		return sp.Slug + "/status/" + purpose + ".json"
	}
	return sp.Slug + "/status/" + purpose + "-" + strconv.Itoa(list) + ".json"
}

// RevokedCredentials is a space's 1EdTech Revocation List.
func (l Layout) RevokedCredentials(sp *model.Space) string {
	return sp.Slug + "/status/revoked-credentials.json"
}

// DIDDocument is the did:web document of a space.
func (l Layout) DIDDocument(sp *model.Space) string { return sp.Slug + "/did.json" }

// JWKS is the JSON Web Key Set of a space's public keys.
func (l Layout) JWKS(sp *model.Space) string { return sp.Slug + "/jwks.json" }

// KeyJWK is the bare public JWK of one key, served at its kid URL.
func (l Layout) KeyJWK(sp *model.Space, kid string) string {
	return sp.Slug + "/keys/" + kid + ".json"
}

// CryptographicKey is the Open Badges 2.0 CryptographicKey document of one RSA key.
func (l Layout) CryptographicKey(sp *model.Space, kid string) string {
	return sp.Slug + "/keys/" + kid + ".ob2.json"
}

// DID returns the did:web identifier of a space: the host (with a
// percent-encoded port) and the path of the folder holding did.json.
func (l Layout) DID(sp *model.Space) string {
	u, err := url.Parse(l.Base)
	if err != nil {
		return ""
	}
	id := "did:web:" + strings.ReplaceAll(u.Host, ":", "%3A")
	for _, seg := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if seg != "" {
			id += ":" + seg
		}
	}
	return id + ":" + sp.Slug
}

// DIDURL returns where a did:web identifier's document is served (https, as
// the did:web method requires), or an error for another DID method or a
// malformed identifier. In the host only %3A (the port colon) is decoded;
// any other escape, or a character a host cannot hold, is refused, so that
// a DID cannot smuggle a path, user info or a query into the URL. IP
// literals are accepted (did:web forbids them, but local previews use them).
func DIDURL(did string) (string, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("%q is not a did:web identifier", did)
	}
	rest, _, _ = strings.Cut(rest, "#")
	parts := strings.Split(rest, ":")
	host, err := didWebHost(parts[0])
	if err != nil {
		return "", fmt.Errorf("%q: %w", did, err)
	}
	for _, seg := range parts[1:] {
		if !didPathSegment(seg) {
			return "", fmt.Errorf("%q: bad path segment %q", did, seg)
		}
	}
	if len(parts) == 1 {
		return "https://" + host + "/.well-known/did.json", nil
	}
	return "https://" + host + "/" + strings.Join(parts[1:], "/") + "/did.json", nil
}

// didWebHost decodes the host of a did:web identifier: a domain name or an
// IP literal, with an optional %3A-encoded port.
func didWebHost(enc string) (string, error) {
	h := strings.ReplaceAll(strings.ReplaceAll(enc, "%3A", ":"), "%3a", ":")
	if strings.Contains(h, "%") {
		return "", fmt.Errorf("bad host %q: only %%3A may be percent-encoded", enc)
	}
	name, port := h, ""
	if strings.HasPrefix(h, "[") { // IPv6 literal
		end := strings.Index(h, "]")
		if end < 0 {
			return "", fmt.Errorf("bad host %q", enc)
		}
		name, port = h[1:end], h[end+1:]
		if a, err := netip.ParseAddr(name); err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("bad host %q: not an IPv6 address", enc)
		}
		if port != "" && !strings.HasPrefix(port, ":") {
			return "", fmt.Errorf("bad host %q", enc)
		}
		port = strings.TrimPrefix(port, ":")
		if port == "" && strings.HasSuffix(h, ":") {
			return "", fmt.Errorf("bad host %q: empty port", enc)
		}
	} else {
		var hasPort bool
		name, port, hasPort = strings.Cut(h, ":")
		if hasPort && port == "" {
			return "", fmt.Errorf("bad host %q: empty port", enc)
		}
		if !hostNameRE.MatchString(name) {
			return "", fmt.Errorf("bad host %q", enc)
		}
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || strings.Trim(port, "0123456789") != "" {
			return "", fmt.Errorf("bad host %q: bad port", enc)
		}
	}
	return h, nil
}

// hostNameRE matches a domain name (or a dotted IPv4 address): labels of
// letters, digits, hyphens and underscores, not starting or ending with a
// hyphen, an optional final dot.
var hostNameRE = regexp.MustCompile(`^([A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?\.?$`)

// didPathSegment reports whether a did:web path segment is a plain URL
// path segment: RFC 3986 pchars (percent-escapes other than of "/"
// allowed), neither "." nor "..".
func didPathSegment(seg string) bool {
	if seg == "" || seg == "." || seg == ".." {
		return false
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', strings.IndexByte("-._~!$&'()*+,;=@", c) >= 0:
		case c == '%' && i+2 < len(seg) && isHex(seg[i+1]) && isHex(seg[i+2]):
			if d, _ := url.PathUnescape(seg[i : i+3]); d == "/" || d == "\\" || d == "." {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// FrameworkPage is the folder of a competency framework's page (its
// ladder and grid) in lang.
func (l Layout) FrameworkPage(f *model.Framework, lang string) string {
	return l.langPrefix(lang) + "frameworks/" + f.Slug + "/"
}

// FrameworkPackage is a framework's machine-readable form: a 1EdTech CASE
// CFPackage (CFDocument, CFItems, CFAssociations, CFRubrics).
func (l Layout) FrameworkPackage(f *model.Framework) string {
	return "frameworks/" + f.Slug + "/case.json"
}

// FrameworkItem is the CASE CFItem of a framework entry: a competency
// ("c1"), one of its dimensions ("c1-oser") or the competency at a level
// ("c1-competent"). Badge alignments point at these URLs.
func (l Layout) FrameworkItem(f *model.Framework, id string) string {
	return "frameworks/" + f.Slug + "/items/" + id + ".json"
}

// CompetencyItem is the CFItem of a competency.
func (l Layout) CompetencyItem(c *model.Competency) string {
	return l.FrameworkItem(c.Framework, c.ID)
}

// CompetencyLevelItem is the CFItem of a competency at one level.
func (l Layout) CompetencyLevelItem(c *model.Competency, level string) string {
	return l.FrameworkItem(c.Framework, c.ID+"-"+level)
}

// TemplatePage is the folder of a shared template's page in lang.
func (l Layout) TemplatePage(t *model.Template, lang string) string {
	return l.langPrefix(lang) + "templates/" + t.Slug + "/"
}

// TemplateAchievement is the Open Badges 3.0 Achievement describing a
// shared template, which derived achievements list as `related`.
func (l Layout) TemplateAchievement(t *model.Template) string {
	return "templates/" + t.Slug + "/achievement.json"
}

// TemplateImage is the image of a shared template.
func (l Layout) TemplateImage(t *model.Template) string {
	return "templates/" + t.Slug + "/image" + t.Image.Ext
}
