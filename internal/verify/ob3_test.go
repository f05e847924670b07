package verify

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/statuslist"
	"github.com/francebadge/blason/internal/vcjwt"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/mr-tron/base58"
)

// The Open Badges 3.0 site the tests verify: a did:web issuer with an
// Ed25519 key (Data Integrity, status lists) and a P-256 key (VC-JWT).
const (
	obDID       = "did:web:badges.example.fr:ecole"
	obDIDURL    = testBase + "ecole/did.json"
	obEdVM      = obDID + "#ed"
	obESVM      = obDID + "#es"
	obKidURL    = testBase + "ecole/keys/es.json"
	obRevURL    = testBase + "ecole/status/revocation.json"
	obSusURL    = testBase + "ecole/status/suspension.json"
	obIndex     = 1 // the credential's statusListIndex
	otherDID    = "did:web:badges.example.fr:autre"
	otherDIDURL = testBase + "autre/did.json"
)

// ob3Site holds the keys and the published documents.
type ob3Site struct {
	ed, otherEd ed25519.PrivateKey
	es          *ecdsa.PrivateKey
	res         map[string]response
}

func edKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func publicJWK(t testing.TB, pub any) map[string]any {
	t.Helper()
	k, err := jwk.FromRaw(pub)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(mustJSON(t, k), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func newOB3Site(t testing.TB) *ob3Site {
	t.Helper()
	es, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &ob3Site{ed: edKey("ecole"), otherEd: edKey("autre"), es: es, res: map[string]response{}}
	esJWK := publicJWK(t, &es.PublicKey)
	s.put(t, obDIDURL, map[string]any{
		"@context": []any{jsonld.DIDV1, jsonld.MultikeyV1, jsonld.JWKV1},
		"id":       obDID,
		"verificationMethod": []any{
			map[string]any{"id": obEdVM, "type": "Multikey", "controller": obDID, "publicKeyMultibase": dataintegrity.EncodeMultikey(s.ed.Public().(ed25519.PublicKey))},
			map[string]any{"id": obESVM, "type": "JsonWebKey", "controller": obDID, "publicKeyJwk": esJWK},
		},
		"assertionMethod": []any{obEdVM, obESVM},
	})
	s.put(t, otherDIDURL, map[string]any{
		"id": otherDID,
		"verificationMethod": []any{
			map[string]any{"id": otherDID + "#ed", "type": "Multikey", "controller": otherDID, "publicKeyMultibase": dataintegrity.EncodeMultikey(s.otherEd.Public().(ed25519.PublicKey))},
		},
		"assertionMethod": []any{otherDID + "#ed"},
	})
	s.put(t, obKidURL, esJWK)
	s.statusList(t, obRevURL, "revocation", obDID, obEdVM, s.ed)
	s.statusList(t, obSusURL, "suspension", obDID, obEdVM, s.ed)
	return s
}

func (s *ob3Site) put(t testing.TB, u string, doc any) {
	t.Helper()
	s.res[u] = response{body: mustJSON(t, doc), contentType: "application/json"}
}

// statusList publishes a signed BitstringStatusListCredential with the
// given bits set.
func (s *ob3Site) statusList(t testing.TB, u, purpose, issuer, vm string, key ed25519.PrivateKey, set ...int) {
	t.Helper()
	bits, err := statuslist.New(statuslist.MinSize)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range set {
		bits.Set(i, true)
	}
	enc, err := bits.Encode()
	if err != nil {
		t.Fatal(err)
	}
	list := map[string]any{
		"@context":  []any{jsonld.CredentialsV2},
		"id":        u,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    issuer,
		"validFrom": "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": u + "#list", "type": "BitstringStatusList", "statusPurpose": purpose, "encodedList": enc,
		},
	}
	s.put(t, u, signDI(t, list, vm, key))
}

// signDI returns doc with an eddsa-rdfc-2022 proof by vm.
func signDI(t testing.TB, doc map[string]any, vm string, key ed25519.PrivateKey) map[string]any {
	t.Helper()
	p, err := dataintegrity.Suite{Loader: jsonld.NewLoader()}.Sign(doc, dataintegrity.Proof{
		Type: dataintegrity.ProofType, Cryptosuite: dataintegrity.Cryptosuite, Created: "2025-02-01T00:00:00Z",
		VerificationMethod: vm, ProofPurpose: dataintegrity.AssertionMethod,
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for k, v := range doc {
		out[k] = v
	}
	var pm map[string]any
	if err := json.Unmarshal(mustJSON(t, p), &pm); err != nil {
		t.Fatal(err)
	}
	out["proof"] = []any{pm}
	return out
}

// signJWT returns the VC-JWT of cred signed by key with the header kid.
func signJWT(t testing.TB, cred map[string]any, kid string, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	claims, err := vcjwt.Claims(cred)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	hdr.Set(jws.KeyIDKey, kid)
	hdr.Set(jws.TypeKey, "JWT")
	tok, err := jws.Sign(mustJSON(t, claims), jws.WithKey(jwa.ES256, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// testCredential is an unsigned OpenBadgeCredential issued by obDID, whose
// status is index obIndex of the revocation list.
func testCredential(t testing.TB) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/credential.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// setIssuer makes id the credential's issuer; its status (published by
// obDID) goes.
func setIssuer(cred map[string]any, id string) {
	cred["issuer"].(map[string]any)["id"] = id
	delete(cred, "credentialStatus")
}

// didKeyP256 is the did:key of a P-256 key.
func didKeyP256(pub *ecdsa.PublicKey) string {
	return "did:key:z" + base58.Encode(append([]byte{0x80, 0x24}, elliptic.MarshalCompressed(elliptic.P256(), pub.X, pub.Y)...))
}

func (s *ob3Site) verifier() *Verifier {
	return New(&memFetcher{res: s.res}, testNow)
}

func problemsHave(rep Report, want string) bool {
	return slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, want) })
}

func TestOB3Valid(t *testing.T) {
	s := newOB3Site(t)
	cred := testCredential(t)
	for name, data := range map[string][]byte{
		"Data Integrity": mustJSON(t, signDI(t, cred, obEdVM, s.ed)),
		"VC-JWT":         signJWT(t, cred, obKidURL, s.es),
	} {
		t.Run(name, func(t *testing.T) {
			_, rep := s.verifier().Bytes(context.Background(), data, nil)
			if rep.Status != Valid || len(rep.Problems) > 0 {
				t.Fatalf("%v %v", rep.Status, rep.Problems)
			}
			if rep.Issuer != obDID {
				t.Errorf("Issuer = %q, want %s", rep.Issuer, obDID)
			}
		})
	}
}

// TestOB3IssuerAuthentication: the signing key must be the issuer's.
func TestOB3IssuerAuthentication(t *testing.T) {
	const (
		victim    = "https://victim.example/issuer"
		evilDoc   = "https://evil.example/controller"
		evilKid   = "https://evil.example/key.json"
		goodIss   = "https://issuer.example/profile"
		goodVM    = goodIss + "#key-1"
		goodJWKID = "https://issuer.example/keys/1.json"
	)
	attacker := edKey("attacker")
	attackerMK := dataintegrity.EncodeMultikey(attacker.Public().(ed25519.PublicKey))
	attackerES, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	goodEd := edKey("issuer.example")
	goodES, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	method := func(id, controller string, key ed25519.PrivateKey) map[string]any {
		return map[string]any{"id": id, "type": "Multikey", "controller": controller, "publicKeyMultibase": dataintegrity.EncodeMultikey(key.Public().(ed25519.PublicKey))}
	}
	controllerDoc := func(id string, vms []any, assertion ...any) map[string]any {
		return map[string]any{"id": id, "verificationMethod": vms, "assertionMethod": assertion}
	}

	di := []struct {
		name    string
		issuer  string
		vm      string
		key     ed25519.PrivateKey
		docs    map[string]any
		problem string // "" when valid
	}{
		{"https issuer with its #z6Mk key, no controller document", victim, victim + "#" + attackerMK, attacker, nil, "controller document"},
		{"https issuer whose document lists another key", victim, victim + "#" + attackerMK, attacker,
			map[string]any{victim: controllerDoc(victim, []any{method(victim+"#k", victim, goodEd)}, victim+"#k")}, "not an assertionMethod"},
		{"controller document under another id", victim, evilDoc + "#k", attacker,
			map[string]any{evilDoc: controllerDoc(victim, []any{method(evilDoc+"#k", victim, attacker)}, evilDoc+"#k")}, "is not its URL"},
		{"controller is not the issuer", victim, evilDoc + "#k", attacker,
			map[string]any{evilDoc: controllerDoc(evilDoc, []any{method(evilDoc+"#k", evilDoc, attacker)}, evilDoc+"#k")}, "is not the issuer"},
		{"method controlled by another document", goodIss, goodVM, goodEd,
			map[string]any{goodIss: controllerDoc(goodIss, []any{method(goodVM, victim, goodEd)}, goodVM)}, "controller " + victim},
		{"method not an assertionMethod", goodIss, goodVM, goodEd,
			map[string]any{goodIss: controllerDoc(goodIss, []any{method(goodVM, goodIss, goodEd)})}, "not an assertionMethod"},
		{"https issuer publishing its key", goodIss, goodVM, goodEd,
			map[string]any{goodIss: controllerDoc(goodIss, []any{method(goodVM, goodIss, goodEd)}, goodVM)}, ""},
		{"did:key issuer", "did:key:" + attackerMK, "did:key:" + attackerMK + "#" + attackerMK, attacker, nil, ""},
		{"did:key with another fragment", "did:key:" + attackerMK, "did:key:" + attackerMK + "#z6MkOther", attacker, nil, "fragment"},
		{"did:key of another issuer", victim, "did:key:" + attackerMK + "#" + attackerMK, attacker, nil, "is not the issuer"},
		{"urn with a #z6Mk fragment", "urn:uuid:1", "urn:uuid:1#" + attackerMK, attacker, nil, "cannot resolve"},
	}
	for _, tt := range di {
		t.Run("DI/"+tt.name, func(t *testing.T) {
			s := newOB3Site(t)
			for u, d := range tt.docs {
				s.put(t, u, d)
			}
			cred := testCredential(t)
			setIssuer(cred, tt.issuer)
			_, rep := s.verifier().Bytes(context.Background(), mustJSON(t, signDI(t, cred, tt.vm, tt.key)), nil)
			checkOutcome(t, rep, tt.problem)
			if rep.Issuer != tt.issuer {
				t.Errorf("Issuer = %q, want %s", rep.Issuer, tt.issuer)
			}
		})
	}

	goodJWK, attackerJWK := publicJWK(t, &goodES.PublicKey), publicJWK(t, &attackerES.PublicKey)
	jwt := []struct {
		name    string
		issuer  string
		kid     string
		key     *ecdsa.PrivateKey
		docs    map[string]any
		problem string
	}{
		{"https issuer, key at any URL", victim, evilKid, attackerES, nil, "issuer not authenticated"},
		{"https issuer not listing the key", victim, evilKid, attackerES,
			map[string]any{victim: map[string]any{"id": victim, "keys": []any{goodJWK}}}, "issuer not authenticated: the signing key is not published by the issuer"},
		{"https issuer document under another id", victim, evilKid, attackerES,
			map[string]any{victim: map[string]any{"id": evilDoc, "keys": []any{attackerJWK}}}, "issuer not authenticated"},
		{"key in a verificationMethod of another controller", goodIss, goodJWKID, goodES,
			map[string]any{goodIss: map[string]any{"id": goodIss, "verificationMethod": []any{map[string]any{"id": goodVM, "controller": victim, "publicKeyJwk": goodJWK}}}}, "issuer not authenticated"},
		{"key in the issuer's keys", goodIss, goodJWKID, goodES,
			map[string]any{goodIss: map[string]any{"id": goodIss, "keys": []any{attackerJWK, goodJWK}}}, ""},
		{"key in the issuer's publicKey", goodIss, goodJWKID, goodES,
			map[string]any{goodIss: map[string]any{"id": goodIss, "publicKey": []any{map[string]any{"id": goodJWKID, "publicKeyJwk": goodJWK}}}}, ""},
		{"key in the issuer's verificationMethod", goodIss, goodJWKID, goodES,
			map[string]any{goodIss: map[string]any{"id": goodIss, "verificationMethod": []any{map[string]any{"id": goodVM, "type": "JsonWebKey", "controller": goodIss, "publicKeyJwk": goodJWK}}}}, ""},
		{"did:key issuer signing with its key", didKeyP256(&goodES.PublicKey), didKeyP256(&goodES.PublicKey), goodES, nil, ""},
		{"did:key issuer, key at a URL", didKeyP256(&goodES.PublicKey), evilKid, attackerES, nil, "issuer not authenticated: the signing key is not published by the issuer"},
		{"urn issuer", "urn:uuid:1", evilKid, attackerES, nil, "issuer not authenticated"},
	}
	for _, tt := range jwt {
		t.Run("JWT/"+tt.name, func(t *testing.T) {
			s := newOB3Site(t)
			s.put(t, evilKid, attackerJWK)
			s.put(t, goodJWKID, goodJWK)
			for u, d := range tt.docs {
				s.put(t, u, d)
			}
			cred := testCredential(t)
			setIssuer(cred, tt.issuer)
			_, rep := s.verifier().Bytes(context.Background(), signJWT(t, cred, tt.kid, tt.key), nil)
			checkOutcome(t, rep, tt.problem)
			if rep.Issuer != tt.issuer {
				t.Errorf("Issuer = %q, want %s", rep.Issuer, tt.issuer)
			}
		})
	}
}

// checkOutcome expects a valid report when problem is "", else an invalid
// one mentioning problem.
func checkOutcome(t *testing.T, rep Report, problem string) {
	t.Helper()
	if problem == "" {
		if rep.Status != Valid || len(rep.Problems) > 0 {
			t.Fatalf("%v %v, want valid", rep.Status, rep.Problems)
		}
		return
	}
	if rep.Status != Invalid || !problemsHave(rep, problem) {
		t.Fatalf("%v %v, want invalid mentioning %q", rep.Status, rep.Problems, problem)
	}
}

// poisoned returns a credential holding n explicit blank nodes, each
// linked to all the others: RDF canonicalization of such a graph takes
// exponential time.
func poisoned(t *testing.T, n int) map[string]any {
	cred := testCredential(t)
	var ev []any
	for i := range n {
		var related []any
		for j := range n {
			if j != i {
				related = append(related, map[string]any{"id": "_:b" + string(rune('a'+j))})
			}
		}
		ev = append(ev, map[string]any{"id": "_:b" + string(rune('a'+i)), "type": []any{"Evidence"}, "name": "e", "narrative": related})
	}
	cred["evidence"] = ev
	return cred
}

func TestOB3RefusesCostlyJSONLD(t *testing.T) {
	big := testCredential(t)
	big["description"] = strings.Repeat("x", MaxDocumentSize)
	alias := testCredential(t)
	alias["@context"] = append(alias["@context"].([]any), map[string]any{"ident": "@id"})
	subjectBlank := testCredential(t)
	subjectBlank["credentialSubject"].(map[string]any)["id"] = "_:s"
	s := newOB3Site(t)
	for _, tt := range []struct {
		name    string
		data    []byte
		problem string
	}{
		{"poisoned blank nodes", mustJSON(t, poisoned(t, 8)), "blank node identifier"},
		{"poisoned blank nodes in a VC-JWT", signJWT(t, poisoned(t, 8), obKidURL, s.es), "blank node identifier"},
		{"blank subject id", mustJSON(t, subjectBlank), `"_:s"`},
		{"@id alias", mustJSON(t, alias), "aliases @id"},
		{"larger than 1 MiB", mustJSON(t, big), "larger than 1 MiB"},
		{"VC-JWT larger than 1 MiB", signJWT(t, big, obKidURL, s.es), "larger than 1 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, rep := s.verifier().Bytes(ctx, tt.data, nil)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			checkOutcome(t, rep, tt.problem)
		})
	}
}

// TestOB3SafeMode: each path still refuses an undefined term, and names
// that term alone, at the top level or nested.
func TestOB3SafeMode(t *testing.T) {
	s := newOB3Site(t)
	top := func(c map[string]any) { c["undefinedTerm"] = "x" }
	nested := func(c map[string]any) { c["credentialSubject"].(map[string]any)["undefinedTerm"] = "x" }
	for _, where := range []struct {
		name string
		add  func(map[string]any)
	}{{"top level", top}, {"in credentialSubject", nested}} {
		signed := signDI(t, testCredential(t), obEdVM, s.ed)
		where.add(signed)
		withTerm := testCredential(t)
		where.add(withTerm)
		for name, data := range map[string][]byte{
			"Data Integrity": mustJSON(t, signed),
			"VC-JWT":         signJWT(t, withTerm, obKidURL, s.es),
		} {
			t.Run(where.name+"/"+name, func(t *testing.T) {
				_, rep := s.verifier().Bytes(context.Background(), data, nil)
				checkOutcome(t, rep, "undefined term(s) undefinedTerm:")
			})
		}
	}
}

// blockingFetcher never answers for one URL until the context ends.
type blockingFetcher struct {
	Fetcher
	url string
}

func (b blockingFetcher) Fetch(ctx context.Context, u string) ([]byte, string, error) {
	if u == b.url {
		<-ctx.Done()
		return nil, "", ctx.Err()
	}
	return b.Fetcher.Fetch(ctx, u)
}

func TestVerificationTimesOut(t *testing.T) {
	start := time.Now()
	err := within(timeoutCtx(t, 50*time.Millisecond), func() error { time.Sleep(2 * time.Second); return nil })
	if !errors.Is(err, errTimedOut) || time.Since(start) > time.Second {
		t.Fatalf("within: %v after %v", err, time.Since(start))
	}

	s := newOB3Site(t)
	v := New(blockingFetcher{&memFetcher{res: s.res}, obDIDURL}, testNow)
	cred := mustJSON(t, signDI(t, testCredential(t), obEdVM, s.ed))
	start = time.Now()
	_, rep := v.Bytes(timeoutCtx(t, 100*time.Millisecond), cred, nil)
	if rep.Status != Invalid || !slices.Contains(rep.Problems, "verification timed out") || time.Since(start) > time.Second {
		t.Fatalf("%v %v after %v", rep.Status, rep.Problems, time.Since(start))
	}
}

func timeoutCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestOB3Status(t *testing.T) {
	const (
		rev2  = testBase + "ecole/status/revocation-2.json"
		sus2  = testBase + "ecole/status/suspension-2.json"
		oneEd = testBase + "ecole/status/revoked-credentials.json"
	)
	entry := func(list, purpose, index string) map[string]any {
		return map[string]any{"id": list + "#" + index, "type": "BitstringStatusListEntry", "statusPurpose": purpose, "statusListIndex": index, "statusListCredential": list}
	}
	tests := []struct {
		name    string
		status  any // credentialStatus; nil keeps the credential's
		setup   func(t *testing.T, s *ob3Site)
		want    Status
		problem string
	}{
		{"not revoked", nil, nil, Valid, ""},
		{"revoked", nil, func(t *testing.T, s *ob3Site) {
			s.statusList(t, obRevURL, "revocation", obDID, obEdVM, s.ed, obIndex)
		}, Revoked, ""},
		{"suspended at the sibling list", nil, func(t *testing.T, s *ob3Site) {
			s.statusList(t, obSusURL, "suspension", obDID, obEdVM, s.ed, obIndex)
		}, Suspended, ""},
		{"no sibling suspension list", nil, func(t *testing.T, s *ob3Site) { delete(s.res, obSusURL) }, Valid, ""},
		{"sibling suspension list unreachable", nil, func(t *testing.T, s *ob3Site) {
			s.res[obSusURL] = response{err: statusError{url: obSusURL, status: "503 Service Unavailable", code: 503}}
		}, Invalid, "503"},
		{"list issued by another issuer", nil, func(t *testing.T, s *ob3Site) {
			s.statusList(t, obRevURL, "revocation", otherDID, otherDID+"#ed", s.otherEd)
		}, Invalid, "not by the credential's issuer"},
		{"sibling list issued by another issuer", nil, func(t *testing.T, s *ob3Site) {
			s.statusList(t, obSusURL, "suspension", otherDID, otherDID+"#ed", s.otherEd, obIndex)
		}, Invalid, "not by the credential's issuer"},
		{"suspended at a numbered sibling list", entry(rev2, "revocation", "7"), func(t *testing.T, s *ob3Site) {
			s.statusList(t, rev2, "revocation", obDID, obEdVM, s.ed)
			s.statusList(t, sus2, "suspension", obDID, obEdVM, s.ed, 7)
		}, Suspended, ""},
		{"1EdTech list issued by another issuer", map[string]any{"id": oneEd, "type": "1EdTechRevocationList"}, func(t *testing.T, s *ob3Site) {
			s.put(t, oneEd, map[string]any{"id": oneEd, "issuer": otherDID, "revokedCredential": []any{}})
		}, Invalid, "not by the credential's issuer"},
		{"1EdTech list", map[string]any{"id": oneEd, "type": "1EdTechRevocationList"}, func(t *testing.T, s *ob3Site) {
			s.put(t, oneEd, map[string]any{"id": oneEd, "issuer": obDID, "revokedCredential": []any{}})
		}, Valid, ""},
		{"index with a plus sign", entry(obRevURL, "revocation", "+1"), nil, Invalid, "statusListIndex"},
		{"index with a space", entry(obRevURL, "revocation", " 1"), nil, Invalid, "statusListIndex"},
		{"negative index", entry(obRevURL, "revocation", "-1"), nil, Invalid, "statusListIndex"},
		{"index out of range", entry(obRevURL, "revocation", "99999999"), nil, Invalid, "RANGE_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOB3Site(t)
			if tt.setup != nil {
				tt.setup(t, s)
			}
			cred := testCredential(t)
			if tt.status != nil {
				cred["credentialStatus"] = tt.status
			}
			for _, data := range [][]byte{mustJSON(t, signDI(t, cred, obEdVM, s.ed)), signJWT(t, cred, obKidURL, s.es)} {
				_, rep := s.verifier().Bytes(context.Background(), data, nil)
				if rep.Status != tt.want || (tt.problem == "") != (len(rep.Problems) == 0) || (tt.problem != "" && !problemsHave(rep, tt.problem)) {
					t.Fatalf("%v %v, want %v mentioning %q", rep.Status, rep.Problems, tt.want, tt.problem)
				}
			}
		})
	}
}

// TestOB3StatusArray: the 1EdTech schema wants one credentialStatus, but
// a credential holding several has each checked.
func TestOB3StatusArray(t *testing.T) {
	const (
		rev2 = testBase + "ecole/status/revocation-2.json"
		sus2 = testBase + "ecole/status/suspension-2.json"
	)
	entry := func(list, index string) map[string]any {
		return map[string]any{"id": list + "#" + index, "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": index, "statusListCredential": list}
	}
	tests := []struct {
		name    string
		status  []any
		setup   func(t *testing.T, s *ob3Site)
		want    Status
		problem string
	}{
		{"one entry, revoked", []any{entry(obRevURL, "1")}, func(t *testing.T, s *ob3Site) {
			s.statusList(t, obRevURL, "revocation", obDID, obEdVM, s.ed, obIndex)
		}, Revoked, ""},
		{"second entry suspended", []any{entry(obRevURL, "1"), entry(rev2, "7")}, func(t *testing.T, s *ob3Site) {
			s.statusList(t, rev2, "revocation", obDID, obEdVM, s.ed)
			s.statusList(t, sus2, "suspension", obDID, obEdVM, s.ed, 7)
		}, Suspended, ""},
		{"second entry by another issuer", []any{entry(obRevURL, "1"), entry(rev2, "7")}, func(t *testing.T, s *ob3Site) {
			s.statusList(t, rev2, "revocation", otherDID, otherDID+"#ed", s.otherEd)
		}, Invalid, "not by the credential's issuer"},
		{"entry not an object", []any{"x"}, nil, Invalid, "not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOB3Site(t)
			if tt.setup != nil {
				tt.setup(t, s)
			}
			v := &OB3{Fetcher: &memFetcher{res: s.res}, Loader: jsonld.NewLoader(), Now: testNow}
			rep := Report{}
			v.checkStatus(context.Background(), &rep, map[string]any{"credentialStatus": tt.status}, obDID)
			if rep.Status != tt.want || (tt.problem == "") != (len(rep.Problems) == 0) || (tt.problem != "" && !problemsHave(rep, tt.problem)) {
				t.Fatalf("%v %v, want %v mentioning %q", rep.Status, rep.Problems, tt.want, tt.problem)
			}
		})
	}
}

// TestFetchBudget: one input may not make the verifier fetch more than
// MaxFetches resources.
func TestFetchBudget(t *testing.T) {
	s := newOB3Site(t)
	cred := testCredential(t)
	var entries []any
	for i := range 60 {
		u := testBase + "ecole/status/list" + string(rune('A'+i)) + ".json"
		entries = append(entries, map[string]any{"id": u + "#1", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "1", "statusListCredential": u})
	}
	cred["credentialStatus"] = entries
	f := &memFetcher{res: s.res}
	_, rep := New(f, testNow).Bytes(context.Background(), mustJSON(t, signDI(t, cred, obEdVM, s.ed)), nil)
	if len(f.fetched) > MaxFetches || !problemsHave(rep, "more than 50 fetches") {
		t.Fatalf("%d fetches; problems %v", len(f.fetched), rep.Problems)
	}
}

func TestOB3SchemaProblemIsSpecific(t *testing.T) {
	s := newOB3Site(t)
	cred := testCredential(t)
	delete(cred["credentialSubject"].(map[string]any)["achievement"].(map[string]any), "criteria")
	_, rep := s.verifier().Bytes(context.Background(), signJWT(t, cred, obKidURL, s.es), nil)
	var got string
	for _, p := range rep.Problems {
		if strings.HasPrefix(p, "1EdTech JSON Schema:") {
			got = p
		}
	}
	want := "1EdTech JSON Schema: at /credentialSubject/achievement: missing property 'criteria'"
	if got != want {
		t.Fatalf("schema problem %q, want %q (all: %v)", got, want, rep.Problems)
	}
}

// TestVerifyBakedImages verifies credentials read back from PNG and SVG
// images, and reports an image without a badge.
func TestVerifyBakedImages(t *testing.T) {
	j, err := os.ReadFile("../bake/testdata/simple-json.svg")
	if err != nil {
		t.Fatal(err)
	}
	v := New(DirFetcher{Base: "https://example.com/", Dir: t.TempDir()}, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	format, rep := v.Bytes(context.Background(), j, nil)
	if !strings.Contains(format, "baked in SVG") || !strings.HasPrefix(format, FormatOB3DI) {
		t.Fatalf("format %q", format)
	}
	// The sample's issuer is not published here: its key cannot be
	// authenticated, but the payload was found and checked.
	if rep.Status != Invalid || !strings.Contains(strings.Join(rep.Problems, ";"), "proof") {
		t.Fatalf("status %v %v", rep.Status, rep.Problems)
	}
	empty := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`)
	if _, rep := v.Bytes(context.Background(), empty, nil); rep.Status != Invalid || !strings.Contains(strings.Join(rep.Problems, ";"), "no Open Badges payload") {
		t.Fatalf("empty image: %v %v", rep.Status, rep.Problems)
	}
}

// withLevels gives the credential's achievement a rubric of two levels and
// its subject the result achievedLevel (a level id).
func withLevels(cred map[string]any, achieved string) map[string]any {
	subj := cred["credentialSubject"].(map[string]any)
	ach := subj["achievement"].(map[string]any)
	id, _ := ach["id"].(string)
	ach["resultDescription"] = []any{map[string]any{
		"id": id + "#levels", "type": []any{"ResultDescription"}, "name": "Niveau", "resultType": "RubricCriterionLevel",
		"rubricCriterionLevel": []any{
			map[string]any{"id": id + "#level-novice", "type": []any{"RubricCriterionLevel"}, "name": "Novice", "level": "novice"},
			map[string]any{"id": id + "#level-competent", "type": []any{"RubricCriterionLevel"}, "name": "Compétent", "level": "competent",
				"alignment": []any{map[string]any{"type": []any{"Alignment"}, "targetName": "C1 — Compétent", "targetUrl": "https://badges.example.fr/frameworks/ref/items/c1-competent.json", "targetCode": "C1.competent", "targetType": "CFItem"}}},
		},
	}}
	subj["result"] = []any{map[string]any{"type": []any{"Result"}, "resultDescription": id + "#levels", "achievedLevel": id + achieved}}
	return cred
}

// TestOB3Results: the achieved level must be a level of the achievement's
// rubric; the verifier reports it.
func TestOB3Results(t *testing.T) {
	s := newOB3Site(t)
	for _, tc := range []struct {
		name, achieved, level, problem string
	}{
		{"level of the rubric", "#level-competent", "Compétent", ""},
		{"unknown level", "#level-expert", "", "is not a level of resultDescription"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := withLevels(testCredential(t), tc.achieved)
			for form, data := range map[string][]byte{
				"Data Integrity": mustJSON(t, signDI(t, cred, obEdVM, s.ed)),
				"VC-JWT":         signJWT(t, cred, obKidURL, s.es),
			} {
				_, rep := s.verifier().Bytes(context.Background(), data, nil)
				if tc.problem == "" && (rep.Status != Valid || rep.Level != tc.level) {
					t.Errorf("%s: %v %q %v", form, rep.Status, rep.Level, rep.Problems)
				}
				if tc.problem != "" && (rep.Status != Invalid || !problemsHave(rep, tc.problem)) {
					t.Errorf("%s: want invalid with %q, got %v %v", form, tc.problem, rep.Status, rep.Problems)
				}
			}
		})
	}
	// A result naming a resultDescription the achievement lacks is refused.
	cred := withLevels(testCredential(t), "#level-novice")
	cred["credentialSubject"].(map[string]any)["result"].([]any)[0].(map[string]any)["resultDescription"] = "https://elsewhere.example/rd"
	_, rep := s.verifier().Bytes(context.Background(), mustJSON(t, signDI(t, cred, obEdVM, s.ed)), nil)
	if rep.Status != Invalid || !problemsHave(rep, "is not a ResultDescription of the achievement") {
		t.Errorf("foreign resultDescription: %v %v", rep.Status, rep.Problems)
	}
}
