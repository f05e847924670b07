package ob2

import (
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// TestMicroFacts: the EQF level and ESCO concepts are alignments of the
// badge class (and of each level's), the other facts and the ECTS credits,
// which Open Badges 2.0 has no field for, end its criteria.
func TestMicroFacts(t *testing.T) {
	sp, _ := fixture()
	b := sp.Badges[0]
	b.Credits = 1.5
	b.Micro = model.Micro{EQF: 7, Workload: 30, Mode: "online",
		Skills: []model.ESCO{{URI: "http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce", Name: "utiliser des services en ligne"}}}
	is := Issuer{Layout: layout.Layout{Base: "https://badges.example.fr/", DefaultLang: "fr"}}
	for _, lv := range append([]*model.Level{nil}, b.Levels...) {
		c := is.BadgeClass(b, lv)
		var eqf, esco bool
		for _, a := range c.Alignment {
			eqf = eqf || (a.TargetURL == "http://data.europa.eu/snb/eqf/7" && a.TargetCode == "7" && a.TargetName != "")
			esco = esco || (a.TargetURL == b.Micro.Skills[0].URI && a.TargetName == "utiliser des services en ligne" && a.TargetFramework == model.ESCOFramework)
		}
		if !eqf || !esco {
			t.Errorf("%s: alignments %+v lack the EQF level or the ESCO skill", c.ID, c.Alignment)
		}
		for _, s := range []string{"Crédits ECTS : 1,5", "Volume de travail : 30 heures", "Modalité : à distance"} {
			if !strings.Contains(c.Criteria.Narrative, s) {
				t.Errorf("%s: criteria lack %q:\n%s", c.ID, s, c.Criteria.Narrative)
			}
		}
	}
}
