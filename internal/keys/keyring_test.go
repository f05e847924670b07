package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// seedReader returns a reader yielding a fixed 32-byte seed derived from b.
func seedReader(b byte) *bytes.Reader { return bytes.NewReader(bytes.Repeat([]byte{b}, 32)) }

// RSA generation is slow; share one generated key per alg among tests that
// only read it.
var (
	sharedOnce sync.Once
	sharedDir  string
	sharedKeys map[string]*Key
	sharedErr  error
)

func sharedStore(t *testing.T) (Store, map[string]*Key) {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "keys-test-")
		if sharedErr != nil {
			return
		}
		s := Store{Dir: sharedDir, Rand: rand.Reader}
		sharedKeys = map[string]*Key{}
		for _, alg := range []string{EdDSA, ES256, RS256} {
			k, err := s.NewKey("ecole", alg, day("2024-01-01"))
			if err != nil {
				sharedErr = err
				return
			}
			sharedKeys[alg] = k
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return Store{Dir: sharedDir, Rand: rand.Reader}, sharedKeys
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

func TestParseAlg(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Ed25519", EdDSA, true},
		{"ed25519", EdDSA, true},
		{"EDDSA", EdDSA, true},
		{"EdDSA", EdDSA, true},
		{"es256", ES256, true},
		{" RS256 ", RS256, true},
		{"rs256", RS256, true},
		{"ES384", "", false},
		{"HS256", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseAlg(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseAlg(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if !tt.ok {
			if err == nil {
				t.Errorf("ParseAlg(%q) = %q, nil; want an error", tt.in, got)
			} else if !strings.Contains(err.Error(), "Ed25519") || !strings.Contains(err.Error(), "ES256") || !strings.Contains(err.Error(), "RS256") {
				t.Errorf("ParseAlg(%q) error %q does not list the accepted values", tt.in, err)
			}
		}
	}
}

func TestNewKeyRoundTrip(t *testing.T) {
	s, made := sharedStore(t)
	kr, err := s.Keyring("ecole")
	if err != nil {
		t.Fatal(err)
	}
	if len(kr.Keys) != 3 {
		t.Fatalf("keyring has %d keys, want 3", len(kr.Keys))
	}
	tests := []struct {
		alg, prefix string
	}{
		{EdDSA, "eddsa-"},
		{ES256, "es256-"},
		{RS256, "rs256-"},
	}
	kidRE := regexp.MustCompile(`^(eddsa|es256|rs256)-[a-z2-7]{12}$`)
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			k := made[tt.alg]
			if k.Alg != tt.alg || !strings.HasPrefix(k.Kid, tt.prefix) || !kidRE.MatchString(k.Kid) {
				t.Fatalf("new key alg=%q kid=%q; want alg %q and kid %s + 12 base32 chars", k.Alg, k.Kid, tt.alg, tt.prefix)
			}
			// kid suffix = base32 of the RFC 7638 thumbprint of the public key, computed independently.
			pub, err := jwk.FromRaw(k.Public())
			if err != nil {
				t.Fatal(err)
			}
			tp, _ := pub.Thumbprint(crypto.SHA256)
			want := tt.prefix + strings.ToLower(base32.StdEncoding.EncodeToString(tp))[:12]
			if k.Kid != want {
				t.Errorf("kid = %q, want %q", k.Kid, want)
			}
			p := filepath.Join(s.Dir, "ecole", k.Kid+".jwk")
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("key file %s: %v, %v; want mode 0600", p, fi, err)
			}
			var m map[string]any
			b, _ := os.ReadFile(p)
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m["kid"] != k.Kid || m["alg"] != tt.alg || m["blason:activeFrom"] != "2024-01-01" || m["d"] == nil {
				t.Errorf("file members kid=%v alg=%v activeFrom=%v d present=%v", m["kid"], m["alg"], m["blason:activeFrom"], m["d"] != nil)
			}
			got := kr.All(tt.alg)
			if len(got) != 1 {
				t.Fatalf("All(%s) = %d keys, want 1", tt.alg, len(got))
			}
			g := got[0]
			if g.Kid != k.Kid || g.Alg != k.Alg || !g.ActiveFrom.Equal(day("2024-01-01")) || g.Thumbprint() != k.Thumbprint() {
				t.Errorf("reloaded %s/%s/%v, want %s/%s/2024-01-01", g.Alg, g.Kid, g.ActiveFrom, k.Alg, k.Kid)
			}
			type equaler interface{ Equal(crypto.PublicKey) bool }
			if !g.Public().(equaler).Equal(k.Public()) {
				t.Error("reloaded public key differs")
			}
			if !g.Signer().Public().(equaler).Equal(k.Public()) {
				t.Error("reloaded signer does not match the public key")
			}
		})
	}
	// Sorted by alg.
	for i, want := range []string{EdDSA, ES256, RS256} {
		if kr.Keys[i].Alg != want {
			t.Errorf("Keys[%d].Alg = %s, want %s", i, kr.Keys[i].Alg, want)
		}
	}
}

func TestPublicJWKHasNoPrivateMembers(t *testing.T) {
	_, made := sharedStore(t)
	private := []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", ActiveFromParam}
	tests := []struct {
		alg    string
		public []string
	}{
		{EdDSA, []string{"kty", "crv", "x"}},
		{ES256, []string{"kty", "crv", "x", "y"}},
		{RS256, []string{"kty", "n", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			k := made[tt.alg]
			pub, err := k.PublicJWK()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(pub)
			var m map[string]any
			json.Unmarshal(b, &m)
			for _, name := range private {
				if _, ok := m[name]; ok {
					t.Errorf("public JWK has %q: %s", name, b)
				}
			}
			for _, name := range tt.public {
				if _, ok := m[name]; !ok {
					t.Errorf("public JWK lacks %q: %s", name, b)
				}
			}
			if m["kid"] != k.Kid || m["alg"] != tt.alg {
				t.Errorf("public JWK kid=%v alg=%v, want %s %s", m["kid"], m["alg"], k.Kid, tt.alg)
			}
			// The key file still holds activeFrom (PublicJWK must not strip it from the source).
			b, _ = os.ReadFile(k.Path)
			if !strings.Contains(string(b), ActiveFromParam) {
				t.Error("key file lost blason:activeFrom")
			}
		})
	}
}

func TestSigningRotation(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	s.Rand = seedReader(1)
	a, err := s.NewKey("ecole", "Ed25519", day("2024-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	s.Rand = seedReader(2)
	b, err := s.NewKey("ecole", EdDSA, day("2026-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	s.Rand = rand.Reader
	e, err := s.NewKey("ecole", ES256, day("2025-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := s.Keyring("ecole")
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		alg  string
		at   time.Time
		want *Key
	}{
		{EdDSA, day("2025-05-05"), a},
		{EdDSA, day("2026-06-01"), b},
		{EdDSA, day("2026-05-31").Add(23*time.Hour + 59*time.Minute), a},
		{EdDSA, time.Date(2026, 6, 1, 0, 30, 0, 0, paris), b}, // calendar date in at's location
		{EdDSA, day("2020-01-01"), a},                         // before any key: earliest
		{EdDSA, day("2030-01-01"), b},
		{"ed25519", day("2025-05-05"), a},
		{ES256, day("2020-01-01"), e},
		{ES256, day("2026-01-01"), e},
		{RS256, day("2026-01-01"), nil},
	}
	for _, tt := range tests {
		got := kr.Signing(tt.alg, tt.at)
		if got != tt.want && (got == nil || tt.want == nil || got.Kid != tt.want.Kid) {
			t.Errorf("Signing(%s, %v) = %v, want %v", tt.alg, tt.at, kidOrNil(got), kidOrNil(tt.want))
		}
	}
	all := kr.All(EdDSA)
	if len(all) != 2 || all[0].Kid != a.Kid || all[1].Kid != b.Kid {
		t.Errorf("All(EdDSA) = %v, want [%s %s]", all, a.Kid, b.Kid)
	}
	if kr.Keys[0].Kid != a.Kid || kr.Keys[1].Kid != b.Kid || kr.Keys[2].Kid != e.Kid {
		t.Errorf("keyring order %s %s %s; want %s %s %s", kr.Keys[0].Kid, kr.Keys[1].Kid, kr.Keys[2].Kid, a.Kid, b.Kid, e.Kid)
	}
}

func TestSigningTieTakesLastKid(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	var ks []*Key
	for _, b := range []byte{3, 4, 5} {
		s.Rand = seedReader(b)
		k, err := s.NewKey("x", EdDSA, day("2025-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	last := ks[0]
	for _, k := range ks[1:] {
		if k.Kid > last.Kid {
			last = k
		}
	}
	kr, err := s.Keyring("x")
	if err != nil {
		t.Fatal(err)
	}
	if got := kr.Signing(EdDSA, day("2025-06-01")); got == nil || got.Kid != last.Kid {
		t.Errorf("Signing on a tie = %v, want the last kid %s", kidOrNil(got), last.Kid)
	}
}

func kidOrNil(k *Key) string {
	if k == nil {
		return "<nil>"
	}
	return k.Kid
}

func TestKeyringMissingFolderAndOtherFiles(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: rand.Reader}
	kr, err := s.Keyring("absent")
	if err != nil || kr == nil || len(kr.Keys) != 0 || kr.Space != "absent" {
		t.Fatalf("Keyring(absent) = %+v, %v; want an empty keyring", kr, err)
	}
	if k := kr.Signing(EdDSA, day("2025-01-01")); k != nil {
		t.Fatalf("Signing on an empty keyring = %s", k.Kid)
	}
	if _, _, err := s.EnsureSecret("ecole"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.Dir, "ecole")
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o600)
	os.WriteFile(filepath.Join(dir, ".eddsa-x.jwk.tmp-1"), []byte("junk"), 0o600)
	os.Mkdir(filepath.Join(dir, "old.jwk"), 0o700)
	kr, err = s.Keyring("ecole")
	if err != nil || len(kr.Keys) != 0 {
		t.Fatalf("Keyring with only non-key files = %d keys, %v", len(kr.Keys), err)
	}
	if _, err := s.Keyring("../etc"); err == nil {
		t.Error("a space name with a path separator was accepted")
	}
}

func TestKeyringRejectsBadFiles(t *testing.T) {
	// A valid Ed25519 key file to derive broken variants from.
	src := Store{Dir: t.TempDir(), Rand: seedReader(7)}
	good, err := src.NewKey("s", EdDSA, day("2024-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	goodJSON, _ := os.ReadFile(good.Path)
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(goodJSON, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherJWK, _ := jwk.FromRaw(other)
	otherJSON, _ := json.Marshal(otherJWK)

	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"corrupt", good.Kid + ".jwk", []byte("{not json"), "not a valid JWK"},
		{"kid vs file name", "eddsa-aaaaaaaaaaaa.jwk", goodJSON, "does not match the file name"},
		{"kid vs key", "eddsa-aaaaaaaaaaaa.jwk", edit(func(m map[string]any) { m["kid"] = "eddsa-aaaaaaaaaaaa" }), "does not match the key"},
		{"public only", good.Kid + ".jwk", edit(func(m map[string]any) { delete(m, "d") }), "not a private key"},
		{"alg mismatch", good.Kid + ".jwk", edit(func(m map[string]any) { m["alg"] = "ES256" }), `alg "ES256" does not match`},
		{"alg missing", good.Kid + ".jwk", edit(func(m map[string]any) { delete(m, "alg") }), `alg "" does not match`},
		{"activeFrom missing", good.Kid + ".jwk", edit(func(m map[string]any) { delete(m, ActiveFromParam) }), "missing"},
		{"activeFrom bad", good.Kid + ".jwk", edit(func(m map[string]any) { m[ActiveFromParam] = "2024-13-45" }), "YYYY-MM-DD"},
		{"x does not match d", good.Kid + ".jwk", edit(func(m map[string]any) { m["x"] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }), "unusable key"}, // jwx checks x against d
		{"ec point does not match d", "es256-aaaaaaaaaaaa.jwk", mixedEC(t), "public members do not match"},
		{"unsupported curve", "es256-aaaaaaaaaaaa.jwk", []byte(strings.Replace(string(otherJSON), `"P-256"`, `"P-384"`, 1)), ".jwk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir(), Rand: rand.Reader}
			dir := filepath.Join(s.Dir, "s")
			os.MkdirAll(dir, 0o700)
			if err := os.WriteFile(filepath.Join(dir, tt.file), tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			kr, err := s.Keyring("s")
			if err == nil {
				t.Fatalf("Keyring accepted %s: %+v", tt.name, kr.Keys)
			}
			if !strings.Contains(err.Error(), tt.file) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to name %s and say %q", err, tt.file, tt.want)
			}
		})
	}
}

func TestNewKeyNeverOverwrites(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: seedReader(9)}
	k, err := s.NewKey("ecole", EdDSA, day("2024-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(k.Path)
	s.Rand = seedReader(9) // same seed → same kid → same file name
	_, err = s.NewKey("ecole", EdDSA, day("2030-01-01"))
	if err == nil || !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second NewKey with the same key = %v; want an fs.ErrExist error", err)
	}
	after, _ := os.ReadFile(k.Path)
	if !bytes.Equal(before, after) {
		t.Fatal("existing key file was modified")
	}
	entries, _ := os.ReadDir(filepath.Dir(k.Path))
	if len(entries) != 1 {
		t.Errorf("space folder has %d entries, want only the key file (no temp leftovers)", len(entries))
	}
}

func TestNewKeyRejects(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: rand.Reader}
	tests := []struct {
		name, space, alg string
		from             time.Time
	}{
		{"bad alg", "ecole", "HS256", day("2024-01-01")},
		{"zero date", "ecole", EdDSA, time.Time{}},
		{"bad space", "a/b", EdDSA, day("2024-01-01")},
		{"short seed", "ecole", EdDSA, day("2024-01-01")},
	}
	for _, tt := range tests {
		s := s
		if tt.name == "short seed" {
			s.Rand = bytes.NewReader(make([]byte, 5))
		}
		if k, err := s.NewKey(tt.space, tt.alg, tt.from); err == nil {
			t.Errorf("%s: NewKey = %s, want an error", tt.name, k.Kid)
		}
	}
}

func TestEnsureKeyIdempotent(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: rand.Reader}
	for _, alg := range []string{"Ed25519", ES256} {
		first, created, err := s.EnsureKey("ecole", alg, day("2025-09-01"))
		if err != nil || !created {
			t.Fatalf("first EnsureKey(%s) = %v, %v", alg, created, err)
		}
		again, created, err := s.EnsureKey("ecole", alg, day("2026-01-01"))
		if err != nil || created || again.Kid != first.Kid {
			t.Fatalf("second EnsureKey(%s) = %s, %v, %v; want %s, not created", alg, kidOrNil(again), created, err, first.Kid)
		}
		// Before its activeFrom, the first key still applies.
		early, created, err := s.EnsureKey("ecole", alg, day("2020-01-01"))
		if err != nil || created || early.Kid != first.Kid {
			t.Fatalf("early EnsureKey(%s) = %s, %v, %v", alg, kidOrNil(early), created, err)
		}
	}
	kr, _ := s.Keyring("ecole")
	if len(kr.Keys) != 2 {
		t.Errorf("keyring has %d keys after EnsureKey, want 2", len(kr.Keys))
	}
}

func TestEd25519StableKid(t *testing.T) {
	kids := map[byte][]string{}
	for _, b := range []byte{42, 42, 43} {
		s := Store{Dir: t.TempDir(), Rand: seedReader(b)}
		k, err := s.NewKey("ecole", EdDSA, day("2024-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		kids[b] = append(kids[b], k.Kid)
	}
	if kids[42][0] != kids[42][1] {
		t.Errorf("same seed gave kids %s and %s", kids[42][0], kids[42][1])
	}
	if kids[43][0] == kids[42][0] {
		t.Errorf("different seeds gave the same kid %s", kids[42][0])
	}
}

func TestDeterministicSigner(t *testing.T) {
	_, made := sharedStore(t)
	digest := sha256.Sum256([]byte("award"))
	priv := made[ES256].Signer().(*ecdsa.PrivateKey)

	t.Run("ecdsa raw", func(t *testing.T) {
		d := DeterministicSigner(priv)
		if _, ok := d.(*ecdsa.PrivateKey); ok {
			t.Fatal("ECDSA key returned unwrapped")
		}
		s1, err := d.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := d.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(s1, s2) {
			t.Error("two ECDSA signatures of the same digest differ")
		}
		if !ecdsa.VerifyASN1(&priv.PublicKey, digest[:], s1) {
			t.Error("deterministic signature does not verify")
		}
		// Sanity: the unwrapped key is randomized, so the test can fail.
		r1, _ := priv.Sign(rand.Reader, digest[:], crypto.SHA256)
		r2, _ := priv.Sign(rand.Reader, digest[:], crypto.SHA256)
		if bytes.Equal(r1, r2) {
			t.Error("unwrapped ECDSA gave identical signatures; the test cannot tell")
		}
	})

	t.Run("others unchanged", func(t *testing.T) {
		for _, alg := range []string{EdDSA, RS256} {
			s := made[alg].Signer()
			d := DeterministicSigner(s)
			switch d.(type) {
			case ed25519.PrivateKey, *rsa.PrivateKey:
			default:
				t.Errorf("DeterministicSigner(%T) = %T, want it unchanged", s, d)
			}
			if alg == RS256 && d != s {
				t.Error("RSA signer was replaced")
			}
		}
	})

	t.Run("jws ES256", func(t *testing.T) {
		payload := []byte(`{"iss":"did:web:badges.example.edu","jti":"urn:uuid:1"}`)
		sign := func() []byte {
			hdr := jws.NewHeaders()
			hdr.Set(jws.KeyIDKey, made[ES256].Kid)
			hdr.Set(jws.TypeKey, "JWT")
			out, err := jws.Sign(payload, jws.WithKey(jwa.ES256, DeterministicSigner(priv), jws.WithProtectedHeaders(hdr)))
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		a, b := sign(), sign()
		if !bytes.Equal(a, b) {
			t.Errorf("two JWS differ:\n%s\n%s", a, b)
		}
		got, err := jws.Verify(a, jws.WithKey(jwa.ES256, made[ES256].Public()))
		if err != nil || !bytes.Equal(got, payload) {
			t.Errorf("jws.Verify = %s, %v", got, err)
		}
		pub, _ := made[ES256].PublicJWK()
		if _, err := jws.Verify(a, jws.WithKey(jwa.ES256, pub)); err != nil {
			t.Errorf("jws.Verify with the public JWK: %v", err)
		}
		// Without the wrapper jwx signs with a random nonce.
		r1, _ := jws.Sign(payload, jws.WithKey(jwa.ES256, priv))
		r2, _ := jws.Sign(payload, jws.WithKey(jwa.ES256, priv))
		if bytes.Equal(r1, r2) {
			t.Error("jwx with the raw key gave identical JWS; the test cannot tell")
		}
	})
}

// mixedEC is a P-256 private JWK whose public point belongs to another key.
func mixedEC(t *testing.T) []byte {
	t.Helper()
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	j1, _ := jwk.FromRaw(k1)
	j2, _ := jwk.FromRaw(k2)
	var m1, m2 map[string]any
	b1, _ := json.Marshal(j1)
	b2, _ := json.Marshal(j2)
	json.Unmarshal(b1, &m1)
	json.Unmarshal(b2, &m2)
	m1["x"], m1["y"] = m2["x"], m2["y"]
	m1["kid"], m1["alg"], m1[ActiveFromParam] = "es256-aaaaaaaaaaaa", ES256, "2024-01-01"
	b, _ := json.Marshal(m1)
	return b
}
