// Package preview draws the site's social preview cards: 1200×630 PNG
// images (badge image, title, issuer, site) that Open Graph and X show
// when a page is shared, since they do not render SVG. Badge images in
// SVG are drawn as vectors with a pure-Go rasteriser (tdewolff/canvas)
// and the embedded Go fonts, so the same card always has the same bytes,
// whatever fonts the build machine has.
package preview

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"

	_ "image/gif"  // badge images may be GIF
	_ "image/jpeg" // or JPEG

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/rasterizer"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Width and Height are the size of a card in pixels, the size Open Graph
// consumers (LinkedIn, Facebook, X's summary_large_image) crop least.
const (
	Width  = 1200
	Height = 630
)

// Version changes whenever the drawing changes, so that action keys made
// with Key render every card again.
const Version = "blason-preview 3"

// Card is what a preview shows.
type Card struct {
	Title    string  // the badge's or the page's name
	Subtitle string  // the issuer, or a short line under the title
	Footer   string  // the site's title
	Images   []Image // the badge image, or up to four logos (more are left out)
	Brand    string  // background colour of the image band, #rrggbb; empty for the default
}

// Image is a picture on a card.
type Image struct {
	Data []byte // SVG, PNG, JPEG or GIF
	SVG  bool   // Data is SVG
}

// Key is a hash of everything the card's bytes depend on.
func (c Card) Key() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%q\n%q\n%q\n%q\n", Version, c.Title, c.Subtitle, c.Footer, c.Brand)
	for _, im := range c.Images {
		fmt.Fprintf(h, "%t %d\n", im.SVG, len(im.Data))
		h.Write(im.Data)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

const ptPerPx = 72 / 25.4 // canvas sizes fonts in points, lengths in millimetres: one millimetre is one pixel here

// fonts are the embedded Go fonts, loaded once.
type fonts struct {
	family *canvas.FontFamily
}

var loadFonts = sync.OnceValues(func() (*fonts, error) {
	ff := canvas.NewFontFamily("Go")
	if err := ff.LoadFont(goregular.TTF, 0, canvas.FontRegular); err != nil {
		return nil, err
	}
	if err := ff.LoadFont(gobold.TTF, 0, canvas.FontBold); err != nil {
		return nil, err
	}
	return &fonts{family: ff}, nil
})

// face is the font of px pixels in colour col.
func (f *fonts) face(px float64, col color.RGBA, bold bool) *canvas.FontFace {
	st := canvas.FontRegular
	if bold {
		st = canvas.FontBold
	}
	return f.family.Face(px*ptPerPx, col, st)
}

var (
	defaultBrand = color.RGBA{0x1d, 0x3f, 0x6e, 255}
	ink          = color.RGBA{0x1a, 0x1a, 0x1a, 255}
	muted        = color.RGBA{0x4a, 0x4a, 0x4a, 255}
)

// PNG draws the card.
func (c Card) PNG() ([]byte, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, fmt.Errorf("preview fonts: %w", err)
	}
	cv := canvas.New(Width, Height)
	flip := canvas.Identity.ReflectYAbout(Height / 2)
	rect := func(x, y, w, h float64, col color.RGBA) {
		s := canvas.DefaultStyle
		s.Fill = canvas.Paint{Color: col}
		cv.RenderPath(canvas.Rectangle(w, h).Translate(x, y), s, flip)
	}
	brand := defaultBrand
	if b, ok := parseColor(c.Brand); ok {
		brand = b
	}
	rect(0, 0, Width, Height, color.RGBA{255, 255, 255, 255})
	const band = 500.0
	rect(0, 0, band, Height, brand)
	// The badge centred in the band, or up to four logos in a grid.
	type placed struct {
		m          image.Image
		x, y, size float64
	}
	var rasters []placed
	ims := c.Images
	if len(ims) > 4 {
		ims = ims[:4]
	}
	for i, im := range ims {
		size := 380.0
		x, y := (band-size)/2, (Height-size)/2
		if len(ims) > 1 {
			size = 180
			x, y = band/2-size-10+float64(i%2)*(size+20), Height/2-size-10+float64(i/2)*(size+20)
			if len(ims) == 2 {
				y = (Height - size) / 2
			}
		}
		if im.SVG {
			if err := drawSVG(cv, f, im.Data, x, y, size); err != nil {
				return nil, err
			}
			continue
		}
		m, _, err := image.Decode(bytes.NewReader(im.Data))
		if err != nil {
			return nil, fmt.Errorf("badge image: %w", err)
		}
		rasters = append(rasters, placed{m, x, y, size})
	}
	// Text: title (bold, up to three lines), subtitle, footer.
	const tx, tw = band + 60, Width - band - 110
	y := 120.0
	title := wrap(f.face(58, ink, true), c.Title, tw, 4)
	for _, line := range title {
		cv.RenderText(canvas.NewTextLine(f.face(58, ink, true), line, canvas.Left), flip.Translate(tx, y+50).ReflectY())
		y += 70
	}
	y += 20
	for _, line := range wrap(f.face(34, muted, false), c.Subtitle, tw, 2) {
		cv.RenderText(canvas.NewTextLine(f.face(34, muted, false), line, canvas.Left), flip.Translate(tx, y+30).ReflectY())
		y += 44
	}
	rect(tx, Height-110, 80, 6, brand)
	for _, line := range wrap(f.face(28, muted, false), c.Footer, tw, 1) {
		cv.RenderText(canvas.NewTextLine(f.face(28, muted, false), line, canvas.Left), flip.Translate(tx, Height-60).ReflectY())
	}
	out := rasterizer.Draw(cv, canvas.DPMM(1), canvas.LinearColorSpace{}) // blended as browsers do, no gamma conversion
	for _, r := range rasters {
		drawScaled(out, r.m, image.Rect(int(r.x), int(r.y), int(r.x+r.size), int(r.y+r.size)))
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// wrap breaks s into at most max lines of width w (pixels); the last line
// ends with an ellipsis when the text is cut.
func wrap(face *canvas.FontFace, s string, w float64, max int) []string {
	words := strings.Fields(s)
	var lines []string
	cur := ""
	for _, word := range words {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		if face.TextWidth(try) <= w || cur == "" {
			cur = try
			continue
		}
		lines = append(lines, cur)
		cur = word
		if len(lines) == max {
			last := lines[max-1]
			for face.TextWidth(last+" …") > w && strings.Contains(last, " ") {
				last = last[:strings.LastIndex(last, " ")]
			}
			lines[max-1] = last + " …"
			return lines
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// drawScaled draws src into r of dst, scaled to fit with its aspect ratio,
// each pixel the average of the source pixels it covers.
func drawScaled(dst *image.RGBA, src image.Image, r image.Rectangle) {
	sb := src.Bounds()
	if sb.Dx() == 0 || sb.Dy() == 0 {
		return
	}
	scale := min(float64(r.Dx())/float64(sb.Dx()), float64(r.Dy())/float64(sb.Dy()))
	w, h := int(float64(sb.Dx())*scale), int(float64(sb.Dy())*scale)
	x0, y0 := r.Min.X+(r.Dx()-w)/2, r.Min.Y+(r.Dy()-h)/2
	scaled := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			// Box filter over the source pixels this one covers.
			sx0, sx1 := sb.Min.X+x*sb.Dx()/w, sb.Min.X+(x+1)*sb.Dx()/w
			sy0, sy1 := sb.Min.Y+y*sb.Dy()/h, sb.Min.Y+(y+1)*sb.Dy()/h
			sx1, sy1 = max(sx1, sx0+1), max(sy1, sy0+1)
			var rr, gg, bb, aa, n uint64
			for sy := sy0; sy < sy1; sy++ {
				for sx := sx0; sx < sx1; sx++ {
					cr, cg, cb, ca := src.At(sx, sy).RGBA()
					rr, gg, bb, aa, n = rr+uint64(cr), gg+uint64(cg), bb+uint64(cb), aa+uint64(ca), n+1
				}
			}
			scaled.SetRGBA(x, y, color.RGBA{uint8(rr / n >> 8), uint8(gg / n >> 8), uint8(bb / n >> 8), uint8(aa / n >> 8)})
		}
	}
	draw.Draw(dst, image.Rect(x0, y0, x0+w, y0+h), scaled, image.Point{}, draw.Over)
}
