// Package dataintegrity creates and verifies W3C Data Integrity proofs with
// the eddsa-rdfc-2022 cryptosuite: RDFC-1.0 canonicalization of the document
// and of the proof configuration, SHA-256 of each (proof first), and a pure
// Ed25519 signature encoded as a base58-btc multibase proofValue.
package dataintegrity

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/jsonout"
	"github.com/mr-tron/base58"
)

// Names used in proofs.
const (
	ProofType       = "DataIntegrityProof"
	Cryptosuite     = "eddsa-rdfc-2022"
	AssertionMethod = "assertionMethod"
)

// Proof is a DataIntegrityProof.
type Proof struct {
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created,omitempty"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// Suite signs and verifies with the embedded contexts only.
type Suite struct {
	Loader *jsonld.Loader
	// Canon, when set, canonicalizes through per-shape RDF templates
	// (see jsonld.Canonicalizer); the output is the same, faster.
	Canon *jsonld.Canonicalizer
}

// canonicalize appends the canonical N-Quads of doc to dst.
func (s Suite) canonicalize(dst []byte, doc map[string]any) ([]byte, error) {
	if s.Canon != nil {
		return s.Canon.AppendCanonical(dst, doc)
	}
	nq, err := jsonld.Canonicalize(s.Loader, doc)
	if err != nil {
		return dst, err
	}
	return append(dst, nq...), nil
}

// Errors a verifier may branch on.
var (
	ErrNoProof   = errors.New("no eddsa-rdfc-2022 DataIntegrityProof")
	ErrSignature = errors.New("signature does not match the document")
)

// HashData returns SHA-256(canonical proof configuration) ‖
// SHA-256(canonical document), the 64 bytes that are signed. doc must not
// hold a proof; p must not hold a proofValue.
func (s Suite) HashData(doc map[string]any, p Proof) ([]byte, error) {
	if p.Type != ProofType || p.Cryptosuite != Cryptosuite {
		return nil, fmt.Errorf("proof type %q / cryptosuite %q: want %s / %s", p.Type, p.Cryptosuite, ProofType, Cryptosuite)
	}
	if p.Created != "" {
		if _, err := time.Parse(time.RFC3339, p.Created); err != nil {
			return nil, fmt.Errorf("proof created %q is not a date-time stamp", p.Created)
		}
	}
	cfg, err := jsonout.ToMap(p)
	if err != nil {
		return nil, err
	}
	delete(cfg, "proofValue")
	cfg["@context"] = doc["@context"]
	canon, err := s.canonicalize(make([]byte, 0, 16<<10), cfg)
	if err != nil {
		return nil, fmt.Errorf("proof configuration: %w", err)
	}
	h1 := sha256.Sum256(canon)
	// The same buffer serves for the document.
	canon, err = s.canonicalize(canon[:0], doc)
	if err != nil {
		return nil, err
	}
	h2 := sha256.Sum256(canon)
	return append(h1[:], h2[:]...), nil
}

// Sign returns p completed with the proofValue over doc.
func (s Suite) Sign(doc map[string]any, p Proof, key ed25519.PrivateKey) (Proof, error) {
	p.ProofValue = ""
	data, err := s.HashData(doc, p)
	if err != nil {
		return Proof{}, err
	}
	p.ProofValue = "z" + base58.Encode(ed25519.Sign(key, data))
	return p, nil
}

// Resolver returns the public key of a verification method, checking that
// it may be used for the proof purpose.
type Resolver func(verificationMethod, purpose string) (ed25519.PublicKey, error)

// Verify checks the first eddsa-rdfc-2022 proof of a secured document
// (proof as an object or an array) and returns it.
func (s Suite) Verify(secured map[string]any, resolve Resolver) (Proof, error) {
	doc := make(map[string]any, len(secured))
	for k, v := range secured {
		if k != "proof" {
			doc[k] = v
		}
	}
	var proofs []Proof
	switch pv := secured["proof"].(type) {
	case map[string]any:
		proofs = []Proof{fromMap(pv)}
	case []any:
		for _, x := range pv {
			if m, ok := x.(map[string]any); ok {
				proofs = append(proofs, fromMap(m))
			}
		}
	}
	for _, p := range proofs {
		if p.Type != ProofType || p.Cryptosuite != Cryptosuite {
			continue
		}
		if p.ProofPurpose != AssertionMethod {
			return p, fmt.Errorf("proof purpose %q, want %s", p.ProofPurpose, AssertionMethod)
		}
		sig, err := DecodeMultibase58(p.ProofValue)
		if err != nil || len(sig) != ed25519.SignatureSize {
			return p, fmt.Errorf("proofValue is not a base58-btc Ed25519 signature")
		}
		pub, err := resolve(p.VerificationMethod, p.ProofPurpose)
		if err != nil {
			return p, fmt.Errorf("verification method %s: %w", p.VerificationMethod, err)
		}
		unsigned := p
		unsigned.ProofValue = ""
		data, err := s.HashData(doc, unsigned)
		if err != nil {
			return p, err
		}
		if !ed25519.Verify(pub, data, sig) {
			return p, ErrSignature
		}
		return p, nil
	}
	return Proof{}, ErrNoProof
}

func fromMap(m map[string]any) Proof {
	str := func(k string) string { s, _ := m[k].(string); return s }
	return Proof{Type: str("type"), Cryptosuite: str("cryptosuite"), Created: str("created"),
		VerificationMethod: str("verificationMethod"), ProofPurpose: str("proofPurpose"), ProofValue: str("proofValue")}
}
