package federation

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

// xmlsecTemplate is an aggregate with a signature template for xmlsec1.
// Its attributes in two namespaces are not in namespace-URI order when
// ordered by local name, where goxmldsig departs from exc-c14n; an
// attribute value holds a literal tab and newline.
const xmlsecTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:z="urn:a-first" xmlns:a="urn:z-last" ID="_xmlsec" validUntil="2030-01-01T00:00:00Z">
  <ds:Signature>
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
      <ds:Reference URI="#_xmlsec">
        <ds:Transforms>
          <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
          <ds:Transform Algorithm="TRANSFORM"/>
        </ds:Transforms>
        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <ds:DigestValue/>
      </ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue/>
  </ds:Signature>
  <!-- a comment inside the signed element -->
  <md:EntityDescriptor entityID="https://idp.x.example/idp" z:c="3" a:b="4" z:a="5" note="literal
tab	and newline">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.x.example/sso?a=1&amp;b=&#233;"/>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>
</md:EntitiesDescriptor>
`

// TestXmlsec1SignedAggregate verifies aggregates signed by xmlsec1, an
// independent implementation (libxml2's canonicalizer), with and without
// #WithComments.
func TestXmlsec1SignedAggregate(t *testing.T) {
	xmlsec, err := exec.LookPath("xmlsec1")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmlsec1 not installed (Debian package xmlsec1)")
		}
		t.Skip("xmlsec1 not installed")
	}
	k := newTestKey(t, "xmlsec1 signer")
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(k.key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.cert.Raw}), 0o644)
	for _, transform := range []string{algExcC14N, algExcC14NComments} {
		t.Run(transform, func(t *testing.T) {
			tmpl := filepath.Join(dir, "tmpl.xml")
			out := filepath.Join(dir, "signed.xml")
			os.WriteFile(tmpl, []byte(strings.Replace(xmlsecTemplate, "TRANSFORM", transform, 1)), 0o644)
			cmd := exec.Command(xmlsec, "--sign", "--privkey-pem", keyFile+","+certFile,
				"--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor", "--output", out, tmpl)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("xmlsec1: %v\n%s", err, b)
			}
			signed, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			d, err := parseBytes(signed, verifyOptions{certs: []*x509.Certificate{k.cert}, now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.idps) != 1 || d.idps[0].Descriptor.IDPSSODescriptors[0].SingleSignOnServices[0].Location != "https://idp.x.example/sso?a=1&b=é" {
				t.Fatalf("unexpected content: %+v", d.idps)
			}
			// goxmldsig orders z:c before a:b (by local name) and so
			// computes another digest.
			if _, err := saml.VerifyMetadataSignature(signed, []*x509.Certificate{k.cert}); err == nil {
				t.Log("crewjam now verifies it too: goxmldsig's attribute ordering was fixed")
			} else {
				t.Logf("crewjam (goxmldsig): %v", err)
			}
		})
	}
}
