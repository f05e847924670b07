package claim

import (
	"bytes"
	"context"
	"html"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/store"
	"github.com/francebadge/blason/internal/store/storetest"
)

// TestEraseNeedsCSRFAndConfirmation: the erasure is a CSRF-protected POST
// that does nothing until the confirmation box is ticked; then it removes
// the account, clears the cookie, asks for a rebuild and logs counts only.
func TestEraseNeedsCSRFAndConfirmation(t *testing.T) {
	u := newUnit(t, "https://claim.example.fr/", 1000)
	var changes atomic.Int32
	u.srv.cfg.OnPassportChange = func() { changes.Add(1) }
	s := u.login(t)
	if err := u.store.SavePassport(t.Context(), s.Subject, passportWithSlug("camille-m"), time.Now()); err != nil {
		t.Fatal(err)
	}
	form := u.do(t, "GET", "https://claim.example.fr/me/erase", nil, &s)
	if form.Code != 200 || !strings.Contains(form.Body.String(), `name="confirm"`) {
		t.Fatalf("confirmation page: %d\n%s", form.Code, form.Body)
	}
	tok := csrfFrom(t, form.Body.String())
	if w := u.do(t, "POST", "https://claim.example.fr/me/erase", url.Values{"confirm": {"yes"}}, &s); w.Code != http.StatusForbidden {
		t.Fatalf("erasure without the CSRF token: %d", w.Code)
	}
	w := u.do(t, "POST", "https://claim.example.fr/me/erase?lang=en", url.Values{"csrf": {tok}}, &s)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), messages["en"]["eraseUnconfirmed"]) {
		t.Fatalf("erasure without confirmation: %d\n%s", w.Code, w.Body)
	}
	if _, err := u.store.Passport(t.Context(), s.Subject); err != nil || u.store.sessionCount() != 1 {
		t.Fatalf("an unconfirmed erasure removed data: %v, %d sessions", err, u.store.sessionCount())
	}
	w = u.do(t, "POST", "https://claim.example.fr/me/erase?lang=en", url.Values{"csrf": {tok}, "confirm": {"yes"}}, &s)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/erased?lang=en" {
		t.Fatalf("erasure: %d %s", w.Code, w.Header().Get("Location"))
	}
	var cleared bool
	for _, c := range w.Result().Cookies() {
		cleared = cleared || c.Name == sessionCookie && c.MaxAge < 0
	}
	if !cleared {
		t.Error("the session cookie is not cleared")
	}
	if _, err := u.store.Passport(t.Context(), s.Subject); err == nil || u.store.sessionCount() != 0 {
		t.Fatalf("after erasure: passport %v, %d sessions", err, u.store.sessionCount())
	}
	deadline := time.Now().Add(5 * time.Second)
	for changes.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if changes.Load() != 1 {
		t.Errorf("%d rebuilds asked for, want 1 (the passport page must go)", changes.Load())
	}
	if logs := u.logs.String(); !strings.Contains(logs, `"msg":"account erased"`) || strings.Contains(logs, s.Subject) {
		t.Errorf("erasure log:\n%s", logs)
	}
	if e := u.do(t, "GET", "https://claim.example.fr/erased?lang=en", nil, nil); e.Code != 200 || !strings.Contains(e.Body.String(), messages["en"]["erasedTitle"]) {
		t.Errorf("erased page: %d", e.Code)
	}
	// The session is gone: the data pages need a login again.
	if w := u.do(t, "GET", "https://claim.example.fr/me/data", nil, &s); w.Code != http.StatusSeeOther {
		t.Errorf("my data after erasure: %d", w.Code)
	}
}

// TestPrivacyPage shows the configured contacts and the retention periods
// in both languages, to anyone.
func TestPrivacyPage(t *testing.T) {
	u := newUnit(t, "https://claim.example.fr/", 1000)
	u.srv.cfg.Privacy = Privacy{Controller: "Université de Test, 1 rue de l'Exemple, 75000 Paris", DPO: "dpo@univ-test.fr"}
	u.srv.cfg.AuditRetention = 90 * 24 * time.Hour
	for _, tc := range []struct{ lang, session, audit string }{
		{"fr", "8 heures", "90 jours"},
		{"en", "8 hours", "90 days"},
	} {
		w := u.do(t, "GET", "https://claim.example.fr/privacy?lang="+tc.lang, nil, nil)
		page := html.UnescapeString(w.Body.String())
		for _, want := range []string{"Université de Test, 1 rue de l'Exemple, 75000 Paris", `href="mailto:dpo@univ-test.fr"`, tc.session, tc.audit, "10 minutes", messages[tc.lang]["privacyRights"]} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the privacy page lacks %q", tc.lang, want)
			}
		}
	}
	// Without contacts, the page says to ask the institution.
	u.srv.cfg.Privacy = Privacy{DPO: "https://univ-test.fr/rgpd"}
	page := html.UnescapeString(u.do(t, "GET", "https://claim.example.fr/privacy?lang=en", nil, nil).Body.String())
	if !strings.Contains(page, messages["en"]["privacyAskInstitution"]) || !strings.Contains(page, `href="https://univ-test.fr/rgpd"`) {
		t.Errorf("privacy page without a controller:\n%s", page)
	}
	// The SP metadata points at it unless told otherwise.
	cfg := u.srv.cfg
	cfg.Organization.PrivacyURL = ""
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "https://claim.example.fr/saml/metadata", nil))
	if !strings.Contains(w.Body.String(), ">https://claim.example.fr/privacy<") {
		t.Errorf("the SP metadata does not point at the privacy page:\n%s", w.Body)
	}
}

// TestMyDataPageUnit: the page lists the awards of the index and what the
// store holds; the archive needs a session.
func TestMyDataPageUnit(t *testing.T) {
	u := newUnit(t, "https://claim.example.fr/", 1000)
	s := u.login(t)
	w := u.do(t, "GET", "https://claim.example.fr/me/data?lang=en", nil, &s)
	page := html.UnescapeString(w.Body.String())
	for _, want := range []string{"Peer tutoring", "Secourisme", "revoked", "Test University", "Camille", "me/data/archive.zip", "me/erase"} {
		if !strings.Contains(page, want) {
			t.Errorf("my data lacks %q", want)
		}
	}
	if w := u.do(t, "GET", "https://claim.example.fr/me/data/archive.zip", nil, nil); w.Code != http.StatusSeeOther {
		t.Errorf("archive without a session: %d", w.Code)
	}
}

// TestMessagesComplete: both languages have the same keys, and every key a
// template names exists.
func TestMessagesComplete(t *testing.T) {
	for k := range messages["fr"] {
		if messages["en"][k] == "" {
			t.Errorf("%q has no English", k)
		}
	}
	for k := range messages["en"] {
		if messages["fr"][k] == "" {
			t.Errorf("%q has no French", k)
		}
	}
	ref := regexp.MustCompile(`\$\.T\.([A-Za-z_]+)`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			if messages["fr"][m[1]] == "" {
				t.Errorf("%s uses %q, not in the catalogue", filepath.Base(p), m[1])
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRetentionPurge: with the server's clock moved forward, the purge
// removes expired sessions, replay-cache entries past their grace and old
// audit events, and keeps the live ones, on SQLite and PostgreSQL; the
// periodic purge runs on its own.
func TestRetentionPurge(t *testing.T) {
	for _, b := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "claim.db") }},
		{"postgres", func(t *testing.T) string { return storetest.FreshPostgres(t, "claim_retention") }},
	} {
		t.Run(b.name, func(t *testing.T) {
			st, err := store.Open(context.Background(), b.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			var mu sync.Mutex
			now := t0
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
			key, cert := ssptest.SelfSigned(t, "retention SP")
			logs := &bytes.Buffer{}
			srv, err := New(Config{URL: "https://claim.example.fr/", SiteURL: "https://badges.example.fr/", SiteDir: t.TempDir(),
				Index: func() *claimindex.Index { return &claimindex.Index{} }, IndexKey: []byte("k"), Secret: bytes.Repeat([]byte{2}, 32),
				SPKey: key, SPCert: cert, Directory: staticDirectory{}, Store: FromStore(st), Now: clock,
				AuditRetention: 30 * 24 * time.Hour, PurgeEvery: 20 * time.Millisecond,
				Log: slog.New(slog.NewJSONHandler(logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			mk := func(subject string, ttl time.Duration) string {
				id, err := srv.cfg.Store.CreateSession(ctx, Session{Subject: subject, IdP: "https://idp.example.fr/", CSRF: "c", Created: t0, Expires: t0.Add(ttl)})
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			old, live := mk("old", time.Hour), mk("live", 48*time.Hour)
			for id, until := range map[string]time.Time{"old-assertion": t0.Add(time.Hour), "live-assertion": t0.Add(48 * time.Hour)} {
				if fresh, err := srv.cfg.Store.ConsumeAssertion(ctx, id, until); err != nil || !fresh {
					t.Fatal(err)
				}
			}
			must(t, srv.cfg.Store.Audit(ctx, "old", "login", "", t0.Add(-31*24*time.Hour)))
			must(t, srv.cfg.Store.Audit(ctx, "live", "login", "", t0))
			must(t, srv.cfg.Store.RecordClaim(ctx, "old", passport.AwardRef{Space: "s", Award: "a"}, t0.Add(-400*24*time.Hour)))

			// Nothing is due yet at t0.
			if p, err := srv.Purge(ctx); err != nil || p != (Purged{Events: 1}) {
				t.Fatalf("purge at t0: %+v, %v (only the 31-day-old event is due)", p, err)
			}
			set(t0.Add(2 * time.Hour)) // the old session and assertion (plus grace) are past
			if p, err := srv.Purge(ctx); err != nil || p != (Purged{Sessions: 1, Assertions: 1}) {
				t.Fatalf("purge at t0+2h: %+v, %v", p, err)
			}
			if _, err := srv.cfg.Store.Session(ctx, old); err == nil {
				t.Error("expired session kept")
			}
			if _, err := srv.cfg.Store.Session(ctx, live); err != nil {
				t.Errorf("live session purged: %v", err)
			}
			if fresh, _ := srv.cfg.Store.ConsumeAssertion(ctx, "live-assertion", t0.Add(48*time.Hour)); fresh {
				t.Error("live replay-cache entry purged: the assertion could be replayed")
			}
			d, err := srv.cfg.Store.Data(ctx, "live")
			if err != nil || len(d.Events) != 1 {
				t.Errorf("live audit event: %+v, %v", d.Events, err)
			}
			// Claims are not on a schedule: they go with the account.
			if d, _ := srv.cfg.Store.Data(ctx, "old"); len(d.Claims) != 1 {
				t.Errorf("a claim was purged: %+v", d.Claims)
			}
			// The periodic purge, left to run, removes the live session
			// once it expires.
			set(t0.Add(49 * time.Hour))
			pctx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { srv.RunPurge(pctx); close(done) }()
			deadline := time.Now().Add(10 * time.Second)
			for {
				if _, err := st.Session(ctx, live, time.Time{}); err != nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the periodic purge did not remove the expired session")
				}
				time.Sleep(10 * time.Millisecond)
			}
			stop()
			<-done
			if !strings.Contains(logs.String(), `"msg":"retention purge"`) || strings.Contains(logs.String(), "live") {
				t.Errorf("purge log:\n%s", logs)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
