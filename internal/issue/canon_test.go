package issue

import (
	"fmt"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob3"
)

// variants returns awards of every shape the generator can emit: with and
// without levels, alignments, tags (including repeated ones), logo,
// evidence (URL, narrative, both), expiry, each kind of identifier.
func variants() []*model.Award {
	site, _ := demoShapeNoKeys()
	sp := site.Spaces[0]
	base := sp.Badges[0]
	plain := &model.Badge{Space: sp, Slug: "plain", Name: "Plain", Description: "Sans niveaux.", Criteria: "Critères.", Image: &model.Asset{Ext: ".png"}, AchievementType: "Badge"}
	dupTags := &model.Badge{Space: sp, Slug: "tags", Name: "Tags", Description: "Tags répétés.", Criteria: "C.", Image: &model.Asset{Ext: ".svg"}, AchievementType: "ext:Stage",
		Tags: []string{"a", "a", "b"}, Alignments: []model.Alignment{{TargetName: "X", TargetURL: "https://ref.example/x"}, {TargetName: "X", TargetURL: "https://ref.example/x", TargetCode: "1"}}}
	var out []*model.Award
	d := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	ids := []model.Identity{{Email: "a@example.org"}, {EPPN: "e1@ecole.example"}, {StudentID: "21000042"}}
	for i, b := range []*model.Badge{base, plain, dupTags} {
		for j, r := range ids {
			for k, ev := range [][2]string{{"", ""}, {"https://p.example/1", ""}, {"", "Narratif « entre guillemets » \"échappés\"\nsur deux lignes\\"}, {"https://p.example/2?x=1#f", "Les deux."}} {
				a := &model.Award{ID: fmt.Sprintf("%026d", i*100+j*10+k), Badge: b, Recipient: r, Date: d, EvidenceURL: ev[0], EvidenceNarrative: ev[1]}
				if len(b.Levels) > 0 {
					a.Level = b.Levels[k%len(b.Levels)]
				}
				if k%2 == 1 {
					a.Expires = d.AddDate(2, 0, 0)
				}
				out = append(out, a)
			}
		}
	}
	return out
}

func demoShapeNoKeys() (*model.Site, Keyrings) {
	sp := &model.Space{Slug: "ecole", Name: "École", URL: "https://www.ecole.example/", Email: "badges@ecole.example",
		Secret: []byte("0123456789abcdef0123456789abcdef"), Revocations: map[string]model.Revocation{}, Logo: &model.Asset{Ext: ".svg"}}
	b := &model.Badge{Space: sp, Slug: "innovation", Name: "Innovation", Description: "C1.", Criteria: "Niveaux.", Image: &model.Asset{Ext: ".svg"},
		AchievementType: "Competency", Tags: []string{"compétence"},
		Alignments: []model.Alignment{{TargetName: "C1", TargetURL: "https://ref.example/c1", TargetFramework: "Réf", TargetDescription: "D", TargetCode: "C1"}}}
	for _, id := range []string{"novice", "intermediaire", "competent"} {
		b.Levels = append(b.Levels, &model.Level{ID: id, Name: id, Description: "Niveau " + id})
	}
	sp.Badges = []*model.Badge{b}
	return &model.Site{Spaces: []*model.Space{sp}}, nil
}

// TestFastCanonicalizationMatchesJSONGold cross-checks the template path
// against json-gold's full ToRDF (SafeMode) + RDFC-1.0 on every credential
// shape, the status list credentials and the proof configurations, byte
// for byte.
func TestFastCanonicalizationMatchesJSONGold(t *testing.T) {
	is := newIssuer()
	l := is.Suite.Loader
	fast := jsonld.NewCanonicalizer(l)
	o := ob3.Issuer{Layout: is.Layout}
	var docs []any
	for i, a := range variants() {
		var st *ob3.Status
		switch i % 3 {
		case 0:
			st = o.BitstringEntry(a.Badge.Space, i%2, i*977)
		case 1:
			st = o.RevocationListEntry(a.Badge.Space)
		}
		c := o.Credential(a, st)
		if i%5 == 4 { // a holder's DID in place of the minted subject id
			c.CredentialSubject.ID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
		}
		docs = append(docs, c)
	}
	sp := variants()[0].Badge.Space
	docs = append(docs,
		o.StatusList(sp, ob3.PurposeRevocation, 0, "uH4sIAAAAAAAA_-zAMQEAAADCIPunNsYeGAAAAAAAAAAAAAAAAAAAAJB7AAAA__-G0lSrAEAAAA", "2025-10-23T00:00:00Z"),
		o.StatusList(sp, ob3.PurposeSuspension, 3, "uH4sIAAAAAAAA_-zAMQEAAADCIPunNsYeGAAAAAAAAAAAAAAAAAAAAJB7AAAA__-G0lSrAEAAAA", "2024-01-01T00:00:00Z"),
		map[string]any{"@context": []any{jsonld.CredentialsV2, jsonld.OpenBadgesV3, jsonld.OBExtensions}, "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
			"created": "2025-01-10T00:00:00Z", "verificationMethod": "did:web:badges.example.fr:ecole#eddsa-abc", "proofPurpose": "assertionMethod"},
	)
	for i, d := range docs {
		m, err := jsonout.ToMap(d)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jsonld.Canonicalize(l, m)
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		for pass := range 2 { // building the template, then using it
			got, err := fast.Canonicalize(m)
			if err != nil {
				t.Fatalf("doc %d pass %d: %v", i, pass, err)
			}
			if got != want {
				t.Fatalf("doc %d pass %d differs:\n%s\nwant:\n%s", i, pass, got, want)
			}
		}
	}
	if len(docs) < 30 {
		t.Fatalf("only %d documents", len(docs))
	}
}

// FuzzFastCanonicalization feeds award rows of arbitrary text (names,
// narratives, evidence URLs, tags) and subject ids (the minted urn:uuid, or
// a holder's identifier such as a DID) to both canonicalization paths.
func FuzzFastCanonicalization(f *testing.F) {
	f.Add("Innovation", "Créer de la valeur", "https://p.example/1", "Projet S6", "tag", "")
	f.Add("x\"y\\z", "\n\t", "https://a.example/ b", "<>&", "", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
	f.Add("", "é", "http://127.0.0.1:8123/x?y#z", "\u2063v0\u2063", "a", "urn:uuid:1ee5eab5-8859-42d2-b524-bae6de720c8a")
	f.Add("n", "d", "https://placeholder.invalid/v3", "urn:placeholder:v1", "https://x.example/", "https://placeholder.invalid/v0")
	f.Add("n", "d", "", "", "", "not an IRI")
	is := newIssuer()
	l := is.Suite.Loader
	fast := jsonld.NewCanonicalizer(l)
	o := ob3.Issuer{Layout: is.Layout}
	f.Fuzz(func(t *testing.T, name, desc, evURL, narrative, tag, subject string) {
		a := variants()[5]
		b := *a.Badge
		b.Name, b.Description, b.Tags = name, desc, []string{tag, "fixe"}
		a.Badge = &b
		a.EvidenceURL, a.EvidenceNarrative = evURL, narrative
		c := o.Credential(a, o.BitstringEntry(b.Space, 0, 7))
		if subject != "" {
			c.CredentialSubject.ID = subject
		}
		m, err := jsonout.ToMap(c)
		if err != nil {
			t.Skip()
		}
		want, werr := jsonld.Canonicalize(l, m)
		got, gerr := fast.Canonicalize(m)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("json-gold: %v; fast: %v", werr, gerr)
		}
		if werr == nil && got != want {
			t.Fatalf("outputs differ:\n%s\nwant:\n%s", got, want)
		}
	})
}
