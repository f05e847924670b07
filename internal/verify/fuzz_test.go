package verify

import (
	"context"
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
