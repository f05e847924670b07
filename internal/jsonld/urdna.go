package jsonld

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// template is the RDF of one shape, with placeholder positions, compiled
// once for the documents of that shape to be filled in and canonicalized
// quickly (see Canonicalizer.fill).
type template struct {
	quads []tquad
	slow  bool // this shape is canonicalized the slow way

	// related lists, per blank node, the quads it occurs in: a quad once
	// per occurrence as subject or object, as json-gold's URDNA2015 lists
	// them for the first-degree hash.
	related [][]int32
	// pairs are the quads i < j that equal values could make one quad;
	// with mapDedup (too many pairs), a map finds the duplicates instead.
	pairs    []pair
	mapDedup bool
	// explicitType: rdf:type is a property of some node, besides @type.
	explicitType bool
	iriSlots     []int    // the slots that stand for IRIs, each once
	nslots       int      // 1 + the highest slot
	labels       []string // canonical labels: "_:c14n0", "_:c14n1", …
}

// tnode is one node of a template quad.
type tnode struct {
	kind  byte // 'I' IRI, 'B' blank node, 'L' literal
	value string
	dt    string // literal datatype (never empty)
	lang  string
	slot  int // index of the document value that replaces value; -1 if none

	sig    string // of a literal with slot: its value object's signature (see valueSignatures), "" if unknown
	blank  int    // the blank node's number in the template
	text   string // N-Quads form of an IRI or literal without slot
	suffix string // what follows a literal's quoted value: @lang, ^^<datatype> or nothing
}

type tquad struct{ s, p, o tnode }

// pair is two quads of a template, i < j, that equal values could make
// equal; slow when json-gold's verdict is then unknown (see merge).
type pair struct {
	i, j int32
	slow bool
}

// rdfNil is the object of an empty list.
const rdfNil = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"

// merge tells what json-gold makes of quads a and b of a template once
// values make them equal. Its dataset holds two equal quads when their
// objects were different JSON-LD values: json-gold merges the values of a
// property (its node map) as JSON-LD values, not as RDF terms (ld.AddValue,
// ld.CompareValues), and never merges lists. So two references to one node
// are one value, two types (@type) are one, and two literals are when their
// value objects have the same signature (valueSignatures); two quads the
// same in the template are kept both, as json-gold made them; anything else
// is unknown: slow.
func (t *template) merge(a, b *tquad) (keepBoth, slow bool) {
	if sameNode(&a.s, &b.s) && sameNode(&a.p, &b.p) && sameNode(&a.o, &b.o) {
		return true, false
	}
	if a.p.slot < 0 && a.p.value == ld.RDFType && t.explicitType {
		// A type may come from @type or from an rdf:type property, which
		// json-gold does not merge.
		return false, true
	}
	switch a.o.kind {
	case 'B':
		return false, false
	case 'I':
		// An empty list is rdf:nil, and lists are never merged.
		return false, a.o.slot < 0 && a.o.value == rdfNil || b.o.slot < 0 && b.o.value == rdfNil
	}
	return false, a.o.slot < 0 || b.o.slot < 0 || a.o.sig == "" || a.o.sig != b.o.sig
}

// sameNode reports whether a and b are the same node of a template.
func sameNode(a, b *tnode) bool {
	return a.kind == b.kind && a.value == b.value && a.dt == b.dt && a.lang == b.lang && a.slot == b.slot
}

// maxPairs bounds the dedup pairs of a template of n quads, past which a
// map deduplicates instead (many values of one property).
func maxPairs(n int) int { return 16*n + 1024 }

// compile prepares the quads of a template for fill; a quad fill cannot
// serialize as json-gold does makes the template slow.
func compile(quads []tquad, explicitType bool, maxPairs int) *template {
	t := &template{quads: quads, explicitType: explicitType}
	blanks := map[string]int{}
	iriSlot := map[int]bool{}
	for i := range quads {
		q := &quads[i]
		// (A value never becomes a predicate.)
		if q.s.kind != 'I' && q.s.kind != 'B' || q.p.kind != 'I' || q.p.slot >= 0 || q.o.kind != 'I' && q.o.kind != 'B' && q.o.kind != 'L' {
			return &template{slow: true}
		}
		for _, n := range [3]*tnode{&q.s, &q.p, &q.o} {
			switch n.kind {
			case 'B':
				b, ok := blanks[n.value]
				if !ok {
					b = len(blanks)
					blanks[n.value] = b
					t.related = append(t.related, nil)
				}
				n.blank = b
			case 'I':
				if n.slot < 0 {
					n.text = "<" + escape(n.value) + ">"
				} else if !iriSlot[n.slot] {
					iriSlot[n.slot] = true
					t.iriSlots = append(t.iriSlots, n.slot)
				}
			case 'L':
				switch {
				case n.dt == ld.RDFLangString:
					n.suffix = "@" + n.lang
				case n.dt != ld.XSDString:
					n.suffix = "^^<" + escape(n.dt) + ">"
				}
				if n.slot < 0 {
					n.text = `"` + escape(n.value) + `"` + n.suffix
				}
			}
			if n.slot >= t.nslots {
				t.nslots = n.slot + 1
			}
		}
		if q.s.kind == 'B' {
			t.related[q.s.blank] = append(t.related[q.s.blank], int32(i))
		}
		if q.o.kind == 'B' {
			t.related[q.o.blank] = append(t.related[q.o.blank], int32(i))
		}
	}
	for i := range t.related {
		t.labels = append(t.labels, "_:c14n"+strconv.Itoa(i))
	}
	t.findPairs(maxPairs)
	return t
}

// findPairs lists the pairs of quads that equal values could make one, up
// to maxPairs; past that, mapDedup.
func (t *template) findPairs(maxPairs int) {
	quads := t.quads
	// Quads can only become equal if their predicates are.
	byPredicate := map[string][]int32{}
	var preds []string
	for i := range quads {
		p := quads[i].p.value
		if _, ok := byPredicate[p]; !ok {
			preds = append(preds, p)
		}
		byPredicate[p] = append(byPredicate[p], int32(i))
	}
	for _, p := range preds {
		g := byPredicate[p]
		for x, i := range g {
			for _, j := range g[x+1:] {
				if compatible(&quads[i].s, &quads[j].s) && compatible(&quads[i].o, &quads[j].o) {
					keepBoth, slow := t.merge(&quads[i], &quads[j])
					if keepBoth {
						continue
					}
					if len(t.pairs) == maxPairs {
						t.pairs, t.mapDedup = nil, true
						return
					}
					t.pairs = append(t.pairs, pair{i, j, slow})
				}
			}
		}
	}
}

// compatible reports whether some values of the slots can make a and b the
// same node.
func compatible(a, b *tnode) bool {
	if a.kind != b.kind || a.dt != b.dt || a.lang != b.lang {
		return false
	}
	return a.slot >= 0 || b.slot >= 0 || a.value == b.value
}

// resolve returns the value of n in a document.
func (n *tnode) resolve(vals []string) string {
	if n.slot >= 0 {
		return vals[n.slot]
	}
	return n.value
}

// ldNode returns n as a json-gold node, for json-gold's algorithms.
func (n *tnode) ldNode(vals []string) ld.Node {
	v := n.resolve(vals)
	switch n.kind {
	case 'I':
		return ld.NewIRI(v)
	case 'B':
		return ld.NewBlankNode(v)
	}
	return ld.NewLiteral(v, n.dt, n.lang)
}

// appendNode appends n in N-Quads form, as json-gold's toNQuad writes it:
// esc holds the escaped values of the slots, labels the blank node labels.
func appendNode(b []byte, n *tnode, esc, labels []string) []byte {
	switch {
	case n.kind == 'B':
		return append(b, labels[n.blank]...)
	case n.slot < 0:
		return append(b, n.text...)
	case n.kind == 'I':
		b = append(b, '<')
		b = append(b, esc[n.slot]...)
		return append(b, '>')
	}
	b = append(b, '"')
	b = append(b, esc[n.slot]...)
	b = append(b, '"')
	return append(b, n.suffix...)
}

// appendNQuad appends q as an N-Quads line of the default graph.
func appendNQuad(b []byte, q *tquad, esc, labels []string) []byte {
	b = appendNode(b, &q.s, esc, labels)
	b = append(b, ' ')
	b = appendNode(b, &q.p, esc, labels)
	b = append(b, ' ')
	b = appendNode(b, &q.o, esc, labels)
	return append(b, " .\n"...)
}

// nodeID identifies a node of a filled template, for mapDedup.
type nodeID struct {
	kind            byte
	value, dt, lang string
}

// dedup marks the quads that json-gold would not have, once vals are
// filled in: those equal to an earlier one, when json-gold merges them
// (see merge). errSlow means json-gold's verdict is unknown.
func (t *template) dedup(vals []string, dropped []bool) error {
	if t.mapDedup {
		first := make(map[[3]nodeID]int, len(t.quads))
		for i := range t.quads {
			q := &t.quads[i]
			k := [3]nodeID{
				{q.s.kind, q.s.resolve(vals), q.s.dt, q.s.lang},
				{q.p.kind, q.p.resolve(vals), q.p.dt, q.p.lang},
				{q.o.kind, q.o.resolve(vals), q.o.dt, q.o.lang},
			}
			j, ok := first[k]
			if !ok {
				first[k] = i
				continue
			}
			switch keepBoth, slow := t.merge(&t.quads[j], q); {
			case slow:
				return errSlow
			case !keepBoth:
				dropped[i] = true
			}
		}
		return nil
	}
	// The nodes of a pair have the same kind, datatype and language, and
	// equal values where neither has a slot.
	for _, p := range t.pairs {
		a, b := &t.quads[p.i], &t.quads[p.j]
		if a.s.resolve(vals) == b.s.resolve(vals) && a.o.resolve(vals) == b.o.resolve(vals) && a.p.resolve(vals) == b.p.resolve(vals) {
			if p.slow {
				return errSlow
			}
			dropped[p.j] = true
		}
	}
	return nil
}

// fillScratch holds the buffers fill reuses from one call to the next.
type fillScratch struct {
	out     []byte   // Canonicalize's output
	esc     []string // escaped values
	dropped []bool
	lines   []byte // N-Quads lines, delimited by spans
	spans   []span
	labels  []string
	hashes  [][sha256.Size]byte
	order   []int32
	h       hash.Hash
}

// span delimits one line in fillScratch.lines.
type span struct{ start, end int }

// sortLines sorts the lines delimited by spans, bytewise (as json-gold
// sorts its strings).
func sortLines(lines []byte, spans []span) {
	slices.SortFunc(spans, func(a, b span) int {
		return bytes.Compare(lines[a.start:a.end], lines[b.start:b.end])
	})
}

// fill substitutes a document's values into a template and appends the
// RDFC-1.0 canonical N-Quads to dst. It runs the algorithm itself when
// every blank node has a distinct first-degree hash — the case of
// tree-shaped documents such as credentials — and json-gold's URDNA2015
// otherwise: then the N-degree hashing decides. errSlow means the document
// must go the slow way (an IRI json-gold would judge differently).
func (c *Canonicalizer) fill(dst []byte, t *template, vals []string, s *fillScratch) ([]byte, error) {
	if t.nslots > len(vals) {
		return dst, errSlow
	}
	for _, i := range t.iriSlots {
		if !c.iriOK(vals[i]) {
			return dst, errSlow // let json-gold decide what becomes of it
		}
	}
	s.esc = s.esc[:0]
	for _, v := range vals {
		s.esc = append(s.esc, escape(v))
	}
	dropped := resize(s.dropped, len(t.quads))
	s.dropped = dropped
	clear(dropped)
	if err := t.dedup(vals, dropped); err != nil {
		return dst, err
	}

	// Hash First Degree Quads of each blank node.
	nb := len(t.related)
	labels := resize(s.labels, nb)
	s.labels = labels
	for i := range labels {
		labels[i] = "_:z"
	}
	hashes := resize(s.hashes, nb)
	s.hashes = hashes
	if s.h == nil {
		s.h = sha256.New()
	}
	for b, rel := range t.related {
		labels[b] = "_:a"
		s.lines, s.spans = s.lines[:0], s.spans[:0]
		for _, i := range rel {
			if !dropped[i] {
				start := len(s.lines)
				s.lines = appendNQuad(s.lines, &t.quads[i], s.esc, labels)
				s.spans = append(s.spans, span{start, len(s.lines)})
			}
		}
		labels[b] = "_:z"
		sortLines(s.lines, s.spans)
		s.h.Reset()
		for _, sp := range s.spans {
			s.h.Write(s.lines[sp.start:sp.end])
		}
		s.h.Sum(hashes[b][:0])
	}
	order := resize(s.order, nb)
	s.order = order
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return bytes.Compare(hashes[a][:], hashes[b][:]) })
	for i := 1; i < nb; i++ {
		if hashes[order[i]] == hashes[order[i-1]] {
			return t.normalize(dst, vals, dropped) // shared hash: the N-degree algorithm decides
		}
	}
	for i, b := range order {
		labels[b] = t.labels[i]
	}

	// Serialize with the canonical labels, sort.
	s.lines, s.spans = s.lines[:0], s.spans[:0]
	for i := range t.quads {
		if !dropped[i] {
			start := len(s.lines)
			s.lines = appendNQuad(s.lines, &t.quads[i], s.esc, labels)
			s.spans = append(s.spans, span{start, len(s.lines)})
		}
	}
	sortLines(s.lines, s.spans)
	dst = slices.Grow(dst, len(s.lines))
	for _, sp := range s.spans {
		dst = append(dst, s.lines[sp.start:sp.end]...)
	}
	return dst, nil
}

// normalize canonicalizes the filled template with json-gold's URDNA2015.
func (t *template) normalize(dst []byte, vals []string, dropped []bool) ([]byte, error) {
	quads := make([]*ld.Quad, 0, len(t.quads))
	for i := range t.quads {
		if !dropped[i] {
			q := &t.quads[i]
			quads = append(quads, &ld.Quad{Subject: q.s.ldNode(vals), Predicate: q.p.ldNode(vals), Object: q.o.ldNode(vals)})
		}
	}
	ds := ld.NewRDFDataset()
	ds.Graphs["@default"] = quads
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdApi().Normalize(ds, opts)
	if err != nil {
		return dst, err
	}
	s, ok := out.(string)
	if !ok {
		return dst, fmt.Errorf("canonicalization returned %T", out)
	}
	return append(dst, s...), nil
}

// resize returns a slice of length n, reusing b's array when it is large
// enough. The elements are not cleared.
func resize[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// escape escapes as json-gold's N-Quads serializer: \\ " \n \r \t. It
// returns s itself when there is nothing to escape.
func escape(s string) string {
	i := 0
	for ; i < len(s); i++ {
		// The characters to escape are \ and some below '#'.
		if c := s[i]; c == '\\' || c < '#' && (c == '"' || c == '\n' || c == '\r' || c == '\t') {
			break
		}
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
