package preview

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"
)

func demoBadge(t testing.TB) []byte {
	t.Helper()
	img, err := os.ReadFile("../../content/universite/badges/certification-langues.svg")
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if m.Bounds().Dx() != Width || m.Bounds().Dy() != Height {
		t.Fatalf("card is %v, want %dx%d", m.Bounds(), Width, Height)
	}
	return m
}

// TestCardIsDeterministic: the same card twice gives the same bytes, a
// PNG of 1200×630; another title gives other bytes and another key.
func TestCardIsDeterministic(t *testing.T) {
	c := Card{Title: "Certification en langues (CECRL) avec un titre assez long pour passer à la ligne", Subtitle: "Université Exemple", Footer: "Blason — badges du réseau", Images: []Image{{Data: demoBadge(t), SVG: true}}, Brand: "#0e4552"}
	a, err := c.PNG()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.PNG()
	if !bytes.Equal(a, b) {
		t.Fatal("two drawings of one card differ")
	}
	decode(t, a)
	c2 := c
	c2.Title = "Autre titre"
	o, _ := c2.PNG()
	if bytes.Equal(a, o) || c.Key() == c2.Key() {
		t.Fatal("another title gives the same card or key")
	}
	if dir := os.Getenv("BLASON_ARTEFACTS"); dir != "" {
		os.WriteFile(dir+"/card.png", a, 0o644)
	}
}

func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) int {
		v := int(x>>8) - int(y)
		if v < 0 {
			return -v
		}
		return v
	}
	return d(r, want.R) <= tol && d(g, want.G) <= tol && d(b, want.B) <= tol
}

// TestSVGPaint checks the drawn pixels of the SVG features badge images
// use: the image is a 100×100 viewBox drawn at 380 px centred in the
// 500-px band (x 60–440, y 125–505).
func TestSVGPaint(t *testing.T) {
	at := func(x, y float64) image.Point { return image.Pt(60+int(x*3.8), 125+int(y*3.8)) }
	tests := []struct {
		name string
		svg  string
		px   map[image.Point]color.RGBA
	}{
		{"rect and circle", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="#ff0000"/><circle cx="50" cy="50" r="20" fill="#00f"/></svg>`,
			map[image.Point]color.RGBA{at(5, 5): {255, 0, 0, 255}, at(50, 50): {0, 0, 255, 255}}},
		{"fill-opacity over white", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="white"/><rect width="100" height="100" fill="#000" fill-opacity=".5"/></svg>`,
			map[image.Point]color.RGBA{at(50, 50): {128, 128, 128, 255}}},
		{"vertical gradient, top to bottom", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ff0000"/><stop offset="1" stop-color="#0000ff"/></linearGradient></defs><rect width="100" height="100" fill="url(#g)"/></svg>`,
			map[image.Point]color.RGBA{at(50, 1): {253, 0, 2, 255}, at(50, 99): {2, 0, 253, 255}}},
		{"group transform and style attribute", `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><g transform="translate(50 0)"><rect width="50" height="100" style="fill: #00ff00"/></g></svg>`,
			map[image.Point]color.RGBA{at(75, 50): {0, 255, 0, 255}, at(25, 50): {0x1d, 0x3f, 0x6e, 255}}},
		{"stroke only", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx="50" cy="50" r="40" fill="none" stroke="#fff" stroke-width="10"/></svg>`,
			map[image.Point]color.RGBA{at(90, 50): {255, 255, 255, 255}, at(50, 50): {0x1d, 0x3f, 0x6e, 255}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Card{Title: "T", Images: []Image{{Data: []byte(tc.svg), SVG: true}}}.PNG()
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, b)
			for p, want := range tc.px {
				if got := m.At(p.X, p.Y); !near(got, want, 6) {
					t.Errorf("pixel %v is %v, want %v", p, got, want)
				}
			}
		})
	}
}

// TestSVGText: a <text> element is drawn (in the embedded fonts): dark
// pixels where the word is, none around it.
func TestSVGText(t *testing.T) {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="#fff"/><text x="50" y="60" text-anchor="middle" font-size="30" font-weight="700" fill="#000">ABC</text></svg>`
	b, err := Card{Images: []Image{{Data: []byte(svg), SVG: true}}}.PNG()
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, b)
	dark := func(x0, y0, x1, y1 int) int {
		n := 0
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				if r, _, _, _ := m.At(x, y).RGBA(); r < 0x4000 {
					n++
				}
			}
		}
		return n
	}
	// The word spans about x 20–80, y 40–60 of the viewBox.
	if n := dark(60+int(20*3.8), 125+144, 60+int(80*3.8), 125+232); n < 2000 {
		t.Errorf("%d dark pixels where the text is", n)
	}
	if n := dark(60, 125, 440, 125+int(30*3.8)); n != 0 {
		t.Errorf("%d dark pixels above the text", n)
	}
}

// TestHostileImages: broken or odd images give an error or a card, never
// a panic; a text in a script the fonts lack is still drawn.
func TestHostileImages(t *testing.T) {
	for _, svg := range []string{
		``, `<html/>`, `<svg`, `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 0 0"><rect width="1" height="1"/></svg>`,
		`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M 0 0 L x y Z"/><circle r="-5"/><rect width="1e308" height="1e308" rx="NaN"/></svg>`,
		`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="url(#missing)" stroke="url(#x" stroke-width="1e9" stroke-dasharray="0 0"/></svg>`,
		`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><g transform="matrix(1 2) rotate(45 5 5) skewX(10) scale(0)"><text>日本語 🎓 <tspan>ok</tspan></text></g></svg>`,
	} {
		_, _ = Card{Title: "日本語 🎓 " + strings.Repeat("mot ", 60), Images: []Image{{Data: []byte(svg), SVG: true}}}.PNG()
	}
	if _, err := (Card{Images: []Image{{Data: []byte("not a png")}}}).PNG(); err == nil {
		t.Error("a broken PNG image gave no error")
	}
}

func BenchmarkCard(b *testing.B) {
	c := Card{Title: "Certification en langues (CECRL)", Subtitle: "Université Exemple", Footer: "Blason", Images: []Image{{Data: demoBadge(b), SVG: true}}, Brand: "#0e4552"}
	for b.Loop() {
		if _, err := c.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}
