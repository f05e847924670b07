package bake

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
)

func fuzzPNG(f *testing.F) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}

// FuzzPNG bakes arbitrary payloads into arbitrary bytes: no panic; when
// baking succeeds, unbaking gives the payload back, baking again replaces
// it (one payload per version), and the other version's payload is
// untouched.
func FuzzPNG(f *testing.F) {
	img := fuzzPNG(f)
	baked, err := PNG(img, OB2, "https://badges.example.fr/ecole/assertions/ab/x.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(img, true, `{"@context":["https://www.w3.org/ns/credentials/v2"]}`)
	f.Add(baked, true, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln")
	f.Add(baked, false, "a\x00b\x00c")
	f.Add(img[:20], false, "")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), true, "x")
	f.Fuzz(func(t *testing.T, img []byte, ob3 bool, payload string) {
		v, other := OB2, OB3
		if ob3 {
			v, other = OB3, OB2
		}
		before, errBefore := UnbakePNG(img, other)
		out, err := PNG(img, v, payload)
		if err != nil {
			return
		}
		got, err := UnbakePNG(out, v)
		if err != nil || got != payload {
			t.Fatalf("unbaked %q, %v; baked %q", got, err, payload)
		}
		again, err := PNG(out, v, payload+"2")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := UnbakePNG(again, v); err != nil || got != payload+"2" {
			t.Fatalf("baking again: unbaked %q, %v", got, err)
		}
		if after, errAfter := UnbakePNG(out, other); after != before || (errBefore == nil) != (errAfter == nil) {
			t.Fatalf("the other version changed: %q (%v) → %q (%v)", before, errBefore, after, errAfter)
		}
	})
}

// FuzzSVG bakes arbitrary payloads into arbitrary bytes: no panic; when
// baking succeeds, the result is an SVG that unbakes to the payload (a
// verify attribute as given, a document up to surrounding blanks) and the
// other version's payload is untouched.
func FuzzSVG(f *testing.F) {
	for _, name := range []string{"testdata/simple-json.svg", "testdata/simple-jwt.svg"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true, "", `{"id":"x"}`)
		f.Add(b, false, "https://badges.example.fr/a.json", "")
	}
	f.Add([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), true, "", "{}")
	f.Add([]byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://other"><g/></svg>`), false, "a&b<\"c\">", "")
	f.Add([]byte(`<svg><openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><![CDATA[old]]></openbadges:credential></svg>`), true, "", "new ]]> doc")
	f.Add([]byte(`<svg>`), true, "", "{}")
	f.Add([]byte(`<html/>`), true, "", "{}")
	f.Fuzz(func(t *testing.T, svg []byte, ob3 bool, verify, doc string) {
		v, other := OB2, OB3
		if ob3 {
			v, other = OB3, OB2
		}
		want := verify
		if want == "" {
			want = strings.TrimSpace(doc)
		}
		before, errBefore := UnbakeSVG(svg, other)
		out, err := SVG(svg, v, verify, doc)
		if err != nil {
			return
		}
		got, err := UnbakeSVG(out, v)
		if want == "" {
			if !errors.Is(err, ErrNoPayload) && (err != nil || got != "") {
				t.Fatalf("empty payload unbaked as %q, %v", got, err)
			}
		} else if err != nil || got != want {
			t.Fatalf("unbaked %q, %v; baked %q\n%s", got, err, want, out)
		}
		if _, _, err := rootStartTag(out); err != nil {
			t.Fatalf("the baked image is no SVG: %v\n%s", err, out)
		}
		if after, errAfter := UnbakeSVG(out, other); after != before || (errBefore == nil) != (errAfter == nil) {
			t.Fatalf("the other version changed: %q (%v) → %q (%v)\n%s", before, errBefore, after, errAfter, out)
		}
	})
}
