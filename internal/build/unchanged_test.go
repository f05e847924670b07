package build

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/keys"
)

// skippedBuild reports whether a build result is that of a build that had
// nothing to do (unchanged.go).
func skippedBuild(res Result) bool {
	return len(res.Phases) == 1 && res.Phases[0].Name == "unchanged"
}

// TestUnchangedBuildDoesNothing: after a build, the next one with the same
// inputs into the same folder is skipped — it reports what the last one did
// and writes nothing — while any change of what a build reads, or of what
// it published, makes the next build do the work, and its result is the
// same as if no build had been skipped.
func TestUnchangedBuildDoesNothing(t *testing.T) {
	t.Parallel()
	roster := "content/association/awards/saison-2024-2025.csv"
	cases := []struct {
		name   string
		change func(t *testing.T, src, dest string) Options // nil Options fields: the usual ones
		skip   bool                                         // the next build is skipped anyway
		fails  bool                                         // the next build fails (and so was not skipped)
		check  func(t *testing.T, src, dest string, res Result)
	}{
		{name: "nothing", skip: true},
		{name: "touched, same bytes", skip: true, change: func(t *testing.T, src, dest string) Options {
			p := filepath.Join(src, roster)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil { // rewritten: new change time
				t.Fatal(err)
			}
			return Options{}
		}},
		{name: "same size and modification time, other bytes", change: func(t *testing.T, src, dest string) Options {
			p := filepath.Join(src, roster)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			b = bytes.Replace(b, []byte("2025-06-13"), []byte("2025-06-12"), 1)
			os.WriteFile(p, b, 0o644)
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
			return Options{}
		}, check: func(t *testing.T, src, dest string, res Result) {
			if res.Issued != 1 {
				t.Errorf("issued %d awards; want the one whose date changed", res.Issued)
			}
		}},
		{name: "new content file", change: func(t *testing.T, src, dest string) Options {
			os.WriteFile(filepath.Join(src, "content", "notes.txt"), []byte("à relire\n"), 0o644)
			return Options{}
		}},
		{name: "page removed from the site", change: func(t *testing.T, src, dest string) Options {
			os.Remove(filepath.Join(dest, "index.html"))
			return Options{}
		}, check: func(t *testing.T, src, dest string, res Result) {
			if _, err := os.Stat(filepath.Join(dest, "index.html")); err != nil {
				t.Error("index.html not published again")
			}
		}},
		{name: "credential removed from the site", change: func(t *testing.T, src, dest string) Options {
			m, _ := filepath.Glob(filepath.Join(dest, "association", "credentials", "*", "*.json"))
			if len(m) == 0 {
				t.Fatal("no credential")
			}
			os.Remove(m[0])
			t.Cleanup(func() {
				if _, err := os.Stat(m[0]); err != nil {
					t.Errorf("%s not published again", m[0])
				}
			})
			return Options{}
		}, check: func(t *testing.T, src, dest string, res Result) {
			if res.Issued != 1 {
				t.Errorf("issued %d; want the award whose credential was removed", res.Issued)
			}
		}},
		{name: "page edited by hand", change: func(t *testing.T, src, dest string) Options {
			appendTo(t, filepath.Join(dest, "index.html"), "<!-- ajout -->")
			return Options{}
		}, check: func(t *testing.T, src, dest string, res Result) {
			if b, _ := os.ReadFile(filepath.Join(dest, "index.html")); bytes.Contains(b, []byte("ajout")) {
				t.Error("the hand edit of index.html stayed")
			}
		}},
		{name: "file added under static/", change: func(t *testing.T, src, dest string) Options {
			if err := os.MkdirAll(filepath.Join(src, "static"), 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(src, "static", "humans.txt"), []byte("L'équipe des badges\n"), 0o644)
			return Options{}
		}},
		{name: "empty space folder added", fails: true, change: func(t *testing.T, src, dest string) Options {
			os.MkdirAll(filepath.Join(src, "content", "nouvel-espace"), 0o755)
			return Options{}
		}},
		{name: "another base URL", change: func(t *testing.T, src, dest string) Options {
			return Options{BaseURL: "https://badges.example.fr/"}
		}},
		{name: "forced", change: func(t *testing.T, src, dest string) Options {
			return Options{Force: true}
		}},
		{name: "stamp damaged", change: func(t *testing.T, src, dest string) Options {
			os.WriteFile(stampPath(src, dest), []byte("{"), 0o600)
			return Options{}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src, dest := builtDemo(t)
			first := mustBuild(t, Options{Source: src, Destination: dest}) // the copy's own build: stamped
			if skippedBuild(first) {
				t.Fatal("the first build in a copy was skipped")
			}
			o := Options{}
			if c.change != nil {
				o = c.change(t, src, dest)
			}
			o.Source, o.Destination = src, dest
			if c.fails {
				o.Now = now
				if _, err := Run(o); err == nil {
					t.Fatal("the build succeeded")
				}
				return
			}
			res := mustBuild(t, o)
			if skippedBuild(res) != c.skip {
				t.Fatalf("skipped: %v, want %v (phases %v)", skippedBuild(res), c.skip, res.Phases)
			}
			if c.skip {
				if res.Written != 0 || res.Issued != 0 || res.Files != first.Files || res.Awards != first.Awards ||
					res.Spaces != first.Spaces || res.Badges != first.Badges || res.Revoked != first.Revoked || strings.Join(res.Warnings, "\n") != strings.Join(first.Warnings, "\n") {
					t.Errorf("skipped build reports %+v; the last one %+v", res, first)
				}
			}
			if c.check != nil {
				c.check(t, src, dest, res)
			}
			// And whatever happened, the build after is skipped.
			if o.Force || o.BaseURL != "" {
				return
			}
			if again := mustBuild(t, o); !skippedBuild(again) {
				t.Errorf("the build after was not skipped: %v", again.Phases)
			}
		})
	}
}

// TestChangeDuringBuildLeavesNoStamp: a source file changed while a build
// runs (after the build read it) leaves no stamp, so the next build reads
// it and publishes it.
func TestChangeDuringBuildLeavesNoStamp(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	replaceIn(t, filepath.Join(src, "content/association/awards/saison-2024-2025.csv"), "2025-06-13", "2025-06-12")
	badge := filepath.Join(src, "content/association/badges/benevolat.md")
	edited := false
	res := mustBuild(t, Options{Source: src, Destination: dest, Progress: func(done, total int) {
		if !edited {
			edited = true
			appendTo(t, badge, "\nUne phrase ajoutée pendant la construction.\n")
		}
	}})
	if !edited || res.Issued == 0 {
		t.Fatalf("the build issued nothing (%+v)", res)
	}
	if _, err := os.Stat(stampPath(src, dest)); err == nil {
		t.Fatal("a stamp was written although a badge changed during the build")
	}
	next := mustBuild(t, Options{Source: src, Destination: dest})
	if skippedBuild(next) {
		t.Fatal("the build after was skipped")
	}
	page, err := os.ReadFile(filepath.Join(dest, "association", "badges", "benevolat", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte("Une phrase ajoutée pendant la construction.")) {
		t.Error("the badge page lacks the sentence added during the previous build")
	}
}

// TestEarlierReferenceTimeIsNotSkipped: validation depends on the reference
// time (no award dated after it), so a build at an earlier one than the
// stamped build's does the work.
func TestEarlierReferenceTimeIsNotSkipped(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	mustBuild(t, Options{Source: src, Destination: dest})
	// A build at an earlier reference time may refuse what a later one
	// accepted (a date in the future): it does the work.
	if res := mustBuild(t, Options{Source: src, Destination: dest, Now: now.Add(-time.Hour)}); skippedBuild(res) {
		t.Error("a build at an earlier reference time was skipped")
	}
}

// TestKeyRotatedDuringBuildLeavesNoStamp: a key added by another command
// while a build runs (blason keys rotate takes no build lock) leaves no
// stamp: the next build publishes it.
func TestKeyRotatedDuringBuildLeavesNoStamp(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	replaceIn(t, filepath.Join(src, "content/association/awards/saison-2024-2025.csv"), "2025-06-13", "2025-06-12")
	var made []*keys.Key
	res := mustBuild(t, Options{Source: src, Destination: dest, Progress: func(done, total int) {
		if made == nil {
			var err error
			if made, err = (keys.Store{Dir: KeysDir(src)}).Rotate("association", []string{keys.EdDSA}, now); err != nil {
				t.Error(err)
			}
		}
	}})
	if len(made) != 1 || res.Issued == 0 {
		t.Fatalf("rotated %d keys, issued %d", len(made), res.Issued)
	}
	if _, err := os.Stat(stampPath(src, dest)); err == nil {
		t.Fatal("a stamp was written although a key was added during the build")
	}
	if next := mustBuild(t, Options{Source: src, Destination: dest}); skippedBuild(next) {
		t.Fatal("the build after was skipped")
	}
	did, err := os.ReadFile(filepath.Join(dest, "association", "did.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(did, []byte(made[0].Kid)) {
		t.Errorf("did.json lacks the key %s added during the previous build", made[0].Kid)
	}
}

// TestConfigOutsideSourceIsAnInput: the configuration file BLASON_CONFIG
// names, outside the source folder, is read by every build: changing it
// makes the next build do the work. (Not parallel: it sets the
// environment.)
func TestConfigOutsideSourceIsAnInput(t *testing.T) {
	src, dest := builtDemo(t)
	cfg := filepath.Join(t.TempDir(), "blason.yaml")
	b, err := os.ReadFile(filepath.Join(src, "blason.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, b, 0o644)
	t.Setenv("BLASON_CONFIG", cfg)
	mustBuild(t, Options{Source: src, Destination: dest})
	if res := mustBuild(t, Options{Source: src, Destination: dest}); !skippedBuild(res) {
		t.Fatalf("an unchanged build was not skipped: %v", res.Phases)
	}
	os.WriteFile(cfg, bytes.Replace(b, []byte("title: "), []byte("title: Nouveau "), 1), 0o644)
	if res := mustBuild(t, Options{Source: src, Destination: dest}); skippedBuild(res) {
		t.Fatal("a build after the configuration changed was skipped")
	}
	home, _ := os.ReadFile(filepath.Join(dest, "index.html"))
	if !bytes.Contains(home, []byte("Nouveau ")) {
		t.Error("the home page lacks the new title")
	}
}
