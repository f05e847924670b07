package claim

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const testIdPMetadata = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.univ-test.fr/idp">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.univ-test.fr/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`

// preflightSource returns a source folder with a site configuration and a
// trusted IdP metadata file, and the options of a claim server on it.
func preflightSource(t *testing.T) (string, AppOptions) {
	t.Helper()
	src := t.TempDir()
	for name, body := range map[string]string{
		"blason.yaml":               "title: Test\nbaseURL: https://badges.example.fr/\n",
		"content/univ/_space.md":    "---\nname: Université\nurl: https://www.univ.example.fr/\nemail: badges@univ.example.fr\n---\n",
		"site/index.html":           "<!doctype html>\n",
		".blason/published":         "univ\n",
		"keys/univ/secret":          strings.Repeat("ab", 32) + "\n",
		"metadata/idp.xml":          testIdPMetadata,
		"content/univ/awards/a.csv": "email,badge,date\n",
		"content/univ/badges/b.md":  "---\nname: B\ndescription: B.\nimage: b.svg\n---\n",
		"content/univ/badges/b.svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
	} {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src, AppOptions{Source: src, Listen: "127.0.0.1:0", Rebuild: true,
		IdPMetadata: []string{filepath.Join(src, "metadata", "idp.xml")}, TrustUnsigned: true,
		Log: slog.New(slog.DiscardHandler)}
}

// snapshot describes every path under dir: type, mode, size and digest.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %v %d", filepath.ToSlash(rel), fi.Mode(), fi.Size())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", sha256.Sum256(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// runFails runs the claim server, which must fail at once with want and
// leave src as it was.
func runFails(t *testing.T, src string, o AppOptions, want string) {
	t.Helper()
	before := snapshot(t, src)
	err := Run(context.Background(), o)
	if err == nil || err.Error() != want {
		t.Fatalf("Run: %v\nwant: %s", err, want)
	}
	if after := snapshot(t, src); after != before {
		t.Errorf("the source folder changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := os.Stat(DefaultDB(src)); err == nil {
		t.Error("claim.db was created")
	}
}

// TestPreflightBusyPort: a port another process holds is named, with the
// fix, before anything is built or created.
func TestPreflightBusyPort(t *testing.T) {
	src, o := preflightSource(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	o.Listen = ln.Addr().String()
	runFails(t, src, o, fmt.Sprintf("port %d is already in use (another blason claim?): stop it or pass --listen 127.0.0.1:0 (a free port) or another port", port))
}

// TestPreflightUnwritableDB: a store whose folder cannot be written is
// refused before anything is built or created. Permissions do not stop
// root: as root the folder is made immutable (chattr +i) instead.
func TestPreflightUnwritableDB(t *testing.T) {
	src, o := preflightSource(t)
	ro := filepath.Join(src, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(ro, 0o755)
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", ro).CombinedOutput(); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("root needs an immutable folder for this test: chattr +i: %v: %s", err, out)
			}
			t.Skipf("root writes in read-only folders, and chattr +i failed (%v: %s)", err, out)
		}
		defer exec.Command("chattr", "-i", ro).Run()
	}
	o.DB = filepath.Join(ro, "claim.db")
	want := "--db %s: %s is not writable: pass --db with a file in a folder the blason user can write, or give the blason user write access to it"
	runFails(t, src, o, fmt.Sprintf(want, o.DB, ro))
	o.DB = filepath.Join(ro, "state", "claim.db") // a folder to create in ro
	runFails(t, src, o, fmt.Sprintf(want, o.DB, ro))
}

// TestPreflightMetadata: metadata that is missing or unusable is named as
// the cause (not "no trusted identity provider").
func TestPreflightMetadata(t *testing.T) {
	src, o := preflightSource(t)
	missing := filepath.Join(src, "metadata", "missing.xml")
	o.IdPMetadata = []string{missing}
	runFails(t, src, o, "--idp-metadata "+missing+": no such file: check the path (relative paths start from the current folder), or give the URL")

	bad := filepath.Join(src, "metadata", "bad.xml")
	if err := os.WriteFile(bad, []byte("<md:EntityDescriptor"), 0o644); err != nil {
		t.Fatal(err)
	}
	o.IdPMetadata = []string{bad}
	before := snapshot(t, src)
	err := Run(context.Background(), o)
	if err == nil || !strings.HasPrefix(err.Error(), "--idp-metadata "+bad+" cannot be used (") {
		t.Fatalf("Run with unparseable metadata: %v", err)
	}
	if snapshot(t, src) != before {
		t.Error("the source folder changed")
	}
}

func TestCheckPublicURL(t *testing.T) {
	for _, tt := range []struct {
		url, err string
	}{
		{"https://badges.example.fr/claim/", ""},
		{"http://localhost:8080/", ""},
		{"http://127.0.0.1:8080/", ""},
		{"http://[::1]:8080/", ""},
		{"http://claim.localhost/", ""},
		{"http://badges.example.fr/", "--url http://badges.example.fr/ is plain http: students log in through it, so it must be https (http only on localhost); write https://badges.example.fr/"},
		{"http://10.0.0.5:8080/claim/", "--url http://10.0.0.5:8080/claim/ is plain http: students log in through it, so it must be https (http only on localhost); write https://10.0.0.5:8080/claim/"},
		{"badges.example.fr", `--url "badges.example.fr" is not an absolute http(s) URL: write the server's public address, such as https://badges.example.fr/claim/`},
		{"ftp://badges.example.fr/", `--url "ftp://badges.example.fr/" is not an absolute http(s) URL: write the server's public address, such as https://badges.example.fr/claim/`},
		{"https://badges.example.fr/?x=1", `--url "https://badges.example.fr/?x=1" is not an absolute http(s) URL: write the server's public address, such as https://badges.example.fr/claim/`},
		{"https:///claim/", `--url "https:///claim/" is not an absolute http(s) URL: write the server's public address, such as https://badges.example.fr/claim/`},
	} {
		err := checkPublicURL(tt.url)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("checkPublicURL(%q) = %q, want %q", tt.url, got, tt.err)
		}
	}
}

func TestSplitListen(t *testing.T) {
	for _, tt := range []struct {
		addr string
		host string
		port int
		ok   bool
	}{
		{"127.0.0.1:8080", "127.0.0.1", 8080, true},
		{":8080", "", 8080, true},
		{"[::1]:0", "::1", 0, true},
		{"localhost", "", 0, false},
		{"127.0.0.1:http", "", 0, false},
		{"127.0.0.1:70000", "", 0, false},
		{"", "", 0, false},
	} {
		host, port, err := splitListen(tt.addr)
		if (err == nil) != tt.ok || host != tt.host || port != tt.port {
			t.Errorf("splitListen(%q) = %q, %d, %v", tt.addr, host, port, err)
		}
	}
}

func TestSQLitePath(t *testing.T) {
	for _, tt := range []struct {
		dsn, path string
		ok        bool
	}{
		{".blason/claim.db", ".blason/claim.db", true},
		{"sqlite:///var/lib/blason/claim.db", "/var/lib/blason/claim.db", true},
		{"sqlite:claim.db", "claim.db", true},
		{"file:claim.db", "claim.db", true},
		{"postgres://blason@db/claims", "", true},
		{"postgresql://blason:secret@db:5432/claims?sslmode=verify-full", "", true},
		{"postgres://blason:bad%zz@db/claims", "", false},
		{"mysql://db/claims", "", false},
	} {
		path, err := sqlitePath(tt.dsn)
		if (err == nil) != tt.ok || path != tt.path {
			t.Errorf("sqlitePath(%q) = %q, %v", tt.dsn, path, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
}
