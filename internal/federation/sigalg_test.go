package federation

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

const smallAggregate = `<?xml version="1.0"?>
<!-- prolog comment -->
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" ID="_agg" validUntil="2030-01-01T00:00:00Z" cacheDuration="PT6H">
  <!-- inner comment -->
  <md:EntitiesDescriptor Name="nested" validUntil="2029-01-01T00:00:00Z" cacheDuration="PT1H">
    <md:EntityDescriptor entityID="https://idp.a.example/idp">
      <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
        <md:Extensions><shibmd:Scope regexp="false">a.example</shibmd:Scope></md:Extensions>
        <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.a.example/sso"/>
      </md:IDPSSODescriptor>
    </md:EntityDescriptor>
  </md:EntitiesDescriptor>
  <md:EntityDescriptor entityID="https://sp.b.example/sp">
    <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.b.example/acs" index="1"/>
    </md:SPSSODescriptor>
  </md:EntityDescriptor>
  <md:EntityDescriptor entityID="https://idp.c.example/idp" validUntil="2021-01-01T00:00:00Z">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.c.example/sso"/>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>
</md:EntitiesDescriptor>
`

func newECKey(t *testing.T) *testKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "ec signer"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testKey{cert: cert, ec: key}
}

func TestSignatureAlgorithms(t *testing.T) {
	k := newTestKey(t, "alg signer")
	ec := newECKey(t)
	doc := []byte(smallAggregate)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		key     *testKey
		o       signOpts
		wantErr string
		crewjam bool // crewjam must accept it too
	}{
		{"rsa-sha256", k, signOpts{ref: "#_agg"}, "", true},
		{"empty reference URI", k, signOpts{ref: ""}, "", false},
		{"rsa-sha512, sha384 digest", k, signOpts{ref: "#_agg", sigAlg: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", hash: crypto.SHA512, digestAlg: "http://www.w3.org/2001/04/xmldsig-more#sha384"}, "", true},
		{"ecdsa-sha256 (r||s)", ec, signOpts{ref: "#_agg", sigAlg: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", signer: ec.ec}, "", false},
		{"ecdsa-sha256 (ASN.1, goxmldsig)", ec, signOpts{ref: "#_agg", sigAlg: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", signer: ec.ec, ecASN1: true}, "", true},
		{"WithComments, digest without comments (XMLDSig, xmlsec1)", k, signOpts{ref: "#_agg", transform: algExcC14NComments}, "", false},
		{"WithComments, digest with comments (goxmldsig)", k, signOpts{ref: "#_agg", transform: algExcC14NComments, digestWithCm: true}, "", true},
		{"comments digested without WithComments", k, signOpts{ref: "#_agg", digestWithCm: true}, "digest of the signed content does not match", false},
		{"rsa-sha1", k, signOpts{ref: "#_agg", sigAlg: "http://www.w3.org/2000/09/xmldsig#rsa-sha1", hash: crypto.SHA1}, "SHA-1 signature algorithm", false},
		{"sha1 digest", k, signOpts{ref: "#_agg", digestAlg: "http://www.w3.org/2000/09/xmldsig#sha1"}, "SHA-1 digest algorithm", false},
		{"reference to another element", k, signOpts{ref: "#_other"}, `Reference URI is "#_other"`, false},
		{"inclusive c14n transform", k, signOpts{ref: "#_agg", transform: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"}, "transforms", false},
		{"RSA algorithm, EC key", ec, signOpts{ref: "#_agg", signer: ec.ec}, "does not verify", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signed := tc.key.signWith(t, doc, tc.o)
			d, err := parseBytes(signed, verifyOptions{certs: []*x509.Certificate{tc.key.cert}, now: now})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.crewjam {
				if _, err := saml.VerifyMetadataSignature(signed, []*x509.Certificate{tc.key.cert}); err != nil {
					t.Errorf("crewjam: %v", err)
				}
			}
			// One IdP: the SP is not indexed, the expired IdP is left out.
			if len(d.idps) != 1 || d.entities != 3 || len(d.skipped) != 1 {
				t.Fatalf("%d IdPs of %d entities, skipped %v", len(d.idps), d.entities, d.skipped)
			}
			p := d.idps[0]
			want := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
			if !p.ValidUntil.Equal(want) || !p.Descriptor.ValidUntil.Equal(want) || p.CacheDuration != time.Hour {
				t.Errorf("nested validity not pushed down: %v %v", p.ValidUntil, p.CacheDuration)
			}
			if !p.OwnsScope("A.example") {
				t.Errorf("scopes %v", p.Scopes)
			}
		})
	}
}

func TestMissingValidUntil(t *testing.T) {
	k := newTestKey(t, "v")
	doc := strings.Replace(smallAggregate, ` validUntil="2030-01-01T00:00:00Z"`, "", 1)
	signed := k.sign(t, []byte(doc), "_agg")
	o := verifyOptions{certs: []*x509.Certificate{k.cert}, now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := parseBytes(signed, o); err == nil || !strings.Contains(err.Error(), "no validUntil") {
		t.Fatalf("got %v", err)
	}
	o.allowNoValidUntil = true
	if _, err := parseBytes(signed, o); err != nil {
		t.Fatal(err)
	}
}
