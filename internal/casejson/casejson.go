// Package casejson publishes competency frameworks in the 1EdTech
// Competencies and Academic Standards Exchange (CASE 1.0) JSON shape: one
// CFPackage per framework (CFDocument, CFItems, CFAssociations, CFRubrics)
// and one document per CFItem at the URL badge alignments point to.
// Identifiers are name-based UUIDs of those URLs, so they are stable from
// one build to the next.
package casejson

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// LinkURI is a CASE link to another object.
type LinkURI struct {
	Title      string `json:"title"`
	Identifier string `json:"identifier"`
	URI        string `json:"uri"`
}

// Document is a CFDocument.
type Document struct {
	Identifier         string   `json:"identifier"`
	URI                string   `json:"uri"`
	Creator            string   `json:"creator"`
	Title              string   `json:"title"`
	LastChangeDateTime string   `json:"lastChangeDateTime"`
	OfficialSourceURL  string   `json:"officialSourceURL,omitempty"`
	Publisher          string   `json:"publisher,omitempty"`
	Description        string   `json:"description,omitempty"`
	Language           string   `json:"language"`
	AdoptionStatus     string   `json:"adoptionStatus"`
	CFPackageURI       *LinkURI `json:"CFPackageURI,omitempty"`
}

// Item is a CFItem.
type Item struct {
	Identifier           string   `json:"identifier"`
	URI                  string   `json:"uri"`
	FullStatement        string   `json:"fullStatement"`
	AbbreviatedStatement string   `json:"abbreviatedStatement,omitempty"`
	HumanCodingScheme    string   `json:"humanCodingScheme,omitempty"`
	ListEnumeration      string   `json:"listEnumeration,omitempty"`
	CFItemType           string   `json:"CFItemType"`
	Language             string   `json:"language"`
	Notes                string   `json:"notes,omitempty"`
	CFDocumentURI        LinkURI  `json:"CFDocumentURI"`
	LastChangeDateTime   string   `json:"lastChangeDateTime"`
	Translations         []Transl `json:"extensions,omitempty"`
}

// Transl carries a label in another language (a CASE extension: CASE 1.0
// has one language per document).
type Transl struct {
	Language      string `json:"language"`
	FullStatement string `json:"fullStatement"`
}

// Association is a CFAssociation.
type Association struct {
	Identifier         string  `json:"identifier"`
	URI                string  `json:"uri"`
	AssociationType    string  `json:"associationType"`
	SequenceNumber     int     `json:"sequenceNumber,omitempty"`
	OriginNodeURI      LinkURI `json:"originNodeURI"`
	DestinationNodeURI LinkURI `json:"destinationNodeURI"`
	CFDocumentURI      LinkURI `json:"CFDocumentURI"`
	LastChangeDateTime string  `json:"lastChangeDateTime"`
}

// CriterionLevel is a CFRubricCriterionLevel: what a dimension expects at a level.
type CriterionLevel struct {
	Identifier         string `json:"identifier"`
	URI                string `json:"uri"`
	Description        string `json:"description"`
	Quality            string `json:"quality"`
	Score              int    `json:"score"`
	Position           int    `json:"position"`
	RubricCriterionID  string `json:"rubricCriterionId"`
	LastChangeDateTime string `json:"lastChangeDateTime"`
}

// Criterion is a CFRubricCriterion: one dimension of a competency.
type Criterion struct {
	Identifier              string           `json:"identifier"`
	URI                     string           `json:"uri"`
	Category                string           `json:"category"`
	Description             string           `json:"description"`
	CFItemURI               LinkURI          `json:"CFItemURI"`
	Position                int              `json:"position"`
	RubricID                string           `json:"rubricId"`
	LastChangeDateTime      string           `json:"lastChangeDateTime"`
	CFRubricCriterionLevels []CriterionLevel `json:"CFRubricCriterionLevels"`
}

// Rubric is a CFRubric: the grid of one competency.
type Rubric struct {
	Identifier         string      `json:"identifier"`
	URI                string      `json:"uri"`
	Title              string      `json:"title"`
	LastChangeDateTime string      `json:"lastChangeDateTime"`
	CFRubricCriteria   []Criterion `json:"CFRubricCriteria"`
}

// Package is a CFPackage.
type Package struct {
	CFDocument     Document      `json:"CFDocument"`
	CFItems        []Item        `json:"CFItems"`
	CFAssociations []Association `json:"CFAssociations"`
	CFRubrics      []Rubric      `json:"CFRubrics,omitempty"`
}

// Language is the language of the published framework documents.
const Language = "fr"

// UUID is the name-based (version 5, SHA-1) UUID of a URL, in the RFC 9562
// URL namespace.
func UUID(url string) string {
	ns, _ := hex.DecodeString("6ba7b8119dad11d180b400c04fd430c8")
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(url))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	s := hex.EncodeToString(u)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// Builder makes the documents of one layout.
type Builder struct {
	Layout layout.Layout
	Spaces map[string]*model.Space // by slug, for the publisher's name
}

func link(title, uri string) LinkURI { return LinkURI{Title: title, Identifier: UUID(uri), URI: uri} }

// Files returns every document of a framework, by output path: the
// package and one file per item.
func (b Builder) Files(f *model.Framework) map[string]any {
	l := b.Layout
	pkg := b.Package(f)
	out := map[string]any{l.FrameworkPackage(f): pkg}
	prefix := l.URL("")
	for _, it := range pkg.CFItems {
		out[strings.TrimPrefix(it.URI, prefix)] = it
	}
	return out
}

// Package returns the CFPackage of a framework.
func (b Builder) Package(f *model.Framework) Package {
	l := b.Layout
	date := f.Updated.UTC().Format(time.RFC3339)
	docURI := l.URL(l.FrameworkPackage(f))
	doc := Document{
		Identifier: UUID(docURI), URI: docURI, Title: f.Name, Description: f.Description,
		LastChangeDateTime: date, Language: Language, AdoptionStatus: "Adopted",
		OfficialSourceURL: l.URL(l.FrameworkPage(f, "")),
	}
	doc.Creator = f.Name
	if sp := b.Spaces[f.Publisher]; sp != nil {
		doc.Creator, doc.Publisher = sp.Name, sp.Name
	}
	pkgLink := link(f.Name, docURI)
	doc.CFPackageURI = &pkgLink
	docLink := link(f.Name, docURI)
	p := Package{CFDocument: doc, CFItems: []Item{}, CFAssociations: []Association{}}
	item := func(path, full, abbr, code, typ string, seq int, tr map[string]model.Text) Item {
		u := l.URL(path)
		it := Item{Identifier: UUID(u), URI: u, FullStatement: full, AbbreviatedStatement: abbr, HumanCodingScheme: code,
			CFItemType: typ, Language: Language, CFDocumentURI: docLink, LastChangeDateTime: date}
		if seq > 0 {
			it.ListEnumeration = strconv.Itoa(seq)
		}
		if t, ok := tr["en"]; ok && t.Name != "" {
			it.Translations = []Transl{{Language: "en", FullStatement: t.Name}}
		}
		return it
	}
	assoc := func(typ string, seq int, from, to Item) {
		u := docURI + "#association-" + UUID(from.URI + " " + typ + " " + to.URI)[:8]
		p.CFAssociations = append(p.CFAssociations, Association{
			Identifier: UUID(u), URI: u, AssociationType: typ, SequenceNumber: seq,
			OriginNodeURI: link(from.FullStatement, from.URI), DestinationNodeURI: link(to.FullStatement, to.URI),
			CFDocumentURI: docLink, LastChangeDateTime: date,
		})
	}
	root := LinkURI{Title: f.Name, Identifier: doc.Identifier, URI: docURI}
	for i, c := range f.Competencies {
		ci := item(l.CompetencyItem(c), c.Name, "", c.Code, "Competency", i+1, c.Translations)
		ci.Notes = c.Description
		p.CFItems = append(p.CFItems, ci)
		p.CFAssociations = append(p.CFAssociations, Association{
			Identifier: UUID(ci.URI + "#isChildOf"), URI: ci.URI + "#isChildOf", AssociationType: "isChildOf", SequenceNumber: i + 1,
			OriginNodeURI: link(ci.FullStatement, ci.URI), DestinationNodeURI: root, CFDocumentURI: docLink, LastChangeDateTime: date,
		})
		rubricURI := l.URL(l.CompetencyItem(c)) + "#rubric"
		rub := Rubric{Identifier: UUID(rubricURI), URI: rubricURI, Title: c.Code + " — " + c.Name, LastChangeDateTime: date}
		for j, d := range c.Dimensions {
			di := item(l.FrameworkItem(f, c.ID+"-"+d.ID), d.Name, "", c.Code+"."+d.ID, "Dimension", j+1, d.Translations)
			p.CFItems = append(p.CFItems, di)
			assoc("isChildOf", j+1, di, ci)
			critURI := di.URI + "#criterion"
			crit := Criterion{Identifier: UUID(critURI), URI: critURI, Category: d.Name, Description: d.Name, CFItemURI: link(di.FullStatement, di.URI),
				Position: j + 1, RubricID: rub.Identifier, LastChangeDateTime: date}
			for k, lv := range f.Levels {
				text := d.Descriptors[""][lv.ID]
				if text == "" {
					continue
				}
				u := critURI + "-" + lv.ID
				crit.CFRubricCriterionLevels = append(crit.CFRubricCriterionLevels, CriterionLevel{
					Identifier: UUID(u), URI: u, Description: text, Quality: lv.Name, Score: k + 1, Position: k + 1,
					RubricCriterionID: crit.Identifier, LastChangeDateTime: date,
				})
			}
			rub.CFRubricCriteria = append(rub.CFRubricCriteria, crit)
		}
		if len(rub.CFRubricCriteria) > 0 {
			p.CFRubrics = append(p.CFRubrics, rub)
		}
		var prev *Item
		for k, lv := range f.Levels {
			var sb strings.Builder
			for _, d := range c.Dimensions {
				if text := d.Descriptors[""][lv.ID]; text != "" {
					sb.WriteString(d.Name + " : " + text + "\n")
				}
			}
			full := c.Code + " — " + c.Name + " : " + lv.Name
			li := item(l.CompetencyLevelItem(c, lv.ID), full, lv.Name, c.Code+"."+lv.ID, "Competency level", k+1, nil)
			if t, ok := lv.Translations["en"]; ok && t.Name != "" {
				name := c.Name
				if ct, ok := c.Translations["en"]; ok && ct.Name != "" {
					name = ct.Name
				}
				li.Translations = []Transl{{Language: "en", FullStatement: c.Code + " — " + name + ": " + t.Name}}
			}
			li.Notes = strings.TrimSpace(sb.String())
			p.CFItems = append(p.CFItems, li)
			assoc("isChildOf", k+1, li, ci)
			if prev != nil {
				assoc("precedes", 0, *prev, li)
			}
			prevItem := li
			prev = &prevItem
		}
	}
	return p
}
