package fileid

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestIdentityChangesWithTheBytes: a file rewritten with other bytes of the
// same size, its modification time put back, has another identity where
// the system gives a change time (Linux); a file left alone keeps its own.
func TestIdentityChangesWithTheBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "liste.csv")
	if err := os.WriteFile(p, []byte("email,badge\na@example.org,tutorat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	of := func() (ID, bool) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return Of(fi)
	}
	first, known := of()
	if again, _ := of(); again != first {
		t.Fatalf("identity of an untouched file changed: %+v then %+v", first, again)
	}
	if runtime.GOOS == "linux" && !known {
		t.Fatal("no known identity on Linux")
	}
	if !known {
		t.Skip("no change time on " + runtime.GOOS + ": every file is hashed")
	}
	mtime := time.Unix(0, first.Mtime)
	time.Sleep(10 * time.Millisecond) // the change time must be able to move
	if err := os.WriteFile(p, []byte("email,badge\nb@example.org,tutorat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	second, _ := of()
	if second.Size != first.Size || second.Mtime != first.Mtime {
		t.Fatalf("the test did not keep size and modification time: %+v, %+v", first, second)
	}
	if second == first {
		t.Fatal("a rewritten file kept its identity")
	}
}
