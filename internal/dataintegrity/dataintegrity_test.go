package dataintegrity

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/jsonld"
)

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testSuite(t *testing.T) Suite {
	t.Helper()
	l := jsonld.NewLoader()
	b, err := os.ReadFile(filepath.Join("testdata", "credentials-examples-v2.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add("https://www.w3.org/ns/credentials/examples/v2", b); err != nil {
		t.Fatal(err)
	}
	return Suite{Loader: l}
}

func proofFrom(m map[string]any) Proof { return fromMap(m) }

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestW3CVectors reproduces the W3C eddsa-rdfc-2022 test vectors byte for
// byte: canonical N-Quads, their hashes, and the proofValue. (The "employ"
// variant needs the citizenship/v4rc1 context, which is not pinned here.)
func TestW3CVectors(t *testing.T) {
	s := testSuite(t)
	keys := readJSON(t, "vc-di-eddsa/keyPair.json")
	priv, err := DecodeSecretMultikey(keys["privateKeyMultibase"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodeMultikey(priv.Public().(ed25519.PublicKey)); got != keys["publicKeyMultibase"] {
		t.Fatalf("public Multikey %s, want %s", got, keys["publicKeyMultibase"])
	}
	for _, v := range []struct{ name, input, dir string }{
		{"unsigned", "vc-di-eddsa/unsigned.json", "vc-di-eddsa/eddsa-rdfc-2022/"},
	} {
		t.Run(v.name, func(t *testing.T) {
			doc := readJSON(t, v.input)
			cfg := readJSON(t, v.dir+"proofConfigDataInt.json")
			canonDoc, err := jsonld.Canonicalize(s.Loader, doc)
			if err != nil {
				t.Fatal(err)
			}
			if want := readText(t, v.dir+"canonDocDataInt.txt"); canonDoc != want {
				t.Fatalf("canonical document:\n%s\nwant:\n%s", canonDoc, want)
			}
			canonCfg, err := jsonld.Canonicalize(s.Loader, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if want := readText(t, v.dir+"proofCanonDataInt.txt"); canonCfg != want {
				t.Fatalf("canonical proof configuration:\n%s\nwant:\n%s", canonCfg, want)
			}
			if got, want := sha(canonDoc), strings.TrimSpace(readText(t, v.dir+"docHashDataInt.txt")); got != want {
				t.Errorf("document hash %s, want %s", got, want)
			}
			if got, want := sha(canonCfg), strings.TrimSpace(readText(t, v.dir+"proofHashDataInt.txt")); got != want {
				t.Errorf("proof hash %s, want %s", got, want)
			}
			p := proofFrom(cfg)
			data, err := s.HashData(doc, p)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := hex.EncodeToString(data), strings.TrimSpace(readText(t, v.dir+"combinedHashDataInt.txt")); got != want {
				t.Errorf("combined hash %s, want %s", got, want)
			}
			signed, err := s.Sign(doc, p, priv)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSpace(readText(t, v.dir+"sigBTC58DataInt.txt")); signed.ProofValue != want {
				t.Errorf("proofValue %s, want %s", signed.ProofValue, want)
			}
			sig, _ := DecodeMultibase58(signed.ProofValue)
			if got, want := hex.EncodeToString(sig), strings.TrimSpace(readText(t, v.dir+"sigHexDataInt.txt")); got != want {
				t.Errorf("signature %s, want %s", got, want)
			}
		})
	}
}

// TestOB3SpecVector reproduces the Open Badges 3.0 implementation guide's
// eddsa-rdfc-2022 example.
func TestOB3SpecVector(t *testing.T) {
	s := Suite{Loader: jsonld.NewLoader()}
	dir := "ob3/ldp-eddsa-rdfc-2022/"
	doc := readJSON(t, dir+"unsigned-credential.json")
	opts := readJSON(t, dir+"proof-options.json")
	delete(opts, "@context")
	exp := readJSON(t, dir+"expected.json")
	kp := readJSON(t, dir+"keypair.json")
	seed, _ := hex.DecodeString(kp["privateKeyHex_seed_plus_public"].(string)[:64])
	priv := ed25519.NewKeyFromSeed(seed)
	if EncodeMultikey(priv.Public().(ed25519.PublicKey)) != kp["publicKeyMultibase"] {
		t.Fatal("public key does not match the vector's Multikey")
	}
	canonDoc, err := jsonld.Canonicalize(s.Loader, doc)
	if err != nil {
		t.Fatal(err)
	}
	if canonDoc != readText(t, dir+"document-canon.nq") || sha(canonDoc) != exp["documentCanonSha256Hex"] {
		t.Fatalf("canonical document differs; hash %s", sha(canonDoc))
	}
	p := proofFrom(opts)
	data, err := s.HashData(doc, p)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(data) != exp["dataToSignHex_proofHash_then_docHash"] {
		t.Fatalf("data to sign %x", data)
	}
	signed, err := s.Sign(doc, p, priv)
	if err != nil {
		t.Fatal(err)
	}
	if signed.ProofValue != exp["proofValue"] {
		t.Fatalf("proofValue %s, want %s", signed.ProofValue, exp["proofValue"])
	}
	// And the published signed credential verifies.
	pub := priv.Public().(ed25519.PublicKey)
	if _, err := s.Verify(readJSON(t, dir+"signed-credential.json"), fixedKey(kp["verificationMethod"].(string), pub)); err != nil {
		t.Fatal(err)
	}
}

func fixedKey(vm string, pub ed25519.PublicKey) Resolver {
	return func(got, purpose string) (ed25519.PublicKey, error) {
		if got != vm {
			return nil, errors.New("unknown verification method " + got)
		}
		return pub, nil
	}
}

// fragmentKey resolves "<controller>#z6Mk…" verification methods, as the
// 1EdTech validator does for its samples.
func fragmentKey(vm, purpose string) (ed25519.PublicKey, error) {
	i := strings.LastIndexByte(vm, '#')
	if i < 0 {
		return nil, errors.New("no fragment")
	}
	return DecodeMultikey(vm[i+1:])
}

// TestThirdPartySamplesVerify verifies credentials signed by other
// implementations: the 1EdTech validator's samples and the DCC's.
func TestThirdPartySamplesVerify(t *testing.T) {
	s := Suite{Loader: jsonld.NewLoader()}
	for _, f := range []string{
		"ob3/1edtech-validator-samples/simple.json",
		"ob3/1edtech-validator-samples/bit-string-list_testlist.json",
		"ob3/1edtech-validator-samples/bit-string-list_credential-status-revoked.json",
		"ob3/dcc-samples/verifier-core-v2OBv3SpecExample.json",
	} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc := readJSON(t, f)
			if _, err := s.Verify(doc, fragmentKey); err != nil {
				t.Fatal(err)
			}
			// One changed character breaks it.
			doc["id"] = doc["id"].(string) + "x"
			if _, err := s.Verify(doc, fragmentKey); !errors.Is(err, ErrSignature) {
				t.Fatalf("tampered document: err = %v, want ErrSignature", err)
			}
		})
	}
}

// TestUndefinedTermFailsSigning: a property no context defines must stop
// signing with an error naming it, never be silently left unsigned.
func TestUndefinedTermFailsSigning(t *testing.T) {
	s := Suite{Loader: jsonld.NewLoader()}
	doc := readJSON(t, "ob3/ldp-eddsa-rdfc-2022/unsigned-credential.json")
	subj := doc["credentialSubject"].(map[string]any)
	subj["achievement"].(map[string]any)["favouriteColour"] = "bleu"
	_, err := s.Sign(doc, proofFrom(readJSON(t, "ob3/ldp-eddsa-rdfc-2022/proof-options.json")), ed25519.NewKeyFromSeed(make([]byte, 32)))
	if err == nil || !strings.Contains(err.Error(), "favouriteColour") {
		t.Fatalf("err = %v, want an error naming favouriteColour", err)
	}
}

func TestMultikeyRejectsOtherEncodings(t *testing.T) {
	for _, s := range []string{"", "z", "u6Mk", "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hw"} {
		if _, err := DecodeMultikey(s); err == nil {
			t.Errorf("DecodeMultikey(%q) accepted", s)
		}
	}
}

// TestFastPathReproducesVectors runs the vectors through the template
// canonicalizer: same hashes, same signatures.
func TestFastPathReproducesVectors(t *testing.T) {
	s := testSuite(t)
	s.Canon = jsonld.NewCanonicalizer(s.Loader)
	keys := readJSON(t, "vc-di-eddsa/keyPair.json")
	priv, _ := DecodeSecretMultikey(keys["privateKeyMultibase"].(string))
	doc := readJSON(t, "vc-di-eddsa/unsigned.json")
	for range 2 { // the second run uses the cached templates
		signed, err := s.Sign(doc, proofFrom(readJSON(t, "vc-di-eddsa/eddsa-rdfc-2022/proofConfigDataInt.json")), priv)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSpace(readText(t, "vc-di-eddsa/eddsa-rdfc-2022/sigBTC58DataInt.txt")); signed.ProofValue != want {
			t.Fatalf("proofValue %s, want %s", signed.ProofValue, want)
		}
	}
	ob := Suite{Loader: jsonld.NewLoader()}
	ob.Canon = jsonld.NewCanonicalizer(ob.Loader)
	for _, f := range []string{"ob3/1edtech-validator-samples/simple.json", "ob3/dcc-samples/verifier-core-v2OBv3SpecExample.json", "ob3/ldp-eddsa-rdfc-2022/signed-credential.json"} {
		if _, err := ob.Verify(readJSON(t, f), fragmentKeyOr(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func fragmentKeyOr(t *testing.T, f string) Resolver {
	if strings.Contains(f, "ldp-eddsa") {
		kp := readJSON(t, "ob3/ldp-eddsa-rdfc-2022/keypair.json")
		pub, _ := DecodeMultikey(kp["publicKeyMultibase"].(string))
		return fixedKey(kp["verificationMethod"].(string), pub)
	}
	return fragmentKey
}
