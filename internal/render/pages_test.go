package render

import (
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/model"
)

func TestPlural(t *testing.T) {
	strs := map[string]string{"badgeCount_one": "badge", "badgeCount_other": "badges", "old": "niveaux"}
	lookup := func(k string) (string, bool) { s, ok := strs[k]; return s, ok }
	for _, c := range []struct {
		lang, key string
		n         int
		want      string
	}{
		{"fr", "badgeCount", 1, "1 badge"},
		{"fr", "badgeCount", 0, "0 badge"},
		{"en", "badgeCount", 0, "0 badges"},
		{"en", "badgeCount", 1, "1 badge"},
		{"en", "badgeCount", 7, "7 badges"},
		{"fr", "old", 2, "2 niveaux"}, // a theme with the plain key only
		{"fr", "missing", 3, "3"},
	} {
		if got := plural(lookup, c.lang, c.key, c.n); got != c.want {
			t.Errorf("%s %s %d: %q, want %q", c.lang, c.key, c.n, got, c.want)
		}
	}
}

func TestLevelSVG(t *testing.T) {
	src := `<svg><circle data-level="1" r="6" fill-opacity="1"/><circle data-level="2" r="6" fill-opacity=".45"/><circle r="6" data-level="3"/><rect/></svg>`
	for _, c := range []struct {
		rung int
		want string
	}{
		{1, `<svg><circle data-level="1" r="6" fill-opacity="1"/><circle data-level="2" r="6" fill-opacity=".45"/><circle r="6" data-level="3" fill-opacity=".45"/><rect/></svg>`},
		{3, `<svg><circle data-level="1" r="6" fill-opacity="1"/><circle data-level="2" r="6" fill-opacity="1"/><circle r="6" data-level="3" fill-opacity="1"/><rect/></svg>`},
	} {
		got, ok := levelSVG([]byte(src), c.rung)
		if !ok || string(got) != c.want {
			t.Errorf("level %d:\n%s\nwant\n%s", c.rung, got, c.want)
		}
	}
	if _, ok := levelSVG([]byte(`<svg><circle r="6"/></svg>`), 1); ok {
		t.Error("an image without level marks gets level images")
	}
}

func TestInFrameworkOrder(t *testing.T) {
	f := &model.Framework{Slug: "f"}
	for _, id := range []string{"c1", "c2", "c3"} {
		f.Competencies = append(f.Competencies, &model.Competency{ID: id, Framework: f})
	}
	bs := []*model.Badge{
		{Slug: "a-other"},
		{Slug: "b", Competency: f.Competencies[0]},
		{Slug: "c", Competency: f.Competencies[2]},
		{Slug: "d-other"},
		{Slug: "e", Competency: f.Competencies[1]},
	}
	var got []string
	for _, b := range inFrameworkOrder(bs) {
		got = append(got, b.Slug)
	}
	if s := strings.Join(got, " "); s != "a-other b e d-other c" {
		t.Errorf("order %s", s)
	}
	if bs[2].Slug != "c" {
		t.Error("the input slice was reordered")
	}
}
