// Package yamlx decodes YAML documents strictly, reporting every unknown key
// (with a "did you mean" hint) and every type error at its file line.
package yamlx

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/francebadge/blason/internal/diag"
	"go.yaml.in/yaml/v3"
)

// Doc is a parsed YAML document that knows where it sits in its file.
type Doc struct {
	File   string     // file name used in diagnostics
	Offset int        // lines before the document's first line in the file
	Root   *yaml.Node // the top-level mapping, nil for an empty document
}

// Parse parses src. Syntax errors are added to diags and yield a nil Doc.
func Parse(file string, offset int, src []byte, diags *diag.List) *Doc {
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		line, msg := splitLine(err.Error())
		diags.Add(file, offset+line, "the mistake is on this line or the next: check the indentation (spaces, not tabs), closing brackets and quotes, and quote values containing ': ' or ' #'", "invalid YAML: %s", msg)
		return nil
	}
	d := &Doc{File: file, Offset: offset}
	if len(n.Content) == 0 {
		return d
	}
	root := n.Content[0]
	if root.Kind != yaml.MappingNode {
		diags.Add(file, offset+root.Line, "write the front matter as `key: value` lines", "expected a mapping of keys, found %s", kindName(root))
		return nil
	}
	d.Root = root
	return d
}

// Decode checks the keys of the document against the yaml tags of v's type
// (a pointer to struct), then decodes into v. Problems go to diags. It
// reports false when the document could not be decoded at all (a repeated
// key, say), so that callers skip checks that would only repeat the problem.
func (d *Doc) Decode(v any, diags *diag.List) bool {
	if d == nil || d.Root == nil {
		return d != nil
	}
	d.checkKeys(d.Root, reflect.TypeOf(v).Elem(), "", diags)
	if err := d.Root.Decode(v); err != nil {
		if te, ok := err.(*yaml.TypeError); ok {
			for _, e := range te.Errors {
				line, msg := splitLine(e)
				if strings.Contains(msg, "already defined") {
					diags.Add(d.File, d.Offset+line, "remove one of the two", "%s", shiftLines(msg, d.Offset))
					continue
				}
				diags.Add(d.File, d.Offset+line, "check the value's type (text, list or mapping)", "%s", msg)
			}
			return !strings.Contains(err.Error(), "already defined")
		}
		diags.Add(d.File, d.Offset+d.Root.Line, "", "%v", err)
		return false
	}
	return true
}

var atLineRE = regexp.MustCompile(`at line (\d+)`)

// shiftLines rewrites "at line N" in a YAML message to a file line.
func shiftLines(msg string, offset int) string {
	return atLineRE.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(m[len("at line "):])
		return "at line " + strconv.Itoa(n+offset)
	})
}

// Line returns the file line of key path (e.g. "levels", "translations.en") in
// the document, or of the document start when the key is absent.
func (d *Doc) Line(path ...string) int {
	if d == nil || d.Root == nil {
		return d.offsetLine()
	}
	n := d.Root
	line := n.Line
	for _, k := range path {
		k2, v := lookup(n, k)
		if k2 == nil {
			break
		}
		line, n = k2.Line, v
	}
	return d.Offset + line
}

// ItemLine returns the file line of the i-th item of the sequence under key.
func (d *Doc) ItemLine(key string, i int) int {
	if d == nil || d.Root == nil {
		return d.offsetLine()
	}
	_, v := lookup(d.Root, key)
	if v == nil || v.Kind != yaml.SequenceNode || i >= len(v.Content) {
		return d.Line(key)
	}
	return d.Offset + v.Content[i].Line
}

// ItemKeyLine returns the file line of key inside the i-th item of the sequence under list.
func (d *Doc) ItemKeyLine(list string, i int, key string) int {
	if d == nil || d.Root == nil {
		return d.offsetLine()
	}
	_, v := lookup(d.Root, list)
	if v == nil || v.Kind != yaml.SequenceNode || i >= len(v.Content) {
		return d.Line(list)
	}
	if k, _ := lookup(v.Content[i], key); k != nil {
		return d.Offset + k.Line
	}
	return d.Offset + v.Content[i].Line
}

func (d *Doc) offsetLine() int {
	if d == nil {
		return 0
	}
	return d.Offset + 1
}

func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func (d *Doc) checkKeys(n *yaml.Node, t reflect.Type, prefix string, diags *diag.List) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the type error
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			fields[name] = f.Type
			names = append(names, name)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				hint := "allowed keys: " + strings.Join(sorted(names), ", ")
				if s := closest(k.Value, names); s != "" {
					hint = fmt.Sprintf("did you mean %q?", s)
				}
				diags.Add(d.File, d.Offset+k.Line, hint, "unknown key %q", prefix+k.Value)
				continue
			}
			d.checkKeys(v, ft, prefix+k.Value+".", diags)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range n.Content {
			d.checkKeys(item, t.Elem(), fmt.Sprintf("%s%d.", prefix, i), diags)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.checkKeys(n.Content[i+1], t.Elem(), prefix+n.Content[i].Value+".", diags)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// closest returns the candidate nearest to s when it is a plausible typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if dd := levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c)); dd < bestD {
			best, bestD = c, dd
		}
	}
	if bestD <= 2 || (bestD <= 3 && len(s) >= 8) {
		return best
	}
	return ""
}

// Closest is exported for other validators' "did you mean" hints.
func Closest(s string, candidates []string) string { return closest(s, candidates) }

var lineRE = regexp.MustCompile(`(?:yaml: )?line (\d+): `)

func splitLine(msg string) (int, string) {
	m := lineRE.FindStringSubmatchIndex(msg)
	if m == nil {
		return 1, strings.TrimPrefix(msg, "yaml: ")
	}
	n, _ := strconv.Atoi(msg[m[2]:m[3]])
	return n, msg[:m[0]] + msg[m[1]:]
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "something else"
}
