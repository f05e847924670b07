package issue

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/statuslist"
)

// demoShape returns a space shaped like the demo's engineering school: a
// competency badge with five levels, e-mail and eppn recipients, evidence.
func demoShape(tb testing.TB, n int) (*model.Site, Keyrings) {
	tb.Helper()
	sp := &model.Space{Slug: "ecole", Name: "École", URL: "https://www.ecole.example/", Email: "badges@ecole.example",
		Secret: bytes.Repeat([]byte{3}, 32), Revocations: map[string]model.Revocation{}, Logo: &model.Asset{Ext: ".svg"}}
	b := &model.Badge{Space: sp, Slug: "innovation", Name: "Créer de la valeur par l'innovation", Description: "Compétence C1.",
		Criteria: "Les niveaux s'acquièrent dans l'ordre.", Image: &model.Asset{Ext: ".svg"}, AchievementType: "Competency",
		Tags:       []string{"compétence", "innovation"},
		Alignments: []model.Alignment{{TargetName: "C1", TargetURL: "https://ref.example/c1", TargetFramework: "Référentiel"}}}
	for _, id := range []string{"novice", "intermediaire", "competent", "avance", "expert"} {
		b.Levels = append(b.Levels, &model.Level{ID: id, Name: id, Description: "Niveau " + id})
	}
	sp.Badges = []*model.Badge{b}
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		r := model.Identity{Email: fmt.Sprintf("etudiant.%05d@example.org", i), EPPN: fmt.Sprintf("e%05d@ecole.example", i)}
		a := &model.Award{Badge: b, Level: b.Levels[i%5], Recipient: r, Date: day.AddDate(0, 0, i%300), EvidenceNarrative: "Projet S6"}
		a.ID = ids.AwardID(sp.Secret, sp.Slug, b.Slug, r.EPPN, a.Level.ID, a.Date.Format(time.DateOnly))
		sp.Awards = append(sp.Awards, a)
	}
	site := &model.Site{Spaces: []*model.Space{sp}, Credentials: model.Credentials{JWTAlg: keys.ES256, Status: "bitstring", StatusListSize: 131072}}
	store := keys.Store{Dir: tb.TempDir(), Rand: rand.Reader}
	for _, alg := range []string{keys.EdDSA, keys.ES256} {
		if _, err := store.NewKey("ecole", alg, day); err != nil {
			tb.Fatal(err)
		}
	}
	ring, err := store.Keyring("ecole")
	if err != nil {
		tb.Fatal(err)
	}
	return site, Keyrings{"ecole": ring}
}

// ledgersFor places every award of site in a fresh ledger.
func ledgersFor(tb testing.TB, site *model.Site) Ledgers {
	tb.Helper()
	out := Ledgers{}
	for _, sp := range site.Spaces {
		l, err := statuslist.NewLedger(131072)
		if err != nil {
			tb.Fatal(err)
		}
		var items []statuslist.Item
		for _, a := range sp.Awards {
			items = append(items, statuslist.Item{ID: a.ID, Date: a.Date})
		}
		if _, err := l.Place(sp.Secret, items); err != nil {
			tb.Fatal(err)
		}
		l.Date("revocation", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
		l.Date("suspension", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
		out[sp.Slug] = l
	}
	return out
}

// demoJob returns the job issuing the awards of demoShape's space.
func demoJob(tb testing.TB, site *model.Site, rings Keyrings) *spaceJob {
	tb.Helper()
	j, err := newIssuer().job(site, site.Spaces[0], rings, ledgersFor(tb, site))
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

func newIssuer() *Issuer {
	l := jsonld.NewLoader()
	return &Issuer{Layout: layout.Layout{Base: "https://badges.example.fr/", DefaultLang: "fr"}, Suite: dataintegrity.Suite{Loader: l, Canon: jsonld.NewCanonicalizer(l)}}
}

func TestSiteIsDeterministic(t *testing.T) {
	site, rings := demoShape(t, 40)
	var ma, mb publish.Memory
	ledgers := ledgersFor(t, site)
	if err := newIssuer().Site(site, rings, ledgers, &ma); err != nil {
		t.Fatal(err)
	}
	is := newIssuer()
	is.Workers = 1
	if err := is.Site(site, rings, ledgers, &mb); err != nil {
		t.Fatal(err)
	}
	a, b := ma.Files, mb.Files
	if len(a) != len(b) || len(a) < 80 {
		t.Fatalf("%d and %d files", len(a), len(b))
	}
	for p := range a {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s differs between a parallel and a sequential run", p)
		}
	}
}

// BenchmarkIssueCredential issues one award of the demo shape: its OB 3.0
// credential with a Data Integrity proof (json-gold canonicalization +
// Ed25519), its VC-JWT (ES256) and its hosted OB 2.0 assertion. It reports
// credentials per second on one core (run with -cpu 1).
func BenchmarkIssueCredential(b *testing.B) {
	site, rings := demoShape(b, 512)
	sp := site.Spaces[0]
	j := demoJob(b, site, rings)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := j.award(sp.Awards[i%len(sp.Awards)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
}

// The published credential is assembled from the encoding its signatures
// were made over; it must be exactly what encoding the whole credential,
// proof included, gives.
func TestPublishedCredentialIsTheEncodedCredential(t *testing.T) {
	site, rings := demoShape(t, 3)
	sp := site.Spaces[0]
	j := demoJob(t, site, rings)
	is := j.is
	for _, a := range sp.Awards {
		files, err := j.award(a)
		if err != nil {
			t.Fatal(err)
		}
		got := files[is.Layout.Credential(a)]
		var published struct{ Proof []dataintegrity.Proof }
		if err := json.Unmarshal(got, &published); err != nil || len(published.Proof) != 1 {
			t.Fatalf("published credential: %v, %d proofs", err, len(published.Proof))
		}
		pos := j.ledger.Pos[a.ID]
		cred := j.ob3.Credential(a, j.ob3.BitstringEntry(sp, pos.List, pos.Index))
		cred.Proof = published.Proof
		want, err := jsonout.Marshal(cred)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("published:\n%s\nencoded whole:\n%s", got, want)
		}
	}
}
