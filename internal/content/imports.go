package content

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// importFM is the `import:` section of a space's _space.md: how to read
// award lists exported from another system (Pégase, Apogée, Moodle…)
// whose column names are not Blason's.
type importFM struct {
	// Preset names a built-in mapping (presets); columns add to it.
	Preset string `yaml:"preset"`
	// Columns maps a column name of the export to a Blason field, or to
	// "-" for a column not to read.
	Columns map[string]string `yaml:"columns"`
	// IgnoreOtherColumns skips the columns neither Blason nor Columns name.
	IgnoreOtherColumns *bool `yaml:"ignoreOtherColumns"`
	// Badge, Level and Date are fixed values for files without such a column.
	Badge string `yaml:"badge"`
	Level string `yaml:"level"`
	Date  string `yaml:"date"`
}

// importSpec is a space's import settings, checked.
type importSpec struct {
	columns      map[string]string // folded column name (headerKey) → field or "-"
	ignoreOthers bool
	fixed        map[string]string // badge, level, date
}

// importFields are the fields a column of an award list may be mapped to.
var importFields = append(slices.Clone(awardColumns), fieldFirstName, fieldLastName, fieldIgnored)

// preset is a built-in mapping for a student-information system's export.
type preset struct {
	columns      map[string]string
	ignoreOthers bool
}

// presets are the built-in mappings, documented with an example file
// each in docs/content.md. Column names are matched like any other (case,
// accents, spaces and punctuation aside).
var presets = map[string]preset{
	// Pégase (PC-SCOL) lists of learners and jury results: "Code
	// apprenant" is the student number; Nom/Prénom and the e-mail are
	// found by the usual aliases.
	"pegase": {columns: map[string]string{
		"Code apprenant": "student_id", "Nom usuel": fieldLastName, "Nom de naissance": fieldIgnored,
		"Mail": "email", "Mail institutionnel": "email", "INE": fieldIgnored,
	}, ignoreOthers: true},
	// Apogée extractions use the database's column names.
	"apogee": {columns: map[string]string{
		"COD_ETU": "student_id", "LIB_NOM_PAT_IND": fieldLastName, "LIB_NOM_USU_IND": fieldIgnored,
		"LIB_PR1_IND": fieldFirstName, "COD_NNE_IND": fieldIgnored,
	}, ignoreOthers: true},
	// Moodle's gradebook export (Notes → Exporter → Fichier texte), in
	// French or English: identity columns, then one column per grade item.
	"moodle-grades": {columns: map[string]string{
		"Prénom": fieldFirstName, "First name": fieldFirstName, "Nom": fieldLastName, "Last name": fieldLastName, "Surname": fieldLastName,
		"Numéro d'identification": "student_id", "ID number": "student_id",
		"Adresse de courriel": "email", "Email address": "email",
	}, ignoreOthers: true},
}

// presetNames lists the presets, for messages.
func presetNames() []string {
	var out []string
	for k := range presets {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// importSettings checks a space's import section.
func (l *loader) importSettings(p *page, fm *importFM) *importSpec {
	imp := &importSpec{columns: map[string]string{}, fixed: map[string]string{}}
	ok := true
	if fm.Preset != "" {
		pr, found := presets[fm.Preset]
		if !found {
			addAt(l.diags, p, fmt.Sprintf("presets: %s", strings.Join(presetNames(), ", ")), []string{"import", "preset"}, "unknown import preset %q", fm.Preset)
			ok = false
		}
		for c, f := range pr.columns {
			imp.columns[headerKey(c)] = f
		}
		imp.ignoreOthers = pr.ignoreOthers
	}
	cols := make([]string, 0, len(fm.Columns))
	for c := range fm.Columns {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	seen := map[string]string{}
	for _, c := range cols {
		f := fm.Columns[c]
		key := headerKey(c)
		switch {
		case key == "":
			addAt(l.diags, p, "name a column of the export", []string{"import", "columns", c}, "column name %q has no letter or digit", c)
			ok = false
			continue
		case !slices.Contains(importFields, f):
			addAt(l.diags, p, fmt.Sprintf("fields: %s (\"-\": not read)", strings.Join(importFields[:len(importFields)-1], ", ")), []string{"import", "columns", c}, "column %q is mapped to %q, which is not a field of award lists", c, f)
			ok = false
			continue
		}
		if prev, dup := seen[key]; dup {
			addAt(l.diags, p, "case, accents, spaces and punctuation do not count in column names", []string{"import", "columns", c}, "columns %q and %q are the same column", prev, c)
			ok = false
		}
		seen[key] = c
		imp.columns[key] = f
	}
	if fm.IgnoreOtherColumns != nil {
		imp.ignoreOthers = *fm.IgnoreOtherColumns
	}
	if fm.Date != "" {
		if _, err := parseDate(fm.Date); err != nil {
			e := err.(*dateError)
			addAt(l.diags, p, e.hint, []string{"import", "date"}, e.format, append([]any{"import.date", shown(fm.Date, dateishRE)}, e.args...)...)
			ok = false
		}
	}
	imp.fixed["badge"], imp.fixed["level"], imp.fixed["date"] = fm.Badge, fm.Level, fm.Date
	if !ok {
		return nil
	}
	return imp
}
