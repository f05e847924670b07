package export

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
	"github.com/francebadge/blason/internal/store/storetest"
)

// source writes a small site (one space, three awards, the second revoked
// once its id is known) and loads it as the build does.
func source(t *testing.T) (string, *model.Site) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"blason.yaml":                      "title: Test\nbaseURL: https://badges.example.fr/\n",
		"content/ecole/_space.md":          "---\nname: École\nurl: https://www.ecole.example/\nemail: badges@ecole.example\n---\n",
		"content/ecole/badges/tutorat.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>` + "\n",
		"content/ecole/badges/tutorat.md":  "---\nname: Tutorat\ndescription: Accompagner.\nimage: tutorat.svg\n---\nUn semestre.\n",
		"content/ecole/awards/jury.csv":    "email,badge,date,expires\nalice@example.org,tutorat,2025-01-10,\nbob@example.org,tutorat,2025-02-10,2025-12-31\ncarol@example.org,tutorat,2025-03-10,\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	site, err := build.Load(build.Options{Source: dir})
	if err != nil {
		t.Fatal(err)
	}
	id := site.Spaces[0].Awards[2].ID
	if err := os.WriteFile(filepath.Join(dir, "content/ecole/revocations.csv"), []byte("award,date,reason\n"+id+",2025-07-01,Erreur\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if site, err = build.Load(build.Options{Source: dir}); err != nil {
		t.Fatal(err)
	}
	return dir, site
}

// TestStoreColumns: with the claim store (SQLite and PostgreSQL), each
// award says when it was claimed and taken for a wallet, and whether a
// passport shows it; statuses are the build's at the reference date.
func TestStoreColumns(t *testing.T) {
	_, site := source(t)
	ids := []string{site.Spaces[0].Awards[0].ID, site.Spaces[0].Awards[1].ID, site.Spaces[0].Awards[2].ID}
	for _, b := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "claim.db") }},
		{"postgres", func(t *testing.T) string { return storetest.FreshPostgres(t, "export_test") }},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, b.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			t0 := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
			a0 := passport.AwardRef{Space: "ecole", Award: ids[0]}
			must(t, st.AddClaim(ctx, "s1", a0, t0))
			must(t, st.AddWalletClaim(ctx, "s1", a0, t0.Add(time.Hour)))
			must(t, st.SetPassport(ctx, "s1", store.PassportSettings{Slug: "alice", DisplayName: "Alice"}, t0))
			must(t, st.SetPassportAwards(ctx, "s1", []passport.AwardRef{a0}, t0))
			must(t, st.AddClaim(ctx, "s2", passport.AwardRef{Space: "autre", Award: ids[1]}, t0)) // another space
			uses, err := st.AwardUses(ctx, "ecole")
			if err != nil {
				t.Fatal(err)
			}
			r, err := Build(site, "ecole", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), uses)
			if err != nil {
				t.Fatal(err)
			}
			want := []struct {
				status string
				use    Use
			}{
				{"valid", Use{Claimed: "2025-09-01T08:00:00Z", Wallet: "2025-09-01T09:00:00Z", OnPassport: true}},
				{"expired", Use{}},
				{"revoked", Use{}},
			}
			for i, w := range want {
				a := r.Awards[i]
				if a.Award != ids[i] || a.Status != w.status || a.Store == nil || *a.Store != w.use {
					t.Errorf("award %d: %+v %+v, want %s %+v", i, a, a.Store, w.status, w.use)
				}
			}
			csv, err := r.CSV()
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(csv), "\n")
			if !strings.HasSuffix(lines[0], ";claimed;wallet;on_passport") ||
				!strings.HasSuffix(lines[1], ";2025-09-01T08:00:00Z;2025-09-01T09:00:00Z;oui") || !strings.HasSuffix(lines[2], ";expired;https://badges.example.fr/ecole/badges/tutorat/;"+
				"https://badges.example.fr/ecole/credentials/"+ids[1][:2]+"/"+ids[1]+".json;https://badges.example.fr/ecole/credentials/"+ids[1][:2]+"/"+ids[1]+".jwt;https://badges.example.fr/ecole/assertions/"+ids[1][:2]+"/"+ids[1]+".json;;;non") {
				t.Errorf("CSV:\n%s", csv)
			}
			js, _ := r.JSON()
			var back Report
			if err := json.Unmarshal(js, &back); err != nil || !back.WithStore || back.Awards[0].Store.Wallet == "" {
				t.Errorf("JSON: %v\n%s", err, js)
			}
		})
	}
}

// TestCSVIsFormulaSafe: a cell a spreadsheet would run is neutralised.
func TestCSVIsFormulaSafe(t *testing.T) {
	r := &Report{Space: "s", Awards: []Row{{Source: "=HYPERLINK(\"http://evil\")", Award: "a", Status: "valid"}}}
	b, err := r.CSV()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "\ufeffsource;") || !strings.Contains(string(b), "\n\"'=HYPERLINK") {
		t.Errorf("CSV:\n%s", b)
	}
}

// TestWrite: both files, private, and never inside a forbidden folder.
func TestWrite(t *testing.T) {
	dir, site := source(t)
	r, err := Build(site, "ecole", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	siteDir := filepath.Join(dir, "site")
	for _, bad := range []string{filepath.Join(siteDir, "x"), dir} {
		if _, err := r.Write(bad, []string{siteDir}); err == nil || !strings.Contains(err.Error(), "must never be published") {
			t.Errorf("export into %s: %v", bad, err)
		}
	}
	if _, err := os.Stat(siteDir); err == nil {
		t.Error("a refused export created the site folder")
	}
	files, err := r.Write(filepath.Join(dir, "exports"), []string{siteDir})
	if err != nil || len(files) != 2 {
		t.Fatal(files, err)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi.Mode(), err)
		}
	}
	if _, err := Build(site, "nope", time.Now(), nil); err == nil || !strings.Contains(err.Error(), `unknown space "nope": the spaces are ecole`) {
		t.Errorf("unknown space: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
