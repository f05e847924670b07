package tlog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	sumtlog "golang.org/x/mod/sumdb/tlog"
)

// OpenCheckpoint checks a signed checkpoint against the log's verifier and
// parses it. Other signatures (witnesses' cosignatures) are ignored here.
func OpenCheckpoint(b []byte, v note.Verifier) (torchwood.Checkpoint, error) {
	n, err := note.Open(b, note.VerifierList(v))
	if err != nil {
		var unk *note.UnknownVerifierError
		var unv *note.UnverifiedNoteError
		if errors.As(err, &unk) || errors.As(err, &unv) {
			return torchwood.Checkpoint{}, fmt.Errorf("the checkpoint is not signed by the log's key %s", v.Name())
		}
		return torchwood.Checkpoint{}, fmt.Errorf("the checkpoint's signature does not verify: %w", err)
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		return c, err
	}
	if c.Origin != v.Name() {
		return c, fmt.Errorf("the checkpoint's origin %q is not the key's name %q", c.Origin, v.Name())
	}
	return c, nil
}

// ParseVKey returns the verifier of a vkey (name+hash+base64).
func ParseVKey(vkey string) (note.Verifier, error) {
	return note.NewVerifier(strings.TrimSpace(vkey))
}

// Dir reads a published log from a folder: it makes a folder a
// torchwood.TileReader.
type Dir string

// ReadTiles reads tiles from the folder.
func (d Dir) ReadTiles(_ context.Context, tiles []sumtlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(string(d), filepath.FromSlash(Path(t))))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// SaveTiles does nothing.
func (d Dir) SaveTiles([]sumtlog.Tile, [][]byte) {}

// ReadEndpoint reads a file of the folder.
func (d Dir) ReadEndpoint(_ context.Context, p string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(p)))
}

// Reader returns the reader of a published log: a URL (the log folder's,
// e.g. https://badges.example.org/log/) or a folder (a site's output
// folder or its log/ folder).
func Reader(where string) (torchwood.TileReader, error) {
	if strings.HasPrefix(where, "https://") || strings.HasPrefix(where, "http://") {
		if !strings.HasSuffix(where, "/") {
			where += "/"
		}
		return torchwood.NewTileFetcher(where, torchwood.WithUserAgent("blason-log"))
	}
	if _, err := os.Stat(filepath.Join(where, "log", "checkpoint")); err == nil {
		where = filepath.Join(where, "log")
	}
	if _, err := os.Stat(filepath.Join(where, "checkpoint")); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s holds no log checkpoint (neither checkpoint nor log/checkpoint)", where)
		}
		return nil, err
	}
	return Dir(where), nil
}

// Mirror is a published log read whole and checked: every entry bundle
// against the checkpoint's root, and every hash tile against the tree the
// entries make.
type Mirror struct {
	Checkpoint torchwood.Checkpoint
	Signed     []byte   // the checkpoint's note, with every signature
	Entries    [][]byte // every entry
	log        *Log
}

// ReadHashes makes Mirror a tlog.HashReader.
func (m *Mirror) ReadHashes(ix []int64) ([]sumtlog.Hash, error) { return m.log.ReadHashes(ix) }

// Fetch reads and checks the published log at r, signed by v. When prev
// (a checkpoint seen before) is not nil, the new tree must extend it.
func Fetch(ctx context.Context, r torchwood.TileReader, v note.Verifier, prev *torchwood.Checkpoint) (*Mirror, error) {
	signed, err := r.ReadEndpoint(ctx, "checkpoint")
	if err != nil {
		return nil, fmt.Errorf("reading the checkpoint: %w", err)
	}
	c, err := OpenCheckpoint(signed, v)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		switch {
		case c.N < prev.N:
			return nil, fmt.Errorf("the log shrank from %d to %d entries: history was rewritten", prev.N, c.N)
		case c.N == prev.N && c.Hash != prev.Hash:
			return nil, fmt.Errorf("the checkpoint of %d entries is not the one seen before at that size: the log forked", c.N)
		}
	}
	m := &Mirror{Checkpoint: c, Signed: signed, log: memLog()}
	// Every entry bundle, its entries hashed into a tree of our own.
	for _, t := range Tiles(c.N) {
		if t.L != -1 {
			continue
		}
		data, err := r.ReadTiles(ctx, []sumtlog.Tile{t})
		if err != nil {
			return nil, fmt.Errorf("entry bundle %s: %w", Path(t), err)
		}
		b := data[0]
		for range t.W {
			e, rest, err := torchwood.ReadTileEntry(b)
			if err != nil {
				return nil, fmt.Errorf("entry bundle %s: %w", Path(t), err)
			}
			if err := m.log.Append(e); err != nil {
				return nil, fmt.Errorf("entry bundle %s: %w", Path(t), err)
			}
			b = rest
		}
		if len(b) != 0 {
			return nil, fmt.Errorf("entry bundle %s: %d bytes after its %d entries", Path(t), len(b), t.W)
		}
	}
	if root := m.log.Root(); root != c.Hash {
		return nil, fmt.Errorf("the entries do not hash to the checkpoint's root (%d entries): an entry bundle was altered, or the checkpoint is not of this log", c.N)
	}
	for _, t := range Tiles(c.N) {
		if t.L == -1 {
			continue
		}
		data, err := r.ReadTiles(ctx, []sumtlog.Tile{t})
		if err != nil {
			return nil, fmt.Errorf("hash tile %s: %w", Path(t), err)
		}
		want, err := m.log.TileData(t)
		if err != nil {
			return nil, err
		}
		if string(data[0]) != string(want) {
			return nil, fmt.Errorf("hash tile %s does not match the tree of the checkpoint's entries: it was altered", Path(t))
		}
	}
	m.Entries = m.log.s.mem
	if prev != nil {
		if err := m.Extends(*prev); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Extends checks that the mirror's tree extends an earlier checkpoint,
// with the library's consistency proof.
func (m *Mirror) Extends(prev torchwood.Checkpoint) error {
	c := m.Checkpoint
	if prev.Origin != c.Origin {
		return fmt.Errorf("the log's origin changed from %q to %q", prev.Origin, c.Origin)
	}
	if prev.N > c.N {
		return fmt.Errorf("the log shrank from %d to %d entries: history was rewritten", prev.N, c.N)
	}
	proof, err := sumtlog.ProveTree(c.N, prev.N, m)
	if err != nil {
		return err
	}
	if err := sumtlog.CheckTree(proof, c.N, c.Hash, prev.N, prev.Hash); err != nil {
		return fmt.Errorf("the checkpoint of %d entries is not consistent with the one of %d seen before (a fork or a rewritten history): %w", c.N, prev.N, err)
	}
	return nil
}

// Find returns the index of the latest entry issuing a credential with the
// given SHA-256, -1 if none.
func (m *Mirror) Find(sha string) int64 {
	for i := len(m.Entries) - 1; i >= 0; i-- {
		if strings.Contains(string(m.Entries[i]), sha) {
			if e, err := ParseEntry(m.Entries[i]); err == nil && e.Event == Issued && e.SHA256 == sha {
				return int64(i)
			}
		}
	}
	return -1
}

// Prove returns the inclusion proof of entry i in the mirror's tree and
// checks it with the library's verifier.
func (m *Mirror) Prove(i int64) (sumtlog.RecordProof, error) {
	c := m.Checkpoint
	p, err := sumtlog.ProveRecord(c.N, i, m)
	if err != nil {
		return nil, err
	}
	if err := sumtlog.CheckRecord(p, c.N, c.Hash, i, sumtlog.RecordHash(m.Entries[i])); err != nil {
		return nil, fmt.Errorf("entry %d is not included in the checkpoint's tree: %w", i, err)
	}
	return p, nil
}

// Recover rebuilds a log's state folder from its published copy, checked
// against the checkpoint signed by the key at keyPath.
func Recover(ctx context.Context, r torchwood.TileReader, dir, keyPath string) (*Log, error) {
	s, v, vkey, err := ReadKey(keyPath)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, treeFile)); err == nil {
		return nil, fmt.Errorf("%s already holds a log; move it away first if it is damaged", dir)
	}
	m, err := Fetch(ctx, r, v, nil)
	if err != nil {
		return nil, err
	}
	l := &Log{Dir: dir, Origin: s.Name(), signer: s, Verify: v, VKey: vkey, idx: newIndex()}
	if err := l.startEmpty(); err != nil {
		return nil, err
	}
	if err := l.Append(m.Entries...); err != nil {
		l.Close()
		return nil, err
	}
	if err := l.Save(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Audit lists the suspicious entries of a log: a credential re-issued
// with a validFrom earlier than when it was first logged (back-dating), a
// status change of a credential never issued, a revocation lifted.
func Audit(entries [][]byte) []string {
	var out []string
	first := map[string]Entry{}
	revoked := map[string]bool{}
	for i, b := range entries {
		e, err := ParseEntry(b)
		if err != nil {
			out = append(out, fmt.Sprintf("entry %d: %v", i, err))
			continue
		}
		switch e.Event {
		case Issued:
			if f, ok := first[e.ID]; !ok {
				first[e.ID] = e
			} else if e.ValidFrom < f.ValidFrom {
				out = append(out, fmt.Sprintf("entry %d: credential %s re-issued valid from %s, before the %s it was first logged with: back-dated", i, e.ID, e.ValidFrom, f.ValidFrom))
			}
		case Revoked, Suspended, Lifted:
			if _, ok := first[e.ID]; !ok {
				out = append(out, fmt.Sprintf("entry %d: %s of credential %s, never logged as issued", i, e.Event, e.ID))
			}
			if e.Event == Lifted && revoked[e.ID] {
				out = append(out, fmt.Sprintf("entry %d: the revocation of credential %s is lifted: revocations are final", i, e.ID))
			}
			revoked[e.ID] = e.Event == Revoked
		}
	}
	return out
}

// WriteTo copies the mirror (checkpoint, key-less) into a folder, in the
// C2SP tlog-tiles layout.
func (m *Mirror) WriteTo(dir string) error {
	files := map[string][]byte{"checkpoint": m.Signed}
	for _, t := range Tiles(m.Checkpoint.N) {
		b, err := m.log.TileData(t)
		if err != nil {
			return err
		}
		files[Path(t)] = b
	}
	for p, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
