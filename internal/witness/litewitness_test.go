package witness

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/logwitness/logtest"
	"github.com/francebadge/blason/internal/witness/witnesstest"

	"golang.org/x/mod/sumdb/tlog"
)

// These tests ask real witnesses: litewitness from filippo.io/torchwood
// v0.6.1 (its key held by ssh-agent, its logs added with witnessctl). A
// missing binary skips them, or fails them under CI=true (.ci/run installs
// them).

// realWitness is one running litewitness.
type realWitness struct {
	url string
	v   Verifier
}

// startWitnesses starts one litewitness per name (witnesstest.Start), each
// knowing the logs' origins and keys, and reads the key each announces.
func startWitnesses(t *testing.T, names []string, logs ...*logtest.Log) []*realWitness {
	t.Helper()
	var known []witnesstest.Log
	for _, l := range logs {
		known = append(known, witnesstest.Log{Origin: l.Origin, VKey: l.VKey})
	}
	var out []*realWitness
	for _, w := range witnesstest.Start(t, names, known...) {
		v, err := NewVerifier(w.VKey)
		if err != nil {
			t.Fatal(err)
		}
		v.URL = w.URL
		out = append(out, &realWitness{url: w.URL, v: v})
	}
	return out
}

func TestRealWitness(t *testing.T) {
	l := logtest.New(t, "blason.example/log")
	stranger := logtest.New(t, "stranger.example/log")
	ws := startWitnesses(t, []string{"witness.example/a", "witness.example/b", "witness.example/c"}, l)
	a, b, c := ws[0], ws[1], ws[2]
	ctx := context.Background()
	noRetry := &Client{}
	client := &Client{Proof: l.Proof}
	ask := func(cl *Client, w *realWitness, old, n int64, cp []byte) ([]byte, error) {
		t.Helper()
		var proof tlog.TreeProof
		if old > 0 && old < n {
			proof = l.MustProof(t, old, n)
		}
		return cl.AddCheckpoint(ctx, w.url, old, proof, cp)
	}
	mustCosign := func(cl *Client, w *realWitness, old, n int64, cp []byte) []byte {
		t.Helper()
		lines, err := ask(cl, w, old, n, cp)
		if err != nil {
			t.Fatalf("%s at size %d (old %d): %v", w.v.Name, n, old, err)
		}
		if _, err := verifyLines(string(cp[:bytes.Index(cp, []byte("\n\n"))+1]), lines, w.v); err != nil {
			t.Fatalf("%s: %v:\n%s", w.v.Name, err, lines)
		}
		return lines
	}

	l.Grow(t, 5)
	cp5 := l.SignedAt(t, 5)
	for _, w := range ws {
		mustCosign(noRetry, w, 0, 5, cp5)
	}
	l.Grow(t, 8)
	cp8 := l.SignedAt(t, 8)
	for _, w := range ws {
		mustCosign(noRetry, w, 5, 8, cp8)
	}
	l.Grow(t, 13)
	cp13 := l.SignedAt(t, 13)
	la := mustCosign(noRetry, a, 8, 13, cp13)

	// A wrong consistency proof (from 5, not 8) is refused with 422.
	_, err := noRetry.AddCheckpoint(ctx, b.url, 8, l.MustProof(t, 5, 13), cp13)
	if !errors.Is(err, ErrBadProof) || !strings.Contains(err.Error(), "refused the consistency proof from size 8 to 13") {
		t.Fatalf("wrong proof: %v, want a 422 refusal", err)
	}
	lb := mustCosign(noRetry, b, 8, 13, cp13)

	// A stale old size gets 409 with the size the witness knows.
	_, err = ask(noRetry, c, 5, 13, cp13)
	var se *StatusError
	if !errors.As(err, &se) || !errors.Is(err, ErrConflict) || se.Known != 8 {
		t.Fatalf("stale size: %v, want 409 with size 8", err)
	}
	// With proofs, the client asks again from size 8.
	lc := mustCosign(client, c, 5, 13, cp13)
	// Asking again from 0 at the same size: 409 (13), then cosigned again.
	mustCosign(client, a, 0, 13, cp13)

	// A checkpoint smaller than what the witness cosigned: the log rolled back.
	if _, err := client.AddCheckpoint(ctx, a.url, 0, nil, cp8); err == nil || !strings.Contains(err.Error(), "has cosigned a larger tree (size 13) than this checkpoint (size 8)") {
		t.Errorf("rollback: %v", err)
	}

	// A fork: the same origin and key, another history from entry 10 on.
	fork := l.Clone()
	fork.Grow(t, 10)
	fork.Prefix = "forged"
	fork.Grow(t, 21)
	_, err = (&Client{Proof: fork.Proof}).AddCheckpoint(ctx, a.url, 0, nil, fork.SignedAt(t, 21))
	if !errors.Is(err, ErrBadProof) {
		t.Errorf("fork: %v, want a 422 refusal", err)
	}

	// A log the witness does not know, or a checkpoint signed by another
	// key: litewitness v0.6.1 answers 403 to both (the spec now says 404
	// for an unknown log).
	stranger.Grow(t, 3)
	if _, err := noRetry.AddCheckpoint(ctx, a.url, 0, nil, stranger.SignedAt(t, 3)); !errors.Is(err, ErrForbidden) && !errors.Is(err, ErrUnknownLog) {
		t.Errorf("unknown log: %v, want 403 or 404", err)
	}
	impostor := logtest.New(t, l.Origin)
	impostor.Grow(t, 21)
	if _, err := client.AddCheckpoint(ctx, a.url, 0, nil, impostor.SignedAt(t, 21)); !errors.Is(err, ErrForbidden) {
		t.Errorf("another key: %v, want 403", err)
	}
	// Nothing was cosigned by these: a still knows size 13.
	if _, err := noRetry.AddCheckpoint(ctx, a.url, 0, nil, cp8); err == nil || !strings.Contains(err.Error(), "(size 13)") {
		t.Errorf("after the refusals, a reports %v, want size 13", err)
	}

	// The policy over the three witnesses.
	p := Policy{Log: l.Verifier(t), Witnesses: []Verifier{a.v, b.v, c.v}, Quorum: 2}
	merge := func(lines ...[]byte) []byte {
		m, err := Merge(cp13, lines...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if err := p.Check(merge(la, lc)); err != nil {
		t.Errorf("2 of 3: %v", err)
	}
	if err := p.Check(merge(lb)); err == nil || !strings.Contains(err.Error(), "only 1 of the 2") {
		t.Errorf("1 of 3: %v", err)
	}
	if err := p.Check(merge(la, lc, tamper(lb))); err == nil || !strings.Contains(err.Error(), "the cosignature of witness.example/b does not verify") {
		t.Errorf("tampered: %v", err)
	}
	if !bytes.Equal(merge(la, lb, lc), merge(lc, la, lb)) {
		t.Error("Merge depends on the order of the answers")
	}

	// Cosign asks all three at size 21 from old size 0 (each answers 409
	// and is asked again with a proof) and merges what verifies.
	l.Grow(t, 21)
	cp21 := l.SignedAt(t, 21)
	merged, err := client.Cosign(ctx, p, cp21)
	if err != nil {
		t.Fatalf("Cosign: %v", err)
	}
	r, err := p.Verify(merged)
	if err != nil || strings.Join(r.Cosigned, " ") != "witness.example/a witness.example/b witness.example/c" {
		t.Errorf("Cosign gave %v (%v):\n%s", r, err, merged)
	}
	// Without proofs, the witnesses that know the log refuse (409): no quorum.
	l.Grow(t, 34)
	merged, err = noRetry.Cosign(ctx, p, l.SignedAt(t, 34))
	if err == nil || !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "only 0 of the 2") {
		t.Errorf("Cosign without proofs: %v", err)
	}
	if p.Check(merged) == nil {
		t.Error("a note without cosignatures passes the policy")
	}
}
