package store

import (
	"context"
	"errors"
	"github.com/francebadge/blason/internal/store/storetest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/passport"
)

// env is one test's database: a fresh one per test, which open connects
// to again (a second claim server on the same database).
type env struct {
	t   *testing.T
	dsn string
	s   Store
}

func (e *env) open() Store {
	e.t.Helper()
	s, err := Open(context.Background(), e.dsn)
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	e.t.Cleanup(func() { s.Close() })
	return s
}

// backend makes fresh databases.
type backend struct {
	name     string
	freshDSN func(t testing.TB) string
}

func backends() []backend {
	return []backend{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "claim.db") }},
		{"postgres", freshPostgres},
	}
}

// freshPostgres returns a DSN for an empty schema of the test database.
func freshPostgres(t testing.TB) string { return storetest.FreshPostgres(t, "store_test") }

var suite = []struct {
	name string
	run  func(t *testing.T, e *env)
}{
	{"Sessions", testSessions},
	{"SessionIDNotStored", testSessionIDNotStored},
	{"ReplayCache", testReplayCache},
	{"ReplayConcurrentTwoInstances", testReplayConcurrent},
	{"Claims", testClaims},
	{"PassportLifecycle", testPassportLifecycle},
	{"PassportMissing", testPassportMissing},
	{"SlugTaken", testSlugTaken},
	{"SlugRace", testSlugRace},
	{"ConcurrentAwards", testConcurrentAwards},
	{"PassportSource", testPassportSource},
	{"PassportsVersion", testPassportsVersion},
	{"InvalidInput", testInvalidInput},
	{"Events", testEvents},
	{"PassportOrder", testPassportOrder},
	{"MigrateReopen", testMigrateReopen},
	{"MigrateConcurrent", testMigrateConcurrent},
	{"SchemaTooNew", testSchemaTooNew},
	{"SubjectDataAndErase", testSubjectDataAndErase},
	{"Retention", testRetention},
	{"AwardUses", testAwardUses},
}

func TestStore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) {
					e := &env{t: t, dsn: b.freshDSN(t)}
					if tc.name != "MigrateConcurrent" { // that one opens the empty database itself
						e.s = e.open()
					}
					tc.run(t, e)
				})
			}
		})
	}
}

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
)

func testSessions(t *testing.T, e *env) {
	s := e.s
	paris := time.FixedZone("CET", 3600)
	n := NewSession{Subject: "subj-a", IdP: "https://idp.example.fr/idp", Created: t0.In(paris), Expires: t0.Add(8 * time.Hour), CSRF: []byte("csrf-secret-a")}
	a, err := s.CreateSession(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.ID) != sessionIDLen {
		t.Errorf("session ID %q: length %d, want %d", a.ID, len(a.ID), sessionIDLen)
	}
	a2, err := s.CreateSession(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if a2.ID == a.ID {
		t.Fatal("two sessions got the same ID")
	}
	b, err := s.CreateSession(ctx, NewSession{Subject: "subj-b", IdP: "https://idp.other.eu/", Created: t0, Expires: t0.Add(time.Hour), CSRF: []byte{0, 1, 2, 255}})
	if err != nil {
		t.Fatal(err)
	}

	got, err := s.Session(ctx, a.ID, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.Subject != n.Subject || got.IdP != n.IdP || !got.Created.Equal(t0) || !got.Expires.Equal(n.Expires) || string(got.CSRF) != string(n.CSRF) {
		t.Errorf("Session = %+v, want %+v", got, a)
	}
	if got.Created.Location() != time.UTC {
		t.Errorf("Created in %v, want UTC", got.Created.Location())
	}
	if gb, err := s.Session(ctx, b.ID, t0); err != nil || string(gb.CSRF) != "\x00\x01\x02\xff" {
		t.Errorf("binary CSRF secret: %q, %v", gb.CSRF, err)
	}

	// Expiry is exclusive: invalid at Expires.
	if _, err := s.Session(ctx, a.ID, n.Expires); !errors.Is(err, ErrNotFound) {
		t.Errorf("Session at expiry: %v, want ErrNotFound", err)
	}
	if _, err := s.Session(ctx, a.ID, n.Expires.Add(-time.Microsecond)); err != nil {
		t.Errorf("Session just before expiry: %v", err)
	}
	for _, id := range []string{"", "nope", strings.Repeat("A", sessionIDLen), a.ID[:sessionIDLen-1] + "x"} {
		if _, err := s.Session(ctx, id, t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("Session(%q): %v, want ErrNotFound", id, err)
		}
	}

	// Logout.
	if err := s.DeleteSession(ctx, a2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, a2.ID, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted session: %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, a2.ID); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}

	// Logout everywhere.
	if _, err := s.CreateSession(ctx, n); err != nil {
		t.Fatal(err)
	}
	if k, err := s.DeleteSubjectSessions(ctx, "subj-a"); err != nil || k != 2 {
		t.Errorf("DeleteSubjectSessions = %d, %v; want 2", k, err)
	}
	if _, err := s.Session(ctx, a.ID, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("session after logout everywhere: %v", err)
	}
	if _, err := s.Session(ctx, b.ID, t0); err != nil {
		t.Errorf("other subject's session after logout everywhere: %v", err)
	}

	// Purge: b expires at t0+1h, c at t0+3h.
	c, err := s.CreateSession(ctx, NewSession{Subject: "subj-c", IdP: "x", Created: t0, Expires: t0.Add(3 * time.Hour), CSRF: []byte("c")})
	if err != nil {
		t.Fatal(err)
	}
	if k, err := s.PurgeSessions(ctx, t0.Add(time.Hour)); err != nil || k != 1 {
		t.Errorf("PurgeSessions = %d, %v; want 1", k, err)
	}
	if _, err := s.Session(ctx, c.ID, t0); err != nil {
		t.Errorf("unexpired session purged: %v", err)
	}
	if k, err := s.PurgeSessions(ctx, t0.Add(time.Hour)); err != nil || k != 0 {
		t.Errorf("second PurgeSessions = %d, %v; want 0", k, err)
	}
}

func testSessionIDNotStored(t *testing.T, e *env) {
	ss, err := e.s.CreateSession(ctx, NewSession{Subject: "s", IdP: "i", Created: t0, Expires: t0.Add(time.Hour), CSRF: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	db := e.s.(*sqlStore)
	var plain, hashed int
	db.db.QueryRow(db.q(`SELECT COUNT(*) FROM sessions WHERE id_hash = ?`), []byte(ss.ID)).Scan(&plain)
	db.db.QueryRow(db.q(`SELECT COUNT(*) FROM sessions WHERE id_hash = ?`), hashID(ss.ID)).Scan(&hashed)
	if plain != 0 || hashed != 1 {
		t.Errorf("rows keyed by the plain ID: %d, by its hash: %d; want 0 and 1", plain, hashed)
	}
}

func testReplayCache(t *testing.T, e *env) {
	s := e.s
	exp := t0.Add(5 * time.Minute)
	for i, want := range []bool{true, false, false} {
		fresh, err := s.SeenAssertion(ctx, "_a1", exp)
		if err != nil || fresh != want {
			t.Errorf("SeenAssertion #%d = %v, %v; want %v", i+1, fresh, err, want)
		}
	}
	if fresh, err := s.SeenAssertion(ctx, "_a2", exp.Add(time.Hour)); err != nil || !fresh {
		t.Errorf("other ID: %v, %v; want fresh", fresh, err)
	}
	if _, err := s.SeenAssertion(ctx, "", exp); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty ID: %v, want ErrInvalid", err)
	}
	// Purging before the expiry keeps the ID.
	if k, err := s.PurgeAssertions(ctx, exp.Add(-time.Second)); err != nil || k != 0 {
		t.Errorf("early purge = %d, %v; want 0", k, err)
	}
	if fresh, _ := s.SeenAssertion(ctx, "_a1", exp); fresh {
		t.Error("ID fresh again after an early purge")
	}
	if k, err := s.PurgeAssertions(ctx, exp); err != nil || k != 1 {
		t.Errorf("purge = %d, %v; want 1", k, err)
	}
	if fresh, _ := s.SeenAssertion(ctx, "_a2", exp); fresh {
		t.Error("unexpired ID _a2 was purged")
	}
}

// testReplayConcurrent: goroutines on two store instances present the
// same assertion IDs at once; each ID is fresh exactly once.
func testReplayConcurrent(t *testing.T, e *env) {
	stores := []Store{e.s, e.open()}
	const ids, workers = 20, 16
	var (
		mu    sync.Mutex
		fresh = map[string]int{}
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := stores[w%2]
			<-start
			for i := 0; i < ids; i++ {
				id := "_id" + string(rune('a'+(i+w)%ids))
				ok, err := s.SeenAssertion(ctx, id, t0)
				if err != nil {
					t.Errorf("SeenAssertion: %v", err)
					return
				}
				if ok {
					mu.Lock()
					fresh[id]++
					mu.Unlock()
				}
			}
		}(w)
	}
	close(start)
	wg.Wait()
	if len(fresh) != ids {
		t.Errorf("%d IDs were fresh once, want %d", len(fresh), ids)
	}
	for id, n := range fresh {
		if n != 1 {
			t.Errorf("ID %s fresh %d times", id, n)
		}
	}
}

func testClaims(t *testing.T, e *env) {
	s := e.s
	r1 := passport.AwardRef{Space: "info", Award: "a-001"}
	r2 := passport.AwardRef{Space: "bio", Award: "b-007"}
	must(t, s.AddClaim(ctx, "alice", r1, t0))
	must(t, s.AddClaim(ctx, "alice", r2, t0.Add(time.Hour)))
	must(t, s.AddClaim(ctx, "alice", r1, t0.Add(2*time.Hour))) // again: keeps the first time
	must(t, s.AddClaim(ctx, "bob", r2, t0))
	got, err := s.Claims(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := []Claim{{Award: r1, ClaimedAt: t0}, {Award: r2, ClaimedAt: t0.Add(time.Hour)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Claims = %+v, want %+v", got, want)
	}
	if got, _ := s.Claims(ctx, "nobody"); len(got) != 0 {
		t.Errorf("claims of nobody: %+v", got)
	}
	if err := s.AddClaim(ctx, "alice", passport.AwardRef{Space: "info"}, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("claim without award id: %v, want ErrInvalid", err)
	}
}

func testPassportLifecycle(t *testing.T, e *env) {
	s := e.s
	r := func(i int) passport.AwardRef {
		return passport.AwardRef{Space: "info", Award: "a-00" + string(rune('0'+i))}
	}
	set := PassportSettings{Slug: "marie-c", DisplayName: "Marie C.", Lang: "fr"}
	must(t, s.SetPassport(ctx, "alice", set, t0))
	check := func(want passport.Passport) {
		t.Helper()
		want.Source = "store"
		got, err := s.Passport(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Passport =\n%+v\nwant\n%+v", got, want)
		}
	}
	check(passport.Passport{Slug: "marie-c", DisplayName: "Marie C.", Lang: "fr"})

	for i := 1; i <= 3; i++ {
		must(t, s.AddPassportAward(ctx, "alice", r(i), t0))
	}
	must(t, s.AddPassportAward(ctx, "alice", r(2), t0)) // already there
	base := passport.Passport{Slug: "marie-c", DisplayName: "Marie C.", Lang: "fr"}
	withAwards := func(a ...passport.AwardRef) passport.Passport { p := base; p.Awards = a; return p }
	check(withAwards(r(1), r(2), r(3)))

	must(t, s.RemovePassportAward(ctx, "alice", r(2), t0))
	check(withAwards(r(1), r(3)))
	if err := s.RemovePassportAward(ctx, "alice", r(2), t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing an absent award: %v, want ErrNotFound", err)
	}
	must(t, s.AddPassportAward(ctx, "alice", r(2), t0)) // goes last
	check(withAwards(r(1), r(3), r(2)))

	must(t, s.SetPassportAwards(ctx, "alice", []passport.AwardRef{r(3), r(1)}, t0))
	check(withAwards(r(3), r(1)))
	if err := s.SetPassportAwards(ctx, "alice", []passport.AwardRef{r(1), r(1)}, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate awards: %v, want ErrInvalid", err)
	}
	check(withAwards(r(3), r(1)))

	// New settings keep the awards; the old slug stays alice's.
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "mc", DisplayName: "M. Curie", Indexable: true, Email: "mc@example.org"}, t0))
	base = passport.Passport{Slug: "mc", DisplayName: "M. Curie", Indexable: true, Email: "mc@example.org"}
	check(withAwards(r(3), r(1)))
	// Alice's former slug is not bob's to take.
	if err := s.SetPassport(ctx, "bob", PassportSettings{Slug: "marie-c", DisplayName: "Bob"}, t0); !errors.Is(err, ErrSlugTaken) {
		t.Errorf("bob on alice's former slug: %v, want ErrSlugTaken", err)
	}
	must(t, s.SetPassport(ctx, "bob", PassportSettings{Slug: "bob-c", DisplayName: "Bob"}, t0))

	must(t, s.DeletePassport(ctx, "alice", t0))
	if _, err := s.Passport(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted passport: %v, want ErrNotFound", err)
	}
	if err := s.DeletePassport(ctx, "alice", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	// A deleted passport's addresses are never given to someone else (old
	// links must not show another student); its owner may use them again.
	for _, slug := range []string{"mc", "marie-c-old"} {
		if err := s.SetPassport(ctx, "carol", PassportSettings{Slug: slug, DisplayName: "Carol"}, t0); slug == "mc" && !errors.Is(err, ErrSlugTaken) {
			t.Errorf("carol on alice's deleted slug: %v, want ErrSlugTaken", err)
		}
	}
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "mc", DisplayName: "A"}, t0))
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "alice-2", DisplayName: "A"}, t0))
	check(passport.Passport{Slug: "alice-2", DisplayName: "A"})
	if err := s.SetPassport(ctx, "alice", PassportSettings{Slug: "bob-c", DisplayName: "A"}, t0); !errors.Is(err, ErrSlugTaken) {
		t.Errorf("bob's slug: %v, want ErrSlugTaken", err)
	}
	check(passport.Passport{Slug: "alice-2", DisplayName: "A"})
}

func testPassportMissing(t *testing.T, e *env) {
	s := e.s
	ref := passport.AwardRef{Space: "s", Award: "a"}
	for name, err := range map[string]error{
		"Passport":            func() error { _, err := s.Passport(ctx, "ghost"); return err }(),
		"AddPassportAward":    s.AddPassportAward(ctx, "ghost", ref, t0),
		"RemovePassportAward": s.RemovePassportAward(ctx, "ghost", ref, t0),
		"SetPassportAwards":   s.SetPassportAwards(ctx, "ghost", []passport.AwardRef{ref}, t0),
		"DeletePassport":      s.DeletePassport(ctx, "ghost", t0),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s without a passport: %v, want ErrNotFound", name, err)
		}
	}
	if v, err := s.PassportsVersion(ctx); err != nil || v != 0 {
		t.Errorf("version after failed changes = %d, %v; want 0", v, err)
	}
}

func testSlugTaken(t *testing.T, e *env) {
	s := e.s
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "ada", DisplayName: "Ada"}, t0))
	must(t, s.AddPassportAward(ctx, "alice", passport.AwardRef{Space: "s", Award: "1"}, t0))
	v, _ := s.PassportsVersion(ctx)
	err := s.SetPassport(ctx, "bob", PassportSettings{Slug: "ada", DisplayName: "Bob"}, t0)
	if !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("taken slug: %v, want ErrSlugTaken", err)
	}
	if !strings.Contains(err.Error(), `"ada"`) {
		t.Errorf("error %q does not name the slug", err)
	}
	if _, err := s.Passport(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob got a passport: %v", err)
	}
	// Bob's existing passport cannot move onto alice's slug either.
	must(t, s.SetPassport(ctx, "bob", PassportSettings{Slug: "bob", DisplayName: "Bob"}, t0))
	if err := s.SetPassport(ctx, "bob", PassportSettings{Slug: "ada", DisplayName: "Bob"}, t0); !errors.Is(err, ErrSlugTaken) {
		t.Errorf("renaming onto a taken slug: %v, want ErrSlugTaken", err)
	}
	// The owner may set it again.
	must(t, s.SetPassport(ctx, "alice", PassportSettings{Slug: "ada", DisplayName: "Ada L."}, t0))
	p, err := s.Passport(ctx, "alice")
	if err != nil || p.DisplayName != "Ada L." || len(p.Awards) != 1 {
		t.Errorf("owner's update: %+v, %v", p, err)
	}
	if v2, _ := s.PassportsVersion(ctx); v2 != v+2 {
		t.Errorf("version %d after two successful changes from %d", v2, v)
	}
}

// testSlugRace: subjects on two store instances claim one slug at once;
// exactly one wins, the others get ErrSlugTaken.
func testSlugRace(t *testing.T, e *env) {
	stores := []Store{e.s, e.open()}
	const n = 12
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			errs[i] = stores[i%2].SetPassport(ctx, "subject-"+string(rune('a'+i)), PassportSettings{Slug: "the-slug", DisplayName: "X"}, t0)
		}(i)
	}
	close(start)
	wg.Wait()
	winners := 0
	winner := ""
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
			winner = "subject-" + string(rune('a'+i))
		case !errors.Is(err, ErrSlugTaken):
			t.Errorf("subject %d: %v, want nil or ErrSlugTaken", i, err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d winners, want 1", winners)
	}
	ps, err := e.s.Passports(ctx)
	if err != nil || len(ps) != 1 || ps[0].Slug != "the-slug" {
		t.Fatalf("Passports after the race = %+v, %v", ps, err)
	}
	if _, err := e.s.Passport(ctx, winner); err != nil {
		t.Errorf("winner has no passport: %v", err)
	}
}

// testConcurrentAwards: a student adding badges from several tabs served
// by two instances; every award lands once, in a single, gapless order.
func testConcurrentAwards(t *testing.T, e *env) {
	stores := []Store{e.s, e.open()}
	must(t, e.s.SetPassport(ctx, "u", PassportSettings{Slug: "u", DisplayName: "U"}, t0))
	const n = 12
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			if err := stores[i%2].AddPassportAward(ctx, "u", ar("s", strconv.Itoa(i)), t0); err != nil {
				t.Errorf("AddPassportAward %d: %v", i, err)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	p, err := e.s.Passport(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range p.Awards {
		seen[a.Award] = true
	}
	if len(p.Awards) != n || len(seen) != n {
		t.Errorf("%d awards (%d distinct) on the passport, want %d", len(p.Awards), len(seen), n)
	}
	ss := e.s.(*sqlStore)
	var min, max, count int
	if err := ss.db.QueryRow(`SELECT MIN(position), MAX(position), COUNT(DISTINCT position) FROM passport_awards`).Scan(&min, &max, &count); err != nil {
		t.Fatal(err)
	}
	if min != 1 || max != n || count != n {
		t.Errorf("positions %d..%d, %d distinct; want 1..%d", min, max, count, n)
	}
}

// testPassportSource: what the build reads through passport.Source is
// exactly what was set, ordered by slug.
func testPassportSource(t *testing.T, e *env) {
	var src passport.Source = e.s
	if ps, err := src.Passports(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("empty store: %+v, %v", ps, err)
	}
	type entry struct {
		subject string
		set     PassportSettings
		awards  []passport.AwardRef
	}
	in := []entry{
		{"s-zoe", PassportSettings{Slug: "zoe", DisplayName: "Zoé Ærø-Łukasz", Indexable: true, Lang: "en"},
			[]passport.AwardRef{ar("math", "m-2"), ar("info", "i-9"), ar("math", "m-1")}},
		{"s-abe", PassportSettings{Slug: "abe-2", DisplayName: "Abe", Email: "abe@univ.example.fr", Lang: "fr"}, nil},
		{"s-max", PassportSettings{Slug: "abe-10", DisplayName: "Max"}, []passport.AwardRef{ar("bio", "b")}},
	}
	for _, x := range in {
		must(t, e.s.SetPassport(ctx, x.subject, x.set, t0))
		for _, a := range x.awards {
			must(t, e.s.AddPassportAward(ctx, x.subject, a, t0))
		}
	}
	got, err := src.Passports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []passport.Passport{
		{Slug: "abe-10", DisplayName: "Max", Awards: []passport.AwardRef{ar("bio", "b")}, Source: "store"},
		{Slug: "abe-2", DisplayName: "Abe", Email: "abe@univ.example.fr", Lang: "fr", Source: "store"},
		{Slug: "zoe", DisplayName: "Zoé Ærø-Łukasz", Indexable: true, Lang: "en", Awards: []passport.AwardRef{ar("math", "m-2"), ar("info", "i-9"), ar("math", "m-1")}, Source: "store"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Passports =\n%+v\nwant\n%+v", got, want)
	}
	// A second instance reads the same.
	if got2, err := e.open().Passports(ctx); err != nil || !reflect.DeepEqual(got2, want) {
		t.Errorf("second instance: %+v, %v", got2, err)
	}
}

// testPassportOrder: passports come in byte order of their slugs, as Go
// sorts them, whatever the database's collation.
func testPassportOrder(t *testing.T, e *env) {
	slugs := []string{"ab", "a-b", "a1", "a-1", "b", "a", "aa", "a-a", "0", "z-9", "z9"}
	for i, sl := range slugs {
		must(t, e.s.SetPassport(ctx, "s"+strconv.Itoa(i), PassportSettings{Slug: sl, DisplayName: "N"}, t0))
	}
	ps, err := e.s.Passports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Slug)
	}
	want := append([]string(nil), slugs...)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("slugs in order %q, want %q", got, want)
	}
	must(t, e.s.Ping(ctx))
}

func testPassportsVersion(t *testing.T, e *env) {
	s := e.s
	last, err := s.PassportsVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ref := passport.AwardRef{Space: "s", Award: "a"}
	steps := []struct {
		name    string
		do      func() error
		changes bool
	}{
		{"create", func() error { return s.SetPassport(ctx, "u", PassportSettings{Slug: "u", DisplayName: "U"}, t0) }, true},
		{"add", func() error { return s.AddPassportAward(ctx, "u", ref, t0) }, true},
		{"add again", func() error { return s.AddPassportAward(ctx, "u", ref, t0) }, false},
		{"claim", func() error { return s.AddClaim(ctx, "u", ref, t0) }, false},
		{"reorder", func() error { return s.SetPassportAwards(ctx, "u", []passport.AwardRef{ref}, t0) }, true},
		{"remove", func() error { return s.RemovePassportAward(ctx, "u", ref, t0) }, true},
		{"settings", func() error { return s.SetPassport(ctx, "u", PassportSettings{Slug: "u", DisplayName: "U2"}, t0) }, true},
		{"delete", func() error { return s.DeletePassport(ctx, "u", t0) }, true},
	}
	for _, st := range steps {
		must(t, st.do())
		v, err := s.PassportsVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.changes && v <= last || !st.changes && v != last {
			t.Errorf("%s: version %d -> %d (changes: %v)", st.name, last, v, st.changes)
		}
		last = v
	}
}

func testInvalidInput(t *testing.T, e *env) {
	s := e.s
	ok := PassportSettings{Slug: "ok", DisplayName: "OK"}
	with := func(f func(p *PassportSettings)) PassportSettings { p := ok; f(&p); return p }
	for name, p := range map[string]PassportSettings{
		"empty slug":       with(func(p *PassportSettings) { p.Slug = "" }),
		"upper-case slug":  with(func(p *PassportSettings) { p.Slug = "Marie" }),
		"slug with slash":  with(func(p *PassportSettings) { p.Slug = "a/b" }),
		"slug dot-dot":     with(func(p *PassportSettings) { p.Slug = ".." }),
		"double dash":      with(func(p *PassportSettings) { p.Slug = "a--b" }),
		"leading dash":     with(func(p *PassportSettings) { p.Slug = "-a" }),
		"long slug":        with(func(p *PassportSettings) { p.Slug = strings.Repeat("a", MaxSlugLen+1) }),
		"accented slug":    with(func(p *PassportSettings) { p.Slug = "zoé" }),
		"blank name":       with(func(p *PassportSettings) { p.DisplayName = "  " }),
		"name with NUL":    with(func(p *PassportSettings) { p.DisplayName = "a\x00b" }),
		"name bad UTF-8":   with(func(p *PassportSettings) { p.DisplayName = "a\xffb" }),
		"long name":        with(func(p *PassportSettings) { p.DisplayName = strings.Repeat("n", MaxDisplayNameLen+1) }),
		"e-mail without @": with(func(p *PassportSettings) { p.Email = "nobody" }),
		"e-mail two @":     with(func(p *PassportSettings) { p.Email = "a@b@c" }),
		"e-mail header":    with(func(p *PassportSettings) { p.Email = "a@b\r\nBcc: x@y" }),
		"lang":             with(func(p *PassportSettings) { p.Lang = "FR" }),
	} {
		if err := s.SetPassport(ctx, "u", p, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if err := s.SetPassport(ctx, "", ok, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty subject: %v, want ErrInvalid", err)
	}
	if _, err := s.CreateSession(ctx, NewSession{Subject: "s", IdP: "i", Created: t0, Expires: t0, CSRF: []byte("k")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("session expiring when created: %v, want ErrInvalid", err)
	}
	if _, err := s.CreateSession(ctx, NewSession{Subject: "s", IdP: "i", Created: t0, Expires: t0.Add(time.Hour)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("session without CSRF secret: %v, want ErrInvalid", err)
	}
	if ps, _ := s.Passports(ctx); len(ps) != 0 {
		t.Errorf("invalid input stored: %+v", ps)
	}
	must(t, s.SetPassport(ctx, "u", ok, t0))
}

func testEvents(t *testing.T, e *env) {
	s := e.s
	evs := []Event{
		{Subject: "alice", Kind: "login", Detail: "https://idp.example.fr/idp", At: t0},
		{Subject: "bob", Kind: "login", Detail: "https://idp.other.eu/", At: t0.Add(time.Second)},
		{Subject: "alice", Kind: "passport.award.add", Detail: "info/a-001", At: t0.Add(2 * time.Second)},
		{Subject: "alice", Kind: "logout", At: t0.Add(2 * time.Second)},
	}
	for _, ev := range evs {
		must(t, s.AppendEvent(ctx, ev))
	}
	got, err := s.Events(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{evs[0], evs[2], evs[3]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Events =\n%+v\nwant\n%+v", got, want)
	}
	if err := s.AppendEvent(ctx, Event{Subject: "alice", At: t0}); !errors.Is(err, ErrInvalid) {
		t.Errorf("event without kind: %v, want ErrInvalid", err)
	}
}

func testMigrateReopen(t *testing.T, e *env) {
	must(t, e.s.SetPassport(ctx, "u", PassportSettings{Slug: "kept", DisplayName: "Kept"}, t0))
	must(t, e.s.Close())
	s := e.open() // migrations already applied: nothing to do, data kept
	if p, err := s.Passport(ctx, "u"); err != nil || p.Slug != "kept" {
		t.Errorf("after reopening: %+v, %v", p, err)
	}
	checkVersions(t, s)
}

// checkVersions checks that schema_migrations holds each known version once.
func checkVersions(t *testing.T, s Store) {
	t.Helper()
	ss := s.(*sqlStore)
	var n, max int
	if err := ss.db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != ss.d.latest() || max != ss.d.latest() {
		t.Errorf("schema_migrations: %d rows up to version %d, want %d", n, max, ss.d.latest())
	}
}

// testMigrateConcurrent: replicas starting together on an empty database
// all open it; the schema is created once.
func testMigrateConcurrent(t *testing.T, e *env) {
	const n = 6
	stores := make([]Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range stores {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			stores[i], errs[i] = Open(ctx, e.dsn)
		}(i)
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	checkVersions(t, stores[0])
	must(t, stores[1].SetPassport(ctx, "u", PassportSettings{Slug: "u", DisplayName: "U"}, t0))
	if ps, err := stores[n-1].Passports(ctx); err != nil || len(ps) != 1 {
		t.Errorf("Passports through another instance: %+v, %v", ps, err)
	}
}

// testSchemaTooNew: a database migrated by a newer binary is refused with
// a clear error, and left as it is.
func testSchemaTooNew(t *testing.T, e *env) {
	ss := e.s.(*sqlStore)
	next := ss.d.latest() + 1
	if _, err := ss.db.Exec(ss.q(`INSERT INTO schema_migrations (version, name) VALUES (?, 'future')`), next); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, e.dsn)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open on a newer schema: %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{"version " + itoa(next), "up to " + itoa(ss.d.latest()), "newer blason"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if v, err := schemaVersion(ctx, ss.db); err != nil || v != next {
		t.Errorf("schema version after refusal = %d, %v; want %d", v, err, next)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenDSN(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		dsn     string
		wantErr string
	}{
		{"", "empty database name"},
		{"mysql://u@h/db", `unsupported database "mysql://"`},
		{":memory:", "needs a file path"},
		{"sqlite::memory:", "needs a file path"},
		{filepath.Join(dir, "plain.db"), ""},
		{"sqlite:" + filepath.Join(dir, "prefixed.db"), ""},
		{"sqlite://" + filepath.Join(dir, "url.db"), ""},
		{"file:" + filepath.Join(dir, "file.db"), ""},
		{filepath.Join(dir, "odd name?#%.db"), ""},
		{filepath.Join(dir, "missing", "x.db"), "check that its folder exists"},
	} {
		s, err := Open(ctx, tc.dsn)
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("Open(%q): %v", tc.dsn, err)
				continue
			}
			if _, ok := s.(*sqlStore); !ok || s.(*sqlStore).d.name != "sqlite" {
				t.Errorf("Open(%q) did not open SQLite", tc.dsn)
			}
			s.Close()
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("Open(%q) = %v, want error containing %q", tc.dsn, err, tc.wantErr)
		}
		if s != nil {
			s.Close()
		}
	}
	// PostgreSQL errors never show the password.
	for _, dsn := range []string{"postgres://u:s3cret-pw@127.0.0.1:1/db?connect_timeout=5", "postgresql://u:s3cret-pw@127.0.0.1:1/db?sslmode=bogus"} {
		_, err := Open(ctx, dsn)
		if err == nil || strings.Contains(err.Error(), "s3cret-pw") || !strings.Contains(err.Error(), "PostgreSQL") {
			t.Errorf("Open(%q) error: %v", dsn, err)
		}
	}
	// The odd file name is the file created, not a URI with a query.
	if _, err := os.Stat(filepath.Join(dir, "odd name?#%.db")); err != nil {
		t.Errorf("odd file name: %v", err)
	}
	// WAL mode is on.
	s, err := Open(ctx, filepath.Join(dir, "plain.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	if err := s.(*sqlStore).db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func ar(space, award string) passport.AwardRef { return passport.AwardRef{Space: space, Award: award} }

// BenchmarkSession measures the session lookup every logged-in page does.
func BenchmarkSession(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			dsn := be.freshDSN(b)
			s, err := Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ss, err := s.CreateSession(ctx, NewSession{Subject: "bench", IdP: "i", Created: t0, Expires: t0.Add(time.Hour), CSRF: []byte("k")})
			if err != nil {
				b.Fatal(err)
			}
			defer s.DeleteSession(ctx, ss.ID)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Session(ctx, ss.ID, t0); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
