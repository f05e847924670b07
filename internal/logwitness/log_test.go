package logwitness

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// pubLog is a transparency log published in the C2SP layout by the test:
// entries hashed with golang.org/x/mod/sumdb/tlog, hash tiles and entry
// bundles of height 8 written with torchwood's paths, a checkpoint signed
// with a note key named by the origin.
type pubLog struct {
	origin  string
	signer  note.Signer
	vkey    string
	hashes  []tlog.Hash
	entries [][]byte
	prefix  string // the entries' text, so that two logs can fork
}

func newPubLog(t testing.TB, origin string) *pubLog {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &pubLog{origin: origin, signer: s, vkey: vkey, prefix: "entry"}
}

// ReadHashes makes pubLog a tlog.HashReader.
func (l *pubLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

func (l *pubLog) size() int64 { return int64(len(l.entries)) }

// grow appends entries until the log has n.
func (l *pubLog) grow(t testing.TB, n int64) {
	t.Helper()
	for l.size() < n {
		e := fmt.Appendf(nil, `{"event":"issued","id":"urn:uuid:%s-%d"}`, l.prefix, l.size())
		hs, err := tlog.StoredHashes(l.size(), e, l)
		if err != nil {
			t.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
		l.entries = append(l.entries, e)
	}
}

// signed is the log's signed checkpoint at its size.
func (l *pubLog) signed(t testing.TB) []byte {
	t.Helper()
	h, err := tlog.TreeHash(l.size(), l)
	if err != nil {
		t.Fatal(err)
	}
	text := torchwood.Checkpoint{Origin: l.origin, Tree: tlog.Tree{N: l.size(), Hash: h}}.String()
	b, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publish writes the log under site/log/: its key, every tile of its
// tree (full and partial) and its checkpoint.
func (l *pubLog) publish(t testing.TB, site string) {
	t.Helper()
	dir := filepath.Join(site, "log")
	write := func(name string, b []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tile := range tlog.NewTiles(torchwood.TileHeight, 0, l.size()) {
		data, err := tlog.ReadTileData(tile, l)
		if err != nil {
			t.Fatal(err)
		}
		write(torchwood.TilePath(tile), data)
		if tile.L == 0 {
			var bundle []byte
			for i := tile.N * torchwood.TileWidth; i < tile.N*torchwood.TileWidth+int64(tile.W); i++ {
				if bundle, err = torchwood.AppendTileEntry(bundle, l.entries[i]); err != nil {
					t.Fatal(err)
				}
			}
			et := tile
			et.L = -1
			write(torchwood.TilePath(et), bundle)
		}
	}
	write(KeyFile, []byte(l.vkey+"\n"))
	write(CheckpointFile, l.signed(t))
}
