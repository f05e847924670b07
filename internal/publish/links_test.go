package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A folder of the site replaced by a link to another folder of the
// machine: no file is written there, and none removed.
func TestPublishNeverWritesOrRemovesThroughALinkedFolder(t *testing.T) {
	root := t.TempDir()
	tg := Target{Dir: filepath.Join(root, "site"), Manifest: filepath.Join(root, "state", "manifest")}
	if _, err := tg.Publish(Files{"s/a/x.json": []byte("x"), "index.html": []byte("i")}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(root, "other")
	os.MkdirAll(filepath.Join(other, "a"), 0o755)
	os.WriteFile(filepath.Join(other, "a", "x.json"), []byte("keep"), 0o644)
	os.RemoveAll(filepath.Join(tg.Dir, "s"))
	if err := os.Symlink(other, filepath.Join(tg.Dir, "s")); err != nil {
		t.Skip("no symbolic links here")
	}
	// Written through the link.
	_, err := tg.Publish(Files{"s/a/x.json": []byte("changed"), "index.html": []byte("i")})
	if err == nil || !strings.Contains(err.Error(), "site: s in the output folder is a symbolic link") {
		t.Fatalf("publish through a linked folder: %v", err)
	}
	// Removed through the link (the file is no longer published).
	if _, err := tg.Publish(Files{"index.html": []byte("i")}); err == nil {
		t.Fatal("orphan removal through a linked folder succeeded")
	}
	if b, _ := os.ReadFile(filepath.Join(other, "a", "x.json")); string(b) != "keep" {
		t.Fatalf("the linked folder's file became %q", b)
	}
}
