package safefs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tree makes root/content/sp/awards/a.csv, a secret outside root, and the
// links and special files the tests refuse.
func tree(t *testing.T) (root, secret string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "src")
	secret = filepath.Join(base, "secret")
	must(t, os.MkdirAll(filepath.Join(root, "content", "sp", "awards"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "content", "sp", "awards", "a.csv"), []byte("badge,date\n"), 0o644))
	must(t, os.WriteFile(secret, []byte("TOP-SECRET\n"), 0o600))
	if err := os.Symlink(secret, filepath.Join(root, "content", "sp", "awards", "link.csv")); err != nil {
		t.Skip("no symbolic links here")
	}
	must(t, os.Symlink(filepath.Join(root, "content", "sp", "awards"), filepath.Join(root, "content", "sp", "linked")))
	return root, secret
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadFileRefusesLinksAndReadsRegularFiles(t *testing.T) {
	root, _ := tree(t)
	b, err := ReadFile(root, filepath.Join(root, "content", "sp", "awards", "a.csv"))
	if err != nil || string(b) != "badge,date\n" {
		t.Fatalf("regular file: %q, %v", b, err)
	}
	for _, c := range []struct{ name, refused string }{
		{"content/sp/awards/link.csv", "content/sp/awards/link.csv"},
		{"content/sp/linked/a.csv", "content/sp/linked"}, // a linked folder on the way
	} {
		b, err := ReadFile(root, filepath.Join(root, filepath.FromSlash(c.name)))
		e := AsError(err)
		if e == nil || !e.Link || e.Path != c.refused {
			t.Fatalf("%s: %q, %v; want the link %s refused", c.name, b, err, c.refused)
		}
		if strings.Contains(err.Error(), "TOP-SECRET") || !strings.Contains(err.Error(), "is a symbolic link; copy the file instead") {
			t.Fatalf("message: %v", err)
		}
	}
	if _, err := ReadDir(root, filepath.Join(root, "content", "sp", "linked")); AsError(err) == nil {
		t.Fatalf("ReadDir through a link: %v", err)
	}
	if _, err := ReadFile(root, filepath.Join(root, "content", "missing.csv")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if ok, err := Exists(root, filepath.Join(root, "content", "sp", "awards", "link.csv")); ok || AsError(err) == nil {
		t.Fatalf("Exists of a link = %v, %v", ok, err)
	}
	if ok, err := Exists(root, filepath.Join(root, "nothing")); ok || err != nil {
		t.Fatalf("Exists of nothing = %v, %v", ok, err)
	}
	// The root itself may be a link: the user chose it.
	alias := filepath.Join(t.TempDir(), "alias")
	must(t, os.Symlink(root, alias))
	if _, err := ReadFile(alias, filepath.Join(alias, "content", "sp", "awards", "a.csv")); err != nil {
		t.Fatalf("through a linked root: %v", err)
	}
}

func TestSpecialFilesAreRefused(t *testing.T) {
	root, _ := tree(t)
	fifo := filepath.Join(root, "content", "sp", "awards", "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here")
	}
	_, err := ReadFile(root, fifo) // must not block
	if e := AsError(err); e == nil || e.Link {
		t.Fatalf("FIFO: %v", err)
	}
	if err := CheckTree(root, filepath.Join(root, "content")); AsError(err) == nil {
		t.Fatalf("CheckTree: %v", err)
	}
}

func TestCheckTree(t *testing.T) {
	root, _ := tree(t)
	err := CheckTree(root, filepath.Join(root, "content"))
	if e := AsError(err); e == nil || !e.Link {
		t.Fatalf("CheckTree = %v", err)
	}
	must(t, os.MkdirAll(filepath.Join(root, "layouts", "partials"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "layouts", "partials", "x.html"), nil, 0o644))
	if err := CheckTree(root, filepath.Join(root, "layouts")); err != nil {
		t.Fatal(err)
	}
	if err := CheckTree(root, filepath.Join(root, "static")); err != nil {
		t.Fatalf("missing folder: %v", err)
	}
	must(t, os.Symlink(filepath.Join(root, "content"), filepath.Join(root, "static")))
	if err := CheckTree(root, filepath.Join(root, "static")); AsError(err) == nil {
		t.Fatalf("linked folder: %v", err)
	}
}

func TestDirFS(t *testing.T) {
	root, _ := tree(t)
	fsys := Dir(filepath.Join(root, "content"), "content")
	if b, err := fs.ReadFile(fsys, "sp/awards/a.csv"); err != nil || len(b) == 0 {
		t.Fatalf("ReadFile: %v", err)
	}
	for _, name := range []string{"sp/awards/link.csv", "sp/linked/a.csv"} {
		_, err := fs.ReadFile(fsys, name)
		if AsError(err) == nil || errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := fsys.Open(name); AsError(err) == nil {
			t.Fatalf("Open %s: %v", name, err)
		}
		if !strings.HasPrefix(AsError(err).Path, "content/sp/") {
			t.Fatalf("message names %s", AsError(err).Path)
		}
	}
	if _, err := fs.ReadFile(fsys, "nothing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
	es, err := fs.ReadDir(fsys, "sp/awards")
	if err != nil || len(es) != 2 {
		t.Fatalf("ReadDir: %v %v", es, err)
	}
	if _, err := fs.ReadDir(fsys, "sp/linked"); AsError(err) == nil {
		t.Fatalf("ReadDir of a link: %v", err)
	}
	if err := fs.WalkDir(fsys, "sp", func(string, fs.DirEntry, error) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
