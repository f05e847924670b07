package content

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/yamlx"
)

type alignmentFM struct {
	TargetName        string `yaml:"targetName"`
	TargetURL         string `yaml:"targetUrl"`
	TargetDescription string `yaml:"targetDescription"`
	TargetFramework   string `yaml:"targetFramework"`
	TargetCode        string `yaml:"targetCode"`
	Competency        string `yaml:"competency"`
}

type levelFM struct {
	ID           string            `yaml:"id"`
	Name         string            `yaml:"name"`
	Description  string            `yaml:"description"`
	Criteria     string            `yaml:"criteria"`
	Translations map[string]textFM `yaml:"translations"`
}

type badgeFM struct {
	Name            string            `yaml:"name"`
	Description     string            `yaml:"description"`
	Image           string            `yaml:"image"`
	Tags            []string          `yaml:"tags"`
	AchievementType string            `yaml:"achievementType"`
	Alignments      []alignmentFM     `yaml:"alignments"`
	Levels          []levelFM         `yaml:"levels"`
	Template        string            `yaml:"template"`
	Competency      string            `yaml:"competency"`
	Progression     string            `yaml:"progression"`
	Expires         string            `yaml:"expires"`
	Credits         string            `yaml:"credits"` // ECTS credits, e.g. 3 or 1,5
	Translations    map[string]textFM `yaml:"translations"`
	// EU micro-credential facts (microcred.go)
	Workload         int     `yaml:"workload"`
	EQF              int     `yaml:"eqf"`
	Assessment       string  `yaml:"assessment"`
	Mode             string  `yaml:"mode"`
	QualityAssurance string  `yaml:"qualityAssurance"`
	Prerequisites    string  `yaml:"prerequisites"`
	ESCO             *escoFM `yaml:"esco"`
	Earn             string  `yaml:"earn"`
}

// achievementTypes is the Open Badges 3.0 AchievementType vocabulary.
var achievementTypes = []string{
	"Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award",
	"Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification", "CommunityService",
	"Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
	"GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License", "Membership",
	"ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree",
	"MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
}

// rawBadge is a badge file as read, before template resolution.
type rawBadge struct {
	key   string // "<space>/<slug>", or "<slug>" for a shared template
	fm    badgeFM
	page  *page
	dir   string
	badge *model.Badge
	done  bool
}

func (l *loader) badges(sp *model.Space, dir string) []*model.Badge {
	entries, err := safefs.ReadDir(l.src, dir)
	if l.refused(err) || err != nil {
		return nil // a space may have no badges yet
	}
	var out []*model.Badge
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || filepath.Ext(name) != ".md" || strings.HasPrefix(name, ".") {
			continue // hidden files, such as an editor's lock (emacs .#tutorat.md), as in awards/
		}
		slug := strings.TrimSuffix(name, ".md")
		path := filepath.Join(dir, name)
		if !slugRE.MatchString(slug) {
			l.diags.Add(l.rel(path), 0, "rename the file with lower-case letters, digits and dashes", "badge file name %q is not a valid slug", slug)
			continue
		}
		var fm badgeFM
		p := l.readPage(path, &fm)
		if p == nil {
			l.broken[sp.Slug+"/"+slug] = true // its awards are not checked: that would only repeat the problem
			continue
		}
		b := &model.Badge{Space: sp, Slug: slug, Source: l.rel(path)}
		l.raw[sp.Slug+"/"+slug] = &rawBadge{key: sp.Slug + "/" + slug, fm: fm, page: p, dir: dir, badge: b}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out
}

// resolveTemplates fills each badge from its template, then checks it.
func (l *loader) resolveTemplates(spaces []*model.Space) {
	keys := make([]string, 0, len(l.raw))
	for k := range l.raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l.resolve(l.raw[k], nil)
	}
}

// resolve merges rb with its template (recursively) and validates it.
func (l *loader) resolve(rb *rawBadge, chain []string) {
	if rb.done {
		return
	}
	key := rb.key
	var image *model.Asset
	if rb.fm.Image != "" {
		image = l.asset(rb.page, rb.dir, rb.fm.Image, "image")
	}
	body := rb.page.body
	local := rb.fm // what this file sets itself: only that is checked here, the template checks the rest
	if t := rb.fm.Template; t != "" {
		tb, ok := l.raw[t]
		switch {
		case slices.Contains(chain, t) || t == key:
			addAt(l.diags, rb.page, "remove the cycle", []string{"template"}, "template cycle: %s", strings.Join(append(chain, key, t), " → "))
		case !ok:
			addAt(l.diags, rb.page, templateHint(t, l.raw), []string{"template"}, "unknown template %q", t)
		default:
			l.resolve(tb, append(chain, key))
			inherit(&rb.fm, tb.fm)
			if image == nil && rb.fm.Image == "" {
				image = tb.badge.Image
			}
			if body == "" {
				body = tb.badge.Criteria
			}
		}
	}
	rb.done = true
	b, fm, p := rb.badge, rb.fm, rb.page
	b.Name, b.Description, b.Criteria, b.Image = fm.Name, fm.Description, body, image
	b.Tags, b.AchievementType, b.Template, b.Expires = fm.Tags, fm.AchievementType, fm.Template, fm.Expires
	b.Progression = fm.Progression
	b.Credits, _ = parseCredits(fm.Credits)
	b.Micro = l.micro(p, fm, local) // microcred.go
	if t := l.raw[fm.Template]; t != nil && !strings.Contains(fm.Template, "/") {
		b.Shared = &model.Template{Slug: fm.Template} // resolved to the loaded template afterwards
	}
	b.Translations = texts(fm.Translations)
	if b.AchievementType == "" {
		b.AchievementType = "Badge"
	}
	if b.Name == "" {
		addAt(l.diags, p, "add `name: …`", nil, "missing name")
	}
	if b.Description == "" {
		addAt(l.diags, p, "add `description: …` (one or two sentences)", nil, "missing description")
	}
	if b.Image == nil && fm.Image == "" {
		addAt(l.diags, p, "add `image: "+b.Slug+".svg` and the file next to the badge", nil, "missing image")
	}
	if b.Criteria == "" {
		addAt(l.diags, p, "write how the badge is earned in the Markdown body, after the front matter", nil, "missing criteria (the Markdown body is empty)")
	}
	if local.AchievementType != "" && !slices.Contains(achievementTypes, b.AchievementType) && !strings.HasPrefix(b.AchievementType, "ext:") {
		hint := "use one of the Open Badges 3.0 achievement types, e.g. Badge, Competency, Certificate"
		if s := yamlx.Closest(b.AchievementType, achievementTypes); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		addAt(l.diags, p, hint, []string{"achievementType"}, "unknown achievementType %q", b.AchievementType)
	}
	if local.Credits != "" {
		if _, ok := parseCredits(fm.Credits); !ok {
			addAt(l.diags, p, "write the ECTS credits as a positive number, e.g. 3 or 1,5", []string{"credits"}, "credits %q is not a number of ECTS credits", fm.Credits)
		}
	}
	if local.Expires != "" {
		if _, ok := parseDuration(fm.Expires); !ok {
			addAt(l.diags, p, "use an ISO 8601 duration such as P1Y, P6M or P2Y6M", []string{"expires"}, "expires %q is not a duration", fm.Expires)
		}
	}
	for i, a := range fm.Alignments {
		if a.Competency != "" {
			c := findCompetency(l.frameworks, a.Competency)
			fw, _, _ := strings.Cut(a.Competency, "/")
			switch {
			case c != nil:
				b.Alignments = append(b.Alignments, model.Alignment{TargetDescription: a.TargetDescription, Competency: c})
			case local.Alignments != nil && !l.broken[FrameworksDir+"/"+fw]:
				hint := "write it as <framework>/<competency-id>"
				if s := yamlx.Closest(a.Competency, competencyRefs(l.frameworks)); s != "" {
					hint = fmt.Sprintf("did you mean %q?", s)
				}
				l.diags.Add(p.doc.File, p.doc.ItemKeyLine("alignments", i, "competency"), hint, "alignment %d: unknown competency %q", i+1, a.Competency)
			}
			continue
		}
		b.Alignments = append(b.Alignments, model.Alignment{TargetName: a.TargetName, TargetURL: a.TargetURL,
			TargetDescription: a.TargetDescription, TargetFramework: a.TargetFramework, TargetCode: a.TargetCode})
		if local.Alignments == nil {
			continue
		}
		if a.TargetName == "" {
			l.diags.Add(p.doc.File, p.doc.ItemLine("alignments", i), "add `targetName: …`", "alignment %d has no targetName", i+1)
		}
		if !httpURL(a.TargetURL) {
			l.diags.Add(p.doc.File, p.doc.ItemKeyLine("alignments", i, "targetUrl"), "give the framework entry's http(s) URL", "alignment %d: targetUrl %q is not an http(s) URL", i+1, a.TargetURL)
		}
	}
	seen := map[string]bool{}
	for i, lv := range fm.Levels {
		b.Levels = append(b.Levels, &model.Level{ID: lv.ID, Name: lv.Name, Description: lv.Description, Criteria: lv.Criteria, Translations: texts(lv.Translations)})
		if local.Levels == nil {
			continue
		}
		line := p.doc.ItemKeyLine("levels", i, "id")
		if !slugRE.MatchString(lv.ID) {
			l.diags.Add(p.doc.File, line, "use lower-case letters, digits and dashes, e.g. `id: novice`", "level %d: id %q is not a valid slug", i+1, lv.ID)
		} else if seen[lv.ID] {
			l.diags.Add(p.doc.File, line, "give each level its own id", "level id %q used twice", lv.ID)
		}
		seen[lv.ID] = true
		if lv.Name == "" {
			l.diags.Add(p.doc.File, p.doc.ItemLine("levels", i), "add `name: …`", "level %q has no name", lv.ID)
		}
	}
	l.checkTranslations(p, local.Translations)
	l.linkCompetency(rb, local)
}

// linkCompetency ties a badge to its framework competency: its levels
// must be levels of the framework, in the framework's order, and a badge
// without levels of its own takes the framework's, with their descriptors
// as criteria.
func (l *loader) linkCompetency(rb *rawBadge, local badgeFM) {
	b, fm, p := rb.badge, rb.fm, rb.page
	switch fm.Progression {
	case "":
		if len(b.Levels) > 0 {
			b.Progression = "ordered"
		}
	case "ordered", "free":
	default:
		addAt(l.diags, p, "progression is ordered (a level needs the previous one, the default) or free", []string{"progression"}, "unknown progression %q", fm.Progression)
	}
	if fm.Competency == "" {
		return
	}
	c := findCompetency(l.frameworks, fm.Competency)
	if c == nil {
		fw, _, _ := strings.Cut(fm.Competency, "/")
		if local.Competency == "" || l.broken[FrameworksDir+"/"+fw] {
			return // reported on the template, or the framework
		}
		hint := "write it as <framework>/<competency-id>, the framework being content/_frameworks/<framework>.yaml"
		if s := yamlx.Closest(fm.Competency, competencyRefs(l.frameworks)); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		addAt(l.diags, p, hint, []string{"competency"}, "unknown competency %q", fm.Competency)
		return
	}
	b.Competency = c
	var ids []string
	for _, lv := range c.Framework.Levels {
		ids = append(ids, lv.ID)
	}
	if len(b.Levels) == 0 {
		for _, lv := range c.Framework.Levels {
			b.Levels = append(b.Levels, frameworkLevel(c, lv))
		}
		if b.Progression == "" {
			b.Progression = "ordered"
		}
		return
	}
	last := -1
	for i, lv := range b.Levels {
		at := slices.Index(ids, lv.ID)
		if local.Levels == nil {
			break // checked on the template
		}
		line := p.doc.ItemKeyLine("levels", i, "id")
		switch {
		case at < 0:
			l.diags.Add(p.doc.File, line, "levels of a badge tied to "+fm.Competency+" are levels of its framework: "+strings.Join(ids, ", "), "level %q is not a level of framework %s", lv.ID, c.Framework.Slug)
		case at < last:
			l.diags.Add(p.doc.File, line, "list the levels in the framework's order: "+strings.Join(ids, ", "), "level %q is out of the framework's order", lv.ID)
		}
		last = max(last, at)
	}
}

// frameworkLevel is the level of a badge that takes its levels from its
// competency: the framework's name and description, the competency's
// descriptors at that level as criteria.
func frameworkLevel(c *model.Competency, fl *model.FrameworkLevel) *model.Level {
	crit := func(lang string) string {
		var sb strings.Builder
		for _, d := range c.Dimensions {
			text := d.Descriptors[lang][fl.ID]
			if text == "" && lang != "" {
				text = d.Descriptors[""][fl.ID]
			}
			if text == "" {
				continue
			}
			name := d.Name
			if t, ok := d.Translations[lang]; ok && t.Name != "" {
				name = t.Name
			}
			sep := " :"
			if lang == "en" {
				sep = ":"
			}
			fmt.Fprintf(&sb, "- **%s**%s %s\n", name, sep, text)
		}
		return sb.String()
	}
	lv := &model.Level{ID: fl.ID, Name: fl.Name, Description: fl.Description, Criteria: crit(""), Translations: map[string]model.Text{}}
	for lang, t := range fl.Translations {
		t.Criteria = crit(lang)
		lv.Translations[lang] = t
	}
	return lv
}

// inherit copies every key the badge does not set from its template.
func inherit(fm *badgeFM, t badgeFM) {
	set := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	set(&fm.Name, t.Name)
	set(&fm.Description, t.Description)
	set(&fm.AchievementType, t.AchievementType)
	set(&fm.Expires, t.Expires)
	set(&fm.Credits, t.Credits)
	set(&fm.Competency, t.Competency)
	set(&fm.Progression, t.Progression)
	inheritMicro(fm, t)
	if fm.Tags == nil {
		fm.Tags = t.Tags
	}
	if fm.Alignments == nil {
		fm.Alignments = t.Alignments
	}
	if fm.Levels == nil {
		fm.Levels = t.Levels
	}
	merged := map[string]textFM{}
	for lang, tt := range t.Translations {
		merged[lang] = tt
	}
	for lang, tt := range fm.Translations {
		base := merged[lang]
		set(&tt.Name, base.Name)
		set(&tt.Description, base.Description)
		set(&tt.Criteria, base.Criteria)
		merged[lang] = tt
	}
	fm.Translations = merged
}

func templateHint(t string, raw map[string]*rawBadge) string {
	if !strings.Contains(t, "/") {
		return "a shared template is content/_templates/<slug>.md; another space's badge is written <space>/<badge-slug>"
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	if s := yamlx.Closest(t, keys); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "the template must be an existing badge, as <space>/<badge-slug>"
}

// readTemplates reads the network's shared templates,
// content/_templates/<slug>.md: badge files that no space awards, named by
// their slug alone in a badge's `template:`.
func (l *loader) readTemplates() {
	dir := filepath.Join(l.src, "content", TemplatesDir)
	holder := &model.Space{Slug: TemplatesDir}
	for _, b := range l.badges(holder, dir) {
		rb := l.raw[TemplatesDir+"/"+b.Slug]
		delete(l.raw, rb.key)
		rb.key = b.Slug
		l.raw[b.Slug] = rb
		l.templateKeys = append(l.templateKeys, b.Slug)
	}
}

// templates returns the resolved shared templates, each with the badge
// classes derived from it, and points those badges at it.
func (l *loader) templates(spaces []*model.Space) []*model.Template {
	var out []*model.Template
	bySlug := map[string]*model.Template{}
	for _, k := range l.templateKeys {
		b := l.raw[k].badge
		t := &model.Template{Slug: k, Name: b.Name, Description: b.Description, Criteria: b.Criteria, Image: b.Image,
			Tags: b.Tags, AchievementType: b.AchievementType, Alignments: b.Alignments, Translations: b.Translations, Source: b.Source}
		bySlug[k] = t
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	for _, sp := range spaces {
		for _, b := range sp.Badges {
			if b.Shared != nil {
				b.Shared = bySlug[b.Shared.Slug]
				if b.Shared != nil {
					b.Shared.Users = append(b.Shared.Users, b)
				}
			}
		}
	}
	return out
}

// parseCredits reads a number of ECTS credits: positive, at most 999,
// with a decimal point or a French decimal comma.
func parseCredits(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	if err != nil || !(f > 0 && f <= 999) {
		return 0, false
	}
	return f, true
}
