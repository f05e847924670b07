// Package i18n chooses the language of Blason's messages (French or
// English) and translates them.
//
// Messages are written in English in the code. The French catalogue is kept
// in fr/*.yaml, one file per area (content diagnostics, CLI, claim server…),
// each a map from the English format string, exactly as the code passes it
// to fmt (`unknown space %q`), to its French format (`espace inconnu %q`).
// A French format may reorder arguments with explicit indexes (`%[2]s`).
//
// Two ways to translate:
//   - [Lang.Sprintf] formats a message from its English format and
//     arguments (golang.org/x/text/message, keyed by the format);
//   - [Lang.Translate] translates a message already formatted in English
//     (a hint built by concatenation, an error wrapped on its way up), by
//     matching it against the catalogue's formats, most specific first;
//     what matches no entry is returned unchanged. The arguments a pattern
//     captures are translated too when they are messages themselves (a
//     wrapped error, a reason).
//
// fr/libraries.yaml translates the messages of libraries (yaml.v3,
// encoding/csv, the system) found inside ours. The completeness test
// (coverage_test.go) reads the module's source and fails on a message
// without an entry and on an entry no source uses; see docs/i18n.md.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is a language of messages.
type Lang string

// The languages Blason speaks.
const (
	English Lang = "en"
	French  Lang = "fr"
)

// Parse reads a language name or locale ("fr", "fr_FR.UTF-8", "en-GB",
// "C"); ok is false when it names neither French nor English.
func Parse(s string) (Lang, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	switch strings.ToLower(s) {
	case "c", "posix":
		return English, true
	}
	tag, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return English, false
	}
	base, _ := tag.Base()
	switch base.String() {
	case "fr":
		return French, true
	case "en":
		return English, true
	}
	return English, false
}

// FromEnv chooses the language from the environment as gettext does:
// BLASON_LANG first (Blason's own override), then LC_ALL, LC_MESSAGES and
// LANG; the first one set decides. LANGUAGE (a list) is read last. A locale
// in another language, or none, gives English.
func FromEnv(getenv func(string) string) Lang {
	for _, k := range []string{"BLASON_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			l, _ := Parse(v)
			return l
		}
	}
	for _, v := range strings.Split(getenv("LANGUAGE"), ":") {
		if l, ok := Parse(v); ok && v != "" {
			return l
		}
	}
	return English
}

// Tag is the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	if l == French {
		return language.French
	}
	return language.English
}

// Sprintf formats a message given by its English format, in l. %w is
// taken as %v, so that the format of an error can be passed as it is. In
// French, an argument printed as text (%s, %v) that is an error, or a
// string that is a whole message of the catalogue (a reason passed as %s),
// is translated too.
func (l Lang) Sprintf(format string, args ...any) string {
	if l != French {
		return fmt.Sprintf(wAsV(format), args...)
	}
	c := load()
	if len(args) > 0 {
		// Only arguments printed as text (%s, %v) are translated: a
		// quoted value (%q) is the user's, even when it reads like one of
		// our messages.
		asText := make([]bool, len(args))
		next := 0
		for _, t := range tokens(format) {
			if !t.verb {
				continue
			}
			i := next
			if t.index > 0 {
				i = t.index - 1
			}
			if i >= 0 && i < len(args) {
				v := t.text[len(t.text)-1]
				asText[i] = v == 's' || v == 'v' || v == 'w'
			}
			next = i + 1
		}
		tr := make([]any, len(args))
		for i, a := range args {
			tr[i] = a
			if !asText[i] {
				continue
			}
			switch v := a.(type) {
			case error:
				tr[i] = l.Translate(v.Error())
			case string:
				if t, ok := c.match(v); ok {
					tr[i] = t
				}
			}
		}
		args = tr
	}
	if _, ok := c.entries[format]; !ok {
		return fmt.Sprintf(wAsV(format), args...)
	}
	return c.printer.Sprintf(format, args...)
}

// wAsV rewrites the %w verbs of a format (only fmt.Errorf knows them) as %v.
func wAsV(format string) string {
	if !strings.Contains(format, "w") {
		return format
	}
	var b strings.Builder
	for _, t := range tokensRaw(format) {
		if t.verb && strings.HasSuffix(t.text, "w") {
			b.WriteString(t.text[:len(t.text)-1] + "v")
		} else {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// Translate translates a message already formatted in English. A message
// made of several lines is translated line by line (a "\thint: " prefix
// included); a line matching no catalogue entry stays in English.
func (l Lang) Translate(s string) string {
	if l != French || s == "" {
		return s
	}
	c := load()
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = c.translateLine(line)
	}
	return strings.Join(lines, "\n")
}

// catalogue is the French catalogue, loaded once from the embedded files.
type catalogue struct {
	printer  *message.Printer
	entries  map[string]string // English format → French format
	patterns []pattern         // most specific first
	err      error
}

type pattern struct {
	re      *regexp.Regexp
	english string
	french  string
	literal int // length of the English format's literal text
}

//go:embed fr/*.yaml
var files embed.FS

var (
	once sync.Once
	cat  *catalogue
)

func load() *catalogue {
	once.Do(func() { cat = parseCatalogue(files) })
	return cat
}

// Entries returns the French catalogue (English format → French format),
// and the first problem found in its files; for tests and tools.
func Entries() (map[string]string, error) {
	c := load()
	return c.entries, c.err
}

func parseCatalogue(fsys fs.FS) *catalogue {
	c := &catalogue{entries: map[string]string{}}
	names, _ := fs.Glob(fsys, "fr/*.yaml")
	sort.Strings(names)
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err == nil {
			var m map[string]string
			if err = yaml.Unmarshal(data, &m); err == nil {
				for en, fr := range m {
					if prev, dup := c.entries[en]; dup && prev != fr && c.err == nil {
						c.err = fmt.Errorf("%s: %q is translated twice, differently", path.Base(name), en)
					}
					c.entries[en] = fr
				}
			}
		}
		if err != nil && c.err == nil {
			c.err = fmt.Errorf("%s: %v", name, err)
		}
	}
	keys := make([]string, 0, len(c.entries))
	for en := range c.entries {
		keys = append(keys, en)
	}
	sort.Strings(keys)
	for _, en := range keys {
		fr := c.entries[en]
		if err := b.SetString(language.French, en, wAsV(fr)); err != nil && c.err == nil {
			c.err = fmt.Errorf("%q: %v", en, err)
		}
		if p, ok := compile(en, fr); ok {
			c.patterns = append(c.patterns, p)
		}
	}
	sort.SliceStable(c.patterns, func(i, j int) bool { return c.patterns[i].literal > c.patterns[j].literal })
	c.printer = message.NewPrinter(language.French, message.Catalog(b))
	return c
}

// verb matches one fmt verb at the start of a string: flags, an optional
// argument index, width and precision, and the verb letter.
var verb = regexp.MustCompile(`^%[-+# 0]*(\[\d+\])?[0-9]*(\.[0-9]+)?[a-zA-Z]`)

// token is a piece of a format: literal text (with %% already unescaped),
// or a verb with its explicit argument index (0 when none).
type token struct {
	text  string
	verb  bool
	index int
}

// tokens splits a format into literal text and verbs.
func tokens(format string) []token { return split(format, false) }

// tokensRaw splits a format as tokens does, but keeps %% as it is in the
// literal text, so that joining the tokens gives the format back.
func tokensRaw(format string) []token { return split(format, true) }

func split(format string, raw bool) []token {
	var out []token
	var lit strings.Builder
	for i := 0; i < len(format); {
		if format[i] != '%' {
			lit.WriteByte(format[i])
			i++
			continue
		}
		if strings.HasPrefix(format[i:], "%%") {
			lit.WriteByte('%')
			if raw {
				lit.WriteByte('%')
			}
			i += 2
			continue
		}
		m := verb.FindStringSubmatchIndex(format[i:])
		if m == nil {
			lit.WriteByte('%')
			i++
			continue
		}
		if lit.Len() > 0 {
			out = append(out, token{text: lit.String()})
			lit.Reset()
		}
		t := token{verb: true, text: format[i : i+m[1]]}
		if m[2] >= 0 {
			t.index, _ = strconv.Atoi(format[i+m[2]+1 : i+m[3]-1])
		}
		out = append(out, t)
		i += m[1]
	}
	if lit.Len() > 0 {
		out = append(out, token{text: lit.String()})
	}
	return out
}

// hasVerb reports whether a format takes arguments.
func hasVerb(format string) bool {
	for _, t := range tokens(format) {
		if t.verb {
			return true
		}
	}
	return false
}

// compile turns an English format into a pattern matching what it formats.
// Formats with no literal letters (such as "%s: %v") match too much to be
// used and are left out.
func compile(en, fr string) (pattern, bool) {
	var re strings.Builder
	re.WriteString("^")
	literal := 0
	for _, t := range tokens(en) {
		if t.verb {
			re.WriteString("(.*?)")
			continue
		}
		re.WriteString(regexp.QuoteMeta(t.text))
		for _, r := range t.text {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				literal++
			}
		}
	}
	re.WriteString("$")
	if literal < 4 {
		return pattern{}, false
	}
	rx, err := regexp.Compile(re.String())
	if err != nil {
		return pattern{}, false
	}
	return pattern{re: rx, english: en, french: fr, literal: literal}, true
}

func (c *catalogue) translateLine(line string) string {
	// Keep indentation and the diagnostic hint prefix.
	trimmed := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(trimmed)]
	const hint = "hint: "
	if strings.HasPrefix(trimmed, hint) {
		return indent + "conseil : " + c.translateText(trimmed[len(hint):])
	}
	return indent + c.translateText(trimmed)
}

// translateText translates one line: the whole line if it matches an
// entry, else the part after a "file:line: " or "blason: " prefix.
func (c *catalogue) translateText(s string) string {
	if t, ok := c.match(s); ok {
		return t
	}
	for _, sep := range []string{": "} {
		if i := strings.Index(s, sep); i > 0 {
			head, tail := s[:i], s[i+len(sep):]
			if t, ok := c.match(tail); ok {
				return head + sep + t
			}
			if t := c.translateText(tail); t != tail {
				return head + sep + t
			}
		}
	}
	return s
}

func (c *catalogue) match(s string) (string, bool) {
	if fr, ok := c.entries[s]; ok && !hasVerb(s) {
		return strings.ReplaceAll(fr, "%%", "%"), true
	}
	for _, p := range c.patterns {
		m := p.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		args := m[1:]
		for i, a := range args {
			// An argument that is itself a message (a wrapped error, a
			// reason) is translated too.
			if t, ok := c.match(a); ok && a != s {
				args[i] = t
			} else if t := c.translateText(a); t != a && a != s {
				args[i] = t
			}
		}
		return substitute(p.french, args), true
	}
	return "", false
}

// substitute writes a French format with the English message's arguments,
// taken verbatim as they were formatted (so %q keeps its quotes once).
func substitute(fr string, args []string) string {
	var b strings.Builder
	next := 0
	for _, t := range tokens(fr) {
		if !t.verb {
			b.WriteString(t.text)
			continue
		}
		i := next
		if t.index > 0 {
			i = t.index - 1
		}
		if i >= 0 && i < len(args) {
			b.WriteString(args[i])
		}
		next = i + 1
	}
	return b.String()
}
