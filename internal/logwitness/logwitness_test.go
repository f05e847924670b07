package logwitness

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

	"github.com/francebadge/blason/internal/logwitness/logtest"
	"github.com/francebadge/blason/internal/witness"
	"github.com/francebadge/blason/internal/witness/witnesstest"
)

// policyFor writes a policy naming the log's key and the witnesses.
func policyFor(t *testing.T, l *logtest.Log, quorum int, ws ...*witnesstest.Witness) witness.Policy {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "# test policy\nlog %s\n", l.VKey)
	for _, w := range ws {
		fmt.Fprintf(&b, "witness %s %s\n", w.VKey, w.URL)
	}
	fmt.Fprintf(&b, "quorum %d\n", quorum)
	p, err := witness.ParsePolicy("witnesses.txt", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A published log of a few hundred entries is cosigned by three real
// witnesses, grows and is cosigned again (consistency proofs from the
// published tiles, from the size in the saved state or from the size the
// witnesses report); a fork and a rollback are refused and nothing is
// written; 2 of 3 pass with one witness down, not with two; Check accepts
// the cosigned checkpoint, from a folder and from a URL, and refuses a
// forged or missing cosignature.
func TestCosignRealWitnesses(t *testing.T) {
	ctx := context.Background()
	l := logtest.New(t, "badges.example.fr/log")
	ws := witnesstest.Start(t, []string{"witness.example/a", "witness.example/b", "witness.example/c"}, witnesstest.Log{Origin: l.Origin, VKey: l.VKey})
	p := policyFor(t, l, 2, ws...)
	src := t.TempDir()
	site := filepath.Join(src, "site")
	state := filepath.Join(src, filepath.FromSlash(StateFile))
	published := filepath.Join(site, "log", CheckpointFile)
	o := Options{Source: src, Site: site, Policy: p}

	mustCosign := func(want int) *Outcome {
		t.Helper()
		out, err := Cosign(ctx, o)
		if err != nil {
			t.Fatalf("size %d: %v", l.Size(), err)
		}
		if out.Size != l.Size() || len(out.Cosigned) != want || len(out.Written) != 2 {
			t.Fatalf("size %d: %+v", l.Size(), out)
		}
		if !bytes.Equal(read(t, state), read(t, published)) {
			t.Fatal("the state file and the published checkpoint differ")
		}
		body, _, _ := bytes.Cut(read(t, published), []byte("\n\n"))
		want2, _, _ := bytes.Cut(l.Signed(t), []byte("\n\n"))
		if !bytes.Equal(body, want2) {
			t.Fatalf("the cosigned checkpoint's body changed:\n%s", body)
		}
		return out
	}

	// Size 300, then 700 (old size from the saved state), then 900 with
	// the state lost (the witnesses answer 409 with the size they know).
	l.Grow(t, 300)
	l.Publish(t, site)
	mustCosign(3)
	c, err := Check(ctx, site, p, nil)
	if err != nil || len(c.Result.Cosigned) != 3 || len(c.Result.Times) != 3 {
		t.Fatalf("Check at 300: %v %+v", err, c)
	}
	l.Grow(t, 700)
	l.Publish(t, site)
	if _, err := Check(ctx, site, p, nil); err == nil || !strings.Contains(err.Error(), "only 0 of the 2") {
		t.Fatalf("Check of an uncosigned checkpoint: %v", err)
	}
	mustCosign(3)
	l.Grow(t, 900)
	l.Publish(t, site)
	os.Remove(state)
	mustCosign(3)
	// Asking again at the same size keeps the checkpoint as it is.
	mustCosign(3)
	if _, err := Check(ctx, site, p, nil); err != nil {
		t.Fatal(err)
	}

	// A fork at the same size: the same origin and key, other entries
	// from entry 500 on.
	fork := l.Clone()
	fork.Grow(t, 500)
	fork.Prefix = "forged"
	fork.Grow(t, 900)
	forkSrc := t.TempDir()
	forkSite := filepath.Join(forkSrc, "site")
	fork.Publish(t, forkSite)
	forkCP := read(t, filepath.Join(forkSite, "log", CheckpointFile))
	out, err := Cosign(ctx, Options{Source: forkSrc, Site: forkSite, Policy: p})
	if err == nil || !strings.Contains(err.Error(), "as a fork or a rollback of the log; nothing was written") {
		t.Fatalf("fork at the same size: %v", err)
	}
	if len(out.Failures) != 3 || out.Failures[0].Kind != Forked || !strings.Contains(out.Failures[0].Err.Error(), "REFUSED the checkpoint") {
		t.Fatalf("fork at the same size: %+v", out.Failures)
	}
	t.Logf("fork at the same size: %v", out.Failures[0].Err)
	if !bytes.Equal(read(t, filepath.Join(forkSite, "log", CheckpointFile)), forkCP) {
		t.Error("the fork's checkpoint was rewritten")
	}
	if _, err := os.Stat(filepath.Join(forkSrc, filepath.FromSlash(StateFile))); err == nil {
		t.Error("a state file was written for the fork")
	}
	// A fork that is larger: the consistency proof is refused (422).
	fork.Grow(t, 1000)
	fork.Publish(t, forkSite)
	out, err = Cosign(ctx, Options{Source: forkSrc, Site: forkSite, Policy: p})
	if err == nil || len(out.Failures) != 3 || out.Failures[0].Kind != Forked {
		t.Fatalf("larger fork: %v %+v", err, out)
	}
	t.Logf("larger fork: %v", out.Failures[0].Err)
	// A rollback: the log published again at 300 entries.
	old := l.Clone()
	old.Grow(t, 300)
	oldSrc := t.TempDir()
	old.Publish(t, filepath.Join(oldSrc, "site"))
	out, err = Cosign(ctx, Options{Source: oldSrc, Site: filepath.Join(oldSrc, "site"), Policy: p})
	if err == nil || len(out.Failures) != 3 || out.Failures[0].Kind != RolledBack || !strings.Contains(out.Failures[0].Err.Error(), "larger tree of this log (size 900) than this checkpoint (size 300)") {
		t.Fatalf("rollback: %v %+v", err, out)
	}

	// One witness down: 2 of 3 pass.
	ws[2].Stop()
	l.Grow(t, 1000)
	l.Publish(t, site)
	out = mustCosign(2)
	if len(out.Failures) != 1 || out.Failures[0].Kind != Unreachable || !strings.Contains(out.Failures[0].Err.Error(), "witness.example/c at http://") {
		t.Fatalf("one down: %+v", out.Failures)
	}
	good := read(t, published)
	// Two down: 1 of 3 fails, nothing is written.
	ws[1].Stop()
	l.Grow(t, 1100)
	l.Publish(t, site)
	uncosigned := read(t, published)
	out, err = Cosign(ctx, o)
	if err == nil || !strings.Contains(err.Error(), "does not meet the witness policy (1 of the 2 cosignatures it requires); nothing was written") || len(out.Failures) != 2 || len(out.Written) != 0 {
		t.Fatalf("two down: %v %+v", err, out)
	}
	if !bytes.Equal(read(t, published), uncosigned) {
		t.Error("the checkpoint was rewritten without a quorum")
	}

	// Check: the cosigned checkpoint at 1000 passes, from a folder and
	// from a URL; a forged or a missing cosignature fails.
	l2 := l.Clone()
	l2.Grow(t, 1000)
	checkSite := t.TempDir()
	l2.Publish(t, checkSite)
	put := func(b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(checkSite, "log", CheckpointFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put(good)
	if c, err := Check(ctx, checkSite, p, nil); err != nil || len(c.Result.Cosigned) != 2 {
		t.Fatalf("Check of the 2-of-3 checkpoint: %v", err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(checkSite)))
	defer srv.Close()
	if c, err := Check(ctx, srv.URL+"/", p, nil); err != nil || len(c.Result.Cosigned) != 2 {
		t.Fatalf("Check from a URL: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")
	last := lines[len(lines)-1]
	forged := strings.Join(lines[:len(lines)-1], "\n") + "\n" + last[:len(last)-6] + flip(last[len(last)-6:]) + "\n"
	put([]byte(forged))
	if _, err := Check(ctx, checkSite, p, nil); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("forged cosignature: %v", err)
	}
	put([]byte(strings.Join(lines[:len(lines)-1], "\n") + "\n"))
	if _, err := Check(ctx, checkSite, p, nil); err == nil || !strings.Contains(err.Error(), "only 1 of the 2") {
		t.Errorf("missing cosignature: %v", err)
	}
	// A checkpoint whose tiles were altered (the right edge of the tree,
	// which the root hash is computed from).
	put(good)
	tile := filepath.Join(checkSite, "log", "tile", "0", "003.p", "232")
	b := read(t, tile)
	b[0] ^= 1
	os.WriteFile(tile, b, 0o644)
	if _, err := Check(ctx, checkSite, p, nil); err == nil || !strings.Contains(err.Error(), "published tiles do not hold the tree") {
		t.Errorf("altered tile: %v", err)
	}
}

// flip changes a base64 text into another valid one of the same length.
func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}
