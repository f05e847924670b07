package serverconf_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/serverconf"
	"github.com/francebadge/blason/internal/verify"
)

// The tests below serve a build of the demo content with nginx, Apache and
// Caddy, configured by the snippets the build wrote, and check what a
// verifier gets. The servers are the Debian packages nginx, apache2 and
// caddy; under CI=true a missing one fails the test, otherwise it is
// skipped.

const repoRoot = "../.."

// now is the reference time of the build, after every demo award date.
var now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// served is one build of the demo with one award revoked and one
// suspended, for a base URL under a sub-path (/badges/), so that the
// snippets' paths are checked with a prefix.
type served struct {
	www       string // the folder servers use as root; the site is www/badges
	site      string
	servers   string // where the build wrote the snippets
	port      int
	base      string
	revoked   *model.Award
	suspended *model.Award
	valid     *model.Award
}

var (
	demoOnce sync.Once
	demo     *served
	demoErr  error
)

func buildDemo(t *testing.T) *served {
	t.Helper()
	demoOnce.Do(func() { demo, demoErr = makeDemo() })
	if demoErr != nil {
		t.Fatalf("demo build: %v", demoErr)
	}
	return demo
}

func makeDemo() (*served, error) {
	// Servers dropping privileges (Apache and nginx started as root) read
	// the site as another user: the folder is world-readable, unlike
	// t.TempDir. It is removed by TestMain.
	dir, err := os.MkdirTemp("", "blason-serverconf-")
	if err != nil {
		return nil, err
	}
	workDir = dir
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	d := &served{www: filepath.Join(dir, "www"), servers: filepath.Join(dir, "src", ".blason", "servers")}
	d.site = filepath.Join(d.www, "badges")
	src := filepath.Join(dir, "src")
	if err := demotest.CopyTree(filepath.Join(repoRoot, "content"), filepath.Join(src, "content")); err != nil {
		return nil, err
	}
	if err := demotest.CopyTree(filepath.Join(repoRoot, "blason.yaml"), filepath.Join(src, "blason.yaml")); err != nil {
		return nil, err
	}
	if d.port, err = freePort(); err != nil {
		return nil, err
	}
	d.base = fmt.Sprintf("http://127.0.0.1:%d/badges/", d.port)
	o := build.Options{Source: src, Destination: d.site, BaseURL: d.base, Now: now, Servers: d.servers}
	site, err := build.Load(o)
	if err != nil {
		return nil, err
	}
	for _, sp := range site.Spaces {
		if sp.Slug == "universite" {
			d.revoked, d.suspended, d.valid = sp.Awards[3], sp.Awards[4], sp.Awards[5]
		}
	}
	if d.revoked == nil {
		return nil, fmt.Errorf("the demo has no space universite")
	}
	csv := "award,date,reason,action\n" + d.revoked.ID + ",2025-11-03,Attribution faite par erreur,revoke\n" +
		d.suspended.ID + ",2025-11-04,Enquête en cours,suspend\n"
	if err := os.WriteFile(filepath.Join(src, "content", "universite", "revocations.csv"), []byte(csv), 0o644); err != nil {
		return nil, err
	}
	if _, err := build.Run(o); err != nil {
		return nil, err
	}
	return d, nil
}

var workDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if workDir != "" {
		os.RemoveAll(workDir)
	}
	os.Exit(code)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// server finds a server's binary: on PATH or in /usr/sbin (not on the PATH
// of unprivileged users on Debian). Under CI=true a missing one fails.
func server(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		if p := filepath.Join(dir, name); isFile(p) {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found: install the Debian package %s (apt-get install %s) to test the generated configuration with it", name, pkg, pkg)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// copySnippets puts the snippets for one server where its configuration
// includes them from: blason/ beside the main configuration.
func copySnippets(t *testing.T, d *served, kind, confDir string) {
	t.Helper()
	if err := demotest.CopyTree(filepath.Join(d.servers, kind), filepath.Join(confDir, "blason")); err != nil {
		t.Fatal(err)
	}
}

// start runs a server until the test ends and waits until it answers.
func start(t *testing.T, d *served, logFile string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	outFile := logFile + ".out"
	out, err := os.Create(outFile)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(logFile), "XDG_CONFIG_HOME="+filepath.Dir(logFile), "XDG_DATA_HOME="+filepath.Dir(logFile))
	// Its own process group, so that its workers are stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		// Its workers may outlive the main process for a moment, still
		// holding the port that the next server's test uses: wait until
		// nothing answers there, or the next test would talk to them.
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", d.port), 200*time.Millisecond)
			if err != nil {
				return
			}
			c.Close()
		}
		t.Errorf("%s still answers on port %d after it was stopped", filepath.Base(name), d.port)
	})
	logs := func() string {
		o, _ := os.ReadFile(outFile)
		l, _ := os.ReadFile(logFile)
		return string(o) + string(l)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("%s exited: %v\n%s", filepath.Base(name), err, logs())
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", d.port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer on port %d\n%s", filepath.Base(name), d.port, logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestNginx(t *testing.T) {
	bin := server(t, "nginx", "nginx")
	d := buildDemo(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	copySnippets(t, d, "nginx", dir)
	user := ""
	if os.Getuid() == 0 {
		user = "user root root;\n" // workers read the test's files as the test's user
	}
	conf := fmt.Sprintf(`%sworker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    server {
        listen 127.0.0.1:%[3]d;
        root %[4]s;
        include blason/blason.conf;
    }
}
`, user, dir, d.port, d.www)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, d, filepath.Join(dir, "error.log"), bin, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	check(t, d)
}

func TestApache(t *testing.T) {
	bin := server(t, "apache2", "apache2")
	d := buildDemo(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	copySnippets(t, d, "apache", dir)
	user := ""
	if os.Getuid() == 0 {
		user = "User nobody\nGroup nogroup\n" // Apache refuses to serve as root
	}
	mods := "/usr/lib/apache2/modules"
	conf := fmt.Sprintf(`ServerRoot %[1]s
ServerName 127.0.0.1
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
Mutex file:%[1]s default
ErrorLog %[1]s/error.log
LogLevel warn
%[3]sLoadModule mpm_event_module %[4]s/mod_mpm_event.so
LoadModule authz_core_module %[4]s/mod_authz_core.so
LoadModule mime_module %[4]s/mod_mime.so
LoadModule dir_module %[4]s/mod_dir.so
LoadModule headers_module %[4]s/mod_headers.so
LoadModule rewrite_module %[4]s/mod_rewrite.so
TypesConfig /etc/mime.types
DirectoryIndex index.html
<Directory />
    Require all denied
</Directory>
<VirtualHost 127.0.0.1:%[2]d>
    DocumentRoot %[5]s
    <Directory %[5]s>
        Require all granted
    </Directory>
    Include blason/blason.conf
</VirtualHost>
`, dir, d.port, user, mods, d.www)
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, d, filepath.Join(dir, "error.log"), bin, "-f", filepath.Join(dir, "httpd.conf"), "-DFOREGROUND")
	check(t, d)
}

func TestCaddy(t *testing.T) {
	bin := server(t, "caddy", "caddy")
	d := buildDemo(t)
	dir := t.TempDir()
	copySnippets(t, d, "caddy", dir)
	conf := fmt.Sprintf(`{
	admin off
	auto_https off
	storage file_system %[1]s/data
}
http://127.0.0.1:%[2]d {
	root * %[3]s
	import blason/blason.caddy
	file_server
}
`, dir, d.port, d.www)
	if err := os.WriteFile(filepath.Join(dir, "Caddyfile"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, d, filepath.Join(dir, "caddy.log"), bin, "run", "--adapter", "caddyfile", "--config", filepath.Join(dir, "Caddyfile"))
	check(t, d)
}

type want struct {
	path   string
	status int
	ctype  string // prefix of Content-Type, or "" to ignore
	body   string // file whose bytes the body must be, relative to the site
	cors   bool   // Access-Control-Allow-Origin: *
	robots bool   // X-Robots-Tag: noindex, nofollow
}

// check asks the server for each kind of file and checks the answers.
func check(t *testing.T, d *served) {
	var l layout.Layout
	revoked, suspended, valid := l.Assertion(d.revoked), l.Assertion(d.suspended), l.Assertion(d.valid)
	html := "text/html"
	cases := []want{
		{path: revoked, status: 410, ctype: "application/json", body: revoked, cors: true, robots: true},
		{path: suspended, status: 410, ctype: "application/json", body: suspended, cors: true, robots: true},
		{path: valid, status: 200, ctype: "application/json", body: valid, cors: true, robots: true},
		{path: l.SignedAssertion(d.valid), status: 200, ctype: "text/plain; charset=utf-8", body: l.SignedAssertion(d.valid), cors: true, robots: true},
		{path: l.SignedAssertion(d.revoked), status: 200, ctype: "text/plain; charset=utf-8", cors: true, robots: true},
		{path: l.Credential(d.valid), status: 200, ctype: "application/vc+ld+json", body: l.Credential(d.valid), cors: true, robots: true},
		{path: l.Credential(d.revoked), status: 200, ctype: "application/vc+ld+json", cors: true, robots: true},
		{path: l.CredentialJWT(d.valid), status: 200, ctype: "text/plain; charset=utf-8", body: l.CredentialJWT(d.valid), cors: true, robots: true},
		{path: "universite/issuer.json", status: 200, ctype: "application/json", body: "universite/issuer.json", cors: true},
		{path: "universite/status/revocation.json", status: 200, ctype: "application/json", cors: true},
		{path: "", status: 200, ctype: html, body: "index.html"},
		{path: "universite/", status: 200, ctype: html, body: "universite/index.html"},
		{path: "universite/logo.svg", status: 200, ctype: "image/svg+xml", body: "universite/logo.svg"},
		{path: "en/", status: 200, ctype: html},
		{path: "assets/style.css", status: 200, ctype: "text/css"},
		{path: "_headers", status: 404},
		{path: "_redirects", status: 404},
		{path: "universite/assertions/00/absent.json", status: 404},
		{path: "../index.html", status: 404},
		{path: "../src/blason.yaml", status: 404},
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range cases {
		u := d.base + c.path
		if strings.HasPrefix(c.path, "../") {
			u = fmt.Sprintf("http://127.0.0.1:%d/%s", d.port, strings.TrimPrefix(c.path, "../"))
		}
		resp, err := client.Get(u)
		if err != nil {
			t.Errorf("GET %s: %v", u, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != c.status {
			t.Errorf("GET %s: status %d, want %d\n%s", c.path, resp.StatusCode, c.status, h)
			continue
		}
		if c.status == 404 {
			continue
		}
		if ct := h.Get("Content-Type"); c.ctype != "" && !strings.HasPrefix(ct, c.ctype) {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, ct, c.ctype)
		}
		if c.body != "" {
			b, err := os.ReadFile(filepath.Join(d.site, filepath.FromSlash(c.body)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, b) {
				t.Errorf("GET %s: body is not %s (%d bytes, want %d):\n%.300s", c.path, c.body, len(body), len(b), body)
			}
		}
		if c.status == 410 && !bytes.Contains(body, []byte(`"revoked": true`)) {
			t.Errorf("GET %s: 410 without the tombstone:\n%.300s", c.path, body)
		}
		one := func(name, value string, wanted bool) {
			got := h.Values(name)
			switch {
			case wanted && (len(got) != 1 || got[0] != value):
				t.Errorf("GET %s: %s = %q, want exactly %q", c.path, name, got, value)
			case !wanted && len(got) > 0:
				t.Errorf("GET %s: unexpected %s %q", c.path, name, got)
			}
		}
		one("Access-Control-Allow-Origin", "*", c.cors)
		one("X-Robots-Tag", "noindex, nofollow", c.robots)
		one("X-Content-Type-Options", "nosniff", true)
		// JSON, compact JWS and SVG files opened directly run nothing.
		one("Content-Security-Policy", serverconf.FilesCSP, c.cors || strings.HasSuffix(c.path, ".svg"))
	}
	// Blason's Open Badges 2.0 verifier, over HTTP: the 410 says revoked,
	// and a valid assertion still verifies through these servers (profile
	// and badge class fetched, JSON-LD checked).
	v := verify.OB2{Fetcher: verify.HTTPFetcher{AllowPrivate: true}, Loader: jsonld.NewLoader(), Now: now}
	for _, c := range []struct {
		a    *model.Award
		want verify.Status
	}{{d.revoked, verify.Revoked}, {d.suspended, verify.Revoked}, {d.valid, verify.Valid}} {
		rep := v.Hosted(context.Background(), d.base+l.Assertion(c.a), nil)
		if rep.Status != c.want || (c.want == verify.Valid && len(rep.Problems) > 0) {
			t.Errorf("verifying %s: %v %v, want %v", l.Assertion(c.a), rep.Status, rep.Problems, c.want)
		}
	}
}
