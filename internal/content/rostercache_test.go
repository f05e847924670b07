package content

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/model"
)

// cachedSite is happySite with a third list whose dates carry a time and
// an offset, and an import setting for ecole.
var cachedSite = merge(happySite, map[string]string{
	"content/ecole/awards/c-2025.csv": "email,badge,level,date,expires,lang\n" +
		"dora@example.org,tutorat,bronze,2025-05-02T10:30:00+02:00,2027-05-02T10:30:00-05:00,en\n" +
		"erin@example.org,simple,,2025-05-03T08:00:00Z,,\n",
})

// awardsOf describes every award of a site, field by field, in order.
func awardsOf(site *model.Site) string {
	var b strings.Builder
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			lv := ""
			if a.Level != nil {
				lv = a.Level.ID + " " + a.Level.Name
			}
			fmt.Fprintf(&b, "%s %s %s|%s|%+v|%s %s|%s %s|%q %q %q %q|%s:%d\n", sp.Slug, a.ID, a.Badge.Slug, lv, a.Recipient,
				a.Date.Format(time.RFC3339Nano), a.Date.Location(), a.Expires.Format(time.RFC3339Nano), a.Expires.Location(),
				a.EvidenceURL, a.EvidenceNarrative, a.Override, a.Lang, a.File, a.Line)
		}
	}
	return b.String()
}

func loadCached(t *testing.T, dir string, now time.Time) (*model.Site, error) {
	t.Helper()
	return Load(dir, Options{Now: now, Secret: (&secretCalls{}).secret, RosterCache: filepath.Join(dir, ".blason", "cache", "rosters")})
}

// TestRosterCacheGivesTheSameAwards: loads through the cache, cold and
// warm, give exactly the awards of a load without it — dates with their
// time zones, levels, evidence, lines — and the warm load takes them from
// the cache.
func TestRosterCacheGivesTheSameAwards(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, cachedSite)
	plain, _, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := awardsOf(plain)
	for _, run := range []string{"cold", "warm"} {
		site, err := loadCached(t, dir, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got := awardsOf(site); got != want {
			t.Fatalf("%s load through the cache:\n%s\nwant:\n%s", run, got, want)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, ".blason", "cache", "rosters"))
	if len(entries) != 3 {
		t.Fatalf("%d cache entries, want one per list", len(entries))
	}
	// The warm load read the entries, not the lists: an entry rewritten
	// (with a valid trailer) shows in the awards.
	c := &rosterCache{dir: filepath.Join(dir, ".blason", "cache", "rosters")}
	p := c.entryPath("content/ecole/awards/b-2025.csv")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(b[:len(b)-crc32.Size]), "carol@example.org", "carol@exampl0.org", 1)
	os.WriteFile(p, binary.BigEndian.AppendUint32([]byte(body), crc32.Checksum([]byte(body), castagnoli)), 0o600)
	site, err := loadCached(t, dir, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(awardsOf(site), "carol@exampl0.org") {
		t.Fatal("the warm load did not take the awards from the cache")
	}
}

// TestRosterCacheIsNotUsedWhenItMustNotBe: anything a list's reading
// depends on makes the next load read it again, and gives the awards of a
// load without the cache; a list with a problem is never cached, and its
// problem is reported by every load.
func TestRosterCacheIsNotUsedWhenItMustNotBe(t *testing.T) {
	list := "content/ecole/awards/a-2025.csv"
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		now    time.Time
	}{
		{"list changed", func(t *testing.T, dir string) {
			writeSite(t, dir, map[string]string{list: strings.Replace(cachedSite[list], "2024-02-29", "2024-02-28", 1)})
		}, testNow},
		{"list changed, same size and modification time", func(t *testing.T, dir string) {
			p := filepath.Join(dir, filepath.FromSlash(list))
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(p, []byte(strings.Replace(cachedSite[list], "2024-02-29", "2024-02-28", 1)), 0o644)
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
		}, testNow},
		{"levels changed", func(t *testing.T, dir string) {
			p := "content/reseau/badges/tutorat.md"
			writeSite(t, dir, map[string]string{p: strings.Replace(cachedSite[p], "name: Or\n", "name: Or massif\n", 1)})
		}, testNow},
		{"level renamed", func(t *testing.T, dir string) {
			p := "content/reseau/badges/tutorat.md"
			writeSite(t, dir, map[string]string{p: strings.Replace(cachedSite[p], "id: or\n", "id: argent\n", 1)})
		}, testNow},
		{"expiry of the badge changed", func(t *testing.T, dir string) {
			p := "content/reseau/badges/tutorat.md"
			writeSite(t, dir, map[string]string{p: strings.Replace(cachedSite[p], "expires: P2Y", "expires: P3Y", 1)})
		}, testNow},
		{"entry damaged", func(t *testing.T, dir string) {
			c := &rosterCache{dir: filepath.Join(dir, ".blason", "cache", "rosters")}
			p := c.entryPath(list)
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			os.WriteFile(p, b, 0o600)
		}, testNow},
		{"entry cut short", func(t *testing.T, dir string) {
			c := &rosterCache{dir: filepath.Join(dir, ".blason", "cache", "rosters")}
			p := c.entryPath(list)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
		}, testNow},
		{"earlier reference time", nil, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSite(t, dir, cachedSite)
			if _, err := loadCached(t, dir, testNow); err != nil {
				t.Fatal(err)
			}
			if c.change != nil {
				c.change(t, dir)
			}
			plain, plainErr := Load(dir, Options{Now: c.now, Secret: (&secretCalls{}).secret})
			cached, cachedErr := loadCached(t, dir, c.now)
			if fmt.Sprint(plainErr) != fmt.Sprint(cachedErr) {
				t.Fatalf("without the cache: %v\nwith it: %v", plainErr, cachedErr)
			}
			if plainErr == nil && awardsOf(plain) != awardsOf(cached) {
				t.Fatalf("with the cache:\n%s\nwithout:\n%s", awardsOf(cached), awardsOf(plain))
			}
		})
	}
}

// TestRosterCacheKeepsNoProblem: a list with a problem gets no entry, and
// every load reports its problem; the entry of a list removed goes.
func TestRosterCacheKeepsNoProblem(t *testing.T) {
	dir := t.TempDir()
	bad := "content/ecole/awards/bad.csv"
	writeSite(t, dir, merge(cachedSite, map[string]string{bad: "email,badge,date\nzoe@example.org,tutorat,2025-01-10\n"})) // tutorat needs a level
	for range 2 {
		_, err := loadCached(t, dir, testNow)
		if err == nil || !strings.Contains(err.Error(), "bad.csv:2") {
			t.Fatalf("want the problem of bad.csv:2, got %v", err)
		}
	}
	c := &rosterCache{dir: filepath.Join(dir, ".blason", "cache", "rosters")}
	if _, err := os.Stat(c.entryPath(bad)); err == nil {
		t.Fatal("a list with a problem was cached")
	}
	os.Remove(filepath.Join(dir, filepath.FromSlash(bad)))
	if _, err := loadCached(t, dir, testNow); err != nil {
		t.Fatal(err)
	}
	gone := "content/ecole/awards/c-2025.csv"
	os.Remove(filepath.Join(dir, filepath.FromSlash(gone)))
	if _, err := loadCached(t, dir, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.entryPath(gone)); err == nil {
		t.Fatal("the entry of a removed list is still there")
	}
}

// TestRosterCacheImportSettings: a list read through the space's import
// settings is read again when they change (here the fixed date), and gives
// the awards of a load without the cache.
func TestRosterCacheImportSettings(t *testing.T) {
	dir := t.TempDir()
	csv := "Mail;Nom\nzoe@univ.example.fr;Leroy Zoé\n"
	writeSite(t, dir, importSite("  columns:\n    Mail: email\n    Nom: name\n  badge: tutorat\n  date: 30/06/2025\n", csv))
	if _, err := loadCached(t, dir, testNow); err != nil {
		t.Fatal(err)
	}
	writeSite(t, dir, importSite("  columns:\n    Mail: email\n    Nom: name\n  badge: tutorat\n  date: 01/07/2025\n", csv))
	plain, _, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cached, err := loadCached(t, dir, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := awardsOf(cached), awardsOf(plain); got != want || !strings.Contains(want, "2025-07-01") {
		t.Fatalf("with the cache:\n%s\nwithout:\n%s", got, want)
	}
}

// TestRosterCacheDatesInLocalZone: a date the parser put in the local zone
// (its offset was the local one) comes back from an entry as the same
// instant at the same offset, never as "local": a process in another zone
// must read the same date.
func TestRosterCacheDatesInLocalZone(t *testing.T) {
	b := &model.Badge{Slug: "tutorat"}
	in := time.Date(2025, 5, 3, 0, 30, 0, 0, time.Local)
	enc := encodeAwards(nil, []*model.Award{{Badge: b, Date: in, Expires: in.AddDate(2, 0, 0), Line: 2}})
	out, err := decodeAwards(enc, "content/ecole/awards/a.csv", map[string]*model.Badge{"tutorat": b})
	if err != nil {
		t.Fatal(err)
	}
	got := out[0].Date
	_, inOff := in.Zone()
	name, off := got.Zone()
	if got.Location() == time.Local || !got.Equal(in) || off != inOff || got.Format(time.RFC3339) != in.Format(time.RFC3339) {
		t.Fatalf("cached %s (zone %s %+d, local: %v), read back %s (zone %s %+d)", in.Format(time.RFC3339), in.Location(), inOff, got.Location() == time.Local, got.Format(time.RFC3339), name, off)
	}
}
