package ob3

import (
	"strconv"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/model"
)

// Status purposes published per space. A credential references the
// revocation list (the 1EdTech schema allows one credentialStatus); the
// suspension list uses the same index, at the sibling URL.
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// StatusListSubject is the subject of a status list credential.
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusListCredential is a BitstringStatusListCredential.
type StatusListCredential struct {
	Context           []string              `json:"@context"`
	ID                string                `json:"id"`
	Type              []string              `json:"type"`
	Issuer            string                `json:"issuer"`
	ValidFrom         string                `json:"validFrom"`
	CredentialSubject StatusListSubject     `json:"credentialSubject"`
	Proof             []dataintegrity.Proof `json:"proof,omitempty"`
}

// BitstringEntry returns the credentialStatus of an award at index of list.
func (is Issuer) BitstringEntry(sp *model.Space, list, index int) *Status {
	u := is.Layout.URL(is.Layout.StatusList(sp, PurposeRevocation, list))
	i := strconv.Itoa(index)
	return &Status{ID: u + "#" + i, Type: "BitstringStatusListEntry", StatusPurpose: PurposeRevocation, StatusListIndex: i, StatusListCredential: u}
}

// RevocationListEntry returns the 1EdTech revocation list credentialStatus.
func (is Issuer) RevocationListEntry(sp *model.Space) *Status {
	return &Status{ID: is.Layout.URL(is.Layout.RevokedCredentials(sp)), Type: "1EdTechRevocationList"}
}

// StatusList returns the unsigned status list credential of a space for a
// purpose; validFrom comes from the content (the latest award or
// revocation date), never from the clock.
func (is Issuer) StatusList(sp *model.Space, purpose string, list int, encoded, validFrom string) StatusListCredential {
	u := is.Layout.URL(is.Layout.StatusList(sp, purpose, list))
	return StatusListCredential{
		Context:   []string{jsonld.CredentialsV2},
		ID:        u,
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    is.Layout.DID(sp),
		ValidFrom: validFrom,
		CredentialSubject: StatusListSubject{
			ID: u + "#list", Type: "BitstringStatusList", StatusPurpose: purpose, EncodedList: encoded,
		},
	}
}

// RevokedCredential is an entry of the 1EdTech revocation list.
type RevokedCredential struct {
	ID               string `json:"id"`
	Revoked          bool   `json:"revoked"`
	RevocationReason string `json:"revocationReason,omitempty"`
}

// RevokedCredentials is the 1EdTech Revocation List of a space.
type RevokedCredentials struct {
	ID                string              `json:"id"`
	Issuer            string              `json:"issuer"`
	RevokedCredential []RevokedCredential `json:"revokedCredential"`
}

// RevokedList returns the 1EdTech revocation list of a space: every revoked
// (not merely suspended) award, in award order.
func (is Issuer) RevokedList(sp *model.Space) RevokedCredentials {
	l := is.Layout
	out := RevokedCredentials{ID: l.URL(l.RevokedCredentials(sp)), Issuer: l.DID(sp), RevokedCredential: []RevokedCredential{}}
	for _, a := range sp.Awards {
		if rv, ok := sp.Revocations[a.ID]; ok && !rv.Suspended {
			out.RevokedCredential = append(out.RevokedCredential, RevokedCredential{ID: l.URL(l.Credential(a)), Revoked: true, RevocationReason: rv.Reason})
		}
	}
	return out
}
