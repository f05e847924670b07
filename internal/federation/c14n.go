package federation

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
)

// xmlNamespace is the namespace bound to the reserved "xml" prefix.
const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// binding is one namespace declaration: prefix ("" for the default
// namespace) bound to uri.
type binding struct{ prefix, uri string }

// c14nFrame is the namespace state of one open element.
type c14nFrame struct {
	name     xml.Name  // raw (prefixed) name, to match the end tag
	declared []binding // declarations written on the element in the input
	rendered []binding // declarations written on it in the canonical output
	output   bool      // false for frames pushed with pushScope (not output)
}

// canonicalizer writes the exclusive XML canonical form (xml-exc-c14n,
// https://www.w3.org/TR/xml-exc-c14n/) of one element subtree, token by
// token, as encoding/xml's Decoder.RawToken returns them. It keeps only the
// namespace state of the open elements, so its memory does not grow with
// the document.
//
// Like goxmldsig (built on etree, itself on encoding/xml), it sees attribute
// values as encoding/xml reports them: line ends normalised, references
// expanded, literal tabs and newlines kept (written &#x9; and &#xA;), which
// is also what xmlsec1 signs (TestXmlsec1SignedAggregate).
type canonicalizer struct {
	comments  bool            // keep comments (#WithComments)
	inclusive map[string]bool // InclusiveNamespaces PrefixList
	frames    []c14nFrame
	buf       []byte // canonical output not yet taken by the caller
	scratch   []binding
	attrs     []canonAttr
}

type canonAttr struct {
	uri  string
	attr xml.Attr
}

// lookup returns the namespace bound to prefix in the current scope.
func (c *canonicalizer) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNamespace, true
	}
	for i := len(c.frames) - 1; i >= 0; i-- {
		for _, b := range c.frames[i].declared {
			if b.prefix == prefix {
				return b.uri, true
			}
		}
	}
	if prefix == "" {
		return "", true
	}
	return "", false
}

// renderedBinding returns the namespace the nearest output ancestor
// rendered for prefix.
func (c *canonicalizer) renderedBinding(prefix string) (string, bool) {
	for i := len(c.frames) - 1; i >= 0; i-- {
		for _, b := range c.frames[i].rendered {
			if b.prefix == prefix {
				return b.uri, true
			}
		}
	}
	return "", false
}

// inScope returns every binding in scope, innermost first wins, sorted by
// prefix.
func (c *canonicalizer) inScope() []binding {
	return c.scope(func(f *c14nFrame) []binding { return f.declared })
}

// renderedScope returns the bindings rendered by output ancestors, the
// namespace context an output fragment needs to stand alone.
func (c *canonicalizer) renderedScope() []binding {
	return c.scope(func(f *c14nFrame) []binding { return f.rendered })
}

// scope merges the bindings of, innermost frame first, one kind, sorted by
// prefix.
func (c *canonicalizer) scope(of func(*c14nFrame) []binding) []binding {
	var out []binding
	seen := map[string]bool{}
	for i := len(c.frames) - 1; i >= 0; i-- {
		for _, b := range of(&c.frames[i]) {
			if !seen[b.prefix] {
				seen[b.prefix] = true
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, func(a, b binding) int { return strings.Compare(a.prefix, b.prefix) })
	return out
}

// declarations splits the namespace declarations off start's attributes.
func declarations(start *xml.StartElement) ([]binding, error) {
	var decls []binding
	for _, a := range start.Attr {
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			decls = append(decls, binding{"", a.Value})
		case a.Name.Space == "xmlns":
			if a.Value == "" {
				return nil, fmt.Errorf("element <%s>: namespace prefix %q is undeclared (xmlns:%s=\"\"), which XML 1.0 does not allow", qname(start.Name), a.Name.Local, a.Name.Local)
			}
			if a.Name.Local == "xml" || a.Name.Local == "xmlns" {
				if a.Name.Local == "xml" && a.Value == xmlNamespace {
					continue
				}
				return nil, fmt.Errorf("element <%s>: reserved prefix %q redeclared", qname(start.Name), a.Name.Local)
			}
			decls = append(decls, binding{a.Name.Local, a.Value})
		}
	}
	return decls, nil
}

func isDecl(a xml.Attr) bool {
	return a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns")
}

// pushScope opens start for namespace scoping only: nothing is written and
// the element is not an output ancestor. It sets up the context of a
// subtree canonicalized on its own (SignedInfo inside Signature).
func (c *canonicalizer) pushScope(start xml.StartElement) error {
	decls, err := declarations(&start)
	if err != nil {
		return err
	}
	c.frames = append(c.frames, c14nFrame{name: start.Name, declared: decls})
	return nil
}

// start writes the canonical start tag of an element.
func (c *canonicalizer) start(start xml.StartElement) error {
	decls, err := declarations(&start)
	if err != nil {
		return err
	}
	c.frames = append(c.frames, c14nFrame{name: start.Name, declared: decls, output: true})
	f := &c.frames[len(c.frames)-1]

	// Visibly utilized prefixes: the element's, then its attributes'.
	used := c.scratch[:0]
	addUsed := func(prefix string) error {
		for _, b := range used {
			if b.prefix == prefix {
				return nil
			}
		}
		uri, ok := c.lookup(prefix)
		if !ok {
			return fmt.Errorf("element <%s>: namespace prefix %q is not declared", qname(start.Name), prefix)
		}
		used = append(used, binding{prefix, uri})
		return nil
	}
	if err := addUsed(start.Name.Space); err != nil {
		return err
	}
	for _, a := range start.Attr {
		if isDecl(a) {
			if c.inclusive != nil {
				p := a.Name.Local
				if a.Name.Space == "" {
					p = ""
				}
				if c.inclusive[p] {
					if err := addUsed(p); err != nil {
						return err
					}
				}
			}
			continue
		}
		if a.Name.Space != "" && a.Name.Space != "xml" {
			if err := addUsed(a.Name.Space); err != nil {
				return err
			}
		}
	}
	c.scratch = used
	slices.SortFunc(used, func(a, b binding) int { return strings.Compare(a.prefix, b.prefix) })

	c.buf = append(c.buf, '<')
	c.buf = appendQName(c.buf, start.Name)
	for _, b := range used {
		prev, found := c.renderedBinding(b.prefix)
		if b.prefix == "" {
			if b.uri == "" && (!found || prev == "") {
				continue
			}
		}
		if found && prev == b.uri {
			continue
		}
		f.rendered = append(f.rendered, b)
		if b.prefix == "" {
			c.buf = append(c.buf, ` xmlns="`...)
		} else {
			c.buf = append(c.buf, ` xmlns:`...)
			c.buf = append(c.buf, b.prefix...)
			c.buf = append(c.buf, `="`...)
		}
		c.buf = appendEscapedAttr(c.buf, b.uri)
		c.buf = append(c.buf, '"')
	}

	attrs := c.attrs[:0]
	for _, a := range start.Attr {
		if isDecl(a) {
			continue
		}
		uri := ""
		if a.Name.Space != "" {
			uri, _ = c.lookup(a.Name.Space)
		}
		attrs = append(attrs, canonAttr{uri, a})
	}
	if len(attrs) > 1 {
		slices.SortFunc(attrs, func(x, y canonAttr) int {
			if r := strings.Compare(x.uri, y.uri); r != 0 {
				return r
			}
			return strings.Compare(x.attr.Name.Local, y.attr.Name.Local)
		})
		for i := 1; i < len(attrs); i++ {
			if attrs[i].uri == attrs[i-1].uri && attrs[i].attr.Name.Local == attrs[i-1].attr.Name.Local {
				return fmt.Errorf("element <%s>: attribute %q appears twice", qname(start.Name), qname(attrs[i].attr.Name))
			}
		}
	}
	for _, a := range attrs {
		c.buf = append(c.buf, ' ')
		c.buf = appendQName(c.buf, a.attr.Name)
		c.buf = append(c.buf, `="`...)
		c.buf = appendEscapedAttr(c.buf, a.attr.Value)
		c.buf = append(c.buf, '"')
	}
	c.attrs = attrs
	c.buf = append(c.buf, '>')
	return nil
}

// end writes the canonical end tag of the innermost open element.
func (c *canonicalizer) end(end xml.EndElement) error {
	if len(c.frames) == 0 {
		return fmt.Errorf("unexpected end tag </%s>", qname(end.Name))
	}
	f := c.frames[len(c.frames)-1]
	if f.name != end.Name {
		return fmt.Errorf("element <%s> closed by </%s>", qname(f.name), qname(end.Name))
	}
	if f.output {
		c.buf = append(c.buf, "</"...)
		c.buf = appendQName(c.buf, end.Name)
		c.buf = append(c.buf, '>')
	}
	c.frames = c.frames[:len(c.frames)-1]
	return nil
}

// token canonicalizes one token inside the subtree.
func (c *canonicalizer) token(t xml.Token) error {
	switch t := t.(type) {
	case xml.StartElement:
		return c.start(t)
	case xml.EndElement:
		return c.end(t)
	case xml.CharData:
		c.buf = appendEscapedText(c.buf, t)
	case xml.Comment:
		if c.comments {
			c.buf = append(c.buf, "<!--"...)
			c.buf = append(c.buf, t...)
			c.buf = append(c.buf, "-->"...)
		}
	case xml.ProcInst:
		c.buf = append(c.buf, "<?"...)
		c.buf = append(c.buf, t.Target...)
		if len(t.Inst) > 0 {
			c.buf = append(c.buf, ' ')
			c.buf = append(c.buf, t.Inst...)
		}
		c.buf = append(c.buf, "?>"...)
	case xml.Directive:
		return fmt.Errorf("DTD declarations (<!%.20s...>) are not allowed", t)
	}
	return nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func appendQName(b []byte, n xml.Name) []byte {
	if n.Space != "" {
		b = append(b, n.Space...)
		b = append(b, ':')
	}
	return append(b, n.Local...)
}

func appendEscapedText(b []byte, s []byte) []byte {
	last := 0
	for i, ch := range s {
		var esc string
		switch ch {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

func appendEscapedAttr(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '"':
			esc = "&quot;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
