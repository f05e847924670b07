package federation

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testSigner is a throw-away key and self-signed certificate.
type testKey struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

func newTestKey(t testing.TB, cn string) *testKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(0, 0), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{key, cert}
}

// sign returns doc with an enveloped RSA-SHA256 signature (exc-c14n,
// SHA-256 digest) on its root element, inserted as its first child. The
// root must carry ID="rootID" and no signature.
func (k *testKey) sign(t testing.TB, doc []byte, rootID string) []byte {
	t.Helper()
	canon, err := canonicalizeRoot(doc, false, "")
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(canon)
	const ds = "http://www.w3.org/2000/09/xmldsig#"
	ref := `#` + rootID
	if rootID == "" {
		ref = ""
	}
	si := `<ds:SignedInfo xmlns:ds="` + ds + `"><ds:CanonicalizationMethod Algorithm="` + algExcC14N + `"></ds:CanonicalizationMethod>` +
		`<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"></ds:SignatureMethod>` +
		`<ds:Reference URI="` + ref + `"><ds:Transforms><ds:Transform Algorithm="` + algEnveloped + `"></ds:Transform>` +
		`<ds:Transform Algorithm="` + algExcC14N + `"></ds:Transform></ds:Transforms>` +
		`<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></ds:DigestMethod>` +
		`<ds:DigestValue>` + base64.StdEncoding.EncodeToString(digest[:]) + `</ds:DigestValue></ds:Reference></ds:SignedInfo>`
	h := sha256.Sum256([]byte(si))
	sv, err := rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := `<ds:Signature xmlns:ds="` + ds + `">` + si + `<ds:SignatureValue>` + base64.StdEncoding.EncodeToString(sv) +
		`</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + base64.StdEncoding.EncodeToString(k.cert.Raw) +
		`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>`
	// Insert after the root start tag.
	i := rootStart.FindIndex(doc)
	if i == nil {
		t.Fatal("no root element")
	}
	out := make([]byte, 0, len(doc)+len(sig))
	out = append(out, doc[:i[1]]...)
	out = append(out, sig...)
	return append(out, doc[i[1]:]...)
}

var (
	rootStart  = regexp.MustCompile(`<md:Entit(?:y|ies)Descriptor[^>]*>`)
	entityIDRe = regexp.MustCompile(`entityID="([^"]*)"`)
	validRe    = regexp.MustCompile(`validUntil="[^"]*"`)
)

// unsignedFeed returns the RENATER test feed without its signature, its
// root validUntil set to validUntil, and its 310 EntityDescriptors
// repeated copies times, entityIDs of copy k > 0 suffixed with "/copy-k".
func unsignedFeed(t testing.TB, copies int, validUntil time.Time) []byte {
	t.Helper()
	s := string(readShared(t, resignedFeed))
	sigStart := strings.Index(s, "<ds:Signature>")
	sigEnd := strings.Index(s, "</ds:Signature>") + len("</ds:Signature>")
	s = s[:sigStart] + s[sigEnd:]
	loc := rootStart.FindStringIndex(s)
	head := validRe.ReplaceAllString(s[loc[0]:loc[1]], `validUntil="`+validUntil.UTC().Format(time.RFC3339)+`"`)
	first := strings.Index(s, "<md:EntityDescriptor")
	end := strings.LastIndex(s, "</md:EntitiesDescriptor>")
	body := s[first:end]
	var b bytes.Buffer
	b.Grow(len(body)*copies + 4096)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(head)
	b.WriteString(s[loc[1]:first])
	for k := range copies {
		if k == 0 {
			b.WriteString(body)
			continue
		}
		b.WriteString(entityIDRe.ReplaceAllString(body, fmt.Sprintf(`entityID="$1/copy-%d"`, k)))
	}
	b.WriteString("</md:EntitiesDescriptor>\n")
	return b.Bytes()
}

// syntheticFeed is unsignedFeed signed with k.
func syntheticFeed(t testing.TB, k *testKey, copies int, validUntil time.Time) []byte {
	return k.sign(t, unsignedFeed(t, copies, validUntil), "_20220613T094014Z")
}
