package ob3

import (
	"strconv"

	"github.com/francebadge/blason/internal/model"
)

// microAlignments are the alignments of a badge's EU micro-credential
// facts: its EQF level and its ESCO skills and occupations, typed with
// extension target types (Open Badges 3.0 names none for them).
func microAlignments(m model.Micro) []Alignment {
	var out []Alignment
	if m.EQF > 0 {
		n := strconv.Itoa(m.EQF)
		out = append(out, Alignment{Type: []string{"Alignment"}, TargetName: "Niveau " + n + " du CEC", TargetURL: model.EQFURL(m.EQF),
			TargetFramework: model.EQFFramework, TargetCode: n, TargetType: "ext:EQFLevel"})
	}
	for _, s := range m.Skills {
		out = append(out, Alignment{Type: []string{"Alignment"}, TargetName: s.Name, TargetURL: s.URI, TargetFramework: model.ESCOFramework, TargetType: "ext:ESCOSkill"})
	}
	for _, o := range m.Occupations {
		out = append(out, Alignment{Type: []string{"Alignment"}, TargetName: o.Name, TargetURL: o.URI, TargetFramework: model.ESCOFramework, TargetType: "ext:ESCOOccupation"})
	}
	return out
}
