package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/i18n"
)

// logWriter sends the server's messages to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// start runs s on a free loopback port until the test ends and returns its
// base URL once the first build is done.
func start(t *testing.T, s *Server, timeout time.Duration) string {
	t.Helper()
	s.Bind, s.Port, s.Log = "127.0.0.1", 0, logWriter{t}
	started := make(chan string, 1)
	s.Started = func(u string) { started <- u }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	select {
	case u := <-started:
		return u
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(timeout):
		t.Fatalf("not serving after %s", timeout)
	}
	return ""
}

// builds records the calls of a fake Build function.
type builds struct {
	at               chan time.Time // one per build, when it started
	mu               sync.Mutex
	dests            map[string]bool
	running, maxConc int
}

func newBuilds() *builds { return &builds{at: make(chan time.Time, 100), dests: map[string]bool{}} }

func (b *builds) enter(dest string) {
	b.mu.Lock()
	b.dests[dest] = true
	b.running++
	b.maxConc = max(b.maxConc, b.running)
	b.mu.Unlock()
	b.at <- time.Now()
}

func (b *builds) leave() {
	b.mu.Lock()
	b.running--
	b.mu.Unlock()
}

func (b *builds) wait(t *testing.T, what string) time.Time {
	t.Helper()
	select {
	case at := <-b.at:
		return at
	case <-time.After(10 * time.Second):
		t.Fatalf("no rebuild after %s", what)
	}
	return time.Time{}
}

func (b *builds) none(t *testing.T, what string, d time.Duration) {
	t.Helper()
	select {
	case <-b.at:
		t.Errorf("a rebuild followed %s", what)
	case <-time.After(d):
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherDebouncesNestedFoldersAndIgnoresEditorFiles(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "blason.yaml"), "title: Test\n")
	writeFile(t, filepath.Join(src, "content", "ecole", "_space.md"), "---\nname: École\n---\n")
	const debounce = 100 * time.Millisecond
	b := newBuilds()
	start(t, &Server{Source: src, Debounce: debounce, Build: func(dest, _ string) error {
		b.enter(dest)
		defer b.leave()
		return nil
	}}, 10*time.Second)
	b.wait(t, "start")

	// Editor temp files: vim's swap file and write test, backups, Emacs locks.
	content := filepath.Join(src, "content", "ecole")
	for _, name := range []string{".badge.md.swp", "badge.md~", "4913", ".#badge.md"} {
		writeFile(t, filepath.Join(content, name), "x")
	}
	os.Remove(filepath.Join(content, "4913"))
	writeFile(t, filepath.Join(src, "site", "index.html"), "x") // not a source
	b.none(t, "editor temporary files", 4*debounce)

	// Several quick writes in a new nested folder: one rebuild, after the debounce.
	nested := filepath.Join(content, "badges", "2026", "printemps", "x.md")
	// The watcher may see the last write's event before WriteFile returns, so the debounce is
	// measured from the moment just before the last write began: no event of it can be earlier.
	var lastBegan time.Time
	for i := range 5 {
		lastBegan = time.Now()
		writeFile(t, nested, strings.Repeat("x", i+1))
	}
	if at := b.wait(t, "writes in a new nested folder"); at.Sub(lastBegan) < debounce {
		t.Errorf("rebuilt %s after the last write began, before the %s debounce", at.Sub(lastBegan), debounce)
	}
	b.none(t, "the batch's rebuild", 4*debounce)

	// The new folders are watched: a change inside is seen on its own.
	writeFile(t, nested, "modifié")
	b.wait(t, "a write in the new folder")
	writeFile(t, filepath.Join(src, "blason.yaml"), "title: Test 2\n")
	b.wait(t, "a change of blason.yaml")
	b.none(t, "the last rebuild", 4*debounce)
}

func TestChangesDuringABuildMakeOneMoreBuild(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content", "a.md"), "a")
	const debounce = 50 * time.Millisecond
	b := newBuilds()
	var n atomic.Int32
	gate := make(chan struct{})
	start(t, &Server{Source: src, Debounce: debounce, Build: func(dest, _ string) error {
		b.enter(dest)
		defer b.leave()
		if n.Add(1) == 2 {
			<-gate // the first rebuild is slow
		}
		return nil
	}}, 10*time.Second)
	b.wait(t, "start")

	writeFile(t, filepath.Join(src, "content", "a.md"), "b")
	b.wait(t, "a change")
	// Two batches arrive while that rebuild runs.
	writeFile(t, filepath.Join(src, "content", "b.md"), "b")
	time.Sleep(3 * debounce)
	writeFile(t, filepath.Join(src, "content", "c.md"), "c")
	time.Sleep(3 * debounce)
	select {
	case <-b.at:
		t.Fatal("a build started while another ran")
	default:
	}
	close(gate)
	b.wait(t, "changes during a build")
	b.none(t, "the coalesced rebuild", 4*debounce)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.maxConc != 1 {
		t.Errorf("%d builds ran at once", b.maxConc)
	}
}

// TestFirstBuildFailureThenFix: the server starts even when the first build
// fails, explains the error on every page, and serves the site once fixed;
// stopping it removes its temporary folder.
func TestFirstBuildFailureThenFix(t *testing.T) {
	src := t.TempDir()
	badge := filepath.Join(src, "content", "badge.md")
	writeFile(t, badge, "broken")
	b := newBuilds()
	var dest atomic.Value
	srv := &Server{Source: src, Debounce: 50 * time.Millisecond, Build: func(d, baseURL string) error {
		b.enter(d)
		defer b.leave()
		dest.Store(d)
		src, err := os.ReadFile(badge)
		if err != nil {
			return err
		}
		if string(src) == "broken" {
			return errors.New("content/badge.md:1: not a badge <b>")
		}
		return os.WriteFile(filepath.Join(d, "index.html"), []byte("<html><body><p>"+string(src)+"</p></body></html>"), 0o644)
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan string, 1)
	srv.Started = func(u string) { started <- u }
	srv.Log = logWriter{t}
	srv.Port = 0
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var base string
	select {
	case base = <-started:
	case err := <-done:
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "http://localhost:") || !strings.HasSuffix(base, "/") || strings.HasSuffix(base, ":0/") {
		t.Errorf("base URL %s", base)
	}
	base = strings.Replace(base, "localhost", "127.0.0.1", 1) // the test client may prefer ::1
	b.wait(t, "start")

	res, body := get(t, base)
	if res.StatusCode != 503 || !strings.Contains(body, "content/badge.md:1: not a badge &lt;b&gt;") {
		t.Errorf("placeholder: %s\n%s", res.Status, body)
	}
	ev := connect(t, base+strings.TrimPrefix(EventsPath, "/"))
	if got := ev.next(); got != "event: error\ndata: content/badge.md:1: not a badge <b>" {
		t.Errorf("on connection: %q", got)
	}
	writeFile(t, badge, "Bonjour")
	b.wait(t, "the fix")
	if got := ev.next(); got != "event: reload\ndata:" {
		t.Errorf("after the fix: %q", got)
	}
	if _, body := get(t, base); !strings.Contains(body, "<p>Bonjour</p><script data-blason-live>") {
		t.Errorf("after the fix:\n%s", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	if _, err := os.Stat(dest.Load().(string)); !os.IsNotExist(err) {
		t.Errorf("temporary folder left behind: %v", err)
	}
}

// TestKeysCreatedByABuild: builds create missing secrets and keys under
// keys/, which must not start another build; a key added later does.
func TestKeysCreatedByABuild(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "content", "ecole", "_space.md"), "---\nname: École\n---\n")
	const debounce = 50 * time.Millisecond
	b := newBuilds()
	start(t, &Server{Source: src, Debounce: debounce, Build: func(dest, _ string) error {
		b.enter(dest)
		defer b.leave()
		secret := filepath.Join(src, "keys", "ecole", "secret")
		if _, err := os.Stat(secret); err == nil {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(secret), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(secret, []byte("s"), 0o600); err != nil {
			return err
		}
		time.Sleep(2 * debounce) // the rest of the build
		return nil
	}}, 10*time.Second)
	b.wait(t, "start")
	b.none(t, "the first build creating keys", 4*debounce)
	writeFile(t, filepath.Join(src, "keys", "ecole", "es256-new.jwk"), "{}")
	b.wait(t, "a key added in the new keys folder")
}

// TestBusyPort: a port another process holds gives the friendly message,
// not the raw bind error, and nothing is built.
func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "blason.yaml"), "title: Test\n")
	built := false
	s := &Server{Source: src, Bind: "127.0.0.1", Port: port, Build: func(string, string) error { built = true; return nil }}
	err = s.Run(context.Background())
	want := fmt.Sprintf("port %d is already in use (another blason serve?): stop it or pass --port 0 / --port N", port)
	if err == nil || err.Error() != want {
		t.Fatalf("Run on a busy port: %v; want %q", err, want)
	}
	var busy *PortInUseError
	if !errors.As(err, &busy) || busy.Port != port {
		t.Errorf("error %T is not a *PortInUseError for port %d", err, port)
	}
	if built {
		t.Error("the site was built although the server could not listen")
	}
}

// TestBusyPortInFrench: the busy-port message has its French translation.
func TestBusyPortInFrench(t *testing.T) {
	err := &PortInUseError{Port: 1313}
	got := i18n.French.Translate(err.Error())
	if want := "le port 1313 est déjà utilisé (un autre blason serve ?) : arrêtez-le ou passez --port 0 / --port N"; got != want {
		t.Errorf("Translate(%q) = %q, want %q", err.Error(), got, want)
	}
}

// TestMessagesInFrench runs a server whose first build fails with a content
// diagnostic, in French: the progress lines and the diagnostic are French.
func TestMessagesInFrench(t *testing.T) {
	src := t.TempDir()
	var errs bytes.Buffer
	var mu sync.Mutex
	srv := &Server{Source: src, Lang: i18n.French, Errors: lockedWriter{&mu, &errs}, Build: func(string, string) error {
		var l diag.List
		l.Add("content/a.csv", 4, "", "unknown badge %s in space %s", `"tutorta"`, "ecole")
		return l.Err()
	}}
	start(t, srv, 30*time.Second)
	mu.Lock()
	got := errs.String()
	mu.Unlock()
	for _, want := range []string{"Échec de la construction (", `content/a.csv:4: badge "tutorta" inconnu`, "1 problème(s) trouvé(s)"} {
		if !strings.Contains(got, want) {
			t.Errorf("French build error lacks %q:\n%s", want, got)
		}
	}
}

// lockedWriter serialises writes to a buffer read by the test.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
