package build

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/keys"
)

// TestLostKeysFailSafe builds a copy of the demo, then loses its keys, one
// private key or one status ledger: every build fails, writes nothing to the
// site and creates nothing under keys/; the ledger is read back exactly from
// the site, and the next build publishes the very same site.
func TestLostKeysFailSafe(t *testing.T) {
	t.Parallel()
	src := copyDemo(t)
	dest := filepath.Join(src, "site")
	o := Options{Source: src, Destination: dest, BaseURL: "https://badges.example.fr/"}
	mustBuild(t, o)
	sum := treeHash(t, dest)
	kdir := KeysDir(src)
	o.Now = now

	failSafe := func(what string, wantSpaces int, wantText string) *MissingKeysError {
		t.Helper()
		before := listFiles(t, kdir)
		_, err := Run(o)
		var mk *MissingKeysError
		if !errors.As(err, &mk) || len(mk.Spaces) != wantSpaces || !strings.Contains(err.Error(), wantText) || !strings.Contains(err.Error(), "Nothing was written") {
			t.Fatalf("%s: err = %v; want a MissingKeysError for %d space(s) naming %q", what, err, wantSpaces, wantText)
		}
		if treeHash(t, dest) != sum {
			t.Fatalf("%s: the site changed", what)
		}
		if after := listFiles(t, kdir); after != before {
			t.Fatalf("%s: keys/ changed:\n%s\nwas\n%s", what, after, before)
		}
		return mk
	}

	// keys/ lost
	saved := filepath.Join(t.TempDir(), "keys")
	if err := os.Rename(kdir, saved); err != nil {
		t.Fatal(err)
	}
	failSafe("keys/ lost", 4, "the whole folder is missing")
	if _, err := os.Stat(kdir); err == nil {
		t.Fatal("a failed build created keys/")
	}
	if _, err := Load(o); err == nil || !strings.Contains(err.Error(), "the space has published") {
		t.Fatalf("Load without keys: %v", err)
	}
	if err := os.Rename(saved, kdir); err != nil {
		t.Fatal(err)
	}

	// one private key lost
	jwks, _ := filepath.Glob(filepath.Join(kdir, "universite", "es256-*.jwk"))
	if len(jwks) != 1 {
		t.Fatalf("es256 keys of universite: %v", jwks)
	}
	b, _ := os.ReadFile(jwks[0])
	os.Remove(jwks[0])
	mk := failSafe("one .jwk lost", 1, filepath.Base(jwks[0])+": the private key")
	if mk.Spaces[0].Space != "universite" || mk.Spaces[0].Ledger {
		t.Fatalf("missing %+v", mk.Spaces[0])
	}
	os.WriteFile(jwks[0], b, 0o600)

	// one ledger lost: refused, then read back exactly
	lp := LedgerPath(src, "ecole-ingenieurs")
	ledger, _ := os.ReadFile(lp)
	os.Remove(lp)
	failSafe("status.ledger lost", 1, "blason keys rebuild-ledger --space ecole-ingenieurs")
	msg, err := RebuildLedger(o, "ecole-ingenieurs")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(lp); string(got) != string(ledger) {
		t.Fatalf("rebuilt ledger differs (%s):\n%.300s\nwant\n%.300s", msg, got, ledger)
	}
	res := mustBuild(t, o)
	if res.Written != 0 || res.Removed != 0 || treeHash(t, dest) != sum {
		t.Fatalf("after the rebuilt ledger: %d written, %d removed", res.Written, res.Removed)
	}
	lines, err := CheckKeys(o, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if !l.OK {
			t.Errorf("check: %s", l)
		}
	}

	// Sites built before the record of published keys: the manifest tells.
	os.Remove(PublishedRecordPath(src))
	os.Remove(filepath.Join(dest, "association", "did.json"))
	os.Remove(filepath.Join(dest, "association", "jwks.json"))
	sum = treeHash(t, dest)
	eds, _ := filepath.Glob(filepath.Join(kdir, "association", "eddsa-*.jwk"))
	os.Remove(eds[0])
	mk = failSafe("no record, no did.json", 1, "(it has a status ledger)")
	if !strings.Contains(mk.Error(), strings.TrimSuffix(filepath.Base(eds[0]), ".jwk")) {
		t.Fatalf("the lost key is not named: %v", mk)
	}
	os.Remove(LedgerPath(src, "association"))
	mk = failSafe("manifest only", 1, "listed in the build manifest")
	if !strings.Contains(mk.Error(), strings.TrimSuffix(filepath.Base(eds[0]), ".jwk")) {
		t.Fatalf("the lost key is not named: %v", mk)
	}
}

// listFiles lists the files under dir with their sizes (empty when there is no dir).
func listFiles(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			b.WriteString(p + " " + fi.Mode().String() + "\n")
		}
		return nil
	})
	return b.String()
}

// TestNewSpaceBuildsSilently: a space that never published gets its secret,
// keys and ledger from its first build, even with a record of other spaces;
// ExistingKeys forbids that.
func TestNewSpaceBuildsSilently(t *testing.T) {
	src := t.TempDir()
	write := func(p, s string) {
		os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755)
		if err := os.WriteFile(filepath.Join(src, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("blason.yaml", "title: T\nbaseURL: https://badges.example.fr/\n")
	write("content/ecole/_space.md", "---\nname: École\nurl: https://ecole.example/\nemail: a@ecole.example\n---\n")
	o := Options{Source: src, Now: now, ExistingKeys: true}
	if _, err := Run(o); err == nil || !strings.Contains(err.Error(), "--existing-keys") {
		t.Fatalf("ExistingKeys on a new space: %v", err)
	}
	if _, err := os.Stat(KeysDir(src)); err == nil {
		t.Fatal("ExistingKeys created keys/")
	}
	o.ExistingKeys = false
	mustBuild(t, o)
	write("content/asso/_space.md", "---\nname: Asso\nurl: https://asso.example/\nemail: a@asso.example\n---\n")
	mustBuild(t, o)
	ring, err := keys.Store{Dir: KeysDir(src)}.Keyring("asso")
	if err != nil || len(ring.Keys) == 0 {
		t.Fatalf("asso keys: %v, %v", ring, err)
	}
	o.ExistingKeys = true
	mustBuild(t, o)
}

// BenchmarkPreflight measures the check every build makes before it writes:
// a few stat calls per space and the read of .blason/published.
func BenchmarkPreflight(b *testing.B) {
	src := b.TempDir()
	os.MkdirAll(filepath.Join(src, "content", "ecole"), 0o755)
	os.WriteFile(filepath.Join(src, "blason.yaml"), []byte("title: T\nbaseURL: https://badges.example.fr/\n"), 0o644)
	os.WriteFile(filepath.Join(src, "content", "ecole", "_space.md"), []byte("---\nname: École\nurl: https://ecole.example/\nemail: a@ecole.example\n---\n"), 0o644)
	o := Options{Source: src, Now: now}
	mustBuild(b, o)
	o = o.withDefaults()
	b.ResetTimer()
	for b.Loop() {
		if err := preflight(o, nil); err != nil {
			b.Fatal(err)
		}
	}
}
