package elm_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/elm"
	"github.com/francebadge/blason/internal/elm/elmtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var svg = elm.Image{Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`), MediaType: "image/svg+xml"}

// cases are the Open Badges credentials mapped by the tests: one as the
// build writes it (framework competency alignments), one giving ECTS
// credits, an EQF level and an end of validity.
var cases = []struct{ name, in string }{
	{"competency", "testdata/ob3-competency.json"},
	{"eqf-ects", "testdata/ob3-eqf-ects.json"},
}

func mapCase(t *testing.T, in string) []byte {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := elm.FromOB3(b, elm.Options{Image: svg})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := elm.FromOB3(b, elm.Options{Image: svg})
	if !bytes.Equal(out, again) {
		t.Fatal("two mappings of the same credential differ")
	}
	return out
}

func TestFromOB3Golden(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := mapCase(t, c.in)
			golden := filepath.Join("testdata", "golden", c.name+".json")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s (run go test ./internal/elm -update and review)", golden)
			}
		})
	}
}

func TestFromOB3Mapping(t *testing.T) {
	var got struct {
		Issuer struct {
			ID        string            `json:"id"`
			LegalName map[string]string `json:"legalName"`
			EIDAS     struct {
				Notation string `json:"notation"`
			} `json:"eIDASIdentifier"`
		} `json:"issuer"`
		ValidFrom      string `json:"validFrom"`
		ExpirationDate string `json:"expirationDate"`
		Subject        struct {
			ID    string `json:"id"`
			Claim struct {
				Title     map[string]string `json:"title"`
				AwardedBy struct {
					Body struct {
						ID string `json:"id"`
					} `json:"awardingBody"`
					Date string `json:"awardingDate"`
				} `json:"awardedBy"`
				Spec struct {
					Type     string                 `json:"type"`
					EQF      struct{ ID string }    `json:"eqfLevel"`
					Credit   struct{ Point string } `json:"creditPoint"`
					Outcomes []struct {
						Title map[string]string `json:"title"`
						ESCO  []struct {
							ID string `json:"id"`
						} `json:"relatedESCOSkill"`
					} `json:"learningOutcome"`
				} `json:"specifiedBy"`
			} `json:"hasClaim"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(mapCase(t, "testdata/ob3-eqf-ects.json"), &got); err != nil {
		t.Fatal(err)
	}
	c, s := got.Subject.Claim, got.Subject.Claim.Spec
	for _, tc := range []struct{ what, got, want string }{
		{"issuer", got.Issuer.ID, "did:web:badges.example.fr:ecole"},
		{"issuer name", got.Issuer.LegalName["en"], "École de démonstration"},
		{"legal identifier (default: issuer id)", got.Issuer.EIDAS.Notation, "did:web:badges.example.fr:ecole"},
		{"validFrom", got.ValidFrom, "2025-01-10T00:00:00Z"},
		{"expirationDate", got.ExpirationDate, "2030-01-10T00:00:00Z"},
		{"subject", got.Subject.ID, "urn:uuid:1ee5eab5-8859-42d2-b524-bae6de720c8a"},
		{"title (achievement language)", c.Title["en"], "Innovation"},
		{"awarding body", c.AwardedBy.Body.ID, "did:web:badges.example.fr:ecole"},
		{"awarding date", c.AwardedBy.Date, "2025-01-10T00:00:00Z"},
		{"specification type", s.Type, "Qualification"},
		{"EQF level", s.EQF.ID, "http://data.europa.eu/snb/eqf/6"},
		{"ECTS", s.Credit.Point, "3"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.what, tc.got, tc.want)
		}
	}
	// The two framework alignments and the ESCO skill become learning
	// outcomes, the ESCO one linking its skill; the EQF one does not.
	var titles, esco []string
	for _, o := range s.Outcomes {
		titles = append(titles, o.Title["en"])
		for _, e := range o.ESCO {
			esco = append(esco, o.Title["en"]+" → "+e.ID)
		}
	}
	if strings.Join(titles, "|") != "C1|C1 — Innover|utiliser des services en ligne" {
		t.Errorf("learning outcomes = %q", titles)
	}
	if strings.Join(esco, "|") != "utiliser des services en ligne → http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce" {
		t.Errorf("related ESCO skills = %q", esco)
	}
}

func TestFromOB3Errors(t *testing.T) {
	good, err := os.ReadFile("testdata/ob3-competency.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cred string
		img  elm.Image
		want string
	}{
		{"not JSON", "{", svg, "read Open Badges credential"},
		{"no issuer", `{"id":"x","credentialSubject":{"id":"y"}}`, svg, "no id, issuer id or subject id"},
		{"no image", string(good), elm.Image{}, "no badge image"},
		{"GIF image", string(good), elm.Image{Data: []byte("GIF89a"), MediaType: "image/gif"}, `badge image type "image/gif"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := elm.FromOB3([]byte(tc.cred), elm.Options{Image: tc.img})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestOfficialShapes validates the mapping's output against the official
// EDC application profile shapes (edc-generic-full and the
// edc-generic-no-cv it imports), with an independent JSON-LD processor and
// SHACL engine, and checks that the validator rejects a broken credential.
func TestOfficialShapes(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, c := range cases {
		f := filepath.Join(dir, c.name+".json")
		if err := os.WriteFile(f, mapCase(t, c.in), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// A broken copy: no issuer legal name, no credential profile.
	var broken map[string]any
	_ = json.Unmarshal(mapCase(t, cases[0].in), &broken)
	delete(broken["issuer"].(map[string]any), "legalName")
	delete(broken, "credentialProfiles")
	b, _ := json.Marshal(broken)
	bad := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	reports, err := elmtest.Validate(t, append(files, bad)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports[:len(files)] {
		if !r.Conforms {
			t.Errorf("%s does not conform to the EDC shapes: %+v", filepath.Base(r.File), r.Results)
		}
	}
	paths := map[string]bool{}
	for _, r := range reports[len(files)].Results {
		paths[r.Path] = true
	}
	if reports[len(files)].Conforms || !paths["http://www.w3.org/ns/regorg#legalName"] ||
		!paths["http://data.europa.eu/snb/model/elm/credentialProfiles"] {
		t.Errorf("the broken credential passed or was rejected for other reasons: %+v", reports[len(files)])
	}
	// A term the ELM context does not define is an error, not silently dropped.
	var typo map[string]any
	_ = json.Unmarshal(mapCase(t, cases[0].in), &typo)
	typo["eidasLegalIdentifer"] = "x"
	b, _ = json.Marshal(typo)
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := elmtest.Validate(t, bad); err == nil {
		t.Error("a credential with an undefined term passed the validator")
	}
}
