package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EventsPath is the server-sent events stream the live-reload script listens to.
const EventsPath = "/_blason/events"

// Handler serves a built site folder for preview. Every HTML page it serves
// gets the live-reload script before </body> (the files are left as built);
// the script listens to EventsPath, reloads the page on a "reload" event and
// shows an "error" event's text as an overlay. Until a build succeeds, every
// page is a placeholder explaining the last error.
type Handler struct {
	files http.Handler
	id    string // distinguishes this server's versions from a previous run's

	done      chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	built   bool   // dir holds a site
	gen     int    // successful builds so far
	errText string // the last build's error; empty once a build succeeds
	clients map[chan event]struct{}
}

type event struct{ name, data string }

// NewHandler returns a handler serving the site in dir; call Reload once a
// build has written it, or Fail if it could not.
func NewHandler(dir string) *Handler {
	return &Handler{
		files:   http.FileServer(http.Dir(dir)),
		id:      strconv.FormatInt(time.Now().UnixNano(), 36),
		done:    make(chan struct{}),
		clients: map[chan event]struct{}{},
	}
}

// Reload records a successful build and tells every open page to reload.
func (h *Handler) Reload() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.built, h.errText = true, ""
	h.gen++
	h.broadcast(event{name: "reload"})
}

// Fail records a failed build and shows its error on every open page.
func (h *Handler) Fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errText = err.Error()
	h.broadcast(event{name: "error", data: h.errText})
}

// Close ends the event streams, so that the HTTP server can shut down.
func (h *Handler) Close() { h.closeOnce.Do(func() { close(h.done) }) }

// broadcast sends ev to every client; h.mu is held. A client too slow to
// drain its buffer misses the event: it is gone or will reconnect.
func (h *Handler) broadcast(ev event) {
	for c := range h.clients {
		select {
		case c <- ev:
		default:
		}
	}
}

// version names the site being served; h.mu is held.
func (h *Handler) version() string { return h.id + "." + strconv.Itoa(h.gen) }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == EventsPath {
		h.events(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.mu.Lock()
	built, errText, version := h.built, h.errText, h.version()
	h.mu.Unlock()
	if !built {
		h.placeholder(w, r, errText, version)
		return
	}
	if r.Method != http.MethodGet {
		h.files.ServeHTTP(w, r)
		return
	}
	// Pages change with every build while their files may not, and the
	// script they carry names the build: never answer 304 nor a range.
	for _, k := range []string{"If-Modified-Since", "If-None-Match", "If-Range", "Range"} {
		r.Header.Del(k)
	}
	iw := &injectWriter{ResponseWriter: w, script: liveScript(version), path: r.URL.Path}
	h.files.ServeHTTP(iw, r)
	iw.finish()
}

// events streams server-sent events to one page. On connection it sends the
// current error, if any, or a reload when the page (?v=) predates the last
// build, so that a build finishing while the page loads is not missed.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	c := make(chan event, 8)
	h.mu.Lock()
	h.clients[c] = struct{}{}
	var first *event
	switch v := r.URL.Query().Get("v"); {
	case h.errText != "":
		first = &event{name: "error", data: h.errText}
	case v != "" && h.built && v != h.version():
		first = &event{name: "reload"}
	}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
	}()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "retry: 1000\n\n")
	if first != nil {
		writeEvent(w, *first)
	}
	if rc.Flush() != nil {
		return
	}
	keepAlive := time.NewTicker(20 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.done:
			return
		case ev := <-c:
			writeEvent(w, ev)
		case <-keepAlive.C:
			io.WriteString(w, ": keep-alive\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}

func writeEvent(w io.Writer, ev event) {
	var b strings.Builder
	b.WriteString("event: " + ev.name + "\n")
	for line := range strings.Lines(ev.data) {
		b.WriteString("data: " + strings.TrimRight(line, "\r\n") + "\n")
	}
	if ev.data == "" {
		b.WriteString("data:\n")
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// placeholder answers every request before the first successful build.
func (h *Handler) placeholder(w http.ResponseWriter, r *http.Request, errText, version string) {
	title, body := "Building…", "<p>The site is being built; this page reloads when it is ready.</p>"
	if errText != "" {
		title = "The site could not be built"
		body = "<p>Fix the problems below and save: this page reloads by itself when the build succeeds.</p>\n<pre>" + html.EscapeString(errText) + "</pre>"
	}
	page := fmt.Sprintf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s · blason serve</title>\n</head>\n<body style=\"font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem\">\n<h1>%s</h1>\n%s\n%s</body>\n</html>\n",
		title, title, body, liveScript(version))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method != http.MethodHead {
		io.WriteString(w, page)
	}
}

// injectWriter buffers an HTML page the file server writes, to add the
// live-reload script; other responses go through untouched. A page not
// found becomes an HTML page too, which reloads once the page is built.
type injectWriter struct {
	http.ResponseWriter
	script, path string
	wroteHeader  bool
	status       int
	buf          *bytes.Buffer // set when the body is to be rewritten
	notFound     bool
}

func (w *injectWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *injectWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	switch {
	case code == http.StatusOK && isHTML(w.Header().Get("Content-Type")) && w.Header().Get("Content-Encoding") == "":
	case code == http.StatusNotFound:
		w.notFound = true
	default:
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.status, w.buf = code, new(bytes.Buffer)
	w.Header().Del("Content-Length")
}

func (w *injectWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.buf != nil {
		return w.buf.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

func (w *injectWriter) finish() {
	if w.buf == nil {
		return
	}
	body := w.buf.Bytes()
	if w.notFound {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Del("X-Content-Type-Options")
		body = []byte("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not found · blason serve</title>\n</head>\n<body style=\"font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem\">\n<h1>Not found</h1>\n<p><code>" +
			html.EscapeString(w.path) + "</code> is not in the site; this page reloads after each build.</p>\n</body>\n</html>\n")
	}
	body = inject(body, w.script)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(w.status)
	w.ResponseWriter.Write(body)
}

func isHTML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}

// inject inserts script before the last </body>, or appends it.
func inject(page []byte, script string) []byte {
	i := bytes.LastIndex(bytes.ToLower(page), []byte("</body>"))
	if i < 0 {
		i = len(page)
	}
	out := make([]byte, 0, len(page)+len(script))
	out = append(out, page[:i]...)
	out = append(out, script...)
	return append(out, page[i:]...)
}

// liveScript is the script added to pages: it listens to the events of the
// server and reloads the page, or shows a build error over it (dismissible
// with its button or Escape; text only, never HTML).
func liveScript(version string) string {
	v, _ := json.Marshal(version)
	return `<script data-blason-live>
(function () {
  var version = ` + string(v) + `;
  function hide() {
    var o = document.getElementById("blason-error");
    if (o) o.remove();
  }
  function show(text) {
    hide();
    var o = document.createElement("div");
    o.id = "blason-error";
    o.setAttribute("role", "alert");
    o.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;margin:0;padding:2rem;background:rgba(30,0,0,.95);color:#fff;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left";
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = "\u00d7";
    b.title = "Dismiss (Esc)";
    b.setAttribute("aria-label", "Dismiss");
    b.style.cssText = "position:absolute;top:1rem;right:1rem;padding:0 .5rem;font:inherit;font-size:1.5rem;color:inherit;background:none;border:1px solid;cursor:pointer";
    b.onclick = hide;
    var h = document.createElement("strong");
    h.textContent = "blason: the build failed; the page shows the last good build.";
    var p = document.createElement("pre");
    p.style.cssText = "margin:1rem 0 0;white-space:pre-wrap;font:inherit";
    p.textContent = text;
    o.append(b, h, p);
    document.body.appendChild(o);
  }
  addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  var es = new EventSource("/_blason/events?v=" + encodeURIComponent(version));
  es.addEventListener("reload", function () { es.close(); location.reload(); });
  es.addEventListener("error", function (e) { if (typeof e.data === "string") show(e.data); });
})();
</script>
`
}
