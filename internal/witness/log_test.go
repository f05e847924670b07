package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

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
