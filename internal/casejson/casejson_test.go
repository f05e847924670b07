package casejson

import (
	"testing"
	"time"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

func TestUUIDIsVersion5OfTheURL(t *testing.T) {
	// Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://badges.example.fr/frameworks/ref/case.json")
	if got, want := UUID("https://badges.example.fr/frameworks/ref/case.json"), "070f6dff-1419-5baf-8d71-a258e0d768b5"; got != want {
		t.Errorf("UUID = %s, want %s", got, want)
	}
}

func TestPackage(t *testing.T) {
	f := &model.Framework{Slug: "ref", Name: "Référentiel", Updated: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Publisher: "ecole",
		Levels: []*model.FrameworkLevel{{ID: "novice", Name: "Novice"}, {ID: "competent", Name: "Compétent", Translations: map[string]model.Text{"en": {Name: "Competent"}}}}}
	f.Competencies = []*model.Competency{{Framework: f, ID: "c1", Code: "C1", Name: "Innover", Translations: map[string]model.Text{"en": {Name: "Innovate"}},
		Dimensions: []*model.Dimension{{ID: "oser", Name: "OSER", Descriptors: map[string]map[string]string{"": {"novice": "Partage.", "competent": "Décide."}}}}}}
	b := Builder{Layout: layout.Layout{Base: "https://badges.example.fr/", DefaultLang: "fr"}, Spaces: map[string]*model.Space{"ecole": {Slug: "ecole", Name: "École"}}}
	p := b.Package(f)
	if p.CFDocument.Creator != "École" || p.CFDocument.LastChangeDateTime != "2025-09-01T00:00:00Z" || p.CFDocument.URI != "https://badges.example.fr/frameworks/ref/case.json" {
		t.Errorf("document: %+v", p.CFDocument)
	}
	var uris []string
	for _, it := range p.CFItems {
		uris = append(uris, it.HumanCodingScheme+" "+it.CFItemType+" "+it.URI)
	}
	want := []string{
		"C1 Competency https://badges.example.fr/frameworks/ref/items/c1.json",
		"C1.oser Dimension https://badges.example.fr/frameworks/ref/items/c1-oser.json",
		"C1.novice Competency level https://badges.example.fr/frameworks/ref/items/c1-novice.json",
		"C1.competent Competency level https://badges.example.fr/frameworks/ref/items/c1-competent.json",
	}
	if len(uris) != len(want) {
		t.Fatalf("items: %q", uris)
	}
	for i := range want {
		if uris[i] != want[i] {
			t.Errorf("item %d: %q, want %q", i, uris[i], want[i])
		}
	}
	if tr := p.CFItems[3].Translations; len(tr) != 1 || tr[0].FullStatement != "C1 — Innovate: Competent" {
		t.Errorf("English label: %+v", tr)
	}
	types := map[string]int{}
	for _, a := range p.CFAssociations {
		types[a.AssociationType]++
		if a.Identifier != UUID(a.URI) {
			t.Errorf("association %s: identifier is not the UUID of its URI", a.URI)
		}
	}
	if types["isChildOf"] != 4 || types["precedes"] != 1 {
		t.Errorf("associations: %v", types)
	}
	if p.CFAssociations[len(p.CFAssociations)-1].OriginNodeURI.URI != want[2][len("C1.novice Competency level "):] {
		t.Errorf("precedes should go from novice to competent: %+v", p.CFAssociations[len(p.CFAssociations)-1])
	}
	if len(p.CFRubrics) != 1 || len(p.CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels) != 2 ||
		p.CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels[1].Quality != "Compétent" {
		t.Errorf("rubric: %+v", p.CFRubrics)
	}
	files := b.Files(f)
	if len(files) != 5 || files["frameworks/ref/items/c1-oser.json"] == nil {
		t.Errorf("files: %d", len(files))
	}
}
