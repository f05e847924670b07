// Package model holds the validated content of a site: spaces, badge
// classes, levels, awards and revocations. It is produced by package content
// and consumed by the issuing and rendering stages; it carries no behaviour.
package model

import (
	"path/filepath"
	"strconv"
	"time"

	"github.com/francebadge/blason/internal/safefs"
)

// Site is the whole validated input of a build.
type Site struct {
	Title        string
	BaseURL      string // absolute, ends with "/"
	Languages    []string
	Theme        string
	Translations map[string]SiteText
	Spaces       []*Space // sorted by slug
	Credentials  Credentials
	Frameworks   []*Framework // competency frameworks, sorted by slug
	Templates    []*Template  // badge templates shared by the network, sorted by slug
}

// Framework is a competency framework (content/_frameworks/<slug>.yaml):
// ordered levels, and competencies assessed along dimensions with a
// descriptor per level.
type Framework struct {
	Slug         string
	Name         string
	Description  string
	Publisher    string    // slug of the space maintaining it, or empty
	Updated      time.Time // date of this version of the framework (CASE lastChangeDateTime)
	Translations map[string]Text
	Levels       []*FrameworkLevel // ordered, lowest first
	Competencies []*Competency
	Source       string // file, relative to the source folder
}

// FrameworkLevel is one rung of a framework's ladder.
type FrameworkLevel struct {
	ID           string
	Name         string
	Description  string
	Translations map[string]Text
}

// Competency is one competency of a framework.
type Competency struct {
	Framework    *Framework
	ID           string // slug, unique in the framework
	Code         string // human code, e.g. C1
	Name         string
	Description  string
	Translations map[string]Text
	Dimensions   []*Dimension
}

// Dimension is one axis along which a competency is assessed; Descriptors
// holds what is expected at each level (by level id), in each language.
type Dimension struct {
	ID           string
	Name         string
	Translations map[string]Text
	Descriptors  map[string]map[string]string // lang ("" = default language) → level id → text
}

// Template is a badge model shared by the network
// (content/_templates/<slug>.md); badge classes of any space derive from
// it with `template: <slug>`.
type Template struct {
	Slug            string
	Name            string
	Description     string
	Criteria        string // Markdown
	Image           *Asset
	Tags            []string
	AchievementType string
	Alignments      []Alignment
	Translations    map[string]Text
	Source          string
	Users           []*Badge // badge classes derived from it, by space then slug
}

// Credentials are the settings of the signed outputs (see config.Credentials).
type Credentials struct {
	JWTAlg         string // "ES256" or "RS256"
	OB2Signed      bool
	Status         string // "bitstring" or "1edtech"
	StatusListSize int
	Bake           string // "passports", "all" or "none": which awards get baked images
	// AllowStudentNumberOnly accepts recipients known only by a student
	// number (see config.Credentials).
	AllowStudentNumberOnly bool
}

// SiteText holds the translatable site strings.
type SiteText struct {
	Title string
}

// Text is a translatable name/description/criteria triple.
type Text struct {
	Name        string
	Description string // Markdown for spaces, plain text for badges and levels
	Criteria    string // Markdown
}

// In picks the translation of base into lang from tr, each empty field
// falling back to base's; base itself for the site's default language
// (def) or when there is no translation.
func (base Text) In(lang, def string, tr map[string]Text) Text {
	t, ok := tr[lang]
	if !ok || lang == def {
		return base
	}
	if t.Name == "" {
		t.Name = base.Name
	}
	if t.Description == "" {
		t.Description = base.Description
	}
	if t.Criteria == "" {
		t.Criteria = base.Criteria
	}
	return t
}

// Space is an issuing institution.
type Space struct {
	Slug        string
	Name        string
	LegalName   string
	URL         string
	Email       string
	Telephone   string
	Logo        *Asset
	Contact     string
	Parent      string
	Description string // Markdown
	// DescriptionText is Description without markup, for JSON documents.
	DescriptionText string
	Translations    map[string]Text
	Theme           SpaceTheme
	Badges          []*Badge // sorted by slug
	Awards          []*Award // in source order (file name, then line)
	Revocations     map[string]Revocation
	Secret          []byte // per-space secret, from keys/<space>/secret
	// NotifyRevocations is the space's choice (notifyRevocations in
	// _space.md) of whether `blason notify` tells recipients of a
	// revocation; nil when the space does not say (the configuration
	// decides).
	NotifyRevocations *bool
	// LinkedInOrganizationID is the institution's LinkedIn organization id
	// (linkedin.organizationId in _space.md), or "": it links the
	// certifications added to LinkedIn profiles to the institution's page.
	LinkedInOrganizationID string
}

// SpaceTheme holds a space's theme parameters: its institution's colours,
// each empty or a CSS hex colour "#rgb" / "#rrggbb" (checked when loaded).
type SpaceTheme struct {
	Primary string // header band, links where contrast allows
	Accent  string // decorations: card edges, ladder rungs
}

// Asset is a file copied into the site.
type Asset struct {
	Source string // path of the source file, under Root
	Ext    string // ".svg" or ".png"
	Root   string // the source folder Source was checked under (see Read); empty: Source's own folder
}

// Read reads the image under the rules of package safefs (no symbolic
// link, regular file only), as it was checked when the content was loaded.
func (a *Asset) Read() ([]byte, error) {
	root := a.Root
	if root == "" {
		root = filepath.Dir(a.Source)
	}
	return safefs.ReadFile(root, a.Source)
}

// Badge is a badge class.
type Badge struct {
	Space           *Space
	Slug            string
	Name            string
	Description     string
	Criteria        string // Markdown
	Image           *Asset
	Tags            []string
	AchievementType string
	Alignments      []Alignment
	Levels          []*Level
	Template        string      // "<slug>" of a shared template, "<space>/<slug>" of another badge, or empty
	Shared          *Template   // the shared template, when Template names one
	Competency      *Competency // the framework competency the badge certifies, or nil
	Progression     string      // "ordered" (default for badges with levels) or "free"
	Expires         string      // ISO 8601 duration or empty
	Credits         float64     // ECTS credits the badge gives, or 0
	Micro           Micro       // EU micro-credential facts (microcred.go)
	Translations    map[string]Text
	Source          string // file, relative to the source folder
}

// Level is one rung of a badge with levels.
type Level struct {
	ID           string
	Name         string
	Description  string
	Criteria     string // Markdown
	Translations map[string]Text
}

// Alignment points a badge at a framework entry.
type Alignment struct {
	TargetName        string
	TargetURL         string
	TargetDescription string
	TargetFramework   string
	TargetCode        string
	// Competency, when set, is a framework competency the badge relates to:
	// the published alignment points at its CASE item (name, URL, code and
	// framework come from it; TargetDescription may say how).
	Competency *Competency
}

// Identity holds a recipient's identifiers, normalised. Never published.
type Identity struct {
	Email     string
	EPPN      string
	StudentID string
	Name      string
}

// Award is one row of an award list.
type Award struct {
	ID                string // unguessable award id, derived from the space secret
	Badge             *Badge
	Level             *Level // nil when the badge has no levels
	Recipient         Identity
	Date              time.Time
	Expires           time.Time // zero when the award does not expire
	EvidenceURL       string
	EvidenceNarrative string
	Override          string // the jury's justification for an award out of level order, or empty
	Lang              string // the recipient's language ("fr", "en") from the row's lang column, or empty
	File              string // the award list, relative to the source folder
	Line              int    // the award's line in File
}

// Source returns where the award is written: "file:line".
func (a *Award) Source() string { return a.File + ":" + strconv.Itoa(a.Line) }

// Revocation withdraws an award, for good or (Suspended) until the line is
// removed.
type Revocation struct {
	AwardID   string
	Date      time.Time
	Reason    string
	Suspended bool
	File      string // source file, relative to the source folder
	Line      int
}
