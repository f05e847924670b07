package content

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SVG images (badge images, space logos, shared templates' images) are
// published as they are and baked into credentials; a browser opening one
// at its own URL runs whatever script it holds, on the site's origin, and
// loads whatever it references. checkSVG refuses every active or external
// part instead of removing it: a sanitised image would silently differ
// from the file the institution reviewed, and a drawing needs none of
// these. It walks the XML tokens (encoding/xml), so that every problem
// names its line.

// svgProblem is one refused construct of an SVG file.
type svgProblem struct {
	line      int
	msg, hint string
}

const svgHint = "badge images and logos must be plain drawings: remove it, or export the image again as plain SVG (e.g. Inkscape: Save As › Optimized SVG), or as PNG"

// refusedElements are elements that run code or embed other documents.
var refusedElements = map[string]string{
	"script":        "it runs when the image is opened in a browser",
	"foreignobject": "it embeds HTML (scripts, forms, frames) in the image",
	"handler":       "it runs script (SVG Tiny)",
	"listener":      "it attaches event handlers (SVG Tiny)",
	"iframe":        "it embeds another document",
	"embed":         "it embeds another document",
	"object":        "it embeds another document",
}

// checkSVG returns the refused constructs of an SVG document: scripts,
// foreignObject, event-handler attributes, javascript: or non-image data:
// URLs, references to other documents (href, xlink:href, url() and
// @import in styles, xml-stylesheet), and entity declarations. A document
// that is not well-formed XML is one problem.
func checkSVG(r io.Reader) []svgProblem {
	d := xml.NewDecoder(r)
	var out []svgProblem
	add := func(line int, hint, format string, args ...any) {
		out = append(out, svgProblem{line, fmt.Sprintf(format, args...), hint})
	}
	var stack []string // local names, lower-case, of the open elements
	// The text of a <style> element is checked whole: CDATA sections and
	// comments may split "@import" or "url(" over several tokens.
	var style strings.Builder
	type chunk struct{ off, line int }
	var chunks []chunk
	for {
		line, _ := d.InputPos() // where the next token starts
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			line, _ = d.InputPos()
			add(line, "fix the XML, or export the image again", "not well-formed XML: %v", trimXMLErr(err))
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			stack = append(stack, name)
			if why, bad := refusedElements[name]; bad {
				add(line, svgHint, "<%s> element refused: %s", t.Name.Local, why)
			}
			checkAttrs(t, line, add)
		case xml.EndElement:
			if len(stack) > 0 && stack[len(stack)-1] == "style" && style.Len() > 0 {
				text := style.String()
				if why, at := checkCSSAt(text); why != "" {
					c := chunks[0]
					for _, x := range chunks {
						if x.off <= at {
							c = x
						}
					}
					add(c.line+strings.Count(text[c.off:at], "\n"), svgHint, "<style> refused: %s", why)
				}
				style.Reset()
				chunks = chunks[:0]
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "style" {
				chunks = append(chunks, chunk{style.Len(), line})
				style.Write(t)
			}
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml-stylesheet") {
				add(line, svgHint, "<?xml-stylesheet?> refused: it loads a style sheet from another document")
			}
		case xml.Directive:
			if strings.Contains(strings.ToUpper(string(t)), "<!ENTITY") {
				add(line, "remove the entity declarations (the DOCTYPE's [ … ] part); write the values out", "entity declaration refused: entities can pull in other files or expand without bound")
			}
		}
	}
}

// checkAttrs checks the attributes of one element.
func checkAttrs(t xml.StartElement, line int, add func(int, string, string, ...any)) {
	elem := strings.ToLower(t.Name.Local)
	animated := ""
	for _, a := range t.Attr {
		if strings.EqualFold(a.Name.Local, "attributeName") {
			animated = strings.ToLower(a.Value)
			if i := strings.IndexByte(animated, ':'); i >= 0 {
				animated = animated[i+1:]
			}
		}
	}
	for _, a := range t.Attr {
		name := strings.ToLower(a.Name.Local)
		full := a.Name.Local
		if a.Name.Space != "" && a.Name.Space != "xmlns" {
			full = prefixFor(a.Name.Space) + a.Name.Local
		}
		switch {
		case a.Name.Space == "xmlns" || a.Name.Space == "" && name == "xmlns":
			// namespace declarations name namespaces, they load nothing
		case strings.HasPrefix(name, "on"):
			add(line, svgHint, "event-handler attribute %s on <%s> refused: it runs script", full, t.Name.Local)
		case name == "href" || name == "src" || name == "base" && a.Name.Space == "http://www.w3.org/XML/1998/namespace":
			if why := checkURL(a.Value); why != "" {
				add(line, "keep links inside the image (href=\"#id\") and embed raster images as data:image/png;base64,…", "%s on <%s> refused: %s", full, t.Name.Local, why)
			}
		case name == "style":
			if why := checkCSS(a.Value); why != "" {
				add(line, svgHint, "style attribute on <%s> refused: %s", t.Name.Local, why)
			}
		case (elem == "set" || elem == "animate") && (name == "to" || name == "from" || name == "values" || name == "by"):
			if animated == "href" || animated == "src" || strings.HasPrefix(animated, "on") {
				add(line, svgHint, "<%s> animating %s refused: it can turn a link into script", t.Name.Local, animated)
			}
		default:
			if strings.Contains(strings.ToLower(a.Value), "url(") {
				if why := checkCSS(a.Value); why != "" {
					add(line, svgHint, "%s on <%s> refused: %s", full, t.Name.Local, why)
				}
			}
		}
	}
}

func prefixFor(space string) string {
	switch space {
	case "http://www.w3.org/1999/xlink":
		return "xlink:"
	case "http://www.w3.org/XML/1998/namespace":
		return "xml:"
	}
	return ""
}

// checkURL returns why a URL may not appear in an SVG image, or "": only
// fragments (#id, inside the image) and embedded raster images
// (data:image/png, jpeg, gif or webp) are allowed.
func checkURL(v string) string {
	// Browsers drop white space and control characters inside schemes
	// ("java\tscript:"): compare without them.
	var b strings.Builder
	for _, r := range v {
		if r > ' ' && r != 0x7f {
			b.WriteRune(r)
		}
	}
	u := strings.ToLower(b.String())
	switch {
	case u == "" || strings.HasPrefix(u, "#"):
		return ""
	case strings.HasPrefix(u, "javascript:") || strings.HasPrefix(u, "vbscript:"):
		return "a " + u[:strings.IndexByte(u, ':')+1] + " URL runs script"
	case strings.HasPrefix(u, "data:"):
		for _, ok := range []string{"data:image/png", "data:image/jpeg", "data:image/jpg", "data:image/gif", "data:image/webp"} {
			if rest, found := strings.CutPrefix(u, ok); found && (strings.HasPrefix(rest, ";") || strings.HasPrefix(rest, ",")) {
				return ""
			}
		}
		typ, _, _ := strings.Cut(u[len("data:"):], ",")
		typ, _, _ = strings.Cut(typ, ";")
		if len(typ) > 40 {
			typ = typ[:40] + "…"
		}
		return fmt.Sprintf("a data: URL of type %q may hold script (only PNG, JPEG, GIF and WebP images may be embedded)", typ)
	case strings.HasPrefix(u, "http:") || strings.HasPrefix(u, "https:") || strings.HasPrefix(u, "//"):
		return "it references another site (the image must be self-contained: verifiers, wallets and mail clients fetch nothing else)"
	}
	return "it references another document (the image must be self-contained)"
}

// checkCSS returns why CSS text (a <style> element or a style attribute)
// may not appear in an SVG image, or "": no @import, no url() other than
// fragments and embedded raster images, no script URL, no expression(),
// and no backslash escapes (which could spell any of these).
func checkCSS(css string) string {
	why, _ := checkCSSAt(css)
	return why
}

// checkCSSAt is checkCSS, also returning the byte offset of the problem.
func checkCSSAt(css string) (string, int) {
	low := asciiLower(css) // same offsets as css
	for _, bad := range []struct{ s, why string }{
		{"@import", "@import loads a style sheet from another document"},
		{`\`, "CSS escapes (\\) are not accepted: they can hide url( or @import"},
		{"expression(", "expression() runs script in old browsers"},
		{"javascript:", "a javascript: URL runs script"},
	} {
		if i := strings.Index(low, bad.s); i >= 0 {
			return bad.why, i
		}
	}
	for off := 0; ; {
		i := strings.Index(low[off:], "url(")
		if i < 0 {
			return "", 0
		}
		at := off + i
		rest := low[at+len("url("):]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			end = len(rest)
		}
		arg := strings.Trim(strings.TrimSpace(rest[:end]), `"'`)
		if why := checkURL(arg); why != "" {
			return "url(" + shorten(arg) + "): " + why, at
		}
		off = at + len("url(") + end
	}
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// trimXMLErr drops encoding/xml's "XML syntax error on line N: " prefix:
// the line is given apart.
func trimXMLErr(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}
