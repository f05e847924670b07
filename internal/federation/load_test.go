package federation

import (
	"bytes"
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"
)

const (
	resignedFeed = "renater-test-idps-2022-06-13.resigned.xml"
	originalFeed = "renater-test-idps-2022-06-13.original.xml"
	testSigner   = "test-metadata-signer.crt"
	renater2016  = "renater-metadata-signing-cert-2016.from-sample.pem"
)

// feedTime is a moment when the 2022-06-13 feed was valid.
var feedTime = time.Date(2022, 6, 14, 12, 0, 0, 0, time.UTC)

func loadCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	certs, err := ParseCertificates(readShared(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}

func parseBytes(doc []byte, o verifyOptions) (*document, error) {
	if o.name == "" {
		o.name = "test.xml"
	}
	return parseMetadata(bytes.NewReader(doc), o)
}

func TestRenaterResignedFeedVerifies(t *testing.T) {
	doc := readShared(t, resignedFeed)
	d, err := parseBytes(doc, verifyOptions{certs: []*x509.Certificate{loadCert(t, testSigner)}, now: feedTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.idps) != 310 || d.entities != 310 {
		t.Fatalf("got %d IdPs of %d entities, want 310", len(d.idps), d.entities)
	}
	if !strings.Contains(d.signer, "TEST-ONLY metadata signer") {
		t.Errorf("signer = %s", d.signer)
	}
	want := time.Date(2022, 6, 22, 9, 40, 14, 0, time.UTC)
	if !d.validUntil.Equal(want) || d.cacheDuration != time.Hour {
		t.Errorf("validUntil %v cacheDuration %v", d.validUntil, d.cacheDuration)
	}
	for _, p := range d.idps {
		if !p.Descriptor.ValidUntil.Equal(want) || p.Descriptor.CacheDuration != time.Hour {
			t.Fatalf("%s: validUntil/cacheDuration not pushed down: %v %v", p.EntityID, p.Descriptor.ValidUntil, p.Descriptor.CacheDuration)
		}
		if len(p.Descriptor.IDPSSODescriptors) == 0 || len(p.Scopes) == 0 {
			t.Fatalf("%s: no IDPSSODescriptor or scope", p.EntityID)
		}
	}
	_ = os.Stdout
}
