// Package verify checks published badges the way an independent verifier
// does, from their URLs or a site folder: Open Badges 2.0 hosted assertions
// (the assertion → BadgeClass → issuer chain, origin scope, dates, images,
// revocation, recipient hash) and signed ones (JWS), and Open Badges 3.0
// credentials with a Data Integrity proof or as VC-JWTs (JSON Schema,
// SafeMode JSON-LD, issuer keys through did:web, expiry, status lists).
package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Fetcher retrieves a published resource by URL.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (body []byte, contentType string, err error)
}

// Limits of HTTPFetcher.
const (
	MaxBodySize  = 8 << 20 // bytes of one response
	MaxRedirects = 5       // redirects followed by one fetch
)

// HTTPFetcher fetches over HTTP(S).
//
// Unless AllowPrivate is set, it refuses to connect to loopback, private
// (RFC 1918, fc00::/7), link-local, unspecified, broadcast and multicast
// addresses. The check applies to the resolved address of every connection,
// so redirects and DNS names pointing inside are refused too; proxies from
// the environment are not used then, as they would hide the destination.
// A Client may be given for its timeout and TLS settings; its Transport
// must then be nil or an *http.Transport.
type HTTPFetcher struct {
	Client       *http.Client
	AllowPrivate bool
}

// ErrNotFound is matched (errors.Is) by a 404 response.
var ErrNotFound = errors.New("not found")

// statusError is a final response other than 200 and 410.
type statusError struct {
	url, status string
	code        int
}

func (e statusError) Error() string { return fmt.Sprintf("GET %s: %s", e.url, e.status) }

func (e statusError) Is(target error) bool {
	return target == ErrNotFound && e.code == http.StatusNotFound
}

// Fetch GETs url, following at most MaxRedirects redirects, and requires a
// final 200 and a body of at most MaxBodySize bytes.
func (f HTTPFetcher) Fetch(ctx context.Context, url string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/ld+json, application/json;q=0.9, */*;q=0.1")
	c, err := f.client()
	if err != nil {
		return nil, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize+1))
	if err != nil {
		return nil, "", err
	}
	if len(body) > MaxBodySize {
		return nil, "", fmt.Errorf("GET %s: response larger than %d MiB", url, MaxBodySize>>20)
	}
	if resp.StatusCode == http.StatusGone {
		return body, resp.Header.Get("Content-Type"), ErrGone
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", statusError{url: url, status: resp.Status, code: resp.StatusCode}
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// client returns the client to use: f.Client (or a default one) with the
// redirect cap and, unless AllowPrivate, the address guard.
func (f HTTPFetcher) client() (*http.Client, error) {
	var c http.Client
	if f.Client != nil {
		c = *f.Client
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", MaxRedirects)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	if f.AllowPrivate {
		return &c, nil
	}
	var base *http.Transport
	switch t := c.Transport.(type) {
	case nil:
	case *http.Transport:
		base = t
	default:
		return nil, fmt.Errorf("HTTPFetcher: cannot guard a %T against private addresses", t)
	}
	c.Transport = guardedTransport(base)
	return &c, nil
}

// guarded caches the guarded clone of each transport, so that connections
// are pooled across fetches.
var guarded sync.Map // *http.Transport (nil for the default) → *http.Transport

func guardedTransport(base *http.Transport) *http.Transport {
	if t, ok := guarded.Load(base); ok {
		return t.(*http.Transport)
	}
	src := base
	if src == nil {
		src = http.DefaultTransport.(*http.Transport)
	}
	t := src.Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, ControlContext: refusePrivate}
	t.DialContext = d.DialContext
	t.DialTLSContext = nil // a custom TLS dialer would bypass the guard
	t.Dial, t.DialTLS = nil, nil
	t.Proxy = nil
	got, _ := guarded.LoadOrStore(base, t)
	return got.(*http.Transport)
}

// refusePrivate is the net.Dialer hook that sees the resolved address of
// every connection.
func refusePrivate(_ context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to connect to %s: %v", address, err)
	}
	if !publicAddr(ap.Addr()) {
		return fmt.Errorf("refusing to connect to the non-public address %s (use --allow-private to allow it)", ap.Addr())
	}
	return nil
}

var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	broadcast   = netip.MustParseAddr("255.255.255.255")
)

// publicAddr reports whether a may be contacted when fetching from the
// network on behalf of untrusted documents.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid(), a.IsLoopback(), a.IsPrivate(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(),
		a.IsInterfaceLocalMulticast(), a.IsMulticast(), a.IsUnspecified(), thisNetwork.Contains(a), a == broadcast:
		return false
	}
	return true
}

// ErrGone is returned for a 410 response, the spec's way to revoke a hosted assertion.
var ErrGone = fmt.Errorf("410 Gone")

// MaxFetches is the number of resources a Verifier fetches for one input.
const MaxFetches = 50

// budgetKey is the context key of the fetch budget of one input.
type budgetKey struct{}

// withBudget returns ctx carrying a fresh fetch budget, unless it has one.
func withBudget(ctx context.Context) context.Context {
	if _, ok := ctx.Value(budgetKey{}).(*atomic.Int32); ok {
		return ctx
	}
	return context.WithValue(ctx, budgetKey{}, new(atomic.Int32))
}

// budgetFetcher counts the fetches made for one input (the budget travels
// in the context) and refuses those beyond MaxFetches.
type budgetFetcher struct{ f Fetcher }

func (b budgetFetcher) Fetch(ctx context.Context, url string) ([]byte, string, error) {
	if n, ok := ctx.Value(budgetKey{}).(*atomic.Int32); ok && n.Add(1) > MaxFetches {
		return nil, "", fmt.Errorf("GET %s: more than %d fetches for one input", url, MaxFetches)
	}
	return b.f.Fetch(ctx, url)
}

// notFound reports whether err means the resource does not exist (as
// opposed to a fetch that failed).
func notFound(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, os.ErrNotExist)
}

// DirFetcher resolves URLs under Base from a local site folder, never the network.
type DirFetcher struct {
	Base string // ends with "/"
	Dir  string
}

// Fetch reads the file that url maps to under Dir.
func (f DirFetcher) Fetch(_ context.Context, url string) ([]byte, string, error) {
	rest, ok := strings.CutPrefix(url, f.Base)
	if !ok && strings.HasPrefix(f.Base, "http://") {
		// did:web documents are always addressed over https.
		rest, ok = strings.CutPrefix(url, "https://"+strings.TrimPrefix(f.Base, "http://"))
	}
	if !ok {
		return nil, "", fmt.Errorf("%s is outside %s; refusing to use the network", url, f.Base)
	}
	rest, _, _ = strings.Cut(rest, "#")
	rest, _, _ = strings.Cut(rest, "?")
	if rest == "" || strings.HasSuffix(rest, "/") {
		rest += "index.html"
	}
	if !filepath.IsLocal(filepath.FromSlash(rest)) {
		return nil, "", fmt.Errorf("%s escapes the site folder", url)
	}
	p := filepath.Join(f.Dir, filepath.FromSlash(rest))
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, "", err
	}
	return b, mime.TypeByExtension(filepath.Ext(p)), nil
}
