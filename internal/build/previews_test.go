package build

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/preview"
)

// previewFiles returns the preview cards of a built site, by path.
func previewFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for p, b := range readTree(t, dir) {
		if strings.HasSuffix(p, "/preview.png") || p == "preview.png" {
			out[p] = b
		}
	}
	return out
}

// TestPreviewCards: every catalogue page has a 1200×630 PNG card; a
// rebuild draws only the cards whose inputs changed (a badge renamed:
// its cards only) and brings back a deleted card with the same bytes.
func TestPreviewCards(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	before := previewFiles(t, dest)
	// Home, 4 spaces, 16 badges, a framework, a template; two languages.
	if len(before) != 2*(1+4+16+1+1) {
		t.Errorf("%d preview cards, want %d", len(before), 2*(1+4+16+1+1))
	}
	for p, b := range before {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if r := img.Bounds(); r.Dx() != preview.Width || r.Dy() != preview.Height {
			t.Errorf("%s is %dx%d", p, r.Dx(), r.Dy())
		}
	}
	// Rename one badge (French name; the English one is a translation).
	badge := filepath.Join(src, "content", "universite", "badges", "tutorat.md")
	orig, err := os.ReadFile(badge)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(badge, bytes.Replace(orig, []byte(`name: "Tuteur ou tutrice pair"`), []byte(`name: "Tutorat entre pairs"`), 1), 0o644)
	gone := filepath.Join(dest, "universite", "badges", "secourisme", "preview.png")
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, Options{Source: src, Destination: dest})
	after := previewFiles(t, dest)
	if len(after) != len(before) {
		t.Fatalf("%d cards after the rebuild, %d before", len(after), len(before))
	}
	for p, b := range before {
		changed := !bytes.Equal(b, after[p])
		if want := p == "universite/badges/tutorat/preview.png"; changed != want {
			t.Errorf("%s changed %v, want %v", p, changed, want)
		}
	}
}
