package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/bake"
)

// FuzzBytes verifies arbitrary bytes the way `blason verify` does — JSON
// (OB 2.0 hosted, OB 3.0 Data Integrity), compact JWS and VC-JWT, images
// with a baked badge — against an in-memory site holding a valid badge of
// each kind: no panic, no hang (each input returns within its deadline,
// with margin), and a report with problems is never valid.
func FuzzBytes(f *testing.F) {
	s := newOB3Site(f)
	cred := testCredential(f)
	di := mustJSON(f, signDI(f, cred, obEdVM, s.ed))
	jwt := signJWT(f, cred, obKidURL, s.es)
	ob2 := validSite(f)
	res := map[string]response{}
	for u, r := range s.res {
		res[u] = r
	}
	for u, r := range ob2.fetcher(f).res {
		res[u] = r
	}
	hosted := res[testAssertionURL].body
	png, err := bake.PNG(pngImage(f), bake.OB3, string(jwt))
	if err != nil {
		f.Fatal(err)
	}
	svg, err := bake.SVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), bake.OB3, "", string(di))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		di, jwt, hosted, png, svg,
		[]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"proof":[{"type":"DataIntegrityProof"}]}`),
		[]byte(`{"@context":"https://w3id.org/openbadges/v2","id":"http://127.0.0.1/x"}`),
		[]byte("eyJhbGciOiJub25lIn0.eyJ2YyI6e319."),
		[]byte("a.b.c"),
		[]byte(`{"@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":"_:"}],"type":"VerifiableCredential"}`),
		[]byte(`[1,2,3]`),
	} {
		f.Add(seed)
	}
	v := New(&memFetcher{res: res}, testNow)
	for name, seed := range map[string][]byte{"Data Integrity": di, "VC-JWT": jwt, "hosted": hosted, "PNG": png, "SVG": svg} {
		if _, rep := v.Bytes(context.Background(), seed, nil); rep.Status != Valid {
			f.Fatalf("the %s seed does not verify: %v", name, rep.Problems)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, rep := v.Bytes(ctx, data, nil)
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("verification took %v despite its 5 s deadline", d)
		}
		if len(rep.Problems) > 0 && rep.Status != Invalid {
			t.Fatalf("status %v with problems %v", rep.Status, rep.Problems)
		}
		for _, p := range rep.Problems {
			if strings.TrimSpace(p) == "" {
				t.Fatal("empty problem")
			}
		}
		if rep.Status == Valid && !json.Valid(data) && !compactJWS.Match([]byte(strings.TrimSpace(string(data)))) {
			if _, _, baked := unbake(data); !baked {
				t.Fatalf("valid, but neither JSON, a JWS nor an image: %q", data)
			}
		}
	})
}

// FuzzJWS verifies arbitrary compact JWS — header, payload and signature
// given as raw bytes, so that every input takes the VC-JWT or OB 2.0
// signed path (JSON that is not a credential, claims of the wrong types,
// unknown algorithms and keys) — against the same site: no panic, no
// hang, and nothing but the seed's own parts verifies.
func FuzzJWS(f *testing.F) {
	s := newOB3Site(f)
	jwt := signJWT(f, testCredential(f), obKidURL, s.es)
	parts := strings.Split(string(jwt), ".")
	dec := func(p string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	hdr, payload, sig := dec(parts[0]), dec(parts[1]), dec(parts[2])
	f.Add(hdr, payload, sig)
	f.Add([]byte(`{"alg":"none"}`), payload, []byte{})
	f.Add([]byte(`{"alg":"HS256","kid":"`+obKidURL+`"}`), payload, sig)
	f.Add([]byte(`{"alg":"RS256","kid":"https://evil.example/k.json","typ":"JWT"}`), []byte(`{"verification":{"type":"signed"},"badge":"x"}`), sig)
	f.Add(hdr, []byte(`{"vc":{"@context":1},"iss":[],"nbf":"x","exp":1e400}`), sig)
	f.Add([]byte(`{"alg":"ES256","kid":"did:web:badges.example.fr:ecole#es","crit":["b64"]}`), []byte(`null`), sig)
	v := New(&memFetcher{res: s.res}, testNow)
	f.Fuzz(func(t *testing.T, h, p, sg []byte) {
		if len(h)+len(p)+len(sg) > 1<<20 {
			return
		}
		tok := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "." + base64.RawURLEncoding.EncodeToString(sg)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, rep := v.Bytes(ctx, []byte(tok), nil)
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("verification took %v despite its 5 s deadline", d)
		}
		if len(rep.Problems) > 0 && rep.Status != Invalid {
			t.Fatalf("status %v with problems %v", rep.Status, rep.Problems)
		}
		if rep.Status == Valid && !(string(h) == string(hdr) && string(p) == string(payload) && string(sg) == string(sig)) {
			t.Fatalf("a token that is not the signed one verifies:\n%s\n%s", h, p)
		}
	})
}
