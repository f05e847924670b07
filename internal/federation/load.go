package federation

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
)

// Namespaces and algorithm identifiers.
const (
	mdNS   = "urn:oasis:names:tc:SAML:2.0:metadata"
	dsigNS = "http://www.w3.org/2000/09/xmldsig#"
	excNS  = "http://www.w3.org/2001/10/xml-exc-c14n#"

	algEnveloped       = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algExcC14N         = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algExcC14NComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
)

var digestAlgs = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

type sigAlg struct {
	hash  crypto.Hash
	ecdsa bool
}

var signatureAlgs = map[string]sigAlg{
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":   {crypto.SHA256, false},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":   {crypto.SHA384, false},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":   {crypto.SHA512, false},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": {crypto.SHA256, true},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": {crypto.SHA384, true},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": {crypto.SHA512, true},
}

// verifyOptions say how a metadata document is to be checked.
type verifyOptions struct {
	name              string              // file or URL, for error messages
	certs             []*x509.Certificate // pinned signers; empty only with allowUnsigned
	allowUnsigned     bool                // accept a document without a signature
	allowNoValidUntil bool                // accept an aggregate without validUntil
	now               time.Time
}

// document is a verified, indexed metadata document.
type document struct {
	idps          []*IdP        // in document order
	validUntil    time.Time     // of the root element; zero if none
	cacheDuration time.Duration // of the root element; zero if none
	signer        string        // certificate that verified it, "" if unsigned
	entities      int           // EntityDescriptors seen (IdPs or not)
	skipped       []string      // entities left out, with the reason
}

// validity is the validUntil/cacheDuration in force at a level of nesting.
type validity struct {
	until    time.Time
	duration time.Duration
}

func (v validity) narrow(until time.Time, d time.Duration) validity {
	if !until.IsZero() && (v.until.IsZero() || until.Before(v.until)) {
		v.until = until
	}
	if d > 0 && (v.duration <= 0 || d < v.duration) {
		v.duration = d
	}
	return v
}

// entityJob is one IdP's EntityDescriptor to be decoded by a worker, as
// the tokens of its canonical form: the tokens that were canonicalized and
// hashed, with exactly the namespace declarations the canonical form
// renders (so an unsigned declaration dropped by exclusive c14n cannot
// change what encoding/xml decodes), and without comments and processing
// instructions. Decoding them is decoding the canonical bytes, without
// lexing the XML a second time.
type entityJob struct {
	seq      int
	ctx      []binding // namespaces rendered by output ancestors
	toks     []xml.Token
	frag     []byte // canonical bytes, kept only for tests (parser.keepFrags)
	validity validity
}

type entityResult struct {
	seq int
	idp *IdP
	err error
}

// parseMetadata reads a metadata document from r in one pass: it
// canonicalizes the root element minus its enveloped signature (exclusive
// c14n) and hashes it on the fly, checks the signature over SignedInfo
// with the pinned certificates as soon as it has been read, and hands each
// IdP's EntityDescriptor, as the tokens of its canonical form (what is
// hashed), to workers that decode it into a saml.EntityDescriptor. Nothing
// is returned unless the digest of the whole matches.
func parseMetadata(r io.Reader, o verifyOptions) (*document, error) {
	p := &parser{o: o}
	workers := max(1, runtime.GOMAXPROCS(0))
	p.jobs = make(chan entityJob, 4*workers)
	results := make(chan entityResult, 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range p.jobs {
				idp, err := decodeEntity(j)
				results <- entityResult{j.seq, idp, err}
			}
		}()
	}
	var collected []entityResult
	done := make(chan struct{})
	go func() {
		for r := range results {
			collected = append(collected, r)
		}
		close(done)
	}()

	err := p.run(r)
	close(p.jobs)
	wg.Wait()
	close(results)
	<-done
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}

	slices.SortFunc(collected, func(a, b entityResult) int { return a.seq - b.seq })
	doc := &p.doc
	seen := make(map[string]bool, len(collected))
	for _, r := range collected {
		switch {
		case r.err != nil:
			doc.skipped = append(doc.skipped, r.err.Error())
		case seen[r.idp.EntityID]:
			doc.skipped = append(doc.skipped, fmt.Sprintf("entity %s: listed twice, the first one is kept", r.idp.EntityID))
		case !r.idp.ValidUntil.IsZero() && !o.now.Before(r.idp.ValidUntil):
			doc.skipped = append(doc.skipped, fmt.Sprintf("entity %s: validUntil %s has passed", r.idp.EntityID, r.idp.ValidUntil.Format(time.RFC3339)))
		default:
			seen[r.idp.EntityID] = true
			doc.idps = append(doc.idps, r.idp)
		}
	}
	if p.rootIsED && len(doc.idps) == 0 {
		reason := "it has no IDPSSODescriptor"
		if len(doc.skipped) > 0 {
			reason = doc.skipped[0]
		}
		return nil, fmt.Errorf("%s: the EntityDescriptor is not a usable identity provider: %s", o.name, reason)
	}
	return doc, nil
}

type parser struct {
	o    verifyOptions
	doc  document
	c    canonicalizer
	jobs chan entityJob

	depth    int
	rootDone bool
	rootID   string
	rootIsED bool // root is a single EntityDescriptor
	children int  // child elements of the root seen so far

	// signature
	sigState  int // 0 not seen, 1 reading, 2 read
	sigCtx    []binding
	sigTokens []xml.Token
	digestAlg crypto.Hash
	digest    []byte
	hashes    []hash.Hash // [0] without comments, [1] with comments if #WithComments
	pending   [2][]byte   // canonical output before the digest method is known
	hashed    bool

	// nesting of EntitiesDescriptors (and the root EntityDescriptor)
	validity []validity

	// EntityDescriptor being captured
	ent       *entityJob
	entDepth  int
	entIdP    bool
	seq       int
	keepFrags bool // tests: keep each entity's canonical bytes too
}

func (p *parser) run(r io.Reader) error {
	d := xml.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	d.Strict = true
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := p.token(tok); err != nil {
			line, _ := d.InputPos()
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	if p.depth != 0 || !p.rootDone {
		return errors.New("unexpected end of document (truncated download?)")
	}
	return p.finish()
}

func (p *parser) token(tok xml.Token) error {
	if p.sigState == 1 {
		return p.signatureToken(tok)
	}
	switch t := tok.(type) {
	case xml.Directive:
		return errors.New("DOCTYPE and other DTD declarations are refused in metadata")
	case xml.ProcInst:
		if p.depth == 0 {
			if t.Target == "xml" {
				return nil
			}
			return fmt.Errorf("processing instruction <?%s?> outside the root element is not supported", t.Target)
		}
	case xml.Comment:
		if p.depth == 0 {
			return nil
		}
		p.flush()
		if p.hashed {
			if len(p.hashes) > 1 {
				p.hashes[1].Write(commentBytes(t))
			}
		} else {
			p.pending[1] = append(p.pending[1], commentBytes(t)...)
		}
		return nil
	case xml.CharData:
		if p.depth == 0 {
			if len(bytes.TrimSpace(t)) != 0 {
				return errors.New("text outside the root element")
			}
			return nil
		}
	case xml.StartElement:
		return p.startElement(t)
	case xml.EndElement:
		return p.endElement(t)
	}
	mark := len(p.c.buf)
	if err := p.c.token(tok); err != nil {
		return err
	}
	if cd, ok := tok.(xml.CharData); ok && p.ent != nil {
		p.ent.toks = append(p.ent.toks, cd.Copy())
	}
	p.capture(mark)
	return nil
}

func commentBytes(c xml.Comment) []byte {
	b := make([]byte, 0, len(c)+7)
	b = append(b, "<!--"...)
	b = append(b, c...)
	return append(b, "-->"...)
}

// capture copies the canonical output since mark into the EntityDescriptor
// being captured, and hands full buffers to the hashes.
func (p *parser) capture(mark int) {
	if p.ent != nil && p.keepFrags {
		p.ent.frag = append(p.ent.frag, p.c.buf[mark:]...)
	}
	if len(p.c.buf) >= 64<<10 {
		p.flush()
	}
}

// flush hands the canonical output so far to the hashes (or keeps it until
// the digest method is known).
func (p *parser) flush() {
	if p.hashed {
		for _, h := range p.hashes {
			h.Write(p.c.buf)
		}
	} else {
		p.pending[0] = append(p.pending[0], p.c.buf...)
		p.pending[1] = append(p.pending[1], p.c.buf...)
	}
	p.c.buf = p.c.buf[:0]
}

// resolve returns the namespace of start's name, taking the element's own
// declarations into account.
func (p *parser) resolve(start *xml.StartElement) (string, error) {
	decls, err := declarations(start)
	if err != nil {
		return "", err
	}
	for _, b := range decls {
		if b.prefix == start.Name.Space {
			return b.uri, nil
		}
	}
	uri, ok := p.c.lookup(start.Name.Space)
	if !ok {
		return "", fmt.Errorf("element <%s>: namespace prefix %q is not declared", qname(start.Name), start.Name.Space)
	}
	return uri, nil
}

func attr(start *xml.StartElement, local string) (string, bool) {
	for _, a := range start.Attr {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// validityOf reads validUntil and cacheDuration from an element.
func validityOf(start *xml.StartElement) (time.Time, time.Duration, error) {
	var until time.Time
	var d time.Duration
	if v, ok := attr(start, "validUntil"); ok {
		var rt saml.RelaxedTime
		if err := rt.UnmarshalText([]byte(strings.TrimSpace(v))); err != nil {
			return until, d, fmt.Errorf("<%s> validUntil %q: %w", qname(start.Name), v, err)
		}
		until = time.Time(rt)
	}
	if v, ok := attr(start, "cacheDuration"); ok {
		var sd saml.Duration
		if err := sd.UnmarshalText([]byte(strings.TrimSpace(v))); err != nil {
			return until, d, fmt.Errorf("<%s> cacheDuration %q: %w", qname(start.Name), v, err)
		}
		d = time.Duration(sd)
	}
	return until, d, nil
}

func (p *parser) startElement(t xml.StartElement) error {
	ns, err := p.resolve(&t)
	if err != nil {
		return err
	}
	if p.depth == 0 {
		if p.rootDone {
			return fmt.Errorf("second root element <%s>", qname(t.Name))
		}
		if ns != mdNS || (t.Name.Local != "EntitiesDescriptor" && t.Name.Local != "EntityDescriptor") {
			return fmt.Errorf("root element is {%s}%s, not a SAML metadata EntitiesDescriptor or EntityDescriptor", ns, t.Name.Local)
		}
		p.rootID, _ = attr(&t, "ID")
		p.rootIsED = t.Name.Local == "EntityDescriptor"
		until, dur, err := validityOf(&t)
		if err != nil {
			return err
		}
		p.doc.validUntil, p.doc.cacheDuration = until, dur
		if until.IsZero() && !p.rootIsED && !p.o.allowNoValidUntil {
			return errors.New("the aggregate has no validUntil: a captured copy could be replayed forever (set the source's allow_no_valid_until to accept it)")
		}
		if !until.IsZero() && !p.o.now.Before(until) {
			return fmt.Errorf("validUntil %s has passed (now %s): the metadata is expired", until.UTC().Format(time.RFC3339), p.o.now.UTC().Format(time.RFC3339))
		}
		if p.rootIsED {
			p.validity = append(p.validity, validity{})
			p.beginEntity()
		} else {
			p.validity = append(p.validity, validity{}.narrow(until, dur))
		}
		return p.open(t)
	}

	if p.depth == 1 && ns == dsigNS && t.Name.Local == "Signature" {
		if p.sigState != 0 {
			return errors.New("the root element has more than one ds:Signature")
		}
		if p.children != 0 {
			return errors.New("ds:Signature is not the first child element of the root element, as SAML metadata requires")
		}
		p.children++
		p.sigState = 1
		p.sigCtx = p.c.inScope()
		p.sigTokens = append(p.sigTokens, t.Copy())
		p.depth++
		return nil
	}
	if p.depth == 1 {
		p.children++
		if p.sigState == 0 && p.requireSignature() {
			return fmt.Errorf("metadata is not signed: the first child element of the root is <%s>, not ds:Signature", qname(t.Name))
		}
		if p.sigState == 0 {
			p.unsigned()
		}
	}
	if ns == mdNS {
		switch t.Name.Local {
		case "EntitiesDescriptor":
			until, dur, err := validityOf(&t)
			if err != nil {
				return err
			}
			p.validity = append(p.validity, p.validity[len(p.validity)-1].narrow(until, dur))
		case "EntityDescriptor":
			if p.ent != nil {
				return errors.New("EntityDescriptor inside EntityDescriptor")
			}
			p.beginEntity()
		case "IDPSSODescriptor":
			if p.ent != nil && p.depth == p.entDepth+1 {
				p.entIdP = true
			}
		}
	}
	return p.open(t)
}

func (p *parser) beginEntity() {
	p.doc.entities++
	p.ent = &entityJob{seq: p.seq, ctx: p.c.renderedScope(), validity: p.validity[len(p.validity)-1]}
	p.seq++
	p.entDepth = p.depth
	p.entIdP = false
}

// open canonicalizes a start tag and enters the element.
func (p *parser) open(t xml.StartElement) error {
	mark := len(p.c.buf)
	if err := p.c.start(t); err != nil {
		return err
	}
	if p.ent != nil {
		p.ent.toks = append(p.ent.toks, canonicalStart(t, p.c.frames[len(p.c.frames)-1].rendered))
	}
	p.capture(mark)
	p.depth++
	return nil
}

// canonicalStart returns t with the namespace declarations of its
// canonical form in place of those of the input.
func canonicalStart(t xml.StartElement, rendered []binding) xml.StartElement {
	attrs := make([]xml.Attr, 0, len(t.Attr)+len(rendered))
	for _, b := range rendered {
		if b.prefix == "" {
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "xmlns"}, Value: b.uri})
		} else {
			attrs = append(attrs, xml.Attr{Name: xml.Name{Space: "xmlns", Local: b.prefix}, Value: b.uri})
		}
	}
	for _, a := range t.Attr {
		if !isDecl(a) {
			attrs = append(attrs, a)
		}
	}
	return xml.StartElement{Name: t.Name, Attr: attrs}
}

func (p *parser) endElement(t xml.EndElement) error {
	ns, _ := p.c.lookup(t.Name.Space)
	mark := len(p.c.buf)
	if err := p.c.end(t); err != nil {
		return err
	}
	if p.ent != nil {
		p.ent.toks = append(p.ent.toks, t)
	}
	p.capture(mark)
	p.depth--
	if p.ent != nil && p.depth == p.entDepth {
		if p.entIdP {
			p.jobs <- *p.ent
		}
		p.ent = nil
	}
	if ns == mdNS && t.Name.Local == "EntitiesDescriptor" && len(p.validity) > 1 {
		p.validity = p.validity[:len(p.validity)-1]
	}
	if p.depth == 0 {
		p.rootDone = true
	}
	return nil
}

// signatureToken records the tokens of the root's ds:Signature, which the
// enveloped-signature transform leaves out of the digest.
func (p *parser) signatureToken(tok xml.Token) error {
	switch tok.(type) {
	case xml.StartElement:
		p.depth++
	case xml.EndElement:
		p.depth--
	case xml.Directive:
		return errors.New("DTD declaration inside ds:Signature")
	}
	p.sigTokens = append(p.sigTokens, xml.CopyToken(tok))
	if len(p.sigTokens) > 10000 {
		return errors.New("ds:Signature is unreasonably large")
	}
	if p.depth == 1 {
		p.sigState = 2
		return p.checkSignature()
	}
	return nil
}

// dsSignature is the part of ds:Signature that is checked.
type dsSignature struct {
	XMLName    xml.Name `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
	SignedInfo struct {
		CanonicalizationMethod c14nMethod `xml:"http://www.w3.org/2000/09/xmldsig# CanonicalizationMethod"`
		SignatureMethod        struct {
			Algorithm string `xml:"Algorithm,attr"`
		} `xml:"http://www.w3.org/2000/09/xmldsig# SignatureMethod"`
		References []struct {
			URI          *string      `xml:"URI,attr"`
			Transforms   []c14nMethod `xml:"http://www.w3.org/2000/09/xmldsig# Transforms>Transform"`
			DigestMethod struct {
				Algorithm string `xml:"Algorithm,attr"`
			} `xml:"http://www.w3.org/2000/09/xmldsig# DigestMethod"`
			DigestValue string `xml:"http://www.w3.org/2000/09/xmldsig# DigestValue"`
		} `xml:"http://www.w3.org/2000/09/xmldsig# Reference"`
	} `xml:"http://www.w3.org/2000/09/xmldsig# SignedInfo"`
	SignatureValue string `xml:"http://www.w3.org/2000/09/xmldsig# SignatureValue"`
}

type c14nMethod struct {
	Algorithm           string `xml:"Algorithm,attr"`
	InclusiveNamespaces *struct {
		PrefixList string `xml:"PrefixList,attr"`
	} `xml:"http://www.w3.org/2001/10/xml-exc-c14n# InclusiveNamespaces"`
}

func (m c14nMethod) prefixes() map[string]bool {
	if m.InclusiveNamespaces == nil {
		return nil
	}
	set := map[string]bool{}
	for _, p := range strings.Fields(m.InclusiveNamespaces.PrefixList) {
		if p == "#default" {
			p = ""
		}
		set[p] = true
	}
	return set
}

func isSHA1(alg string) bool {
	return strings.HasSuffix(alg, "sha1") || strings.HasSuffix(alg, "#sha1")
}

// checkSignature checks the root's signature over SignedInfo with the
// pinned certificates, and sets up the digest of the document.
func (p *parser) checkSignature() error {
	if !p.requireSignature() {
		p.unsigned()
		return nil
	}
	if len(p.o.certs) == 0 {
		return errors.New("no certificate to verify the signature with")
	}
	// Decode the Signature from its canonical form.
	sc := canonicalizer{frames: []c14nFrame{{declared: p.sigCtx}}}
	for _, t := range p.sigTokens {
		if err := sc.token(t); err != nil {
			return fmt.Errorf("ds:Signature: %w", err)
		}
	}
	var sig dsSignature
	if err := xml.Unmarshal(sc.buf, &sig); err != nil {
		return fmt.Errorf("ds:Signature: %w", err)
	}
	si := &sig.SignedInfo
	cm := si.CanonicalizationMethod.Algorithm
	if cm != algExcC14N && cm != algExcC14NComments {
		return fmt.Errorf("SignedInfo canonicalization %q is not supported (exclusive c14n only)", cm)
	}
	sa, ok := signatureAlgs[si.SignatureMethod.Algorithm]
	if !ok {
		if isSHA1(si.SignatureMethod.Algorithm) {
			return fmt.Errorf("SHA-1 signature algorithm %s is refused", si.SignatureMethod.Algorithm)
		}
		return fmt.Errorf("signature algorithm %q is not supported", si.SignatureMethod.Algorithm)
	}
	if len(si.References) != 1 {
		return fmt.Errorf("SignedInfo has %d References, want exactly 1", len(si.References))
	}
	ref := si.References[0]
	if ref.URI == nil || (*ref.URI != "" && (p.rootID == "" || *ref.URI != "#"+p.rootID)) {
		got := "none"
		if ref.URI != nil {
			got = fmt.Sprintf("%q", *ref.URI)
		}
		return fmt.Errorf("signature Reference URI is %s, want \"#%s\" (the root element) or \"\"", got, p.rootID)
	}
	if len(ref.Transforms) != 2 || ref.Transforms[0].Algorithm != algEnveloped ||
		(ref.Transforms[1].Algorithm != algExcC14N && ref.Transforms[1].Algorithm != algExcC14NComments) {
		var algs []string
		for _, t := range ref.Transforms {
			algs = append(algs, t.Algorithm)
		}
		return fmt.Errorf("signature transforms %v are not supported (want enveloped-signature then exclusive c14n)", algs)
	}
	if ref.Transforms[1].prefixes() != nil {
		// The root start tag is canonicalized before the list is known.
		return errors.New("InclusiveNamespaces in the reference transform is not supported for metadata")
	}
	dh, ok := digestAlgs[ref.DigestMethod.Algorithm]
	if !ok {
		if isSHA1(ref.DigestMethod.Algorithm) {
			return fmt.Errorf("SHA-1 digest algorithm %s is refused", ref.DigestMethod.Algorithm)
		}
		return fmt.Errorf("digest algorithm %q is not supported", ref.DigestMethod.Algorithm)
	}
	digest, err := base64.StdEncoding.DecodeString(stripSpace(ref.DigestValue))
	if err != nil || len(digest) != dh.Size() {
		return errors.New("signature DigestValue is not a valid base64 digest")
	}
	sigValue, err := base64.StdEncoding.DecodeString(stripSpace(sig.SignatureValue))
	if err != nil {
		return errors.New("SignatureValue is not valid base64")
	}

	// Canonicalize SignedInfo on its own, in the Signature's context.
	ic := canonicalizer{comments: cm == algExcC14NComments, inclusive: si.CanonicalizationMethod.prefixes(),
		frames: []c14nFrame{{declared: p.sigCtx}}}
	if err := ic.pushScope(p.sigTokens[0].(xml.StartElement)); err != nil {
		return err
	}
	depth, in := 0, false
	for _, t := range p.sigTokens[1:] {
		if s, ok := t.(xml.StartElement); ok && depth == 0 {
			if s.Name.Local != "SignedInfo" {
				return fmt.Errorf("first child of ds:Signature is <%s>, not SignedInfo", qname(s.Name))
			}
			in = true
		}
		if !in {
			continue
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
		if err := ic.token(t); err != nil {
			return err
		}
		if depth == 0 {
			break
		}
	}
	h := sa.hash.New()
	h.Write(ic.buf)
	sum := h.Sum(nil)
	var tried []string
	verified := ""
	for _, cert := range p.o.certs {
		if verifySum(cert.PublicKey, sa, sum, sigValue) {
			verified = certName(cert)
			break
		}
		tried = append(tried, certName(cert))
	}
	if verified == "" {
		return fmt.Errorf("signature does not verify with certificate %s", strings.Join(tried, " nor "))
	}
	p.doc.signer = verified

	p.digestAlg, p.digest = dh, digest
	p.hashes = []hash.Hash{dh.New()}
	if ref.Transforms[1].Algorithm == algExcC14NComments {
		// A bare-name or empty URI selects the element without comments
		// (XMLDSig §4.4.3.3), but some signers keep them with
		// #WithComments: both forms are digested and either may match.
		p.hashes = append(p.hashes, dh.New())
	}
	p.hashed = true
	for i, h := range p.hashes {
		h.Write(p.pending[i])
	}
	p.pending = [2][]byte{}
	return nil
}

func verifySum(pub crypto.PublicKey, sa sigAlg, sum, sig []byte) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return !sa.ecdsa && rsa.VerifyPKCS1v15(k, sa.hash, sum, sig) == nil
	case *ecdsa.PublicKey:
		if !sa.ecdsa {
			return false
		}
		// XMLDSig (RFC 6931 §2.3.6) encodes r and s side by side; goxmldsig
		// writes ASN.1 DER instead: both are accepted.
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) == 2*size {
			r := new(big.Int).SetBytes(sig[:size])
			s := new(big.Int).SetBytes(sig[size:])
			if ecdsa.Verify(k, sum, r, s) {
				return true
			}
		}
		return ecdsa.VerifyASN1(k, sum, sig)
	}
	return false
}

// certName names a certificate in messages: subject and SHA-256 fingerprint.
func certName(c *x509.Certificate) string {
	fp := sha256.Sum256(c.Raw)
	return fmt.Sprintf("%q (SHA-256 %s)", c.Subject.String(), hex.EncodeToString(fp[:8])+"…")
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r':
			return -1
		}
		return r
	}, s)
}

// requireSignature tells whether the document must be signed: always when
// certificates are configured.
func (p *parser) requireSignature() bool {
	return len(p.o.certs) > 0 || !p.o.allowUnsigned
}

// unsigned switches to trusted-unsigned mode: nothing is hashed.
func (p *parser) unsigned() {
	p.sigState = 2
	p.hashed = true
	p.hashes = nil
	p.pending = [2][]byte{}
}

// finish compares the digest of the canonical document with the signed one.
func (p *parser) finish() error {
	if p.sigState != 2 {
		if !p.requireSignature() {
			return nil
		}
		return errors.New("metadata is not signed")
	}
	if p.digest == nil {
		return nil // unsigned, allowed
	}
	p.flush()
	for _, h := range p.hashes {
		if subtle.ConstantTimeCompare(h.Sum(nil), p.digest) == 1 {
			return nil
		}
	}
	return errors.New("the digest of the signed content does not match: the document was changed after it was signed (edited, re-formatted or truncated)")
}

// decodeEntity decodes an EntityDescriptor from its canonical tokens.
func decodeEntity(j entityJob) (*IdP, error) {
	wrapper := xml.StartElement{Name: xml.Name{Local: "x"}}
	for _, b := range j.ctx {
		wrapper.Attr = append(wrapper.Attr, canonicalStart(xml.StartElement{}, []binding{b}).Attr...)
	}
	toks := make([]xml.Token, 0, len(j.toks)+2)
	toks = append(toks, wrapper)
	toks = append(toks, j.toks...)
	toks = append(toks, wrapper.End())
	return decodeEntityFrom(xml.NewTokenDecoder(&tokenSlice{toks: toks}), j)
}

// decodeEntityBytes decodes an EntityDescriptor from its canonical bytes
// (tests compare it with decodeEntity).
func decodeEntityBytes(j entityJob) (*IdP, error) {
	var head bytes.Buffer
	head.WriteString("<x")
	for _, b := range j.ctx {
		if b.prefix == "" {
			head.WriteString(` xmlns="`)
		} else {
			head.WriteString(" xmlns:" + b.prefix + `="`)
		}
		head.Write(appendEscapedAttr(nil, b.uri))
		head.WriteString(`"`)
	}
	head.WriteString(">")
	return decodeEntityFrom(xml.NewDecoder(io.MultiReader(&head, bytes.NewReader(j.frag), strings.NewReader("</x>"))), j)
}

func decodeEntityFrom(d *xml.Decoder, j entityJob) (*IdP, error) {
	if _, err := d.Token(); err != nil {
		return nil, fmt.Errorf("entity #%d: %w", j.seq+1, err)
	}
	var start xml.StartElement
	for {
		t, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("entity #%d: %w", j.seq+1, err)
		}
		if s, ok := t.(xml.StartElement); ok {
			start = s
			break
		}
	}
	ed := new(saml.EntityDescriptor)
	if err := d.DecodeElement(ed, &start); err != nil {
		return nil, fmt.Errorf("entity %s: %w", entityIDOf(&start), err)
	}
	v := validity{ed.ValidUntil, ed.CacheDuration}.narrow(j.validity.until, j.validity.duration)
	ed.ValidUntil, ed.CacheDuration = v.until, v.duration
	return newIdP(ed)
}

// tokenSlice is an xml.TokenReader over a slice.
type tokenSlice struct {
	toks []xml.Token
	i    int
}

func (s *tokenSlice) Token() (xml.Token, error) {
	if s.i == len(s.toks) {
		return nil, io.EOF
	}
	t := s.toks[s.i]
	s.toks[s.i] = nil
	s.i++
	return t, nil
}

func entityIDOf(s *xml.StartElement) string {
	for _, a := range s.Attr {
		if a.Name.Space == "" && a.Name.Local == "entityID" {
			return a.Value
		}
	}
	return "(no entityID)"
}
