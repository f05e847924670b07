package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/passport"
)

// testSubjectDataAndErase: SubjectData returns exactly one subject's rows
// with their dates; EraseSubject removes them all and nobody else's, and
// keeps the erased passport's address reserved.
func testSubjectDataAndErase(t *testing.T, e *env) {
	s := e.s
	r1 := passport.AwardRef{Space: "info", Award: "a-001"}
	r2 := passport.AwardRef{Space: "bio", Award: "b-007"}
	for _, subj := range []string{"alice", "bob"} {
		_, err := s.CreateSession(ctx, NewSession{Subject: subj, IdP: "https://idp.example.fr/idp", Created: t0, Expires: t0.Add(time.Hour), CSRF: []byte("x")})
		must(t, err)
		must(t, s.AddClaim(ctx, subj, r1, t0.Add(time.Minute)))
		must(t, s.SetPassport(ctx, subj, PassportSettings{Slug: subj + "-page", DisplayName: subj, Lang: "fr"}, t0.Add(2*time.Minute)))
		must(t, s.SetPassportAwards(ctx, subj, []passport.AwardRef{r1}, t0.Add(3*time.Minute)))
		must(t, s.AppendEvent(ctx, Event{Subject: subj, Kind: "login", At: t0}))
	}
	must(t, s.AddWalletClaim(ctx, "alice", r2, t0.Add(4*time.Minute)))
	must(t, s.AddWalletClaim(ctx, "alice", r2, t0.Add(5*time.Minute))) // keeps the first time
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "alice-new", DisplayName: "Alice", Lang: "fr"}, t0.Add(6*time.Minute)))

	d, err := s.SubjectData(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sessions) != 1 || d.Sessions[0].IdP != "https://idp.example.fr/idp" || !d.Sessions[0].Created.Equal(t0) {
		t.Errorf("sessions: %+v", d.Sessions)
	}
	wantClaims := []Claim{{Award: r1, ClaimedAt: t0.Add(time.Minute)}, {Award: r2, ClaimedAt: t0.Add(4 * time.Minute), WalletAt: t0.Add(4 * time.Minute)}}
	if !reflect.DeepEqual(d.Claims, wantClaims) {
		t.Errorf("claims = %+v, want %+v", d.Claims, wantClaims)
	}
	if d.Passport == nil || d.Passport.Slug != "alice-new" || !d.Passport.Created.Equal(t0.Add(2*time.Minute)) ||
		!d.Passport.Updated.Equal(t0.Add(6*time.Minute)) || !reflect.DeepEqual(d.Passport.Awards, []passport.AwardRef{r1}) {
		t.Errorf("passport: %+v", d.Passport)
	}
	if !reflect.DeepEqual(d.Slugs, []string{"alice-new", "alice-page"}) {
		t.Errorf("slugs: %v", d.Slugs)
	}
	if len(d.Events) != 1 || d.Events[0].Kind != "login" {
		t.Errorf("events: %+v", d.Events)
	}

	v0, _ := s.PassportsVersion(ctx)
	n, err := s.EraseSubject(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Erased{Sessions: 1, Claims: 2, Passports: 1, PassportAwards: 1, Events: 1, Slugs: 2}); n != want {
		t.Errorf("erased %+v, want %+v", n, want)
	}
	if v1, _ := s.PassportsVersion(ctx); v1 == v0 {
		t.Error("erasing a passport left the passports version unchanged: the next build would keep the page")
	}
	d, err = s.SubjectData(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sessions)+len(d.Claims)+len(d.Slugs)+len(d.Events) != 0 || d.Passport != nil {
		t.Errorf("after erasure: %+v", d)
	}
	if _, err := s.Passport(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("passport after erasure: %v", err)
	}
	// Raw count: nothing left under the subject in any table.
	ss := s.(*sqlStore)
	for _, table := range []string{"sessions", "claims", "passports", "passport_awards", "events", "slugs"} {
		var c int
		if err := ss.db.QueryRow(ss.q(`SELECT COUNT(*) FROM `+table+` WHERE subject = ?`), "alice").Scan(&c); err != nil || c != 0 {
			t.Errorf("%s: %d rows of the erased subject (%v)", table, c, err)
		}
	}
	// Bob is untouched.
	if d, err := s.SubjectData(ctx, "bob"); err != nil || len(d.Sessions) != 1 || len(d.Claims) != 1 || d.Passport == nil || len(d.Events) != 1 {
		t.Errorf("bob after alice's erasure: %+v, %v", d, err)
	}
	// The address stays reserved: nobody gets alice's old page.
	if err := s.SetPassport(ctx, "carol", PassportSettings{Slug: "alice-page", DisplayName: "Carol"}, t0); !errors.Is(err, ErrSlugTaken) {
		t.Errorf("erased subject's slug given again: %v", err)
	}
	// Erasing again, or a subject never seen, removes nothing.
	if n, err := s.EraseSubject(ctx, "alice"); err != nil || n != (Erased{}) {
		t.Errorf("second erasure: %+v, %v", n, err)
	}
	if _, err := s.EraseSubject(ctx, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty subject: %v", err)
	}
}

// testRetention: purges remove what is past its time and keep the rest.
func testRetention(t *testing.T, e *env) {
	s := e.s
	old, err := s.CreateSession(ctx, NewSession{Subject: "a", IdP: "i", Created: t0, Expires: t0.Add(time.Hour), CSRF: []byte("x")})
	must(t, err)
	live, err := s.CreateSession(ctx, NewSession{Subject: "a", IdP: "i", Created: t0, Expires: t0.Add(3 * time.Hour), CSRF: []byte("x")})
	must(t, err)
	fresh, err := s.SeenAssertion(ctx, "old-assertion", t0.Add(time.Hour))
	must(t, err)
	fresh2, err := s.SeenAssertion(ctx, "live-assertion", t0.Add(3*time.Hour))
	must(t, err)
	if !fresh || !fresh2 {
		t.Fatal("assertions not fresh")
	}
	must(t, s.AppendEvent(ctx, Event{Subject: "a", Kind: "old", At: t0}))
	must(t, s.AppendEvent(ctx, Event{Subject: "a", Kind: "live", At: t0.Add(2 * time.Hour)}))

	now := t0.Add(2 * time.Hour)
	if n, err := s.PurgeSessions(ctx, now); err != nil || n != 1 {
		t.Errorf("PurgeSessions: %d, %v", n, err)
	}
	if n, err := s.PurgeAssertions(ctx, now); err != nil || n != 1 {
		t.Errorf("PurgeAssertions: %d, %v", n, err)
	}
	if n, err := s.PurgeEvents(ctx, now); err != nil || n != 1 {
		t.Errorf("PurgeEvents: %d, %v", n, err)
	}
	ss := s.(*sqlStore)
	var c int
	must(t, ss.db.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&c))
	if c != 1 {
		t.Errorf("%d sessions left, want 1", c)
	}
	if _, err := s.Session(ctx, live.ID, now); err != nil {
		t.Errorf("live session purged: %v", err)
	}
	if _, err := s.Session(ctx, old.ID, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session still stored: %v", err)
	}
	// The live assertion is still remembered; the purged one is not.
	if f, _ := s.SeenAssertion(ctx, "live-assertion", t0.Add(3*time.Hour)); f {
		t.Error("live replay-cache entry purged")
	}
	if f, _ := s.SeenAssertion(ctx, "old-assertion", t0.Add(time.Hour)); !f {
		t.Error("expired replay-cache entry kept")
	}
	evs, err := s.Events(ctx, "a")
	if err != nil || len(evs) != 1 || evs[0].Kind != "live" {
		t.Errorf("events after purge: %+v, %v", evs, err)
	}
}

// testAwardUses: per award, the first claim, the first wallet download and
// whether a passport shows it.
func testAwardUses(t *testing.T, e *env) {
	s := e.s
	a1 := passport.AwardRef{Space: "info", Award: "a-001"}
	a2 := passport.AwardRef{Space: "info", Award: "a-002"}
	other := passport.AwardRef{Space: "bio", Award: "a-001"}
	must(t, s.AddClaim(ctx, "alice", a1, t0))
	must(t, s.AddWalletClaim(ctx, "alice", a1, t0.Add(time.Hour)))
	must(t, s.AddWalletClaim(ctx, "bob", a2, t0.Add(2*time.Hour)))
	must(t, s.AddClaim(ctx, "bob", other, t0))
	must(t, s.SetPassport(ctx, "bob", PassportSettings{Slug: "bob", DisplayName: "Bob"}, t0))
	must(t, s.SetPassportAwards(ctx, "bob", []passport.AwardRef{a2, other}, t0))
	got, err := s.AwardUses(ctx, "info")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]AwardUse{
		"a-001": {Claimed: t0, Wallet: t0.Add(time.Hour)},
		"a-002": {Claimed: t0.Add(2 * time.Hour), Wallet: t0.Add(2 * time.Hour), OnPassport: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AwardUses = %+v, want %+v", got, want)
	}
}
