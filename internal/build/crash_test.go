package build

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKilledBuildsLeaveWholeFiles kills builds (SIGKILL) at random moments
// while the content changes between runs, and checks that the site folder
// never holds a partial or stray file, then that the next build repairs
// everything: the site equals a clean build made from scratch, byte for byte.
func TestKilledBuildsLeaveWholeFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: several demo builds")
	}
	t.Parallel()
	src, dest := builtDemo(t)
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	edits := []func(){
		func() {
			appendTo(t, filepath.Join(src, "content/ecole-ingenieurs/badges/innovation.md"), "\nUne phrase de plus.\n")
		},
		func() { os.Remove(filepath.Join(src, "content/association/awards/saison-2023-2024.csv")) },
		func() { replaceIn(t, filepath.Join(src, "content/universite/_space.md"), "name: ", "name: Nouvelle ") },
		func() { appendTo(t, filepath.Join(src, "content/reseau/badges/ambassadeur.md"), "\nEncore.\n") },
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for i, edit := range edits {
		edit()
		cmd := exec.Command(self)
		// A forced build signs everything again: long enough to be killed midway.
		cmd.Env = append(os.Environ(), "BLASON_CHILD_BUILD_SOURCE="+src, "BLASON_CHILD_BUILD_DEST="+dest, "BLASON_CHILD_BUILD_FORCE=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wait := time.Duration(r.Intn(2500)+50) * time.Millisecond
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-exited:
			t.Logf("run %d finished before its kill at %v", i, wait)
		case <-time.After(wait):
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			killed++
			t.Logf("run %d killed after %v", i, wait)
		}
		checkWhole(t, dest)
	}
	if killed == 0 {
		t.Fatal("no build was killed: the test proved nothing")
	}
	// The next build repairs the rest.
	mustBuild(t, Options{Source: src, Destination: dest})
	checkWhole(t, dest)
	clean := filepath.Join(t.TempDir(), "clean")
	mustBuild(t, Options{Source: src, Destination: clean, Force: true})
	a, b := readTree(t, dest), readTree(t, clean)
	for p := range b {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s differs from a clean build", p)
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			t.Errorf("%s is left over", p)
		}
	}
}

// checkWhole fails on any temporary file in the site and any JSON or JWT
// file that is not whole.
func checkWhole(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(d.Name(), ".blason-") || strings.HasSuffix(d.Name(), ".tmp") {
			t.Errorf("stray temporary file %s", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			return nil
		}
		switch filepath.Ext(p) {
		case ".json":
			if !json.Valid(b) {
				t.Errorf("partial JSON file %s", p)
			}
		case ".jwt", ".jws":
			if strings.Count(string(b), ".") != 2 {
				t.Errorf("partial JWS file %s", p)
			}
		case ".html":
			if !bytes.HasSuffix(bytes.TrimSpace(b), []byte("</html>")) {
				t.Errorf("partial page %s", p)
			}
		}
		return nil
	})
}

func appendTo(t *testing.T, path, text string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(text)
	f.Close()
}

func replaceIn(t *testing.T, path, old, new string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644)
}
