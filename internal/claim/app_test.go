package claim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/verify"
)

// TestAppEndToEnd runs `blason claim` as a single host does (the demo
// content, an SQLite store, in-process rebuilds) with a real SimpleSAMLphp
// IdP: a student logs in, sees exactly their awards, downloads a
// credential the verifier accepts, puts a badge on their passport, and the
// passport page appears in the site with that badge.
func TestAppEndToEnd(t *testing.T) {
	idp := ssptest.Start(t, ssptest.Options{})
	src := t.TempDir()
	if err := os.CopyFS(filepath.Join(src, "content"), os.DirFS(filepath.Join(repoRoot(), "content"))); err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join(repoRoot(), "blason.yaml"))
	os.WriteFile(filepath.Join(src, "blason.yaml"), cfg, 0o644)
	mdFile := filepath.Join(src, "idp.xml")
	os.WriteFile(mdFile, idp.Metadata(t), 0o644)

	siteLn, _ := net.Listen("tcp", "127.0.0.1:0")
	siteURL := "http://" + siteLn.Addr().String() + "/"
	site := filepath.Join(src, "site")
	go http.Serve(siteLn, http.FileServer(http.Dir(site)))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	claimURL := "http://" + addr + "/"

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, AppOptions{Listen: addr, Source: src, BaseURL: siteURL, Rebuild: true,
			IdPMetadata: []string{mdFile}, TrustUnsigned: true, Log: slog.New(slog.DiscardHandler)})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("shutdown: %v", err)
		}
	}()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(claimURL + "readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("claim server stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("claim server not ready")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := os.WriteFile(idp.SPMetadata, get(t, http.DefaultClient, claimURL+"saml/metadata"), 0o644); err != nil {
		t.Fatal(err)
	}

	c := browser()
	f := ssptest.Login(t, c, claimURL+"login?entityID="+url.QueryEscape(idp.EntityID), "etudiant1")
	status, page := post(t, c, f)
	got := awardsOn(page)
	if status != 200 || len(got) != 3 {
		t.Fatalf("after login: %d, awards %v\n%s", status, got, page)
	}
	v := verify.New(verify.DirFetcher{Base: siteURL, Dir: site}, time.Now())
	cred := get(t, c, claimURL+"me/download/"+got[0]+"/credential.json")
	if _, rep := v.Bytes(context.Background(), cred, nil); rep.Status != verify.Valid {
		t.Fatalf("downloaded credential: %v %v", rep.Status, rep.Problems)
	}
	tok := csrfFrom(t, page)
	for _, form := range []url.Values{
		{"csrf": {tok}, "slug": {"camille-martin"}, "name": {"Camille Martin"}},
		{"csrf": {tok}, "toggle": {"add:" + strings.Replace(got[0], "/", ":", 1)}},
	} {
		target := claimURL + "me/passport"
		if form.Get("toggle") != "" {
			target += "/badges"
		}
		resp, err := c.PostForm(target, form)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if !strings.Contains(resp.Request.URL.RawQuery, "notice=saved") {
			t.Fatalf("POST %s: landed on %s", target, resp.Request.URL)
		}
	}
	// The in-process rebuild publishes the page with that badge.
	award := strings.Split(got[0], "/")[1]
	pagePath := filepath.Join(site, "passport", "camille-martin", "index.html")
	for {
		b, err := os.ReadFile(pagePath)
		if err == nil && strings.Contains(string(b), award) {
			if !strings.Contains(string(b), "Camille Martin") {
				t.Fatal("the passport page lacks the chosen display name")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no passport page with award %s in the site (%v)", award, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
