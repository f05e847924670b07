package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	_ "embed"
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
	lists map[string]*statuslist.Bitstring // verified status lists, by URL and purpose
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

// DataIntegrity verifies a credential with an embedded proof.
func (v *OB3) DataIntegrity(ctx context.Context, doc []byte, rcpt *Recipient) Report {
	rep := Report{}
	var cred map[string]any
	if err := json.Unmarshal(doc, &cred); err != nil {
		rep.fail("not a JSON object: %v", err)
		return rep
	}
	rep.URL, _ = cred["id"].(string)
	issuer := v.checkCredential(ctx, &rep, cred, true)
	suite := dataintegrity.Suite{Loader: v.Loader}
	if _, err := suite.Verify(cred, v.ed25519Resolver(ctx, issuer)); err != nil {
		rep.fail("proof: %v", err)
		return rep
	}
	v.checkStatus(ctx, &rep, cred)
	v.checkRecipient(&rep, cred, rcpt)
	return rep
}

// JWT verifies a credential secured as a VC-JWT.
func (v *OB3) JWT(ctx context.Context, token []byte, rcpt *Recipient) Report {
	rep := Report{}
	res, err := vcjwt.Verify(bytes.TrimSpace(token), func(kid string) (crypto.PublicKey, error) { return v.jwtKey(ctx, kid) })
	if err != nil {
		rep.fail("VC-JWT: %v", err)
		return rep
	}
	rep.URL, _ = res.Credential["id"].(string)
	issuer := v.checkCredential(ctx, &rep, res.Credential, false)
	if err := v.keyListedByIssuer(ctx, res.Kid, issuer); err != nil {
		rep.fail("VC-JWT: %v", err)
		return rep
	}
	v.checkStatus(ctx, &rep, res.Credential)
	v.checkRecipient(&rep, res.Credential, rcpt)
	return rep
}

// checkCredential applies the data-model rules and returns the issuer id.
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
		inst := cred
		if !withProof {
			// A VC-JWT carries no embedded proof; the schema describes one.
			inst = map[string]any{}
			for k, x := range cred {
				inst[k] = x
			}
		}
		b, _ := json.Marshal(inst)
		val, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := sch.Validate(val); err != nil {
			rep.fail("1EdTech JSON Schema: %s", firstLine(err.Error()))
		}
	}
	var issuer string
	switch is := cred["issuer"].(type) {
	case string:
		issuer = is
	case map[string]any:
		issuer, _ = is["id"].(string)
		if !slices.Contains(asStrings(is["type"]), "Profile") {
			rep.fail("issuer: type must hold Profile")
		}
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
	from := v.dateTime(rep, cred, "validFrom", true)
	if !from.IsZero() && from.After(v.Now) {
		rep.fail("not valid before %s", cred["validFrom"])
	}
	if until := v.dateTime(rep, cred, "validUntil", false); !until.IsZero() && until.Before(v.Now) && rep.Status == Valid {
		rep.Status = Expired
	}
	if _, err := jsonld.Canonicalize(v.Loader, cred); err != nil {
		rep.fail("JSON-LD: %v", err)
	}
	return issuer
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
// returns its key and controller.
func (v *OB3) verificationMethod(ctx context.Context, vm, purpose string) (ed25519.PublicKey, string, error) {
	base, frag, _ := strings.Cut(vm, "#")
	switch {
	case strings.HasPrefix(vm, "did:web:"):
		doc, err := v.didDocument(ctx, base)
		if err != nil {
			return nil, "", err
		}
		m, err := doc.method(vm, purpose)
		if err != nil {
			return nil, "", err
		}
		if m.Type != "Multikey" {
			return nil, "", fmt.Errorf("%s is a %s, not a Multikey", vm, m.Type)
		}
		pub, err := dataintegrity.DecodeMultikey(m.PublicKeyMultibase)
		return pub, m.Controller, err
	case strings.HasPrefix(vm, "did:key:"):
		pub, err := dataintegrity.DecodeMultikey(strings.TrimPrefix(base, "did:key:"))
		return pub, base, err
	case strings.HasPrefix(frag, "z6Mk"):
		// "<controller>#<multikey>", as the 1EdTech validator resolves it.
		pub, err := dataintegrity.DecodeMultikey(frag)
		return pub, base, err
	}
	return nil, "", fmt.Errorf("cannot resolve verification method %s", vm)
}

type didMethod struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Controller         string          `json:"controller"`
	PublicKeyMultibase string          `json:"publicKeyMultibase"`
	PublicKeyJwk       json.RawMessage `json:"publicKeyJwk"`
}

type didDoc struct {
	ID                 string      `json:"id"`
	VerificationMethod []didMethod `json:"verificationMethod"`
	AssertionMethod    []string    `json:"assertionMethod"`
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

// jwtKey dereferences a VC-JWT kid: a URL serving a bare JWK, or a DID URL.
func (v *OB3) jwtKey(ctx context.Context, kid string) (pub crypto.PublicKey, err error) {
	defer func() {
		if r := recover(); r != nil {
			pub, err = nil, fmt.Errorf("malformed JWK: %v", r)
		}
	}()
	raw, err := v.jwkBytes(ctx, kid)
	if err != nil {
		return nil, err
	}
	k, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("not a JWK: %w", err)
	}
	if _, private := k.(interface{ D() []byte }); private {
		return nil, errors.New("the published JWK holds a private key")
	}
	var key any
	if err := k.Raw(&key); err != nil {
		return nil, err
	}
	return key, nil
}

// jwkBytes fetches the JWK a kid designates.
func (v *OB3) jwkBytes(ctx context.Context, kid string) ([]byte, error) {
	var raw []byte
	if strings.HasPrefix(kid, "did:web:") {
		base, _, _ := strings.Cut(kid, "#")
		doc, err := v.didDocument(ctx, base)
		if err != nil {
			return nil, err
		}
		m, err := doc.method(kid, dataintegrity.AssertionMethod)
		if err != nil {
			return nil, err
		}
		raw = m.PublicKeyJwk
	} else {
		if !isHTTP(kid) {
			return nil, fmt.Errorf("kid %q is neither an http(s) URL nor a did:web URL", kid)
		}
		b, _, err := v.Fetcher.Fetch(ctx, kid)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	return raw, nil
}

// keyListedByIssuer checks key provenance for a VC-JWT: a did:web issuer
// must list the key (same thumbprint) in its DID document.
func (v *OB3) keyListedByIssuer(ctx context.Context, kid, issuer string) error {
	if !strings.HasPrefix(issuer, "did:web:") {
		return nil
	}
	raw, err := v.jwkBytes(ctx, kid)
	if err != nil {
		return err
	}
	want, err := thumbprint(raw)
	if err != nil {
		return err
	}
	doc, err := v.didDocument(ctx, issuer)
	if err != nil {
		return err
	}
	for _, m := range doc.VerificationMethod {
		if len(m.PublicKeyJwk) == 0 || !slices.Contains(doc.AssertionMethod, m.ID) || m.Controller != issuer {
			continue
		}
		if got, err := thumbprint(m.PublicKeyJwk); err == nil && bytes.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("the key %s is not an assertion key of the issuer %s", kid, issuer)
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

// checkStatus follows the credential's status entry.
func (v *OB3) checkStatus(ctx context.Context, rep *Report, cred map[string]any) {
	cs, ok := cred["credentialStatus"].(map[string]any)
	if !ok {
		return
	}
	switch typ, _ := cs["type"].(string); typ {
	case "BitstringStatusListEntry":
		purpose, _ := cs["statusPurpose"].(string)
		listURL, _ := cs["statusListCredential"].(string)
		idxs, _ := cs["statusListIndex"].(string)
		idx, err := strconv.Atoi(idxs)
		if err != nil || idx < 0 {
			rep.fail("status: statusListIndex %v is not a base-10 string", cs["statusListIndex"])
			return
		}
		set, err := v.bit(ctx, listURL, purpose, idx)
		if err != nil {
			rep.fail("status: %v", err)
			return
		}
		if set {
			rep.mark(purpose)
		}
		// Blason publishes suspensions at the same index of a sibling list.
		if sib, ok := strings.CutSuffix(listURL, "/revocation.json"); ok && purpose == "revocation" {
			set, err := v.bit(ctx, sib+"/suspension.json", "suspension", idx)
			var fe fetchError
			switch {
			case errors.As(err, &fe):
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

// bit fetches and verifies a status list credential (once per verifier)
// and reads one entry.
func (v *OB3) bit(ctx context.Context, listURL, purpose string, idx int) (bool, error) {
	v.mu.Lock()
	bits, ok := v.lists[listURL+" "+purpose]
	v.mu.Unlock()
	if !ok {
		var err error
		if bits, err = v.list(ctx, listURL, purpose); err != nil {
			return false, err
		}
		v.mu.Lock()
		if v.lists == nil {
			v.lists = map[string]*statuslist.Bitstring{}
		}
		v.lists[listURL+" "+purpose] = bits
		v.mu.Unlock()
	}
	if idx >= bits.Len() {
		return false, fmt.Errorf("%s: index %d is out of range (RANGE_ERROR)", listURL, idx)
	}
	return bits.Get(idx), nil
}

// list fetches a status list credential, verifies it and decodes its bits.
func (v *OB3) list(ctx context.Context, listURL, purpose string) (*statuslist.Bitstring, error) {
	b, _, err := v.Fetcher.Fetch(ctx, listURL)
	if err != nil {
		return nil, fetchError{err}
	}
	var list map[string]any
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", listURL, err)
	}
	if !hasType(list, "BitstringStatusListCredential") {
		return nil, fmt.Errorf("%s is not a BitstringStatusListCredential", listURL)
	}
	issuer, _ := list["issuer"].(string)
	if m, ok := list["issuer"].(map[string]any); ok {
		issuer, _ = m["id"].(string)
	}
	suite := dataintegrity.Suite{Loader: v.Loader}
	if _, err := suite.Verify(list, v.ed25519Resolver(ctx, issuer)); err != nil {
		return nil, fmt.Errorf("%s: proof: %w", listURL, err)
	}
	subj, _ := list["credentialSubject"].(map[string]any)
	if !slices.Contains(asStrings(subj["statusPurpose"]), purpose) {
		return nil, fmt.Errorf("%s: purpose is not %s", listURL, purpose)
	}
	enc, _ := subj["encodedList"].(string)
	bits, err := statuslist.Decode(enc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", listURL, err)
	}
	return bits, nil
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
