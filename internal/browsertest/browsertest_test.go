package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRecorderAndAxeCatchProblems checks the checkers: on a page with an
// image without alt text, an alert and a console error, axe-core reports a
// critical violation and the recorder sees the dialog and the error.
func TestRecorderAndAxeCatchProblems(t *testing.T) {
	exe := Chromium(t)
	axe := AxeSource(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html lang="en"><head><title>t</title><link rel="icon" href="data:,"></head><body><main><h1>t</h1>
<img src="/missing.png"><script>alert("hi"); console.error("boom")</script></main></body></html>`))
	}))
	t.Cleanup(srv.Close)
	ctx := Context(t, exe, time.Minute)
	rec := Record(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	vs, err := Axe(ctx, axe)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range vs {
		found = found || (v.ID == "image-alt" && v.Impact == "critical" && len(v.Nodes) == 1)
	}
	if !found {
		t.Errorf("axe-core did not report the image without alt text: %+v", vs)
	}
	errs, dialogs := rec.Take()
	if len(dialogs) != 1 || dialogs[0] != "alert: hi" {
		t.Errorf("dialogs %q, want the alert", dialogs)
	}
	var boom, missing bool
	for _, e := range errs {
		boom = boom || contains(e, "boom")
		missing = missing || contains(e, "404")
	}
	if !boom || !missing {
		t.Errorf("console errors %q, want console.error and the missing image", errs)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
