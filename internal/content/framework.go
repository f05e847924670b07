package content

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/yamlx"
)

// FrameworksDir and TemplatesDir are the folders under content/ holding the
// competency frameworks and the network's shared badge templates. Their
// names start with "_", so they are never taken for spaces.
const (
	FrameworksDir = "_frameworks"
	TemplatesDir  = "_templates"
)

type frameworkLevelFM struct {
	ID           string            `yaml:"id"`
	Name         string            `yaml:"name"`
	Description  string            `yaml:"description"`
	Translations map[string]textFM `yaml:"translations"`
}

type dimensionTextFM struct {
	Name        string            `yaml:"name"`
	Descriptors map[string]string `yaml:"descriptors"`
}

type dimensionFM struct {
	ID           string                     `yaml:"id"`
	Name         string                     `yaml:"name"`
	Descriptors  map[string]string          `yaml:"descriptors"`
	Translations map[string]dimensionTextFM `yaml:"translations"`
}

type competencyFM struct {
	ID           string            `yaml:"id"`
	Code         string            `yaml:"code"`
	Name         string            `yaml:"name"`
	Description  string            `yaml:"description"`
	Translations map[string]textFM `yaml:"translations"`
	Dimensions   []dimensionFM     `yaml:"dimensions"`
}

type frameworkFM struct {
	Name         string             `yaml:"name"`
	Description  string             `yaml:"description"`
	Publisher    string             `yaml:"publisher"`
	Updated      string             `yaml:"updated"`
	Translations map[string]textFM  `yaml:"translations"`
	Levels       []frameworkLevelFM `yaml:"levels"`
	Competencies []competencyFM     `yaml:"competencies"`
}

// readFrameworks reads content/_frameworks/*.yaml.
func (l *loader) readFrameworks(spaces []*model.Space) []*model.Framework {
	dir := filepath.Join(l.src, "content", FrameworksDir)
	files := l.list(dir, ".yaml")
	known := map[string]bool{}
	for _, sp := range spaces {
		known[sp.Slug] = true
	}
	var out []*model.Framework
	for _, path := range files {
		rel := l.rel(path)
		slug := strings.TrimSuffix(filepath.Base(path), ".yaml")
		if !slugRE.MatchString(slug) {
			l.diags.Add(rel, 0, "rename the file with lower-case letters, digits and dashes", "framework file name %q is not a valid slug", slug)
			continue
		}
		src, err := l.readLimited(path, MaxFrameworkFile)
		if l.refused(err) {
			l.broken[FrameworksDir+"/"+slug] = true
			continue
		}
		if errors.Is(err, errTooLarge) {
			line, _ := lineAt(src, MaxFrameworkFile)
			l.diags.Add(rel, line, "descriptors hold at most "+count(MaxDescription)+" characters; split a very large grid into several frameworks ("+limitsHint+")",
				"framework file longer than %d KiB (this line is past the limit)", MaxFrameworkFile>>10)
			l.broken[FrameworksDir+"/"+slug] = true
			continue
		}
		if err != nil {
			l.diags.Add(rel, 0, "", "cannot read: %v", err)
			continue
		}
		doc := yamlx.Parse(rel, 0, src, l.diags)
		var fm frameworkFM
		if doc == nil || !doc.Decode(&fm, l.diags) {
			l.broken[FrameworksDir+"/"+slug] = true
			continue
		}
		checkLimits(doc, l.diags)
		if f := l.framework(doc, slug, fm, known); f != nil {
			out = append(out, f)
		} else {
			l.broken[FrameworksDir+"/"+slug] = true
		}
	}
	return out
}

func (l *loader) framework(doc *yamlx.Doc, slug string, fm frameworkFM, spaces map[string]bool) *model.Framework {
	file := doc.File
	f := &model.Framework{Slug: slug, Name: fm.Name, Description: fm.Description, Publisher: fm.Publisher,
		Translations: texts(fm.Translations), Source: file}
	n := l.diags.Len()
	if fm.Name == "" {
		l.diags.Add(file, doc.Line(), "add `name: …`", "missing name")
	}
	if d, err := time.Parse(time.DateOnly, fm.Updated); err != nil {
		l.diags.Add(file, doc.Line("updated"), "add `updated: YYYY-MM-DD`, the date of this version of the framework (published as its CASE lastChangeDateTime)", "missing or malformed updated date")
	} else {
		f.Updated = d
	}
	if fm.Publisher != "" && !spaces[fm.Publisher] {
		l.diags.Add(file, doc.Line("publisher"), "publisher is the slug of the space maintaining the framework", "unknown publisher space %q", fm.Publisher)
	}
	for lang := range fm.Translations {
		if lang != "en" && lang != "fr" {
			l.diags.Add(file, doc.Line("translations", lang), "translations are keyed by language: en", "unsupported language %q", lang)
		}
	}
	if len(fm.Levels) == 0 {
		l.diags.Add(file, doc.Line(), "list the levels, lowest first: `levels: [{id: novice, name: Novice}, …]`", "a framework needs levels")
	}
	levelIDs := []string{}
	for i, lv := range fm.Levels {
		line := doc.ItemKeyLine("levels", i, "id")
		switch {
		case !slugRE.MatchString(lv.ID):
			l.diags.Add(file, line, "use lower-case letters, digits and dashes, e.g. `id: novice`", "level %d: id %q is not a valid slug", i+1, lv.ID)
		case slices.Contains(levelIDs, lv.ID):
			l.diags.Add(file, line, "give each level its own id", "level id %q used twice", lv.ID)
		}
		if lv.Name == "" {
			l.diags.Add(file, doc.ItemLine("levels", i), "add `name: …`", "level %q has no name", lv.ID)
		}
		levelIDs = append(levelIDs, lv.ID)
		f.Levels = append(f.Levels, &model.FrameworkLevel{ID: lv.ID, Name: lv.Name, Description: lv.Description, Translations: texts(lv.Translations)})
	}
	if len(fm.Competencies) == 0 {
		l.diags.Add(file, doc.Line(), "list the competencies: `competencies: [{id: c1, code: C1, name: …}]`", "a framework needs competencies")
	}
	seen := map[string]bool{}
	for i, c := range fm.Competencies {
		line := doc.ItemKeyLine("competencies", i, "id")
		switch {
		case !slugRE.MatchString(c.ID):
			l.diags.Add(file, line, "use lower-case letters, digits and dashes, e.g. `id: c1`", "competency %d: id %q is not a valid slug", i+1, c.ID)
		case seen[c.ID]:
			l.diags.Add(file, line, "give each competency its own id", "competency id %q used twice", c.ID)
		}
		seen[c.ID] = true
		if c.Name == "" {
			l.diags.Add(file, doc.ItemLine("competencies", i), "add `name: …`", "competency %q has no name", c.ID)
		}
		comp := &model.Competency{Framework: f, ID: c.ID, Code: c.Code, Name: c.Name, Description: c.Description, Translations: texts(c.Translations)}
		if comp.Code == "" {
			comp.Code = strings.ToUpper(c.ID)
		}
		dims := map[string]bool{}
		for j, d := range c.Dimensions {
			where := fmt.Sprintf("competency %q, dimension %d", c.ID, j+1)
			if !slugRE.MatchString(d.ID) || dims[d.ID] {
				l.diags.Add(file, doc.ItemLine("competencies", i), "give each dimension a distinct id of lower-case letters, digits and dashes", "%s: id %q is missing, invalid or repeated", where, d.ID)
			}
			dims[d.ID] = true
			if d.Name == "" {
				l.diags.Add(file, doc.ItemLine("competencies", i), "add `name: …` to the dimension", "%s has no name", where)
			}
			dim := &model.Dimension{ID: d.ID, Name: d.Name, Translations: map[string]model.Text{}, Descriptors: map[string]map[string]string{"": d.Descriptors}}
			check := func(m map[string]string) {
				keys := make([]string, 0, len(m))
				for k := range m {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					if !slices.Contains(levelIDs, k) {
						hint := "descriptors are keyed by level id: " + strings.Join(levelIDs, ", ")
						if s := yamlx.Closest(k, levelIDs); s != "" {
							hint = fmt.Sprintf("did you mean %q?", s)
						}
						l.diags.Add(file, doc.ItemLine("competencies", i), hint, "%s: unknown level %q in descriptors", where, k)
					}
				}
			}
			check(d.Descriptors)
			for lang, t := range d.Translations {
				if lang != "en" && lang != "fr" {
					l.diags.Add(file, doc.ItemLine("competencies", i), "translations are keyed by language: en", "%s: unsupported language %q", where, lang)
				}
				dim.Translations[lang] = model.Text{Name: t.Name}
				dim.Descriptors[lang] = t.Descriptors
				check(t.Descriptors)
			}
			comp.Dimensions = append(comp.Dimensions, dim)
		}
		f.Competencies = append(f.Competencies, comp)
	}
	if l.diags.Len() > n {
		return nil
	}
	return f
}

// Competency returns the competency "<framework>/<id>" of fws, or nil.
func findCompetency(fws []*model.Framework, ref string) *model.Competency {
	fs, id, _ := strings.Cut(ref, "/")
	for _, f := range fws {
		if f.Slug != fs {
			continue
		}
		for _, c := range f.Competencies {
			if c.ID == id {
				return c
			}
		}
	}
	return nil
}

// competencyRefs lists every "<framework>/<id>", for hints.
func competencyRefs(fws []*model.Framework) []string {
	var out []string
	for _, f := range fws {
		for _, c := range f.Competencies {
			out = append(out, f.Slug+"/"+c.ID)
		}
	}
	return out
}
