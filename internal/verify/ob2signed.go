package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"slices"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// Signed verifies an Open Badges 2.0 signed assertion (compact JWS, RS256):
// the assertion and its chain, the creator key (a CryptographicKey owned by
// the issuer and listed in its publicKey), the signature, and the issuer's
// revocation list.
func (v OB2) Signed(ctx context.Context, token []byte, rcpt *Recipient) Report {
	rep := Report{}
	token = bytes.TrimSpace(token)
	msg, err := jws.Parse(token)
	if err != nil {
		rep.fail("not a compact JWS: %v", err)
		return rep
	}
	var a map[string]any
	if err := json.Unmarshal(msg.Payload(), &a); err != nil {
		rep.fail("payload is not a JSON object: %v", err)
		return rep
	}
	rep.URL, _ = a["id"].(string)
	if len(msg.Signatures()) != 1 || msg.Signatures()[0].ProtectedHeaders().Algorithm() != jwa.RS256 {
		rep.fail("signed assertions use one RS256 signature")
		return rep
	}
	ver, _ := a["verification"].(map[string]any)
	if t, _ := ver["type"].(string); t != "SignedBadge" && t != "signed" {
		rep.fail("verification.type %q is not SignedBadge", t)
	}
	creator, _ := ver["creator"].(string)
	if !hasType(a, "Assertion") {
		rep.fail("assertion: type is not Assertion")
	}
	issued := v.dateTime(&rep, a, "issuedOn", true)
	if !issued.IsZero() && issued.After(v.Now) {
		rep.fail("assertion: issuedOn is in the future")
	}
	if exp := v.dateTime(&rep, a, "expires", false); !exp.IsZero() && exp.Before(v.Now) && rep.Status == Valid {
		rep.Status = Expired
	}
	v.checkRecipient(&rep, a, rcpt)
	badgeURL, _ := a["badge"].(string)
	bc, ok := v.fetchNode(ctx, &rep, "badge class", badgeURL)
	if !ok {
		return rep
	}
	issuerURL := v.checkBadgeClass(ctx, &rep, badgeURL, bc)
	if issuerURL == "" {
		return rep
	}
	rep.Issuer = issuerURL
	is, ok := v.fetchNode(ctx, &rep, "issuer", issuerURL)
	if !ok {
		return rep
	}
	v.checkIssuer(ctx, &rep, issuerURL, is)
	if !slices.Contains(asStrings(is["publicKey"]), creator) {
		rep.fail("key: creator %q is not listed in the issuer's publicKey", creator)
		return rep
	}
	key, ok := v.fetchNode(ctx, &rep, "key", creator)
	if !ok {
		return rep
	}
	if owner, _ := key["owner"].(string); owner != issuerURL || !hasType(key, "CryptographicKey") {
		rep.fail("key: %s is not a CryptographicKey owned by the issuer", creator)
		return rep
	}
	pemText, _ := key["publicKeyPem"].(string)
	blk, _ := pem.Decode([]byte(pemText))
	if blk == nil {
		rep.fail("key: publicKeyPem is not PEM")
		return rep
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		rep.fail("key: %v", err)
		return rep
	}
	if _, err := jws.Verify(token, jws.WithKey(jwa.RS256, pub)); err != nil {
		rep.fail("signature: %v", err)
		return rep
	}
	v.checkRevocationList(ctx, &rep, rep.URL, issuerURL, is)
	return rep
}
