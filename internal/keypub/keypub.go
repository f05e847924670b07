// Package keypub publishes the public half of a space's keys so that anyone
// can verify its credentials from static files: a did:web document (Multikey
// for Ed25519, JsonWebKey for RSA and P-256), a JWK Set, a bare JWK at every
// kid URL (what VC-JWT verifiers dereference), and an Open Badges 2.0
// CryptographicKey document for every RSA key.
package keypub

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob2"
)

// Publisher publishes keys under one layout.
type Publisher struct {
	Layout layout.Layout
}

// VerificationMethod is the DID URL of a key in its space's DID document.
func (p Publisher) VerificationMethod(sp *model.Space, k *keys.Key) string {
	return p.Layout.DID(sp) + "#" + k.Kid
}

// KidURL is the URL of the bare public JWK of a key: the JWT "kid".
func (p Publisher) KidURL(sp *model.Space, k *keys.Key) string {
	return p.Layout.URL(p.Layout.KeyJWK(sp, k.Kid))
}

// OB2KeyURL is the URL of an RSA key's Open Badges 2.0 CryptographicKey.
func (p Publisher) OB2KeyURL(sp *model.Space, k *keys.Key) string {
	return p.Layout.URL(p.Layout.CryptographicKey(sp, k.Kid))
}

// VerificationMethodDoc is an entry of a DID document.
type VerificationMethodDoc struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Controller         string          `json:"controller"`
	PublicKeyMultibase string          `json:"publicKeyMultibase,omitempty"`
	PublicKeyJwk       json.RawMessage `json:"publicKeyJwk,omitempty"`
}

// DIDDocument is a did:web document.
type DIDDocument struct {
	Context            []string                `json:"@context"`
	ID                 string                  `json:"id"`
	VerificationMethod []VerificationMethodDoc `json:"verificationMethod"`
	AssertionMethod    []string                `json:"assertionMethod"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []json.RawMessage `json:"keys"`
}

// CryptographicKey is an Open Badges 2.0 public key document.
type CryptographicKey struct {
	Context      string `json:"@context"`
	Type         string `json:"type"`
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

// Documents holds everything published for a space's keys, by output path.
type Documents map[string]any

// Space returns the documents of a space's keys. Every key of the keyring
// is published, current and retired alike, so that credentials signed
// before a rotation keep verifying.
func (p Publisher) Space(sp *model.Space, ring *keys.Keyring) (Documents, error) {
	l := p.Layout
	did := l.DID(sp)
	docs := Documents{}
	dd := DIDDocument{
		Context:            []string{jsonld.DIDV1, jsonld.MultikeyV1, jsonld.JWKV1},
		ID:                 did,
		VerificationMethod: []VerificationMethodDoc{},
		AssertionMethod:    []string{},
	}
	var jwks JWKS
	for _, k := range ring.Keys {
		pj, err := k.PublicJWK()
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(pj)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k.Kid, err)
		}
		jwks.Keys = append(jwks.Keys, raw)
		docs[l.KeyJWK(sp, k.Kid)] = json.RawMessage(raw)
		vm := VerificationMethodDoc{ID: p.VerificationMethod(sp, k), Controller: did}
		if k.Alg == keys.EdDSA {
			vm.Type, vm.PublicKeyMultibase = "Multikey", dataintegrity.EncodeMultikey(k.Public().(ed25519.PublicKey))
		} else {
			vm.Type, vm.PublicKeyJwk = "JsonWebKey", raw
		}
		dd.VerificationMethod = append(dd.VerificationMethod, vm)
		dd.AssertionMethod = append(dd.AssertionMethod, vm.ID)
		if k.Alg == keys.RS256 {
			der, err := x509.MarshalPKIXPublicKey(k.Public())
			if err != nil {
				return nil, fmt.Errorf("key %s: %w", k.Kid, err)
			}
			docs[l.CryptographicKey(sp, k.Kid)] = CryptographicKey{
				Context: ob2.Context, Type: "CryptographicKey", ID: p.OB2KeyURL(sp, k),
				Owner:        l.URL(l.Issuer(sp)),
				PublicKeyPem: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
			}
		}
	}
	docs[l.DIDDocument(sp)] = dd
	docs[l.JWKS(sp)] = jwks
	return docs, nil
}
