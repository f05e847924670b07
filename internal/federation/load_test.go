package federation

import (
	"bytes"
	"crypto/x509"
	"encoding/xml"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
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
	if _, err := saml.VerifyMetadataSignature(doc, []*x509.Certificate{loadCert(t, testSigner)}); err != nil {
		t.Errorf("crewjam: %v", err)
	}
}

func TestRenaterOriginalFeedRejected(t *testing.T) {
	// Pretty-printed after RENATER signed it: the digest no longer matches.
	doc := readShared(t, originalFeed)
	_, err := parseBytes(doc, verifyOptions{name: originalFeed, certs: []*x509.Certificate{loadCert(t, renater2016)}, now: feedTime})
	if err == nil {
		t.Fatal("re-formatted RENATER feed accepted")
	}
	if !strings.Contains(err.Error(), originalFeed) {
		t.Errorf("error does not name the file: %v", err)
	}
	t.Log(err)
}

func TestWrongCertificateRejected(t *testing.T) {
	doc := readShared(t, resignedFeed)
	_, err := parseBytes(doc, verifyOptions{certs: []*x509.Certificate{loadCert(t, renater2016)}, now: feedTime})
	if err == nil || !strings.Contains(err.Error(), "signature does not verify with certificate") ||
		!strings.Contains(err.Error(), "SAML Metadata Signing Certificate") {
		t.Fatalf("got %v", err)
	}
}

func TestExpiredFeedRejected(t *testing.T) {
	doc := readShared(t, resignedFeed)
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	_, err := parseBytes(doc, verifyOptions{certs: []*x509.Certificate{loadCert(t, testSigner)}, now: now})
	if err == nil || !strings.Contains(err.Error(), "validUntil 2022-06-22T09:40:14Z has passed") {
		t.Fatalf("got %v", err)
	}
}

// tampered returns variants of the re-signed feed that must all be
// refused, by this package and by crewjam's VerifyMetadataSignature.
func tampered(t *testing.T, doc []byte) map[string][]byte {
	s := string(doc)
	sigStart := strings.Index(s, "<ds:Signature>")
	sigEnd := strings.Index(s, "</ds:Signature>") + len("</ds:Signature>")
	sig := s[sigStart:sigEnd]
	firstED := strings.Index(s, "<md:EntityDescriptor")
	firstEDEnd := strings.Index(s, "</md:EntityDescriptor>") + len("</md:EntityDescriptor>")
	rootEnd := strings.LastIndex(s, "</md:EntitiesDescriptor>")
	scope := strings.Index(s, "<shibmd:Scope")
	scopeText := strings.Index(s[scope:], ">") + scope + 1
	if sigStart < 0 || firstED < 0 || scope < 0 {
		t.Fatal("fixture layout changed")
	}
	added := strings.Replace(s[firstED:firstEDEnd], `entityID="`, `entityID="https://evil.example/`, 1)
	return map[string][]byte{
		"scope changed":               []byte(s[:scopeText] + "evil." + s[scopeText:]),
		"attribute changed":           []byte(strings.Replace(s, `protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol`, `protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocoX`, 1)),
		"entity added":                []byte(s[:rootEnd] + added + s[rootEnd:]),
		"entity removed":              []byte(s[:firstED] + s[firstEDEnd:]),
		"signature stripped":          []byte(s[:sigStart] + s[sigEnd:]),
		"signature moved to the end":  []byte(s[:sigStart] + s[sigEnd:rootEnd] + sig + s[rootEnd:]),
		"signature moved into entity": []byte(s[:sigStart] + s[sigEnd:firstEDEnd-len("</md:EntityDescriptor>")] + sig + s[firstEDEnd-len("</md:EntityDescriptor>"):]),
		"truncated":                   doc[:len(doc)/2],
		"validUntil moved":            []byte(strings.Replace(s, `validUntil="2022-06-22T09:40:14Z"`, `validUntil="2032-06-22T09:40:14Z"`, 1)),
		"DOCTYPE added":               []byte(strings.Replace(s, "<md:EntitiesDescriptor", "<!DOCTYPE md:EntitiesDescriptor [<!ENTITY x \"y\">]>\n<md:EntitiesDescriptor", 1)),
		"second signature":            []byte(s[:sigEnd] + sig + s[sigEnd:]),
	}
}

func TestTamperedFeedsRejected(t *testing.T) {
	doc := readShared(t, resignedFeed)
	cert := loadCert(t, testSigner)
	for name, bad := range tampered(t, doc) {
		t.Run(name, func(t *testing.T) {
			_, err := parseBytes(bad, verifyOptions{certs: []*x509.Certificate{cert}, now: feedTime})
			if err == nil {
				t.Fatal("accepted")
			}
			t.Log(err)
			if name == "truncated" || name == "DOCTYPE added" {
				return // etree parse errors; nothing to compare
			}
			if _, err := saml.VerifyMetadataSignature(bad, []*x509.Certificate{cert}); err == nil {
				t.Errorf("crewjam accepts what this package refuses")
			}
		})
	}
}

func TestHarmlessChangesStillVerify(t *testing.T) {
	doc := string(readShared(t, resignedFeed))
	cert := loadCert(t, testSigner)
	for name, changed := range map[string]string{
		// Exclusive c14n leaves out unused declarations and comments, so
		// these keep the signature valid. The index is built from the
		// canonical bytes, so the declaration cannot shadow the entityID
		// attribute when decoding.
		"unused namespace named after an attribute": strings.Replace(doc, `<md:EntityDescriptor entityID="`, `<md:EntityDescriptor xmlns:entityID="https://evil.example/" entityID="`, 1),
		"comment inside":      strings.Replace(doc, "</md:EntitiesDescriptor>", "<!-- added --></md:EntitiesDescriptor>", 1),
		"CRLF line ends":      strings.ReplaceAll(doc, "\n", "\r\n"),
		"single-quoted attrs": strings.Replace(doc, `Name="https://federation.renater.fr/test/"`, `Name='https://federation.renater.fr/test/'`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			d, err := parseBytes([]byte(changed), verifyOptions{certs: []*x509.Certificate{cert}, now: feedTime})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := saml.VerifyMetadataSignature([]byte(changed), []*x509.Certificate{cert}); err != nil {
				t.Errorf("crewjam refuses what this package accepts: %v", err)
			}
			for _, p := range d.idps {
				if strings.Contains(p.EntityID, "evil") {
					t.Fatalf("entityID taken from an unsigned declaration: %s", p.EntityID)
				}
			}
			if len(d.idps) != 310 {
				t.Fatalf("%d IdPs", len(d.idps))
			}
		})
	}
}

// TestTokenDecodingMatchesCanonicalBytes checks that decoding an entity
// from the tokens handed to the workers gives what decoding its canonical
// bytes (the bytes hashed) gives.
func TestTokenDecodingMatchesCanonicalBytes(t *testing.T) {
	doc := string(readShared(t, resignedFeed))
	// Also an unused declaration named after an attribute, which exclusive
	// c14n drops and a decoder of the input would have seen.
	doc = strings.Replace(doc, `<md:EntityDescriptor entityID="`, `<md:EntityDescriptor xmlns:entityID="https://evil.example/" entityID="`, 1)
	p := &parser{o: verifyOptions{certs: []*x509.Certificate{loadCert(t, testSigner)}, now: feedTime}, keepFrags: true}
	p.jobs = make(chan entityJob)
	done := make(chan struct{})
	n := 0
	go func() {
		defer close(done)
		for j := range p.jobs {
			n++
			j2 := j
			j2.toks = slices.Clone(j.toks)
			a, err1 := decodeEntity(j2)
			b, err2 := decodeEntityBytes(j)
			if err1 != nil || err2 != nil {
				t.Errorf("entity %d: %v / %v", j.seq, err1, err2)
				continue
			}
			if !reflect.DeepEqual(a, b) {
				ma, _ := xml.Marshal(a.Descriptor)
				mb, _ := xml.Marshal(b.Descriptor)
				i := 0
				for i < len(ma) && i < len(mb) && ma[i] == mb[i] {
					i++
				}
				t.Errorf("entity %s: token and byte decoding differ at %d: %q vs %q; records equal: %v", a.EntityID, i, snippet(ma, i), snippet(mb, i), reflect.DeepEqual(a.Descriptor, b.Descriptor))
			}
		}
	}()
	err := p.run(strings.NewReader(doc))
	close(p.jobs)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if n != 310 {
		t.Fatalf("%d entities compared", n)
	}
}
