package serve

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/build"
)

// copyDemo copies the demo site's sources (blason.yaml, content/) into dst;
// the first build creates the keys.
func copyDemo(t *testing.T, dst string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"blason.yaml", "content"} {
		src := filepath.Join(root, name)
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			target := filepath.Join(dst, name, rel)
			if d.IsDir() {
				return os.MkdirAll(target, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o600)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestLiveReloadInChromium serves a copy of the demo with the real build,
// opens a badge page, edits the badge's Markdown and waits for the page to
// show the new text by itself; then breaks the front matter (overlay with
// file:line) and fixes it (reload).
func TestLiveReloadInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	if testing.Short() {
		t.Skip("builds the demo site several times")
	}
	src := t.TempDir()
	copyDemo(t, src)
	var mu sync.Mutex
	building, lastEnd, count := false, time.Time{}, 0
	srv := &Server{Source: src, Build: func(dest, baseURL string) error {
		mu.Lock()
		building = true
		count++
		mu.Unlock()
		defer func() {
			mu.Lock()
			building, lastEnd = false, time.Now()
			mu.Unlock()
		}()
		_, err := build.Run(build.Options{Source: src, Destination: dest, BaseURL: baseURL})
		return err
	}}
	base := start(t, srv, 2*time.Minute)
	// idle waits until no build runs nor is due (the debounce has passed).
	idle := func() {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			quiet := !building && time.Since(lastEnd) > 2*DefaultDebounce
			mu.Unlock()
			if quiet {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the server keeps rebuilding")
			}
		}
	}

	ctx := browsertest.Context(t, exe, 3*time.Minute)
	eval := func(expr string) (any, error) {
		ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return chromedp.Run(ectx, chromedp.Evaluate[any](expr))
	}
	// until polls expr until it is true and returns how long it took.
	until := func(what, expr string, limit time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		var last any
		var lastErr error
		for time.Since(start) < limit+5*time.Second {
			v, err := eval(expr)
			if v == true {
				return time.Since(start)
			}
			last, lastErr = v, err // errors while the page reloads are expected
			time.Sleep(10 * time.Millisecond)
		}
		text, _ := eval(`document.body ? document.body.innerText.slice(0, 2000) : ""`)
		t.Fatalf("%s: not seen (%v, %v); page shows:\n%v", what, last, lastErr, text)
		return 0
	}
	// A page reloaded by itself loses this mark.
	const mark, marked = `window.blasonTestMark = true`, `window.blasonTestMark === true`

	page := base + "ecole-ingenieurs/badges/innovation/"
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	const before, after = "Chaque niveau est attribué séparément", "Chaque niveau est décerné à part, après délibération du jury"
	if v, err := eval(`document.body.innerText.includes(` + jsString(before) + `)`); v != true {
		t.Fatalf("the badge page does not show %q: %v %v", before, v, err)
	}
	idle()
	eval(mark)
	mu.Lock()
	if count != 1 {
		t.Errorf("%d builds before any edit, want 1 (keys created by the build must not trigger one)", count)
	}
	mu.Unlock()

	md := filepath.Join(src, "content", "ecole-ingenieurs", "badges", "innovation.md")
	orig, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(orig), before, after, 1)
	if edited == string(orig) {
		t.Fatalf("%s no longer says %q", md, before)
	}
	limit := 15 * time.Second
	if os.Getenv("BLASON_STRICT_LATENCY") == "1" {
		limit = time.Second
	}
	if err := os.WriteFile(md, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	latency := until("the edited text", `document.body.innerText.includes(`+jsString(after)+`)`, limit)
	t.Logf("live reload: the edit was visible %s after the file was written (debounce %s)", latency.Round(time.Millisecond), DefaultDebounce)
	if latency > limit {
		t.Errorf("live reload took %s, want < %s", latency, limit)
	}
	if v, _ := eval(marked); v == true {
		t.Error("the page shows the new text without having reloaded")
	}

	// A broken front matter: the overlay shows file:line, over the last good page.
	idle()
	eval(mark)
	broken := strings.Replace(edited, "---\n", "---\ndescripton: coquille\n", 1)
	if err := os.WriteFile(md, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	const overlay = `document.querySelector('[role=alert]')`
	const wantErr = `content/ecole-ingenieurs/badges/innovation.md:2: unknown key \"descripton\"`
	took := until("the error overlay", overlay+` !== null && `+overlay+`.innerText.includes("`+wantErr+`")`, 15*time.Second)
	t.Logf("error overlay shown %s after the file was written", took.Round(time.Millisecond))
	if v, _ := eval(marked + ` && document.body.innerText.includes(` + jsString(after) + `)`); v != true {
		t.Error("the page did not stay on the last good build under the overlay")
	}
	// Pages opened while the content is broken show the overlay too.
	if err := chromedp.Do(ctx, chromedp.Navigate(base)); err != nil {
		t.Fatal(err)
	}
	until("the error overlay on another page", overlay+` !== null && `+overlay+`.innerText.includes("`+wantErr+`")`, 5*time.Second)
	// It can be dismissed.
	eval(overlay + `.querySelector("button").click()`)
	if v, _ := eval(overlay + ` === null`); v != true {
		t.Error("the overlay cannot be dismissed")
	}

	// The fix reloads the page, without the overlay.
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	until("the overlay after navigating back", overlay+` !== null`, 5*time.Second)
	eval(mark)
	if err := os.WriteFile(md, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	took = until("the fixed page", `!(`+marked+`) && `+overlay+` === null && document.body.innerText.includes(`+jsString(before)+`)`, limit)
	t.Logf("fixed page shown %s after the file was written", took.Round(time.Millisecond))
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
