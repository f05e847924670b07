package preview

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

func TestCardDemo(t *testing.T) {
	img, err := os.ReadFile("../../content/universite/badges/certification-langues.svg")
	if err != nil {
		t.Fatal(err)
	}
	c := Card{Title: "Certification en langues (CECRL) avec un titre assez long pour passer à la ligne", Subtitle: "Université Exemple", Footer: "Blason — badges du réseau", Images: []Image{{Data: img, SVG: true}}, Brand: "#0e4552"}
	b, err := c.PNG()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/social/card.png", b, 0o644)
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if m.Bounds().Dx() != Width || m.Bounds().Dy() != Height {
		t.Fatal(m.Bounds())
	}
}

func BenchmarkCard(b *testing.B) {
	img, err := os.ReadFile("../../content/universite/badges/certification-langues.svg")
	if err != nil {
		b.Fatal(err)
	}
	c := Card{Title: "Certification en langues (CECRL)", Subtitle: "Université Exemple", Footer: "Blason", Images: []Image{{Data: img, SVG: true}}, Brand: "#0e4552"}
	for b.Loop() {
		if _, err := c.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}
