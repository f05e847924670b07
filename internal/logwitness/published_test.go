package logwitness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/logwitness/logtest"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The published log is read from a site folder, its log folder or a URL;
// the tiles hold the checkpoint's tree even when the partial tile at its
// edge was replaced by the full one (the log grew meanwhile); proofs from
// the tiles verify with tlog.CheckTree.
func TestOpenAndProve(t *testing.T) {
	ctx := context.Background()
	l := logtest.New(t, "badges.example.fr/log")
	site := t.TempDir()
	l.Grow(t, 300)
	l.Publish(t, site)
	cp300, err := os.ReadFile(filepath.Join(site, "log", CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	l.Grow(t, 600)
	l.Publish(t, site)
	// The log grew to 600; the reader still has the checkpoint at 300,
	// whose partial tile the log no longer publishes.
	os.WriteFile(filepath.Join(site, "log", CheckpointFile), cp300, 0o644)
	if err := os.RemoveAll(filepath.Join(site, "log", "tile", "0", "001.p")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer srv.Close()
	for _, loc := range []string{site, filepath.Join(site, "log"), srv.URL, srv.URL + "/log/"} {
		lg, err := Open(ctx, loc, nil)
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		if lg.Checkpoint.N != 300 || lg.VKey != l.VKey {
			t.Fatalf("%s: size %d, key %q", loc, lg.Checkpoint.N, lg.VKey)
		}
		if err := lg.CheckTiles(ctx); err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		v, fromPolicy, err := lg.Verifier(nil)
		if err != nil || fromPolicy {
			t.Fatalf("%s: %v", loc, err)
		}
		if _, err := note.Open(lg.Signed, note.VerifierList(v)); err != nil {
			t.Fatal(err)
		}
	}

	// A consistency proof from the published tiles of the log at 600.
	os.WriteFile(filepath.Join(site, "log", CheckpointFile), l.Signed(t), 0o644)
	lg, err := Open(ctx, site, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{1, 255, 256, 257, 300, 599} {
		p, err := lg.Prove(ctx, n, 600)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := tlog.TreeHash(n, l)
		if err := tlog.CheckTree(p, 600, lg.Checkpoint.Hash, n, h); err != nil {
			t.Errorf("proof from %d: %v", n, err)
		}
	}
	if _, err := lg.Prove(ctx, 300, 500); err == nil {
		t.Error("a proof to another size than the checkpoint's")
	}
}

// Errors reading a published log.
func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	l := logtest.New(t, "badges.example.fr/log")
	other := logtest.New(t, "other.example/log")
	l.Grow(t, 3)
	for _, tc := range []struct {
		name  string
		setup func(site string)
		key   note.Verifier
		want  string
	}{
		{"no log", func(site string) { os.RemoveAll(filepath.Join(site, "log")) }, nil, "no published log in"},
		{"not a note", func(site string) { os.WriteFile(filepath.Join(site, "log", CheckpointFile), []byte("hello\n"), 0o644) }, nil, "is not a signed note"},
		{"no key", func(site string) { os.Remove(filepath.Join(site, "log", KeyFile)) }, nil, "publishes no verifier key"},
		{"another log's key", func(string) {}, verifier(t, other.VKey), "is not the log key's name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := t.TempDir()
			l.Publish(t, site)
			tc.setup(site)
			lg, err := Open(ctx, site, nil)
			if err == nil {
				_, _, err = lg.Verifier(tc.key)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want %q", err, tc.want)
			}
		})
	}
}

func verifier(t *testing.T, vkey string) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
