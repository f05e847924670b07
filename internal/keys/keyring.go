package keys

import (
	"bytes"
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Supported signing algorithms (JOSE names).
const (
	EdDSA = "EdDSA" // Ed25519; Data Integrity eddsa-rdfc-2022 (and JWS EdDSA)
	ES256 = "ES256" // ECDSA P-256 with SHA-256
	RS256 = "RS256" // RSA 2048, PKCS#1 v1.5 with SHA-256
)

// ActiveFromParam is the private JWK parameter holding the first date
// (YYYY-MM-DD) on which awards are signed with the key.
const ActiveFromParam = "blason:activeFrom"

const (
	dateLayout = "2006-01-02"
	keyExt     = ".jwk"
	kidHashLen = 12
	rsaBits    = 2048
)

// algs is the supported algorithms, in keyring order.
var algs = []string{EdDSA, ES256, RS256}

func algRank(alg string) int {
	if i := slices.Index(algs, alg); i >= 0 {
		return i
	}
	return len(algs)
}

// ParseAlg maps user input (Ed25519, EdDSA, ES256 or RS256, any case) to the
// canonical algorithm name.
func ParseAlg(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ed25519", "eddsa":
		return EdDSA, nil
	case "es256":
		return ES256, nil
	case "rs256":
		return RS256, nil
	}
	return "", fmt.Errorf("unsupported key algorithm %q: use Ed25519 (or EdDSA), ES256 or RS256", s)
}

// Key is one signing key of a space.
type Key struct {
	Alg        string    // EdDSA, ES256 or RS256
	Kid        string    // e.g. "eddsa-k3j2…"; also the file name without .jwk
	ActiveFrom time.Time // first date (midnight UTC) on which awards are signed with it
	Path       string    // the .jwk file, or the .retired.json file of a retired key
	// Retired, when not zero, is the date the key was retired: its private
	// half is gone (see Store.Retire), it signs nothing any more, and it
	// stays published so that credentials it signed keep verifying.
	Retired time.Time

	signer crypto.Signer    // nil for a retired key
	pub    crypto.PublicKey // the public key
	thumb  []byte           // RFC 7638 SHA-256 thumbprint of the public key
}

// Signer returns the raw private key: ed25519.PrivateKey, *ecdsa.PrivateKey
// or *rsa.PrivateKey; nil for a retired key. For reproducible ES256
// signatures wrap it with DeterministicSigner.
func (k *Key) Signer() crypto.Signer { return k.signer }

// Public returns the public key: ed25519.PublicKey, *ecdsa.PublicKey or
// *rsa.PublicKey.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// IsRetired reports whether the key is retired (public half only).
func (k *Key) IsRetired() bool { return !k.Retired.IsZero() }

// Thumbprint returns the RFC 7638 SHA-256 JWK thumbprint of the public key,
// base64url without padding (RFC 7638 §3.1). The kid uses a base32 prefix of
// the same hash.
func (k *Key) Thumbprint() string { return base64.RawURLEncoding.EncodeToString(k.thumb) }

// PublicJWK returns a fresh public JWK of the key with kid and alg set and no
// other member (no private parameters, no blason:activeFrom).
func (k *Key) PublicJWK() (jwk.Key, error) {
	pub, err := jwk.FromRaw(k.pub)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", k.Kid, err)
	}
	if err := pub.Set(jwk.KeyIDKey, k.Kid); err != nil {
		return nil, err
	}
	if err := pub.Set(jwk.AlgorithmKey, jwa.SignatureAlgorithm(k.Alg)); err != nil {
		return nil, err
	}
	return pub, nil
}

// Keyring is the set of signing keys of a space, sorted by Alg (EdDSA,
// ES256, RS256), then ActiveFrom, then Kid.
type Keyring struct {
	Space string
	Keys  []*Key
}

func keyLess(a, b *Key) int {
	return cmp.Or(
		cmp.Compare(algRank(a.Alg), algRank(b.Alg)),
		cmp.Compare(a.Alg, b.Alg),
		a.ActiveFrom.Compare(b.ActiveFrom),
		cmp.Compare(a.Kid, b.Kid),
	)
}

// Signing returns the key that signs awards of alg dated at: the key of that
// alg with the latest ActiveFrom on or before at's calendar date (in at's own
// location); on equal dates the last kid wins. When no key of alg is active
// yet at that date, the earliest key of alg is returned (the first key of an
// alg also signs awards dated before its ActiveFrom). Retired keys sign
// nothing: they are skipped. Nil when the keyring has no key of alg that is
// not retired. alg may be any form accepted by ParseAlg.
func (k *Keyring) Signing(alg string, at time.Time) *Key {
	if k == nil {
		return nil
	}
	if a, err := ParseAlg(alg); err == nil {
		alg = a
	}
	day := dateOf(at)
	var first, best *Key
	for _, key := range k.Keys {
		if key.Alg != alg || key.IsRetired() {
			continue
		}
		if first == nil || keyLess(key, first) < 0 {
			first = key
		}
		if !key.ActiveFrom.After(day) && (best == nil || keyLess(key, best) > 0) {
			best = key
		}
	}
	if best != nil {
		return best
	}
	return first
}

// All returns the keys of alg (any form accepted by ParseAlg), oldest first,
// retired ones included.
func (k *Keyring) All(alg string) []*Key {
	if k == nil {
		return nil
	}
	if a, err := ParseAlg(alg); err == nil {
		alg = a
	}
	var out []*Key
	for _, key := range k.Keys {
		if key.Alg == alg {
			out = append(out, key)
		}
	}
	slices.SortStableFunc(out, keyLess)
	return out
}

// dateOf is the calendar date of t (in t's location) at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func checkSpace(space string) error {
	if space == "" || space == "." || space == ".." || strings.ContainsAny(space, `/\`) {
		return fmt.Errorf("invalid space name %q", space)
	}
	return nil
}

func (s Store) spaceDir(space string) string { return filepath.Join(s.Dir, space) }

// Keyring loads every <kid>.jwk file of space, and every <kid>.retired.json
// file (a retired key: public half only). Other files (the secret, the
// ledger, hidden or temporary files) are ignored. A missing space folder gives an
// empty keyring. Any invalid key file is an error naming the file.
func (s Store) Keyring(space string) (*Keyring, error) {
	if err := checkSpace(space); err != nil {
		return nil, err
	}
	kr := &Keyring{Space: space}
	dir := s.spaceDir(space)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return kr, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, keyExt) || strings.HasSuffix(name, retiredExt)) {
			continue
		}
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		parse := parseKeyFile
		if strings.HasSuffix(name, retiredExt) {
			parse = parseRetiredFile
		}
		key, err := parse(p, data)
		if err != nil {
			return nil, err
		}
		kr.Keys = append(kr.Keys, key)
	}
	seen := map[string]*Key{}
	for _, k := range kr.Keys {
		if o := seen[k.Kid]; o != nil {
			return nil, fmt.Errorf("%s and %s hold the same key %s: keep one of them", o.Path, k.Path, k.Kid)
		}
		seen[k.Kid] = k
	}
	slices.SortFunc(kr.Keys, keyLess)
	return kr, nil
}

// parseKeyFile decodes and validates the content of the key file at path.
func parseKeyFile(path string, data []byte) (*Key, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...))
	}
	jk, err := jwk.ParseKey(data)
	if err != nil {
		return nil, bad("not a valid JWK: %v", err)
	}
	if priv, err := jwk.IsPrivateKey(jk); err != nil || !priv {
		return nil, bad("not a private key (kty %s); a signing key file must hold the private JWK", jk.KeyType())
	}
	var raw any
	if err := jk.Raw(&raw); err != nil {
		return nil, bad("unusable key: %v", err)
	}
	var signer crypto.Signer
	var want string
	switch r := raw.(type) {
	case ed25519.PrivateKey:
		signer, want = r, EdDSA
	case *ecdsa.PrivateKey:
		if r.Curve != elliptic.P256() {
			return nil, bad("ECDSA curve %s not supported; only P-256 (ES256)", r.Curve.Params().Name)
		}
		// jwx takes x and y as given; check they are the point of d.
		d, err := r.Bytes()
		if err == nil {
			var derived *ecdsa.PrivateKey
			if derived, err = ecdsa.ParseRawPrivateKey(elliptic.P256(), d); err == nil && !derived.PublicKey.Equal(&r.PublicKey) {
				err = errors.New("mismatch")
			}
		}
		if err != nil {
			return nil, bad("public members do not match the private key")
		}
		signer, want = r, ES256
	case *rsa.PrivateKey:
		if r.N.BitLen() < rsaBits {
			return nil, bad("RSA key of %d bits; at least %d required", r.N.BitLen(), rsaBits)
		}
		if err := r.Validate(); err != nil {
			return nil, bad("invalid RSA key: %v", err)
		}
		signer, want = r, RS256
	default:
		return nil, bad("unsupported key type %T; want Ed25519, P-256 or RSA", raw)
	}
	alg := ""
	if a, ok := jk.Get(jwk.AlgorithmKey); ok {
		alg = fmt.Sprint(a)
	}
	if alg != want {
		return nil, bad("alg %q does not match the %s key; want %q", alg, jk.KeyType(), want)
	}
	// The thumbprint is computed from the public key derived from the
	// private key, and the stored public members must agree with it.
	thumb, err := thumbprintOf(signer.Public())
	if err != nil {
		return nil, bad("%v", err)
	}
	if stored, err := jk.Thumbprint(crypto.SHA256); err != nil || !bytes.Equal(stored, thumb) {
		return nil, bad("public members do not match the private key")
	}
	kid := kidOf(want, thumb)
	base := strings.TrimSuffix(filepath.Base(path), keyExt)
	switch {
	case jk.KeyID() != base:
		return nil, bad("kid %q does not match the file name (want %q)", jk.KeyID(), base)
	case jk.KeyID() != kid:
		return nil, bad("kid %q does not match the key (its thumbprint gives %q)", jk.KeyID(), kid)
	}
	v, ok := jk.Get(ActiveFromParam)
	if !ok {
		return nil, bad("missing %q (first signing date, YYYY-MM-DD)", ActiveFromParam)
	}
	vs, _ := v.(string)
	from, err := time.Parse(dateLayout, vs)
	if err != nil {
		return nil, bad("%q is %v; want a YYYY-MM-DD date", ActiveFromParam, v)
	}
	return &Key{Alg: want, Kid: kid, ActiveFrom: from, Path: path, signer: signer, pub: signer.Public(), thumb: thumb}, nil
}

func thumbprintOf(pub crypto.PublicKey) ([]byte, error) {
	jk, err := jwk.FromRaw(pub)
	if err != nil {
		return nil, err
	}
	return jk.Thumbprint(crypto.SHA256)
}

var kidEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// kidOf is lower(alg) + "-" + the first 12 characters of the lower-case,
// unpadded base32 of the RFC 7638 SHA-256 thumbprint of the public key.
func kidOf(alg string, thumb []byte) string {
	return strings.ToLower(alg) + "-" + strings.ToLower(kidEncoding.EncodeToString(thumb))[:kidHashLen]
}

// NewKey generates a key of alg (any form accepted by ParseAlg) for space,
// active from the calendar date of activeFrom, and writes it to
// keys/<space>/<kid>.jwk (mode 0600). It never overwrites an existing file:
// if the file exists the error wraps fs.ErrExist. Ed25519 keys are derived
// from a 32-byte seed read from s.Rand (reproducible with a fixed reader);
// ECDSA and RSA generation is not reproducible from the reader (Go ignores
// it). A nil s.Rand means crypto/rand.
func (s Store) NewKey(space, alg string, activeFrom time.Time) (*Key, error) {
	alg, err := ParseAlg(alg)
	if err != nil {
		return nil, err
	}
	if err := checkSpace(space); err != nil {
		return nil, err
	}
	if activeFrom.IsZero() {
		return nil, errors.New("new key: the first signing date (activeFrom) is required")
	}
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	var priv crypto.Signer
	switch alg {
	case EdDSA:
		seed := make([]byte, ed25519.SeedSize)
		if _, err := io.ReadFull(r, seed); err != nil {
			return nil, fmt.Errorf("generating Ed25519 key for %s: %w", space, err)
		}
		priv = ed25519.NewKeyFromSeed(seed)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), r)
	case RS256:
		priv, err = rsa.GenerateKey(r, rsaBits)
	}
	if err != nil {
		return nil, fmt.Errorf("generating %s key for %s: %w", alg, space, err)
	}
	thumb, err := thumbprintOf(priv.Public())
	if err != nil {
		return nil, err
	}
	kid := kidOf(alg, thumb)
	jk, err := jwk.FromRaw(priv)
	if err != nil {
		return nil, err
	}
	for _, kv := range []struct {
		k string
		v any
	}{
		{jwk.KeyIDKey, kid},
		{jwk.AlgorithmKey, jwa.SignatureAlgorithm(alg)},
		{ActiveFromParam, dateOf(activeFrom).Format(dateLayout)},
	} {
		if err := jk.Set(kv.k, kv.v); err != nil {
			return nil, fmt.Errorf("setting %s: %w", kv.k, err)
		}
	}
	data, err := json.MarshalIndent(jk, "", "  ")
	if err != nil {
		return nil, err
	}
	data = append(data, '\n')
	dir := s.spaceDir(space)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, kid+keyExt)
	// Validate through the loader so a new key is exactly what Keyring reads.
	key, err := parseKeyFile(path, data)
	if err != nil {
		return nil, fmt.Errorf("internal error: generated key does not load back: %w", err)
	}
	if err := writeNew(path, data); err != nil {
		return nil, err
	}
	return key, nil
}

// writeTemp writes data, synced, with mode, to a new temporary file beside
// path, and returns its name: the caller links or renames it into place,
// and removes it.
func writeTemp(path string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// writeNew writes data to path with mode 0600, atomically (the file appears
// complete or not at all) and without ever replacing an existing file.
func writeNew(path string, data []byte) error {
	tmp, err := writeTemp(path, data, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// link(2) fails when the target exists: O_EXCL semantics, atomically.
	err = os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; refusing to overwrite a key file: %w", path, fs.ErrExist)
	}
	if err != nil {
		// File systems without hard links: fall back to O_EXCL.
		return writeExcl(path, data)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func writeExcl(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; refusing to overwrite a key file: %w", path, fs.ErrExist)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// EnsureKey returns the key of alg that signs at activeFrom (see
// Keyring.Signing) when the space has any key of alg; otherwise it creates the
// first one with NewKey, active from activeFrom, and reports true. The caller
// chooses that first date; note that the first key of an alg also signs
// awards dated before its activeFrom.
func (s Store) EnsureKey(space, alg string, activeFrom time.Time) (*Key, bool, error) {
	alg, err := ParseAlg(alg)
	if err != nil {
		return nil, false, err
	}
	kr, err := s.Keyring(space)
	if err != nil {
		return nil, false, err
	}
	if k := kr.Signing(alg, activeFrom); k != nil {
		return k, false, nil
	}
	k, err := s.NewKey(space, alg, activeFrom)
	if err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// FirstActiveFrom is the activation date given to a space's first key of an
// algorithm created outside a build: it signs every award until a rotation.
var FirstActiveFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Create makes a space's first key of an algorithm; it refuses when the
// space has one already (that is a rotation).
func (s Store) Create(space, alg string) (*Key, error) {
	a, err := ParseAlg(alg)
	if err != nil {
		return nil, err
	}
	ring, err := s.Keyring(space)
	if err != nil {
		return nil, err
	}
	if ks := ring.All(a); len(ks) > 0 {
		return nil, fmt.Errorf("space %s already has an %s key (%s); rotate it instead", space, a, ks[len(ks)-1].Kid)
	}
	return s.NewKey(space, a, FirstActiveFrom)
}

// Rotate adds a new key for each given algorithm, or for every algorithm the
// space has keys of, that signs the awards dated from `from` on. Older
// keys are kept: they still sign older awards and stay published.
func (s Store) Rotate(space string, algs []string, from time.Time) ([]*Key, error) {
	ring, err := s.Keyring(space)
	if err != nil {
		return nil, err
	}
	var todo []string
	for _, a := range algs {
		c, err := ParseAlg(a)
		if err != nil {
			return nil, err
		}
		todo = append(todo, c)
	}
	if len(todo) == 0 {
		for _, k := range ring.Keys {
			if !slices.Contains(todo, k.Alg) {
				todo = append(todo, k.Alg)
			}
		}
	}
	if len(todo) == 0 {
		return nil, fmt.Errorf("space %s has no keys yet: a build or `blason keys new` creates them", space)
	}
	var made []*Key
	for _, a := range todo {
		k, err := s.NewKey(space, a, from)
		if err != nil {
			return made, err
		}
		made = append(made, k)
	}
	return made, nil
}

// Spaces lists the spaces that have a folder under the keys folder.
func (s Store) Spaces() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
