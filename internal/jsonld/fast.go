package jsonld

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
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
	scratch    sync.Pool       // *scratch, the buffers of one call
}

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

// kindOf classifies a string value for its placeholder: 'H' for an http(s)
// IRI, 'U' for anything else that starts with a scheme
// ([a-zA-Z][a-zA-Z0-9+.-]*:), 'T' for text.
func kindOf(s string) byte {
	switch {
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		return 'H'
	case schemeEnd(s) >= 0:
		return 'U'
	}
	return 'T'
}

// schemeEnd returns the index of the colon that ends the scheme s starts
// with ([a-zA-Z][a-zA-Z0-9+.-]*:), or -1 if s does not start with one.
func schemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '.' || c == '-'):
		case i > 0 && c == ':':
			return i
		default:
			return -1
		}
	}
	return -1
}

// scratch holds the buffers of one Canonicalize call, reused through the
// Canonicalizer's pool.
type scratch struct {
	w walker
	fillScratch
}

func (c *Canonicalizer) getScratch() *scratch {
	if s, ok := c.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{}
}

func (c *Canonicalizer) putScratch(s *scratch) {
	// Drop the references to the document's strings before pooling.
	clear(s.w.vals)
	clear(s.w.names[:cap(s.w.names)])
	clear(s.esc)
	s.w.vals, s.w.names, s.esc = s.w.vals[:0], s.w.names[:0], s.esc[:0]
	c.scratch.Put(s)
}

// walker visits a document in a fixed order (sorted keys, arrays in order),
// writing its shape and collecting the values that placeholders stand for.
//
// The shape is an unambiguous encoding of everything but those values:
// maps are '{' (key value)* '}', arrays '[' value* ']', a substituted string
// '$' and its placeholder kind; keys and kept strings are length-prefixed;
// other values are written by appendLiteral.
type walker struct {
	c     *Canonicalizer
	shape []byte
	vals  []string
	keys  []string // the key of each value, when keyed
	keyed bool
	names []entry // stack of the entries of maps, sorted by key
}

// entry is a key of a map and its value.
type entry struct {
	k string
	v any
}

func (w *walker) reset(c *Canonicalizer, keyed bool) {
	w.c, w.keyed = c, keyed
	w.shape, w.vals, w.keys, w.names = w.shape[:0], w.vals[:0], w.keys[:0], w.names[:0]
}

// sortedEntries pushes the entries of m, sorted by key, on the names stack
// and returns their bounds there (the stack may move: index it, do not keep
// a slice).
func (w *walker) sortedEntries(m map[string]any) (start, end int) {
	start = len(w.names)
	for k, v := range m {
		w.names = append(w.names, entry{k, v})
	}
	end = len(w.names)
	slices.SortFunc(w.names[start:end], func(a, b entry) int { return strings.Compare(a.k, b.k) })
	return start, end
}

// walk writes the shape of v (found under key); with subst, it returns a
// copy of v whose values are replaced by placeholders. The caller holds
// c.mu (the structural set is read).
func (w *walker) walk(v any, key string, subst bool) any {
	switch x := v.(type) {
	case map[string]any:
		start, end := w.sortedEntries(x)
		w.shape = append(w.shape, '{')
		var out map[string]any
		if subst {
			out = make(map[string]any, len(x))
		}
		for i := start; i < end; i++ {
			k, y := w.names[i].k, w.names[i].v
			w.shape = appendLenString(w.shape, k)
			if k == "@context" || k == "type" || k == "@type" || len(w.c.structural) > 0 && w.c.structural[k] {
				w.appendLiteral(y)
			} else {
				y = w.walk(y, k, subst)
			}
			if subst {
				out[k] = y
			}
		}
		w.names = w.names[:start]
		w.shape = append(w.shape, '}')
		if subst {
			return out
		}
		return nil
	case []any:
		w.shape = append(w.shape, '[')
		var out []any
		if subst {
			out = make([]any, len(x))
		}
		for i, y := range x {
			z := w.walk(y, key, subst)
			if subst {
				out[i] = z
			}
		}
		w.shape = append(w.shape, ']')
		if subst {
			return out
		}
		return nil
	case string:
		k := kindOf(x)
		w.shape = append(w.shape, '$', k)
		w.vals = append(w.vals, x)
		if w.keyed {
			w.keys = append(w.keys, key)
		}
		if subst {
			return placeholder(k, len(w.vals)-1)
		}
		return nil
	default:
		w.appendLiteral(x)
		return x
	}
}

// appendLiteral writes a value that is part of the shape as it is:
// 'n' null, 't' true, 'f' false, 'N' and a length-prefixed json.Number,
// 'F' float64 ';', 's' and a length-prefixed string, 'm' (key literal)*
// '}' for a map, 'a' literal* ']' for an array, and 'x' with its
// length-prefixed Go syntax for any other type.
func (w *walker) appendLiteral(v any) {
	switch x := v.(type) {
	case nil:
		w.shape = append(w.shape, 'n')
	case bool:
		if x {
			w.shape = append(w.shape, 't')
		} else {
			w.shape = append(w.shape, 'f')
		}
	case string:
		w.shape = appendLenString(append(w.shape, 's'), x)
	case json.Number:
		w.shape = appendLenString(append(w.shape, 'N'), string(x))
	case float64:
		w.shape = strconv.AppendFloat(append(w.shape, 'F'), x, 'g', -1, 64)
		w.shape = append(w.shape, ';')
	case []any:
		w.shape = append(w.shape, 'a')
		for _, y := range x {
			w.appendLiteral(y)
		}
		w.shape = append(w.shape, ']')
	case map[string]any:
		start, end := w.sortedEntries(x)
		w.shape = append(w.shape, 'm')
		for i := start; i < end; i++ {
			w.shape = appendLenString(w.shape, w.names[i].k)
			w.appendLiteral(w.names[i].v)
		}
		w.names = w.names[:start]
		w.shape = append(w.shape, '}')
	default:
		w.shape = appendLenString(append(w.shape, 'x'), fmt.Sprintf("%T %#v", x, x))
	}
}

// appendLenString appends s prefixed with its length and a colon.
func appendLenString(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

var errSlow = errors.New("slow path")

// Canonicalize returns the RDFC-1.0 N-Quads of doc, like the package-level
// Canonicalize, byte for byte.
func (c *Canonicalizer) Canonicalize(doc map[string]any) (string, error) {
	s := c.getScratch()
	defer c.putScratch(s)
	out, err := c.appendCanonical(s.out[:0], doc, s)
	s.out = out[:0]
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// AppendCanonical appends the RDFC-1.0 N-Quads of doc to dst, as
// Canonicalize returns them. On error, it returns dst unchanged.
func (c *Canonicalizer) AppendCanonical(dst []byte, doc map[string]any) ([]byte, error) {
	s := c.getScratch()
	defer c.putScratch(s)
	return c.appendCanonical(dst, doc, s)
}

func (c *Canonicalizer) appendCanonical(dst []byte, doc map[string]any, s *scratch) ([]byte, error) {
	w := &s.w
	var t *template
	for {
		w.reset(c, false)
		c.mu.RLock()
		w.walk(doc, "", false)
		t = c.templates[string(w.shape)]
		c.mu.RUnlock()
		if t != nil {
			break
		}
		// build stores the template of the shape doc has with the structural
		// set it leaves; walk again, as another build may have grown the set
		// since then (the values must be those of the template's shape).
		if _, err := c.build(doc); err != nil {
			return dst, err
		}
	}
	if !t.slow {
		out, err := c.fill(dst, t, w.vals, &s.fillScratch)
		if !errors.Is(err, errSlow) {
			return out, err
		}
	}
	nq, err := Canonicalize(c.Loader, doc)
	if err != nil {
		return dst, err
	}
	return append(dst, nq...), nil
}

// build makes (and stores) the template of doc's shape.
func (c *Canonicalizer) build(doc map[string]any) (*template, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var w walker
	for attempt := 0; ; attempt++ {
		w.reset(c, true)
		copyDoc := w.walk(doc, "", true)
		shape := string(w.shape)
		if t, ok := c.templates[shape]; ok {
			return t, nil
		}
		if strings.Contains(shape, "placeholder.invalid/v") || strings.Contains(shape, "urn:placeholder:v") || strings.Contains(shape, `\u2063`) || strings.Contains(shape, "\u2063") {
			// A value kept in the shape looks like a placeholder: this shape
			// (it holds that very value) is canonicalized the slow way.
			t := &template{slow: true}
			c.templates[shape] = t
			return t, nil
		}
		t, bad, err := c.convert(copyDoc, w.vals, w.keys)
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
		c.templates[shape] = t
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
	sigs, explicitType, err := c.valueSignatures(doc, slots)
	if err != nil {
		return nil, nil, err
	}
	seen := make([]bool, len(vals))
	var quads []tquad
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
			dt := x.Datatype
			if dt == "" {
				dt = ld.XSDString // as ld.NewLiteral has it
			}
			return tnode{kind: 'L', value: x.Value, dt: dt, lang: x.Language, slot: s, sig: sigs[s]}
		}
		return tnode{slot: -1}
	}
	for _, qs := range dataset.Graphs {
		for _, q := range qs {
			if q.Graph != nil {
				return nil, nil, fmt.Errorf("named graphs are not supported by the fast path")
			}
			quads = append(quads, tquad{conv(q.Subject), conv(q.Predicate), conv(q.Object)})
		}
	}
	// A placeholder that is missing or only part of a node: its key is structural.
	for i, ok := range seen {
		if !ok {
			bad = append(bad, keys[i])
		}
	}
	return compile(quads, explicitType, maxPairs(len(quads))), bad, nil
}

// valueSignatures returns, per slot that is the @value of a value object
// of the expanded placeholder document, what else json-gold compares when
// it merges the values of a property (@type, @language, @index; see
// ld.CompareValues): two literals of a filled template are one value for
// json-gold when their values and signatures are equal. A slot found in
// several value objects with different signatures has none. explicitType
// reports whether rdf:type is also a property (not only @type) somewhere.
func (c *Canonicalizer) valueSignatures(doc any, slots map[string]int) (sigs map[int]string, explicitType bool, err error) {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = c.Loader
	opts.SafeMode = true
	opts.ProcessingMode = ld.JsonLd_1_1
	expanded, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if err != nil {
		return nil, false, err
	}
	sigs = map[int]string{}
	conflict := map[int]bool{}
	var scan func(any)
	scan = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["@value"].(string); ok {
				if i, ok := slots[s]; ok {
					var b strings.Builder
					for _, k := range [3]string{"@type", "@language", "@index"} {
						if y, ok := x[k]; ok {
							b.WriteString(strconv.Quote(fmt.Sprintf("%T %v", y, y)))
						} else {
							b.WriteByte('-')
						}
					}
					if old, seen := sigs[i]; seen && old != b.String() {
						conflict[i] = true
					}
					sigs[i] = b.String()
				}
			}
			for k, y := range x {
				if k == ld.RDFType {
					explicitType = true
				}
				scan(y)
			}
		case []any:
			for _, y := range x {
				scan(y)
			}
		}
	}
	scan(expanded)
	for i := range conflict {
		delete(sigs, i)
	}
	return sigs, explicitType, nil
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

// iriOK reports whether json-gold keeps v, put in place of an IRI
// placeholder, as that IRI: ld.IsAbsoluteIri(v) && c.validIRI(v).
func (c *Canonicalizer) iriOK(v string) bool {
	if ok, decided := c.httpOrigin(v); decided {
		// An ordinary http(s) URL whose "origin/" parses has a scheme and
		// parses too (see httpOrigin): it is absolute for IsAbsoluteIri.
		return ok
	}
	if opaqueIRI(v) {
		return true
	}
	return ld.IsAbsoluteIri(v) && c.validIRI(v)
}

// opaqueIRI reports whether v is a scheme and a part that does not start
// with a slash (did:web:x, urn:x), without control characters or %.
// url.Parse takes such an IRI as opaque and cannot fail on it (only control
// characters and % escapes make it fail past the scheme, when there is no
// authority or path to parse), so ld.IsAbsoluteIri holds; and json-gold
// checks no IRI further but http(s) ones (validIRI).
func opaqueIRI(v string) bool {
	i := schemeEnd(v)
	if i < 0 || strings.HasPrefix(v[i+1:], "/") {
		return false
	}
	for j := 0; j < len(v); j++ {
		if c := v[j]; c < ' ' || c == 0x7f || c == '%' {
			return false
		}
	}
	return true
}

// validIRI mirrors json-gold's check when it turns JSON-LD into RDF: an
// http(s) IRI must pass its URL test (a costly regular expression), or the
// quad is dropped. See httpOrigin for the shortcut; anything unusual gets
// the full test.
func (c *Canonicalizer) validIRI(v string) bool {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return true
	}
	if ok, decided := c.httpOrigin(v); decided {
		return ok
	}
	return ld.IsURL(v)
}

// httpOrigin decides ld.IsURL(v) for an http(s) IRI with an ordinary origin
// (no @) and a rest (path, query, fragment) of printable ASCII without %,
// [ or ] — decided reports whether v is such an IRI. json-gold's URL test
// only looks at the origin and at whether the rest holds white space, so
// its verdict on "origin/" is remembered per origin. For such an IRI,
// url.Parse(v) also succeeds exactly when url.Parse("origin/") does: the
// authority it parses is the same, and the rest can make it fail only
// through control characters or % escapes.
func (c *Canonicalizer) httpOrigin(v string) (ok, decided bool) {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return false, false
	}
	start := strings.Index(v, "://") + 3
	end := strings.IndexAny(v[start:], "/?#")
	if end < 0 || len(v) >= 2083 || !plainRest(v[start+end:]) || strings.Contains(v[:start+end], "@") {
		return false, false
	}
	origin := v[:start+end]
	if ok, hit := c.origins.Load(origin); hit {
		return ok.(bool), true
	}
	u, err := url.Parse(origin + "/")
	ok = err == nil && u.Host != "" && !strings.HasPrefix(u.Host, ".") && ld.IsURL(origin+"/")
	c.origins.Store(origin, ok)
	return ok, true
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
