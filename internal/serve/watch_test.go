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
		"content/u/awards/.~lock.a.csv#": false,
		"site/index.html":                false,
		"notes.txt":                      false,
	} {
		if _, got := w.relevant(filepath.Join(w.source, filepath.FromSlash(name))); got != want {
			t.Errorf("%s: relevant = %v, want %v", name, got, want)
		}
	}
}

// TestEditorTemp: the temporary, backup and lock files editors and office
// suites make while saving are not content; the names of real content,
// including look-alikes, are.
func TestEditorTemp(t *testing.T) {
	for _, tt := range []struct {
		name string
		temp bool
	}{
		// Vim: swap files, the 4913 write test, backups.
		{".badge.md.swp", true},
		{".badge.md.swo", true},
		{".badge.md.swn", true},
		{".badge.md.swx", true},
		{"badge.md.swp", true},
		{"4913", true},
		{"badge.md~", true},
		// Emacs: lock files and auto-saves.
		{".#badge.md", true},
		{"#badge.md#", true},
		// gedit (GIO), JetBrains safe write, Kate.
		{".goutputstream-X1Y2Z3", true},
		{"badge.md___jb_tmp___", true},
		{"badge.md___jb_old___", true},
		{"badge.md.kate-swp", true},
		// Office suites: LibreOffice locks, Microsoft Office owner files, temporary files.
		{".~lock.awards.csv#", true},
		{"~$awards.xlsx", true},
		{"~WRL0001.tmp", true},
		{"awards.TMP", true},
		// Desktops.
		{".DS_Store", true},
		{"._badge.svg", true},
		{"Thumbs.db", true},
		{"desktop.ini", true},
		// Content.
		{"badge.md", false},
		{"awards.csv", false},
		{"_space.md", false},
		{"logo.svg", false},
		{"movie.swf", false}, // a Flash file, not a Vim swap (.swf is not hidden)
		{"notes.swap", false},
		{"4913.md", false},
		{"#hashtag.md", false},
		{"template.md", false},
		{"c#", false},
		{"secret", false},
	} {
		if got := editorTemp(tt.name); got != tt.temp {
			t.Errorf("editorTemp(%q) = %v, want %v", tt.name, got, tt.temp)
		}
	}
}
