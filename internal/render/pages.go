package render

import (
	"fmt"
	"html/template"
	"regexp"
	"sort"
	"strings"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
)

// contentLang is the language of content text shown on a page in the
// view's language: "" when the text is in the page's language, else the
// site's default language (the text fell back to it, or it is never
// translated, like tags), for a lang attribute.
func (v *langView) contentLang(translated bool) string {
	def := v.site.Languages[0]
	if v.lang == def || translated {
		return ""
	}
	return def
}

// translated says whether tr holds a text of field ("name",
// "description" or "criteria") in the view's language.
func (v *langView) translated(tr map[string]model.Text, field string) bool {
	t, ok := tr[v.lang]
	if !ok {
		return false
	}
	switch field {
	case "name":
		return t.Name != ""
	case "description":
		return t.Description != ""
	default:
		return t.Criteria != ""
	}
}

// plural picks the form of a counted word: key_one for 1 (and 0 in
// French), key_other otherwise, then key itself. It returns "n word".
func plural(lookup func(string) (string, bool), lang, key string, n int) string {
	form := "other"
	if n == 1 || (lang == "fr" && n == 0) {
		form = "one"
	}
	for _, k := range []string{key + "_" + form, key + "_other", key} {
		if s, ok := lookup(k); ok {
			return fmt.Sprintf("%d %s", n, s)
		}
	}
	return fmt.Sprint(n)
}

// inFrameworkOrder orders badge classes for lists: the badges that
// certify a framework competency take, among themselves, the order of the
// framework's competencies (C1, C2, C3…), in the places the badges of
// competencies held; every other badge keeps its place.
func inFrameworkOrder(bs []*model.Badge) []*model.Badge {
	out := append([]*model.Badge(nil), bs...)
	var slots []int
	var comp []*model.Badge
	for i, b := range out {
		if b.Competency != nil {
			slots = append(slots, i)
			comp = append(comp, b)
		}
	}
	index := func(c *model.Competency) int {
		for i, x := range c.Framework.Competencies {
			if x == c {
				return i
			}
		}
		return -1
	}
	sort.SliceStable(comp, func(i, j int) bool {
		a, b := comp[i].Competency, comp[j].Competency
		if a.Framework != b.Framework {
			return a.Framework.Slug < b.Framework.Slug
		}
		return index(a) < index(b)
	})
	for k, i := range slots {
		out[i] = comp[k]
	}
	return out
}

// levelDotRE finds the level marks of a badge's SVG image: elements with a
// data-level attribute (1 for the first level) and a fill-opacity.
var levelDotRE = regexp.MustCompile(`<[a-z]+\b[^>]*\bdata-level="(\d+)"[^>]*>`)

var fillOpacityRE = regexp.MustCompile(`\bfill-opacity="[^"]*"`)

// levelSVG is the badge's SVG image for its rung-th level (1 for the
// first): every element marked data-level="k" is drawn full for k <= rung
// and faded above. ok is false when the image has no such marks.
func levelSVG(svg []byte, rung int) (out []byte, ok bool) {
	if !levelDotRE.Match(svg) {
		return nil, false
	}
	out = levelDotRE.ReplaceAllFunc(svg, func(el []byte) []byte {
		m := levelDotRE.FindSubmatch(el)
		var k int
		fmt.Sscan(string(m[1]), &k)
		op := `fill-opacity=".45"`
		if k <= rung {
			op = `fill-opacity="1"`
		}
		s := string(el)
		if fillOpacityRE.MatchString(s) {
			return []byte(fillOpacityRE.ReplaceAllString(s, op))
		}
		tail := ">"
		if strings.HasSuffix(s, "/>") {
			tail = "/>"
		}
		return []byte(strings.TrimSuffix(s, tail) + " " + op + tail)
	})
	return out, true
}

// stringFuncs are the theme-string functions of layouts in lang: t (a
// string, French when lang lacks it) and tn (a count and its word, in the
// singular or plural form: keys key_one and key_other).
func (r *Renderer) stringFuncs(lang string) template.FuncMap {
	lookup := func(k string) (string, bool) {
		if s, ok := r.strings[lang][k]; ok {
			return s, true
		}
		s, ok := r.strings["fr"][k]
		return s, ok
	}
	return template.FuncMap{
		"t":  func(k string) string { s, _ := lookup(k); return s },
		"tn": func(k string, n int) string { return plural(lookup, lang, k, n) },
	}
}

// hasLevelImages says whether badge b gets one image per level (an SVG
// image with level marks), reading the image once.
func (r *Renderer) hasLevelImages(b *model.Badge) bool {
	if len(b.Levels) == 0 || b.Image == nil || b.Image.Ext != ".svg" {
		return false
	}
	if v, ok := r.levelImages.Load(b); ok {
		return v.(bool)
	}
	src, err := b.Image.Read()
	ok := err == nil && levelDotRE.Match(src)
	r.levelImages.Store(b, ok)
	return ok
}

// levelImageFiles publishes the per-level images of b, when it has some.
func (r *Renderer) levelImageFiles(b *model.Badge, out publish.Files) error {
	if !r.hasLevelImages(b) {
		return nil
	}
	src, err := b.Image.Read()
	if err != nil {
		return err
	}
	for i, lv := range b.Levels {
		img, _ := levelSVG(src, i+1)
		out[r.layout.LevelImage(b, lv)] = img
	}
	return nil
}

// awardImage is the image shown for an award: its level's image when the
// badge has per-level images, else the badge's.
func (r *Renderer) awardImage(a *model.Award) string {
	if a.Level != nil && r.hasLevelImages(a.Badge) {
		return r.layout.LevelImage(a.Badge, a.Level)
	}
	return r.layout.BadgeImage(a.Badge)
}

// gridLang is the language of a competency grid's texts when some of them
// are not translated into the view's language.
func (v *langView) gridLang(c *model.Competency) string {
	for _, dim := range c.Dimensions {
		if !v.translated(dim.Translations, "name") || len(dim.Descriptors[v.lang]) == 0 {
			return v.contentLang(false)
		}
	}
	return ""
}
