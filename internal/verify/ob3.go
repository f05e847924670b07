package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/statuslist"
	"github.com/francebadge/blason/internal/vcjwt"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

//go:embed schema/ob_v3p0_achievementcredential.json
var achievementCredentialSchema []byte

var ob3ContextRE = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)

// OB3 verifies Open Badges 3.0 credentials secured with a Data Integrity
// proof (eddsa-rdfc-2022) or as VC-JWTs, their issuer keys (did:web, did:key,
// JWK URLs) and their status (Bitstring Status List, 1EdTech revocation list).
type OB3 struct {
	Fetcher Fetcher
	Loader  *jsonld.Loader
	Now     time.Time

	once   sync.Once
	schema *jsonschema.Schema
	serr   error

	mu    sync.Mutex
	lists map[string]statusList // verified status lists, by URL and purpose
}

func (v *OB3) compiled() (*jsonschema.Schema, error) {
	v.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(achievementCredentialSchema))
		if err != nil {
			v.serr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("ob_v3p0_achievementcredential.json", doc); err != nil {
			v.serr = err
			return
		}
		v.schema, v.serr = c.Compile("ob_v3p0_achievementcredential.json")
	})
	return v.schema, v.serr
}

// MaxDocumentSize is the largest credential or status list (or VC-JWT
// payload) accepted: canonicalization cost grows with the document.
const MaxDocumentSize = 1 << 20

// errTimedOut is reported when the verification of an input outlives its
// context.
var errTimedOut = errors.New("verification timed out")

// DataIntegrity verifies a credential with an embedded proof.
func (v *OB3) DataIntegrity(ctx context.Context, doc []byte, rcpt *Recipient) Report {
	rep := Report{}
	if len(doc) > MaxDocumentSize {
		rep.fail("JSON-LD: the document is larger than %d MiB", MaxDocumentSize>>20)
		return rep
	}
	var cred map[string]any
	if err := json.Unmarshal(doc, &cred); err != nil {
		rep.fail("not a JSON object: %v", err)
		return rep
	}
	rep.URL, _ = cred["id"].(string)
	rep.Issuer = issuerID(cred)
	if err := blankNodeIDs(cred); err != nil {
		rep.fail("JSON-LD: %v", err)
		return rep
	}
	issuer := v.checkCredential(ctx, &rep, cred, true)
	// Suite.Verify canonicalizes in SafeMode: an undefined term fails here.
	suite := dataintegrity.Suite{Loader: v.Loader}
	err := within(ctx, func() error {
		_, err := suite.Verify(cred, v.ed25519Resolver(ctx, issuer))
		return err
	})
	if errors.Is(err, errTimedOut) {
		rep.fail("%v", err)
		return rep
	}
	if err != nil {
		rep.fail("proof: %v", err)
		return rep
	}
	v.checkStatus(ctx, &rep, cred, issuer)
	v.checkRecipient(&rep, cred, rcpt)
	return rep
}

// JWT verifies a credential secured as a VC-JWT.
func (v *OB3) JWT(ctx context.Context, token []byte, rcpt *Recipient) Report {
	rep := Report{}
	token = bytes.TrimSpace(token)
	if parts := bytes.Split(token, []byte(".")); len(parts) == 3 && base64.RawURLEncoding.DecodedLen(len(parts[1])) > MaxDocumentSize {
		rep.fail("VC-JWT: the payload is larger than %d MiB", MaxDocumentSize>>20)
		return rep
	}
	var jwkRaw []byte // the JWK the kid designates
	res, err := vcjwt.Verify(token, func(kid string) (crypto.PublicKey, error) {
		raw, pub, err := v.jwtKey(ctx, kid)
		jwkRaw = raw
		return pub, err
	})
	if err != nil {
		rep.fail("VC-JWT: %v", err)
		return rep
	}
	rep.URL, _ = res.Credential["id"].(string)
	rep.Issuer = issuerID(res.Credential)
	if err := blankNodeIDs(res.Credential); err != nil {
		rep.fail("JSON-LD: %v", err)
		return rep
	}
	issuer := v.checkCredential(ctx, &rep, res.Credential, false)
	if slices.Contains(rep.Problems, errTimedOut.Error()) {
		return rep
	}
	if err := v.keyListedByIssuer(ctx, res.Kid, jwkRaw, issuer); err != nil {
		rep.fail("VC-JWT: %v", err)
		return rep
	}
	v.checkStatus(ctx, &rep, res.Credential, issuer)
	v.checkRecipient(&rep, res.Credential, rcpt)
	return rep
}

// within runs f, a canonicalization json-gold cannot interrupt, in a
// goroutine, and returns errTimedOut as soon as ctx is done (f then runs on
// to its end unobserved).
func within(ctx context.Context, f func() error) error {
	if ctx.Err() != nil {
		return errTimedOut
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("JSON-LD processing failed: %v", r)
			}
		}()
		done <- f()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errTimedOut
	}
}

// blankNodeIDs rejects explicit blank node identifiers (an id or @id value
// starting with "_:") and aliases of @id in embedded contexts: linking
// labelled blank nodes to each other makes RDF canonicalization take
// exponential time, and Blason's documents never need them.
func blankNodeIDs(v any) error {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			y := x[k]
			s, isString := y.(string)
			switch {
			case (k == "id" || k == "@id") && isString && strings.HasPrefix(s, "_:"):
				return fmt.Errorf("explicit blank node identifier %q (%s) refused: identify nodes by URL or leave them unnamed", s, k)
			case isString && s == "@id" && (k == "@id" || !strings.HasPrefix(k, "@")):
				return fmt.Errorf("an embedded context aliases @id (%s) — refused", k)
			}
			if err := blankNodeIDs(y); err != nil {
				return err
			}
		}
	case []any:
		for _, y := range x {
			if err := blankNodeIDs(y); err != nil {
				return err
			}
		}
	}
	return nil
}

// issuerID is the id of a credential's issuer (a string or a Profile).
func issuerID(cred map[string]any) string {
	switch is := cred["issuer"].(type) {
	case string:
		return is
	case map[string]any:
		id, _ := is["id"].(string)
		return id
	}
	return ""
}

// checkCredential applies the data-model rules and returns the issuer id.
// Without an embedded proof (a VC-JWT), it also canonicalizes the
// credential in SafeMode; with one, the proof check does.
func (v *OB3) checkCredential(ctx context.Context, rep *Report, cred map[string]any, withProof bool) string {
	c := asStrings(cred["@context"])
	if len(c) < 2 || c[0] != jsonld.CredentialsV2 || !ob3ContextRE.MatchString(c[1]) {
		rep.fail("@context must start with %s then the Open Badges 3.0 context", jsonld.CredentialsV2)
	}
	if !hasType(cred, "VerifiableCredential") || !(hasType(cred, "OpenBadgeCredential") || hasType(cred, "AchievementCredential")) {
		rep.fail("type must hold VerifiableCredential and OpenBadgeCredential")
	}
	if sch, err := v.compiled(); err != nil {
		rep.fail("JSON Schema: %v", err)
	} else {
		b, _ := json.Marshal(cred)
		val, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := sch.Validate(val); err != nil {
			rep.fail("1EdTech JSON Schema: %s", schemaProblem(err))
		}
	}
	issuer := issuerID(cred)
	if is, ok := cred["issuer"].(map[string]any); ok && !slices.Contains(asStrings(is["type"]), "Profile") {
		rep.fail("issuer: type must hold Profile")
	}
	if issuer == "" {
		rep.fail("no issuer id")
	}
	subj, _ := cred["credentialSubject"].(map[string]any)
	if subj == nil {
		rep.fail("no credentialSubject")
	} else if subj["id"] == nil && len(asList(subj["identifier"])) == 0 {
		rep.fail("credentialSubject has neither id nor identifier")
	}
	checkResults(rep, cred)
	from := v.dateTime(rep, cred, "validFrom", true)
	if !from.IsZero() && from.After(v.Now) {
		rep.fail("not valid before %s", cred["validFrom"])
	}
	if until := v.dateTime(rep, cred, "validUntil", false); !until.IsZero() && until.Before(v.Now) && rep.Status == Valid {
		rep.Status = Expired
	}
	if !withProof {
		err := within(ctx, func() error {
			_, err := jsonld.Canonicalize(v.Loader, cred)
			return err
		})
		switch {
		case errors.Is(err, errTimedOut):
			rep.fail("%v", err)
		case err != nil:
			rep.fail("JSON-LD: %v", err)
		}
	}
	return issuer
}

// schemaProblem names the most specific failure of a JSON Schema
// validation: the deepest leaf's instance location and message, without the
// schema's file path.
func schemaProblem(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return firstLine(err.Error())
	}
	leaf := deepestLeaf(ve)
	if _, ok := leaf.ErrorKind.(*kind.Schema); ok {
		return "the credential does not match the schema"
	}
	ptr := ""
	for _, tok := range leaf.InstanceLocation {
		ptr += "/" + strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
	}
	bare := *leaf
	bare.Causes = nil
	msg := firstLine(bare.Error())
	q := strings.ReplaceAll(strings.ReplaceAll(strconv.Quote(ptr), `\"`, `"`), "'", `\'`)
	msg = strings.TrimPrefix(msg, "at '"+q[1:len(q)-1]+"': ")
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Sprintf("at %s: %s", ptr, msg)
}

// deepestLeaf returns the leaf error with the longest instance location
// (the first of equals).
func deepestLeaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return e
	}
	var best *jsonschema.ValidationError
	for _, c := range e.Causes {
		if l := deepestLeaf(c); best == nil || len(l.InstanceLocation) > len(best.InstanceLocation) {
			best = l
		}
	}
	return best
}

func (v *OB3) dateTime(rep *Report, m map[string]any, key string, required bool) time.Time {
	return OB2{}.dateTime(rep, m, key, required)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// ed25519Resolver resolves Data Integrity verification methods, requiring
// that the key be controlled by the issuer.
func (v *OB3) ed25519Resolver(ctx context.Context, issuer string) dataintegrity.Resolver {
	return func(vm, purpose string) (ed25519.PublicKey, error) {
		pub, controller, err := v.verificationMethod(ctx, vm, purpose)
		if err != nil {
			return nil, err
		}
		if controller != issuer {
			return nil, fmt.Errorf("key controller %s is not the issuer %s", controller, issuer)
		}
		return pub, nil
	}
}

// verificationMethod dereferences an Ed25519 verification method and
// returns its key and controller: a did:web URL (the key listed in the DID
// document), a did:key (self-certifying: the controller is the did:key), or
// an http(s) URL, whose controller document (the URL without its fragment)
// must list it, CID-style, as controlled by the document and as an
// assertionMethod.
func (v *OB3) verificationMethod(ctx context.Context, vm, purpose string) (ed25519.PublicKey, string, error) {
	base, frag, _ := strings.Cut(vm, "#")
	switch {
	case strings.HasPrefix(vm, "did:web:"):
		doc, err := v.didDocument(ctx, base)
		if err != nil {
			return nil, "", err
		}
		return multikeyOf(doc, vm, purpose)
	case strings.HasPrefix(vm, "did:key:"):
		mk := strings.TrimPrefix(base, "did:key:")
		if frag != "" && frag != mk {
			return nil, "", fmt.Errorf("the fragment of %s is not its key", vm)
		}
		pub, err := dataintegrity.DecodeMultikey(mk)
		return pub, base, err
	case isHTTP(vm):
		doc, err := v.controllerDocument(ctx, base)
		if err != nil {
			return nil, "", err
		}
		return multikeyOf(doc, vm, purpose)
	}
	return nil, "", fmt.Errorf("cannot resolve verification method %s", vm)
}

// multikeyOf returns the Ed25519 Multikey vm of a controller document and
// its controller (the document's id).
func multikeyOf(doc *didDoc, vm, purpose string) (ed25519.PublicKey, string, error) {
	m, err := doc.method(vm, purpose)
	if err != nil {
		return nil, "", err
	}
	if m.Type != "Multikey" {
		return nil, "", fmt.Errorf("%s is a %s, not a Multikey", vm, m.Type)
	}
	pub, err := dataintegrity.DecodeMultikey(m.PublicKeyMultibase)
	return pub, m.Controller, err
}

type didMethod struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Controller         string          `json:"controller"`
	PublicKeyMultibase string          `json:"publicKeyMultibase"`
	PublicKeyJwk       json.RawMessage `json:"publicKeyJwk"`
}

// didDoc is a DID document or another controlled identifier document.
type didDoc struct {
	ID                 string      `json:"id"`
	VerificationMethod []didMethod `json:"verificationMethod"`
	AssertionMethod    references  `json:"assertionMethod"`
}

// references is a list of verification method references; embedded
// methods are ignored.
type references []string

func (r *references) UnmarshalJSON(b []byte) error {
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	for _, x := range list {
		var s string
		if json.Unmarshal(x, &s) == nil {
			*r = append(*r, s)
		}
	}
	return nil
}

func (d *didDoc) method(id, purpose string) (*didMethod, error) {
	if purpose == dataintegrity.AssertionMethod && !slices.Contains(d.AssertionMethod, id) {
		return nil, fmt.Errorf("%s is not an assertionMethod of %s", id, d.ID)
	}
	for i := range d.VerificationMethod {
		if m := &d.VerificationMethod[i]; m.ID == id {
			if m.Controller != d.ID {
				return nil, fmt.Errorf("%s: controller %s is not %s", id, m.Controller, d.ID)
			}
			return m, nil
		}
	}
	return nil, fmt.Errorf("%s is not in the DID document", id)
}

func (v *OB3) didDocument(ctx context.Context, did string) (*didDoc, error) {
	u, err := layout.DIDURL(did)
	if err != nil {
		return nil, err
	}
	b, _, err := v.Fetcher.Fetch(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("DID document: %w", err)
	}
	var d didDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("DID document %s: %w", u, err)
	}
	if d.ID != did {
		return nil, fmt.Errorf("DID document %s: id %q is not %s", u, d.ID, did)
	}
	return &d, nil
}

// controllerDocument fetches the controlled identifier document at u,
// whose id must be u.
func (v *OB3) controllerDocument(ctx context.Context, u string) (*didDoc, error) {
	b, _, err := v.Fetcher.Fetch(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("controller document: %w", err)
	}
	var d didDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("controller document %s: %w", u, err)
	}
	if d.ID != u {
		return nil, fmt.Errorf("controller document %s: id %q is not its URL", u, d.ID)
	}
	return &d, nil
}

// jwtKey dereferences a VC-JWT kid (a URL serving a bare JWK, a did:web URL
// or a did:key) and returns the JWK and its key.
func (v *OB3) jwtKey(ctx context.Context, kid string) (raw []byte, pub crypto.PublicKey, err error) {
	defer func() {
		if r := recover(); r != nil {
			raw, pub, err = nil, nil, fmt.Errorf("malformed JWK: %v", r)
		}
	}()
	raw, err = v.jwkBytes(ctx, kid)
	if err != nil {
		return nil, nil, err
	}
	k, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("not a JWK: %w", err)
	}
	if _, private := k.(interface{ D() []byte }); private {
		return nil, nil, errors.New("the published JWK holds a private key")
	}
	var key any
	if err := k.Raw(&key); err != nil {
		return nil, nil, err
	}
	return raw, key, nil
}

// jwkBytes fetches the JWK a kid designates.
func (v *OB3) jwkBytes(ctx context.Context, kid string) ([]byte, error) {
	base, frag, _ := strings.Cut(kid, "#")
	switch {
	case strings.HasPrefix(kid, "did:web:"):
		doc, err := v.didDocument(ctx, base)
		if err != nil {
			return nil, err
		}
		m, err := doc.method(kid, dataintegrity.AssertionMethod)
		if err != nil {
			return nil, err
		}
		return m.PublicKeyJwk, nil
	case strings.HasPrefix(kid, "did:key:"):
		if frag != "" && frag != strings.TrimPrefix(base, "did:key:") {
			return nil, fmt.Errorf("the fragment of %s is not its key", kid)
		}
		return didKeyJWK(base)
	case isHTTP(kid):
		b, _, err := v.Fetcher.Fetch(ctx, kid)
		return b, err
	}
	return nil, fmt.Errorf("kid %q is neither an http(s) URL nor a did:web or did:key URL", kid)
}

// Multicodec prefixes (varint) of the did:key public keys accepted.
var (
	mcEd25519 = []byte{0xed, 0x01}
	mcP256    = []byte{0x80, 0x24}
	mcRSA     = []byte{0x85, 0x24}
)

// didKeyJWK returns the public JWK a did:key encodes (Ed25519, P-256, RSA).
func didKeyJWK(did string) ([]byte, error) {
	b, err := dataintegrity.DecodeMultibase58(strings.TrimPrefix(did, "did:key:"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", did, err)
	}
	var pub any
	switch {
	case bytes.HasPrefix(b, mcEd25519) && len(b) == 2+ed25519.PublicKeySize:
		pub = ed25519.PublicKey(b[2:])
	case bytes.HasPrefix(b, mcP256) && len(b) == 2+33:
		x, y := elliptic.UnmarshalCompressed(elliptic.P256(), b[2:])
		if x == nil {
			return nil, fmt.Errorf("%s: not a P-256 point", did)
		}
		pub = &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	case bytes.HasPrefix(b, mcRSA):
		k, err := x509.ParsePKCS1PublicKey(b[2:])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", did, err)
		}
		pub = k
	default:
		return nil, fmt.Errorf("%s: unsupported did:key type", did)
	}
	k, err := jwk.FromRaw(pub)
	if err != nil {
		return nil, err
	}
	return json.Marshal(k)
}

// errKeyNotPublished is a VC-JWT signed with a key its issuer does not publish.
var errKeyNotPublished = errors.New("issuer not authenticated: the signing key is not published by the issuer")

// keyListedByIssuer checks key provenance for a VC-JWT: a did:web issuer
// must list the key (same RFC 7638 thumbprint) as an assertion key of its
// DID document, an http(s) issuer must publish it in its document, and a
// did:key issuer must be that key.
func (v *OB3) keyListedByIssuer(ctx context.Context, kid string, raw []byte, issuer string) error {
	want, err := thumbprint(raw)
	if err != nil {
		return err
	}
	same := func(k []byte) bool {
		got, err := thumbprint(k)
		return err == nil && bytes.Equal(got, want)
	}
	switch {
	case strings.HasPrefix(issuer, "did:web:"):
		doc, err := v.didDocument(ctx, issuer)
		if err != nil {
			return err
		}
		for _, m := range doc.VerificationMethod {
			if len(m.PublicKeyJwk) > 0 && slices.Contains(doc.AssertionMethod, m.ID) && m.Controller == issuer && same(m.PublicKeyJwk) {
				return nil
			}
		}
		return fmt.Errorf("the key %s is not an assertion key of the issuer %s", kid, issuer)
	case strings.HasPrefix(issuer, "did:key:"):
		k, err := didKeyJWK(issuer)
		if err != nil {
			return fmt.Errorf("issuer not authenticated: %w", err)
		}
		if same(k) {
			return nil
		}
		return errKeyNotPublished
	case isHTTP(issuer):
		keys, err := v.issuerKeys(ctx, issuer)
		if err != nil {
			return fmt.Errorf("issuer not authenticated: %w", err)
		}
		if slices.ContainsFunc(keys, same) {
			return nil
		}
		return errKeyNotPublished
	}
	return fmt.Errorf("issuer not authenticated: cannot resolve the issuer %q", issuer)
}

// issuerKeys fetches an http(s) issuer's document and returns the public
// JWKs it publishes: verificationMethod publicKeyJwk (of methods it
// controls), and the JWKs (or objects with a publicKeyJwk) of its
// publicKey and keys arrays.
func (v *OB3) issuerKeys(ctx context.Context, issuer string) ([][]byte, error) {
	b, _, err := v.Fetcher.Fetch(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("issuer document: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("issuer document %s: %w", issuer, err)
	}
	if id, ok := doc["id"]; ok && id != issuer {
		return nil, fmt.Errorf("issuer document %s: id %v is not %s", issuer, id, issuer)
	}
	var out [][]byte
	add := func(x any) {
		if m, ok := x.(map[string]any); ok {
			if b, err := json.Marshal(m); err == nil {
				out = append(out, b)
			}
		}
	}
	for _, x := range asList(doc["verificationMethod"]) {
		if m, ok := x.(map[string]any); ok {
			if c, ok := m["controller"]; !ok || c == issuer {
				add(m["publicKeyJwk"])
			}
		}
	}
	for _, k := range []string{"publicKey", "keys"} {
		for _, x := range asList(doc[k]) {
			m, _ := x.(map[string]any)
			if _, ok := m["kty"]; ok {
				add(m)
			} else {
				add(m["publicKeyJwk"])
			}
		}
	}
	return out, nil
}

// thumbprint returns the RFC 7638 thumbprint of a JWK. Published keys are
// untrusted input: a panic in the JOSE library on a malformed key becomes
// an error.
func thumbprint(raw []byte) (tp []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed JWK: %v", r)
		}
	}()
	k, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, err
	}
	return k.Thumbprint(crypto.SHA256)
}

var (
	statusIndexRE  = regexp.MustCompile(`^[0-9]+$`)
	revocationList = regexp.MustCompile(`^(.*/)revocation(-[0-9]+)?\.json$`)
)

// checkStatus follows every entry of the credential's credentialStatus
// (an object or an array).
func (v *OB3) checkStatus(ctx context.Context, rep *Report, cred map[string]any, issuer string) {
	for i, x := range asList(cred["credentialStatus"]) {
		cs, ok := x.(map[string]any)
		if !ok {
			rep.fail("status: credentialStatus entry %d is not an object", i+1)
			continue
		}
		v.checkStatusEntry(ctx, rep, cred, issuer, cs)
	}
}

func (v *OB3) checkStatusEntry(ctx context.Context, rep *Report, cred map[string]any, issuer string, cs map[string]any) {
	switch typ, _ := cs["type"].(string); typ {
	case "BitstringStatusListEntry":
		purpose, _ := cs["statusPurpose"].(string)
		listURL, _ := cs["statusListCredential"].(string)
		idxs, _ := cs["statusListIndex"].(string)
		idx, err := strconv.Atoi(idxs)
		if !statusIndexRE.MatchString(idxs) || err != nil {
			rep.fail("status: statusListIndex %v is not a base-10 string", cs["statusListIndex"])
			return
		}
		set, err := v.bit(ctx, listURL, purpose, idx, issuer)
		if err != nil {
			rep.fail("status: %v", err)
			return
		}
		if set {
			rep.mark(purpose)
		}
		// Blason publishes suspensions at the same index of a sibling list.
		if m := revocationList.FindStringSubmatch(listURL); m != nil && purpose == "revocation" {
			set, err := v.bit(ctx, m[1]+"suspension"+m[2]+".json", "suspension", idx, issuer)
			var fe fetchError
			switch {
			case errors.As(err, &fe) && notFound(fe.err):
				// no suspension list published: nothing is suspended
			case err != nil:
				rep.fail("status: %v", err)
			case set:
				rep.mark("suspension")
			}
		}
	case "1EdTechRevocationList":
		u, _ := cs["id"].(string)
		b, _, err := v.Fetcher.Fetch(ctx, u)
		if err != nil {
			rep.fail("status: revocation list: %v", err)
			return
		}
		var rl struct {
			Issuer            string `json:"issuer"`
			RevokedCredential []struct {
				ID               string `json:"id"`
				Revoked          *bool  `json:"revoked"`
				RevocationReason string `json:"revocationReason"`
			} `json:"revokedCredential"`
		}
		if err := json.Unmarshal(b, &rl); err != nil {
			rep.fail("status: revocation list: %v", err)
			return
		}
		if rl.Issuer != "" && rl.Issuer != issuer {
			rep.fail("status: revocation list %s is issued by %s, not by the credential's issuer %s", u, rl.Issuer, issuer)
			return
		}
		id, _ := cred["id"].(string)
		for _, e := range rl.RevokedCredential {
			if e.ID == id && (e.Revoked == nil || *e.Revoked) {
				rep.mark("revocation")
				rep.Reason = e.RevocationReason
			}
		}
	default:
		rep.fail("status: unsupported credentialStatus type %q", typ)
	}
}

// fetchError is a resource that could not be retrieved.
type fetchError struct{ err error }

func (e fetchError) Error() string { return e.err.Error() }
func (e fetchError) Unwrap() error { return e.err }

// mark records a status purpose whose bit is set.
func (r *Report) mark(purpose string) {
	s := Revoked
	if purpose == "suspension" {
		s = Suspended
	}
	if r.Status < s {
		r.Status = s
	}
}

// statusList is a verified status list: its bits and its issuer.
type statusList struct {
	bits   *statuslist.Bitstring
	issuer string
}

// bit fetches and verifies a status list credential (once per verifier),
// checks that the credential's issuer issued it, and reads one entry.
func (v *OB3) bit(ctx context.Context, listURL, purpose string, idx int, issuer string) (bool, error) {
	v.mu.Lock()
	l, ok := v.lists[listURL+" "+purpose]
	v.mu.Unlock()
	if !ok {
		var err error
		if l, err = v.list(ctx, listURL, purpose); err != nil {
			return false, err
		}
		v.mu.Lock()
		if v.lists == nil {
			v.lists = map[string]statusList{}
		}
		v.lists[listURL+" "+purpose] = l
		v.mu.Unlock()
	}
	if l.issuer != issuer {
		return false, fmt.Errorf("%s is issued by %s, not by the credential's issuer %s", listURL, l.issuer, issuer)
	}
	if idx >= l.bits.Len() {
		return false, fmt.Errorf("%s: index %d is out of range (RANGE_ERROR)", listURL, idx)
	}
	return l.bits.Get(idx), nil
}

// list fetches a status list credential, verifies it and decodes its bits.
func (v *OB3) list(ctx context.Context, listURL, purpose string) (statusList, error) {
	b, _, err := v.Fetcher.Fetch(ctx, listURL)
	if err != nil {
		return statusList{}, fetchError{err}
	}
	if len(b) > MaxDocumentSize {
		return statusList{}, fmt.Errorf("%s is larger than %d MiB", listURL, MaxDocumentSize>>20)
	}
	var list map[string]any
	if err := json.Unmarshal(b, &list); err != nil {
		return statusList{}, fmt.Errorf("%s: %w", listURL, err)
	}
	if !hasType(list, "BitstringStatusListCredential") {
		return statusList{}, fmt.Errorf("%s is not a BitstringStatusListCredential", listURL)
	}
	if err := blankNodeIDs(list); err != nil {
		return statusList{}, fmt.Errorf("%s: %w", listURL, err)
	}
	issuer := issuerID(list)
	suite := dataintegrity.Suite{Loader: v.Loader}
	err = within(ctx, func() error {
		_, err := suite.Verify(list, v.ed25519Resolver(ctx, issuer))
		return err
	})
	if errors.Is(err, errTimedOut) {
		return statusList{}, err
	}
	if err != nil {
		return statusList{}, fmt.Errorf("%s: proof: %w", listURL, err)
	}
	subj, _ := list["credentialSubject"].(map[string]any)
	if !slices.Contains(asStrings(subj["statusPurpose"]), purpose) {
		return statusList{}, fmt.Errorf("%s: purpose is not %s", listURL, purpose)
	}
	enc, _ := subj["encodedList"].(string)
	bits, err := statuslist.Decode(enc)
	if err != nil {
		return statusList{}, fmt.Errorf("%s: %w", listURL, err)
	}
	return statusList{bits: bits, issuer: issuer}, nil
}

// checkRecipient matches a known identifier against the subject's hashed
// identifiers (OB 3.0 §Verify the Recipient Using an Identifier).
func (v *OB3) checkRecipient(rep *Report, cred map[string]any, rcpt *Recipient) {
	if rcpt == nil {
		return
	}
	subj, _ := cred["credentialSubject"].(map[string]any)
	for _, x := range asList(subj["identifier"]) {
		io, _ := x.(map[string]any)
		if io["identityType"] != rcpt.Type {
			continue
		}
		h, _ := io["identityHash"].(string)
		salt, _ := io["salt"].(string)
		if hashed, _ := io["hashed"].(bool); hashed {
			if strings.EqualFold(h, ids.IdentityHash(rcpt.Identity, salt)) {
				return
			}
		} else if h == rcpt.Identity {
			return
		}
	}
	rep.fail("recipient: no identifier matches the expected recipient")
}
