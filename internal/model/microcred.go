package model

import (
	"strconv"
	"strings"
)

// Micro holds the facts of the Council Recommendation on micro-credentials
// (2022/C 243/02) a badge may state, all optional: the volume of learning,
// the level, how learning is assessed and delivered, its quality assurance,
// what is needed first, the ESCO skills and occupations it relates to, and
// how to earn it.
type Micro struct {
	Workload         int    // notional hours of learning, or 0
	EQF              int    // European Qualifications Framework level 1–8, or 0
	Assessment       string // one of AssessmentKinds, or empty
	Mode             string // one of ParticipationModes, or empty
	QualityAssurance string // text or an http(s) URL
	Prerequisites    string // text
	Earn             string // Markdown: how to earn the badge (who to ask, when, where)
	Skills           []ESCO // ESCO skills
	Occupations      []ESCO // ESCO occupations
}

// ESCO is an ESCO concept: its URI (http://data.europa.eu/esco/…) and its
// preferred label as the author wrote it.
type ESCO struct {
	URI  string
	Name string
}

// Empty reports whether no fact is stated.
func (m Micro) Empty() bool {
	return m.Workload == 0 && m.EQF == 0 && m.Assessment == "" && m.Mode == "" && m.QualityAssurance == "" &&
		m.Prerequisites == "" && m.Earn == "" && len(m.Skills) == 0 && len(m.Occupations) == 0
}

// AssessmentKinds are the kinds of assessment a badge may state.
var AssessmentKinds = []string{"exam", "oral", "project", "portfolio", "practical", "continuous", "peer", "self", "attendance"}

// ParticipationModes are the forms of participation a badge may state.
var ParticipationModes = []string{"online", "onsite", "blended"}

// EQFURL is the URI of an EQF level in the EU's controlled vocabulary.
func EQFURL(level int) string { return "http://data.europa.eu/snb/eqf/" + strconv.Itoa(level) }

// EQFFramework and ESCOFramework name the frameworks of the alignments a
// badge's EQF level and ESCO concepts are published as.
const (
	EQFFramework  = "Cadre européen des certifications (CEC/EQF)"
	ESCOFramework = "ESCO — Aptitudes, compétences, certifications et professions européennes"
)

// AssessmentFR and ModeFR are the French words of the published criteria.
var (
	AssessmentFR = map[string]string{"exam": "examen écrit", "oral": "examen oral", "project": "projet", "portfolio": "portfolio",
		"practical": "mise en situation pratique", "continuous": "contrôle continu", "peer": "évaluation par les pairs",
		"self": "auto-évaluation", "attendance": "attestation de participation, sans évaluation"}
	ModeFR = map[string]string{"online": "à distance", "onsite": "en présence", "blended": "hybride (à distance et en présence)"}
)

// Narrative is the French Markdown the published criteria of a badge end
// with: the facts Open Badges has no field for (and the ECTS credits when
// withCredits, for Open Badges 2.0, which has no field for them either),
// then how to earn the badge. It is empty when there is nothing to say.
func (m Micro) Narrative(credits float64, withCredits bool) string {
	var facts []string
	add := func(label, v string) { facts = append(facts, "- "+label+" : "+v) }
	if withCredits && credits > 0 {
		add("Crédits ECTS", strings.Replace(strconv.FormatFloat(credits, 'f', -1, 64), ".", ",", 1))
	}
	if m.Workload > 0 {
		add("Volume de travail", strconv.Itoa(m.Workload)+" heures")
	}
	if m.EQF > 0 {
		add("Niveau du CEC", strconv.Itoa(m.EQF))
	}
	if m.Assessment != "" {
		add("Évaluation", AssessmentFR[m.Assessment])
	}
	if m.Mode != "" {
		add("Modalité", ModeFR[m.Mode])
	}
	if m.QualityAssurance != "" {
		add("Assurance qualité", m.QualityAssurance)
	}
	if m.Prerequisites != "" {
		add("Prérequis", m.Prerequisites)
	}
	var parts []string
	if len(facts) > 0 {
		parts = append(parts, "**Micro-certification**\n\n"+strings.Join(facts, "\n"))
	}
	if m.Earn != "" {
		parts = append(parts, "**Pour obtenir ce badge**\n\n"+m.Earn)
	}
	return strings.Join(parts, "\n\n")
}

// WithNarrative appends n, when not empty, to criteria.
func WithNarrative(criteria, n string) string {
	switch {
	case n == "":
		return criteria
	case criteria == "":
		return n
	}
	return criteria + "\n\n" + n
}
