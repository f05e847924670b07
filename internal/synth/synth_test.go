package synth

import (
	"testing"
	"time"

	"github.com/francebadge/blason/internal/content"
)

// TestSyntheticSiteLoads: the synthetic site is valid content, level
// progression included.
func TestSyntheticSiteLoads(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, Options{Awards: 2000, PerSpace: 1000, PerFile: 300}); err != nil {
		t.Fatal(err)
	}
	site, err := content.Load(dir, content.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Secret: func(string) ([]byte, error) { return make([]byte, 32), nil }})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sp := range site.Spaces {
		n += len(sp.Awards)
	}
	if len(site.Spaces) != 2 || n != 2000 {
		t.Errorf("%d spaces, %d awards", len(site.Spaces), n)
	}
}
