package federation

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml"
)

const (
	mduiNS   = "urn:oasis:names:tc:SAML:metadata:ui"
	mdattrNS = "urn:oasis:names:tc:SAML:metadata:attribute"
	mdrpiNS  = "urn:oasis:names:tc:SAML:metadata:rpi"
	samlNS   = "urn:oasis:names:tc:SAML:2.0:assertion"
)

// IdP is one trusted identity provider, as its verified metadata describes
// it. It is immutable once loaded: share it freely between goroutines.
type IdP struct {
	// EntityID is the IdP's SAML entityID.
	EntityID string

	// Descriptor is the IdP's EntityDescriptor, decoded from the signed
	// bytes, with the validUntil and cacheDuration of the enclosing
	// EntitiesDescriptors pushed down (the earliest validUntil and the
	// shortest cacheDuration apply). Set it as ServiceProvider.IDPMetadata
	// on a per-request copy of the crewjam ServiceProvider; do not modify
	// it.
	//
	// To keep an eduGAIN-sized index small, what a web-SSO service
	// provider does not use is left out: the generic extension elements
	// (Extensions.Other of the entity and of its IDPSSODescriptors: their
	// mdui, mdattr and mdrpi content is in the fields below), the
	// AttributeAuthorityDescriptors (no attribute queries) and any
	// per-entity Signature (not checked inside an aggregate).
	// Extensions.ShibbolethScopes is kept.
	Descriptor *saml.EntityDescriptor

	// Scopes are the IdP's shibmd:Scope values. Use OwnsScope to check a
	// scoped attribute value.
	Scopes []Scope

	// DisplayName and Description map an xml:lang ("fr", "en", ...; "" when
	// the metadata gives none) to the mdui:UIInfo text, whitespace trimmed.
	// When the IdP has no mdui:DisplayName, DisplayName holds its
	// OrganizationDisplayName.
	DisplayName map[string]string
	Description map[string]string

	// Logos are the mdui:Logo elements of the IdP.
	Logos []Logo

	// EntityAttributes maps each mdattr:EntityAttributes attribute Name to
	// its values, e.g. "http://macedir.org/entity-category-support" to
	// ["http://refeds.org/category/research-and-scholarship"], or
	// "urn:oasis:names:tc:SAML:attribute:assurance-certification" to
	// ["https://refeds.org/sirtfi"].
	EntityAttributes map[string][]string

	// RegistrationAuthority is the mdrpi:RegistrationInfo
	// registrationAuthority, e.g. "https://federation.renater.fr/".
	RegistrationAuthority string

	// ValidUntil and CacheDuration are the effective values (zero when
	// none applies).
	ValidUntil    time.Time
	CacheDuration time.Duration

	// Source names the metadata source the IdP came from.
	Source string

	search string            // folded names and scopes, for Search
	folded map[string]string // folded DisplayName, for ranking
}

// Scope is one shibmd:Scope of an IdP. A regexp scope that does not
// compile matches nothing.
type Scope struct {
	Value  string // as published, trimmed
	Regexp bool   // regexp="true": Value is a regular expression
	re     *regexp.Regexp
}

// Logo is an mdui:Logo.
type Logo struct {
	URL           string
	Width, Height int
	Lang          string
}

// Name returns the IdP's display name in lang, falling back to English,
// French, any language, then the entityID.
func (p *IdP) Name(lang string) string {
	return pick(p.DisplayName, lang, p.EntityID)
}

// DescriptionIn returns the IdP's description in lang, with the same
// fallbacks as Name but "" in the end.
func (p *IdP) DescriptionIn(lang string) string {
	return pick(p.Description, lang, "")
}

func pick(m map[string]string, lang, fallback string) string {
	for _, l := range []string{lang, "en", "fr", ""} {
		if v, ok := m[l]; ok && v != "" {
			return v
		}
	}
	best := ""
	for l, v := range m { // deterministic: smallest language tag
		if v != "" && (best == "" || l < best) {
			best = l
		}
	}
	if best != "" {
		return m[best]
	}
	return fallback
}

// OwnsScope reports whether scope (the part after the '@' of a scoped
// value such as an eduPersonPrincipalName) is one of the IdP's
// shibmd:Scope values. Literal scopes compare case-insensitively; regexp
// scopes must match the whole of scope, case-insensitively.
func (p *IdP) OwnsScope(scope string) bool {
	if scope == "" {
		return false
	}
	for _, s := range p.Scopes {
		if s.re != nil {
			if s.re.MatchString(scope) {
				return true
			}
		} else if !s.Regexp && strings.EqualFold(s.Value, scope) {
			return true
		}
	}
	return false
}

// OwnsScopedValue reports whether value ("user@scope") has a scope the IdP
// owns. A value without '@', or with an empty part on either side, is
// refused.
func (p *IdP) OwnsScopedValue(value string) bool {
	i := strings.LastIndexByte(value, '@')
	if i <= 0 || i == len(value)-1 {
		return false
	}
	return p.OwnsScope(value[i+1:])
}

// newIdP builds the record of an EntityDescriptor that has an
// IDPSSODescriptor.
func newIdP(ed *saml.EntityDescriptor) (*IdP, error) {
	if strings.TrimSpace(ed.EntityID) == "" {
		return nil, fmt.Errorf("an EntityDescriptor has no entityID")
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return nil, fmt.Errorf("entity %s: no IDPSSODescriptor", ed.EntityID)
	}
	p := &IdP{
		EntityID:      ed.EntityID,
		Descriptor:    ed,
		DisplayName:   map[string]string{},
		Description:   map[string]string{},
		ValidUntil:    ed.ValidUntil,
		CacheDuration: ed.CacheDuration,
	}
	var exts []*saml.Extensions
	if ed.Extensions != nil {
		exts = append(exts, ed.Extensions)
	}
	for i := range ed.IDPSSODescriptors {
		if e := ed.IDPSSODescriptors[i].Extensions; e != nil {
			exts = append(exts, e)
		}
	}
	for _, e := range exts {
		for _, s := range e.ShibbolethScopes {
			v := strings.TrimSpace(s.Value)
			if v == "" {
				continue
			}
			sc := Scope{Value: v, Regexp: s.Regexp}
			if s.Regexp {
				re, err := regexp.Compile(`(?i)^(?:` + v + `)$`)
				if err != nil {
					// Kept without a matcher: it matches nothing.
					p.Scopes = append(p.Scopes, sc)
					continue
				}
				sc.re = re
			}
			p.Scopes = append(p.Scopes, sc)
		}
		for _, o := range e.Other {
			switch {
			case o.XMLName.Space == mduiNS && o.XMLName.Local == "UIInfo":
				p.readUIInfo(o)
			case o.XMLName.Space == mdattrNS && o.XMLName.Local == "EntityAttributes":
				p.readEntityAttributes(o)
			case o.XMLName.Space == mdrpiNS && o.XMLName.Local == "RegistrationInfo":
				for _, a := range o.Attrs {
					if a.Name.Space == "" && a.Name.Local == "registrationAuthority" {
						p.RegistrationAuthority = strings.TrimSpace(a.Value)
					}
				}
			}
		}
		e.Other = nil
	}
	ed.AttributeAuthorityDescriptors = nil
	ed.Signature = nil
	if len(p.DisplayName) == 0 && ed.Organization != nil {
		for _, n := range ed.Organization.OrganizationDisplayNames {
			if v := collapse(n.Value); v != "" {
				p.DisplayName[n.Lang] = v
			}
		}
	}
	var keys []string
	p.folded = make(map[string]string, len(p.DisplayName))
	for l, v := range p.DisplayName {
		p.folded[l] = fold(v)
		keys = append(keys, p.folded[l])
	}
	slices.Sort(keys) // deterministic
	for _, s := range p.Scopes {
		if !s.Regexp {
			keys = append(keys, fold(s.Value))
		}
	}
	p.search = strings.Join(keys, "\x00")
	return p, nil
}

func (p *IdP) readEntityAttributes(ea saml.ExtensionElement) {
	for _, a := range ea.Children {
		if a.XMLName.Space != samlNS || a.XMLName.Local != "Attribute" {
			continue
		}
		name := ""
		for _, at := range a.Attrs {
			if at.Name.Space == "" && at.Name.Local == "Name" {
				name = strings.TrimSpace(at.Value)
			}
		}
		if name == "" {
			continue
		}
		if p.EntityAttributes == nil {
			p.EntityAttributes = map[string][]string{}
		}
		for _, v := range a.Children {
			if v.XMLName.Space == samlNS && v.XMLName.Local == "AttributeValue" {
				if val := strings.TrimSpace(v.CharData); val != "" {
					p.EntityAttributes[name] = append(p.EntityAttributes[name], val)
				}
			}
		}
	}
}

func (p *IdP) readUIInfo(ui saml.ExtensionElement) {
	for _, c := range ui.Children {
		if c.XMLName.Space != mduiNS {
			continue
		}
		lang := ""
		var w, h int
		for _, a := range c.Attrs {
			switch {
			case a.Name.Space == xmlNamespace && a.Name.Local == "lang":
				lang = strings.ToLower(strings.TrimSpace(a.Value))
			case a.Name.Space == "" && a.Name.Local == "width":
				fmt.Sscan(a.Value, &w)
			case a.Name.Space == "" && a.Name.Local == "height":
				fmt.Sscan(a.Value, &h)
			}
		}
		v := collapse(c.CharData)
		if v == "" {
			continue
		}
		switch c.XMLName.Local {
		case "DisplayName":
			if _, dup := p.DisplayName[lang]; !dup {
				p.DisplayName[lang] = v
			}
		case "Description":
			if _, dup := p.Description[lang]; !dup {
				p.Description[lang] = v
			}
		case "Logo":
			p.Logos = append(p.Logos, Logo{URL: v, Width: w, Height: h, Lang: lang})
		}
	}
}

// collapse trims s and collapses its runs of white space into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
