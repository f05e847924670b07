package claim

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/federation"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
)

// AppOptions configure `blason claim`.
type AppOptions struct {
	Listen string // address to listen on, e.g. 127.0.0.1:8080
	URL    string // public base URL of the claim server; default http://<Listen>/
	// Source is the site folder (blason.yaml, content/, keys/);
	// Destination its output folder; BaseURL overrides the site's.
	Source, Destination, BaseURL string
	// Config is the configuration file instead of Source's blason.yaml
	// (--config); empty: BLASON_CONFIG or the folder's.
	Config string
	// Rebuild makes the server build the site at start and again after
	// every passport change (a single host holding the content). Without
	// it the server reads the claim index the last build wrote, and
	// passport changes are picked up by the next build (which reads the
	// same database).
	Rebuild bool
	DB      string // store DSN: a file path (SQLite) or a postgres:// URL
	// Federations are aggregate sources (URL or file) verified with
	// FederationCerts; IdPMetadata are single IdP documents, trusted
	// unsigned when TrustUnsigned (tests, a local IdP only).
	Federations, FederationCerts, IdPMetadata []string
	TrustUnsigned                             bool
	Organization                              Organization
	// Privacy: the controller and DPO contacts of the privacy page;
	// AuditRetention and PurgeEvery: the retention of audit events and
	// the period of the purge (zero: the defaults).
	Privacy                    Privacy
	AuditRetention, PurgeEvery time.Duration
	// Wallet parameterises OpenID4VCI delivery (offer and token
	// lifetimes, transaction code, logo).
	Wallet Wallet
	Log    *slog.Logger
}

// DefaultDB is the store used when none is given: SQLite under the
// source's private .blason/ folder.
func DefaultDB(source string) string { return filepath.Join(source, ".blason", "claim.db") }

// Run serves the claim server until ctx ends, then shuts down gracefully.
//
// Every option and input is checked first (see preflight): when one is
// wrong, Run returns a sentence saying what and how to fix it, having
// built, created and written nothing.
func Run(ctx context.Context, o AppOptions) error {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Source == "" {
		o.Source = "."
	}
	if o.DB == "" {
		o.DB = DefaultDB(o.Source)
	}
	pre, err := preflight(ctx, &o)
	if err != nil {
		return err
	}
	// Until the server serves, a failure closes the listener and the store.
	serving := false
	defer func() {
		if !serving {
			pre.close()
		} else {
			pre.store.Close()
		}
	}()
	ln, fed, cfg := pre.ln, pre.fed, pre.cfg
	dest := o.Destination
	if dest == "" {
		dest = filepath.Join(o.Source, "site")
	}

	bopts := build.Options{Source: o.Source, Destination: o.Destination, BaseURL: o.BaseURL, Config: o.Config,
		ClaimIndex: build.ClaimIndexPath(o.Source),
		Waiting: func(dest string, pid int) {
			o.Log.Info("another build is writing the site; waiting", slog.String("site", dest), slog.Int("pid", pid))
		}}
	var ix atomic.Pointer[claimindex.Index]
	rebuild := func() error {
		res, err := build.Run(bopts)
		if err != nil {
			return err
		}
		o.Log.Info("site built", slog.Int("issued", res.Issued), slog.Int("written", res.Written))
		return nil
	}
	load := func() error {
		i, err := claimindex.Read(bopts.ClaimIndex)
		if err != nil {
			return err
		}
		ix.Store(i)
		return nil
	}
	if o.Rebuild {
		if pre.store != nil {
			bopts.Passports = []passport.Source{pre.store}
		}
		if err := rebuild(); err != nil {
			return err
		}
	}
	// A new SQLite database is created once the first build has succeeded
	// (a new database holds no passports: that build needed none of it).
	if pre.store == nil {
		file, _ := sqlitePath(o.DB)
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return err
		}
		if pre.store, err = store.Open(ctx, o.DB); err != nil {
			return err
		}
	}
	st := pre.store
	bopts.Passports = []passport.Source{st}
	key, err := build.ClaimKey(bopts)
	if err != nil {
		return err
	}
	if err := load(); err != nil {
		return err
	}
	go fed.Run(ctx)

	spKey, spCert, err := spKeyPair(filepath.Join(build.KeysDir(o.Source), claimindex.KeySpace), o.URL)
	if err != nil {
		return err
	}
	secret := hmac.New(sha256.New, key)
	secret.Write([]byte("claim server"))

	// Passport changes: one rebuild at a time (this goroutine), coalescing
	// bursts.
	pending := make(chan struct{}, 1)
	onChange := func() {
		select {
		case pending <- struct{}{}:
		default:
		}
	}
	if o.Rebuild {
		// A rebuild under way is finished before Run returns: the site and
		// the claim index are left whole, and the caller may remove them.
		bctx, stop := context.WithCancel(ctx)
		var bg sync.WaitGroup
		defer func() {
			stop()
			bg.Wait()
		}()
		ctx := bctx
		bg.Add(1)
		go func() {
			defer bg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-pending:
					if err := rebuild(); err != nil {
						o.Log.Error("rebuild after a passport change", slog.String("error", err.Error()))
					} else if err := load(); err != nil {
						o.Log.Error("claim index", slog.String("error", err.Error()))
					}
				}
			}
		}()
	} else {
		onChange = nil
	}

	srv, err := New(Config{
		URL: o.URL, SiteURL: cfg.BaseURL, SiteDir: dest,
		Index: ix.Load, IndexKey: key, Secret: secret.Sum(nil),
		SPKey: spKey, SPCert: spCert, Organization: o.Organization,
		Directory: FederationDirectory(fed), Store: FromStore(st),
		OnPassportChange: onChange, Log: o.Log,
		Privacy: o.Privacy, AuditRetention: o.AuditRetention, PurgeEvery: o.PurgeEvery, Wallet: o.Wallet,
	})
	if err != nil {
		return err
	}
	// Expired sessions, replay-cache entries and audit events are purged
	// on a schedule.
	go srv.RunPurge(ctx)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	o.Log.Info("claim server", slog.String("url", o.URL), slog.String("listen", ln.Addr().String()), slog.Int("idps", fed.Index().Len()))
	serving = true // Serve closes the listener
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: not ready any more, then finish the requests in
	// flight.
	srv.SetReady(false)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// FederationDirectory presents a federation's IdPs to the claim server.
func FederationDirectory(f *federation.Federation) Directory { return fedDirectory{f} }

type fedDirectory struct{ f *federation.Federation }

func toIdP(p *federation.IdP) *IdP {
	return &IdP{EntityID: p.EntityID, Names: p.DisplayName, Metadata: p.Descriptor, OwnsScope: p.OwnsScope}
}

func (d fedDirectory) Lookup(id string) (*IdP, bool) {
	p, ok := d.f.Lookup(id)
	if !ok {
		return nil, false
	}
	return toIdP(p), true
}

// Search finds providers by name; with no query it lists them all when
// there are few (a single institution's deployment), none otherwise.
func (d fedDirectory) Search(q, lang string, limit int) []*IdP {
	found := d.f.Search(q, lang, limit)
	if strings.TrimSpace(q) == "" {
		if all := d.f.Index().All(); len(all) <= limit {
			found = all
		}
	}
	var out []*IdP
	for _, p := range found {
		out = append(out, toIdP(p))
	}
	return out
}

// spKeyPair loads the service provider's key and certificate from dir
// (sp.key, sp.crt), creating them on first use: RSA 2048, self-signed,
// valid ten years (federations trust the key in the metadata, not a CA).
func spKeyPair(dir, url string) (*rsa.PrivateKey, *x509.Certificate, error) {
	keyPath, certPath := filepath.Join(dir, "sp.key"), filepath.Join(dir, "sp.crt")
	_, kerr := os.Lstat(keyPath)
	_, cerr := os.Lstat(certPath)
	if !errors.Is(kerr, fs.ErrNotExist) || !errors.Is(cerr, fs.ErrNotExist) {
		return readSPKeyPair(dir)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: url},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	kb := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	cb := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(keyPath, kb, 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(certPath, cb, 0o644); err != nil {
		return nil, nil, err
	}
	return readSPKeyPair(dir)
}

// readSPKeyPair reads the service provider's key and certificate from dir
// (sp.key, sp.crt); both must be there.
func readSPKeyPair(dir string) (*rsa.PrivateKey, *x509.Certificate, error) {
	keyPath, certPath := filepath.Join(dir, "sp.key"), filepath.Join(dir, "sp.crt")
	kb, kerr := os.ReadFile(keyPath)
	cb, cerr := os.ReadFile(certPath)
	if kerr != nil || cerr != nil {
		return nil, nil, fmt.Errorf("%s needs both sp.key and sp.crt, the claim server's SAML key pair (%v): restore both from your backup (a new pair must be registered with the federation again)", dir, errors.Join(kerr, cerr))
	}
	kp, _ := pem.Decode(kb)
	cp, _ := pem.Decode(cb)
	if kp == nil || cp == nil {
		return nil, nil, fmt.Errorf("%s: sp.key or sp.crt is not PEM: restore both from your backup", dir)
	}
	key, err := x509.ParsePKCS1PrivateKey(kp.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	cert, err := x509.ParseCertificate(cp.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", certPath, err)
	}
	return key, cert, nil
}
