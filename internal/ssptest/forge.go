package ssptest

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Decode returns the XML document of a base64 SAMLResponse.
func Decode(t testing.TB, b64 string) *etree.Document {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatal(err)
	}
	return doc
}

// Encode returns the base64 SAMLResponse of a document.
func Encode(t testing.TB, doc *etree.Document) string {
	t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// StripSignatures removes every ds:Signature element.
func StripSignatures(doc *etree.Document) {
	for _, s := range doc.FindElements("//Signature") {
		if s.Space == "ds" || s.NamespaceURI() == dsig.Namespace {
			s.Parent().RemoveChild(s)
		}
	}
}

// Resign signs the document's Assertion and then its Response with this
// IdP's own private key, as the IdP would, after the test changed them:
// the SP then sees valid signatures and must refuse the message on its
// meaning (audience, time, request). sigAlg is a signature method URI.
func (idp *IdP) Resign(t testing.TB, doc *etree.Document, sigAlg string) {
	t.Helper()
	StripSignatures(doc)
	key := idp.keyPair(t)
	sign := func(el *etree.Element) *etree.Element {
		// A detached element must declare the prefixes it inherits.
		for p := el.Parent(); p != nil; p = p.Parent() {
			for _, a := range p.Attr {
				if (a.Space == "xmlns" || a.Key == "xmlns" && a.Space == "") && el.SelectAttr(a.FullKey()) == nil {
					el.CreateAttr(a.FullKey(), a.Value)
				}
			}
		}
		ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(key))
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		if err := ctx.SetSignatureMethod(sigAlg); err != nil {
			t.Fatal(err)
		}
		signed, err := ctx.SignEnveloped(el)
		if err != nil {
			t.Fatal(err)
		}
		// SAML wants the Signature right after the Issuer.
		// goxmldsig appends the Signature without parenting it.
		sig := signed.Child[len(signed.Child)-1].(*etree.Element)
		signed.Child = signed.Child[:len(signed.Child)-1]
		at := 0
		for i, c := range signed.Child {
			if e, ok := c.(*etree.Element); ok && e.Tag == "Issuer" {
				at = i + 1
			}
		}
		signed.InsertChildAt(at, sig)
		return signed
	}
	root := doc.Root()
	if a := root.FindElement("./Assertion"); a != nil {
		signedA := sign(a)
		idx := a.Index()
		root.RemoveChild(a)
		root.InsertChildAt(idx, signedA)
	}
	doc.SetRoot(sign(doc.Root()))
}

func (idp *IdP) keyPair(t testing.TB) tls.Certificate {
	t.Helper()
	keyPEM, err := os.ReadFile(filepath.Join(idp.Runtime, "cert", "idp.key"))
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := os.ReadFile(filepath.Join(idp.Runtime, "cert", "idp.crt"))
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := pem.Decode(keyPEM)
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := pem.Decode(certPEM)
	return tls.Certificate{Certificate: [][]byte{cb.Bytes}, PrivateKey: k.(*rsa.PrivateKey)}
}
