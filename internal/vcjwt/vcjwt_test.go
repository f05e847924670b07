package vcjwt

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/keys"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

func credential() map[string]any {
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":                "https://badges.example.fr/ecole/credentials/abc.json",
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            map[string]any{"id": "did:web:badges.example.fr:ecole", "type": []any{"Profile"}, "name": "École"},
		"validFrom":         "2025-01-10T00:00:00Z",
		"validUntil":        "2027-01-10T00:00:00Z",
		"credentialSubject": map[string]any{"type": []any{"AchievementSubject"}},
	}
}

func newKey(t *testing.T, alg string) *keys.Key {
	t.Helper()
	k, err := keys.Store{Dir: t.TempDir(), Rand: rand.Reader}.NewKey("ecole", alg, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func resolverFor(k *keys.Key, kid string) KeyResolver {
	return func(got string) (crypto.PublicKey, error) {
		if got != kid {
			return nil, errors.New("unknown kid")
		}
		return k.Public(), nil
	}
}

func parts(t *testing.T, tok []byte) (hdr, payload map[string]any) {
	t.Helper()
	p := strings.Split(string(tok), ".")
	if len(p) != 3 {
		t.Fatalf("not a compact JWS: %s", tok)
	}
	for i, dst := range []*map[string]any{&hdr, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(p[i])
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(b, dst)
	}
	return hdr, payload
}

func TestSignAndVerify(t *testing.T) {
	for _, alg := range []string{keys.ES256, keys.RS256} {
		t.Run(alg, func(t *testing.T) {
			k := newKey(t, alg)
			kid := "https://badges.example.fr/ecole/keys/" + k.Kid + ".json"
			tok, err := signMap(credential(), k, kid)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := signMap(credential(), k, kid)
			if !bytes.Equal(tok, again) {
				t.Error("two signatures of the same credential differ: builds would not be reproducible")
			}
			hdr, payload := parts(t, tok)
			if len(hdr) != 3 || hdr["alg"] != alg || hdr["kid"] != kid || hdr["typ"] != "JWT" {
				t.Errorf("header %v: want exactly alg, kid, typ", hdr)
			}
			if payload["iss"] != "did:web:badges.example.fr:ecole" || payload["jti"] != credential()["id"] ||
				payload["nbf"] != float64(1736467200) || payload["exp"] != float64(1799539200) || payload["sub"] != nil {
				t.Errorf("claims %v", payload)
			}
			if payload["validFrom"] != "2025-01-10T00:00:00Z" {
				t.Error("the credential is not the payload")
			}
			v, err := Verify(tok, resolverFor(k, kid))
			if err != nil {
				t.Fatal(err)
			}
			if v.Credential["id"] != credential()["id"] || v.Credential["iss"] != nil {
				t.Errorf("verified credential %v", v.Credential)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	k := newKey(t, keys.ES256)
	kid := "https://badges.example.fr/k.json"
	good, _ := signMap(credential(), k, kid)
	other := newKey(t, keys.ES256)
	// A correctly signed token whose nbf disagrees with validFrom.
	claims, _ := Claims(credential())
	claims["nbf"] = 1
	body, _ := json.Marshal(claims)
	hdr := jws.NewHeaders()
	hdr.Set(jws.KeyIDKey, kid)
	badClaim, err := jws.Sign(body, jws.WithKey(jwa.ES256, k.Signer(), jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(string(good), ".")
	flipped := []byte(p[0] + "." + p[1][:10] + string(rune(p[1][10]^1)) + p[1][11:] + "." + p[2])
	tests := []struct {
		name    string
		tok     []byte
		resolve KeyResolver
		errHas  string
	}{
		{"one changed byte", flipped, resolverFor(k, kid), ""},
		{"another key", good, resolverFor(other, kid), "signature"},
		{"unknown kid", good, resolverFor(k, "https://elsewhere.example/k.json"), "unknown kid"},
		{"not a JWS", []byte("abc"), resolverFor(k, kid), "not a compact JWS"},
		{"nbf differs from validFrom", badClaim, resolverFor(k, kid), "claim nbf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(tt.tok, tt.resolve)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v, want one containing %q", err, tt.errHas)
			}
		})
	}
	if _, err := signMap(map[string]any{"id": "x", "issuer": "did:web:x"}, k, kid); err == nil {
		t.Error("a credential without validFrom was signed")
	}
	ed := newKey(t, keys.EdDSA)
	if _, err := signMap(credential(), ed, kid); err == nil {
		t.Error("an EdDSA key signed a VC-JWT")
	}
}

// signMap signs a credential given as a decoded object, as the issuer does.
func signMap(c map[string]any, k *keys.Key, kid string) ([]byte, error) {
	b, err := jsonout.Compact(c)
	if err != nil {
		return nil, err
	}
	return Sign(b, c, k, kid)
}

// The payload is the credential plus the registered claims, nothing else,
// and a credential holding a member named like a claim is refused.
func TestPayload(t *testing.T) {
	c := credential()
	b, _ := jsonout.Compact(c)
	p, err := Payload(b, c)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(p, &got); err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, p)
	}
	want := map[string]any{"iss": "did:web:badges.example.fr:ecole", "jti": c["id"], "nbf": float64(1736467200), "exp": float64(1799539200)}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(c)+len(want) {
		t.Errorf("payload has %d members, want %d", len(got), len(c)+len(want))
	}
	c["iss"] = "someone else"
	b, _ = jsonout.Compact(c)
	if _, err := Payload(b, c); err == nil {
		t.Error("a credential with its own iss member was accepted")
	}
}

// The token is what jwx's own jws.Sign makes of the same payload and
// header (signatures are deterministic), byte for byte.
func TestTokenIsJWXCompactSerialization(t *testing.T) {
	for _, alg := range []string{keys.ES256, keys.RS256} {
		k := newKey(t, alg)
		kid := "https://badges.example.fr/ecole/keys/" + k.Kid + ".json"
		c := credential()
		b, _ := jsonout.Compact(c)
		got, err := Sign(b, c, k, kid)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := Payload(b, c)
		hdr := jws.NewHeaders()
		hdr.Set(jws.KeyIDKey, kid)
		hdr.Set(jws.TypeKey, "JWT")
		want, err := jws.Sign(body, jws.WithKey(jwa.SignatureAlgorithm(alg), keys.DeterministicSigner(k.Signer()), jws.WithProtectedHeaders(hdr)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", alg, got, want)
		}
	}
}
