package verify

import "strings"

// checkResults checks the results of an Open Badges 3.0 credential against
// its achievement: each result's resultDescription must be the id of one
// of the achievement's ResultDescriptions, and a result's achievedLevel
// must be one of that description's RubricCriterionLevels. The achieved
// level(s) are recorded in the report. (Blason issues one credential per
// level: the level is both the result and part of the credential's name.)
func checkResults(rep *Report, cred map[string]any) {
	subj, _ := cred["credentialSubject"].(map[string]any)
	if subj == nil {
		return
	}
	ach, _ := subj["achievement"].(map[string]any)
	rds := map[string]map[string]any{}
	for _, x := range asList(ach["resultDescription"]) {
		rd, _ := x.(map[string]any)
		if id, _ := rd["id"].(string); id != "" {
			rds[id] = rd
		}
	}
	var levels []string
	for i, x := range asList(subj["result"]) {
		r, _ := x.(map[string]any)
		if r == nil || !hasType(r, "Result") {
			rep.fail("result %d: type must hold Result", i+1)
			continue
		}
		rdID, _ := r["resultDescription"].(string)
		rd := rds[rdID]
		if rdID != "" && rd == nil {
			rep.fail("result %d: resultDescription %q is not a ResultDescription of the achievement", i+1, rdID)
			continue
		}
		lv, _ := r["achievedLevel"].(string)
		if lv == "" {
			continue
		}
		if rd == nil {
			rep.fail("result %d: achievedLevel without a resultDescription", i+1)
			continue
		}
		var name string
		for _, y := range asList(rd["rubricCriterionLevel"]) {
			m, _ := y.(map[string]any)
			if id, _ := m["id"].(string); id == lv {
				name, _ = m["name"].(string)
				if name == "" {
					name = id
				}
			}
		}
		if name == "" {
			rep.fail("result %d: achievedLevel %q is not a level of resultDescription %q", i+1, lv, rdID)
			continue
		}
		levels = append(levels, name)
	}
	rep.Level = strings.Join(levels, ", ")
}
