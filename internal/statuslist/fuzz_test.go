package statuslist

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzReadLedger reads arbitrary ledger files: no panic, no runaway
// allocation, errors name the file (and the line, for a line that cannot
// be read); a ledger read whole writes back to a file that reads as the
// same ledger.
func FuzzReadLedger(f *testing.F) {
	for _, s := range []string{
		ledgerMagic + "\nsize 131072\ndate revocation 2025-01-01T00:00:00Z\nrevoked aaaa\naaaa 0 5\nbbbb 1 7\n",
		ledgerMagic + "\nsize 131072\naaaa 0 5\nbbbb 0 5\n",
		ledgerMagic + "\nsize 131072\naaaa 0 131072\n",
		ledgerMagic + "\nsize 100\n",
		ledgerMagic + "\naaaa 0 1\n",
		ledgerMagic + "\nsize 131072\naaaa -1 1\n",
		ledgerMagic + "\nsize 131072\naaaa 4 1\n",
		"blason-status-ledger 2\n",
		ledgerMagic + "\nsize 131072\nsize 262144\n",
		ledgerMagic + "\nsize 131072\nx y z w\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		path := filepath.Join(dir, "in.ledger")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := ReadLedger(path, MinSize)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path+":") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(l.used) > len(l.Pos)+1 {
			t.Fatalf("%d lists for %d positions", len(l.used), len(l.Pos))
		}
		out := filepath.Join(dir, "out.ledger")
		os.Remove(out)
		l.changed = true
		if err := l.Write(out); err != nil {
			t.Fatal(err)
		}
		back, err := ReadLedger(out, MinSize)
		if err != nil {
			t.Fatalf("the ledger written back does not read: %v", err)
		}
		if back.Size != l.Size || !reflect.DeepEqual(back.Pos, l.Pos) || !reflect.DeepEqual(back.Revoked, l.Revoked) || !reflect.DeepEqual(back.Dates, l.Dates) {
			t.Fatalf("round trip changed the ledger:\n%+v\n%+v", l, back)
		}
	})
}
