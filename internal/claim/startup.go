package claim

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/federation"
	"github.com/francebadge/blason/internal/keys"
	netlisten "github.com/francebadge/blason/internal/listen"
	"github.com/francebadge/blason/internal/store"
)

// startup is what the checks made before the claim server starts found
// and opened: the bound listener, the site configuration, the loaded
// federation and, when it existed already or is PostgreSQL, the store.
type startup struct {
	ln    net.Listener
	cfg   *config.Config
	fed   *federation.Federation
	store store.Store // nil: a new SQLite database, created after the first build
}

// close releases what preflight opened, when Run cannot go on.
func (s *startup) close() {
	if s.ln != nil {
		s.ln.Close()
	}
	if s.store != nil {
		s.store.Close()
	}
}

// preflight checks every option and input of Run before anything is
// built, created or written: the identity providers' options, the public
// URL, the listen address (bound here, and kept: the port cannot be taken
// between the check and the start), the store, the site configuration and
// keys, the federation certificates and metadata (loaded here). Local
// checks come first, the network last. Each failure is one sentence saying
// what is wrong and how to fix it; nothing is left behind. It fills in
// o.URL when it was not given.
func preflight(ctx context.Context, o *AppOptions) (_ *startup, err error) {
	if len(o.Federations)+len(o.IdPMetadata) == 0 {
		return nil, errors.New("no trusted identity provider: give --federation with --federation-cert, or --idp-metadata")
	}
	for _, loc := range o.Federations {
		if len(o.FederationCerts) == 0 {
			return nil, fmt.Errorf("federation %s: give the certificate its signature is checked with (--federation-cert)", loc)
		}
	}
	for _, loc := range o.IdPMetadata {
		if len(o.FederationCerts) == 0 && !o.TrustUnsigned {
			return nil, fmt.Errorf("--idp-metadata %s: no certificate to check its signature: pass --federation-cert with the certificate that signs it, or --trust-unsigned-idp for an identity provider you run yourself", loc)
		}
	}
	for _, src := range sources(o) {
		if strings.Contains(src.loc, "://") {
			if u, err := url.Parse(src.loc); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return nil, fmt.Errorf("%s %s is not an http(s) URL: give the metadata's https:// address, or a file path", src.flag, src.loc)
			}
		}
	}
	if o.URL != "" {
		if err := checkPublicURL(o.URL); err != nil {
			return nil, err
		}
	}
	host, port, err := splitListen(o.Listen)
	if err != nil {
		return nil, err
	}
	sqlite, err := sqlitePath(o.DB)
	if err != nil {
		return nil, err
	}

	// The site: its configuration, keys and (without --rebuild) index.
	var diags diag.List
	cfg := config.LoadEnv(o.Source, o.BaseURL, config.WithFile(os.Getenv, o.Config), &diags)
	if err := diags.Err(); err != nil {
		return nil, err
	}
	if err := checkKeys(o); err != nil {
		return nil, err
	}
	if sqlite != "" {
		if err := checkSQLite(sqlite); err != nil {
			return nil, err
		}
	}
	var certs []*x509.Certificate
	for _, p := range o.FederationCerts {
		c, err := readCertificates(p)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c...)
	}
	for _, src := range sources(o) {
		if !strings.Contains(src.loc, "://") {
			if err := checkReadable(src.flag, src.loc); err != nil {
				return nil, err
			}
		}
	}

	s := &startup{cfg: cfg}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.ln, err = listen(host, port); err != nil {
		return nil, err
	}
	if o.URL == "" {
		o.URL = defaultURL(host, s.ln)
	}
	if err := checkPublicURL(o.URL); err != nil {
		return nil, err
	}

	// The network: the federation metadata, then PostgreSQL.
	if s.fed, err = loadFederation(ctx, o, certs); err != nil {
		return nil, err
	}
	if sqlite == "" || exists(sqlite) {
		if s.store, err = store.Open(ctx, o.DB); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// source is one metadata option: the flag it was given with and its value.
type source struct{ flag, loc string }

func sources(o *AppOptions) []source {
	var out []source
	for _, loc := range o.Federations {
		out = append(out, source{"--federation", loc})
	}
	for _, loc := range o.IdPMetadata {
		out = append(out, source{"--idp-metadata", loc})
	}
	return out
}

// checkPublicURL checks the claim server's public URL: absolute, and
// https unless the host is this machine (a test, a preview).
func checkPublicURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("--url %q is not an absolute http(s) URL: write the server's public address, such as https://badges.example.fr/claim/", raw)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return fmt.Errorf("--url %s is plain http: students log in through it, so it must be https (http only on localhost); write https://%s%s", raw, u.Host, u.EscapedPath())
	}
	return nil
}

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// splitListen checks the listen address, HOST:PORT.
func splitListen(addr string) (host string, port int, err error) {
	h, p, err := net.SplitHostPort(addr)
	if err == nil {
		port, err = strconv.Atoi(p)
	}
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("--listen %q is not an address to listen on: write HOST:PORT, such as 127.0.0.1:8080 (port 0 picks a free one)", addr)
	}
	return h, port, nil
}

// listen binds the listen address, telling a busy port apart.
func listen(host string, port int) (net.Listener, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, problem, err := netlisten.TCP(host, port)
	switch {
	case err == nil:
		return ln, nil
	case problem == netlisten.InUse:
		return nil, fmt.Errorf("port %d is already in use (another blason claim?): stop it or pass --listen %s (a free port) or another port", port, net.JoinHostPort(host, "0"))
	case problem == netlisten.NotHere:
		return nil, fmt.Errorf("cannot listen on %s: no network interface of this machine has the address %s; pass --listen 127.0.0.1:%d or one of its addresses", addr, host, port)
	case problem == netlisten.Privileged:
		return nil, fmt.Errorf("cannot listen on %s: ports below 1024 need administrator rights; listen on a port above 1023 behind your web server (--listen 127.0.0.1:8080)", addr)
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
}

// defaultURL is the public URL when none is given: the address listened
// on (with the port picked, for port 0), localhost for every interface.
func defaultURL(host string, ln net.Listener) string {
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// sqlitePath returns the file of a SQLite store DSN (as store.Open reads
// it), "" for PostgreSQL, and an error for anything else.
func sqlitePath(dsn string) (string, error) {
	scheme, rest, hasScheme := strings.Cut(dsn, "://")
	switch {
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		// The URL is not repeated: it may hold a password.
		if _, err := url.Parse(dsn); err != nil {
			return "", errors.New("--db: the PostgreSQL URL is malformed: write it as postgres://USER@HOST:5432/DATABASE (special characters in the password percent-encoded)")
		}
		return "", nil
	case hasScheme && scheme == "sqlite":
		return rest, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		return strings.TrimPrefix(dsn, "sqlite:"), nil
	case strings.HasPrefix(dsn, "file:"):
		return strings.TrimPrefix(dsn, "file:"), nil
	case hasScheme && !strings.ContainsAny(scheme, `/\`):
		return "", fmt.Errorf("--db %s://…: unsupported database: give a file path (SQLite) or a postgres:// URL", scheme)
	}
	return dsn, nil
}

// checkSQLite checks that the SQLite database can be opened for writing,
// or created: the file, when it exists, is a file that can be written; else
// its folder is a folder that can be written, or can be made in the
// nearest existing one. Nothing is left behind.
func checkSQLite(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("--db %s is not a file: give the path of the SQLite database file (created if missing)", path)
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("--db %s cannot be written (%v): give the blason user write access to it, or pass --db with another file", path, err)
		}
		f.Close()
		return nil
	}
	switch problem, at, err := checkWritableDir(filepath.Dir(path)); problem {
	case dirNotFolder:
		return fmt.Errorf("--db %s: %s is not a folder: pass --db with a file in a folder the blason user can write", path, at)
	case dirNotWritable:
		return fmt.Errorf("--db %s: %s is not writable: pass --db with a file in a folder the blason user can write, or give the blason user write access to it", path, at)
	case dirUnreadable:
		return fmt.Errorf("--db %s: %s cannot be read (%v): pass --db with a file in a folder the blason user can write", path, at, err)
	}
	return nil
}

// Why a folder cannot be written, from checkWritableDir.
const (
	dirOK          = iota
	dirNotFolder   // at is a file
	dirNotWritable // at is a folder the process cannot write
	dirUnreadable  // at cannot be looked at (err says why)
)

// checkWritableDir checks that dir is, or can be made, a folder the
// process can write, by creating (and removing) a file in it or in its
// nearest existing parent. When it cannot, it returns why and the path in
// the way: dir itself or the parent that stops its creation.
func checkWritableDir(dir string) (problem int, at string, err error) {
	d := dir
	for {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return dirNotFolder, d, nil
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return dirUnreadable, d, err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dirUnreadable, d, err
		}
		d = parent
	}
	f, err := os.CreateTemp(d, ".blason-write-check-*")
	if err != nil {
		return dirNotWritable, d, err
	}
	f.Close()
	os.Remove(f.Name())
	return dirOK, "", nil
}

// checkKeys checks the claim server's keys: the claim-index secret and the
// SP key pair must be readable when they exist, and keys/ writable when
// one is missing (they are created on the first start); without
// --rebuild, the index of the last build must be there.
func checkKeys(o *AppOptions) error {
	dir := filepath.Join(build.KeysDir(o.Source), claimindex.KeySpace)
	_, err := keys.Store{Dir: build.KeysDir(o.Source)}.Secret(claimindex.KeySpace)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		return err
	}
	if !o.Rebuild {
		if missing {
			return fmt.Errorf("%s is missing, and without --rebuild the claim server reads the index the last build wrote with it: run blason build --claim-index first (or restore keys/ from your backup)", filepath.Join(dir, "secret"))
		}
		if _, err := claimindex.Read(build.ClaimIndexPath(o.Source)); err != nil {
			return err
		}
	}
	kp, cp := filepath.Join(dir, "sp.key"), filepath.Join(dir, "sp.crt")
	if exists(kp) || exists(cp) {
		if _, _, err := readSPKeyPair(dir); err != nil {
			return err
		}
	} else {
		missing = true
	}
	if missing {
		switch problem, at, err := checkWritableDir(dir); problem {
		case dirNotFolder:
			return fmt.Errorf("the claim server's keys are created in %s on its first start, but %s is not a folder: move it away, or restore keys/ from your backup", dir, at)
		case dirNotWritable:
			return fmt.Errorf("the claim server's keys are created in %s on its first start, but %s is not writable: give the blason user write access to it", dir, at)
		case dirUnreadable:
			return fmt.Errorf("the claim server's keys are created in %s on its first start, but %s cannot be read (%v)", dir, at, err)
		}
	}
	return nil
}

// readCertificates reads a --federation-cert file.
func readCertificates(p string) ([]*x509.Certificate, error) {
	if err := checkReadable("--federation-cert", p); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("--federation-cert %s cannot be read (%v): give the federation's metadata signing certificate (PEM)", p, err)
	}
	c, err := federation.ParseCertificates(b)
	if err != nil {
		return nil, fmt.Errorf("--federation-cert %s is not a PEM certificate (%v): give the federation's metadata signing certificate, as the federation publishes it", p, err)
	}
	return c, nil
}

// checkReadable checks that a file given with flag exists and can be read.
func checkReadable(flag, p string) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) && flag == "--federation-cert":
		return fmt.Errorf("--federation-cert %s: no such file: check the path (relative paths start from the current folder)", p)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: no such file: check the path (relative paths start from the current folder), or give the URL", flag, p)
	case err != nil:
		return fmt.Errorf("%s %s cannot be read (%v)", flag, p, err)
	case fi.IsDir():
		return fmt.Errorf("%s %s is a folder: give the file", flag, p)
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("%s %s cannot be read (%v): give the blason user read access to it", flag, p, err)
	}
	f.Close()
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// loadFederation loads every metadata source once. A source that cannot
// be used stops the start, unless it is a URL whose last good copy (kept
// under .blason/metadata/) was loaded instead: the server then starts with
// it and a warning. Folders the attempt created are removed when it fails.
func loadFederation(ctx context.Context, o *AppOptions, certs []*x509.Certificate) (*federation.Federation, error) {
	cache := filepath.Join(o.Source, ".blason", "metadata")
	var fsrc []federation.Source
	flags := map[string]string{}
	for _, src := range sources(o) {
		flags[src.loc] = src.flag
		fsrc = append(fsrc, federation.Source{Location: src.loc, Certificates: certs,
			TrustUnsigned: src.flag == "--idp-metadata" && o.TrustUnsigned})
	}
	fed, err := federation.New(federation.Config{Sources: fsrc, CacheDir: cache, Logger: o.Log})
	if err != nil {
		return nil, err
	}
	var made []string // folders the loading may create, deepest first
	for _, d := range []string{cache, filepath.Dir(cache)} {
		if !exists(d) {
			made = append(made, d)
		}
	}
	err = fed.Refresh(ctx)
	if err == nil && fed.Index().Len() > 0 {
		return fed, nil
	}
	failed := func(e error) (*federation.Federation, error) {
		for _, d := range made {
			os.Remove(d) // only when empty: a last good copy stays
		}
		return nil, e
	}
	for _, st := range fed.Status() {
		if st.Err == nil {
			continue
		}
		if st.FromCache {
			o.Log.Warn("federation: using the last good copy", slog.String("source", st.Name), slog.String("error", st.Err.Error()))
			continue
		}
		flag, why := flags[st.Name], strings.TrimPrefix(st.Err.Error(), st.Name+": ")
		if flag == "--federation" {
			return failed(fmt.Errorf("--federation %s cannot be used (%s): check the address, and that --federation-cert is the certificate that signs it", st.Name, why))
		}
		return failed(fmt.Errorf("--idp-metadata %s cannot be used (%s): give the SAML metadata the identity provider publishes (an EntityDescriptor with an IDPSSODescriptor)", st.Name, why))
	}
	if fed.Index().Len() == 0 {
		var locs []string
		for _, src := range sources(o) {
			locs = append(locs, src.loc)
		}
		return failed(fmt.Errorf("no identity provider in %s: give metadata with an IDPSSODescriptor (an identity provider's, not a service provider's), still valid", strings.Join(locs, ", ")))
	}
	return fed, nil
}
