package build

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The demo built once for blason.yaml's base URL at now, in a folder of its
// own: the starting point of the tests that change a built site, each on a
// copy of it (builtDemo) instead of a full build of its own.
var (
	builtOnce sync.Once
	builtDir  string
	builtErr  error
)

// builtSrc and builtDest are the sources (keys/ and .blason/ included) and
// the site of the build of builtDemo.
func builtPaths() (src, dest string) {
	return filepath.Join(builtDir, "src"), filepath.Join(builtDir, "site")
}

// builtDemo returns a copy of the demo sources and of their site, built at
// now for blason.yaml's base URL, as if that build had been made there: file
// modes and modification times are kept and the manifest is the new output
// folder's, so that the next build is incremental, as it would be after a
// build of its own.
func builtDemo(t testing.TB) (src, dest string) {
	t.Helper()
	builtOnce.Do(func() {
		if builtDir, builtErr = os.MkdirTemp("", "blason-built-"); builtErr != nil {
			return
		}
		s, d := builtPaths()
		if builtErr = copyDemoTo(s); builtErr != nil {
			return
		}
		_, builtErr = Run(Options{Source: s, Destination: d, Now: now})
	})
	if builtErr != nil {
		t.Fatalf("demo build: %v", builtErr)
	}
	bs, bd := builtPaths()
	src, dest = filepath.Join(t.TempDir(), "src"), filepath.Join(t.TempDir(), "site")
	if err := cloneTree(bs, src); err != nil {
		t.Fatal(err)
	}
	if err := cloneTree(bd, dest); err != nil {
		t.Fatal(err)
	}
	// The manifest (and its lock) is named after the output folder.
	old, niu := manifestPath(src, bd), manifestPath(src, dest)
	moved := 0
	for _, suffix := range []string{"", ".lock", ".journal"} {
		if err := os.Rename(old+suffix, niu+suffix); err == nil {
			moved++
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if moved == 0 {
		t.Fatalf("no manifest at %s", old)
	}
	return src, dest
}

// cloneTree copies the folder src to dst (which must not exist) with the
// modes and modification times of its files and folders.
func cloneTree(src, dst string) error {
	var dirs []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, rel)
			return os.Mkdir(target, fi.Mode().Perm()|0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, b, fi.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(target, fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		return err
	}
	// Folders last, deepest first: creating their entries changed their times.
	slices.Reverse(dirs)
	for _, rel := range dirs {
		fi, err := os.Stat(filepath.Join(src, rel))
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.Chmod(target, fi.Mode().Perm()); err != nil {
			return err
		}
		if err := os.Chtimes(target, fi.ModTime(), fi.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

// linkTree makes dst a copy of the folder src whose files are hard links to
// src's: cheap for a whole site, but a file must be replaced (replaceFile),
// never written in place, or src changes too.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return os.Link(p, target)
	})
}

// replaceFile writes b as a new file at path, breaking any hard link.
func replaceFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// TestBuiltDemoIsIncremental: a copy of the built demo is up to date for
// the next build, which signs and writes nothing, as after a build made in
// place; and the shared build is left as it was.
func TestBuiltDemoIsIncremental(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	_, bd := builtPaths()
	before := treeHash(t, bd)
	res := mustBuild(t, Options{Source: src, Destination: dest})
	if res.Issued != 0 || res.Written != 0 || res.Removed != 0 || res.Awards < 1000 {
		t.Fatalf("build of a copy of the built demo: %+v; want nothing issued, written or removed", res)
	}
	if treeHash(t, dest) != before {
		t.Fatal("the copy's site changed")
	}
	if m, _ := filepath.Glob(filepath.Join(src, ".blason", "manifests", "*.json")); len(m) != 1 || !strings.HasSuffix(m[0], filepath.Base(manifestPath(src, dest))) {
		t.Fatalf("manifests: %v", m)
	}
}
