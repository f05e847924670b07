package publish

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func read(t *testing.T, dir, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPublishIsIdempotentAndRemovesOrphans(t *testing.T) {
	root := t.TempDir()
	tg := Target{Dir: filepath.Join(root, "site"), Manifest: filepath.Join(root, "state", "manifest.json")}
	steps := []struct {
		name  string
		files Files
		want  Stats
	}{
		{"first build writes everything", Files{"index.html": []byte("a"), "s/a/x.json": []byte("x"), "s/b.json": []byte("b")}, Stats{Files: 3, Written: 3}},
		{"same bytes write nothing", Files{"index.html": []byte("a"), "s/a/x.json": []byte("x"), "s/b.json": []byte("b")}, Stats{Files: 3, Unchanged: 3}},
		{"one change, one orphan", Files{"index.html": []byte("A"), "s/b.json": []byte("b")}, Stats{Files: 2, Written: 1, Unchanged: 1, Removed: 1}},
	}
	// A file the user placed in the output folder is never touched.
	os.MkdirAll(tg.Dir, 0o755)
	os.WriteFile(filepath.Join(tg.Dir, "CNAME"), []byte("badges.example.fr"), 0o644)
	for _, st := range steps {
		got, err := tg.Publish(st.files)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Fatalf("%s: stats %+v, want %+v", st.name, got, st.want)
		}
		for p, b := range st.files {
			if read(t, tg.Dir, p) != string(b) {
				t.Fatalf("%s: %s not written", st.name, p)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(tg.Dir, "s", "a")); !os.IsNotExist(err) {
		t.Error("the orphan's emptied folder was kept")
	}
	if read(t, tg.Dir, "CNAME") != "badges.example.fr" {
		t.Error("a file no build published was changed")
	}
	left, _ := filepath.Glob(filepath.Join(tg.Dir, ".blason-*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestPublishRefusesEscapingPaths(t *testing.T) {
	root := t.TempDir()
	tg := Target{Dir: filepath.Join(root, "site"), Manifest: filepath.Join(root, "m.json")}
	for _, p := range []string{"../x", "/etc/x", "a/../../x", "", "a//b"} {
		if _, err := tg.Publish(Files{p: []byte("x")}); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
}

func TestWriteAtomicReplaces(t *testing.T) {
	f := filepath.Join(t.TempDir(), "d", "f.json")
	for _, s := range []string{"old", "new"} {
		if err := WriteAtomic(f, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(f); string(b) != "new" {
		t.Fatalf("got %q", b)
	}
	if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
}

// A path no earlier build published may still exist (put there by hand, or
// by a killed build): it is compared, then replaced or left as it is.
func TestFirstPublicationOverExistingFiles(t *testing.T) {
	for _, tc := range []struct {
		name, old string
		want      Stats
	}{
		{"different bytes are replaced", "hand-made", Stats{Files: 2, Written: 2}},
		{"same bytes are left", "x", Stats{Files: 2, Written: 1, Unchanged: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tg := Target{Dir: filepath.Join(root, "site"), Manifest: filepath.Join(root, "m.json")}
			os.MkdirAll(filepath.Join(tg.Dir, "c"), 0o755)
			os.WriteFile(filepath.Join(tg.Dir, "c", "x.json"), []byte(tc.old), 0o600)
			got, err := tg.Publish(Files{"c/x.json": []byte("x"), "c/y.json": []byte("y")})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("stats %+v, want %+v", got, tc.want)
			}
			for p, want := range map[string]string{"c/x.json": "x", "c/y.json": "y"} {
				if read(t, tg.Dir, p) != want {
					t.Errorf("%s holds %q, want %q", p, read(t, tg.Dir, p), want)
				}
			}
			if fi, _ := os.Stat(filepath.Join(tg.Dir, "c", "y.json")); fi.Mode().Perm() != 0o644 {
				t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
			}
			if ents, _ := os.ReadDir(filepath.Join(tg.Dir, "c")); len(ents) != 2 {
				t.Errorf("folder holds %d entries, want 2", len(ents))
			}
		})
	}
}

// Each way of writing a new file gives the same folder: new files whole
// with mode 0644, existing ones replaced or left as they are, no
// temporary file anywhere.
func TestEveryWayOfWritingNewFiles(t *testing.T) {
	for _, way := range []struct {
		name      string
		noUnnamed bool
	}{{"unnamed", false}, {"compare-first", true}} {
		t.Run(way.name, func(t *testing.T) {
			root := t.TempDir()
			tg := Target{Dir: filepath.Join(root, "site"), Manifest: filepath.Join(root, "m.json")}
			os.MkdirAll(filepath.Join(tg.Dir, "c"), 0o755)
			os.WriteFile(filepath.Join(tg.Dir, "c", "old.json"), []byte("hand-made"), 0o600)
			os.WriteFile(filepath.Join(tg.Dir, "c", "same.json"), []byte("same"), 0o600)
			next := NewManifest()
			files := Files{"c/new.json": []byte("new"), "c/old.json": []byte("build"), "c/same.json": []byte("same"), "d/e/f.json": []byte("deep")}
			for p := range files {
				next.Files[p] = true
			}
			s, err := tg.Begin(NewManifest(), next, nil)
			if err != nil {
				t.Fatal(err)
			}
			s.noUnnamed.Store(way.noUnnamed)
			for p, b := range files {
				if err := s.Put(p, b); err != nil {
					t.Fatal(err)
				}
			}
			if !way.noUnnamed && s.noUnnamed.Load() && runtime.GOOS == "linux" {
				t.Error("the file system of the temporary folder has no unnamed files: this way was not tested")
			}
			st, err := s.Finish()
			if err != nil {
				t.Fatal(err)
			}
			if want := (Stats{Files: 4, Written: 3, Unchanged: 1}); st != want {
				t.Errorf("stats %+v, want %+v", st, want)
			}
			for p, b := range files {
				if got := read(t, tg.Dir, p); got != string(b) {
					t.Errorf("%s holds %q, want %q", p, got, b)
				}
			}
			for _, p := range []string{"c/new.json", "c/old.json", "d/e/f.json"} {
				if fi, _ := os.Stat(filepath.Join(tg.Dir, filepath.FromSlash(p))); fi.Mode().Perm() != 0o644 {
					t.Errorf("%s: mode %v, want 0644", p, fi.Mode().Perm())
				}
			}
			filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && filepath.Ext(p) == ".tmp" {
					t.Errorf("temporary file left: %s", p)
				}
				return nil
			})
		})
	}
}

func cloneManifest(m *Manifest) *Manifest {
	c := NewManifest()
	maps.Copy(c.Files, m.Files)
	maps.Copy(c.Groups, m.Groups)
	maps.Copy(c.Dirs, m.Dirs)
	return c
}

func sameManifest(a, b *Manifest) bool {
	return maps.Equal(a.Files, b.Files) && maps.Equal(a.Groups, b.Groups) && maps.Equal(a.Dirs, b.Dirs)
}

// save saves next over prev as Finish does, the groups compared here.
func save(tg Target, prev, next *Manifest) error {
	var differ []string
	for id, g := range next.Groups {
		if old, ok := prev.Groups[id]; !ok || old != g {
			differ = append(differ, id)
		}
	}
	gone := false
	for id := range prev.Groups {
		if _, ok := next.Groups[id]; !ok {
			gone = true
		}
	}
	return tg.saveManifest(prev, next, differ, gone)
}

func everyKey(m *Manifest) {
	for id, g := range m.Groups {
		g.Key += "'"
		m.Groups[id] = g
	}
}

// Small changes are appended to the manifest, big ones and removals
// rewrite it (nothing gone may linger in it); either
// way it reads back as what was saved, and a line cut short by a killed
// build is skipped.
func TestManifestAppendsSmallChanges(t *testing.T) {
	dir := t.TempDir()
	tg := Target{Dir: filepath.Join(dir, "site"), Manifest: filepath.Join(dir, "m")}
	m := NewManifest()
	for i := range 200 {
		m.Groups[fmt.Sprintf("id%03d", i)] = Group{Space: "sp", Flags: "hcj", Key: fmt.Sprintf("k%d", i)}
	}
	m.Files["index.html"], m.Files["a/b.json"] = true, true
	m.Dirs["sp/c/aa"], m.Dirs["sp/c/bb"] = 1, 2
	if err := tg.writeManifest(m); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		change func(*Manifest)
		append bool
	}{
		{"one key", func(m *Manifest) { m.Groups["id007"] = Group{Space: "sp", Flags: "hcj", Key: "new"} }, true},
		{"removals", func(m *Manifest) {
			delete(m.Groups, "id008")
			delete(m.Files, "a/b.json")
			delete(m.Dirs, "sp/c/bb")
		}, false},
		{"additions", func(m *Manifest) {
			m.Groups["new"] = Group{Space: "sp", Flags: "hc"}
			m.Files["c.json"] = true
			m.Dirs["sp/c/cc"] = 3
		}, true},
		{"a file replaced by another (a log's partial tile)", func(m *Manifest) {
			delete(m.Files, "c.json")
			m.Files["d.json"] = true
		}, true},
		{"every key", everyKey, true},
		{"every key again: the file would hold twice what is live", everyKey, false},
		{"one key after the rewrite", func(m *Manifest) { m.Groups["id007"] = Group{Space: "sp", Flags: "hcj", Key: "newer"} }, true},
	}
	for _, st := range steps {
		prev, err := tg.ReadManifest()
		if err != nil {
			t.Fatal(err)
		}
		next := cloneManifest(prev)
		st.change(next)
		before, _ := os.ReadFile(tg.Manifest)
		if err := save(tg, prev, next); err != nil {
			t.Fatal(err)
		}
		after, _ := os.ReadFile(tg.Manifest)
		if appended := bytes.HasPrefix(after, before) && len(after) > len(before); appended != st.append {
			t.Errorf("%s: appended %v, want %v", st.name, appended, st.append)
		}
		if bytes.Contains(after, []byte("id008 ")) && next.Groups["id008"] == (Group{}) {
			t.Errorf("%s: a removed group lingers in the file", st.name)
		}
		got, err := tg.ReadManifest()
		if err != nil {
			t.Fatal(err)
		}
		if !sameManifest(got, next) {
			t.Errorf("%s: the manifest reads back differently", st.name)
		}
	}
	// A build killed while appending leaves a cut line: skipped, and the
	// next save rewrites the file.
	f, _ := os.OpenFile(tg.Manifest, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("g id001 sp hc")
	f.Close()
	prev, err := tg.ReadManifest()
	if err != nil {
		t.Fatalf("a cut last line: %v", err)
	}
	if prev.Groups["id001"].Flags != "hcj" || prev.appendable {
		t.Errorf("the cut line was read (%+v) or the file is still appended to", prev.Groups["id001"])
	}
	if err := save(tg, prev, prev); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(tg.Manifest); !bytes.HasSuffix(b, []byte("\n")) {
		t.Error("the cut line is still there")
	}
}
