package claim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/store"
)

// loadHandler is the handler of the last loadServer (for the handler
// benchmark).
var loadHandler http.Handler

// loadServer is a claim server on loopback with the SQLite store, an index
// of n awards (a national site's scale) and a logged-in student holding
// five of them; it returns the URL of "my badges" and the session cookie.
func loadServer(tb testing.TB, n int) (string, *http.Cookie) {
	tb.Helper()
	idxKey := bytes.Repeat([]byte{9}, 32)
	ix := &claimindex.Index{Version: 1, Recipients: map[string][]int{}}
	for i := range n {
		ix.Entries = append(ix.Entries, claimindex.Entry{Space: fmt.Sprintf("space-%d", i%40), SpaceName: map[string]string{"fr": "Établissement"},
			Award: fmt.Sprintf("award%022d", i), Badge: "badge", Name: map[string]string{"fr": "Badge", "en": "Badge"},
			Date: "2025-06-01", Status: "valid", Image: "s/badges/b.svg", BadgePage: "s/badges/b/"})
		h := claimindex.Hash(idxKey, claimindex.KindEPPN, fmt.Sprintf("student%d@univ.fr", i/5))
		ix.Recipients[h] = append(ix.Recipients[h], i)
	}
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "claim.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	key, cert := ssptest.SelfSigned(tb, "bench SP")
	ts := httptest.NewUnstartedServer(nil)
	srv, err := New(Config{URL: "http://" + ts.Listener.Addr().String() + "/", SiteURL: "https://badges.example.fr/", SiteDir: tb.TempDir(),
		Index: func() *claimindex.Index { return ix }, IndexKey: idxKey, Secret: bytes.Repeat([]byte{1}, 32),
		SPKey: key, SPCert: cert, Directory: staticDirectory{}, Store: FromStore(st)})
	if err != nil {
		tb.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	loadHandler = ts.Config.Handler
	ts.Start()
	tb.Cleanup(ts.Close)
	id, err := FromStore(st).CreateSession(context.Background(), Session{Subject: "s", IdP: "https://idp.univ.fr/idp",
		Keys: []string{claimindex.Hash(idxKey, claimindex.KindEPPN, "student7@univ.fr")}, CSRF: "c",
		Created: time.Now(), Expires: time.Now().Add(time.Hour)})
	if err != nil {
		tb.Fatal(err)
	}
	return ts.URL + "/me", &http.Cookie{Name: sessionCookie, Value: id}
}

// BenchmarkMyBadges measures the "my badges" page of a logged-in student
// over loopback HTTP (keep-alive clients in parallel): requests per second
// and the 99th percentile latency. Run with -cpu 2 on the 2-core target.
func BenchmarkMyBadges(b *testing.B) {
	u, cookie := loadServer(b, 100_000)
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var mine []time.Duration
		for pb.Next() {
			req, _ := http.NewRequest("GET", u, nil)
			req.AddCookie(cookie)
			t0 := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	reportLatency(b, lat, time.Since(start))
}

// reportLatency reports a load run's throughput and 99th-percentile
// latency, with the core count they were measured on.
func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
	}
}

// BenchmarkWrkMyBadges runs wrk (Debian package) once against the "my
// badges" page and reports wrk's requests per second and 99th percentile
// latency; wrk's whole report goes to the log (-v). Run with
// go test ./internal/claim -run NONE -bench WrkMyBadges -benchtime 1x -v
// (BLASON_WRK_CONNS sets the connections, default 32).
func BenchmarkWrkMyBadges(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Fatal("wrk not installed (apt-get install wrk)")
	}
	u, cookie := loadServer(b, 100_000)
	for b.Loop() {
		out, err := exec.Command(wrk, "-t2", "-c"+conns(), "-d15s", "--latency", "-H", "Cookie: "+cookie.String(), u).CombinedOutput()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		b.Logf("wrk on 2 cores, 100,000-award index, student with 5 awards:\n%s", out)
		if m := wrkRate.FindSubmatch(out); m != nil {
			v, _ := strconv.ParseFloat(string(m[1]), 64)
			b.ReportMetric(v, "req/s")
		}
		if m := wrkP99.FindSubmatch(out); m != nil {
			v, _ := strconv.ParseFloat(string(m[1]), 64)
			if string(m[2]) == "s" {
				v *= 1000
			} else if string(m[2]) == "us" {
				v /= 1000
			}
			b.ReportMetric(v, "p99-ms")
		}
	}
}

var (
	wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99  = regexp.MustCompile(`99%\s+([0-9.]+)(us|ms|s)`)
)

// conns is the number of wrk connections (BLASON_WRK_CONNS, default 32).
func conns() string {
	if c := os.Getenv("BLASON_WRK_CONNS"); c != "" {
		return c
	}
	return "32"
}
