package preview

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/tdewolff/canvas"
)

// node is one element of a parsed SVG document.
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     strings.Builder
}

// parseSVG reads an SVG document into a tree of elements. Only the
// element names and attributes are kept (namespaces dropped); the style
// attribute's declarations become attributes.
func parseSVG(src []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err != nil {
			if root != nil && len(stack) == 0 && err.Error() == "EOF" {
				return root, nil
			}
			if root == nil && err.Error() == "EOF" {
				return nil, fmt.Errorf("no <svg> element")
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space != "" && a.Name.Space != "http://www.w3.org/2000/svg" {
					continue
				}
				n.attrs[a.Name.Local] = strings.TrimSpace(a.Value)
			}
			if st, ok := n.attrs["style"]; ok {
				for _, decl := range strings.Split(st, ";") {
					k, v, ok := strings.Cut(decl, ":")
					if ok {
						n.attrs[strings.TrimSpace(k)] = strings.TrimSpace(v)
					}
				}
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("more than one root element")
				}
				if n.name != "svg" {
					return nil, fmt.Errorf("root element is <%s>, not <svg>", n.name)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
}

// gradient is a linearGradient definition.
type gradient struct {
	x1, y1, x2, y2 float64
	userSpace      bool
	stops          canvas.Stops
}

// style is the inherited presentation state while walking the tree.
type style struct {
	fill, stroke               string
	fillOpacity, strokeOpacity float64
	opacity                    float64
	strokeWidth                float64
	dashes                     []float64
	linecap, linejoin          string
	fontSize                   float64
	fontBold                   bool
	anchor                     string
}

// drawer draws an SVG tree onto a canvas.
type drawer struct {
	c     *canvas.Canvas
	flip  canvas.Matrix // canvas's y-up space to the top-down space gradients are evaluated in
	grads map[string]*gradient
	fonts *fonts
}

// drawSVG draws the SVG document src into the square of side size whose
// top-left corner is (x, y), in the top-down pixel coordinates of c.
func drawSVG(c *canvas.Canvas, f *fonts, src []byte, x, y, size float64) error {
	root, err := parseSVG(src)
	if err != nil {
		return fmt.Errorf("badge image: %w", err)
	}
	vb := []float64{0, 0, 0, 0}
	if v := numbers(root.attrs["viewBox"]); len(v) == 4 && v[2] > 0 && v[3] > 0 {
		vb = v
	} else {
		w, h := length(root.attrs["width"], 0), length(root.attrs["height"], 0)
		if w <= 0 || h <= 0 {
			return fmt.Errorf("badge image: the <svg> element has neither a viewBox nor a width and height")
		}
		vb = []float64{0, 0, w, h}
	}
	scale := math.Min(size/vb[2], size/vb[3])
	ox := x + (size-vb[2]*scale)/2 - vb[0]*scale
	oy := y + (size-vb[3]*scale)/2 - vb[1]*scale
	_, ch := c.Size()
	flip := canvas.Identity.ReflectYAbout(ch / 2)
	m := flip.Translate(ox, oy).Scale(scale, scale)
	d := &drawer{c: c, flip: flip, grads: map[string]*gradient{}, fonts: f}
	d.collect(root)
	st := style{fill: "#000", fillOpacity: 1, strokeOpacity: 1, opacity: 1, strokeWidth: 1, fontSize: 16, linecap: "butt", linejoin: "miter", anchor: "start"}
	d.walk(root, m, st)
	return nil
}

// collect finds the gradients defined anywhere in the document.
func (d *drawer) collect(n *node) {
	if n.name == "linearGradient" && n.attrs["id"] != "" {
		g := &gradient{x2: 1, userSpace: n.attrs["gradientUnits"] == "userSpaceOnUse"}
		frac := func(k string, def float64) float64 {
			v, ok := n.attrs[k]
			if !ok {
				return def
			}
			if p, ok := strings.CutSuffix(v, "%"); ok {
				f, _ := strconv.ParseFloat(p, 64)
				return f / 100
			}
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
		g.x1, g.y1, g.x2, g.y2 = frac("x1", 0), frac("y1", 0), frac("x2", 1), frac("y2", 0)
		for _, s := range n.children {
			if s.name != "stop" {
				continue
			}
			off := 0.0
			if v := s.attrs["offset"]; strings.HasSuffix(v, "%") {
				f, _ := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
				off = f / 100
			} else {
				off, _ = strconv.ParseFloat(v, 64)
			}
			op := 1.0
			if v, ok := s.attrs["stop-opacity"]; ok {
				op, _ = strconv.ParseFloat(v, 64)
			}
			col, ok := parseColor(s.attrs["stop-color"])
			if !ok {
				col = color.RGBA{A: 255}
			}
			g.stops.Add(math.Max(0, math.Min(1, off)), withOpacity(col, op))
		}
		d.grads[n.attrs["id"]] = g
	}
	for _, ch := range n.children {
		d.collect(ch)
	}
}

// inherit applies the presentation attributes of n to st.
func inherit(n *node, st style) style {
	a := n.attrs
	if v, ok := a["fill"]; ok {
		st.fill = v
	}
	if v, ok := a["stroke"]; ok {
		st.stroke = v
	}
	num := func(k string, dst *float64) {
		if v, ok := a[k]; ok {
			if f, err := strconv.ParseFloat(strings.TrimSuffix(v, "px"), 64); err == nil {
				*dst = f
			}
		}
	}
	defer func() {
		st.strokeWidth = math.Max(0, math.Min(maxCoord/10, st.strokeWidth))
		st.fontSize = math.Max(0, math.Min(maxCoord/10, st.fontSize))
	}()
	num("fill-opacity", &st.fillOpacity)
	num("stroke-opacity", &st.strokeOpacity)
	num("stroke-width", &st.strokeWidth)
	num("font-size", &st.fontSize)
	if v, ok := a["opacity"]; ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			st.opacity *= f
		}
	}
	if v, ok := a["stroke-dasharray"]; ok {
		st.dashes = numbers(v)
	}
	if v, ok := a["stroke-linecap"]; ok {
		st.linecap = v
	}
	if v, ok := a["stroke-linejoin"]; ok {
		st.linejoin = v
	}
	if v, ok := a["font-weight"]; ok {
		n, err := strconv.Atoi(v)
		st.fontBold = v == "bold" || v == "bolder" || (err == nil && n >= 600)
	}
	if v, ok := a["text-anchor"]; ok {
		st.anchor = v
	}
	return st
}

// walk draws n and its children with the transform m (user space to
// canvas) and the inherited style st.
func (d *drawer) walk(n *node, m canvas.Matrix, st style) {
	switch n.name {
	case "defs", "title", "desc", "metadata", "linearGradient", "radialGradient", "clipPath", "mask", "symbol", "style", "script":
		return
	}
	if n.attrs["display"] == "none" || n.attrs["visibility"] == "hidden" {
		return
	}
	st = inherit(n, st)
	if t, ok := n.attrs["transform"]; ok && n.name != "svg" {
		m = m.Mul(parseTransform(t))
	}
	a := n.attrs
	num := func(k string) float64 { return length(a[k], 0) }
	var p *canvas.Path
	switch n.name {
	case "circle":
		if r := num("r"); r > 0 {
			p = canvas.Circle(r).Translate(num("cx"), num("cy"))
		}
	case "ellipse":
		if rx, ry := num("rx"), num("ry"); rx > 0 && ry > 0 {
			p = canvas.Ellipse(rx, ry).Translate(num("cx"), num("cy"))
		}
	case "rect":
		w, h := num("width"), num("height")
		if w > 0 && h > 0 {
			rx, ry := num("rx"), num("ry")
			if rx == 0 {
				rx = ry
			}
			if rx > 0 {
				p = canvas.RoundedRectangle(w, h, math.Min(rx, math.Min(w, h)/2))
			} else {
				p = canvas.Rectangle(w, h)
			}
			p = p.Translate(num("x"), num("y"))
		}
	case "line":
		p = &canvas.Path{}
		p.MoveTo(num("x1"), num("y1"))
		p.LineTo(num("x2"), num("y2"))
	case "polygon", "polyline":
		pts := numbers(a["points"])
		if len(pts) >= 4 {
			p = &canvas.Path{}
			p.MoveTo(pts[0], pts[1])
			for i := 2; i+1 < len(pts); i += 2 {
				p.LineTo(pts[i], pts[i+1])
			}
			if n.name == "polygon" {
				p.Close()
			}
		}
	case "path":
		if pp, err := canvas.ParseSVGPath(a["d"]); err == nil {
			p = pp
		}
	case "text":
		d.text(n, m, st)
		return
	}
	if p != nil && !p.Empty() {
		d.path(p, m, st)
	}
	for _, ch := range n.children {
		d.walk(ch, m, st)
	}
}

// paint resolves a fill or stroke value for the shape p (user space).
func (d *drawer) paint(v string, opacity float64, p *canvas.Path, m canvas.Matrix) canvas.Paint {
	if id, ok := strings.CutPrefix(v, "url(#"); ok {
		id, _, _ = strings.Cut(id, ")")
		g := d.grads[id]
		if g == nil || len(g.stops) == 0 {
			return canvas.Paint{}
		}
		x1, y1, x2, y2 := g.x1, g.y1, g.x2, g.y2
		if !g.userSpace {
			b := p.Bounds()
			x1, x2 = b.X0+x1*b.W(), b.X0+x2*b.W()
			y1, y2 = b.Y0+y1*b.H(), b.Y0+y2*b.H()
		}
		gm := d.flip.Mul(m)
		lg := canvas.NewLinearGradient(gm.Dot(canvas.Point{X: x1, Y: y1}), gm.Dot(canvas.Point{X: x2, Y: y2}))
		for _, s := range g.stops {
			lg.Stops.Add(s.Offset, withOpacity(s.Color, opacity))
		}
		return canvas.Paint{Gradient: lg}
	}
	col, ok := parseColor(v)
	if !ok {
		return canvas.Paint{}
	}
	return canvas.Paint{Color: withOpacity(col, opacity)}
}

func (d *drawer) path(p *canvas.Path, m canvas.Matrix, st style) {
	s := canvas.DefaultStyle
	s.Fill = d.paint(st.fill, st.fillOpacity*st.opacity, p, m)
	s.Stroke = d.paint(st.stroke, st.strokeOpacity*st.opacity, p, m)
	s.StrokeWidth = st.strokeWidth
	switch st.linecap {
	case "round":
		s.StrokeCapper = canvas.RoundCap
	case "square":
		s.StrokeCapper = canvas.SquareCap
	}
	switch st.linejoin {
	case "round":
		s.StrokeJoiner = canvas.RoundJoin
	case "bevel":
		s.StrokeJoiner = canvas.BevelJoin
	}
	if len(st.dashes) > 0 && st.strokeWidth > 0 {
		// The rasterizer counts dashes in stroke widths.
		ds := append([]float64(nil), st.dashes...)
		if len(ds)%2 == 1 {
			ds = append(ds, ds...)
		}
		ok := false
		for i := range ds {
			ok = ok || ds[i] > 0
			ds[i] /= st.strokeWidth
		}
		if ok {
			s.Dashes = ds
		}
	}
	if !s.HasFill() && !s.HasStroke() {
		return
	}
	b := p.FastBounds()
	w := st.strokeWidth
	if !inBounds(canvas.Rect{X0: b.X0 - w, Y0: b.Y0 - w, X1: b.X1 + w, Y1: b.Y1 + w}, m) {
		return // a shape far larger than the card: left out rather than rasterised for minutes
	}
	d.c.RenderPath(p, s, m)
}

// text draws a <text> element: its whole text content on one line at
// (x, y), anchored as text-anchor says, in the embedded Go fonts.
func (d *drawer) text(n *node, m canvas.Matrix, st style) {
	var b strings.Builder
	var gather func(n *node)
	gather = func(n *node) {
		b.WriteString(n.text.String())
		for _, ch := range n.children {
			gather(ch)
		}
	}
	gather(n)
	s := strings.Join(strings.Fields(b.String()), " ")
	if s == "" {
		return
	}
	paint := d.paint(st.fill, st.fillOpacity*st.opacity, canvas.Rectangle(1, 1), m)
	if !paint.IsColor() {
		paint.Color = color.RGBA{A: 255}
	}
	align := canvas.Left
	switch st.anchor {
	case "middle":
		align = canvas.Center
	case "end":
		align = canvas.Right
	}
	if st.fontSize <= 0 {
		return
	}
	face := d.fonts.face(st.fontSize, paint.Color, st.fontBold)
	t := canvas.NewTextLine(face, s, align)
	x, y := length(first(n.attrs["x"]), 0), length(first(n.attrs["y"]), 0)
	if w, h := t.Size(); !inBounds(canvas.Rect{X0: x - w, Y0: y - h, X1: x + w, Y1: y + h}, m) {
		return
	}
	d.c.RenderText(t, m.Translate(x, y).ReflectY())
}

// first is the first of a list of coordinates.
func first(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// maxCoord bounds every number read from an image: a badge is drawn in a
// few hundred pixels, and the rasteriser would take forever over a shape
// millions of pixels wide.
const maxCoord = 1e5

// length reads a number with an optional px unit.
func length(s string, def float64) float64 {
	s = strings.TrimSuffix(strings.TrimSpace(s), "px")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return def
	}
	return math.Max(-maxCoord, math.Min(maxCoord, f))
}

// inBounds reports whether the rectangle b, drawn with the transform m,
// stays within maxCoord pixels of the card.
func inBounds(b canvas.Rect, m canvas.Matrix) bool {
	for _, p := range []canvas.Point{{X: b.X0, Y: b.Y0}, {X: b.X1, Y: b.Y0}, {X: b.X0, Y: b.Y1}, {X: b.X1, Y: b.Y1}} {
		q := m.Dot(p)
		if math.IsNaN(q.X) || math.IsNaN(q.Y) || math.Abs(q.X) > maxCoord || math.Abs(q.Y) > maxCoord {
			return false
		}
	}
	return true
}

// numbers reads a list of numbers separated by spaces or commas.
func numbers(s string) []float64 {
	var out []float64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r' }) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(f, "px"), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		out = append(out, math.Max(-maxCoord, math.Min(maxCoord, v)))
	}
	return out
}

// parseTransform reads an SVG transform list.
func parseTransform(s string) canvas.Matrix {
	m := canvas.Identity
	for {
		s = strings.TrimLeft(s, " ,\t\n")
		open := strings.IndexByte(s, '(')
		end := strings.IndexByte(s, ')')
		if open < 0 || end < open {
			return m
		}
		name := strings.TrimSpace(s[:open])
		v := numbers(s[open+1 : end])
		s = s[end+1:]
		at := func(i int, def float64) float64 {
			if i < len(v) {
				return v[i]
			}
			return def
		}
		switch name {
		case "translate":
			m = m.Translate(at(0, 0), at(1, 0))
		case "scale":
			m = m.Scale(at(0, 1), at(1, at(0, 1)))
		case "rotate":
			if len(v) == 3 {
				m = m.Translate(v[1], v[2]).Rotate(v[0]).Translate(-v[1], -v[2])
			} else {
				m = m.Rotate(at(0, 0))
			}
		case "matrix":
			if len(v) == 6 {
				m = m.Mul(canvas.Matrix{{v[0], v[2], v[4]}, {v[1], v[3], v[5]}})
			}
		case "skewX":
			m = m.Shear(math.Tan(at(0, 0)*math.Pi/180), 0)
		case "skewY":
			m = m.Shear(0, math.Tan(at(0, 0)*math.Pi/180))
		}
	}
}

var named = map[string]color.RGBA{
	"black": {0, 0, 0, 255}, "white": {255, 255, 255, 255}, "red": {255, 0, 0, 255},
	"green": {0, 128, 0, 255}, "blue": {0, 0, 255, 255}, "gray": {128, 128, 128, 255},
	"grey": {128, 128, 128, 255}, "yellow": {255, 255, 0, 255}, "orange": {255, 165, 0, 255},
	"navy": {0, 0, 128, 255}, "silver": {192, 192, 192, 255}, "gold": {255, 215, 0, 255},
	"currentcolor": {0, 0, 0, 255},
}

// parseColor reads a colour: #rgb, #rrggbb, rgb(r,g,b) or a few names;
// "none", empty or unknown values paint nothing.
func parseColor(s string) (color.RGBA, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if c, ok := named[s]; ok {
		return c, true
	}
	if h, ok := strings.CutPrefix(s, "#"); ok {
		if len(h) == 3 {
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		if len(h) == 6 {
			v, err := strconv.ParseUint(h, 16, 32)
			if err == nil {
				return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, true
			}
		}
		return color.RGBA{}, false
	}
	if in, ok := strings.CutPrefix(s, "rgb("); ok {
		v := numbers(strings.TrimSuffix(in, ")"))
		if len(v) == 3 {
			c := func(f float64) uint8 { return uint8(math.Max(0, math.Min(255, f))) }
			return color.RGBA{c(v[0]), c(v[1]), c(v[2]), 255}, true
		}
	}
	return color.RGBA{}, false
}

// withOpacity multiplies a colour (premultiplied) by an opacity.
func withOpacity(c color.RGBA, o float64) color.RGBA {
	o = math.Max(0, math.Min(1, o))
	if o == 1 {
		return c
	}
	f := func(v uint8) uint8 { return uint8(math.Round(float64(v) * o)) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), f(c.A)}
}
