// Package browsertest starts headless Chromium for page tests: it finds
// the browser (skipping the test on a laptop without one, failing it under
// CI=true) and opens a chromedp context with the flags this network needs.
// It also records console errors and dialogs, runs axe-core on a page and
// says where to save screenshots.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Chromium returns the browser's path.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on this CI machine; .ci/run must install it")
	}
	t.Skip("no Chromium found; install Debian's chromium to run page tests")
	return ""
}

// Context starts the browser at exe and returns a tab context that ends
// with the test or after timeout.
func Context(t testing.TB, exe string, timeout time.Duration) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel3)
	return ctx
}

// Recorder collects what a tab reports while pages are tested: console
// errors (calls of console.error, uncaught exceptions, browser log errors
// such as a resource that failed to load) and JavaScript dialogs (alert,
// confirm, prompt), which it dismisses so that the page goes on.
type Recorder struct {
	mu      sync.Mutex
	errors  []string
	dialogs []string
}

// Record starts recording the tab of ctx. Call it before the first page
// is opened.
func Record(ctx context.Context) *Recorder {
	r := &Recorder{}
	console := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				r.mu.Lock()
				r.errors = append(r.errors, fmt.Sprintf("%s (%s:%d)", m.String(), m.URL, m.Line))
				r.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			r.mu.Lock()
			r.dialogs = append(r.dialogs, string(ev.Type)+": "+ev.Message)
			r.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return r
}

// Take returns what was recorded since the last call, and forgets it.
func (r *Recorder) Take() (errors, dialogs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	errors, dialogs = r.errors, r.dialogs
	r.errors, r.dialogs = nil, nil
	return errors, dialogs
}

// Artefacts returns the folder where a test saves what people look at
// afterwards (screenshots): $BLASON_ARTEFACTS/<test name>, or a new
// temporary folder that is kept after the test. The folder is logged.
func Artefacts(t testing.TB) string {
	t.Helper()
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	var dir string
	if root := os.Getenv("BLASON_ARTEFACTS"); root != "" {
		dir = filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	} else {
		d, err := os.MkdirTemp("", "blason-artefacts-"+name+"-")
		if err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	t.Logf("artefacts (screenshots) in %s", dir)
	return dir
}

// AxePath is where the pinned axe-core (tools/axe/package.json) is installed
// by `npm ci --prefix tools/axe`, relative to the module root.
const AxePath = "tools/axe/node_modules/axe-core/axe.min.js"

// AxeSource returns the axe-core script, skipping the test when it is not
// installed (failing it under CI=true).
func AxeSource(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(AxePath)))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is not installed (%v); .ci/run must run npm ci --prefix tools/axe", err)
		}
		t.Skip("axe-core not installed; run: npm ci --prefix tools/axe")
	}
	return string(b)
}

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"` // minor, moderate, serious or critical
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"` // CSS selector and failure summary of each element
}

// Axe runs axe-core (source from AxeSource) on the page open in ctx and
// returns its violations.
func Axe(ctx context.Context, source string) ([]Violation, error) {
	// A page that never settles fails here, named, rather than using up
	// the whole test's time.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](source+"\n;typeof axe === 'object'")); err != nil {
		return nil, fmt.Errorf("injecting axe-core: %w", err)
	}
	const run = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help,
		nodes: v.nodes.map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").replace(/\s+/g, " "))
	})))`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return vs, nil
}

// BrokenImages is a script listing, space-separated, the images of the
// page that did not load.
const BrokenImages = `Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src).join(" ")`

// Submit runs actions that leave the page — submit a form, follow a link —
// and waits until the page they lead to has loaded, so that what comes next
// (a wait for an element both pages have, an axe-core run) never runs
// against the page being left: a script evaluated while a page unloads
// can wait for ever.
func Submit(actions ...chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.RunResponse(ctx, actions...)
		return err
	})
}

// Navigate opens u, failing the test when it cannot.
func Navigate(t testing.TB, ctx context.Context, u string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

// Eval returns the value of a script in the page, failing the test when it
// cannot be had as a T.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}
