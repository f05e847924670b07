package content

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/yamlx"
	"go.yaml.in/yaml/v3"
)

// escoFM is a badge's `esco:` key: the ESCO skills and occupations it
// relates to.
type escoFM struct {
	Skills      []escoRefFM `yaml:"skills"`
	Occupations []escoRefFM `yaml:"occupations"`
}

// escoRefFM is one ESCO concept, written {uri: …, name: …} or, for the
// URI alone, as a plain string (then reported: the name is needed).
type escoRefFM struct {
	URI  string `yaml:"uri"`
	Name string `yaml:"name"`
}

// UnmarshalYAML reads a mapping, or a plain URI.
func (e *escoRefFM) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.URI = n.Value
		return nil
	}
	type plain escoRefFM
	return n.Decode((*plain)(e))
}

// escoRE matches the URI of an ESCO skill or occupation concept.
var escoRE = regexp.MustCompile(`^http://data\.europa\.eu/esco/(skill|occupation)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// MaxWorkload bounds a badge's workload, in hours (a full degree is some
// 5,000 hours).
const MaxWorkload = 10000

// inheritMicro copies the micro-credential facts a badge does not state
// from its template.
func inheritMicro(fm *badgeFM, t badgeFM) {
	if fm.Workload == 0 {
		fm.Workload = t.Workload
	}
	if fm.EQF == 0 {
		fm.EQF = t.EQF
	}
	set := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	set(&fm.Assessment, t.Assessment)
	set(&fm.Mode, t.Mode)
	set(&fm.QualityAssurance, t.QualityAssurance)
	set(&fm.Prerequisites, t.Prerequisites)
	set(&fm.Earn, t.Earn)
	if fm.ESCO == nil {
		fm.ESCO = t.ESCO
	}
}

// micro returns a badge's micro-credential facts from its front matter fm
// (template included), checking those the file states itself (local).
func (l *loader) micro(p *page, fm, local badgeFM) model.Micro {
	m := model.Micro{Workload: fm.Workload, EQF: fm.EQF, Assessment: fm.Assessment, Mode: fm.Mode,
		QualityAssurance: strings.TrimSpace(fm.QualityAssurance), Prerequisites: strings.TrimSpace(fm.Prerequisites), Earn: strings.TrimSpace(fm.Earn)}
	if local.Workload != 0 && (local.Workload < 0 || local.Workload > MaxWorkload) {
		addAt(l.diags, p, "write the notional hours of learning as a whole number, e.g. 25", []string{"workload"}, "workload %d is not a number of hours between 1 and %d", local.Workload, MaxWorkload)
		m.Workload = 0
	}
	if local.EQF != 0 && (local.EQF < 1 || local.EQF > 8) {
		addAt(l.diags, p, "EQF levels go from 1 to 8: a bachelor's degree is 6, a master's 7", []string{"eqf"}, "eqf %d is not an EQF level", local.EQF)
		m.EQF = 0
	}
	if local.Assessment != "" && !slices.Contains(model.AssessmentKinds, local.Assessment) {
		addAt(l.diags, p, choiceHint(local.Assessment, model.AssessmentKinds), []string{"assessment"}, "unknown assessment %q", local.Assessment)
	}
	if !slices.Contains(model.AssessmentKinds, m.Assessment) {
		m.Assessment = ""
	}
	if local.Mode != "" && !slices.Contains(model.ParticipationModes, local.Mode) {
		addAt(l.diags, p, choiceHint(local.Mode, model.ParticipationModes), []string{"mode"}, "unknown mode %q", local.Mode)
	}
	if !slices.Contains(model.ParticipationModes, m.Mode) {
		m.Mode = ""
	}
	if e := fm.ESCO; e != nil {
		m.Skills = l.escoRefs(p, e.Skills, "skills", "skill", local.ESCO != nil)
		m.Occupations = l.escoRefs(p, e.Occupations, "occupations", "occupation", local.ESCO != nil)
	}
	return m
}

// choiceHint suggests the closest allowed value, or lists them.
func choiceHint(got string, allowed []string) string {
	if s := yamlx.Closest(got, allowed); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "use one of: " + strings.Join(allowed, ", ")
}

// escoRefs checks the ESCO concepts of list (esco.skills or
// esco.occupations), of the given kind, and keeps the valid ones.
func (l *loader) escoRefs(p *page, refs []escoRefFM, list, kind string, check bool) []model.ESCO {
	var out []model.ESCO
	seen := map[string]bool{}
	for i, r := range refs {
		line := escoLine(p, list, i)
		m := escoRE.FindStringSubmatch(r.URI)
		switch {
		case m == nil || m[1] != kind:
			if check {
				hint := fmt.Sprintf("copy the concept URI from https://esco.ec.europa.eu, e.g. http://data.europa.eu/esco/%s/<uuid>", kind)
				if m != nil {
					hint = fmt.Sprintf("this URI is an ESCO %s: list it under esco.%s", m[1], m[1]+"s")
				}
				l.diags.Add(p.doc.File, line, hint, "esco.%s %d: %q is not the URI of an ESCO %s", list, i+1, r.URI, kind)
			}
			continue
		case strings.TrimSpace(r.Name) == "":
			if check {
				l.diags.Add(p.doc.File, line, "write it as {uri: …, name: …}, the name being the ESCO preferred label", "esco.%s %d has no name", list, i+1)
			}
			continue
		case seen[r.URI]:
			if check {
				l.diags.Add(p.doc.File, line, "list each ESCO concept once", "esco.%s %d: %s is listed twice", list, i+1, r.URI)
			}
			continue
		}
		seen[r.URI] = true
		out = append(out, model.ESCO{URI: r.URI, Name: strings.TrimSpace(r.Name)})
	}
	return out
}

// escoLine is the file line of item i of esco.<list>.
func escoLine(p *page, list string, i int) int {
	d := p.doc
	line := d.Line("esco", list)
	if d.Root == nil || d.Root.Kind != yaml.MappingNode {
		return line
	}
	var esco *yaml.Node
	for j := 0; j+1 < len(d.Root.Content); j += 2 {
		if d.Root.Content[j].Value == "esco" {
			esco = d.Root.Content[j+1]
		}
	}
	if esco == nil || esco.Kind != yaml.MappingNode {
		return line
	}
	for j := 0; j+1 < len(esco.Content); j += 2 {
		if v := esco.Content[j+1]; esco.Content[j].Value == list && v.Kind == yaml.SequenceNode && i < len(v.Content) {
			return d.Offset + v.Content[i].Line
		}
	}
	return line
}
