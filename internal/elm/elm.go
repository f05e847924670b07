// Package elm maps a Blason Open Badges 3.0 credential to the European
// Learning Model (ELM 3), the shape Europass reads: a European Digital
// Credential (JSON-LD, edc-ap context) whose subject holds one learning
// achievement, with the learning outcomes, ECTS credit points and EQF level
// the badge gives, its issuer as awarding body, and its dates.
//
// The result is unsigned: Europass only treats as verified a credential
// sealed with a qualified electronic seal (JAdES), which Blason cannot
// produce. See docs/europass.md.
package elm

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Context URLs of an ELM 3 credential, in order.
const (
	CredentialsV1 = "https://www.w3.org/2018/credentials/v1"
	EDCContext    = "http://data.europa.eu/snb/model/context/edc-ap"
	// Schema is the SHACL application profile the credential declares.
	Schema = "http://data.europa.eu/snb/model/ap/edc-generic-full"
)

// Controlled vocabularies (EU Publications Office authority tables and the
// Europass ones), as the EDC shapes require them.
const (
	countryScheme  = "http://publications.europa.eu/resource/authority/country"
	languageScheme = "http://publications.europa.eu/resource/authority/language"
	fileTypeScheme = "http://publications.europa.eu/resource/authority/file-type"
	eqfScheme      = "http://data.europa.eu/snb/eqf/25831c2"
	encodingScheme = "http://data.europa.eu/snb/encoding/25831c2"
	profileScheme  = "http://data.europa.eu/snb/credential/25831c2"
	creditScheme   = "http://data.europa.eu/snb/education-credit/25831c2"
	genericProfile = "http://data.europa.eu/snb/credential/e34929035b"
	base64Encoding = "http://data.europa.eu/snb/encoding/6146cde7dd"
	ectsFramework  = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
)

// eqfURL is how an Open Badges alignment names an EQF level: its target URL
// is the level's concept in the Europass EQF vocabulary.
var eqfURL = regexp.MustCompile(`^https?://data\.europa\.eu/snb/eqf/([1-8])$`)

// escoSkillURL is how an alignment names an ESCO skill; its learning
// outcome links it as relatedESCOSkill.
var escoSkillURL = regexp.MustCompile(`^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$`)

// escoSkills is the ESCO skills concept scheme.
const escoSkills = "http://data.europa.eu/esco/concept-scheme/skills"

// languages maps the site languages Blason knows to the EU language table
// (code and English label).
var languages = map[string][2]string{
	"fr": {"FRA", "French"}, "en": {"ENG", "English"}, "de": {"DEU", "German"}, "es": {"SPA", "Spanish"},
	"it": {"ITA", "Italian"}, "nl": {"NLD", "Dutch"}, "pt": {"POR", "Portuguese"}, "ca": {"CAT", "Catalan"},
	"eu": {"EUS", "Basque"}, "br": {"BRE", "Breton"}, "oc": {"OCI", "Occitan"}, "co": {"COS", "Corsican"},
}

// Image is the picture Europass shows for the credential (the badge image).
type Image struct {
	Data      []byte
	MediaType string // image/png, image/svg+xml or image/jpeg
}

// Options are what the Open Badges credential does not say.
type Options struct {
	// Country is the ISO 3166-1 alpha-3 code of the issuer's country
	// (the EU country table); "FRA" when empty.
	Country string
	// LegalID is the issuer's legal identifier (e.g. its SIREN); the
	// issuer's Open Badges id when empty.
	LegalID string
	// Image is the badge image shown by Europass; required by ELM.
	Image Image
}

// ob3 is the part of an Open Badges 3.0 credential the mapping reads.
type ob3 struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	ValidFrom  string `json:"validFrom"`
	ValidUntil string `json:"validUntil"`
	Issuer     struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"issuer"`
	Subject struct {
		ID          string `json:"id"`
		Achievement struct {
			ID               string      `json:"id"`
			Name             string      `json:"name"`
			Description      string      `json:"description"`
			InLanguage       string      `json:"inLanguage"`
			CreditsAvailable *float64    `json:"creditsAvailable"`
			Alignment        []alignment `json:"alignment"`
			Criteria         struct {
				ID        string `json:"id"`
				Narrative string `json:"narrative"`
			} `json:"criteria"`
		} `json:"achievement"`
	} `json:"credentialSubject"`
}

type alignment struct {
	TargetName        string `json:"targetName"`
	TargetURL         string `json:"targetUrl"`
	TargetDescription string `json:"targetDescription"`
	TargetFramework   string `json:"targetFramework"`
	TargetCode        string `json:"targetCode"`
}

// obj is one JSON-LD node; keys are written sorted, so the output is
// byte-identical for the same input.
type obj = map[string]any

// FromOB3 maps the Open Badges 3.0 credential cred to an unsigned ELM 3
// European Digital Credential (indented JSON-LD).
func FromOB3(cred []byte, opt Options) ([]byte, error) {
	var c ob3
	if err := json.Unmarshal(cred, &c); err != nil {
		return nil, fmt.Errorf("read Open Badges credential: %w", err)
	}
	a := c.Subject.Achievement
	switch {
	case c.ID == "" || c.Issuer.ID == "" || c.Subject.ID == "":
		return nil, errors.New("the Open Badges credential has no id, issuer id or subject id")
	case a.Name == "" || c.Issuer.Name == "" || c.ValidFrom == "":
		return nil, errors.New("the Open Badges credential has no achievement name, issuer name or validFrom")
	case len(opt.Image.Data) == 0:
		return nil, errors.New("no badge image: Europass requires one")
	}
	fileType, ok := map[string]string{"image/png": "PNG", "image/svg+xml": "SVG", "image/jpeg": "JPEG"}[opt.Image.MediaType]
	if !ok {
		return nil, fmt.Errorf("badge image type %q: ELM takes PNG, SVG or JPEG", opt.Image.MediaType)
	}
	lang := a.InLanguage
	if _, ok := languages[lang]; !ok {
		lang = "fr"
	}
	country := opt.Country
	if country == "" {
		country = "FRA"
	}
	legalID := opt.LegalID
	if legalID == "" {
		legalID = c.Issuer.ID
	}
	// Node ids: the Open Badges ids where they exist, otherwise URNs derived
	// from the credential id (stable across downloads).
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte(c.ID))
	urn := func(kind string) string { return "urn:uuid:" + uuid.NewSHA1(ns, []byte(kind)).String() }
	text := func(s string) obj { return obj{lang: s} }
	langConcept := concept(languageScheme+"/"+languages[lang][0], languageScheme, "language", languages[lang][1])
	countryConcept := concept(countryScheme+"/"+country, countryScheme, "country", country)

	issuer := obj{
		"id": c.Issuer.ID, "type": "Organisation",
		"legalName": text(c.Issuer.Name),
		"location": obj{"id": urn("location"), "type": "Location",
			"address": obj{"id": urn("address"), "type": "Address", "countryCode": countryConcept}},
		"eIDASIdentifier": obj{"id": urn("legal-identifier"), "type": "LegalIdentifier",
			"notation": legalID, "spatial": countryConcept},
	}
	if c.Issuer.URL != "" {
		issuer["homepage"] = obj{"id": urn("issuer-homepage"), "type": "WebResource", "contentURL": c.Issuer.URL}
	}

	spec := obj{"id": a.ID, "type": "LearningAchievementSpecification", "title": text(a.Name), "language": langConcept}
	if a.Description != "" {
		spec["description"] = text(a.Description)
	}
	if a.Criteria.ID != "" {
		spec["homepage"] = obj{"id": urn("criteria"), "type": "WebResource", "contentURL": a.Criteria.ID}
	}
	var outcomes []any
	seen := map[string]bool{}
	for i, al := range a.Alignment {
		if m := eqfURL.FindStringSubmatch(al.TargetURL); m != nil {
			spec["type"] = "Qualification" // in ELM only a qualification has an EQF level
			spec["eqfLevel"] = concept(al.TargetURL, eqfScheme, "", "Level "+m[1])
			continue
		}
		if al.TargetName == "" || seen[al.TargetURL+"\x00"+al.TargetName] {
			continue
		}
		seen[al.TargetURL+"\x00"+al.TargetName] = true
		lo := obj{"id": urn("learning-outcome-" + strconv.Itoa(i)), "type": "LearningOutcome", "title": text(al.TargetName)}
		if al.TargetDescription != "" {
			lo["additionalNote"] = obj{"id": urn("learning-outcome-note-" + strconv.Itoa(i)), "type": "Note",
				"noteLiteral": text(al.TargetDescription)}
		}
		if escoSkillURL.MatchString(al.TargetURL) {
			lo["relatedESCOSkill"] = []any{obj{"id": al.TargetURL, "type": "Concept", "inScheme": obj{"id": escoSkills, "type": "ConceptScheme"},
				"prefLabel": text(al.TargetName)}}
		}
		outcomes = append(outcomes, lo)
	}
	if len(outcomes) > 0 {
		spec["learningOutcome"] = outcomes
	}
	if a.CreditsAvailable != nil && *a.CreditsAvailable > 0 {
		spec["creditPoint"] = obj{"id": urn("credit-point"), "type": "CreditPoint",
			"framework": concept(ectsFramework, creditScheme, "", "European Credit Transfer System"),
			"point":     strconv.FormatFloat(*a.CreditsAvailable, 'f', -1, 64)}
	}

	achievement := obj{
		"id": urn("achievement"), "type": "LearningAchievement", "title": text(a.Name),
		"awardedBy": obj{"id": urn("awarding-process"), "type": "AwardingProcess",
			"awardingBody": obj{"id": c.Issuer.ID}, "awardingDate": c.ValidFrom},
		"specifiedBy": spec,
	}
	if a.Description != "" {
		achievement["description"] = text(a.Description)
	}

	title := c.Name
	if title == "" {
		title = a.Name
	}
	display := obj{
		"id": urn("display"), "type": "DisplayParameter",
		"title": text(title), "primaryLanguage": langConcept, "language": langConcept,
		"individualDisplay": obj{"id": urn("individual-display"), "type": "IndividualDisplay", "language": langConcept,
			"displayDetail": obj{"id": urn("display-detail"), "type": "DisplayDetail", "page": 1,
				"image": obj{"id": urn("image"), "type": "MediaObject",
					"content":         base64.StdEncoding.EncodeToString(opt.Image.Data),
					"contentEncoding": concept(base64Encoding, encodingScheme, "", "base64"),
					"contentType":     concept(fileTypeScheme+"/"+fileType, fileTypeScheme, "file-type", fileType)}}},
	}
	if a.Description != "" {
		display["description"] = text(a.Description)
	}

	out := obj{
		"@context":           []string{CredentialsV1, EDCContext},
		"id":                 urn("credential"),
		"type":               []string{"VerifiableCredential", "EuropeanDigitalCredential"},
		"credentialProfiles": concept(genericProfile, profileScheme, "", "Generic"),
		"credentialSchema":   obj{"id": Schema, "type": "ShaclValidator2017"},
		"issuer":             issuer,
		"issuanceDate":       c.ValidFrom,
		"issued":             c.ValidFrom,
		"validFrom":          c.ValidFrom,
		"credentialSubject":  obj{"id": c.Subject.ID, "type": "Person", "hasClaim": achievement},
		"displayParameter":   display,
	}
	if c.ValidUntil != "" {
		out["expirationDate"] = c.ValidUntil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// concept is a SKOS concept of a controlled vocabulary; notation, when not
// empty, names the authority table as the EU tables do.
func concept(id, scheme, notation, label string) obj {
	o := obj{"id": id, "type": "Concept", "inScheme": obj{"id": scheme, "type": "ConceptScheme"},
		"prefLabel": obj{"en": label}}
	if notation != "" {
		o["notation"] = notation
	}
	return o
}

// MediaType is the media type of a badge image file, from its extension.
func MediaType(name string) string {
	switch {
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(name, ".jpg"), strings.HasSuffix(name, ".jpeg"):
		return "image/jpeg"
	}
	return ""
}
