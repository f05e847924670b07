package claim

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limiter is a fixed-window rate limit per client address, for the login
// and consent endpoints.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	start  time.Time
	counts map[string]int
}

func newLimiter(max int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, window: window, now: now, counts: map[string]int{}}
}

func (l *limiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); now.Sub(l.start) >= l.window {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[addr]++
	return l.counts[addr] <= l.max
}

// clientAddr is the client's IP address (the connection's; a deployment
// behind a proxy rate-limits at the proxy).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
