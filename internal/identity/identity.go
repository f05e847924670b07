// Package identity turns a verified SAML assertion into the identity of a
// student: attributes are read by their URI name (OID), scoped values are
// kept only when the issuing identity provider owns their scope, and the
// student is keyed by the provider's entityID plus its most stable
// identifier. Mail is never an identifier; it is kept only as a fallback for
// matching awards, and only when its domain is one of the provider's scopes.
package identity

import (
	"errors"
	"strings"

	"github.com/crewjam/saml"
)

// Attribute names (SAML attribute Name, NameFormat uri).
const (
	SubjectID         = "urn:oasis:names:tc:SAML:attribute:subject-id"
	PairwiseID        = "urn:oasis:names:tc:SAML:attribute:pairwise-id"
	EPPN              = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
	TargetedID        = "urn:oid:1.3.6.1.4.1.5923.1.1.1.10"
	Mail              = "urn:oid:0.9.2342.19200300.100.1.3"
	DisplayName       = "urn:oid:2.16.840.1.113730.3.1.241"
	GivenName         = "urn:oid:2.5.4.42"
	Surname           = "urn:oid:2.5.4.4"
	Affiliation       = "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"
	ScopedAffiliation = "urn:oid:1.3.6.1.4.1.5923.1.1.1.9"
	HomeOrganization  = "urn:oid:1.3.6.1.4.1.25178.1.2.9"
	SupannEtuID       = "urn:oid:1.3.6.1.4.1.7135.1.2.1.10"
)

// Identity is what the claim server knows of a logged-in student. It is kept
// in memory for the request only; the store keeps an opaque hash of
// (IdP, Subject).
type Identity struct {
	IdP     string // entityID of the identity provider that asserted it
	Subject string // "<kind>:<value>" of the most stable identifier
	EPPN    string // scope-checked, lower-cased
	// Mail is set only when its domain is one of the provider's scopes.
	Mail               string
	DisplayName        string
	GivenName, Surname string
	Affiliations       []string
	ScopedAffiliations []string // scope-checked
	HomeOrganization   string   // scope-checked
	StudentID          string
	// Dropped counts the scoped values refused because the provider does
	// not own their scope (a provider asserting another's users).
	Dropped int
}

// ErrNoIdentifier is returned when the assertion carries no stable
// identifier the provider may assert.
var ErrNoIdentifier = errors.New("the identity provider released no stable identifier (subject-id, pairwise-id, eduPersonPrincipalName, eduPersonTargetedID or a persistent NameID)")

// FromAssertion reads an assertion already verified as coming from idp.
// owns reports whether the provider owns a scope (its shibmd:Scope values,
// compared case-insensitively).
func FromAssertion(a *saml.Assertion, idp string, owns func(scope string) bool) (Identity, error) {
	id := Identity{IdP: idp}
	values := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			for _, v := range at.Values {
				val := v.Value
				if v.NameID != nil {
					val = v.NameID.Value
				}
				if val = strings.TrimSpace(val); val != "" {
					values[at.Name] = append(values[at.Name], val)
				}
			}
		}
	}
	first := func(name string) string {
		if v := values[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	// scoped returns the values of a scoped attribute whose scope the
	// provider owns, counting the others.
	scoped := func(name string) []string {
		var out []string
		for _, v := range values[name] {
			at := strings.LastIndexByte(v, '@')
			if at <= 0 || at == len(v)-1 || !owns(v[at+1:]) {
				id.Dropped++
				continue
			}
			out = append(out, v)
		}
		return out
	}
	firstOf := func(v []string) string {
		if len(v) > 0 {
			return v[0]
		}
		return ""
	}
	subjectID := firstOf(scoped(SubjectID))
	pairwiseID := firstOf(scoped(PairwiseID))
	id.EPPN = strings.ToLower(firstOf(scoped(EPPN)))
	id.ScopedAffiliations = scoped(ScopedAffiliation)
	if m := strings.ToLower(first(Mail)); m != "" {
		if at := strings.LastIndexByte(m, '@'); at > 0 && at < len(m)-1 && ownsDomain(owns, m[at+1:]) {
			id.Mail = m
		}
	}
	if h := first(HomeOrganization); h != "" {
		if owns(h) {
			id.HomeOrganization = strings.ToLower(h)
		} else {
			id.Dropped++
		}
	}
	id.DisplayName = first(DisplayName)
	id.GivenName = first(GivenName)
	id.Surname = first(Surname)
	id.Affiliations = values[Affiliation]
	id.StudentID = first(SupannEtuID)

	switch {
	case subjectID != "":
		id.Subject = "subject-id:" + strings.ToLower(subjectID)
	case pairwiseID != "":
		id.Subject = "pairwise-id:" + strings.ToLower(pairwiseID)
	case id.EPPN != "":
		id.Subject = "eppn:" + id.EPPN
	case first(TargetedID) != "":
		id.Subject = "eptid:" + first(TargetedID)
	case a.Subject != nil && a.Subject.NameID != nil && a.Subject.NameID.Format == string(saml.PersistentNameIDFormat) && a.Subject.NameID.Value != "":
		id.Subject = "persistent:" + a.Subject.NameID.Value
	default:
		return Identity{}, ErrNoIdentifier
	}
	return id, nil
}

// ownsDomain reports whether a mail domain is a scope of the provider or a
// sub-domain of one (mail is often delivered by a sub-domain: etu.univ-x.fr).
func ownsDomain(owns func(string) bool, domain string) bool {
	for d := domain; d != ""; {
		if owns(d) {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
		if !strings.Contains(d, ".") { // never climb to a top-level domain
			return false
		}
	}
	return false
}
