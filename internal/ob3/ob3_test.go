package ob3

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// shapes returns one award of every shape the generator emits: with and
// without levels, evidence, expiry, and each kind of recipient identifier.
func shapes() []*model.Award {
	sp := &model.Space{
		Slug: "ecole", Name: "École de démonstration", URL: "https://www.ecole.example/", Email: "badges@ecole.example",
		Telephone: "+33500000001", Logo: &model.Asset{Ext: ".svg"}, Description: "Une **école**.", DescriptionText: "Une école.",
		Secret: bytes.Repeat([]byte{7}, 32),
	}
	innov := &model.Badge{
		Space: sp, Slug: "innovation", Name: "Innovation", Description: "Créer de la valeur.",
		Criteria: "Acquérir les niveaux dans l'ordre.", Image: &model.Asset{Ext: ".svg"}, Tags: []string{"compétence"},
		AchievementType: "Competency", Credits: 1.5,
		Alignments: []model.Alignment{{TargetName: "C1", TargetURL: "https://ref.example/c1", TargetFramework: "Référentiel", TargetCode: "C1", TargetDescription: "Grille C1"}},
		Levels: []*model.Level{
			{ID: "novice", Name: "Novice", Description: "Identifie les outils."},
			{ID: "competent", Name: "Compétent"},
		},
	}
	tutorat := &model.Badge{Space: sp, Slug: "tutorat", Name: "Tutorat", Description: "Accompagner.", Criteria: "Encadrer.", Image: &model.Asset{Ext: ".png"}, AchievementType: "Badge"}
	fw := &model.Framework{Slug: "ref", Name: "Référentiel de l'école", Levels: []*model.FrameworkLevel{{ID: "novice", Name: "Novice"}, {ID: "competent", Name: "Compétent"}}}
	fw.Competencies = []*model.Competency{{Framework: fw, ID: "c1", Code: "C1", Name: "Innover", Description: "Créer de la valeur par l'innovation."}}
	innov.Competency = fw.Competencies[0]
	tutorat.Shared = &model.Template{Slug: "tutorat", Name: "Tutorat (modèle)", Image: &model.Asset{Ext: ".svg"}}
	tutorat.Template = "tutorat"
	sp.Badges = []*model.Badge{innov, tutorat}
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	awards := []*model.Award{
		{ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Badge: innov, Level: innov.Levels[1], Recipient: model.Identity{Email: "alice@example.org"}, Date: d("2025-01-10"),
			EvidenceURL: "https://projets.ecole.example/p/1", EvidenceNarrative: "Prototype présenté au jury."},
		{ID: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Badge: tutorat, Recipient: model.Identity{EPPN: "b2@ecole.example"}, Date: d("2025-02-01"), Expires: d("2027-02-01")},
		{ID: "cccccccccccccccccccccccccc", Badge: tutorat, Recipient: model.Identity{StudentID: "21000042"}, Date: d("2025-03-01"), EvidenceNarrative: "Deux semestres."},
	}
	sp.Awards = awards
	return awards
}

func testIssuer() Issuer {
	return Issuer{Layout: layout.Layout{Base: "https://badges.example.fr/", DefaultLang: "fr"}}
}

func status(i int) *Status {
	u := "https://badges.example.fr/ecole/status/revocation.json"
	return &Status{ID: u + "#" + string(rune('0'+i)), Type: "BitstringStatusListEntry", StatusPurpose: "revocation", StatusListIndex: string(rune('0' + i)), StatusListCredential: u}
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestEveryShapeCanonicalizesInSafeMode: every property of every shape is
// defined by the contexts, so nothing would be left out of a signature.
func TestEveryShapeCanonicalizesInSafeMode(t *testing.T) {
	l := jsonld.NewLoader()
	for i, a := range shapes() {
		var m map[string]any
		json.Unmarshal(marshal(t, testIssuer().Credential(a, status(i))), &m)
		nq, err := jsonld.Canonicalize(l, m)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		if i == 1 && !strings.Contains(nq, "https://badges.example.fr/templates/tutorat/achievement.json") {
			t.Errorf("%s: the related template is missing from the canonical N-Quads", a.ID)
		}
		// Spot-check that the nested, type-scoped terms made it into RDF.
		for _, want := range []string{"identityHash", "achievedLevel", "Evidence", "statusListIndex", "targetCode", "targetType", "ob/vocab.html#level", "creditsAvailable"} {
			if i == 0 && !strings.Contains(nq, want) {
				t.Errorf("%s: %q missing from the canonical N-Quads", a.ID, want)
			}
		}
	}
}

// TestEveryShapeMatchesTheSchema validates each shape against the 1EdTech
// AchievementCredential JSON Schema (with a placeholder proof, as the
// schema describes signed credentials).
func TestEveryShapeMatchesTheSchema(t *testing.T) {
	sch := compileSchema(t)
	for i, a := range shapes() {
		var m map[string]any
		json.Unmarshal(marshal(t, testIssuer().Credential(a, status(i))), &m)
		m["proof"] = []any{map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-01-10T00:00:00Z",
			"verificationMethod": "did:web:badges.example.fr:ecole#eddsa-x", "proofPurpose": "assertionMethod", "proofValue": "z1"}}
		if err := sch.Validate(roundTrip(t, m)); err != nil {
			t.Errorf("%s: %v", a.ID, err)
		}
	}
	// The schema check can fail: a credential without validFrom is refused.
	var m map[string]any
	json.Unmarshal(marshal(t, testIssuer().Credential(shapes()[0], nil)), &m)
	delete(m, "validFrom")
	if sch.Validate(roundTrip(t, m)) == nil {
		t.Fatal("a credential without validFrom passed the schema")
	}
}

// CompileSchema is shared with the build's demo tests through testdata.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "ob_v3p0_achievementcredential.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func roundTrip(t *testing.T, m map[string]any) any {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(marshal(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGolden(t *testing.T) {
	for i, a := range shapes() {
		name := filepath.Join("testdata", "credential-"+a.Badge.Slug+"-"+a.ID[:1]+".json")
		got := marshal(t, testIssuer().Credential(a, status(i)))
		if *update {
			os.WriteFile(name, got, 0o644)
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (go test -update creates it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its golden file (go test ./internal/ob3 -update, then review)\n%s", name, got)
		}
	}
}

func TestIdentityHashMatches(t *testing.T) {
	for _, a := range shapes() {
		c := testIssuer().Credential(a, nil)
		id := c.CredentialSubject.Identifier[0]
		_, value := IdentityType(a.Recipient)
		if id.IdentityHash != ids.IdentityHash(value, id.Salt) || !id.Hashed {
			t.Errorf("%s: identifier %+v does not hash %q", a.ID, id, value)
		}
	}
}
