package serve

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const page = "<!DOCTYPE html>\n<html><head><title>t</title></head>\n<body>\n<p>Bonjour</p>\n</body>\n</html>\n"

func siteDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":          page,
		"badges/a/index.html": page,
		"badges/a/badge.json": `{"type":"BadgeClass","name":"</body>"}`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if cl := res.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(b)) {
		t.Errorf("%s: Content-Length %s, body %d bytes", url, cl, len(b))
	}
	return res, string(b)
}

func TestHandlerInjectsScriptIntoHTMLOnly(t *testing.T) {
	dir := siteDir(t)
	h := NewHandler(dir)
	h.Reload()
	ts := httptest.NewServer(h)
	defer ts.Close()
	defer h.Close()

	for _, path := range []string{"/", "/badges/a/"} {
		res, body := get(t, ts.URL+path)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %s %s", path, res.Status, res.Header.Get("Content-Type"))
		}
		i, j := strings.Index(body, "<script data-blason-live>"), strings.LastIndex(body, "</body>")
		if i < 0 || j < i || !strings.Contains(body[i:j], EventsPath) {
			t.Errorf("%s: no live-reload script before </body>:\n%s", path, body)
		}
		if !strings.HasPrefix(body, page[:strings.Index(page, "</body>")]) {
			t.Errorf("%s: the page itself was altered:\n%s", path, body)
		}
	}
	res, body := get(t, ts.URL+"/badges/a/badge.json")
	if want := `{"type":"BadgeClass","name":"</body>"}`; body != want || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("JSON served as %q: %s", res.Header.Get("Content-Type"), body)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "index.html")); string(b) != page {
		t.Errorf("the site file was rewritten:\n%s", b)
	}
	// A page not built (yet) is an HTML page that reloads after builds.
	res, body = get(t, ts.URL+"/badges/nouveau/")
	if res.StatusCode != 404 || !strings.Contains(body, "<script data-blason-live>") || !strings.Contains(body, "/badges/nouveau/") {
		t.Errorf("missing page: %s\n%s", res.Status, body)
	}
}

// stream reads server-sent events.
type stream struct {
	t      *testing.T
	r      *bufio.Reader
	cancel context.CancelFunc
}

// connect opens the event stream and reads the connection preamble, after
// which the handler has registered the client.
func connect(t *testing.T, url string) *stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events served as %q", ct)
	}
	s := &stream{t: t, r: bufio.NewReader(res.Body), cancel: cancel}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	if got := s.next(); got != "retry: 1000" {
		t.Fatalf("preamble %q", got)
	}
	return s
}

// next returns the next block of lines (an event), without its blank line.
func (s *stream) next() string {
	s.t.Helper()
	var lines []string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.t.Fatalf("event stream: %v (read %q)", err, lines)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" && len(lines) > 0 {
			return strings.Join(lines, "\n")
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
}

func TestEventsStreamReloadAndErrors(t *testing.T) {
	h := NewHandler(siteDir(t))
	h.Reload()
	ts := httptest.NewServer(h)
	defer ts.Close()
	defer h.Close()

	a, b := connect(t, ts.URL+EventsPath), connect(t, ts.URL+EventsPath)
	h.Reload()
	for _, s := range []*stream{a, b} {
		if got := s.next(); got != "event: reload\ndata:" {
			t.Errorf("after a build: %q", got)
		}
	}
	h.Fail(errors.New("content/x.md:3: unknown key \"descripton\"\n\thint: did you mean \"description\"?"))
	if got, want := a.next(), "event: error\ndata: content/x.md:3: unknown key \"descripton\"\ndata: \thint: did you mean \"description\"?"; got != want {
		t.Errorf("after a failed build:\n%s\nwant\n%s", got, want)
	}
	// A page opened while the build is broken shows the error at once.
	if got := connect(t, ts.URL+EventsPath).next(); !strings.HasPrefix(got, "event: error\ndata: content/x.md:3:") {
		t.Errorf("on connection during an error: %q", got)
	}
	h.Reload()
	if got := a.next(); got != "event: reload\ndata:" {
		t.Errorf("after the fix: %q", got)
	}

	// A page served before the last build reloads as soon as it connects;
	// a current one does not.
	_, body := get(t, ts.URL+"/")
	current := body[strings.Index(body, `var version = "`)+len(`var version = "`):]
	current = current[:strings.IndexByte(current, '"')]
	stale := connect(t, ts.URL+EventsPath+"?v=old."+current)
	if got := stale.next(); got != "event: reload\ndata:" {
		t.Errorf("stale page: %q", got)
	}
	fresh := connect(t, ts.URL+EventsPath+"?v="+current)
	h.Fail(errors.New("boom"))
	if got := fresh.next(); got != "event: error\ndata: boom" {
		t.Errorf("current page got %q first, want only the next event", got)
	}
}

func TestPlaceholderUntilFirstBuild(t *testing.T) {
	h := NewHandler(t.TempDir())
	ts := httptest.NewServer(h)
	defer ts.Close()
	defer h.Close()
	h.Fail(errors.New(`content/x.md:2: unknown key "<b>"`))
	for _, path := range []string{"/", "/ecole/badges/x/"} {
		res, body := get(t, ts.URL+path)
		if res.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %s %s", path, res.Status, res.Header.Get("Content-Type"))
		}
		if !strings.Contains(body, `content/x.md:2: unknown key &#34;&lt;b&gt;&#34;`) || !strings.Contains(body, "<script data-blason-live>") {
			t.Errorf("%s: placeholder does not explain the error:\n%s", path, body)
		}
	}
}

func TestInject(t *testing.T) {
	for in, want := range map[string]string{
		"<p>x</p></body></html>":          "<p>x</p>S</body></html>",
		"<p>x</p></BODY>":                 "<p>x</p>S</BODY>",
		"<p></body></p></body>":           "<p></body></p>S</body>",
		"<p>fragment":                     "<p>fragmentS",
		"<body>é</body>":                  "<body>éS</body>",
		"<html><body></body><!-- x -->\n": "<html><body>S</body><!-- x -->\n",
	} {
		if got := string(inject([]byte(in), "S")); got != want {
			t.Errorf("inject(%q) = %q, want %q", in, got, want)
		}
	}
}
