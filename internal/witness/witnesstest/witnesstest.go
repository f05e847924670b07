// Package witnesstest runs real C2SP tlog-witness witnesses for tests:
// litewitness from filippo.io/torchwood v0.6.1, its key held by ssh-agent,
// the logs it witnesses added with witnessctl. A missing binary skips the
// test, or fails it under CI=true (.ci/run installs them).
package witnesstest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
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
)

// Install is the command installing the binaries the witnesses need.
const Install = "go install filippo.io/torchwood/cmd/litewitness@v0.6.1 filippo.io/torchwood/cmd/witnessctl@v0.6.1"

// Log is a log the witnesses accept: its origin and its verifier key.
type Log struct {
	Origin string
	VKey   string
}

// Witness is one running litewitness.
type Witness struct {
	Name string
	URL  string // the prefix of its /add-checkpoint endpoint
	VKey string // its cosignature/v1 verifier key, as it announces it
	stop func()
}

// Stop ends the witness: it no longer answers (a witness that is down).
func (w *Witness) Stop() { w.stop() }

// Start starts an ssh-agent holding one key per name and one litewitness
// per name, each knowing the logs' origins and keys; they end with the test.
func Start(t testing.TB, names []string, logs ...Log) []*Witness {
	t.Helper()
	var bins []string
	for _, b := range []string{"litewitness", "witnessctl", "ssh-agent", "ssh-add"} {
		p, err := exec.LookPath(b)
		if err != nil {
			msg := fmt.Sprintf("%s not found: %s (ssh-agent and ssh-add: apt-get install openssh-client) to test against a real witness", b, Install)
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

	var out []*Witness
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
		db := filepath.Join(dir, fmt.Sprintf("w%d.db", i))
		logFile := filepath.Join(dir, fmt.Sprintf("w%d.log", i))
		for _, l := range logs {
			run(t, env, witnessctl, "add-log", "-db", db, "-origin", l.Origin)
			run(t, env, witnessctl, "add-key", "-db", db, "-origin", l.Origin, "-key", l.VKey)
		}
		addr := freeAddr(t)
		cmd := exec.Command(litewitness, "-db", db, "-name", name, "-key", ssh.FingerprintSHA256(sshPub), "-ssh-agent", sock, "-listen", addr)
		cmd.Env = env
		stop := start(t, cmd, logFile)
		waitFor(t, func() error {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err
		}, "litewitness on "+addr)

		// The key litewitness announces is the one computed from the
		// private key.
		b, _ := os.ReadFile(logFile)
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
		out = append(out, &Witness{Name: name, URL: "http://" + addr, VKey: string(m[1]), stop: stop})
	}
	return out
}

// start runs a process until the test ends (or the returned function is
// called), its output in logFile.
func start(t testing.TB, cmd *exec.Cmd, logFile string) func() {
	t.Helper()
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	stop := func() {
		if done {
			return
		}
		done = true
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	}
	t.Cleanup(stop)
	return stop
}

func run(t testing.TB, env []string, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
}

func waitFor(t testing.TB, ready func() error, what string) {
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

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
