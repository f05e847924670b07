package witness

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/tlog"
)

// These tests ask real witnesses: litewitness from filippo.io/torchwood
// v0.6.1 (its key held by ssh-agent, its logs added with witnessctl). A
// missing binary skips them, or fails them under CI=true (.ci/run installs
// them).

const litewitnessInstall = "go install filippo.io/torchwood/cmd/litewitness@v0.6.1 filippo.io/torchwood/cmd/witnessctl@v0.6.1"

// realWitness is one running litewitness.
type realWitness struct {
	url, db, log string
	v            Verifier
}

// startWitnesses starts an ssh-agent holding one key per name and one
// litewitness per name, each knowing the logs' origins and keys.
func startWitnesses(t *testing.T, names []string, logs ...*testLog) []*realWitness {
	t.Helper()
	var bins []string
	for _, b := range []string{"litewitness", "witnessctl", "ssh-agent", "ssh-add"} {
		p, err := exec.LookPath(b)
		if err != nil {
			msg := fmt.Sprintf("%s not found: %s (ssh-agent and ssh-add: apt-get install openssh-client) to test against a real witness", b, litewitnessInstall)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		bins = append(bins, p)
	}
	litewitness, witnessctl, sshAgent, sshAdd := bins[0], bins[1], bins[2], bins[3]

	// A short folder: a Unix socket path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "wit")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "agent.sock")
	agent := exec.Command(sshAgent, "-D", "-a", sock)
	start(t, agent, filepath.Join(dir, "agent.log"))
	waitFor(t, func() error { _, err := os.Stat(sock); return err }, "ssh-agent socket")
	env := append(os.Environ(), "SSH_AUTH_SOCK="+sock)

	var out []*realWitness
	for i, name := range names {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		block, err := ssh.MarshalPrivateKey(priv, "")
		if err != nil {
			t.Fatal(err)
		}
		keyFile := filepath.Join(dir, fmt.Sprintf("key%d.pem", i))
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		run(t, env, sshAdd, keyFile)
		sshPub, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}

		w := &realWitness{db: filepath.Join(dir, fmt.Sprintf("w%d.db", i)), log: filepath.Join(dir, fmt.Sprintf("w%d.log", i))}
		for _, l := range logs {
			run(t, env, witnessctl, "add-log", "-db", w.db, "-origin", l.origin)
			run(t, env, witnessctl, "add-key", "-db", w.db, "-origin", l.origin, "-key", l.vkey)
		}
		addr := freeAddr(t)
		cmd := exec.Command(litewitness, "-db", w.db, "-name", name, "-key", ssh.FingerprintSHA256(sshPub), "-ssh-agent", sock, "-listen", addr)
		cmd.Env = env
		start(t, cmd, w.log)
		waitFor(t, func() error {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err
		}, "litewitness on "+addr)
		w.url = "http://" + addr

		// The key litewitness announces is the one we compute from the
		// private key, and NewVerifier reads it.
		b, _ := os.ReadFile(w.log)
		m := regexp.MustCompile(`vkey=(\S+)`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("litewitness did not log its verifier key:\n%s", b)
		}
		s, err := torchwood.NewCosignatureSigner(name, priv)
		if err != nil {
			t.Fatal(err)
		}
		if string(m[1]) != s.Verifier().String() {
			t.Fatalf("litewitness announces %s, torchwood computes %s", m[1], s.Verifier())
		}
		if w.v, err = NewVerifier(string(m[1])); err != nil {
			t.Fatal(err)
		}
		w.v.URL = w.url
		out = append(out, w)
	}
	return out
}

// start runs a process until the test ends, its output in logFile.
func start(t *testing.T, cmd *exec.Cmd, logFile string) {
	t.Helper()
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
}

func run(t *testing.T, env []string, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
}

func waitFor(t *testing.T, ready func() error, what string) {
	t.Helper()
	end := time.Now().Add(15 * time.Second)
	for {
		err := ready()
		if err == nil {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%s not ready: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A log grows to 5, 8, 13 and 21 entries; three litewitnesses cosign its
// checkpoints, refuse a wrong proof (422) and a fork, answer a stale size
// with 409 (the client retries with a proof from the size they report),
// and the policy accepts 2 of 3 cosignatures and refuses 1 of 3 and a
// tampered one.
func TestRealWitness(t *testing.T) {
	l := newTestLog(t, "blason.example/log")
	stranger := newTestLog(t, "stranger.example/log")
	ws := startWitnesses(t, []string{"witness.example/a", "witness.example/b", "witness.example/c"}, l)
	a, b, c := ws[0], ws[1], ws[2]
	ctx := context.Background()
	noRetry := &Client{}
	client := &Client{Proof: l.proof}
	ask := func(cl *Client, w *realWitness, old, n int64, cp []byte) ([]byte, error) {
		t.Helper()
		var proof tlog.TreeProof
		if old > 0 && old < n {
			proof = l.mustProof(t, old, n)
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

	l.grow(t, 5)
	cp5 := l.checkpoint(t, 5)
	for _, w := range ws {
		mustCosign(noRetry, w, 0, 5, cp5)
	}
	l.grow(t, 8)
	cp8 := l.checkpoint(t, 8)
	for _, w := range ws {
		mustCosign(noRetry, w, 5, 8, cp8)
	}
	l.grow(t, 13)
	cp13 := l.checkpoint(t, 13)
	la := mustCosign(noRetry, a, 8, 13, cp13)

	// A wrong consistency proof (from 5, not 8) is refused with 422.
	_, err := noRetry.AddCheckpoint(ctx, b.url, 8, l.mustProof(t, 5, 13), cp13)
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
	fork := &testLog{origin: l.origin, signer: l.signer, vkey: l.vkey, prefix: "entry"}
	fork.grow(t, 10)
	fork.prefix = "forged"
	fork.grow(t, 21)
	_, err = (&Client{Proof: fork.proof}).AddCheckpoint(ctx, a.url, 0, nil, fork.checkpoint(t, 21))
	if !errors.Is(err, ErrBadProof) {
		t.Errorf("fork: %v, want a 422 refusal", err)
	}

	// A log the witness does not know, or a checkpoint signed by another
	// key: litewitness v0.6.1 answers 403 to both (the spec now says 404
	// for an unknown log).
	stranger.grow(t, 3)
	if _, err := noRetry.AddCheckpoint(ctx, a.url, 0, nil, stranger.checkpoint(t, 3)); !errors.Is(err, ErrForbidden) && !errors.Is(err, ErrUnknownLog) {
		t.Errorf("unknown log: %v, want 403 or 404", err)
	}
	impostor := newTestLog(t, l.origin)
	impostor.grow(t, 21)
	if _, err := client.AddCheckpoint(ctx, a.url, 0, nil, impostor.checkpoint(t, 21)); !errors.Is(err, ErrForbidden) {
		t.Errorf("another key: %v, want 403", err)
	}
	// Nothing was cosigned by these: a still knows size 13.
	if _, err := noRetry.AddCheckpoint(ctx, a.url, 0, nil, cp8); err == nil || !strings.Contains(err.Error(), "(size 13)") {
		t.Errorf("after the refusals, a reports %v, want size 13", err)
	}

	// The policy over the three witnesses.
	p := Policy{Log: l.verifier(t), Witnesses: []Verifier{a.v, b.v, c.v}, Quorum: 2}
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
	l.grow(t, 21)
	cp21 := l.checkpoint(t, 21)
	merged, err := client.Cosign(ctx, p, cp21)
	if err != nil {
		t.Fatalf("Cosign: %v", err)
	}
	r, err := p.Verify(merged)
	if err != nil || strings.Join(r.Cosigned, " ") != "witness.example/a witness.example/b witness.example/c" {
		t.Errorf("Cosign gave %v (%v):\n%s", r, err, merged)
	}
	// Without proofs, the witnesses that know the log refuse (409): no quorum.
	l.grow(t, 34)
	merged, err = noRetry.Cosign(ctx, p, l.checkpoint(t, 34))
	if err == nil || !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "only 0 of the 2") {
		t.Errorf("Cosign without proofs: %v", err)
	}
	if p.Check(merged) == nil {
		t.Error("a note without cosignatures passes the policy")
	}
}
