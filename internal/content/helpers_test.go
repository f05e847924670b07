package content

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/model"
)

// testNow is the fixed reference time of every test load.
var testNow = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// testSecret is the fixed 32-byte secret every space gets in tests.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>` + "\n"

// writeSite writes files (path relative to dir → content) under dir. A path
// ending with "/" creates an empty directory.
func writeSite(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// secretCalls records the spaces Options.Secret was asked for.
type secretCalls struct{ spaces []string }

func (s *secretCalls) secret(space string) ([]byte, error) {
	s.spaces = append(s.spaces, space)
	return testSecret, nil
}

// loadDir loads the site under dir with the fixed Now and secret.
func loadDir(dir string) (*model.Site, *secretCalls, error) {
	sc := &secretCalls{}
	site, err := Load(dir, Options{Now: testNow, Secret: sc.secret})
	return site, sc, err
}

// loadFiles writes files into a fresh temporary folder and loads it.
func loadFiles(t *testing.T, files map[string]string) (*model.Site, *secretCalls, error) {
	t.Helper()
	dir := t.TempDir()
	writeSite(t, dir, files)
	return loadDir(dir)
}

// diagLines returns the "file:line: message" line of every problem of err,
// which must be a *diag.Error.
func diagLines(t *testing.T, err error) ([]diag.Diagnostic, []string) {
	t.Helper()
	var de *diag.Error
	if !errors.As(err, &de) {
		t.Fatalf("want a *diag.Error, got %T: %v", err, err)
	}
	var lines []string
	for _, d := range de.Items {
		lines = append(lines, (diag.Diagnostic{File: d.File, Line: d.Line, Msg: d.Msg}).String())
	}
	return de.Items, lines
}

// merge returns base overlaid with over; a value of "-" in over deletes
// the path.
func merge(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if v == "-" {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}
