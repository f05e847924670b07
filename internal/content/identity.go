package content

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/people"
	"golang.org/x/text/unicode/norm"
)

// studentNumberOnly reports every award of sp whose recipient is known
// only by a student number. Its identity hash would be published salted,
// with the salt beside it: anyone can hash every student number (10^8
// candidates take minutes) and find the one that matches, which links the
// badge to the student. An e-mail address or an eppn is far harder to
// guess. The site setting credentials.allowStudentNumberOnly accepts the
// risk instead.
func (l *loader) studentNumberOnly(sp *model.Space) {
	var withAddress map[string]*model.Award // recipient group → a row with an e-mail or eppn
	var who *people.Index
	for _, a := range sp.Awards {
		r := a.Recipient
		if r.StudentID == "" || r.Email != "" || r.EPPN != "" {
			continue
		}
		if who == nil {
			who = people.New(sp.Awards)
			withAddress = map[string]*model.Award{}
			for _, b := range sp.Awards {
				if b.Recipient.Email != "" || b.Recipient.EPPN != "" {
					if g := who.Of(b); withAddress[g] == nil {
						withAddress[g] = b
					}
				}
			}
		}
		hint := "add the recipient's e-mail (column email) or eppn (column eppn)"
		if b := withAddress[who.Of(a)]; b != nil {
			hint += ", as the same recipient's row " + b.Source() + " has"
		}
		hint += "; or accept the risk for the whole site with `credentials.allowStudentNumberOnly: true` in blason.yaml (see docs/credentials.md)"
		l.diags.Add(a.File, a.Line, hint, "recipient known only by a student number: its published hash can be reversed by hashing every student number")
	}
}

// evidenceCheck finds a recipient's identifiers in the evidence of their
// award, which is published. Both sides are folded (see fold): case,
// accents, URL-encoding (also doubled), HTML character references,
// punctuation and white space do not hide an identifier. On top of the
// identifiers themselves (found anywhere, as before), it finds the local
// part of an e-mail address or eppn (as whole words, when it has at least
// minLocal letters or digits: shorter ones would match too much), and the
// name in any word order ("Martin Camille", "MARTIN, Camille") or written
// without spaces ("camillemartin", when at least minJoined long).
type evidenceCheck struct {
	probes []probe
	toks   []string // the words of the name, sorted
	words  bool     // a probe needs the words of the value
	buf    []string // the words of the value
}

// probe is one form of one identifier.
type probe struct {
	col, kind uint8 // the column it comes from (colEmail…); how it is looked for
	s         string
}

const (
	minIdent  = 3 // an identifier shorter than this (folded) is not looked for
	minLocal  = 4 // letters and digits of a local part looked for as words
	minJoined = 6 // a name or local part looked for written without spaces
)

func newEvidenceCheck(r model.Identity) *evidenceCheck {
	c := &evidenceCheck{}
	c.reset(r)
	return c
}

// reset makes c the check of r, reusing its memory.
func (c *evidenceCheck) reset(r model.Identity) {
	c.probes, c.words = c.probes[:0], false
	add := func(col, kind uint8, s string) { c.probes = append(c.probes, probe{col: col, kind: kind, s: s}) }
	address := func(col uint8, v string) {
		if v == "" {
			return
		}
		if f := fold(v); len(f) >= minIdent {
			add(col, anywhere, f)
		}
		at := strings.LastIndexByte(v, '@')
		if at <= 0 {
			return
		}
		local := fold(v[:at])
		joined := local
		if strings.IndexByte(local, ' ') >= 0 {
			joined = strings.ReplaceAll(local, " ", "")
		}
		if len(joined) < minLocal {
			return
		}
		add(col, asWords, local)
		if joined != local && len(joined) >= minJoined {
			add(col, anywhere, joined)
		}
	}
	address(colEmail, r.Email)
	address(colEPPN, r.EPPN)
	if f := fold(r.StudentID); len(f) >= minIdent {
		add(colStudentID, anywhere, f)
	}
	if name := fold(r.Name); len(name) >= minIdent {
		if strings.IndexByte(name, ' ') < 0 {
			add(colName, asWords, name)
			return
		}
		c.toks = appendWords(c.toks[:0], name)
		for _, j := range [...]string{strings.Join(c.toks, ""), joinReversed(c.toks)} {
			if len(j) >= minJoined {
				add(colName, anywhere, j)
			}
		}
		slices.Sort(c.toks)
		add(colName, inAnyOrder, "")
		c.words = true
	}
}

// How a probe is looked for.
const (
	anywhere   uint8 = iota // s anywhere in the folded value
	asWords                 // s as whole words
	inAnyOrder              // the name's words (toks), consecutive, in any order
)

// The columns an identifier comes from, as bits of find's result.
const (
	colEmail uint8 = 1 << iota
	colEPPN
	colStudentID
	colName
)

// identifierColumns names the columns of find's bits, in their order.
var identifierColumns = [...]struct {
	bit  uint8
	name string
}{{colEmail, "email"}, {colEPPN, "eppn"}, {colStudentID, "student_id"}, {colName, "name"}}

func joinReversed(toks []string) string {
	var b strings.Builder
	for i := len(toks) - 1; i >= 0; i-- {
		b.WriteString(toks[i])
	}
	return b.String()
}

// find returns the columns (bits) whose identifiers value holds.
func (c *evidenceCheck) find(value string) uint8 {
	if len(c.probes) == 0 {
		return 0
	}
	h := fold(unescape(value))
	if c.words {
		c.buf = appendWords(c.buf[:0], h)
	}
	var cols uint8
	for _, p := range c.probes {
		if cols&p.col != 0 {
			continue
		}
		var found bool
		switch p.kind {
		case anywhere:
			found = strings.Contains(h, p.s)
		case asWords:
			found = containsWords(h, p.s)
		case inAnyOrder:
			found = containsAnyOrder(c.buf, c.toks)
		}
		if found {
			cols |= p.col
		}
	}
	return cols
}

// columns names the columns of find's bits.
func columns(bits uint8) []string {
	var out []string
	for _, c := range identifierColumns {
		if bits&c.bit != 0 {
			out = append(out, c.name)
		}
	}
	return out
}

// appendWords appends the words of folded text h (no allocation: they are
// slices of h).
func appendWords(dst []string, h string) []string {
	for h != "" {
		w, rest, _ := strings.Cut(h, " ")
		dst = append(dst, w)
		h = rest
	}
	return dst
}

// containsWords reports whether phrase occurs in h as whole words (h and
// phrase are folded: words separated by single spaces).
func containsWords(h, phrase string) bool {
	for from := 0; ; {
		i := strings.Index(h[from:], phrase)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(phrase)
		if (i == 0 || h[i-1] == ' ') && (end == len(h) || h[end] == ' ') {
			return true
		}
		from = i + 1
	}
}

// containsAnyOrder reports whether words holds len(toks) consecutive words
// that are toks (sorted) in some order.
func containsAnyOrder(words, toks []string) bool {
	k := len(toks)
	var win []string
	for i := 0; i+k <= len(words); i++ {
		if _, in := slices.BinarySearch(toks, words[i]); !in {
			continue
		}
		win = append(win[:0], words[i:i+k]...)
		slices.Sort(win)
		if slices.Equal(win, toks) {
			return true
		}
	}
	return false
}

// unescape undoes the encodings that hide text from a plain comparison and
// that a reader (a browser, a Markdown renderer) undoes: percent-encoding,
// up to three times over (%2540 is %40 is @), and HTML character references
// (&#64;, &commat;). Malformed escapes are left as they are.
func unescape(s string) string {
	for range 3 {
		if !strings.Contains(s, "%") {
			break
		}
		d := percentDecode(s)
		if d == s {
			break
		}
		s = d
	}
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return s
}

func percentDecode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			if b == nil {
				b = append(make([]byte, 0, len(s)), s[:i]...)
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		if b != nil {
			b = append(b, s[i])
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// fold returns s in lower case, without accents (compatibility forms and
// ligatures spelt out: "ﬁ" is "fi", "œ" is "oe"), with every run of other
// characters than letters and digits turned into one space, trimmed:
// "  Élise D'ARC-Œuvre " is "elise d arc oeuvre". Latin letters, accented
// or not, take a path without allocation but the result; other text is
// decomposed (NFKD) first.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xC9 { // a rune from U+0240 on, past the table
			if !latinOnly(s[i:]) {
				s = norm.NFKD.String(s)
			}
			break
		}
	}
	if folded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for _, r := range s {
		var f string
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			b.WriteByte(byte(r))
			continue
		case 'A' <= r && r <= 'Z':
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			b.WriteByte(byte(r + 'a' - 'A'))
			continue
		case r < utf8.RuneSelf:
			gap = true
			continue
		case r < rune(len(latinFold)):
			f = latinFold[r]
		case 0x300 <= r && r < 0x370 || unicode.Is(unicode.Mn, r):
			continue // a combining mark: the accent of the letter before
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			f = string(unicode.ToLower(r))
		}
		if f == "" {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte(' ')
		}
		gap = false
		b.WriteString(f)
	}
	return b.String()
}

// folded reports whether fold(s) is s: lower-case ASCII letters and digits
// in words separated by single spaces.
func folded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			return false
		}
	}
	return true
}

// latinOnly reports whether s needs no decomposition before fold: its
// runes are in latinFold or combining marks.
func latinOnly(s string) bool {
	for _, r := range s {
		if r >= rune(len(latinFold)) && !(0x300 <= r && r < 0x370) {
			return false
		}
	}
	return true
}

// latinFold is fold's rendering of each rune below U+0240 that is not
// ASCII: a Latin-1 or Latin Extended-A/B letter lower-cased without its
// accents ("É" is "e", "Œ" is "oe"); "" for anything else (a gap).
var latinFold = func() (t [0x240]string) {
	spelt := map[rune]string{'œ': "oe", 'æ': "ae", 'ß': "ss", 'ø': "o", 'ł': "l", 'đ': "d", 'ħ': "h", 'ŧ': "t", 'ı': "i", 'ĸ': "k", 'ŀ': "l"}
	for r := rune(0x80); r < 0x240; r++ {
		var b strings.Builder
		for _, d := range norm.NFKD.String(string(r)) {
			switch {
			case unicode.Is(unicode.Mn, d):
			case unicode.IsLetter(d) || unicode.IsDigit(d):
				d = unicode.ToLower(d)
				if sp, ok := spelt[d]; ok {
					b.WriteString(sp)
				} else {
					b.WriteRune(d)
				}
			default:
				if b.Len() > 0 { // "¼" is "1⁄4": keep what is a letter or digit
					b.WriteByte(' ')
				}
			}
		}
		t[r] = strings.TrimSpace(b.String())
	}
	return t
}()
