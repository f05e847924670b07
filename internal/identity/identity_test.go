package identity

import (
	"errors"
	"strings"
	"testing"

	"github.com/crewjam/saml"
)

func assertion(nameID *saml.NameID, attrs map[string][]string) *saml.Assertion {
	st := saml.AttributeStatement{}
	for name, vals := range attrs {
		at := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}
		for _, v := range vals {
			at.Values = append(at.Values, saml.AttributeValue{Value: v})
		}
		st.Attributes = append(st.Attributes, at)
	}
	a := &saml.Assertion{AttributeStatements: []saml.AttributeStatement{st}}
	if nameID != nil {
		a.Subject = &saml.Subject{NameID: nameID}
	}
	return a
}

// owns is an IdP with the scopes univ-test.fr and Univ-Poitiers.Fr.
func owns(s string) bool {
	return strings.EqualFold(s, "univ-test.fr") || strings.EqualFold(s, "univ-poitiers.fr")
}

func TestFromAssertion(t *testing.T) {
	tests := []struct {
		name    string
		nameID  *saml.NameID
		attrs   map[string][]string
		subject string
		eppn    string
		mail    string
		dropped int
		err     error
	}{
		{name: "subject-id first",
			attrs:   map[string][]string{SubjectID: {"ABC123@univ-test.fr"}, PairwiseID: {"xyz@univ-test.fr"}, EPPN: {"Etu1@univ-test.fr"}},
			subject: "subject-id:abc123@univ-test.fr", eppn: "etu1@univ-test.fr"},
		{name: "pairwise-id when no subject-id",
			attrs:   map[string][]string{PairwiseID: {"xyz@univ-test.fr"}, EPPN: {"etu1@univ-test.fr"}},
			subject: "pairwise-id:xyz@univ-test.fr", eppn: "etu1@univ-test.fr"},
		{name: "eppn, scope compared without case",
			attrs:   map[string][]string{EPPN: {"e1@UNIV-POITIERS.fr"}},
			subject: "eppn:e1@univ-poitiers.fr", eppn: "e1@univ-poitiers.fr"},
		{name: "targeted id (NameID-valued) when nothing scoped",
			attrs:   map[string][]string{TargetedID: {"opaque-42"}},
			subject: "eptid:opaque-42"},
		{name: "persistent NameID last",
			nameID:  &saml.NameID{Format: string(saml.PersistentNameIDFormat), Value: "p-77"},
			subject: "persistent:p-77"},
		{name: "transient NameID is no identifier",
			nameID: &saml.NameID{Format: string(saml.TransientNameIDFormat), Value: "_t"}, err: ErrNoIdentifier},
		{name: "mail is never an identifier",
			attrs: map[string][]string{Mail: {"a@univ-test.fr"}}, err: ErrNoIdentifier},
		{name: "foreign-scoped values are dropped and counted",
			attrs: map[string][]string{SubjectID: {"s@other.fr"}, EPPN: {"e@other.fr"}, PairwiseID: {"p@univ-test.fr"},
				ScopedAffiliation: {"student@other.fr", "member@univ-test.fr"}, HomeOrganization: {"other.fr"}},
			subject: "pairwise-id:p@univ-test.fr", dropped: 4},
		{name: "scope must be a whole suffix after @",
			attrs:   map[string][]string{EPPN: {"e@evil-univ-test.fr"}, PairwiseID: {"p@univ-test.fr"}},
			subject: "pairwise-id:p@univ-test.fr", dropped: 1},
		{name: "unscoped value in a scoped attribute is dropped",
			attrs:   map[string][]string{EPPN: {"nobody"}, PairwiseID: {"p@univ-test.fr"}},
			subject: "pairwise-id:p@univ-test.fr", dropped: 1},
		{name: "mail from a sub-domain of a scope is kept",
			attrs:   map[string][]string{EPPN: {"e@univ-test.fr"}, Mail: {"Camille@Etu.Univ-Test.fr"}},
			subject: "eppn:e@univ-test.fr", eppn: "e@univ-test.fr", mail: "camille@etu.univ-test.fr"},
		{name: "mail outside the scopes is not kept",
			attrs:   map[string][]string{EPPN: {"e@univ-test.fr"}, Mail: {"camille@gmail.com"}},
			subject: "eppn:e@univ-test.fr", eppn: "e@univ-test.fr"},
		{name: "mail of a look-alike domain is not kept",
			attrs:   map[string][]string{EPPN: {"e@univ-test.fr"}, Mail: {"x@univ-test.fr.evil.com"}},
			subject: "eppn:e@univ-test.fr", eppn: "e@univ-test.fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := FromAssertion(assertion(tt.nameID, tt.attrs), "https://idp.univ-test.fr/idp", owns)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if id.Subject != tt.subject || id.EPPN != tt.eppn || id.Mail != tt.mail || id.Dropped != tt.dropped {
				t.Fatalf("got subject %q eppn %q mail %q dropped %d; want %q %q %q %d",
					id.Subject, id.EPPN, id.Mail, id.Dropped, tt.subject, tt.eppn, tt.mail, tt.dropped)
			}
			if id.IdP != "https://idp.univ-test.fr/idp" {
				t.Fatalf("IdP %q", id.IdP)
			}
		})
	}
}
