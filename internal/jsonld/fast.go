package jsonld

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// Canonicalizer canonicalizes many documents of few shapes quickly.
//
// Converting JSON-LD to RDF (expansion, context processing) is what costs
// in json-gold; canonicalizing an RDF dataset is cheap. Documents issued
// from one badge class differ only in their values, not in their
// structure, so the conversion runs once per shape, on a copy of the
// document whose string values are replaced by placeholders, in SafeMode.
// Each document then only puts its values back into that RDF template and
// runs RDFC-1.0. A value whose placeholder does not come out of the
// conversion whole (a @vocab-coerced term, say) is made part of the shape
// instead, so every substitution is a whole IRI or a whole literal, which
// conversion never looks into (beyond IRI validity, checked per value).
// When in doubt, a document goes the slow way, through Canonicalize; a
// test cross-checks both ways byte for byte.
type Canonicalizer struct {
	Loader *Loader

	mu         sync.RWMutex
	templates  map[string]*template
	structural map[string]bool // keys whose values are part of the shape
	origins    sync.Map        // "scheme://authority" → bool: is "origin/" a URL for json-gold
}

// template is the RDF of one shape, with placeholder positions.
type template struct {
	quads []tquad
	slow  bool // this shape is canonicalized the slow way
}

type tnode struct {
	kind  byte // 'I' IRI, 'B' blank node, 'L' literal
	value string
	dt    string
	lang  string
	slot  int // index of the document value that replaces value; -1 if none
}

type tquad struct{ s, p, o tnode }

// NewCanonicalizer returns a canonicalizer over the loader's contexts.
func NewCanonicalizer(l *Loader) *Canonicalizer {
	return &Canonicalizer{Loader: l, templates: map[string]*template{}, structural: map[string]bool{}}
}

// placeholders: text, http(s) IRI, other IRI. They must survive conversion
// unchanged and be valid where the real values are.
func placeholder(kind byte, i int) string {
	switch kind {
	case 'H':
		return "https://placeholder.invalid/v" + strconv.Itoa(i)
	case 'U':
		return "urn:placeholder:v" + strconv.Itoa(i)
	}
	return "\u2063v" + strconv.Itoa(i) + "\u2063"
}

var schemeRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

func kindOf(s string) byte {
	switch {
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		return 'H'
	case schemeRE.MatchString(s):
		return 'U'
	}
	return 'T'
}

// walk visits doc in a fixed order (sorted keys, arrays in order), writing
// its shape to key and collecting the values that placeholders stand for.
// With subst, the copy it returns has those values replaced.
func (c *Canonicalizer) walk(v any, key string, shape *strings.Builder, vals *[]string, keys *[]string, subst bool) any {
	switch x := v.(type) {
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names)
		shape.WriteByte('{')
		var out map[string]any
		if subst {
			out = make(map[string]any, len(x))
		}
		for _, k := range names {
			shape.WriteString(strconv.Quote(k))
			shape.WriteByte(':')
			var y any
			if k == "@context" || k == "type" || k == "@type" || c.structural[k] {
				writeLiteralShape(shape, x[k])
				y = x[k]
			} else {
				y = c.walk(x[k], k, shape, vals, keys, subst)
			}
			if subst {
				out[k] = y
			}
			shape.WriteByte(',')
		}
		shape.WriteByte('}')
		if subst {
			return out
		}
		return nil
	case []any:
		shape.WriteByte('[')
		var out []any
		if subst {
			out = make([]any, len(x))
		}
		for i, y := range x {
			z := c.walk(y, key, shape, vals, keys, subst)
			if subst {
				out[i] = z
			}
			shape.WriteByte(',')
		}
		shape.WriteByte(']')
		if subst {
			return out
		}
		return nil
	case string:
		k := kindOf(x)
		shape.WriteByte('$')
		shape.WriteByte(k)
		*vals = append(*vals, x)
		if keys != nil {
			*keys = append(*keys, key)
		}
		if subst {
			return placeholder(k, len(*vals)-1)
		}
		return nil
	default:
		writeLiteralShape(shape, x)
		return x
	}
}

func writeLiteralShape(shape *strings.Builder, v any) {
	shape.WriteString(fmt.Sprintf("%#v", v))
}

var errSlow = errors.New("slow path")

// Canonicalize returns the RDFC-1.0 N-Quads of doc, like the package-level
// Canonicalize, byte for byte.
func (c *Canonicalizer) Canonicalize(doc map[string]any) (string, error) {
	var shape strings.Builder
	var vals []string
	c.mu.RLock()
	c.walk(doc, "", &shape, &vals, nil, false)
	t := c.templates[shape.String()]
	c.mu.RUnlock()
	if t == nil {
		var err error
		if t, err = c.build(doc); err != nil {
			return "", err
		}
		// The structural set may have grown: recompute this document's shape.
		shape.Reset()
		vals = vals[:0]
		c.mu.RLock()
		c.walk(doc, "", &shape, &vals, nil, false)
		c.mu.RUnlock()
	}
	if t.slow {
		return Canonicalize(c.Loader, doc)
	}
	out, err := c.fill(t, vals)
	if errors.Is(err, errSlow) {
		return Canonicalize(c.Loader, doc)
	}
	return out, err
}

// build makes (and stores) the template of doc's shape.
func (c *Canonicalizer) build(doc map[string]any) (*template, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for attempt := 0; ; attempt++ {
		var shape strings.Builder
		var vals, keys []string
		copyDoc := c.walk(doc, "", &shape, &vals, &keys, true)
		if t, ok := c.templates[shape.String()]; ok {
			return t, nil
		}
		if strings.Contains(shape.String(), "placeholder.invalid/v") || strings.Contains(shape.String(), "urn:placeholder:v") || strings.Contains(shape.String(), `\u2063`) || strings.Contains(shape.String(), "\u2063") {
			// A value kept in the shape looks like a placeholder: this shape
			// (it holds that very value) is canonicalized the slow way.
			t := &template{slow: true}
			c.templates[shape.String()] = t
			return t, nil
		}
		t, bad, err := c.convert(copyDoc, vals, keys)
		if err != nil {
			// The real document decides: report its own error (SafeMode
			// names the undefined term), or use the slow way if it converts.
			if _, rerr := Canonicalize(c.Loader, doc); rerr != nil {
				return nil, rerr
			}
			t = &template{slow: true}
		}
		if len(bad) > 0 && attempt < 8 {
			for _, k := range bad {
				c.structural[k] = true
			}
			continue
		}
		if len(bad) > 0 {
			t = &template{slow: true}
		}
		c.templates[shape.String()] = t
		return t, nil
	}
}

// convert turns the placeholder document into RDF and maps placeholders
// back to value slots. It returns the keys whose placeholders did not come
// out whole.
func (c *Canonicalizer) convert(doc any, vals, keys []string) (*template, []string, error) {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = c.Loader
	opts.SafeMode = true
	opts.ProcessingMode = ld.JsonLd_1_1
	ds, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		return nil, nil, err
	}
	dataset, ok := ds.(*ld.RDFDataset)
	if !ok || len(dataset.Graphs) != 1 {
		return nil, nil, fmt.Errorf("unexpected RDF dataset")
	}
	slots := map[string]int{}
	for i, v := range vals {
		slots[placeholder(kindOf(v), i)] = i
	}
	seen := make([]bool, len(vals))
	t := &template{}
	var bad []string
	conv := func(n ld.Node) tnode {
		switch x := n.(type) {
		case ld.IRI:
			s, ok := slots[x.Value]
			if ok {
				seen[s] = true
			} else {
				s = -1
			}
			return tnode{kind: 'I', value: x.Value, slot: s}
		case ld.BlankNode:
			return tnode{kind: 'B', value: x.Attribute, slot: -1}
		case ld.Literal:
			s, ok := slots[x.Value]
			if ok {
				seen[s] = true
			} else {
				s = -1
			}
			return tnode{kind: 'L', value: x.Value, dt: x.Datatype, lang: x.Language, slot: s}
		}
		return tnode{slot: -1}
	}
	for _, quads := range dataset.Graphs {
		for _, q := range quads {
			if q.Graph != nil {
				return nil, nil, fmt.Errorf("named graphs are not supported by the fast path")
			}
			t.quads = append(t.quads, tquad{conv(q.Subject), conv(q.Predicate), conv(q.Object)})
		}
	}
	// A placeholder that is missing or only part of a node: its key is structural.
	for i, ok := range seen {
		if !ok {
			bad = append(bad, keys[i])
		}
	}
	return t, bad, nil
}

// fill substitutes a document's values into a template and canonicalizes.
func (c *Canonicalizer) fill(t *template, vals []string) (string, error) {
	node := func(n tnode) (ld.Node, error) {
		v := n.value
		if n.slot >= 0 {
			if n.slot >= len(vals) {
				return nil, errSlow
			}
			v = vals[n.slot]
		}
		switch n.kind {
		case 'I':
			if n.slot >= 0 && (!ld.IsAbsoluteIri(v) || !c.validIRI(v)) {
				return nil, errSlow // let json-gold decide what becomes of it
			}
			return ld.NewIRI(v), nil
		case 'B':
			return ld.NewBlankNode(v), nil
		}
		return ld.NewLiteral(v, n.dt, n.lang), nil
	}
	seen := make(map[[3]string]bool, len(t.quads))
	quads := make([]*ld.Quad, 0, len(t.quads))
	for _, q := range t.quads {
		s, err := node(q.s)
		if err != nil {
			return "", err
		}
		p, err := node(q.p)
		if err != nil {
			return "", err
		}
		o, err := node(q.o)
		if err != nil {
			return "", err
		}
		// A dataset is a set: equal values may make two quads one.
		k := [3]string{nodeKey(s), nodeKey(p), nodeKey(o)}
		if seen[k] {
			continue
		}
		seen[k] = true
		quads = append(quads, &ld.Quad{Subject: s, Predicate: p, Object: o})
	}
	if out, ok := canonicalSimple(quads); ok {
		return out, nil
	}
	ds := ld.NewRDFDataset()
	ds.Graphs["@default"] = quads
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdApi().Normalize(ds, opts)
	if err != nil {
		return "", err
	}
	s, ok := out.(string)
	if !ok {
		return "", fmt.Errorf("canonicalization returned %T", out)
	}
	return s, nil
}

func nodeKey(n ld.Node) string {
	switch x := n.(type) {
	case ld.IRI:
		return "I" + x.Value
	case ld.BlankNode:
		return "B" + x.Attribute
	case ld.Literal:
		return "L" + x.Value + "\x00" + x.Datatype + "\x00" + x.Language
	}
	return ""
}

// plainRest reports whether the path, query and fragment of an IRI are
// printable ASCII other than space, %, [ and ].
func plainRest(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' || c == '[' || c == ']' {
			return false
		}
	}
	return true
}

// validIRI mirrors json-gold's check when it turns JSON-LD into RDF: an
// http(s) IRI must pass its URL test (a costly regular expression), or the
// quad is dropped. The test only looks at the origin and at whether the
// rest (path, query, fragment) holds white space, so its verdict on
// "origin/" is remembered per origin; anything unusual gets the full test.
func (c *Canonicalizer) validIRI(v string) bool {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return true
	}
	start := strings.Index(v, "://") + 3
	end := strings.IndexAny(v[start:], "/?#")
	if end < 0 || len(v) >= 2083 || !plainRest(v[start+end:]) || strings.Contains(v[:start+end], "@") {
		return ld.IsURL(v) // anything unusual gets the full test
	}
	// With an ordinary origin and a rest of printable ASCII without %, [ or ],
	// the URL parses (as json-gold requires) exactly when "origin/" does, and
	// the regular expression matches exactly when it matches "origin/".
	origin := v[:start+end]
	if ok, hit := c.origins.Load(origin); hit {
		return ok.(bool)
	}
	u, err := url.Parse(origin + "/")
	ok := err == nil && u.Host != "" && !strings.HasPrefix(u.Host, ".") && ld.IsURL(origin+"/")
	c.origins.Store(origin, ok)
	return ok
}

// StructuralKeys lists the keys whose values are part of the shape (for tests).
func (c *Canonicalizer) StructuralKeys() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for k := range c.structural {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
