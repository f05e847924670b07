package keys

import (
	"crypto"
	"crypto/ecdsa"
	"io"
)

// DeterministicSigner returns a signer producing reproducible signatures.
// For an *ecdsa.PrivateKey it returns a wrapper whose Sign ignores the random
// source and signs per RFC 6979 (crypto/ecdsa does so when given a nil
// reader); opts.HashFunc() must name the hash that produced the digest. Other
// signers are returned unchanged: Ed25519 and RSA PKCS#1 v1.5 are
// deterministic already.
//
// The wrapper is not an *ecdsa.PrivateKey, so jwx v2 (jws.Sign with
// jws.WithKey(jwa.ES256, DeterministicSigner(priv))) signs through its
// crypto.Signer path and the resulting JWS is byte-identical across runs.
func DeterministicSigner(s crypto.Signer) crypto.Signer {
	if k, ok := s.(*ecdsa.PrivateKey); ok {
		return deterministicECDSA{k}
	}
	return s
}

type deterministicECDSA struct{ k *ecdsa.PrivateKey }

func (d deterministicECDSA) Public() crypto.PublicKey { return d.k.Public() }

func (d deterministicECDSA) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.k.Sign(nil, digest, opts)
}
