package yamlx

import (
	"bytes"
	"testing"

	"github.com/francebadge/blason/internal/diag"
)

// fuzzDoc has a field of every shape the content files use.
type fuzzDoc struct {
	Name   string            `yaml:"name"`
	Count  int               `yaml:"count"`
	On     bool              `yaml:"on"`
	Tags   []string          `yaml:"tags"`
	Texts  map[string]string `yaml:"texts"`
	Levels []struct {
		ID           string                       `yaml:"id"`
		Translations map[string]map[string]string `yaml:"translations"`
	} `yaml:"levels"`
	Nested *struct {
		Primary string `yaml:"primary"`
	} `yaml:"nested"`
}

// FuzzParseDecode parses and strictly decodes arbitrary YAML: it must not
// panic, and every problem must point at a line of the document (shifted
// by the offset of a front matter).
func FuzzParseDecode(f *testing.F) {
	for _, s := range []string{
		"name: Tutorat\ncount: 3\non: true\ntags: [a, b]\n",
		"levels:\n  - id: b1\n    translations: {en: {name: B1}}\n  - id: b2\n",
		"name: a\nname: b\n",
		"nmae: typo\n",
		"- a\n- b\n",
		"texts: {fr: x, en: [1]}\n",
		"nested: {primary: \"#fff\", secondary: 1}\n",
		"count: x\n",
		"a: &a [*a]\n",
		"name: \"unterminated\n",
		"\tname: tab\n",
		"? [a, b]\n: c\n",
		"levels: [{id: {x: 1}}]\n",
		"",
		"---\n",
		"name: a\n---\nname: b\n",
	} {
		f.Add([]byte(s), 1)
	}
	f.Fuzz(func(t *testing.T, src []byte, offset int) {
		if offset < 0 || offset > 1000 {
			return
		}
		if len(src) > 1<<16 {
			return
		}
		var diags diag.List
		doc := Parse("f.yaml", offset, src, &diags)
		var v fuzzDoc
		doc.Decode(&v, &diags)
		_ = doc.Line("levels", "id")
		_ = doc.ItemLine("levels", 3)
		_ = doc.ItemKeyLine("levels", 0, "id")
		// YAML breaks lines at LF, CRLF and a lone CR.
		lines := bytes.Count(src, []byte("\n")) + bytes.Count(src, []byte("\r")) - bytes.Count(src, []byte("\r\n")) + 1
		for _, d := range diags.Items() {
			if d.File != "f.yaml" {
				t.Errorf("problem in file %q: %v", d.File, d)
			}
			if d.Line < offset+1 || d.Line > offset+lines+1 {
				t.Errorf("line %d outside the document (offset %d, %d lines): %v", d.Line, offset, lines, d)
			}
		}
	})
}
