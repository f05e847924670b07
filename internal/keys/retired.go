package keys

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// A retired key is a key whose private half was destroyed on purpose: it
// signs nothing any more, but its public half stays published (did.json,
// jwks.json, keys/) so that every credential it signed keeps verifying. It
// is kept as keys/<space>/<kid>.retired.json: the public JWK with its kid,
// alg, blason:activeFrom and blason:retired (the date it was retired).
// Awards it used to sign are signed by the next key of its algorithm (see
// Keyring.Signing) when they are issued again.

// RetiredParam is the JWK parameter holding the date (YYYY-MM-DD) a retired
// key was retired.
const RetiredParam = "blason:retired"

const retiredExt = ".retired.json"

// KeyFile is the name of the private key file of kid.
func KeyFile(kid string) string { return kid + keyExt }

// RetiredFile is the name of the file of kid once retired.
func RetiredFile(kid string) string { return kid + retiredExt }

// parseRetiredFile decodes and validates a retired key file.
func parseRetiredFile(path string, data []byte) (*Key, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...))
	}
	jk, err := jwk.ParseKey(data)
	if err != nil {
		return nil, bad("not a valid JWK: %v", err)
	}
	if priv, err := jwk.IsPrivateKey(jk); err == nil && priv {
		return nil, bad("holds a private key; a retired key keeps its public half only")
	}
	var pub crypto.PublicKey
	if err := jk.Raw(&pub); err != nil {
		return nil, bad("unusable key: %v", err)
	}
	want := ""
	switch jk.KeyType() {
	case "OKP":
		want = EdDSA
	case "EC":
		want = ES256
	case "RSA":
		want = RS256
	}
	alg := ""
	if a, ok := jk.Get(jwk.AlgorithmKey); ok {
		alg = fmt.Sprint(a)
	}
	if want == "" || alg != want {
		return nil, bad("alg %q does not match the %s key", alg, jk.KeyType())
	}
	thumb, err := thumbprintOf(pub)
	if err != nil {
		return nil, bad("%v", err)
	}
	kid := kidOf(want, thumb)
	if base := strings.TrimSuffix(filepath.Base(path), retiredExt); jk.KeyID() != base || jk.KeyID() != kid {
		return nil, bad("kid %q does not match the file name or the key (want %q)", jk.KeyID(), kid)
	}
	date := func(param string) (time.Time, error) {
		v, _ := jk.Get(param)
		s, _ := v.(string)
		t, err := time.Parse(dateLayout, s)
		if err != nil {
			return t, bad("%q is %v; want a YYYY-MM-DD date", param, v)
		}
		return t, nil
	}
	from, err := date(ActiveFromParam)
	if err != nil {
		return nil, err
	}
	retired, err := date(RetiredParam)
	if err != nil {
		return nil, err
	}
	return &Key{Alg: want, Kid: kid, ActiveFrom: from, Retired: retired, Path: path, pub: pub, thumb: thumb}, nil
}

// Retire destroys the private half of a space's key kid and keeps its
// public half as <kid>.retired.json, dated on: the key stays published, and
// awards it signed are signed by the next key of its algorithm from the
// next build on. It refuses when no other key of the algorithm would be
// left to sign.
func (s Store) Retire(space, kid string, on time.Time) (*Key, error) {
	ring, err := s.Keyring(space)
	if err != nil {
		return nil, err
	}
	var key *Key
	for _, k := range ring.Keys {
		if k.Kid == kid {
			key = k
		}
	}
	switch {
	case key == nil:
		return nil, fmt.Errorf("space %s has no key %s (blason keys list shows its keys)", space, kid)
	case key.IsRetired():
		return nil, fmt.Errorf("key %s of space %s is already retired (%s)", kid, space, key.Retired.Format(dateLayout))
	}
	others := 0
	for _, k := range ring.All(key.Alg) {
		if k != key && !k.IsRetired() {
			others++
		}
	}
	if others == 0 {
		return nil, fmt.Errorf("%s is the last %s key of space %s: rotate first (blason keys rotate --space %s --alg %s), then retire it", kid, key.Alg, space, space, key.Alg)
	}
	pj, err := key.PublicJWK()
	if err != nil {
		return nil, err
	}
	for _, kv := range []struct {
		k string
		v any
	}{
		{jwk.AlgorithmKey, jwa.SignatureAlgorithm(key.Alg)},
		{ActiveFromParam, key.ActiveFrom.Format(dateLayout)},
		{RetiredParam, dateOf(on).Format(dateLayout)},
	} {
		if err := pj.Set(kv.k, kv.v); err != nil {
			return nil, err
		}
	}
	data, err := json.MarshalIndent(pj, "", "  ")
	if err != nil {
		return nil, err
	}
	data = append(data, '\n')
	path := filepath.Join(s.spaceDir(space), RetiredFile(kid))
	retired, err := parseRetiredFile(path, data)
	if err != nil {
		return nil, fmt.Errorf("internal error: retired key does not load back: %w", err)
	}
	if err := writeNew(path, data); err != nil {
		return nil, err
	}
	if err := os.Remove(key.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return retired, nil
}
