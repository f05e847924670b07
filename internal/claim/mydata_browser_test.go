package claim

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/store"
	"github.com/francebadge/blason/internal/store/storetest"
	"github.com/francebadge/blason/internal/verify"
)

// dataEnv is a claim server whose passport changes rebuild a site folder,
// with a direct handle on its database.
type dataEnv struct {
	url, site string
	idp       *ssptest.IdP
	raw       *sql.DB
	dollar    bool // PostgreSQL placeholders
	logs      func() string
}

// sql adapts a query written with ? placeholders to the database.
func (e dataEnv) sql(query string) string {
	if !e.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (e dataEnv) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var c int
	if err := e.raw.QueryRow(e.sql(query), args...).Scan(&c); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return c
}

// TestBrowserMyDataAndErase is the acceptance test of the students' data
// access, in headless Chromium with the SimpleSAMLphp login, on SQLite and
// on PostgreSQL: "my data" lists and downloads exactly the student's awards
// (every credential verifies), the pages are axe-clean, and erasing the
// account removes the student's rows from the database and, after the
// rebuild it triggers, the passport page.
func TestBrowserMyDataAndErase(t *testing.T) {
	exe := browsertest.Chromium(t)
	axe := browsertest.AxeSource(t)
	w := setup(t)
	t.Run("sqlite", func(t *testing.T) {
		runMyDataErase(t, exe, axe, w, dataEnv{url: w.url, site: w.site, idp: w.a, raw: w.db, logs: w.logText}, uniqueSlug("eloise-sqlite"))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.FreshPostgres(t, "claim_data")
		runMyDataErase(t, exe, axe, w, postgresEnv(t, w, dsn), uniqueSlug("eloise-postgres"))
	})
}

// postgresEnv starts a claim server on a PostgreSQL store, with its own
// IdP and its own site folder (built once, rebuilt after each passport
// change).
func postgresEnv(t *testing.T, w *world, dsn string) dataEnv {
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	opts := w.opts
	opts.Destination = filepath.Join(t.TempDir(), "site")
	opts.ClaimIndex = ""
	opts.Passports = []passport.Source{st}
	w.buildMu.Lock()
	_, err = build.Run(opts)
	w.buildMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	idp := ssptest.Start(t, ssptest.Options{})
	dir := staticDirectory{}
	trust(t, dir, idp)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String() + "/"
	key, cert := ssptest.SelfSigned(t, "data SP")
	logs := &bytes.Buffer{}
	mu := w.logMu
	srv, err := New(Config{
		URL: u, SiteURL: w.siteURL, SiteDir: opts.Destination,
		Index: func() *claimindex.Index { return w.ix }, IndexKey: w.key,
		Secret: bytes.Repeat([]byte{5}, 32), SPKey: key, SPCert: cert,
		Directory: dir, Store: FromStore(st), RateLimit: 10000,
		Privacy: Privacy{Controller: "Université de Test, 1 rue de l'Exemple, 75000 Paris", DPO: "dpo@univ-test.fr"},
		Log:     slog.New(slog.NewJSONHandler(lockedWriter{mu, logs}, nil)),
		OnPassportChange: func() {
			w.buildMu.Lock()
			defer w.buildMu.Unlock()
			if _, err := build.Run(opts); err != nil {
				mu.Lock()
				fmt.Fprintf(logs, "rebuild: %v\n", err)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	if err := os.WriteFile(idp.SPMetadata, get(t, http.DefaultClient, u+"saml/metadata"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dataEnv{url: u, site: opts.Destination, idp: idp, raw: raw, dollar: true,
		logs: func() string { mu.Lock(); defer mu.Unlock(); return logs.String() }}
}

func runMyDataErase(t *testing.T, exe, axe string, w *world, e dataEnv, slug string) {
	ctx := browsertest.Context(t, exe, 3*time.Minute)
	rec := browsertest.Record(ctx)
	out := browsertest.Artefacts(t)
	audit := pageAudit(t, ctx, rec, axe, out, e.idp.URL)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("%s in Chromium: %v\npage:\n%s\nlog:\n%s", what, err, body, e.logs())
		}
	}
	step("log in",
		chromedp.Navigate(e.url+"login?lang=fr&entityID="+url.QueryEscape(e.idp.EntityID)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "etudiant2"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "etudiant2pw"),
		chromedp.Click(chromedp.CSS(`#submit_button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.passport-form`)),
	)
	step("create the passport",
		chromedp.SetValue(chromedp.CSS(`#slug`), slug),
		chromedp.SetValue(chromedp.CSS(`#name`), "Éloïse L."),
		browsertest.Submit(chromedp.Click(chromedp.CSS(`form.passport-form button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	step("add a badge",
		browsertest.Submit(chromedp.Click(chromedp.CSS(`li.award button[name=toggle]`))),
		chromedp.WaitReady(chromedp.CSS(`li.award button[name=toggle][value^="remove:"]`)),
	)
	page := filepath.Join(e.site, "passport", slug, "index.html")
	waitFor(t, "the passport page", e.logs, func() bool {
		b, err := os.ReadFile(page)
		return err == nil && strings.Count(string(b), `class="passport-badge `) == 1
	})

	// "My data" lists the student's awards and the passport.
	want := w.expected("etudiant2@univ-test.fr", "eloise.lefevre@etu.univ-test.fr")
	if len(want) == 0 {
		t.Fatal("etudiant2 has no award in the demo")
	}
	step("my data", chromedp.Click(chromedp.CSS(`a[href*="me/data"]`)), chromedp.WaitVisible(chromedp.CSS(`table.data-awards`)))
	audit("mydata-fr")
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range want {
		sp, aw, _ := strings.Cut(k, "/")
		en, _ := w.ix.Find(sp, aw)
		if !strings.Contains(text, awardTitle(en, "fr")) {
			t.Errorf("my data lacks %q:\n%s", awardTitle(en, "fr"), text)
		}
	}
	if !strings.Contains(text, "passport/"+slug+"/") || !strings.Contains(text, "Éloïse Lefèvre") {
		t.Errorf("my data lacks the passport or the name the IdP sent:\n%s", text)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.data-awards tbody tr").length`))
	if err != nil || rows != len(want) {
		t.Errorf("my data shows %d awards, want %d (%v)", rows, len(want), err)
	}

	// The archive, downloaded with the browser's session cookie.
	resp, body := browserGet(t, ctx, `a[href*="archive.zip"]`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "mes-donnees-") {
		t.Fatalf("archive: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	checkArchive(t, w, body, want, slug)

	// The privacy page, in French and English.
	step("privacy", chromedp.Click(chromedp.CSS(`footer a[href*="privacy"]`)), chromedp.WaitVisible(chromedp.CSS(`table.privacy-kept`)))
	audit("privacy-fr")
	step("privacy in English", chromedp.Click(chromedp.CSS(`header.site nav a[hreflang=en]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=en] table.privacy-kept`)))
	audit("privacy-en")

	// Erase, after the confirmation step.
	var subject string
	if err := e.raw.QueryRow(e.sql(`SELECT subject FROM passports WHERE slug = ?`), slug).Scan(&subject); err != nil {
		t.Fatal(err)
	}
	step("erase form",
		chromedp.Navigate(e.url+"me/data?lang=fr"),
		chromedp.Click(chromedp.CSS(`a[href*="me/erase"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.erase-form`)),
	)
	audit("erase-fr")
	step("erase",
		chromedp.Click(chromedp.CSS(`#confirm`)),
		browsertest.Submit(chromedp.Click(chromedp.CSS(`form.erase-form button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p[role=status]`)),
	)
	audit("erased-fr")
	if p, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); p != "/erased" {
		t.Errorf("after erasure: %s", p)
	}
	for _, table := range []string{"sessions", "claims", "passports", "passport_awards", "events", "slugs"} {
		if n := e.count(t, `SELECT COUNT(*) FROM `+table+` WHERE subject = ?`, subject); n != 0 {
			t.Errorf("%s: %d rows of the erased student", table, n)
		}
	}
	if n := e.count(t, `SELECT COUNT(*) FROM slugs WHERE slug = ? AND subject = ''`, slug); n != 1 {
		t.Errorf("the erased passport's address is not kept reserved (%d)", n)
	}
	// The rebuild the erasure triggered removes the passport page.
	waitFor(t, "the passport page to go", e.logs, func() bool {
		_, err := os.Stat(page)
		return err != nil
	})
	// The session is gone: "my badges" sends back to the discovery page.
	step("after erasure", chromedp.Navigate(e.url+"me"), chromedp.WaitVisible(chromedp.CSS(`form[role=search]`)))
	logs := e.logs()
	if !strings.Contains(logs, `"msg":"account erased"`) {
		t.Errorf("the erasure is not logged:\n%s", logs)
	}
	for _, pii := range []string{"etudiant2", "Éloïse", "Eloïse", "Lefèvre", "eloise", subject} {
		if strings.Contains(logs, pii) {
			t.Errorf("logs contain %q", pii)
		}
	}
}

// uniqueSlug makes a passport address no earlier run of the test in this
// process used (an erased passport's address stays reserved).
func uniqueSlug(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1000000)
}

func waitFor(t *testing.T, what string, logs func() string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s\n%s", what, logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkArchive checks a "my data" archive: exactly the student's awards,
// each in every format with a credential that verifies and a baked image,
// data.json with the passport and the session, a French README.
func checkArchive(t *testing.T, w *world, body []byte, want []string, slug string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	if !strings.Contains(string(files["LISEZMOI.txt"]), "credential.jwt") {
		t.Errorf("no French README in the archive: %v", fileNames(files))
	}
	var doc archiveData
	if err := json.Unmarshal(files["data.json"], &doc); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	var got []string
	v := verify.New(verify.DirFetcher{Base: w.siteURL, Dir: w.site}, time.Now())
	for _, a := range doc.Awards {
		got = append(got, a.Space+"/"+a.Award)
		var formats []string
		for _, f := range a.Files {
			formats = append(formats, filepath.Base(f))
			if files[f] == nil {
				t.Errorf("data.json lists %s, not in the archive", f)
			}
			if filepath.Base(f) == "credential.json" || filepath.Base(f) == "credential.jwt" {
				if _, rep := v.Bytes(context.Background(), files[f], nil); rep.Status != verify.Valid {
					t.Errorf("%s: %v %v", f, rep.Status, rep.Problems)
				}
			}
		}
		for _, need := range []string{"credential.json", "credential.jwt", "assertion-ob2.json"} {
			if !slices.Contains(formats, need) {
				t.Errorf("%s/%s: no %s in %v", a.Space, a.Award, need, formats)
			}
		}
		if !slices.Contains(formats, "badge.png") && !slices.Contains(formats, "badge.svg") {
			t.Errorf("%s/%s: no baked image in %v", a.Space, a.Award, formats)
		}
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("archive awards %v, want exactly %v", got, want)
	}
	n := 0
	for name := range files {
		if strings.HasPrefix(name, "badges/") {
			n++
			ok := false
			for _, k := range want {
				if strings.Contains(name, "-"+strings.Split(k, "/")[1]+"/") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("archive holds %s, not one of the student's awards", name)
			}
		}
	}
	if doc.Passport == nil || doc.Passport.Slug != slug || len(doc.Passport.Awards) != 1 || doc.Passport.Created.IsZero() {
		t.Errorf("data.json passport: %+v", doc.Passport)
	}
	if len(doc.Sessions) != 1 || doc.Sessions[0].DisplayName != "Éloïse Lefèvre" || len(doc.Sessions[0].IdentifierHashes) == 0 {
		t.Errorf("data.json sessions: %+v", doc.Sessions)
	}
	if !slices.Contains(doc.Slugs, slug) || len(doc.Events) == 0 {
		t.Errorf("data.json slugs %v, events %+v", doc.Slugs, doc.Events)
	}
}

func fileNames(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
