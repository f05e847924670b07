// Package layout decides where every published object lives in the site:
// its output path (slash-separated, relative to the site root) and its URL.
// It is the single source of truth shared by the issuing and rendering
// stages and by the verifier tests.
package layout

import (
	"fmt"
	"net/url"
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

// Assertion is the hosted Open Badges 2.0 assertion of an award.
func (l Layout) Assertion(a *model.Award) string {
	return a.Badge.Space.Slug + "/assertions/" + a.ID + ".json"
}

// Asset is a theme file.
func (l Layout) Asset(name string) string { return "assets/" + name }

// CredentialDir is the folder holding a space's Open Badges 3.0
// credentials; like AssertionDir it is never listed.
func (l Layout) CredentialDir(sp *model.Space) string { return sp.Slug + "/credentials/" }

// Credential is the Open Badges 3.0 credential of an award, with its
// embedded Data Integrity proof.
func (l Layout) Credential(a *model.Award) string {
	return a.Badge.Space.Slug + "/credentials/" + a.ID + ".json"
}

// CredentialJWT is the same credential secured as a VC-JWT.
func (l Layout) CredentialJWT(a *model.Award) string {
	return a.Badge.Space.Slug + "/credentials/" + a.ID + ".jwt"
}

// SignedAssertion is the Open Badges 2.0 signed (JWS) assertion of an award.
func (l Layout) SignedAssertion(a *model.Award) string {
	return a.Badge.Space.Slug + "/assertions/" + a.ID + ".jws"
}

// Achievement is the Open Badges 3.0 Achievement of a badge.
func (l Layout) Achievement(b *model.Badge) string {
	return b.Space.Slug + "/badges/" + b.Slug + "/achievement.json"
}

// StatusList is a space's Bitstring Status List credential for a purpose
// ("revocation" or "suspension").
func (l Layout) StatusList(sp *model.Space, purpose string) string {
	return sp.Slug + "/status/" + purpose + ".json"
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
// the did:web method requires), or an error for another DID method.
func DIDURL(did string) (string, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("%q is not a did:web identifier", did)
	}
	rest, _, _ = strings.Cut(rest, "#")
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil {
		return "", fmt.Errorf("%q: bad host: %w", did, err)
	}
	if len(parts) == 1 {
		return "https://" + host + "/.well-known/did.json", nil
	}
	return "https://" + host + "/" + strings.Join(parts[1:], "/") + "/did.json", nil
}
