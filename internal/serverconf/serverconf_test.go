package serverconf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixture is a site of two spaces served under /badges/, with one award
// revoked and one suspended; spaces and awards are given in the order
// reverse (or not) of their slugs and ids.
func fixture(reverse bool) *model.Site {
	mk := func(slug string, ids []string, revoked map[string]bool) *model.Space {
		sp := &model.Space{Slug: slug, Revocations: map[string]model.Revocation{}}
		b := &model.Badge{Space: sp, Slug: "b"}
		for _, id := range ids {
			sp.Awards = append(sp.Awards, &model.Award{ID: id, Badge: b})
			if s, ok := revoked[id]; ok {
				sp.Revocations[id] = model.Revocation{AwardID: id, Reason: "private reason", Suspended: s}
			}
		}
		return sp
	}
	ids := []string{"zz7vflyz3c7mm3vrxe45jxzraq", "ab3sqdrbjsbjx64zt6lac5gizi", "mmkeptvalidaward0000000000"}
	univ := mk("universite", ids, map[string]bool{ids[0]: false, ids[1]: true})
	ecole := mk("ecole-ingenieurs", []string{"cc0000000000000000000000aa"}, nil)
	site := &model.Site{Spaces: []*model.Space{ecole, univ}}
	if reverse {
		site.Spaces = []*model.Space{univ, ecole}
		univ.Awards = []*model.Award{univ.Awards[2], univ.Awards[1], univ.Awards[0]}
	}
	return site
}

var l = layout.Layout{Base: "https://badges.example.fr/badges/", DefaultLang: "fr"}

func files(site *model.Site) map[string][]byte {
	s := FromModel(site, l)
	out := s.Files()
	out["_headers"] = s.Headers()
	out["_redirects"] = s.Redirects()
	return out
}

// TestGolden compares every generated file with its golden copy under
// testdata/ (go test ./internal/serverconf -update rewrites them).
func TestGolden(t *testing.T) {
	for name, got := range files(fixture(false)) {
		t.Run(name, func(t *testing.T) {
			golden := filepath.Join("testdata", strings.ReplaceAll(name, "/", "-"))
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
				t.Errorf("%s differs from the golden file (go test ./internal/serverconf -update, then review the diff)\ngot:\n%s", name, got)
			}
		})
	}
}

// TestDeterministic: the order spaces and awards come in changes nothing,
// and nothing but paths comes from the revocations (no reason, no date).
func TestDeterministic(t *testing.T) {
	a, b := files(fixture(false)), files(fixture(true))
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s depends on the order of spaces or awards", name)
		}
		if bytes.Contains(x, []byte("private reason")) {
			t.Errorf("%s holds a revocation reason", name)
		}
	}
}

// TestGoneLists: every file listing tombstones names the revoked and the
// suspended award, and never the valid one; without revocations they list
// nothing.
func TestGoneLists(t *testing.T) {
	got := files(fixture(false))
	for _, f := range []string{"_redirects", "nginx/gone.conf", "apache/gone.conf", "caddy/gone.caddy"} {
		for _, id := range []string{"zz7vflyz3c7mm3vrxe45jxzraq", "ab3sqdrbjsbjx64zt6lac5gizi"} {
			if !bytes.Contains(got[f], []byte("/badges/universite/assertions/"+id[:2]+"/"+id+".json")) {
				t.Errorf("%s does not list %s", f, id)
			}
		}
		if bytes.Contains(got[f], []byte("mmkeptvalidaward")) {
			t.Errorf("%s lists a valid award", f)
		}
	}
	site := fixture(false)
	for _, sp := range site.Spaces {
		sp.Revocations = nil
	}
	for f, b := range files(site) {
		if bytes.Contains(b, []byte("/assertions/zz")) || bytes.Contains(b, []byte("/assertions/ab")) {
			t.Errorf("without revocations, %s lists a tombstone", f)
		}
	}
}

// TestHeadersOnce: no header is given twice for one path in _headers (the
// hosts join repeated values with commas).
func TestHeadersOnce(t *testing.T) {
	s := FromModel(fixture(false), l)
	rules := map[string][]string{} // pattern → header names
	var pattern string
	for _, line := range strings.Split(string(s.Headers()), "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case !strings.HasPrefix(line, " "):
			pattern = line
		default:
			name, _, _ := strings.Cut(strings.TrimSpace(line), ":")
			rules[pattern] = append(rules[pattern], name)
		}
	}
	for _, path := range []string{
		"/badges/universite/assertions/zz/zz7vflyz3c7mm3vrxe45jxzraq.json",
		"/badges/universite/assertions/zz/zz7vflyz3c7mm3vrxe45jxzraq.jws",
		"/badges/universite/credentials/zz/zz7vflyz3c7mm3vrxe45jxzraq.json",
		"/badges/universite/credentials/zz/zz7vflyz3c7mm3vrxe45jxzraq.jwt",
		"/badges/universite/credentials/zz/zz7vflyz3c7mm3vrxe45jxzraq.png",
		"/badges/universite/issuer.json",
		"/badges/universite/keys/es256-f72wzyro2owl.json",
		"/badges/index.html",
	} {
		seen := map[string]int{}
		for p, names := range rules {
			if match(p, path) {
				for _, n := range names {
					seen[n]++
				}
			}
		}
		for n, c := range seen {
			if c > 1 {
				t.Errorf("%s gets %s from %d rules", path, n, c)
			}
		}
		if seen["X-Content-Type-Options"] != 1 {
			t.Errorf("%s gets no X-Content-Type-Options", path)
		}
	}
}

// match reports whether a _headers pattern (one "*" matching anything)
// matches path.
func match(pattern, path string) bool {
	before, after, star := strings.Cut(pattern, "*")
	if !star {
		return pattern == path
	}
	return len(path) >= len(before)+len(after) && strings.HasPrefix(path, before) && strings.HasSuffix(path, after)
}

// TestUnsafeRoot: a base URL path the formats would need quoted gives files
// without rules, and says why.
func TestUnsafeRoot(t *testing.T) {
	s := FromModel(fixture(false), layout.Layout{Base: "https://badges.example.fr/mes badges/"})
	if s.Problem() == "" {
		t.Fatal("no problem reported for a path with a space")
	}
	all := s.Files()
	all["_headers"], all["_redirects"] = s.Headers(), s.Redirects()
	for name, b := range all {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if !strings.HasPrefix(line, "#") {
				t.Errorf("%s holds a rule: %q", name, line)
			}
		}
	}
	if FromModel(fixture(false), l).Problem() != "" {
		t.Error("a plain path is reported as a problem")
	}
}

// TestFor: the headers of each kind of file, as deploy stores them on
// objects, agree with the rules of _headers and the tombstones.
func TestFor(t *testing.T) {
	s := FromModel(fixture(false), l)
	nosniff := true
	for _, c := range []struct {
		path string
		want Header
	}{
		{"index.html", Header{"text/html; charset=utf-8", ShortCache, false, "", "", nosniff}},
		{"sitemap.xml", Header{"application/xml", ShortCache, false, "", "", nosniff}},
		{"assets/style.css", Header{"text/css; charset=utf-8", ShortCache, false, "", "", nosniff}},
		{"universite/did.json", Header{JSONType, ShortCache, true, "", FilesCSP, nosniff}},
		{"universite/jwks.json", Header{JSONType, ShortCache, true, "", FilesCSP, nosniff}},
		{"universite/status/revocation.json", Header{JSONType, ShortCache, true, "", FilesCSP, nosniff}},
		{"universite/keys/es256-f72wzyro2owl.json", Header{JSONType, ImmutableCache, true, "", FilesCSP, nosniff}},
		{"universite/badges/b/image.svg", Header{"image/svg+xml", ShortCache, false, "", FilesCSP, nosniff}},
		{"universite/assertions/mm/mmkeptvalidaward0000000000.json", Header{JSONType, ShortCache, true, NoIndex, FilesCSP, nosniff}},
		{"universite/assertions/mm/mmkeptvalidaward0000000000.jws", Header{TextType, ShortCache, true, NoIndex, FilesCSP, nosniff}},
		{"universite/assertions/mm/mmkeptvalidaward0000000000.svg", Header{"image/svg+xml", ShortCache, false, NoIndex, FilesCSP, nosniff}},
		{"universite/credentials/mm/mmkeptvalidaward0000000000.json", Header{VCType, LongCache, true, NoIndex, FilesCSP, nosniff}},
		{"universite/credentials/mm/mmkeptvalidaward0000000000.jwt", Header{TextType, LongCache, true, NoIndex, FilesCSP, nosniff}},
		{"universite/credentials/mm/mmkeptvalidaward0000000000.svg", Header{"image/svg+xml", LongCache, false, NoIndex, FilesCSP, nosniff}},
		{"universite/assertions/zz/zz7vflyz3c7mm3vrxe45jxzraq.json", Header{JSONType, NoCache, true, NoIndex, FilesCSP, nosniff}},
		{"notes.unknown", Header{"application/octet-stream", ShortCache, false, "", "", nosniff}},
	} {
		if got := s.For(c.path); got != c.want {
			t.Errorf("For(%q) = %+v, want %+v", c.path, got, c.want)
		}
	}
}

// TestFromBuilt: the rules read back from a built folder (spaces from
// their issuer profile, tombstones from _redirects) are those of the model.
func TestFromBuilt(t *testing.T) {
	want := FromModel(fixture(false), l)
	dir := t.TempDir()
	for _, sp := range want.Spaces {
		if err := os.MkdirAll(filepath.Join(dir, sp), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, sp, "issuer.json"), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "_redirects"), want.Redirects(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := FromBuilt(dir, "/badges/")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Spaces, want.Spaces) || !slices.Equal(got.Gone, want.Gone) || got.Root != want.Root || len(got.Gone) != 2 {
		t.Errorf("FromBuilt = %+v, want %+v", got, want)
	}
}
