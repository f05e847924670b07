// Package ssptest starts a real SimpleSAMLphp identity provider (the Debian
// simplesamlphp package, served by `php -S`) on loopback for integration
// tests, with the test users of testdata/idp/config/authsources.php.
//
// When php or SimpleSAMLphp is missing the test is skipped, except under
// CI=true where it fails: CI must install them (.ci/run does).
package ssptest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// WWW is where Debian installs SimpleSAMLphp's document root.
const WWW = "/usr/share/simplesamlphp/www"

// Options tune an identity provider.
type Options struct {
	Scope  string // shibmd:Scope published (default univ-test.fr)
	SigAlg string // signature algorithm URI (default RSA-SHA256)
	// SignResponse false signs only the assertion.
	UnsignedResponse bool
	Encrypt          bool
}

// IdP is a running SimpleSAMLphp identity provider.
type IdP struct {
	URL      string // base URL, ends with "/"
	EntityID string
	Runtime  string // its runtime folder
	// SPMetadata is the file the IdP reads service-provider metadata from
	// (on every request): write the SP's metadata XML there.
	SPMetadata string
	cmd        *exec.Cmd
}

// Require skips (or, under CI=true, fails) when SimpleSAMLphp is missing.
func Require(t testing.TB) {
	t.Helper()
	_, errPHP := exec.LookPath("php")
	_, errSSP := os.Stat(filepath.Join(WWW, "saml2", "idp", "metadata.php"))
	if errPHP == nil && errSSP == nil {
		return
	}
	msg := "SimpleSAMLphp not installed (apt-get install simplesamlphp php-cli php-xml php-mbstring php-curl)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func configDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "idp", "config")
}

// Start runs an identity provider on a free loopback port until the test
// ends.
func Start(t testing.TB, o Options) *IdP {
	t.Helper()
	Require(t)
	rt := t.TempDir()
	for _, d := range []string{"cert", "log", "data", "tmp", "sessions"} {
		if err := os.MkdirAll(filepath.Join(rt, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeKeyPair(filepath.Join(rt, "cert")); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	idp := &IdP{URL: "http://" + addr + "/", Runtime: rt, SPMetadata: filepath.Join(rt, "sp-metadata.xml")}
	idp.EntityID = idp.URL + "saml2/idp/metadata.php"
	cmd := exec.Command("php", "-S", addr, "-t", WWW)
	env := append(os.Environ(),
		"SIMPLESAMLPHP_CONFIG_DIR="+configDir(),
		"SSP_BASEURL="+idp.URL,
		"SSP_RUNTIME="+rt,
		"SSP_SP_METADATA="+idp.SPMetadata,
	)
	if o.Scope != "" {
		env = append(env, "SSP_SCOPE="+o.Scope)
	}
	if o.SigAlg != "" {
		env = append(env, "SSP_SIG_ALG="+o.SigAlg)
	}
	if o.UnsignedResponse {
		env = append(env, "SSP_SIGN_RESPONSE=0")
	}
	if o.Encrypt {
		env = append(env, "SSP_ENCRYPT_ASSERTION=1")
	}
	cmd.Env = env
	logf, err := os.Create(filepath.Join(rt, "log", "php-server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	idp.cmd = cmd
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(idp.EntityID)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(body), "EntityDescriptor") {
				break
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(rt, "log", "php-server.log"))
			t.Fatalf("SimpleSAMLphp did not start on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return idp
}

// Metadata returns the IdP's metadata XML.
func (idp *IdP) Metadata(t testing.TB) []byte {
	t.Helper()
	resp, err := http.Get(idp.EntityID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Log returns what the IdP wrote to its log so far.
func (idp *IdP) Log() string {
	b, _ := os.ReadFile(filepath.Join(idp.Runtime, "log", "php-server.log"))
	return string(b)
}

// newCert makes an RSA key and a self-signed certificate for cn, valid from
// yesterday (so that a test clock slightly behind still accepts it).
func newCert(cn string) (*rsa.PrivateKey, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-24 * time.Hour),
		NotAfter:     time.Now().Add(10 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	return key, der, err
}

// writeKeyPair writes the IdP's throw-away signing key and certificate.
func writeKeyPair(dir string) error {
	key, der, err := newCert("127.0.0.1 test IdP")
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "idp.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "idp.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// SelfSigned makes a key and certificate for a test service provider.
func SelfSigned(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, der, err := newCert(cn)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// String describes the IdP for test logs.
func (idp *IdP) String() string { return fmt.Sprintf("SimpleSAMLphp at %s", idp.URL) }

// Form is an HTML form as a browser would submit it.
type Form struct {
	Action string
	Fields url.Values
}

// forms reads the forms of an HTML page (action resolved against base).
func forms(base *url.URL, body io.Reader) ([]Form, error) {
	doc, err := html.Parse(body)
	if err != nil {
		return nil, err
	}
	var out []Form
	var cur *Form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := func(k string) string {
				for _, a := range n.Attr {
					if a.Key == k {
						return a.Val
					}
				}
				return ""
			}
			switch n.Data {
			case "form":
				act, _ := base.Parse(attr("action"))
				out = append(out, Form{Action: act.String(), Fields: url.Values{}})
				cur = &out[len(out)-1]
				defer func() { cur = nil }()
			case "input":
				if cur != nil && attr("name") != "" {
					cur.Fields.Set(attr("name"), attr("value"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out, nil
}

// Login drives the IdP's login for user (password user+"pw") after the
// client was sent to it: it GETs start (an SP URL that redirects to the
// IdP), submits the credentials, and returns the form the IdP's page would
// auto-submit to the SP's ACS (SAMLResponse, RelayState), unsent.
func Login(t testing.TB, c *http.Client, start, user string) Form {
	t.Helper()
	resp, err := c.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := forms(resp.Request.URL, bytes.NewReader(page))
	if err != nil || len(fs) == 0 || resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d at %s, no login form (%v):\n%.3000s", start, resp.StatusCode, resp.Request.URL.Path, err, pageText(page))
	}
	login := fs[0]
	login.Fields.Set("username", user)
	login.Fields.Set("password", user+"pw")
	resp, err = c.PostForm(login.Action, login.Fields)
	if err != nil {
		t.Fatal(err)
	}
	fs, err = forms(resp.Request.URL, resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Fields.Get("SAMLResponse") != "" {
			return f
		}
	}
	t.Fatalf("the IdP answered the login of %s without a SAMLResponse (status %d)", user, resp.StatusCode)
	return Form{}
}

var tags = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>|\s*\n\s*`)

// pageText is the visible text of an HTML page, for failure messages.
func pageText(page []byte) string { return tags.ReplaceAllString(string(page), " ") }
