package dataintegrity

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"
)

// Multicodec prefixes (varint-encoded) of Ed25519 keys.
var (
	ed25519PubPrefix  = []byte{0xed, 0x01}
	ed25519PrivPrefix = []byte{0x80, 0x26}
)

// EncodeMultikey returns the publicKeyMultibase of an Ed25519 key ("z6Mk…").
func EncodeMultikey(pub ed25519.PublicKey) string {
	return "z" + base58.Encode(append(append([]byte{}, ed25519PubPrefix...), pub...))
}

// DecodeMultikey parses an Ed25519 publicKeyMultibase.
func DecodeMultikey(s string) (ed25519.PublicKey, error) {
	b, err := DecodeMultibase58(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.PublicKeySize || !bytes.HasPrefix(b, ed25519PubPrefix) {
		return nil, fmt.Errorf("publicKeyMultibase %q is not an Ed25519 Multikey", s)
	}
	return ed25519.PublicKey(b[2:]), nil
}

// DecodeSecretMultikey parses an Ed25519 secretKeyMultibase (the 32-byte seed).
func DecodeSecretMultikey(s string) (ed25519.PrivateKey, error) {
	b, err := DecodeMultibase58(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.SeedSize || !bytes.HasPrefix(b, ed25519PrivPrefix) {
		return nil, errors.New("secretKeyMultibase is not an Ed25519 secret Multikey")
	}
	return ed25519.NewKeyFromSeed(b[2:]), nil
}

// DecodeMultibase58 decodes a base58-btc multibase string ("z…").
func DecodeMultibase58(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("%q is not base58-btc multibase (must start with z)", s)
	}
	return base58.Decode(s[1:])
}
