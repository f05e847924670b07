package witness

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// testLog is a small Merkle-tree log built with golang.org/x/mod/sumdb/tlog,
// its checkpoints signed with a note key named by its origin.
type testLog struct {
	origin string
	signer note.Signer
	vkey   string
	hashes []tlog.Hash // stored hashes, by stored index
	n      int64
	prefix string // entry text prefix, so that two logs can fork
}

func newTestLog(t testing.TB, origin string) *testLog {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &testLog{origin: origin, signer: s, vkey: vkey, prefix: "entry"}
}

// ReadHashes makes testLog a tlog.HashReader.
func (l *testLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// grow appends entries until the log has size n.
func (l *testLog) grow(t testing.TB, n int64) {
	t.Helper()
	for ; l.n < n; l.n++ {
		hs, err := tlog.StoredHashes(l.n, fmt.Appendf(nil, "%s %d\n", l.prefix, l.n), l)
		if err != nil {
			t.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
	}
}

// checkpoint is the log's signed checkpoint at size n (at most its size).
func (l *testLog) checkpoint(t testing.TB, n int64) []byte {
	t.Helper()
	h, err := tlog.TreeHash(n, l)
	if err != nil {
		t.Fatal(err)
	}
	text := torchwood.Checkpoint{Origin: l.origin, Tree: tlog.Tree{N: n, Hash: h}}.String()
	signed, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// proof is the consistency proof from size old to size n (a ProofFunc).
func (l *testLog) proof(_ context.Context, old, n int64) (tlog.TreeProof, error) {
	return tlog.ProveTree(n, old, l)
}

func (l *testLog) mustProof(t testing.TB, old, n int64) tlog.TreeProof {
	t.Helper()
	p, err := l.proof(context.Background(), old, n)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// verifier is the log's note verifier.
func (l *testLog) verifier(t testing.TB) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(l.vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// fakeWitness cosigns in process with torchwood's cosignature/v1 signer.
type fakeWitness struct {
	signer *torchwood.CosignatureSigner
	v      Verifier
}

func newFakeWitness(t testing.TB, name string) *fakeWitness {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := torchwood.NewCosignatureSigner(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(s.Verifier().String())
	if err != nil {
		t.Fatal(err)
	}
	return &fakeWitness{signer: s, v: v}
}

// cosign returns the witness's cosignature line for a signed checkpoint.
func (w *fakeWitness) cosign(t testing.TB, signed []byte) []byte {
	t.Helper()
	n, err := openUnverified(signed)
	if err != nil {
		t.Fatal(err)
	}
	out, err := note.Sign(&note.Note{Text: n.Text}, w.signer)
	if err != nil {
		t.Fatal(err)
	}
	_, lines, _ := strings.Cut(string(out), "\n\n")
	return []byte(lines)
}
