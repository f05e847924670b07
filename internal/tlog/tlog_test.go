package tlog

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/torchwood"
	sumtlog "golang.org/x/mod/sumdb/tlog"
)

// publish writes the log's checkpoint and every tile under dir, as a build does.
func publish(t testing.TB, l *Log, dir string) {
	t.Helper()
	cp, err := l.Published()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"checkpoint": cp}
	for _, tile := range Tiles(l.Size()) {
		b, err := l.TileData(tile)
		if err != nil {
			t.Fatal(err)
		}
		files[Path(tile)] = b
	}
	for p, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func entry(i int) []byte {
	return Entry{Event: Issued, Space: "s", ID: fmt.Sprintf("a%06d", i), SHA256: Hash(fmt.Appendf(nil, "cred %d", i)), Key: "eddsa-k", ValidFrom: "2026-01-01T00:00:00Z"}.Marshal()
}

func newLog(t testing.TB) (*Log, string) {
	t.Helper()
	root := t.TempDir()
	l, err := Open(filepath.Join(root, "state"), filepath.Join(root, "keys", KeyFile), "badges.example.org/log", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l, root
}

// TestProofsAcrossBuilds grows a log build after build; at each size every
// inclusion proof and the consistency proof with every earlier checkpoint
// pass the library's verifier, and the reloaded state is the same log.
func TestProofsAcrossBuilds(t *testing.T) {
	l, root := newLog(t)
	var seen []torchwood.Checkpoint
	n := 0
	for _, size := range []int{1, 2, 3, 7, 255, 256, 257, 600, 1000} {
		for ; n < size; n++ {
			if err := l.Append(entry(n)); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Save(); err != nil {
			t.Fatal(err)
		}
		// Reload from the state folder.
		var err error
		l, err = Open(l.Dir, filepath.Join(root, "keys", KeyFile), "", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l.Size() != int64(size) {
			t.Fatalf("reloaded size %d, want %d", l.Size(), size)
		}
		site := filepath.Join(root, fmt.Sprint("site", size))
		publish(t, l, site)
		m, err := Fetch(context.Background(), Dir(site), l.Verify, nil)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		for _, prev := range seen {
			if err := m.Extends(prev); err != nil {
				t.Fatalf("size %d extends %d: %v", size, prev.N, err)
			}
		}
		for i := int64(0); i < int64(size); i++ {
			p, err := m.Prove(i)
			if err != nil {
				t.Fatal(err)
			}
			if err := sumtlog.CheckRecord(p, m.Checkpoint.N, m.Checkpoint.Hash, i, sumtlog.RecordHash(entry(int(i)))); err != nil {
				t.Fatalf("entry %d of %d: %v", i, size, err)
			}
		}
		seen = append(seen, m.Checkpoint)
	}
}

// TestReferenceReader reads the published folder through an HTTP file
// server with torchwood's tile client, which checks the C2SP paths, the
// entry bundles' encoding and the hash tiles against the checkpoint.
func TestReferenceReader(t *testing.T) {
	l, root := newLog(t)
	for i := range 700 {
		if err := l.Append(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	site := filepath.Join(root, "site")
	publish(t, l, site)
	// Layout: paths and sizes as C2SP tlog-tiles says.
	for p, size := range map[string]int{"tile/0/000": 256 * 32, "tile/0/001": 256 * 32, "tile/0/002.p/188": 188 * 32, "tile/1/000.p/2": 2 * 32} {
		fi, err := os.Stat(filepath.Join(site, p))
		if err != nil || fi.Size() != int64(size) {
			t.Errorf("%s: %v, size %v, want %d", p, err, fi, size)
		}
	}
	if _, err := os.Stat(filepath.Join(site, "tile/entries/002.p/188")); err != nil {
		t.Error(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer srv.Close()
	f, err := torchwood.NewTileFetcher(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	cpb, err := f.ReadEndpoint(context.Background(), "checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenCheckpoint(cpb, l.Verify)
	if err != nil {
		t.Fatal(err)
	}
	client, err := torchwood.NewClient(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int64{0, 255, 256, 511, 699} {
		e, _, err := client.Entry(context.Background(), c.Tree, i)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e, entry(int(i))) {
			t.Fatalf("entry %d: %q", i, e)
		}
	}
	n := 0
	for i, e := range client.Entries(context.Background(), c.Tree, 0) {
		if !bytes.Equal(e, entry(int(i))) {
			t.Fatalf("entry %d: %q", i, e)
		}
		n++
	}
	if err := client.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 512 { // torchwood leaves the trailing partial bundle for later
		t.Logf("read %d entries", n)
	}
	// Our reader through HTTP too.
	r, err := Reader(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(context.Background(), r, l.Verify, nil); err != nil {
		t.Fatal(err)
	}
}

// TestTamperingDetected: an edited hash tile or entry bundle, a dropped
// tile, a forked checkpoint and a shrunk log are each refused.
func TestTamperingDetected(t *testing.T) {
	l, root := newLog(t)
	for i := range 300 {
		if err := l.Append(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	good := filepath.Join(root, "good")
	publish(t, l, good)
	prev, err := Fetch(context.Background(), Dir(good), l.Verify, nil)
	if err != nil {
		t.Fatal(err)
	}
	fork, _ := Open(filepath.Join(root, "fork"), filepath.Join(root, "keys", KeyFile), "", false, nil)
	for i := range 300 {
		e := entry(i)
		if i == 100 {
			e = Entry{Event: Issued, Space: "s", ID: "a000100", SHA256: Hash([]byte("other")), ValidFrom: "2025-01-01T00:00:00Z"}.Marshal()
		}
		if err := fork.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	forkGrown, _ := Open(filepath.Join(root, "fork2"), filepath.Join(root, "keys", KeyFile), "", false, nil)
	for i := range 320 {
		e := entry(i)
		if i == 100 {
			e = entry(1000)
		}
		if err := forkGrown.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	for i := 300; i < 310; i++ {
		if err := l.Append(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		change func(dir string)
		want   string
	}{
		{"edited hash tile", func(dir string) { flip(t, filepath.Join(dir, "tile/0/000")) }, "altered"},
		{"edited entry bundle", func(dir string) { flip(t, filepath.Join(dir, "tile/entries/000")) }, ""},
		{"dropped tile", func(dir string) { os.Remove(filepath.Join(dir, "tile/0/001.p/54")) }, "001.p/54"},
		{"forked checkpoint", func(dir string) { publish(t, fork, dir) }, "the log forked"},
		{"forked and grown", func(dir string) { publish(t, forkGrown, dir) }, "not consistent"},
		{"unknown key", func(dir string) {
			other, _ := newLog(t)
			other.Append(entry(0))
			cp, _ := other.Checkpoint()
			os.WriteFile(filepath.Join(dir, "checkpoint"), cp, 0o644)
		}, "not signed by the log's key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "site")
			publish(t, l, dir)
			c.change(dir)
			_, err := Fetch(context.Background(), Dir(dir), l.Verify, &prev.Checkpoint)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	// A shrunk log: the earlier, larger checkpoint was seen first.
	big, _ := Fetch(context.Background(), Dir(func() string { d := t.TempDir(); publish(t, l, d); return d }()), l.Verify, nil)
	if _, err := Fetch(context.Background(), Dir(good), l.Verify, &big.Checkpoint); err == nil || !strings.Contains(err.Error(), "shrank") {
		t.Fatalf("shrunk log: %v", err)
	}
}

func flip(t *testing.T, p string) {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[40] ^= 1
	os.WriteFile(p, b, 0o644)
}

// TestRefusals: a new key over existing state, new state over a published
// log, and recovery from the published tiles.
func TestRefusalsAndRecover(t *testing.T) {
	l, root := newLog(t)
	for i := range 20 {
		l.Append(entry(i))
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(root, "site")
	publish(t, l, site)
	key := filepath.Join(root, "keys", KeyFile)
	os.Rename(key, key+".away")
	if _, err := Open(l.Dir, key, "x/log", true, nil); err == nil || !strings.Contains(err.Error(), "blason keys restore") {
		t.Fatalf("no key: %v", err)
	}
	os.Rename(key+".away", key)
	os.RemoveAll(l.Dir)
	if _, err := Open(l.Dir, key, "x/log", true, nil); err == nil || !strings.Contains(err.Error(), "blason log recover") {
		t.Fatalf("no state: %v", err)
	}
	r, err := Reader(site)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Recover(context.Background(), r, l.Dir, key)
	if err != nil {
		t.Fatal(err)
	}
	if back.Size() != 20 || back.Root() != l.Root() || func() bool { c, _ := back.Cred("a000007"); return c.First != 7 }() {
		t.Fatalf("recovered %d entries", back.Size())
	}
	again, err := Open(l.Dir, key, "", true, nil)
	if err != nil || again.Size() != 20 {
		t.Fatalf("reopened: %v", err)
	}
}

// TestCosignedCheckpoint: the witnesses' copy is published when it is of
// the same tree, the log's own otherwise.
func TestCosignedCheckpoint(t *testing.T) {
	l, _ := newLog(t)
	l.Append(entry(0))
	own, _ := l.Checkpoint()
	co := append(bytes.Clone(own), []byte("— witness.example/w AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")...)
	os.MkdirAll(l.Dir, 0o755)
	os.WriteFile(filepath.Join(l.Dir, CosignedFile), co, 0o644)
	got, _ := l.Published()
	if !bytes.Equal(got, co) {
		t.Fatalf("published %q", got)
	}
	l.Append(entry(1))
	got, _ = l.Published()
	if bytes.Equal(got, co) {
		t.Fatal("a cosigned checkpoint of an older tree was published")
	}
}

func BenchmarkAppend(b *testing.B) {
	l, _ := newLog(b)
	b.ResetTimer()
	for i := range b.N {
		if err := l.Append(entry(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProve: an inclusion proof in a log of 1,000,000 entries.
func BenchmarkProve(b *testing.B) {
	l, _ := newLog(b)
	const n = 1_000_000
	for i := range n {
		l.Append(entry(i))
	}
	b.ResetTimer()
	for i := range b.N {
		x := int64(i*7919) % n
		p, err := sumtlog.ProveRecord(n, x, l)
		if err != nil {
			b.Fatal(err)
		}
		e, err := l.Entry(x)
		if err != nil {
			b.Fatal(err)
		}
		if err := sumtlog.CheckRecord(p, n, l.Root(), x, sumtlog.RecordHash(e)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenMillion: loading the state of a log of 1,000,000 entries
// (what every build does first) and making all its tiles (a --force build).
func BenchmarkOpenMillion(b *testing.B) {
	l, root := newLog(b)
	const n = 1_000_000
	for i := range n {
		l.Append(entry(i))
	}
	if err := l.Save(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		l2, err := Open(l.Dir, filepath.Join(root, "keys", KeyFile), "", true, nil)
		if err != nil || l2.Size() != n {
			b.Fatal(err)
		}
		for _, t := range Tiles(n) {
			if _, err := l2.TileData(t); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestIndexSurvivesReplay: the index a build saves and the one replayed
// from the entries (its file gone, or of another size after a killed
// build) say the same of every credential, status and key, except the
// private action keys, which only the saved one knows.
func TestIndexSurvivesReplay(t *testing.T) {
	l, root := newLog(t)
	key := filepath.Join(root, "keys", KeyFile)
	for i := range 600 {
		e := Entry{Event: Issued, Space: "s", ID: fmt.Sprintf("a%03d", i%400), Key: "k", ValidFrom: fmt.Sprintf("2026-01-%02dT00:00:00Z", 1+i/400)}
		if err := l.Add(e, fmt.Sprint("action ", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []Entry{
		{Event: Revoked, Space: "s", ID: "a001"}, {Event: Suspended, Space: "s", ID: "a002"}, {Event: Lifted, Space: "s", ID: "a002"},
		{Event: KeyAdded, Space: "s", ID: "k"}, {Event: KeyRetired, Space: "s", ID: "k"}, {Event: KeyAdded, Space: "s", ID: "k2"},
	} {
		if err := l.Add(e, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	// Add writes what Marshal does.
	if b, err := l.Entry(600); err != nil || !bytes.Equal(b, Entry{Event: Revoked, Space: "s", ID: "a001"}.Marshal()) {
		t.Fatalf("entry 600: %q, %v", b, err)
	}
	// A killed build: entries appended, never signed.
	l.Add(Entry{Event: Issued, Space: "s", ID: "tail", ValidFrom: "2026-02-01T00:00:00Z"}, "x")
	l.s.sync()
	saved, err := Open(l.Dir, key, "", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if saved.stale || saved.Size() != 606 {
		t.Fatalf("saved index: stale %v, size %d", saved.stale, saved.Size())
	}
	defer saved.Close()
	os.Remove(filepath.Join(l.Dir, indexFile))
	replayed, err := Open(l.Dir, key, "", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !replayed.stale || replayed.Size() != 606 || replayed.Root() != saved.Root() {
		t.Fatalf("replayed: stale %v, size %d", replayed.stale, replayed.Size())
	}
	n := 0
	for id, c := range saved.Creds() {
		r, ok := replayed.Cred(id)
		if !ok || r.First != c.First || r.ValidFrom != c.ValidFrom {
			t.Fatalf("%s: saved %+v, replayed %+v", id, c, r)
		}
		if _, known := r.Same("x"); known {
			t.Fatalf("%s: a replayed index knows an action key", id)
		}
		n++
	}
	a5, _ := saved.Cred("a005")
	if n != 400 || a5.First != 5 || a5.ValidFrom != "2026-01-02T00:00:00Z" {
		t.Fatalf("%d credentials; a005 = %+v", n, a5)
	}
	if same, known := a5.Same("action 405"); !same || !known {
		t.Fatal("the saved index lost a credential's action key")
	}
	if _, ok := saved.Cred("tail"); ok {
		t.Fatal("an unsigned entry was loaded")
	}
	for _, lg := range []*Log{saved, replayed} {
		if lg.Status("a001") != Revoked || lg.Status("a002") != "" || lg.KeyEvent("s", "k") != KeyRetired || lg.KeyEvent("s", "k2") != KeyAdded {
			t.Fatal("statuses or keys differ")
		}
	}
	// Saving the replayed log writes the index again; its tiles are those
	// of the saved one.
	if err := replayed.Save(); err != nil {
		t.Fatal(err)
	}
	for _, tile := range Tiles(606) {
		a, err1 := saved.TileData(tile)
		b, err2 := replayed.TileData(tile)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("tile %s differs (%v, %v)", Path(tile), err1, err2)
		}
	}
}
