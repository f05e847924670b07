package federation

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 test signatures
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
	ec   *ecdsa.PrivateKey
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
	return &testKey{key: key, cert: cert}
}

// sign returns doc with an enveloped RSA-SHA256 signature (exc-c14n,
// SHA-256 digest) on its root element, inserted as its first child. The
// root must carry ID="rootID" and no signature.
func (k *testKey) sign(t testing.TB, doc []byte, rootID string) []byte {
	return k.signWith(t, doc, signOpts{ref: "#" + rootID})
}

// signOpts vary the signature, to test what the verifier accepts.
type signOpts struct {
	ref          string        // Reference URI
	sigAlg       string        // default rsa-sha256
	digestAlg    string        // default sha256
	transform    string        // second transform, default exc-c14n
	digestWithCm bool          // digest the canonical form with comments
	signer       crypto.Signer // default k.key
	hash         crypto.Hash   // of sigAlg, default SHA-256
	ecASN1       bool          // ECDSA signature in ASN.1 DER (goxmldsig) rather than r||s
}

func (k *testKey) signWith(t testing.TB, doc []byte, o signOpts) []byte {
	t.Helper()
	if o.sigAlg == "" {
		o.sigAlg = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	}
	if o.digestAlg == "" {
		o.digestAlg = "http://www.w3.org/2001/04/xmlenc#sha256"
	}
	if o.transform == "" {
		o.transform = algExcC14N
	}
	if o.signer == nil {
		o.signer = k.key
	}
	if o.hash == 0 {
		o.hash = crypto.SHA256
	}
	canon, err := canonicalizeRoot(doc, o.digestWithCm, "")
	if err != nil {
		t.Fatal(err)
	}
	dh := crypto.SHA256
	if d, ok := digestAlgs[o.digestAlg]; ok {
		dh = d
	} else if o.digestAlg == "http://www.w3.org/2000/09/xmldsig#sha1" {
		dh = crypto.SHA1
	}
	hh := dh.New()
	hh.Write(canon)
	const ds = "http://www.w3.org/2000/09/xmldsig#"
	si := `<ds:SignedInfo xmlns:ds="` + ds + `"><ds:CanonicalizationMethod Algorithm="` + algExcC14N + `"></ds:CanonicalizationMethod>` +
		`<ds:SignatureMethod Algorithm="` + o.sigAlg + `"></ds:SignatureMethod>` +
		`<ds:Reference URI="` + o.ref + `"><ds:Transforms><ds:Transform Algorithm="` + algEnveloped + `"></ds:Transform>` +
		`<ds:Transform Algorithm="` + o.transform + `"></ds:Transform></ds:Transforms>` +
		`<ds:DigestMethod Algorithm="` + o.digestAlg + `"></ds:DigestMethod>` +
		`<ds:DigestValue>` + base64.StdEncoding.EncodeToString(hh.Sum(nil)) + `</ds:DigestValue></ds:Reference></ds:SignedInfo>`
	h := o.hash.New()
	h.Write([]byte(si))
	var sv []byte
	switch key := o.signer.(type) {
	case *ecdsa.PrivateKey:
		if o.ecASN1 {
			sv, err = ecdsa.SignASN1(rand.Reader, key, h.Sum(nil))
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		r, s, err := ecdsa.Sign(rand.Reader, key, h.Sum(nil))
		if err != nil {
			t.Fatal(err)
		}
		size := (key.Curve.Params().BitSize + 7) / 8
		sv = make([]byte, 2*size)
		r.FillBytes(sv[:size])
		s.FillBytes(sv[size:])
	default:
		sv, err = o.signer.Sign(rand.Reader, h.Sum(nil), o.hash)
		if err != nil {
			t.Fatal(err)
		}
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
