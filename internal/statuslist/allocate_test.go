package statuslist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// makeItems returns n items with distinct IDs, dated one hour apart from
// start (several items share each date to exercise the ID tie-break).
func makeItems(prefix string, n int, start time.Time) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{ID: fmt.Sprintf("%s-%06d", prefix, i), Date: start.Add(time.Duration(i/3) * time.Hour)}
	}
	return items
}

func allocate(t testing.TB, a Allocator, items []Item) map[string]int {
	t.Helper()
	got, err := a.Allocate(items)
	if err != nil {
		t.Fatalf("Allocate(%d items): %v", len(items), err)
	}
	if len(got) != len(items) {
		t.Fatalf("Allocate returned %d indices for %d items", len(got), len(items))
	}
	return got
}

func TestAllocateDistinctInRange(t *testing.T) {
	for _, size := range []int{MinSize, MinSize + 8, 2 * MinSize} {
		a := Allocator{Secret: testSecret, Size: size}
		n := size / 4 // full load factor: many collisions
		got := allocate(t, a, makeItems("award", n, t0))
		seen := make(map[int]string, n)
		for id, idx := range got {
			if idx < 0 || idx >= size {
				t.Errorf("size %d: %s -> %d out of range", size, id, idx)
			}
			if other, dup := seen[idx]; dup {
				t.Errorf("size %d: %s and %s share index %d", size, id, other, idx)
			}
			seen[idx] = id
		}
	}
}

func TestAllocateDeterministic(t *testing.T) {
	a := Allocator{Secret: testSecret, Size: MinSize}
	items := makeItems("award", 5000, t0)
	want := allocate(t, a, items)
	r := rand.New(rand.NewPCG(1, 2))
	for range 3 {
		shuffled := slices.Clone(items)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := allocate(t, a, shuffled)
		for id, idx := range want {
			if got[id] != idx {
				t.Fatalf("shuffled input: %s -> %d, want %d", id, got[id], idx)
			}
		}
	}
	// Same instant in another time zone is the same date.
	paris := slices.Clone(items)
	loc := time.FixedZone("CET", 3600)
	for i := range paris {
		paris[i].Date = paris[i].Date.In(loc)
	}
	got := allocate(t, a, paris)
	for id, idx := range want {
		if got[id] != idx {
			t.Fatalf("time zone changed %s: %d, want %d", id, got[id], idx)
		}
	}
}

// A pinned vector, so the derivation cannot change unnoticed (that would
// move every published index).
func TestAllocateVector(t *testing.T) {
	a := Allocator{Secret: testSecret, Size: MinSize}
	got := allocate(t, a, []Item{{ID: "award-1", Date: t0}, {ID: "award-2", Date: t0}})
	p := newProber(testSecret, MinSize)
	p.start("award-1")
	if got["award-1"] != p.candidate(0) {
		t.Errorf("award-1 -> %d, want its first candidate %d", got["award-1"], p.candidate(0))
	}
	// Cross-checked with Python's hmac module:
	// int.from_bytes(hmac.new(secret, b"blason/status" + struct.pack(">Q", len(id)) + id + struct.pack(">I", 0), sha256).digest()[:8], "big") % 131072
	want := map[string]int{"award-1": 47746, "award-2": 83914}
	for id, idx := range want {
		if got[id] != idx {
			t.Errorf("%s -> %d, want %d", id, got[id], idx)
		}
	}
}

func TestAllocateSecretMatters(t *testing.T) {
	items := makeItems("award", 1000, t0)
	x := allocate(t, Allocator{Secret: testSecret, Size: MinSize}, items)
	y := allocate(t, Allocator{Secret: []byte("another secret"), Size: MinSize}, items)
	same := 0
	for id := range x {
		if x[id] == y[id] {
			same++
		}
	}
	// Expected about 1000/131072 coincidences.
	if same > 5 {
		t.Errorf("%d of 1000 indices unchanged under a different secret", same)
	}
}

func TestAllocateStableUnderLaterAdditions(t *testing.T) {
	a := Allocator{Secret: testSecret, Size: MinSize}
	all := makeItems("award", 5000, t0)
	// Make sure collisions actually occurred, otherwise the test is vacuous.
	final := allocate(t, a, all)
	p := newProber(testSecret, MinSize)
	moved := 0
	for _, it := range all {
		p.start(it.ID)
		if final[it.ID] != p.candidate(0) {
			moved++
		}
	}
	if moved < 20 {
		t.Fatalf("only %d items needed a second candidate; test exercises too few collisions", moved)
	}
	for _, n := range []int{1, 100, 2500, 4000, 4999} {
		prev := allocate(t, a, all[:n])
		next := allocate(t, a, all[:n+1]) // one later-dated (or same-date, greater-ID) item
		for id, idx := range prev {
			if next[id] != idx || final[id] != idx {
				t.Fatalf("n=%d: %s moved from %d to %d (final %d)", n, id, idx, next[id], final[id])
			}
		}
	}
}

func TestAllocateBackdated(t *testing.T) {
	a := Allocator{Secret: testSecret, Size: MinSize}
	base := makeItems("award", 5000, t0)
	before := allocate(t, a, base)
	taken := make(map[int]string, len(before))
	for id, idx := range before {
		taken[idx] = id
	}
	p := newProber(testSecret, MinSize)
	var free, colliding string
	for i := 0; free == "" || colliding == ""; i++ {
		id := fmt.Sprintf("old-%d", i)
		p.start(id)
		if _, hit := taken[p.candidate(0)]; hit {
			if colliding == "" {
				colliding = id
			}
		} else if free == "" {
			free = id
		}
	}
	old := t0.Add(-time.Hour)

	// First candidate unused by anyone: nothing moves.
	after := allocate(t, a, append(slices.Clone(base), Item{ID: free, Date: old}))
	for id, idx := range before {
		if after[id] != idx {
			t.Errorf("back-dated %s without collision moved %s from %d to %d", free, id, idx, after[id])
		}
	}

	// First candidate held by victim: the back-dated item takes it, the
	// victim moves, and only a chain of displaced items moves.
	after = allocate(t, a, append(slices.Clone(base), Item{ID: colliding, Date: old}))
	p.start(colliding)
	slot := p.candidate(0)
	victim := taken[slot]
	if after[colliding] != slot {
		t.Errorf("back-dated %s -> %d, want its first candidate %d", colliding, after[colliding], slot)
	}
	if after[victim] == slot {
		t.Errorf("victim %s still at %d", victim, slot)
	}
	changed := 0
	for id, idx := range before {
		if after[id] != idx {
			changed++
		}
	}
	if changed < 1 || changed > 10 {
		t.Errorf("back-dated collision moved %d items, want a short chain", changed)
	}
}

func TestAllocateNotSequential(t *testing.T) {
	a := Allocator{Secret: testSecret, Size: MinSize}
	got := allocate(t, a, makeItems("award", 1000, t0))
	idx := make([]int, 0, len(got))
	sum := 0
	for _, i := range got {
		idx = append(idx, i)
		sum += i
	}
	slices.Sort(idx)
	if idx[0] == 0 && idx[len(idx)-1] == len(idx)-1 {
		t.Errorf("indices are 0..%d", len(idx)-1)
	}
	mean := float64(sum) / float64(len(idx))
	// Uniform mean is Size/2 with a standard deviation of about 1200 here.
	if d := mean - MinSize/2; d < -MinSize/10 || d > MinSize/10 {
		t.Errorf("mean index %.0f is far from %d", mean, MinSize/2)
	}
	// Indices spread over the whole list, not clustered at the start.
	if idx[len(idx)-1] < MinSize*9/10 || idx[0] > MinSize/10 {
		t.Errorf("indices span [%d, %d], want most of [0, %d)", idx[0], idx[len(idx)-1], MinSize)
	}
}

func TestAllocateErrors(t *testing.T) {
	tests := []struct {
		name    string
		a       Allocator
		items   []Item
		wantMsg string
	}{
		{"load factor", Allocator{testSecret, MinSize}, makeItems("a", MinSize/4+1, t0), "statusListSize"},
		{"duplicate same date", Allocator{testSecret, MinSize}, []Item{{"x", t0}, {"y", t0}, {"x", t0}}, "duplicate"},
		{"duplicate other date", Allocator{testSecret, MinSize}, []Item{{"x", t0}, {"y", t0.Add(time.Hour)}, {"x", t0.Add(2 * time.Hour)}}, "duplicate"},
		{"empty ID", Allocator{testSecret, MinSize}, []Item{{"", t0}}, "empty ID"},
		{"empty secret", Allocator{nil, MinSize}, []Item{{"x", t0}}, "secret"},
		{"size too small", Allocator{testSecret, 1024}, []Item{{"x", t0}}, "minimum"},
		{"size not multiple of 8", Allocator{testSecret, MinSize + 3}, []Item{{"x", t0}}, "multiple of 8"},
		{"zero size", Allocator{testSecret, 0}, nil, "minimum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Allocate(tt.items)
			if err == nil {
				t.Fatalf("Allocate succeeded (%d indices), want error", len(got))
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
	// At exactly the cap, allocation succeeds.
	if _, err := (Allocator{testSecret, MinSize}).Allocate(makeItems("a", MinSize/4, t0)); err != nil {
		t.Errorf("Allocate at load factor cap: %v", err)
	}
	// The suggestion is a multiple of MinSize large enough for the items.
	_, err := (Allocator{testSecret, MinSize}).Allocate(makeItems("a", MinSize/4+1, t0))
	if !strings.Contains(err.Error(), fmt.Sprint(2*MinSize)) {
		t.Errorf("load factor error %q does not suggest %d", err, 2*MinSize)
	}
}

func TestAllocateEmpty(t *testing.T) {
	got := allocate(t, Allocator{testSecret, MinSize}, nil)
	if len(got) != 0 {
		t.Errorf("got %v", got)
	}
}

func BenchmarkAllocate(b *testing.B) {
	a := Allocator{Secret: testSecret, Size: 4 * MinSize}
	items := makeItems("award", 100000, t0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Allocate(items); err != nil {
			b.Fatal(err)
		}
	}
}
