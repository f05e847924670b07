// Package ob3 turns the model into Open Badges 3.0 documents: an
// OpenBadgeCredential per award (VC Data Model 2.0), the Achievement of each
// badge class, the issuer Profile, Bitstring Status List credentials and the
// 1EdTech revocation list. It builds unsigned documents; package
// dataintegrity and vcjwt secure them.
package ob3

import (
	"time"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/ids"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// SchemaURL is the 1EdTech JSON Schema of AchievementCredential.
const SchemaURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

// Context is the @context of every credential: VC 2.0 first, then OB 3.0.3,
// then the 1EdTech extensions (for the credentialSchema type).
var Context = []string{jsonld.CredentialsV2, jsonld.OpenBadgesV3, jsonld.OBExtensions}

// Image is an image reference.
type Image struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Caption string `json:"caption,omitempty"`
}

// Profile is an issuer.
type Profile struct {
	ID          string   `json:"id"`
	Type        []string `json:"type"`
	Name        string   `json:"name"`
	URL         string   `json:"url,omitempty"`
	Phone       string   `json:"phone,omitempty"`
	Email       string   `json:"email,omitempty"`
	Description string   `json:"description,omitempty"`
	Image       *Image   `json:"image,omitempty"`
}

// Criteria says how an achievement is earned.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// Alignment points at a framework entry.
type Alignment struct {
	Type              []string `json:"type"`
	TargetName        string   `json:"targetName"`
	TargetURL         string   `json:"targetUrl"`
	TargetDescription string   `json:"targetDescription,omitempty"`
	TargetFramework   string   `json:"targetFramework,omitempty"`
	TargetCode        string   `json:"targetCode,omitempty"`
	TargetType        string   `json:"targetType,omitempty"`
}

// Related links an achievement to another one (a badge class to the
// shared template it derives from).
type Related struct {
	ID         string   `json:"id"`
	Type       []string `json:"type"`
	InLanguage string   `json:"inLanguage,omitempty"`
}

// RubricCriterionLevel is one level of a badge with levels.
type RubricCriterionLevel struct {
	ID          string      `json:"id"`
	Type        []string    `json:"type"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Level       string      `json:"level,omitempty"`
	Alignment   []Alignment `json:"alignment,omitempty"`
}

// ResultDescription describes the levels an award may reach.
type ResultDescription struct {
	ID                   string                 `json:"id"`
	Type                 []string               `json:"type"`
	Name                 string                 `json:"name"`
	ResultType           string                 `json:"resultType"`
	Alignment            []Alignment            `json:"alignment,omitempty"`
	RubricCriterionLevel []RubricCriterionLevel `json:"rubricCriterionLevel"`
}

// Achievement is what a badge class certifies.
type Achievement struct {
	Context           []string            `json:"@context,omitempty"`
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	AchievementType   string              `json:"achievementType,omitempty"`
	Name              string              `json:"name"`
	Description       string              `json:"description"`
	Criteria          Criteria            `json:"criteria"`
	Image             *Image              `json:"image,omitempty"`
	Tag               []string            `json:"tag,omitempty"`
	Alignment         []Alignment         `json:"alignment,omitempty"`
	InLanguage        string              `json:"inLanguage,omitempty"`
	CreditsAvailable  float64             `json:"creditsAvailable,omitempty"` // ECTS credits
	ResultDescription []ResultDescription `json:"resultDescription,omitempty"`
	Related           []Related           `json:"related,omitempty"`
}

// IdentityObject is a hashed recipient identifier.
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt"`
}

// Result is the level reached by an award.
type Result struct {
	Type              []string `json:"type"`
	ResultDescription string   `json:"resultDescription"`
	AchievedLevel     string   `json:"achievedLevel"`
}

// AchievementSubject is the recipient of a credential. ID is an opaque
// "urn:uuid:" of this credential alone (ids.SubjectUUID): the VC-JWT's sub.
type AchievementSubject struct {
	ID          string           `json:"id,omitempty"`
	Type        []string         `json:"type"`
	Identifier  []IdentityObject `json:"identifier"`
	Achievement Achievement      `json:"achievement"`
	Result      []Result         `json:"result,omitempty"`
}

// Evidence supports an award.
type Evidence struct {
	ID        string   `json:"id,omitempty"`
	Type      []string `json:"type"`
	Narrative string   `json:"narrative,omitempty"`
}

// CredentialSchema points at a JSON Schema.
type CredentialSchema struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Status is a credentialStatus entry.
type Status struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose,omitempty"`
	StatusListIndex      string `json:"statusListIndex,omitempty"`
	StatusListCredential string `json:"statusListCredential,omitempty"`
}

// Credential is an OpenBadgeCredential. Proof is filled by the signer.
type Credential struct {
	Context           []string              `json:"@context"`
	ID                string                `json:"id"`
	Type              []string              `json:"type"`
	Issuer            Profile               `json:"issuer"`
	ValidFrom         string                `json:"validFrom"`
	ValidUntil        string                `json:"validUntil,omitempty"`
	Name              string                `json:"name"`
	CredentialSubject AchievementSubject    `json:"credentialSubject"`
	Evidence          []Evidence            `json:"evidence,omitempty"`
	CredentialSchema  []CredentialSchema    `json:"credentialSchema"`
	CredentialStatus  *Status               `json:"credentialStatus,omitempty"`
	Proof             []dataintegrity.Proof `json:"proof,omitempty"`
}

// Issuer builds documents for one layout.
type Issuer struct {
	Layout layout.Layout
}

// Profile returns a space's issuer Profile, identified by its did:web.
func (is Issuer) Profile(sp *model.Space) Profile {
	l := is.Layout
	p := Profile{
		ID: l.DID(sp), Type: []string{"Profile"}, Name: sp.Name, URL: sp.URL, Email: sp.Email, Phone: sp.Telephone,
		Description: sp.DescriptionText,
	}
	if sp.Logo != nil {
		p.Image = &Image{ID: l.URL(l.Logo(sp)), Type: "Image"}
	}
	return p
}

// Achievement returns the Achievement of a badge class; a badge with levels
// describes them as a rubric.
func (is Issuer) Achievement(b *model.Badge) Achievement {
	l := is.Layout
	id := l.URL(l.Achievement(b))
	a := Achievement{
		ID: id, Type: []string{"Achievement"}, AchievementType: b.AchievementType,
		Name: b.Name, Description: b.Description,
		Criteria:         Criteria{ID: l.URL(l.BadgePage(b, "")), Narrative: model.WithNarrative(b.Criteria, b.Micro.Narrative(b.Credits, false))},
		Image:            &Image{ID: l.URL(l.BadgeImage(b)), Type: "Image", Caption: b.Name},
		Tag:              b.Tags,
		InLanguage:       "fr",
		CreditsAvailable: b.Credits,
	}
	for _, al := range b.Alignments {
		if c := al.Competency; c != nil {
			ca := is.CompetencyAlignment(c, nil)
			ca.TargetDescription = al.TargetDescription
			a.Alignment = append(a.Alignment, ca)
			continue
		}
		a.Alignment = append(a.Alignment, Alignment{Type: []string{"Alignment"}, TargetName: al.TargetName, TargetURL: al.TargetURL,
			TargetDescription: al.TargetDescription, TargetFramework: al.TargetFramework, TargetCode: al.TargetCode})
	}
	if c := b.Competency; c != nil {
		a.Alignment = append(a.Alignment, is.CompetencyAlignment(c, nil))
	}
	a.Alignment = append(a.Alignment, microAlignments(b.Micro)...) // microcred.go
	if len(b.Levels) > 0 {
		rd := ResultDescription{ID: id + "#levels", Type: []string{"ResultDescription"}, Name: "Niveau", ResultType: "RubricCriterionLevel"}
		if c := b.Competency; c != nil {
			rd.Alignment = []Alignment{is.CompetencyAlignment(c, nil)}
		}
		for _, lv := range b.Levels {
			rl := RubricCriterionLevel{
				ID: LevelID(id, lv), Type: []string{"RubricCriterionLevel"}, Name: lv.Name, Description: lv.Description, Level: lv.ID,
			}
			if c := b.Competency; c != nil {
				rl.Alignment = []Alignment{is.CompetencyAlignment(c, lv)}
			}
			rd.RubricCriterionLevel = append(rd.RubricCriterionLevel, rl)
		}
		a.ResultDescription = []ResultDescription{rd}
	}
	if t := b.Shared; t != nil {
		a.Related = []Related{{ID: l.URL(l.TemplateAchievement(t)), Type: []string{"Related"}, InLanguage: "fr"}}
	}
	return a
}

// CompetencyAlignment points at the CASE CFItem of a framework competency,
// or of the competency at a level when lv is not nil.
func (is Issuer) CompetencyAlignment(c *model.Competency, lv *model.Level) Alignment {
	l := is.Layout
	a := Alignment{Type: []string{"Alignment"}, TargetName: c.Code + " — " + c.Name, TargetURL: l.URL(l.CompetencyItem(c)),
		TargetDescription: c.Description, TargetFramework: c.Framework.Name, TargetCode: c.Code, TargetType: "CFItem"}
	if lv != nil {
		a.TargetName += " — " + lv.Name
		a.TargetURL = l.URL(l.CompetencyLevelItem(c, lv.ID))
		a.TargetCode = c.Code + "." + lv.ID
		a.TargetDescription = lv.Description
	}
	return a
}

// TemplateAchievement is the Achievement describing a shared template;
// the achievements of the badge classes derived from it list it as related.
func (is Issuer) TemplateAchievement(t *model.Template) Achievement {
	l := is.Layout
	a := Achievement{
		Context: []string{Context[0], Context[1]},
		ID:      l.URL(l.TemplateAchievement(t)), Type: []string{"Achievement"}, AchievementType: t.AchievementType,
		Name: t.Name, Description: t.Description,
		Criteria:   Criteria{ID: l.URL(l.TemplatePage(t, "")), Narrative: t.Criteria},
		Image:      &Image{ID: l.URL(l.TemplateImage(t)), Type: "Image", Caption: t.Name},
		Tag:        t.Tags,
		InLanguage: "fr",
	}
	for _, al := range t.Alignments {
		a.Alignment = append(a.Alignment, Alignment{Type: []string{"Alignment"}, TargetName: al.TargetName, TargetURL: al.TargetURL,
			TargetDescription: al.TargetDescription, TargetFramework: al.TargetFramework, TargetCode: al.TargetCode})
	}
	return a
}

// LevelID is the IRI of a level within an achievement.
func LevelID(achievementID string, lv *model.Level) string { return achievementID + "#level-" + lv.ID }

// IdentityType returns the OB 3.0 identity type and the plaintext value an
// award's recipient hash covers. Exported for verifiers and tests; never
// published.
func IdentityType(r model.Identity) (typ, value string) {
	switch {
	case r.Email != "":
		return "emailAddress", r.Email
	case r.EPPN != "":
		return "ext:eduPersonPrincipalName", r.EPPN
	}
	return "sisSourcedId", r.StudentID
}

// Credential returns the unsigned credential of an award.
func (is Issuer) Credential(a *model.Award, status *Status) Credential {
	l := is.Layout
	sp := a.Badge.Space
	ach := is.Achievement(a.Badge)
	typ, value := IdentityType(a.Recipient)
	salt := ids.Salt(sp.Secret, a.ID)
	c := Credential{
		Context:   Context,
		ID:        l.URL(l.Credential(a)),
		Type:      []string{"VerifiableCredential", "OpenBadgeCredential"},
		Issuer:    is.Profile(sp),
		ValidFrom: DateTime(a.Date),
		Name:      a.Badge.Name,
		CredentialSubject: AchievementSubject{
			ID:          SubjectID(sp.Secret, a.ID),
			Type:        []string{"AchievementSubject"},
			Identifier:  []IdentityObject{{Type: "IdentityObject", IdentityHash: ids.IdentityHash(value, salt), IdentityType: typ, Hashed: true, Salt: salt}},
			Achievement: ach,
		},
		CredentialSchema: []CredentialSchema{{ID: SchemaURL, Type: "1EdTechJsonSchemaValidator2019"}},
		CredentialStatus: status,
	}
	if !a.Expires.IsZero() {
		c.ValidUntil = DateTime(a.Expires)
	}
	if a.Level != nil {
		c.Name = a.Badge.Name + " — " + a.Level.Name
		c.CredentialSubject.Result = []Result{{Type: []string{"Result"}, ResultDescription: ach.ResultDescription[0].ID, AchievedLevel: LevelID(ach.ID, a.Level)}}
	}
	if a.EvidenceURL != "" || a.EvidenceNarrative != "" {
		c.Evidence = []Evidence{{ID: a.EvidenceURL, Type: []string{"Evidence"}, Narrative: a.EvidenceNarrative}}
	}
	return c
}

// SubjectID returns the credentialSubject.id of an award's credential: a
// "urn:uuid:" minted under the space secret for this award alone. It lets
// verifiers and the VC-JWT (sub) name the subject without saying anything
// of the recipient; a holder identifier (a wallet's DID) may take its place
// in credentials delivered to a wallet.
func SubjectID(secret []byte, awardID string) string {
	return "urn:uuid:" + ids.SubjectUUID(secret, awardID)
}

// DateTime formats a time as an XML Schema dateTimeStamp in UTC.
func DateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
