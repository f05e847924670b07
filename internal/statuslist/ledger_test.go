package statuslist

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func items(n int, from time.Time, prefix string) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{ID: fmt.Sprintf("%s%06d", prefix, i), Date: from.AddDate(0, 0, i%500)}
	}
	return out
}

func TestLedgerPositionsNeverMove(t *testing.T) {
	secret := []byte("ledger secret")
	l, err := NewLedger(MinSize)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	first := items(5000, day, "a")
	if n, err := l.Place(secret, first); err != nil || n != 5000 {
		t.Fatalf("Place = %d, %v", n, err)
	}
	before := map[string]Position{}
	for k, v := range l.Pos {
		before[k] = v
	}
	// Back-dated awards, and the removal of half the old ones, move nothing.
	backdated := items(2000, day.AddDate(-3, 0, 0), "b")
	if _, err := l.Place(secret, append(first[:2500:2500], backdated...)); err != nil {
		t.Fatal(err)
	}
	for k, v := range before {
		if l.Pos[k] != v {
			t.Fatalf("%s moved from %v to %v", k, v, l.Pos[k])
		}
	}
	seen := map[Position]string{}
	for k, v := range l.Pos {
		if other, dup := seen[v]; dup {
			t.Fatalf("%s and %s share %v", k, other, v)
		}
		seen[v] = k
		if v.Index < 0 || v.Index >= MinSize {
			t.Fatalf("%s at %v out of range", k, v)
		}
	}
}

func TestLedgerStartsNewListsWhenFull(t *testing.T) {
	l, _ := NewLedger(MinSize)
	quarter := MinSize / 4
	if _, err := l.Place([]byte("k"), items(quarter+10, time.Now(), "x")); err != nil {
		t.Fatal(err)
	}
	if l.Lists() != 2 {
		t.Fatalf("%d lists, want 2", l.Lists())
	}
	counts := map[int]int{}
	for _, p := range l.Pos {
		counts[p.List]++
	}
	if counts[0] != quarter || counts[1] != 10 {
		t.Fatalf("per list: %v", counts)
	}
}

func TestLedgerRoundTripAndDates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k", "status.ledger")
	l, _ := ReadLedger(path, MinSize)
	l.Place([]byte("k"), items(100, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "r"))
	l.Revoked["r000003"] = true
	if got := l.Date("revocation", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)); got != "2025-06-01T00:00:00Z" {
		t.Fatal(got)
	}
	if got := l.Date("revocation", time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)); got != "2025-06-01T00:00:00Z" {
		t.Fatalf("a list date went back to %s", got)
	}
	if err := l.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLedger(path, 262144) // the stored size wins
	if err != nil {
		t.Fatal(err)
	}
	if back.Size != MinSize || len(back.Pos) != 100 || !back.Revoked["r000003"] || back.Dates["revocation"] != "2025-06-01T00:00:00Z" {
		t.Fatalf("read back %d %d %v %v", back.Size, len(back.Pos), back.Revoked, back.Dates)
	}
	for k, v := range l.Pos {
		if back.Pos[k] != v {
			t.Fatalf("%s: %v then %v", k, v, back.Pos[k])
		}
	}
	b1, _ := os.ReadFile(path)
	back.Write(path)
	if b2, _ := os.ReadFile(path); string(b1) != string(b2) {
		t.Fatal("writing an unchanged ledger changed its bytes")
	}
}

func TestReadLedgerRejectsDamage(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"not a ledger":  "hello\n",
		"no size":       ledgerMagic + "\n",
		"shared":        ledgerMagic + "\nsize 131072\na 0 5\nb 0 5\n",
		"out of range":  ledgerMagic + "\nsize 131072\na 0 131072\n",
		"bad line":      ledgerMagic + "\nsize 131072\na b c d\n",
		"bad list size": ledgerMagic + "\nsize 1000\n",
		// Found by FuzzReadLedger: room was made for every list up to the
		// number written, so a damaged list number exhausted memory.
		"list beyond its positions": ledgerMagic + "\nsize 131072\na 4 1\n",
		"list far beyond":           ledgerMagic + "\nsize 131072\na 900000000 1\n",
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.WriteFile(p, []byte(text), 0o600)
		if _, err := ReadLedger(p, MinSize); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
