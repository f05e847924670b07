package themes

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVendoredLDBundle checks that default/static/vendor/blason-ld.min.js
// (the JSON-LD and RDF canonicalization bundle of the in-browser verifier)
// is the output of the pinned sources in tools/webverify: the hashes of
// package.json, package-lock.json, entry.js and the bundle recorded in
// tools/webverify/bundle.sha256 hold, and, when the tools are installed
// (npm ci --prefix tools/webverify), building again gives the same bytes.
func TestVendoredLDBundle(t *testing.T) {
	dir := filepath.Join("..", "tools", "webverify")
	f, err := os.Open(filepath.Join(dir, "bundle.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var bundle string
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bundle.sha256: malformed line %q", sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s changed since bundle.sha256 was written: rebuild the bundle (npm ci --prefix tools/webverify && npm run --prefix tools/webverify build) and record the hashes again", name)
		}
		if strings.HasSuffix(name, ".min.js") {
			bundle = filepath.Join(dir, filepath.FromSlash(name))
		}
		n++
	}
	if n != 4 || bundle == "" {
		t.Fatalf("bundle.sha256 lists %d files, want the 3 sources and the bundle", n)
	}
	esbuild, _ := filepath.Abs(filepath.Join(dir, "node_modules", ".bin", "esbuild"))
	if _, err := os.Stat(esbuild); err != nil {
		t.Log("esbuild not installed (npm ci --prefix tools/webverify): the bundle is checked by its recorded hash only")
		return
	}
	out := filepath.Join(t.TempDir(), "bundle.js")
	cmd := exec.Command(esbuild, "entry.js", "--bundle", "--minify", "--format=iife", "--target=es2020", "--legal-comments=none", "--outfile="+out)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("esbuild: %v\n%s", err, b)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile(bundle)
	if !bytes.Equal(got, want) {
		t.Errorf("the committed %s is not what the pinned sources build (%d bytes, rebuilt %d)", bundle, len(want), len(got))
	}
}
