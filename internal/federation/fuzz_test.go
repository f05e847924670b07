package federation

import (
	"bytes"
	"crypto/x509"
	"encoding/xml"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// knownDeviation reports inputs where goxmldsig is known to depart from
// exc-c14n: elements with several prefixed attributes (goxmldsig orders
// them by local name), xmlns="" (goxmldsig renders it on the apex), and
// DTDs (refused here).
func knownDeviation(doc []byte) bool {
	if bytes.Contains(doc, []byte("<!D")) {
		return true
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		t, err := d.RawToken()
		if err != nil {
			return false
		}
		s, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		prefixed := 0
		for _, a := range s.Attr {
			if a.Name.Space == "" && a.Name.Local == "xmlns" && a.Value == "" {
				return true
			}
			if a.Name.Space != "" && a.Name.Space != "xmlns" && a.Name.Space != "xml" {
				prefixed++
			}
		}
		if prefixed > 1 {
			return true
		}
	}
}

// FuzzExcC14N compares the canonicalizer with goxmldsig's.
func FuzzExcC14N(f *testing.F) {
	for _, s := range []string{
		`<a:r xmlns:a="urn:a" xmlns:b="urn:b"><a:x><b:y/></a:x></a:r>`,
		`<r xmlns="urn:d"><c xmlns=""><e/></c></r>`,
		"<r>\r\nx\ty</r>",
		`<r b="1" a="2"><!--c--><x>t</x></r>`,
		`<p:r xmlns:p="urn:p"><p:c xmlns:p="urn:q"/><c xmlns:p="urn:p"/></p:r>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if knownDeviation(doc) {
			return
		}
		d := etree.NewDocument()
		if err := d.ReadFromBytes(doc); err != nil || d.Root() == nil {
			return
		}
		got, err := canonicalizeRoot(doc, true, "")
		if err != nil {
			return
		}
		ref, err := dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("").Canonicalize(d.Root())
		if err != nil {
			return
		}
		if !bytes.Equal(got, ref) {
			t.Errorf("input %q\n got %q\nwant %q", doc, got, ref)
		}
	})
}

// FuzzParseMetadata checks that no input makes the loader panic or hang,
// and that an unsigned document never passes when a certificate is set.
func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(smallAggregate))
	f.Add([]byte(singleIdP))
	f.Add([]byte(xmlsecTemplate))
	k := newTestKey(f, "fuzz")
	f.Add(k.sign(f, []byte(smallAggregate), "_agg"))
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, doc []byte) {
		parseBytes(doc, verifyOptions{allowUnsigned: true, allowNoValidUntil: true, now: now})
		if d, err := parseBytes(doc, verifyOptions{certs: []*x509.Certificate{k.cert}, now: now}); err == nil {
			if !bytes.Contains(doc, []byte("SignatureValue")) {
				t.Errorf("accepted without a signature: %d IdPs", len(d.idps))
			}
		}
	})
}
