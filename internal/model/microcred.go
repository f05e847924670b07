package model

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
func EQFURL(level int) string { return "http://data.europa.eu/snb/eqf/" + string(rune('0'+level)) }
