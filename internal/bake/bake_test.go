package bake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"
)

func samplePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.RGBA{0, 0, 145, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const sampleSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#000091"/></svg>
`

func TestPNGRoundTrip(t *testing.T) {
	orig := samplePNG(t)
	tests := []struct {
		name    string
		v       Version
		payload string
	}{
		{"OB 2.0 hosted JSON", OB2, `{"@context":"https://w3id.org/openbadges/v2","id":"https://b.example/a.json","type":"Assertion"}`},
		{"OB 2.0 URL", OB2, "https://b.example/a.json"},
		{"OB 3.0 JSON with accents", OB3, `{"name":"Créer de la valeur — Compétent"}`},
		{"OB 3.0 JWT", OB3, "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baked, err := PNG(orig, tt.v, tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			got, err := UnbakePNG(baked, tt.v)
			if err != nil || got != tt.payload {
				t.Fatalf("unbaked %q, %v", got, err)
			}
			// Still an image, with the same pixels.
			a, err1 := png.Decode(bytes.NewReader(orig))
			b, err2 := png.Decode(bytes.NewReader(baked))
			if err1 != nil || err2 != nil || a.At(3, 3) != b.At(3, 3) || a.Bounds() != b.Bounds() {
				t.Fatalf("the baked PNG does not decode to the same image: %v %v", err1, err2)
			}
			// Baking again replaces the payload: exactly one per image.
			again, err := PNG(baked, tt.v, "https://b.example/other.json")
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(again, []byte("iTXt"+keyword(tt.v)+"\x00")); n != 1 {
				t.Fatalf("%d payloads after baking twice", n)
			}
			if got, _ := UnbakePNG(again, tt.v); got != "https://b.example/other.json" {
				t.Fatalf("after baking twice: %q", got)
			}
			// The other version finds nothing.
			other := OB2
			if tt.v == OB2 {
				other = OB3
			}
			if _, err := UnbakePNG(baked, other); err != ErrNoPayload {
				t.Fatalf("other version: %v", err)
			}
		})
	}
}

func TestPNGRejectsDamage(t *testing.T) {
	orig := samplePNG(t)
	bad := append([]byte(nil), orig...)
	bad[len(bad)-20] ^= 1 // inside IDAT: the CRC no longer matches
	for name, img := range map[string][]byte{"not a PNG": []byte("GIF89a"), "bad CRC": bad, "truncated": orig[:40]} {
		if _, err := PNG(img, OB2, "x"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSVGRoundTrip(t *testing.T) {
	doc := `{"@context":["https://www.w3.org/ns/credentials/v2"],"name":"A < B & \"C\""}`
	tests := []struct {
		name         string
		v            Version
		verify, body string
		want         string
	}{
		{"OB 2.0 hosted URL", OB2, "https://b.example/a.json?x=1&y=2", "", "https://b.example/a.json?x=1&y=2"},
		{"OB 2.0 JSON", OB2, "", doc, doc},
		{"OB 3.0 JSON", OB3, "", doc, doc},
		{"OB 3.0 JWT", OB3, "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln", "", "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baked, err := SVG([]byte(sampleSVG), tt.v, tt.verify, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := UnbakeSVG(baked, tt.v)
			if err != nil || got != tt.want {
				t.Fatalf("unbaked %q, %v\n%s", got, err, baked)
			}
			// Still well-formed XML whose root is <svg>, payload right after it.
			var root struct {
				XMLName xml.Name
			}
			if err := xml.Unmarshal(baked, &root); err != nil || root.XMLName.Local != "svg" {
				t.Fatalf("not an SVG any more: %v", err)
			}
			ns, local := svgNames(tt.v)
			if !strings.Contains(string(baked), `xmlns:openbadges="`+ns+`"><openbadges:`+local) {
				t.Fatalf("payload not right after the root:\n%s", baked)
			}
			again, _ := SVG(baked, tt.v, "https://b.example/other.json", "")
			if n := strings.Count(string(again), "<openbadges:"+local); n != 1 {
				t.Fatalf("%d payloads after baking twice:\n%s", n, again)
			}
		})
	}
	if _, err := SVG([]byte("<html/>"), OB2, "x", ""); err == nil {
		t.Error("a non-SVG document was baked")
	}
	if _, err := SVG([]byte(sampleSVG), OB3, "", "a ]]> b"); err == nil {
		t.Error("a CDATA terminator was accepted")
	}
	// An empty root is opened to hold the badge, and stays an empty image.
	for _, empty := range []string{`<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`, `<?xml version="1.0"?><svg:svg xmlns:svg="http://www.w3.org/2000/svg" />` + "\n"} {
		baked, err := SVG([]byte(empty), OB3, "", "{}")
		if err != nil {
			t.Fatalf("%s: %v", empty, err)
		}
		var root struct {
			XMLName xml.Name
			Inner   []byte `xml:",innerxml"`
		}
		if err := xml.Unmarshal(baked, &root); err != nil || root.XMLName.Local != "svg" || !strings.HasPrefix(string(root.Inner), "<openbadges:credential><![CDATA[{}]]></openbadges:credential>") {
			t.Fatalf("%s baked as %s (%v)", empty, baked, err)
		}
		if got, err := UnbakeSVG(baked, OB3); err != nil || got != "{}" {
			t.Fatalf("%s: unbaked %q, %v", empty, got, err)
		}
	}
}

// TestUnbake1EdTechSamples reads the validator's baked OB 3.0 samples.
func TestUnbake1EdTechSamples(t *testing.T) {
	j, _ := os.ReadFile("testdata/simple-json.svg")
	got, err := UnbakeSVG(j, OB3)
	var m map[string]any
	if err != nil || json.Unmarshal([]byte(got), &m) != nil || m["type"] == nil {
		t.Fatalf("simple-json.svg: %v %.80q", err, got)
	}
	w, _ := os.ReadFile("testdata/simple-jwt.svg")
	got, err = UnbakeSVG(w, OB3)
	if err != nil || strings.Count(got, ".") != 2 || !strings.HasPrefix(got, "ey") {
		t.Fatalf("simple-jwt.svg: %v %.80q", err, got)
	}
}
