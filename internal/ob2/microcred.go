package ob2

import (
	"strconv"

	"github.com/francebadge/blason/internal/model"
)

// microAlignments are the alignments of a badge's EQF level and ESCO
// skills and occupations.
func microAlignments(m model.Micro) []Alignment {
	var out []Alignment
	if m.EQF > 0 {
		n := strconv.Itoa(m.EQF)
		out = append(out, Alignment{TargetName: "Niveau " + n + " du CEC", TargetURL: model.EQFURL(m.EQF), TargetFramework: model.EQFFramework, TargetCode: n})
	}
	for _, s := range m.Skills {
		out = append(out, Alignment{TargetName: s.Name, TargetURL: s.URI, TargetFramework: model.ESCOFramework})
	}
	for _, o := range m.Occupations {
		out = append(out, Alignment{TargetName: o.Name, TargetURL: o.URI, TargetFramework: model.ESCOFramework})
	}
	return out
}
