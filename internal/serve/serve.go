// Package serve previews a site while it is edited: it builds the site into a
// private temporary folder, serves that folder over HTTP, watches the sources
// (content/, themes/, layouts/, static/, i18n/, keys/, blason.yaml) and rebuilds after each batch of
// changes. Open pages reload by themselves after a successful rebuild
// (server-sent events); a failed build shows its problems in the terminal
// and as an overlay in the browser, while the last good site stays served.
package serve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/i18n"
)

// DefaultDebounce is how long the watcher waits after the last change of a
// batch before rebuilding.
const DefaultDebounce = 300 * time.Millisecond

// Server previews the site of a source folder. Its zero value is not usable:
// Source and Build are required.
type Server struct {
	Source string // site folder holding blason.yaml, content/, themes/, keys/
	Bind   string // interface to listen on; empty means 127.0.0.1
	Port   int    // port to listen on; 0 picks a free port

	// Build builds the site into dest for baseURL. It is called for the
	// first build and after every batch of changes, never concurrently;
	// it should write only the files that changed.
	Build func(dest, baseURL string) error

	Log      io.Writer     // progress messages; nil discards them
	Errors   io.Writer     // build errors; nil means Log
	Lang     i18n.Lang     // language of the messages; "" means English
	Debounce time.Duration // quiet time that ends a batch of changes; 0 means DefaultDebounce

	// Started, when set, is called with the base URL once the site is served.
	Started func(baseURL string)
}

// Run builds the site, serves it and rebuilds it on changes until ctx is
// done; it then stops the server and removes the temporary folder. A failed
// build does not stop it: Run returns an error only when it cannot listen,
// watch or serve.
func (s *Server) Run(ctx context.Context) (err error) {
	if s.Build == nil {
		return errors.New("serve: no Build function")
	}
	source, err := filepath.Abs(cmp.Or(s.Source, "."))
	if err != nil {
		return err
	}
	if fi, err := os.Stat(source); err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", source)
	}
	logw := s.Log
	if logw == nil {
		logw = io.Discard
	}
	errw := cmp.Or[io.Writer](s.Errors, logw)
	debounce := cmp.Or(s.Debounce, DefaultDebounce)

	bind := cmp.Or(s.Bind, "127.0.0.1")
	ln, err := listen(bind, s.Port)
	if err != nil {
		return err
	}
	defer ln.Close()
	baseURL := "http://" + net.JoinHostPort(urlHost(bind), strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)) + "/"

	dir, err := os.MkdirTemp("", "blason-serve-")
	if err != nil {
		return err
	}
	defer func() {
		if rerr := os.RemoveAll(dir); err == nil {
			err = rerr
		}
	}()

	// Watch before the first build, so that edits made while it runs are
	// not lost: they make one more build.
	w, err := newWatcher(source, func(format string, args ...any) { fmt.Fprintf(errw, "watch: "+format+"\n", args...) })
	if err != nil {
		return err
	}
	defer w.close()

	h := NewHandler(dir)
	changes := newBatch()
	wctx, stopWatch := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { w.run(wctx, debounce, changes.add) })
	defer func() {
		stopWatch()
		wg.Wait()
	}()

	build := func(changed []string) {
		start := time.Now()
		w.building.Store(true)
		err := s.Build(dir, baseURL)
		w.building.Store(false)
		took := time.Since(start).Round(time.Millisecond)
		switch {
		case err != nil:
			fmt.Fprintln(errw, s.Lang.Sprintf("Build failed (%s):", took))
			fmt.Fprintln(errw, localize(s.Lang, err))
			if changed != nil {
				fmt.Fprintln(errw, s.Lang.Sprintf("Still serving the last good site; fix the problems above and save."))
			}
			h.Fail(err)
		case changed == nil:
			fmt.Fprintln(logw, s.Lang.Sprintf("Built in %s", took))
			h.Reload()
		default:
			fmt.Fprintln(logw, s.Lang.Sprintf("Rebuilt in %s", took))
			h.Reload()
		}
	}
	build(nil)

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintln(logw, s.Lang.Sprintf("Serving at %s (Ctrl+C to stop)", baseURL))
	if s.Started != nil {
		s.Started(baseURL)
	}

	for {
		select {
		case <-ctx.Done():
			h.Close() // ends the event streams, which Shutdown would wait for
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				srv.Close()
			}
			return nil
		case err := <-served:
			h.Close()
			return err
		case <-changes.ready:
			changed := changes.take()
			if len(changed) == 0 {
				continue
			}
			fmt.Fprintln(logw, s.Lang.Sprintf("Changed: %s", summary(changed)))
			build(changed)
		}
	}
}

// urlHost is the host name of the base URL for an interface: localhost for
// the loopback and wildcard addresses.
func urlHost(bind string) string {
	switch bind {
	case "", "127.0.0.1", "0.0.0.0", "::", "::1", "localhost":
		return "localhost"
	}
	return bind
}

func summary(paths []string) string {
	const max = 3
	if len(paths) <= max {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:max], ", "), len(paths)-max)
}

// batch accumulates the changed paths of debounced batches until the build
// loop takes them: batches arriving during a build make one more build.
type batch struct {
	ready chan struct{}
	mu    sync.Mutex
	paths map[string]bool
}

func newBatch() *batch {
	return &batch{ready: make(chan struct{}, 1), paths: map[string]bool{}}
}

func (b *batch) add(paths []string) {
	b.mu.Lock()
	for _, p := range paths {
		b.paths[p] = true
	}
	b.mu.Unlock()
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

func (b *batch) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.paths))
	for p := range b.paths {
		out = append(out, p)
	}
	clear(b.paths)
	slices.Sort(out)
	return out
}

// localize writes a build error in language l: content diagnostics through
// their formats, other errors by the catalogue's patterns.
func localize(l i18n.Lang, err error) string {
	var d *diag.Error
	if errors.As(err, &d) {
		return d.Localize(l)
	}
	return l.Translate(err.Error())
}
