package statuslist

import (
	"testing"
	"time"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// A pinned vector, so the derivation cannot change unnoticed (that would
// move every published position). Cross-checked with Python's hmac module:
// int.from_bytes(hmac.new(secret, b"blason/status" + struct.pack(">Q", len(id)) + id + struct.pack(">I", 0), sha256).digest()[:8], "big") % 131072
func TestPlacementVector(t *testing.T) {
	l, _ := NewLedger(MinSize)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := l.Place(testSecret, []Item{{ID: "award-1", Date: t0}, {ID: "award-2", Date: t0}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"award-1": 47746, "award-2": 83914}
	for id, idx := range want {
		if got := l.Pos[id]; got != (Position{0, idx}) {
			t.Errorf("%s -> %v, want list 0 index %d", id, got, idx)
		}
	}
}

func TestPlacementNotSequential(t *testing.T) {
	l, _ := NewLedger(MinSize)
	if _, err := l.Place(testSecret, items(1000, time.Now(), "award")); err != nil {
		t.Fatal(err)
	}
	sum, lo, hi := 0, MinSize, 0
	for _, p := range l.Pos {
		sum += p.Index
		lo, hi = min(lo, p.Index), max(hi, p.Index)
	}
	mean := float64(sum) / 1000
	if d := mean - MinSize/2; d < -MinSize/10 || d > MinSize/10 || hi < MinSize*9/10 || lo > MinSize/10 {
		t.Errorf("indices span [%d, %d] with mean %.0f: not spread over the list", lo, hi, mean)
	}
}

func TestPlacementSecretMatters(t *testing.T) {
	a, _ := NewLedger(MinSize)
	b, _ := NewLedger(MinSize)
	in := items(50, time.Now(), "x")
	a.Place(testSecret, in)
	b.Place([]byte("another secret"), in)
	same := 0
	for k := range a.Pos {
		if a.Pos[k] == b.Pos[k] {
			same++
		}
	}
	if same > 2 {
		t.Fatalf("%d of 50 positions do not depend on the secret", same)
	}
	if _, err := a.Place(nil, in); err == nil {
		t.Fatal("an empty secret was accepted")
	}
}

func BenchmarkPlace(b *testing.B) {
	in := items(100000, time.Now(), "award")
	for b.Loop() {
		l, _ := NewLedger(524288)
		if _, err := l.Place(testSecret, in); err != nil {
			b.Fatal(err)
		}
	}
}
