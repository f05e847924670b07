// Package ob2 turns the model into Open Badges 2.0 documents: issuer
// Profiles, BadgeClasses, hosted Assertions (or their revoked tombstones) and
// revocation lists, as JSON-LD bytes ready to publish.
package ob2

import (
	"time"

	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// Context is the Open Badges 2.0 JSON-LD context URL.
const Context = "https://w3id.org/openbadges/v2"

// Language is the language of the published JSON documents.
const Language = "fr"

// Profile is an issuer Profile.
type Profile struct {
	Context        string   `json:"@context"`
	Type           string   `json:"type"`
	ID             string   `json:"id"`
	Language       string   `json:"@language,omitempty"`
	Name           string   `json:"name"`
	URL            string   `json:"url"`
	Email          string   `json:"email"`
	Telephone      string   `json:"telephone,omitempty"`
	Description    string   `json:"description,omitempty"`
	Image          string   `json:"image,omitempty"`
	RevocationList string   `json:"revocationList"`
	PublicKey      []string `json:"publicKey,omitempty"`
}

// Criteria describes how a badge is earned.
type Criteria struct {
	ID        string `json:"id"`
	Narrative string `json:"narrative,omitempty"`
}

// Alignment points at a framework entry.
type Alignment struct {
	TargetName        string `json:"targetName"`
	TargetURL         string `json:"targetUrl"`
	TargetDescription string `json:"targetDescription,omitempty"`
	TargetFramework   string `json:"targetFramework,omitempty"`
	TargetCode        string `json:"targetCode,omitempty"`
}

// BadgeClass is an achievement an issuer awards.
type BadgeClass struct {
	Context     string      `json:"@context"`
	Type        string      `json:"type"`
	ID          string      `json:"id"`
	Language    string      `json:"@language,omitempty"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Image       string      `json:"image"`
	Criteria    Criteria    `json:"criteria"`
	Issuer      string      `json:"issuer"`
	Alignment   []Alignment `json:"alignment,omitempty"`
	Tags        []string    `json:"tags,omitempty"`
}

// Identity is a hashed recipient.
type Identity struct {
	Type     string `json:"type"`
	Hashed   bool   `json:"hashed"`
	Salt     string `json:"salt"`
	Identity string `json:"identity"`
}

// Verification says how to verify an assertion.
type Verification struct {
	Type    string `json:"type"`
	Creator string `json:"creator,omitempty"`
}

// Evidence supports an award.
type Evidence struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// Assertion is a hosted award.
type Assertion struct {
	Context      string       `json:"@context"`
	Type         string       `json:"type"`
	ID           string       `json:"id"`
	Recipient    Identity     `json:"recipient"`
	Badge        string       `json:"badge"`
	IssuedOn     string       `json:"issuedOn"`
	Expires      string       `json:"expires,omitempty"`
	Verification Verification `json:"verification"`
	Evidence     []Evidence   `json:"evidence,omitempty"`
}

// Tombstone replaces a revoked assertion at its URL.
type Tombstone struct {
	Context          string `json:"@context"`
	Type             string `json:"type"`
	ID               string `json:"id"`
	Revoked          bool   `json:"revoked"`
	RevocationReason string `json:"revocationReason,omitempty"`
}

// RevokedAssertion is an entry of a revocation list.
type RevokedAssertion struct {
	ID               string `json:"id"`
	RevocationReason string `json:"revocationReason,omitempty"`
}

// RevocationList lists a space's revoked assertions.
type RevocationList struct {
	Context           string             `json:"@context"`
	Type              string             `json:"type"`
	ID                string             `json:"id"`
	Issuer            string             `json:"issuer"`
	RevokedAssertions []RevokedAssertion `json:"revokedAssertions"`
}

// Issuer builds documents for one layout.
type Issuer struct {
	Layout layout.Layout
}

// Profile returns the issuer Profile of a space.
func (is Issuer) Profile(sp *model.Space) Profile {
	l := is.Layout
	p := Profile{
		Context: Context, Type: "Issuer", ID: l.URL(l.Issuer(sp)), Language: Language,
		Name: sp.Name, URL: sp.URL, Email: sp.Email, Telephone: sp.Telephone,
		Description:    sp.DescriptionText,
		RevocationList: l.URL(l.RevocationList(sp)),
	}
	if sp.Logo != nil {
		p.Image = l.URL(l.Logo(sp))
	}
	return p
}

// BadgeClass returns the BadgeClass of a badge, or of one of its levels.
func (is Issuer) BadgeClass(b *model.Badge, lv *model.Level) BadgeClass {
	l := is.Layout
	c := BadgeClass{
		Context: Context, Type: "BadgeClass", ID: l.URL(l.BadgeClass(b, lv)), Language: Language,
		Name: b.Name, Description: b.Description, Image: l.URL(l.BadgeImage(b)),
		Criteria: Criteria{ID: l.URL(l.BadgePage(b, "")), Narrative: b.Criteria},
		Issuer:   l.URL(l.Issuer(b.Space)),
		Tags:     b.Tags,
	}
	if lv != nil {
		c.Name = b.Name + " — " + lv.Name
		if lv.Description != "" {
			c.Description = lv.Description
		}
		c.Criteria.ID += "#level-" + lv.ID
		if lv.Criteria != "" {
			c.Criteria.Narrative = lv.Criteria
		}
	}
	c.Criteria.Narrative = model.WithNarrative(c.Criteria.Narrative, b.Micro.Narrative(b.Credits, true)) // microcred.go
	for _, a := range b.Alignments {
		if cp := a.Competency; cp != nil {
			c.Alignment = append(c.Alignment, Alignment{TargetName: cp.Code + " — " + cp.Name, TargetURL: l.URL(l.CompetencyItem(cp)),
				TargetDescription: a.TargetDescription, TargetFramework: cp.Framework.Name, TargetCode: cp.Code})
			continue
		}
		c.Alignment = append(c.Alignment, Alignment{TargetName: a.TargetName, TargetURL: a.TargetURL,
			TargetDescription: a.TargetDescription, TargetFramework: a.TargetFramework, TargetCode: a.TargetCode})
	}
	if cp := b.Competency; cp != nil {
		// The competency's CASE item, then, for a level, the competency at that level.
		c.Alignment = append(c.Alignment, Alignment{TargetName: cp.Code + " — " + cp.Name, TargetURL: l.URL(l.CompetencyItem(cp)),
			TargetDescription: cp.Description, TargetFramework: cp.Framework.Name, TargetCode: cp.Code})
		if lv != nil {
			c.Alignment = append(c.Alignment, Alignment{TargetName: cp.Code + " — " + cp.Name + " — " + lv.Name, TargetURL: l.URL(l.CompetencyLevelItem(cp, lv.ID)),
				TargetDescription: lv.Description, TargetFramework: cp.Framework.Name, TargetCode: cp.Code + "." + lv.ID})
		}
	}
	c.Alignment = append(c.Alignment, microAlignments(b.Micro)...)
	if t := b.Shared; t != nil {
		c.Alignment = append(c.Alignment, Alignment{TargetName: t.Name, TargetURL: l.URL(l.TemplatePage(t, "")),
			TargetDescription: TemplateAlignmentDescription, TargetFramework: TemplateFramework, TargetCode: t.Slug})
	}
	return c
}

// TemplateFramework and TemplateAlignmentDescription label the alignment
// linking a badge class to the shared template it derives from (Open Badges
// 2.0 has no other way to say it).
const (
	TemplateFramework            = "Modèles de badges partagés"
	TemplateAlignmentDescription = "Badge dérivé de ce modèle partagé par le réseau."
)

// RecipientIdentity returns the identity type and the plaintext value that
// an award's recipient hash covers. It is exported for verifiers and tests,
// which hold the plaintext; it is never published.
func RecipientIdentity(r model.Identity, space string) (typ, value string) {
	switch {
	case r.Email != "":
		return "email", r.Email
	case r.EPPN != "":
		return "id", "urn:eppn:" + r.EPPN
	}
	return "id", "urn:student:" + space + ":" + r.StudentID
}

// Assertion returns the hosted assertion of an award.
func (is Issuer) Assertion(a *model.Award) Assertion {
	l := is.Layout
	sp := a.Badge.Space
	typ, value := RecipientIdentity(a.Recipient, sp.Slug)
	salt := ids.Salt(sp.Secret, a.ID)
	out := Assertion{
		Context: Context, Type: "Assertion", ID: l.URL(l.Assertion(a)),
		Recipient:    Identity{Type: typ, Hashed: true, Salt: salt, Identity: ids.IdentityHash(value, salt)},
		Badge:        l.URL(l.BadgeClass(a.Badge, a.Level)),
		IssuedOn:     DateTime(a.Date),
		Verification: Verification{Type: "hosted"},
	}
	if !a.Expires.IsZero() {
		out.Expires = DateTime(a.Expires)
	}
	if a.EvidenceURL != "" || a.EvidenceNarrative != "" {
		out.Evidence = []Evidence{{ID: a.EvidenceURL, Narrative: a.EvidenceNarrative}}
	}
	return out
}

// SignedAssertion returns the assertion of an award for signed
// verification: the same award, identified by a URN derived from its id, to
// be signed (JWS, RS256) with the key published at creator.
func (is Issuer) SignedAssertion(a *model.Award, creator string) Assertion {
	out := is.Assertion(a)
	out.ID = "urn:uuid:" + ids.UUID(a.Badge.Space.Secret, a.ID)
	out.Verification = Verification{Type: "SignedBadge", Creator: creator}
	return out
}

// Tombstone returns what is published at a revoked award's URL.
func (is Issuer) Tombstone(a *model.Award, rv model.Revocation) Tombstone {
	return Tombstone{Context: Context, Type: "Assertion", ID: is.Layout.URL(is.Layout.Assertion(a)), Revoked: true, RevocationReason: rv.Reason}
}

// RevocationList returns the revocation list of a space, in award order.
// It matters for signed assertions only (a hosted one is revoked by its
// tombstone), so it lists their URNs, and is empty unless signed: hosted
// URLs are never listed anywhere.
func (is Issuer) RevocationList(sp *model.Space, signed bool) RevocationList {
	l := is.Layout
	rl := RevocationList{
		Context: Context, Type: "RevocationList", ID: l.URL(l.RevocationList(sp)),
		Issuer: l.URL(l.Issuer(sp)), RevokedAssertions: []RevokedAssertion{},
	}
	for _, a := range sp.Awards {
		if rv, ok := sp.Revocations[a.ID]; ok {
			if signed {
				rl.RevokedAssertions = append(rl.RevokedAssertions, RevokedAssertion{ID: "urn:uuid:" + ids.UUID(sp.Secret, a.ID), RevocationReason: rv.Reason})
			}
		}
	}
	return rl
}

// DateTime formats a time as an ISO 8601 date-time with time zone.
func DateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Marshal encodes a document as published (see package jsonout). The
// document types above always encode.
func Marshal(v any) []byte {
	b, err := jsonout.Marshal(v)
	if err != nil {
		panic(err) // unreachable: plain structs of strings, bools and slices
	}
	return b
}
