package serve

import (
	"path/filepath"
	"testing"
)

// TestRelevantChanges: changes to site-level theme overrides call for a
// rebuild like content changes; editor temporaries and other folders do not.
func TestRelevantChanges(t *testing.T) {
	w := &watcher{source: filepath.FromSlash("/src")}
	for name, want := range map[string]bool{
		"blason.yaml":                    true,
		"content/u/_space.md":            true,
		"content/u/layouts/space.html":   true,
		"layouts/badge.html":             true,
		"static/style.css":               true,
		"i18n/en.yaml":                   true,
		"themes/mine/layouts/_base.html": true,
		"layouts/.badge.html.swp":        false,
		"site/index.html":                false,
		"notes.txt":                      false,
	} {
		if _, got := w.relevant(filepath.Join(w.source, filepath.FromSlash(name))); got != want {
			t.Errorf("%s: relevant = %v, want %v", name, got, want)
		}
	}
}
