package federation

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// clock is an adjustable test clock.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.t.Store(&t) }
func (c *clock) now() time.Time   { return *c.t.Load() }

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// feedServer serves body (swappable) or fails with status.
type feedServer struct {
	body   atomic.Pointer[[]byte]
	status atomic.Int32
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if st := s.status.Load(); st != 0 {
		http.Error(w, "down", int(st))
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Write(*s.body.Load())
}

func TestFederationRefreshKeepsLastGoodCopy(t *testing.T) {
	good := readShared(t, resignedFeed)
	cert := loadCert(t, testSigner)
	srv := &feedServer{}
	srv.body.Store(&good)
	ts := httptest.NewServer(srv)
	defer ts.Close()

	clk := newClock(feedTime)
	cache := t.TempDir()
	cfg := Config{
		Sources:  []Source{{Name: "renater-test", Location: ts.URL + "/md.xml", Certificates: []*x509.Certificate{cert}}},
		CacheDir: cache, Now: clk.now, Logger: quietLogger(),
	}
	fed, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fed.Lookup("https://idp.univ-test.fr/idp/shibboleth"); ok {
		t.Fatal("IdP known before the first refresh")
	}
	if err := fed.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := fed.Index().Len(); n != 310 {
		t.Fatalf("%d IdPs", n)
	}
	someID := fed.Index().All()[0].EntityID
	p, ok := fed.Lookup(someID)
	if !ok || p.Source != "renater-test" || p.Descriptor == nil {
		t.Fatalf("lookup %s: %v %+v", someID, ok, p)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "metadata-*.xml"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}

	// A tampered copy is refused; the last good copy stays in use.
	bad := bytes.Replace(good, []byte("univ-test.fr"), []byte("univ-evil.fr"), 1)
	srv.body.Store(&bad)
	err = fed.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("tampered refresh: %v", err)
	}
	if fed.Index().Len() != 310 {
		t.Fatal("last good copy dropped after a bad refresh")
	}
	if st := fed.Status()[0]; st.Err == nil || st.IdPs != 310 {
		t.Fatalf("status %+v", st)
	}
	cached, _ := os.ReadFile(files[0])
	if !bytes.Equal(cached, good) {
		t.Fatal("the bad copy replaced the last good copy on disk")
	}

	// Source down at startup: a new Federation loads the copy on disk.
	srv.status.Store(http.StatusServiceUnavailable)
	fed2, _ := New(cfg)
	err = fed2.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("refresh with source down: %v", err)
	}
	if fed2.Index().Len() != 310 || !fed2.Status()[0].FromCache {
		t.Fatalf("last good copy not loaded from disk: %d, %+v", fed2.Index().Len(), fed2.Status()[0])
	}

	// Once validUntil has passed, the kept copy is dropped.
	clk.set(time.Date(2022, 6, 23, 0, 0, 0, 0, time.UTC))
	err = fed2.Refresh(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	if fed2.Index().Len() != 0 {
		t.Fatalf("expired copy still in use: %d IdPs", fed2.Index().Len())
	}
	// And an expired copy on disk is not loaded at startup.
	fed3, _ := New(cfg)
	err = fed3.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), "has passed") || fed3.Index().Len() != 0 {
		t.Fatalf("expired cache: %v, %d IdPs", err, fed3.Index().Len())
	}
}

func TestFederationDownloadLimits(t *testing.T) {
	good := readShared(t, resignedFeed)
	cert := loadCert(t, testSigner)
	srv := &feedServer{}
	srv.body.Store(&good)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	fed, err := New(Config{
		Sources: []Source{{Location: ts.URL, Certificates: []*x509.Certificate{cert}}},
		MaxSize: 1 << 20, Now: func() time.Time { return feedTime }, Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fed.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
	}

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(good[:1000])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	fed, _ = New(Config{
		Sources: []Source{{Location: slow.URL, Certificates: []*x509.Certificate{cert}}},
		Timeout: 100 * time.Millisecond, Logger: quietLogger(),
	})
	start := time.Now()
	if err := fed.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("slow server: %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatal("timeout not applied")
	}
}

const singleIdP = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" ID="_single" entityID="http://127.0.0.1:8080/saml2/idp/metadata.php">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>
      <shibmd:Scope regexp="false">univ-test.fr</shibmd:Scope>
      <shibmd:Scope regexp="true">^.*\.labo-test\.fr$</shibmd:Scope>
      <mdui:UIInfo>
        <mdui:DisplayName xml:lang="fr">Université de test</mdui:DisplayName>
        <mdui:DisplayName xml:lang="en">Test University</mdui:DisplayName>
        <mdui:Description xml:lang="fr">IdP de test</mdui:Description>
        <mdui:Logo height="16" width="16">https://idp.univ-test.fr/logo.png</mdui:Logo>
      </mdui:UIInfo>
    </md:Extensions>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://127.0.0.1:8080/saml2/idp/SSOService.php"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`

func TestSingleEntityDescriptorSources(t *testing.T) {
	dir := t.TempDir()
	k := newTestKey(t, "single IdP signer")
	other := newTestKey(t, "someone else")
	unsigned := filepath.Join(dir, "idp.xml")
	signed := filepath.Join(dir, "idp-signed.xml")
	os.WriteFile(unsigned, []byte(singleIdP), 0o644)
	os.WriteFile(signed, k.sign(t, []byte(singleIdP), "_single"), 0o644)
	const id = "http://127.0.0.1:8080/saml2/idp/metadata.php"

	tests := []struct {
		name    string
		src     Source
		wantErr string
	}{
		{"unsigned, trusted explicitly", Source{Location: unsigned, TrustUnsigned: true}, ""},
		{"signed, pinned cert", Source{Location: signed, Certificates: []*x509.Certificate{k.cert}}, ""},
		{"signed, other cert", Source{Location: signed, Certificates: []*x509.Certificate{other.cert}}, "signature does not verify with certificate \"CN=someone else\""},
		{"unsigned, cert configured", Source{Location: unsigned, Certificates: []*x509.Certificate{k.cert}}, "not signed"},
		{"unsigned, cert configured, trust flag too", Source{Location: unsigned, Certificates: []*x509.Certificate{k.cert}, TrustUnsigned: true}, "not signed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fed, err := New(Config{Sources: []Source{tc.src}, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			err = fed.Refresh(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				if fed.Index().Len() != 0 {
					t.Fatal("IdP indexed after an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, ok := fed.Lookup(id)
			if !ok {
				t.Fatal("not found")
			}
			if p.Name("fr") != "Université de test" || p.Name("en") != "Test University" || p.Name("de") != "Test University" {
				t.Errorf("names %v", p.DisplayName)
			}
			if p.DescriptionIn("en") != "IdP de test" || len(p.Logos) != 1 || p.Logos[0].Width != 16 {
				t.Errorf("description %v logos %v", p.Description, p.Logos)
			}
			if got := p.Descriptor.IDPSSODescriptors[0].SingleSignOnServices[0].Location; got != "http://127.0.0.1:8080/saml2/idp/SSOService.php" {
				t.Errorf("SSO location %q", got)
			}
		})
	}
	spFile := filepath.Join(dir, "sp.xml")
	os.WriteFile(spFile, []byte(strings.ReplaceAll(strings.ReplaceAll(singleIdP, "IDPSSODescriptor", "SPSSODescriptor"), "SingleSignOnService", "AssertionConsumerService index=\"1\"")), 0o644)
	fed, _ := New(Config{Sources: []Source{{Location: spFile, TrustUnsigned: true}}, Logger: quietLogger()})
	if err := fed.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "not a usable identity provider") {
		t.Errorf("SP metadata as an IdP source: %v", err)
	}
	if _, err := New(Config{Sources: []Source{{Location: unsigned}}}); err == nil {
		t.Error("a source with neither certificate nor TrustUnsigned accepted")
	}
}

func TestSeveralSourcesMerged(t *testing.T) {
	dir := t.TempDir()
	unsigned := filepath.Join(dir, "idp.xml")
	os.WriteFile(unsigned, []byte(singleIdP), 0o644)
	fed, err := New(Config{
		Sources: []Source{
			{Name: "local", Location: unsigned, TrustUnsigned: true},
			{Name: "renater", Location: sharedPath(t, resignedFeed), Certificates: []*x509.Certificate{loadCert(t, testSigner)}},
		},
		Now: func() time.Time { return feedTime }, Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fed.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := fed.Index().Len(); n != 311 {
		t.Fatalf("%d IdPs, want 311", n)
	}
	p, _ := fed.Lookup("http://127.0.0.1:8080/saml2/idp/metadata.php")
	if p.Source != "local" {
		t.Errorf("source %q", p.Source)
	}
}

func TestRunRefreshesInBackground(t *testing.T) {
	k := newTestKey(t, "run signer")
	v1 := k.sign(t, []byte(smallAggregate), "_agg")
	v2 := k.sign(t, []byte(strings.ReplaceAll(smallAggregate, "idp.a.example", "idp.new.example")), "_agg")
	srv := &feedServer{}
	srv.body.Store(&v1)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	fed, err := New(Config{
		Sources:  []Source{{Location: ts.URL, Certificates: []*x509.Certificate{k.cert}}},
		Interval: 10 * time.Millisecond, Logger: quietLogger(),
		Now: func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fed.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := fed.Lookup("https://idp.a.example/idp"); !ok {
		t.Fatal("v1 not loaded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { fed.Run(ctx); close(stopped) }()

	// Readers never see a missing or half-built index while refreshing.
	readersDone := make(chan struct{})
	go func() {
		defer close(readersDone)
		for ctx.Err() == nil {
			_, a := fed.Lookup("https://idp.a.example/idp")
			_, b := fed.Lookup("https://idp.new.example/idp")
			if a == b {
				t.Error("index without either version")
				return
			}
			fed.Search("example", "fr", 3)
		}
	}()
	srv.body.Store(&v2)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := fed.Lookup("https://idp.new.example/idp"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("background refresh did not pick up the new version")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, ok := fed.Lookup("https://idp.a.example/idp"); ok {
		t.Error("old IdP still present")
	}
	cancel()
	<-stopped
	<-readersDone
}
