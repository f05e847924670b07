package federation

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Source is one metadata document to trust: a federation aggregate
// (EntitiesDescriptor) or a single IdP's EntityDescriptor.
type Source struct {
	// Name identifies the source in logs, errors and IdP.Source. It
	// defaults to Location.
	Name string

	// Location is an http(s) URL or a file path.
	Location string

	// Certificates are the pinned certificates, obtained out of band, one
	// of which must have made the root element's enveloped signature. The
	// certificates' validity periods are not checked (SAML metadata
	// interoperability profile: the key is what is trusted).
	Certificates []*x509.Certificate

	// TrustUnsigned accepts the document without checking any signature
	// when Certificates is empty. Only for tests and a small deployment
	// trusting a local IdP file it controls.
	TrustUnsigned bool

	// AllowNoValidUntil accepts an aggregate whose root has no validUntil.
	// Without one, an old signed copy could be replayed forever, so by
	// default such an aggregate is refused. (A single EntityDescriptor
	// needs no validUntil.)
	AllowNoValidUntil bool
}

func (s Source) name() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Location
}

func (s Source) isURL() bool {
	return strings.HasPrefix(s.Location, "https://") || strings.HasPrefix(s.Location, "http://")
}

// Config configures a Federation.
type Config struct {
	// Sources are merged in order: when two sources list the same entityID,
	// the first source's IdP is kept.
	Sources []Source

	// CacheDir keeps the last good copy of each URL source, loaded at
	// startup when the URL cannot be fetched or its document is invalid.
	// Empty: no copy on disk.
	CacheDir string

	// Interval is the period of the background refresh (Run). Default 1h.
	Interval time.Duration

	// Timeout bounds each download. Default 2 minutes.
	Timeout time.Duration

	// MaxSize bounds each document, in bytes. Default 256 MiB.
	MaxSize int64

	// HTTPClient downloads URL sources. Default: a client without timeout
	// of its own (Timeout applies).
	HTTPClient *http.Client

	// Now is the clock validUntil is checked against. Default time.Now.
	Now func() time.Time

	// Logger receives one line per source and refresh (entityIDs, counts,
	// errors; no personal data). Default slog.Default().
	Logger *slog.Logger
}

// Federation holds the trusted IdPs of the claim server. Lookup and Search
// read the current index without locking (an atomic pointer swapped by
// Refresh); they are safe for concurrent use and cheap enough for every
// request.
//
// Typical use:
//
//	fed, err := federation.New(cfg)
//	if err := fed.Refresh(ctx); err != nil { log it } // may still have IdPs from the cache
//	go fed.Run(ctx)
//	idp, ok := fed.Lookup(entityID) // idp.Descriptor for crewjam, idp.OwnsScope for attributes
type Federation struct {
	cfg   Config
	cur   atomic.Pointer[Index]
	mu    sync.Mutex  // serialises Refresh
	good  []*document // last good document of each source
	state []SourceStatus
	pub   atomic.Pointer[[]SourceStatus] // copy of state for Status
}

// SourceStatus reports the state of one source after the last Refresh.
type SourceStatus struct {
	Name       string
	IdPs       int       // IdPs taken from the source
	ValidUntil time.Time // of the document in use; zero if none
	LoadedAt   time.Time // when the document in use was loaded
	FromCache  bool      // the document in use is the copy on disk
	Err        error     // error of the last attempt, nil if it succeeded
}

// New checks cfg and returns a Federation with no IdP yet: call Refresh.
func New(cfg Config) (*Federation, error) {
	if len(cfg.Sources) == 0 {
		return nil, errors.New("federation: no metadata source configured")
	}
	seen := map[string]bool{}
	for i, s := range cfg.Sources {
		if s.Location == "" {
			return nil, fmt.Errorf("federation: source %d (%s) has no location", i+1, s.name())
		}
		if len(s.Certificates) == 0 && !s.TrustUnsigned {
			return nil, fmt.Errorf("federation: source %s has no certificate to verify its signature (configure one, or trust it unsigned explicitly)", s.name())
		}
		if seen[s.name()] {
			return nil, fmt.Errorf("federation: two sources are named %s", s.name())
		}
		seen[s.name()] = true
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Hour
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 256 << 20
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	f := &Federation{cfg: cfg, good: make([]*document, len(cfg.Sources)), state: make([]SourceStatus, len(cfg.Sources))}
	f.cur.Store(newIndex(nil))
	return f, nil
}

// Lookup returns the trusted IdP with entityID, in O(1). Any entityID
// coming from a browser is untrusted: an unknown one yields false.
func (f *Federation) Lookup(entityID string) (*IdP, bool) {
	return f.cur.Load().Lookup(entityID)
}

// Search finds IdPs by display name for the discovery page; see
// Index.Search.
func (f *Federation) Search(query, lang string, limit int) []*IdP {
	return f.cur.Load().Search(query, lang, limit)
}

// Index returns the current index (a snapshot: it never changes).
func (f *Federation) Index() *Index {
	return f.cur.Load()
}

// Status returns the state of each source after the last Refresh. It does
// not wait for a Refresh in progress. For a readiness probe, Index().Len()
// > 0 tells whether any IdP is trusted.
func (f *Federation) Status() []SourceStatus {
	if p := f.pub.Load(); p != nil {
		return append([]SourceStatus(nil), (*p)...)
	}
	return nil
}

// Run refreshes the metadata every Interval until ctx is done. Errors are
// logged; the last good copies stay in use while they are valid.
func (f *Federation) Run(ctx context.Context) {
	t := time.NewTicker(f.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = f.Refresh(ctx) // logged by Refresh
		}
	}
}

// Refresh loads every source again, then swaps in a new index. A source
// that fails (unreachable, invalid or expired document) keeps its last
// good document, from memory, or at startup from the copy on disk, as long
// as that document's validUntil has not passed. The error joins the
// errors of the sources that failed; the index is updated all the same.
func (f *Federation) Refresh(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	log := f.cfg.Logger
	var errs []error
	for i, src := range f.cfg.Sources {
		start := time.Now()
		doc, fromCache, err := f.load(ctx, src, f.good[i] == nil)
		st := &f.state[i]
		st.Name, st.Err = src.name(), err
		if doc != nil {
			for _, p := range doc.idps {
				p.Source = src.name() // not yet published: safe to set
			}
			f.good[i] = doc
			st.LoadedAt, st.FromCache, st.ValidUntil = f.cfg.Now(), fromCache, doc.validUntil
			if n := len(doc.skipped); n > 0 {
				log.Warn("federation: entities left out", "source", src.name(), "count", n,
					"first", doc.skipped[:min(n, 5)])
			}
			log.Info("federation: metadata loaded", "source", src.name(), "idps", len(doc.idps),
				"entities", doc.entities, "signer", doc.signer, "valid_until", doc.validUntil,
				"from_cache", fromCache, "duration", time.Since(start).Round(time.Millisecond))
		}
		if err != nil {
			errs = append(errs, err)
			if f.good[i] != nil && doc == nil {
				log.Error("federation: refresh failed, keeping the last good copy", "source", src.name(), "error", err, "valid_until", f.good[i].validUntil)
			} else {
				log.Error("federation: refresh failed", "source", src.name(), "error", err)
			}
		}
	}
	f.swap()
	return errors.Join(errs...)
}

// swap builds the index from the last good documents still valid.
func (f *Federation) swap() {
	now := f.cfg.Now()
	var all []*IdP
	for i, doc := range f.good {
		st := &f.state[i]
		st.IdPs = 0
		if doc == nil {
			continue
		}
		if !doc.validUntil.IsZero() && !now.Before(doc.validUntil) {
			f.cfg.Logger.Error("federation: last good copy has expired, its IdPs are dropped", "source", st.Name, "valid_until", doc.validUntil)
			f.good[i] = nil
			continue
		}
		for _, p := range doc.idps {
			if p.ValidUntil.IsZero() || now.Before(p.ValidUntil) {
				all = append(all, p)
				st.IdPs++
			}
		}
	}
	f.cur.Store(newIndex(all))
	st := append([]SourceStatus(nil), f.state...)
	f.pub.Store(&st)
}

// load fetches and verifies a source. When it fails and useCache is set,
// the copy on disk is tried; fromCache tells which one was returned.
func (f *Federation) load(ctx context.Context, src Source, useCache bool) (doc *document, fromCache bool, err error) {
	o := verifyOptions{name: src.Location, certs: src.Certificates, allowUnsigned: src.TrustUnsigned,
		allowNoValidUntil: src.AllowNoValidUntil, now: f.cfg.Now()}
	if !src.isURL() {
		doc, err = parseFile(src.Location, o)
		return doc, false, err
	}
	cache := f.cachePath(src)
	doc, err = f.fetch(ctx, src, cache, o)
	if err == nil || !useCache || cache == "" {
		return doc, false, err
	}
	if _, statErr := os.Stat(cache); statErr != nil {
		return nil, false, err
	}
	o.name = cache + " (last good copy of " + src.Location + ")"
	cached, cerr := parseFile(cache, o)
	if cerr != nil {
		return nil, false, errors.Join(err, cerr)
	}
	return cached, true, err
}

func parseFile(path string, o verifyOptions) (*document, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return parseMetadata(fh, o)
}

// cachePath is where the last good copy of a URL source is kept.
func (f *Federation) cachePath(src Source) string {
	if f.cfg.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(src.Location))
	return filepath.Join(f.cfg.CacheDir, "metadata-"+hex.EncodeToString(sum[:8])+".xml")
}

// fetch downloads a URL source to a temporary file, bounded in size and
// time, verifies it, and on success makes it the last good copy.
func (f *Federation) fetch(ctx context.Context, src Source, cache string, o verifyOptions) (*document, error) {
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.Location, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8")
	resp, err := f.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Location, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s: HTTP status %s", src.Location, resp.Status)
	}
	dir := f.cfg.CacheDir
	if dir == "" {
		dir = os.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, "metadata-*.download")
	if err != nil {
		return nil, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // no-op once renamed
	}()
	n, err := io.Copy(tmp, io.LimitReader(resp.Body, f.cfg.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: download: %w", src.Location, err)
	}
	if n > f.cfg.MaxSize {
		return nil, fmt.Errorf("%s: document larger than the %d-byte limit", src.Location, f.cfg.MaxSize)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	doc, err := parseMetadata(tmp, o)
	if err != nil {
		return nil, err
	}
	if cache != "" {
		if err := tmp.Sync(); err == nil {
			if err := os.Rename(tmp.Name(), cache); err != nil {
				f.cfg.Logger.Warn("federation: cannot keep the last good copy", "source", src.name(), "error", err)
			}
		}
	}
	return doc, nil
}
