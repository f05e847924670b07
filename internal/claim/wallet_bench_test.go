package claim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/store"
)

// BenchmarkWalletCredential measures the OpenID4VCI credential endpoint
// over loopback HTTP with the SQLite store: 16 keep-alive clients in
// parallel, each with its own access token (valid for the run), fetching
// a 4 KB signed credential from the site folder. It reports requests per
// second, the 99th percentile latency and the cores used. Run on the
// 2-core target with
// go test ./internal/claim -run NONE -bench WalletCredential -benchtime 20000x -cpu 2
func BenchmarkWalletCredential(b *testing.B) {
	const clients = 16
	idxKey := bytes.Repeat([]byte{9}, 32)
	site := b.TempDir()
	ix := &claimindex.Index{Version: 1, Recipients: map[string][]int{}}
	cred := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"description":"` + strings.Repeat("x", 4000) + `"}`
	for i := range clients {
		e := claimindex.Entry{Space: "s", Award: fmt.Sprintf("award%02d", i), Credential: fmt.Sprintf("s/c/%d.json", i), CredentialJWT: fmt.Sprintf("s/c/%d.jwt", i)}
		ix.Entries = append(ix.Entries, e)
		for _, p := range []string{e.Credential, e.CredentialJWT} {
			p = filepath.Join(site, filepath.FromSlash(p))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(cred), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "claim.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	key, cert := ssptest.SelfSigned(b, "bench SP")
	ts := httptest.NewUnstartedServer(nil)
	srv, err := New(Config{URL: "http://" + ts.Listener.Addr().String() + "/", SiteURL: "https://badges.example.fr/", SiteDir: site,
		Index: func() *claimindex.Index { return ix }, IndexKey: idxKey, Secret: bytes.Repeat([]byte{1}, 32),
		SPKey: key, SPCert: cert, Directory: staticDirectory{}, Store: FromStore(st), Wallet: Wallet{TokenTTL: time.Hour}})
	if err != nil {
		b.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	b.Cleanup(ts.Close)
	ws := FromStore(st).(WalletStore)
	var tokens []string
	for i := range clients {
		now := time.Now()
		code, err := ws.CreateWalletOffer(context.Background(), store.WalletOffer{Subject: fmt.Sprintf("subject%d", i),
			Award: passport.AwardRef{Space: "s", Award: fmt.Sprintf("award%02d", i)}, Expires: now.Add(time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		tok, _, err := ws.RedeemWalletOffer(context.Background(), code, "", now, now.Add(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	body := []byte(`{"credential_configuration_id":"` + ConfigLDP + `"}`)
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		tok := tokens[int(next.Add(1)-1)%clients]
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
		var mine []time.Duration
		for pb.Next() {
			req, _ := http.NewRequest("POST", ts.URL+"/credential", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || n < 4000 {
				b.Errorf("status %d, %d bytes", resp.StatusCode, n)
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
