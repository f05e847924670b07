package build

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/publish"
)

// TestABuildWaitsForAnotherWritingTheSameFolder holds the output folder's
// lock as a running build does and checks that a build gives up at once,
// or after waiting, with a message naming the folder and the process, and
// writes nothing; once the lock is released, the next build runs.
func TestABuildWaitsForAnotherWritingTheSameFolder(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	// A change for the builds below to publish, if they ran.
	appendTo(t, filepath.Join(src, "content/reseau/badges/ambassadeur.md"), "\nEncore.\n")
	sum, manifest := treeHash(t, dest), manifestPath(src, dest)
	man, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	release, err := publish.Target{Dir: dest, Manifest: manifestPath(src, dest)}.Lock(-1, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(Options{Source: src, Destination: dest, LockWait: -1, Now: now})
	var le *publish.LockError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "(pid "+strconv.Itoa(os.Getpid())+") is writing "+dest) {
		t.Fatalf("build while another holds the folder: %v", err)
	}
	waited := 0
	start := time.Now()
	_, err = Run(Options{Source: src, Destination: dest, LockWait: 300 * time.Millisecond, Now: now,
		Waiting: func(d string, pid int) {
			if d == dest && pid == os.Getpid() {
				waited++
			}
		}})
	if !errors.As(err, &le) || waited != 1 || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("waiting build: %v (told %d times, after %v)", err, waited, time.Since(start))
	}
	if after, _ := os.ReadFile(manifest); treeHash(t, dest) != sum || !bytes.Equal(after, man) {
		t.Fatalf("a build that did not get the lock wrote to %s or its manifest", dest)
	}
	release()
	if res := mustBuild(t, Options{Source: src, Destination: dest, LockWait: -1}); res.Written == 0 {
		t.Fatalf("the build after the lock's release published nothing: %+v", res)
	}
}

// TestConcurrentBuildsLeaveOneWholeSite runs two builds of two base URLs
// into one folder at once. Before the lock they interleaved into a mixed
// site that later builds reported as up to date; now the second waits for
// the first and the folder equals a clean build of the one that ran last.
func TestConcurrentBuildsLeaveOneWholeSite(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow: several demo builds")
	}
	src := copyDemo(t)
	dest := filepath.Join(t.TempDir(), "site")
	bases := []string{"https://a.example.fr/", "https://b.example.fr/"}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, base := range bases {
		wg.Go(func() {
			_, errs[i] = Run(Options{Source: src, Destination: dest, BaseURL: base, Now: now, Force: true,
				Waiting: func(string, int) {}})
			mu.Lock()
			order = append(order, base)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	last := order[1]
	clean := filepath.Join(t.TempDir(), "clean")
	mustBuild(t, Options{Source: src, Destination: clean, BaseURL: last, Force: true})
	sameTree(t, dest, clean)
	// And the next normal build of the winner has nothing to do.
	res := mustBuild(t, Options{Source: src, Destination: dest, BaseURL: last})
	if res.Issued != 0 || res.Written != 0 || res.Removed != 0 {
		t.Fatalf("rebuild after the concurrent builds: %+v", res)
	}
	sameTree(t, dest, clean)
}

func sameTree(t *testing.T, got, want string) {
	t.Helper()
	a, b := readTree(t, got), readTree(t, want)
	n := 0
	for p := range b {
		if !bytes.Equal(a[p], b[p]) && n < 10 {
			t.Errorf("%s differs from a clean build", p)
			n++
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok && n < 10 {
			t.Errorf("%s is left over", p)
			n++
		}
	}
	if len(a) != len(b) {
		t.Errorf("%d files, a clean build has %d", len(a), len(b))
	}
}
