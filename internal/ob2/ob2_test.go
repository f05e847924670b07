package ob2

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func fixture() (*model.Space, []*model.Award) {
	sp := &model.Space{
		Slug: "ecole", Name: "École de démonstration", URL: "https://www.ecole.example/", Email: "badges@ecole.example",
		Telephone: "+33500000001", Logo: &model.Asset{Ext: ".svg"}, Description: "Une **école**.", DescriptionText: "Une école.",
		Secret: bytes.Repeat([]byte{7}, 32),
	}
	innov := &model.Badge{
		Space: sp, Slug: "innovation", Name: "Innovation", Description: "Créer de la valeur.",
		Criteria: "Acquérir les niveaux dans l'ordre.", Image: &model.Asset{Ext: ".svg"}, Tags: []string{"compétence"},
		AchievementType: "Competency",
		Alignments:      []model.Alignment{{TargetName: "C1", TargetURL: "https://ref.example/c1", TargetFramework: "Référentiel", TargetCode: "C1"}},
		Levels: []*model.Level{
			{ID: "novice", Name: "Novice", Description: "Identifie les outils.", Criteria: "- **FAIRE ÉMERGER** : identifie"},
			{ID: "competent", Name: "Compétent"},
		},
	}
	tutorat := &model.Badge{Space: sp, Slug: "tutorat", Name: "Tutorat", Description: "Accompagner.", Criteria: "Encadrer <un> groupe & plus.", Image: &model.Asset{Ext: ".png"}}
	fw := &model.Framework{Slug: "ref", Name: "Référentiel de l'école", Levels: []*model.FrameworkLevel{{ID: "novice", Name: "Novice"}, {ID: "competent", Name: "Compétent"}}}
	fw.Competencies = []*model.Competency{{Framework: fw, ID: "c1", Code: "C1", Name: "Innover", Description: "Créer de la valeur par l'innovation."}}
	innov.Competency = fw.Competencies[0]
	tutorat.Shared = &model.Template{Slug: "tutorat", Name: "Tutorat (modèle)", Image: &model.Asset{Ext: ".svg"}}
	tutorat.Template = "tutorat"
	sp.Badges = []*model.Badge{innov, tutorat}
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	awards := []*model.Award{
		{Badge: innov, Level: innov.Levels[0], Recipient: model.Identity{Email: "alice@example.org", EPPN: "a1@ecole.example"}, Date: d("2025-01-10"),
			EvidenceURL: "https://projets.ecole.example/p/1", EvidenceNarrative: "Prototype présenté au jury."},
		{Badge: tutorat, Recipient: model.Identity{EPPN: "b2@ecole.example"}, Date: d("2025-02-01"), Expires: d("2027-02-01")},
		{Badge: tutorat, Recipient: model.Identity{StudentID: "21000042"}, Date: d("2025-03-01")},
	}
	for _, a := range awards {
		a.ID = ids.AwardID(sp.Secret, sp.Slug, a.Badge.Slug, "x", "", a.Date.Format(time.DateOnly))
	}
	sp.Awards = awards
	sp.Revocations = map[string]model.Revocation{awards[2].ID: {AwardID: awards[2].ID, Reason: "Attribution erronée"}}
	return sp, awards
}

func TestGolden(t *testing.T) {
	sp, awards := fixture()
	is := Issuer{Layout: layout.Layout{Base: "https://badges.example.fr/", DefaultLang: "fr"}}
	docs := map[string]any{
		"profile.json":           is.Profile(sp),
		"badgeclass.json":        is.BadgeClass(sp.Badges[1], nil),
		"badgeclass-level.json":  is.BadgeClass(sp.Badges[0], sp.Badges[0].Levels[0]),
		"assertion-email.json":   is.Assertion(awards[0]),
		"assertion-eppn.json":    is.Assertion(awards[1]),
		"assertion-student.json": is.Assertion(awards[2]),
		"tombstone.json":         is.Tombstone(awards[2], sp.Revocations[awards[2].ID]),
		"revocationlist.json":    is.RevocationList(sp, true),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			got := Marshal(doc)
			golden := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (go test ./internal/ob2 -update, then review the diff)\ngot:\n%s", name, got)
			}
		})
	}
}

func TestRecipientIdentity(t *testing.T) {
	tests := []struct {
		r             model.Identity
		typ, identity string
	}{
		{model.Identity{Email: "a@example.org", EPPN: "a@ecole.example", StudentID: "1"}, "email", "a@example.org"},
		{model.Identity{EPPN: "a@ecole.example", StudentID: "1"}, "id", "urn:eppn:a@ecole.example"},
		{model.Identity{StudentID: "1"}, "id", "urn:student:ecole:1"},
	}
	for _, tt := range tests {
		typ, id := RecipientIdentity(tt.r, "ecole")
		if typ != tt.typ || id != tt.identity {
			t.Errorf("RecipientIdentity(%+v) = %s, %s; want %s, %s", tt.r, typ, id, tt.typ, tt.identity)
		}
	}
}

func TestAssertionHashMatchesIdentity(t *testing.T) {
	sp, awards := fixture()
	a := Issuer{Layout: layout.Layout{Base: "https://b.example/"}}.Assertion(awards[0])
	if a.Recipient.Identity != ids.IdentityHash("alice@example.org", a.Recipient.Salt) || a.Recipient.Salt != ids.Salt(sp.Secret, awards[0].ID) {
		t.Fatalf("recipient %+v does not hash alice's address with the derived salt", a.Recipient)
	}
}
