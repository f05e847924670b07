// Package logwitness has the published checkpoint of a site's transparency
// log cosigned by the witnesses of a policy, and checks that a published
// checkpoint carries the cosignatures a policy requires.
//
// It works on the log as it is published (C2SP tlog-tiles, height 8, under
// <site>/log/: the signed checkpoint, the log's verifier key, the hash
// tiles), read from a folder or from a URL, never on the log's private
// state: what a witness is asked to cosign and what a verifier checks are
// the same bytes. Consistency proofs for the witnesses (C2SP tlog-witness)
// are computed from the published hash tiles with golang.org/x/mod/sumdb/tlog,
// which checks every tile it reads against the checkpoint's root hash.
package logwitness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Files of a published log, relative to its folder (<site>/log/).
const (
	CheckpointFile = "checkpoint"
	KeyFile        = "key"
)

// StateFile is where the cosigned checkpoint is kept, relative to the
// project's folder (the one holding blason.yaml): the build publishes it in
// place of its own checkpoint when their note bodies are identical.
const StateFile = ".blason/tlog/cosigned-checkpoint"

// Log is a published log: where it is read from, its signed checkpoint and
// the verifier key it publishes.
type Log struct {
	// Where is the log's folder or URL, for messages.
	Where string
	// Dir is the log's folder when it is read from disk ("" for a URL).
	Dir string
	// Signed is the published signed checkpoint, as published.
	Signed []byte
	// Checkpoint is its parsed text (origin, size, root hash).
	Checkpoint torchwood.Checkpoint
	// Text is the note's text, the part the signatures sign.
	Text string
	// VKey is the published verifier key ("" when none is published).
	VKey string

	tiles torchwood.TileReader
}

// Open reads the published log at loc: an http(s) URL, or a folder; either
// the site (holding log/) or the log's own folder.
func Open(ctx context.Context, loc string, hc *http.Client) (*Log, error) {
	if strings.HasPrefix(loc, "https://") || strings.HasPrefix(loc, "http://") {
		return openURL(ctx, loc, hc)
	}
	return openDir(loc)
}

func openDir(dir string) (*Log, error) {
	logDir := filepath.Join(dir, "log")
	if _, err := os.Stat(filepath.Join(logDir, CheckpointFile)); err != nil {
		if _, err2 := os.Stat(filepath.Join(dir, CheckpointFile)); err2 != nil {
			return nil, fmt.Errorf("no published log in %s: %s is missing; build the site with its transparency log first", dir, filepath.Join(logDir, CheckpointFile))
		}
		logDir = dir
	}
	l := &Log{Where: logDir, Dir: logDir, tiles: partialFallback{dirTiles(logDir)}}
	return l, l.read(context.Background())
}

func openURL(ctx context.Context, loc string, hc *http.Client) (*Log, error) {
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not the URL of a site or of its log", loc)
	}
	base := strings.TrimSuffix(loc, "/") + "/"
	var opts []torchwood.TileFetcherOption
	if hc != nil {
		opts = append(opts, torchwood.WithHTTPClient(hc))
	}
	var firstErr error
	for _, b := range []string{base + "log/", base} {
		f, err := torchwood.NewTileFetcher(b, opts...)
		if err != nil {
			return nil, err
		}
		l := &Log{Where: b, tiles: partialFallback{f}}
		err = l.read(ctx)
		if err == nil {
			return l, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// read reads the checkpoint and the key.
func (l *Log) read(ctx context.Context) error {
	signed, err := l.tiles.ReadEndpoint(ctx, CheckpointFile)
	if err != nil {
		return fmt.Errorf("cannot read the log's checkpoint at %s: %v", l.Where, err)
	}
	n, err := openUnverified(signed)
	if err != nil {
		return fmt.Errorf("the log's checkpoint at %s is not a signed note: %v", l.Where, err)
	}
	cp, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		return fmt.Errorf("the log's checkpoint at %s is not a C2SP checkpoint: %v", l.Where, err)
	}
	l.Signed, l.Checkpoint, l.Text = signed, cp, n.Text
	if key, err := l.tiles.ReadEndpoint(ctx, KeyFile); err == nil {
		l.VKey = strings.TrimSpace(string(key))
	}
	return nil
}

// Verifier is the log's verifier: the policy's key when it names one
// (then the published key, if any, must be the same), else the published
// key. The checkpoint's origin must be the key's name.
func (l *Log) Verifier(policyKey note.Verifier) (v note.Verifier, fromPolicy bool, err error) {
	if policyKey != nil {
		v, fromPolicy = policyKey, true
	} else {
		if l.VKey == "" {
			return nil, false, fmt.Errorf("the log at %s publishes no verifier key (%s) and the witness policy names none; add a line to the policy: log <vkey>", l.Where, KeyFile)
		}
		if v, err = note.NewVerifier(l.VKey); err != nil {
			return nil, false, fmt.Errorf("the log's published key (%s) is not a signed-note verifier key: %v", KeyFile, err)
		}
	}
	if l.Checkpoint.Origin != v.Name() {
		return nil, false, fmt.Errorf("the checkpoint's origin %q is not the log key's name %q: it is the checkpoint of another log", l.Checkpoint.Origin, v.Name())
	}
	return v, fromPolicy, nil
}

// CheckTiles checks that the published hash tiles hold the tree the
// checkpoint signs (its root hash computed from the tiles).
func (l *Log) CheckTiles(ctx context.Context) error {
	tree := l.Checkpoint.Tree
	h, err := tlog.TreeHash(tree.N, torchwood.TileHashReaderWithContext(ctx, tree, l.tiles))
	if err != nil {
		return fmt.Errorf("the published tiles do not hold the tree of the checkpoint (size %d): %v", tree.N, err)
	}
	if h != tree.Hash {
		return fmt.Errorf("the published tiles do not hold the tree of the checkpoint (size %d): its root hash differs", tree.N)
	}
	return nil
}

// Prove is the consistency proof from the tree of size oldSize to the
// checkpoint's tree, read from the published tiles (a witness.ProofFunc).
func (l *Log) Prove(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	tree := l.Checkpoint.Tree
	if newSize != tree.N {
		return nil, fmt.Errorf("a proof to size %d was asked for, the checkpoint has size %d", newSize, tree.N)
	}
	p, err := tlog.ProveTree(tree.N, oldSize, torchwood.TileHashReaderWithContext(ctx, tree, l.tiles))
	if err != nil {
		return nil, fmt.Errorf("cannot prove from the published tiles that size %d extends size %d: %v", tree.N, oldSize, err)
	}
	return p, nil
}

// openUnverified parses a signed note without checking any signature.
func openUnverified(signed []byte) (*note.Note, error) {
	n, err := note.Open(signed, note.VerifierList())
	var u *note.UnverifiedNoteError
	if errors.As(err, &u) {
		return u.Note, nil
	}
	if err == nil {
		return n, nil
	}
	return nil, err
}

// sigLines is the signature lines of a signed note.
func sigLines(signed []byte) []byte {
	_, lines, _ := bytes.Cut(signed, []byte("\n\n"))
	return lines
}

// dirTiles reads a published log from a folder.
type dirTiles string

func (d dirTiles) ReadTiles(_ context.Context, tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(string(d), filepath.FromSlash(torchwood.TilePath(t))))
		if err != nil {
			return nil, err
		}
		data[i] = b
	}
	return data, nil
}

func (dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func (d dirTiles) ReadEndpoint(_ context.Context, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
}

// partialFallback reads a full tile where a partial one is asked for and
// is no longer published (C2SP tlog-tiles lets a log delete partial tiles
// once the full tile exists), cut to the width asked for.
type partialFallback struct{ torchwood.TileReader }

func (p partialFallback) ReadTiles(ctx context.Context, tiles []tlog.Tile) ([][]byte, error) {
	data, err := p.TileReader.ReadTiles(ctx, tiles)
	if err == nil {
		return data, nil
	}
	data = make([][]byte, len(tiles))
	for i, t := range tiles {
		d, err := p.TileReader.ReadTiles(ctx, []tlog.Tile{t})
		if err != nil && t.W < torchwood.TileWidth && t.L >= 0 {
			full := t
			full.W = torchwood.TileWidth
			var ferr error
			if d, ferr = p.TileReader.ReadTiles(ctx, []tlog.Tile{full}); ferr == nil && len(d[0]) == torchwood.TileWidth*tlog.HashSize {
				d[0] = d[0][:t.W*tlog.HashSize]
				err = nil
			}
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("tile %s is not published", torchwood.TilePath(t))
			}
			return nil, fmt.Errorf("tile %s: %v", torchwood.TilePath(t), err)
		}
		data[i] = d[0]
	}
	return data, nil
}
