// Package vcjwt secures Open Badges 3.0 credentials as VC-JWTs, following
// the OB 3.0 rules: the JWT payload is the credential itself plus the claims
// iss (issuer id), jti (credential id), nbf (validFrom), exp (validUntil,
// when set) and sub (credentialSubject.id, when set); the protected header
// holds alg, kid (a URL serving the public JWK) and typ "JWT", nothing else.
// ES256 signatures are deterministic (RFC 6979) so builds are reproducible.
package vcjwt

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/keys"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// Sign returns the compact JWS of a credential signed with key, whose
// public JWK is served at kidURL. The credential comes twice: as compact
// JSON without proof (jsonout.Compact), which the payload is made of, and
// decoded, which the registered claims are read from.
func Sign(credJSON []byte, credential map[string]any, key *keys.Key, kidURL string) ([]byte, error) {
	if key.Alg != keys.ES256 && key.Alg != keys.RS256 {
		return nil, fmt.Errorf("VC-JWT: key %s is %s; Open Badges 3.0 verifiers accept RS256 and ES256", key.Kid, key.Alg)
	}
	if _, ok := credential["proof"]; ok {
		return nil, errors.New("VC-JWT: the credential to sign holds a proof")
	}
	body, err := Payload(credJSON, credential)
	if err != nil {
		return nil, err
	}
	// The protected header is exactly alg, kid and typ, in that order (the
	// order jwx writes them in).
	hdr, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{key.Alg, kidURL, "JWT"})
	if err != nil {
		return nil, err
	}
	signer, err := jws.NewSigner(jwa.SignatureAlgorithm(key.Alg))
	if err != nil {
		return nil, err
	}
	// Compact serialization (RFC 7515 §7.1): the signing input, a dot, the
	// signature; all in one buffer.
	b64 := base64.RawURLEncoding
	tok := make([]byte, 0, b64.EncodedLen(len(hdr))+b64.EncodedLen(len(body))+100)
	tok = b64.AppendEncode(tok, hdr)
	tok = append(tok, '.')
	tok = b64.AppendEncode(tok, body)
	sig, err := signer.Sign(tok, keys.DeterministicSigner(key.Signer()))
	if err != nil {
		return nil, err
	}
	tok = append(tok, '.')
	return b64.AppendEncode(tok, sig), nil
}

// Payload returns the JWT payload of a credential: its compact JSON with
// the registered claims (Claims) added after its own members.
func Payload(credJSON []byte, credential map[string]any) ([]byte, error) {
	claims, err := registered(credential)
	if err != nil {
		return nil, err
	}
	members := make([]jsonout.Member, 0, len(claims))
	for _, c := range claims {
		if _, clash := credential[c.key]; clash {
			return nil, fmt.Errorf("VC-JWT: the credential has its own %q member", c.key)
		}
		enc, err := json.Marshal(c.value)
		if err != nil {
			return nil, err
		}
		members = append(members, jsonout.Member{Key: c.key, Value: enc})
	}
	body, err := jsonout.WithMembers(credJSON, members...)
	if err != nil {
		return nil, fmt.Errorf("VC-JWT: %w", err)
	}
	return body, nil
}

// Claims returns the JWT payload of a credential: the credential plus the
// registered claims derived from it.
func Claims(c map[string]any) (map[string]any, error) {
	claims, err := registered(c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(c)+len(claims))
	for k, v := range c {
		if k != "proof" {
			out[k] = v
		}
	}
	for _, cl := range claims {
		out[cl.key] = cl.value
	}
	return out, nil
}

type claim struct {
	key   string
	value any
}

// registered returns the registered claims derived from a credential, in
// payload order: iss, jti, nbf, then exp and sub when they apply.
func registered(c map[string]any) ([]claim, error) {
	iss, err := issuerID(c)
	if err != nil {
		return nil, err
	}
	id, _ := c["id"].(string)
	if id == "" {
		return nil, errors.New("VC-JWT: credential has no id")
	}
	nbf, err := numericDate(c, "validFrom", true)
	if err != nil {
		return nil, err
	}
	out := []claim{{"iss", iss}, {"jti", id}, {"nbf", nbf}}
	if exp, err := numericDate(c, "validUntil", false); err != nil {
		return nil, err
	} else if exp != 0 {
		out = append(out, claim{"exp", exp})
	}
	if subj, ok := c["credentialSubject"].(map[string]any); ok {
		if sub, _ := subj["id"].(string); sub != "" {
			out = append(out, claim{"sub", sub})
		}
	}
	return out, nil
}

func issuerID(c map[string]any) (string, error) {
	switch is := c["issuer"].(type) {
	case string:
		return is, nil
	case map[string]any:
		if id, _ := is["id"].(string); id != "" {
			return id, nil
		}
	}
	return "", errors.New("VC-JWT: credential has no issuer id")
}

func numericDate(c map[string]any, key string, required bool) (int64, error) {
	s, _ := c[key].(string)
	if s == "" {
		if required {
			return 0, fmt.Errorf("VC-JWT: credential has no %s", key)
		}
		return 0, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("VC-JWT: %s %q: %w", key, s, err)
	}
	return t.Unix(), nil
}

// KeyResolver returns the public key a kid designates.
type KeyResolver func(kid string) (crypto.PublicKey, error)

// Verified is what Verify learned from a VC-JWT.
type Verified struct {
	Alg        string
	Kid        string
	Credential map[string]any // the payload less the registered claims
}

// Verify checks the signature of a compact VC-JWT with the key its kid
// designates, then the OB 3.0 claim rules. Time validity (nbf, exp) is left
// to the caller, which reports expiry as a status rather than an error.
func Verify(token []byte, resolve KeyResolver) (*Verified, error) {
	msg, err := jws.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("not a compact JWS: %w", err)
	}
	if len(msg.Signatures()) != 1 {
		return nil, errors.New("expected exactly one signature")
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	alg := h.Algorithm()
	if alg != jwa.RS256 && alg != jwa.ES256 {
		return nil, fmt.Errorf("alg %s: Open Badges 3.0 VC-JWTs use RS256 or ES256", alg)
	}
	if typ := h.Type(); typ != "" && typ != "JWT" {
		return nil, fmt.Errorf("typ %q, want JWT", typ)
	}
	kid := h.KeyID()
	if kid == "" {
		return nil, errors.New("no kid in the JOSE header")
	}
	pub, err := resolve(kid)
	if err != nil {
		return nil, fmt.Errorf("kid %s: %w", kid, err)
	}
	payload, err := jws.Verify(token, jws.WithKey(alg, pub))
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber() // keeps nbf and exp exact
	if err := dec.Decode(&claims); err != nil {
		return nil, fmt.Errorf("payload is not a JSON object: %w", err)
	}
	want, err := Claims(claims)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"iss", "jti", "nbf", "exp", "sub"} {
		if fmt.Sprint(claims[k]) != fmt.Sprint(want[k]) {
			return nil, fmt.Errorf("claim %s = %v does not match the credential (%v)", k, claims[k], want[k])
		}
	}
	cred := map[string]any{}
	for k, v := range claims {
		switch k {
		case "iss", "jti", "nbf", "exp", "sub", "iat", "aud":
		default:
			cred[k] = v
		}
	}
	return &Verified{Alg: alg.String(), Kid: kid, Credential: cred}, nil
}
