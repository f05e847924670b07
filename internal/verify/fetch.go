// Package verify checks published badges the way an independent verifier
// does, from their URLs or a site folder: Open Badges 2.0 hosted assertions
// (the assertion → BadgeClass → issuer chain, origin scope, dates, images,
// revocation, recipient hash) and signed ones (JWS), and Open Badges 3.0
// credentials with a Data Integrity proof or as VC-JWTs (JSON Schema,
// SafeMode JSON-LD, issuer keys through did:web, expiry, status lists).
package verify

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Fetcher retrieves a published resource by URL.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (body []byte, contentType string, err error)
}

// HTTPFetcher fetches over HTTP(S).
type HTTPFetcher struct {
	Client *http.Client
}

// Fetch GETs url, following redirects, and requires a final 200.
func (f HTTPFetcher) Fetch(ctx context.Context, url string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/ld+json, application/json;q=0.9, */*;q=0.1")
	c := f.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode == http.StatusGone {
		return body, resp.Header.Get("Content-Type"), ErrGone
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// ErrGone is returned for a 410 response, the spec's way to revoke a hosted assertion.
var ErrGone = fmt.Errorf("410 Gone")

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
