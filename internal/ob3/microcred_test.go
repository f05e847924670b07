package ob3

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/model"
)

var microFacts = model.Micro{Workload: 40, EQF: 6, Assessment: "project", Mode: "blended", QualityAssurance: "https://www.hceres.fr/",
	Prerequisites: "Licence 2", Earn: "Candidater auprès du **service**.",
	Skills:      []model.ESCO{{URI: "http://data.europa.eu/esco/skill/14832d87-2f2f-4895-b290-e4760ebae42a", Name: "résoudre des problèmes techniques"}},
	Occupations: []model.ESCO{{URI: "http://data.europa.eu/esco/occupation/114e1eff-215e-47df-8e10-45a5b72f8197", Name: "tuteur"}}}

// TestMicroFacts: a badge's EU micro-credential facts are published as
// alignments (EQF, ESCO) and in the criteria, in a credential that still
// matches the 1EdTech schema and canonicalizes in safe mode.
func TestMicroFacts(t *testing.T) {
	for i, a := range shapes()[:2] {
		a.Badge.Micro = microFacts
		cred := testIssuer().Credential(a, status(i))
		ach := cred.CredentialSubject.Achievement
		type al struct{ name, url, typ string }
		var got []al
		for _, x := range ach.Alignment {
			if strings.HasPrefix(x.TargetType, "ext:") {
				got = append(got, al{x.TargetName, x.TargetURL, x.TargetType})
			}
		}
		want := []al{{"Niveau 6 du CEC", "http://data.europa.eu/snb/eqf/6", "ext:EQFLevel"},
			{"résoudre des problèmes techniques", microFacts.Skills[0].URI, "ext:ESCOSkill"},
			{"tuteur", microFacts.Occupations[0].URI, "ext:ESCOOccupation"}}
		if !slices.Equal(got, want) {
			t.Errorf("%s: alignments %v, want %v", a.ID, got, want)
		}
		for _, s := range []string{"Volume de travail : 40 heures", "Niveau du CEC : 6", "Évaluation : projet", "Modalité : hybride",
			"Assurance qualité : https://www.hceres.fr/", "Prérequis : Licence 2", "**Pour obtenir ce badge**\n\nCandidater"} {
			if !strings.Contains(ach.Criteria.Narrative, s) {
				t.Errorf("%s: criteria lack %q:\n%s", a.ID, s, ach.Criteria.Narrative)
			}
		}
		if strings.Contains(ach.Criteria.Narrative, "ECTS") {
			t.Errorf("%s: OB 3.0 has creditsAvailable, the criteria need not repeat them", a.ID)
		}
		var m map[string]any
		json.Unmarshal(marshal(t, cred), &m)
		nq, err := jsonld.Canonicalize(jsonld.NewLoader(), m)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		if !strings.Contains(nq, "ext:ESCOSkill") || !strings.Contains(nq, "http://data.europa.eu/snb/eqf/6") {
			t.Errorf("%s: the alignments are missing from the canonical N-Quads", a.ID)
		}
		m["proof"] = []any{map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-01-10T00:00:00Z",
			"verificationMethod": "did:web:badges.example.fr:ecole#eddsa-x", "proofPurpose": "assertionMethod", "proofValue": "z1"}}
		if err := compileSchema(t).Validate(roundTrip(t, m)); err != nil {
			t.Errorf("%s: %v", a.ID, err)
		}
	}
	// A badge stating nothing publishes exactly what it did before.
	a := shapes()[1]
	if n := testIssuer().Achievement(a.Badge).Criteria.Narrative; n != a.Badge.Criteria {
		t.Errorf("criteria of a badge without facts: %q", n)
	}
}
