// Package bake embeds a badge in its image and reads it back, as the Open
// Badges specifications define: an uncompressed iTXt chunk in a PNG
// (keyword "openbadges" for 2.0, "openbadgecredential" for 3.0), or an
// element right after the root of an SVG (openbadges:assertion in the
// http://openbadges.org namespace for 2.0, openbadges:credential in
// https://purl.imsglobal.org/ob/v3p0 for 3.0). Exactly one payload is kept
// per image: baking again replaces it. PNG images are not re-encoded.
package bake

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Version selects the Open Badges version of a payload.
type Version int

// Versions.
const (
	OB2 Version = 2
	OB3 Version = 3
)

// PNG keywords and SVG namespaces.
const (
	KeywordOB2   = "openbadges"
	KeywordOB3   = "openbadgecredential"
	NamespaceOB2 = "http://openbadges.org"
	NamespaceOB3 = "https://purl.imsglobal.org/ob/v3p0"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ErrNoPayload is returned when an image holds no badge.
var ErrNoPayload = errors.New("no baked badge in the image")

func keyword(v Version) string {
	if v == OB3 {
		return KeywordOB3
	}
	return KeywordOB2
}

type chunk struct {
	typ  string
	data []byte
}

func readChunks(img []byte) ([]chunk, error) {
	if !bytes.HasPrefix(img, pngSignature) {
		return nil, errors.New("not a PNG image")
	}
	var out []chunk
	r := img[len(pngSignature):]
	for len(r) > 0 {
		if len(r) < 12 {
			return nil, errors.New("truncated PNG chunk")
		}
		n := binary.BigEndian.Uint32(r[:4])
		if uint64(n)+12 > uint64(len(r)) {
			return nil, errors.New("truncated PNG chunk")
		}
		typ := string(r[4:8])
		data := r[8 : 8+n]
		if crc32.ChecksumIEEE(r[4:8+n]) != binary.BigEndian.Uint32(r[8+n:12+n]) {
			return nil, fmt.Errorf("PNG chunk %s: bad CRC", typ)
		}
		out = append(out, chunk{typ, data})
		r = r[12+n:]
		if typ == "IEND" {
			break
		}
	}
	if len(out) == 0 || out[0].typ != "IHDR" || out[len(out)-1].typ != "IEND" {
		return nil, errors.New("malformed PNG: IHDR or IEND missing")
	}
	return out, nil
}

func writeChunk(w *bytes.Buffer, c chunk) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(c.data)))
	w.Write(n[:])
	start := w.Len()
	w.WriteString(c.typ)
	w.Write(c.data)
	binary.BigEndian.PutUint32(n[:], crc32.ChecksumIEEE(w.Bytes()[start:]))
	w.Write(n[:])
}

// iTXt data: keyword, NUL, compression flag 0, method 0, empty language
// tag, NUL, empty translated keyword, NUL, text.
func itxt(key, text string) []byte {
	var b bytes.Buffer
	b.WriteString(key)
	b.Write([]byte{0, 0, 0, 0, 0})
	b.WriteString(text)
	return b.Bytes()
}

func itxtKeyword(data []byte) string {
	i := bytes.IndexByte(data, 0)
	if i < 0 {
		return ""
	}
	return string(data[:i])
}

// PNG returns img with payload (a JSON document, a URL or a compact JWS)
// in an uncompressed iTXt chunk right after IHDR, replacing any earlier
// payload of the same version. The image data is untouched.
func PNG(img []byte, v Version, payload string) ([]byte, error) {
	chunks, err := readChunks(img)
	if err != nil {
		return nil, err
	}
	key := keyword(v)
	var out bytes.Buffer
	out.Write(pngSignature)
	for i, c := range chunks {
		if (c.typ == "iTXt" || c.typ == "tEXt") && itxtKeyword(c.data) == key {
			continue // exactly one payload per image
		}
		writeChunk(&out, c)
		if i == 0 {
			writeChunk(&out, chunk{"iTXt", itxt(key, payload)})
		}
	}
	return out.Bytes(), nil
}

// UnbakePNG returns the payload of the given version baked in a PNG.
func UnbakePNG(img []byte, v Version) (string, error) {
	chunks, err := readChunks(img)
	if err != nil {
		return "", err
	}
	key := keyword(v)
	for _, c := range chunks {
		if c.typ != "iTXt" || itxtKeyword(c.data) != key {
			continue
		}
		rest := c.data[len(key)+1:]
		if len(rest) < 2 || rest[0] != 0 {
			return "", errors.New("compressed iTXt payload: Open Badges forbids compression")
		}
		rest = rest[2:]
		for range 2 { // language tag, translated keyword
			i := bytes.IndexByte(rest, 0)
			if i < 0 {
				return "", errors.New("malformed iTXt chunk")
			}
			rest = rest[i+1:]
		}
		return string(rest), nil
	}
	return "", ErrNoPayload
}

func svgNames(v Version) (ns, local string) {
	if v == OB3 {
		return NamespaceOB3, "credential"
	}
	return NamespaceOB2, "assertion"
}

// SVG returns svg with the badge right after its root start tag: with
// verify set (a hosted assertion URL or a compact JWS) the element carries
// it as its verify attribute; otherwise doc, a JSON document, is the
// element's content in a CDATA section. Any earlier payload of the same
// version is replaced.
func SVG(svg []byte, v Version, verify, doc string) ([]byte, error) {
	start, end, err := rootStartTag(svg)
	if err != nil {
		return nil, err
	}
	if strings.Contains(doc, "]]>") {
		return nil, errors.New("the document contains ]]>, which cannot be put in CDATA")
	}
	if err := xmlCarries(verify, false); err != nil {
		return nil, fmt.Errorf("the verify value %w", err)
	}
	if err := xmlCarries(doc, true); err != nil {
		return nil, fmt.Errorf("the document %w", err)
	}
	ns, local := svgNames(v)
	clean, err := removeSVGPayload(svg, v)
	if err != nil {
		return nil, err
	}
	if len(clean) != len(svg) {
		if start, end, err = rootStartTag(clean); err != nil {
			return nil, err
		}
	}
	tag := string(clean[start:end])
	closeRoot := ""
	if strings.HasSuffix(tag, "/>") {
		// An empty root (<svg …/>) is opened and closed around the badge.
		name := strings.FieldsFunc(tag[1:], func(r rune) bool { return r == '/' || r == '>' || unicode.IsSpace(r) })
		if len(name) == 0 {
			return nil, errors.New("malformed SVG root element")
		}
		tag = strings.TrimRightFunc(strings.TrimSuffix(tag, "/>"), unicode.IsSpace) + ">"
		closeRoot = "</" + name[0] + ">"
	}
	if !strings.Contains(tag, `xmlns:openbadges="`+ns+`"`) {
		if strings.Contains(tag, "xmlns:openbadges=") {
			return nil, errors.New("the SVG binds the openbadges prefix to another namespace")
		}
		closing := strings.LastIndex(tag, ">")
		tag = tag[:closing] + ` xmlns:openbadges="` + ns + `"` + tag[closing:]
	}
	var el strings.Builder
	el.WriteString("<openbadges:" + local)
	if verify != "" {
		el.WriteString(` verify="`)
		xml.EscapeText(&el, []byte(verify))
		el.WriteString(`"/>`)
	} else {
		el.WriteString("><![CDATA[" + doc + "]]></openbadges:" + local + ">")
	}
	var out bytes.Buffer
	out.Write(clean[:start])
	out.WriteString(tag)
	out.WriteString(el.String())
	out.WriteString(closeRoot)
	out.Write(clean[end:])
	return out.Bytes(), nil
}

// xmlCarries reports an error unless XML carries s as it is: valid UTF-8
// of characters XML allows and, in a CDATA section, no carriage return
// (parsers turn line ends into line feeds; an attribute escapes it).
func xmlCarries(s string, cdata bool) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	for _, r := range s {
		switch {
		case r == '\r' && cdata:
			return errors.New("contains a carriage return, which XML turns into a line feed")
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r >= 0xD800 && r < 0xE000 || r == 0xFFFE || r == 0xFFFF:
			return fmt.Errorf("contains the character %U, which XML cannot carry", r)
		}
	}
	return nil
}

// rootStartTag finds the byte range of the root element's start tag.
func rootStartTag(svg []byte) (int, int, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			return 0, 0, errors.New("not an SVG image: no root element")
		}
		if err != nil {
			return 0, 0, fmt.Errorf("not an SVG image: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "svg" {
				return 0, 0, fmt.Errorf("not an SVG image: root element <%s>", se.Name.Local)
			}
			return int(before), int(d.InputOffset()), nil
		}
	}
}

// removeSVGPayload drops earlier payload elements of version v.
func removeSVGPayload(svg []byte, v Version) ([]byte, error) {
	ns, local := svgNames(v)
	d := xml.NewDecoder(bytes.NewReader(svg))
	var cut [][2]int64
	depth := 0
	var from int64 = -1
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not an SVG image: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if from < 0 && t.Name.Space == ns && t.Name.Local == local {
				from = before
				depth = 1
			}
		case xml.EndElement:
			if from >= 0 {
				depth--
				if depth == 0 {
					cut = append(cut, [2]int64{from, d.InputOffset()})
					from = -1
				}
			}
		}
	}
	if len(cut) == 0 {
		return svg, nil
	}
	var out bytes.Buffer
	var at int64
	for _, c := range cut {
		out.Write(svg[at:c[0]])
		at = c[1]
	}
	out.Write(svg[at:])
	return out.Bytes(), nil
}

// UnbakeSVG returns the payload of the given version baked in an SVG: the
// verify attribute when present, else the element's text content.
func UnbakeSVG(svg []byte, v Version) (string, error) {
	ns, local := svgNames(v)
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", ErrNoPayload
		}
		if err != nil {
			return "", fmt.Errorf("not an SVG image: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != ns || se.Name.Local != local {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local == "verify" && a.Value != "" {
				return a.Value, nil
			}
		}
		var text strings.Builder
		for {
			tok, err := d.Token()
			if err != nil {
				return "", fmt.Errorf("reading the baked badge: %w", err)
			}
			switch t := tok.(type) {
			case xml.CharData:
				text.Write(t)
			case xml.EndElement:
				return strings.TrimSpace(text.String()), nil
			}
		}
	}
}
