package claim

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/store"
	"github.com/francebadge/blason/internal/store/storetest"
)

// TestReplicasShareStateOnPostgres runs two claim servers on one PostgreSQL
// database behind a round-robin load balancer: a login started on one
// replica completes on the other, the session works on both, a replayed
// response is refused by the replica that did not see it first, and a
// passport chosen on one is what the other shows.
func TestReplicasShareStateOnPostgres(t *testing.T) {
	dsn := storetest.FreshPostgres(t, "claim_test")
	w := setup(t)
	idp := ssptest.Start(t, ssptest.Options{})
	dir := staticDirectory{}
	trust(t, dir, idp)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lbURL := "http://" + ln.Addr().String() + "/"
	key, cert := ssptest.SelfSigned(t, "replicated SP")
	var backends []*url.URL
	for i := range 2 {
		st, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		srv, err := New(Config{
			URL: lbURL, SiteURL: w.siteURL, SiteDir: w.site,
			Index: func() *claimindex.Index { return w.ix }, IndexKey: w.key,
			Secret: bytes.Repeat([]byte{3}, 32), SPKey: key, SPCert: cert,
			Directory: dir, Store: FromStore(st), RateLimit: 10000,
		})
		if err != nil {
			t.Fatal(err)
		}
		bl, _ := net.Listen("tcp", "127.0.0.1:0")
		hs := &http.Server{Handler: srv.Handler()}
		go hs.Serve(bl)
		t.Cleanup(func() { hs.Close() })
		u, _ := url.Parse("http://" + bl.Addr().String())
		backends = append(backends, u)
		_ = i
	}
	var n atomic.Int64
	var hits [2]atomic.Int64
	lb := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		i := n.Add(1) % 2
		hits[i].Add(1)
		r.SetURL(backends[i])
		r.Out.Host = r.In.Host
	}}
	hs := &http.Server{Handler: lb}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	md := get(t, http.DefaultClient, lbURL+"saml/metadata")
	if err := os.WriteFile(idp.SPMetadata, md, 0o644); err != nil {
		t.Fatal(err)
	}

	c := browser()
	f := ssptest.Login(t, c, lbURL+"login?entityID="+url.QueryEscape(idp.EntityID), "etudiant1")
	status, page := post(t, c, f)
	if status != 200 || len(awardsOn(page)) != 3 {
		t.Fatalf("login through the balancer: %d, %d awards\n%s", status, len(awardsOn(page)), page)
	}
	// The session works on both replicas.
	for range 4 {
		if p := string(get(t, c, lbURL+"me")); len(awardsOn(p)) != 3 {
			t.Fatalf("a replica does not know the session:\n%s", p)
		}
	}
	if hits[0].Load() == 0 || hits[1].Load() == 0 {
		t.Fatalf("the balancer used one replica only: %d/%d", hits[0].Load(), hits[1].Load())
	}
	// Replaying the response (with the request-tracking cookie put back) on
	// either replica is refused: the replay cache is shared.
	c2 := browser()
	u, _ := url.Parse(lbURL)
	c2.Jar.SetCookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/saml/acs"}, c.Jar.Cookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/saml/acs"}))
	for range 2 {
		if status, _ := post(t, c2, f); status != http.StatusForbidden {
			t.Fatalf("replayed response accepted by a replica: %d", status)
		}
	}
	// A passport set through one replica is shown by the other.
	tok := csrfFrom(t, string(get(t, c, lbURL+"me")))
	resp, err := c.PostForm(lbURL+"me/passport", url.Values{"csrf": {tok}, "slug": {"camille-replicas"}, "name": {"Camille"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 2 {
		if p := string(get(t, c, lbURL+"me")); !strings.Contains(p, "passport/camille-replicas/") {
			t.Fatal("the passport is not shown by every replica")
		}
	}
	_ = time.Second
}
