// Package logtest publishes small transparency logs in the C2SP layout for
// tests: entries hashed with golang.org/x/mod/sumdb/tlog, hash tiles and
// entry bundles of height 8 at torchwood's paths under <site>/log/, the
// log's key in <site>/log/key and its signed checkpoint in
// <site>/log/checkpoint.
package logtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Log is a transparency log, its checkpoints signed with a note key named
// by its origin.
type Log struct {
	Origin  string
	VKey    string
	signer  note.Signer
	hashes  []tlog.Hash
	entries [][]byte
	// Prefix is written in the entries appended from now on: two logs of
	// the same key with different prefixes fork.
	Prefix string
}

// New is an empty log of a new key.
func New(t testing.TB, origin string) *Log {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &Log{Origin: origin, signer: s, VKey: vkey, Prefix: "entry"}
}

// Clone is an empty log of the same key and origin (to fork it, or to
// publish it again at a smaller size).
func (l *Log) Clone() *Log {
	return &Log{Origin: l.Origin, signer: l.signer, VKey: l.VKey, Prefix: "entry"}
}

// ReadHashes makes Log a tlog.HashReader.
func (l *Log) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// Size is the number of entries.
func (l *Log) Size() int64 { return int64(len(l.entries)) }

// Grow appends entries until the log has n.
func (l *Log) Grow(t testing.TB, n int64) {
	t.Helper()
	for l.Size() < n {
		e := fmt.Appendf(nil, `{"event":"issued","id":"urn:uuid:%s-%d"}`, l.Prefix, l.Size())
		hs, err := tlog.StoredHashes(l.Size(), e, l)
		if err != nil {
			t.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
		l.entries = append(l.entries, e)
	}
}

// Signed is the log's signed checkpoint at its size.
func (l *Log) Signed(t testing.TB) []byte {
	t.Helper()
	return l.SignedAt(t, l.Size())
}

// SignedAt is the log's signed checkpoint at size n (at most its size).
func (l *Log) SignedAt(t testing.TB, n int64) []byte {
	t.Helper()
	h, err := tlog.TreeHash(n, l)
	if err != nil {
		t.Fatal(err)
	}
	return l.Sign(t, torchwood.Checkpoint{Origin: l.Origin, Tree: tlog.Tree{N: n, Hash: h}}.String())
}

// Sign signs any text with the log's key.
func (l *Log) Sign(t testing.TB, text string) []byte {
	t.Helper()
	b, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Proof is the consistency proof from size old to size n (the shape of
// witness.Client's Proof).
func (l *Log) Proof(_ context.Context, old, n int64) (tlog.TreeProof, error) {
	return tlog.ProveTree(n, old, l)
}

// MustProof is Proof, failing the test on error.
func (l *Log) MustProof(t testing.TB, old, n int64) tlog.TreeProof {
	t.Helper()
	p, err := tlog.ProveTree(n, old, l)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Verifier is the log's note verifier.
func (l *Log) Verifier(t testing.TB) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(l.VKey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Publish writes the log under site/log/: its key, every tile of its
// tree (full and partial) and its checkpoint.
func (l *Log) Publish(t testing.TB, site string) {
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
	for _, tile := range tlog.NewTiles(torchwood.TileHeight, 0, l.Size()) {
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
	write("key", []byte(l.VKey+"\n"))
	write("checkpoint", l.Signed(t))
}
