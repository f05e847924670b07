package content

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// svgDoc wraps body in an SVG root on line 1; body starts on line 2.
func svgDoc(body string) string {
	return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8">` + "\n" + body + "\n</svg>\n"
}

// TestCheckSVG: one case per hostile pattern, each refused at its line
// with a reason; plain drawings pass.
func TestCheckSVG(t *testing.T) {
	for _, tt := range []struct {
		name, svg string
		line      int    // 0: no problem expected
		want      string // in the message
	}{
		{"plain drawing", svgDoc(`<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
<circle cx="4" cy="4" r="3" fill="url(#g)" style="stroke: url('#g'); opacity: .5"/>
<use href="#g"/><use xlink:href="#g"/><a href="#top"><title>Titre</title></a>
<image href="data:image/png;base64,iVBORw0KGgo="/>
<style>circle { fill: url(#g) }</style>`), 0, ""},
		{"script", svgDoc("<g>\n<script>alert(1)</script></g>"), 3, "<script> element refused"},
		{"script in another namespace", svgDoc(`<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>`), 2, "<script> element refused"},
		{"foreignObject", svgDoc(`<foreignObject width="8" height="8"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>`), 2, "<foreignObject> element refused"},
		{"onload on the root", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`, 1, "event-handler attribute onload on <svg> refused"},
		{"onclick, upper case", svgDoc(`<rect width="1" height="1"/>` + "\n" + `<rect OnClick="alert(1)"/>`), 3, "event-handler attribute OnClick"},
		{"javascript: href", svgDoc(`<a href="javascript:alert(1)"><text>x</text></a>`), 2, "a javascript: URL runs script"},
		{"javascript: xlink:href, obfuscated", svgDoc(`<a xlink:href=" java&#9;Script:alert(1)"><text>x</text></a>`), 2, "xlink:href on <a> refused: a javascript: URL"},
		{"data: SVG image", svgDoc(`<image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/>`), 2, `data: URL of type "image/svg+xml"`},
		{"data: HTML", svgDoc(`<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><text>x</text></a>`), 2, `data: URL of type "text/html"`},
		{"external image", svgDoc(`<image href="https://tracker.example/pixel.png"/>`), 2, "references another site"},
		{"protocol-relative use", svgDoc(`<use xlink:href="//evil.example/sprite.svg#a"/>`), 2, "references another site"},
		{"other document", svgDoc(`<use href="sprite.svg#a"/>`), 2, "references another document"},
		{"xml:base", svgDoc(`<g xml:base="https://evil.example/"><use href="#a"/></g>`), 2, "xml:base on <g> refused"},
		{"external url() in style attribute", svgDoc(`<rect style="fill: url(https://evil.example/a.svg#p)"/>`), 2, "url(https://evil.example/a.svg#p)"},
		{"external url() in presentation attribute", svgDoc(`<rect fill="url('http://evil.example/p.svg#p')"/>`), 2, "fill on <rect> refused"},
		{"@import in style", svgDoc("<style>\n.a { fill: red }\n@import url(https://evil.example/x.css);\n</style>"), 4, "@import"},
		{"external url() in style element", svgDoc("<style>\n.a { background: URL(\"https://evil.example/x.png\") }\n</style>"), 3, "references another site"},
		{"@import split by CDATA and a comment", svgDoc("<style>\n.a { fill: red }\n@im<![CDATA[po]]><!-- -->rt url(https://evil.example/x.css);\n</style>"), 4, "@import"},
		{"CSS escape", svgDoc(`<style>.a { b: \75 rl(https://evil.example/) }</style>`), 2, "CSS escapes"},
		{"xml-stylesheet", `<?xml-stylesheet href="https://evil.example/x.css"?>` + "\n" + svgDoc(""), 1, "xml-stylesheet"},
		{"entity declaration", "<!DOCTYPE svg [\n<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n" + svgDoc("<text>&x;</text>"), 1, "entity declaration refused"},
		{"animated href", svgDoc(`<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>`), 2, "<set> animating href refused"},
		{"iframe", svgDoc(`<iframe src="https://evil.example/"/>`), 2, "<iframe> element refused"},
		{"not XML", "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<g>\n</svg>\n", 3, "not well-formed XML"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := checkSVG(strings.NewReader(tt.svg))
			if tt.line == 0 {
				if len(got) != 0 {
					t.Fatalf("refused: %+v", got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("accepted, want line %d: %s", tt.line, tt.want)
			}
			if got[0].line != tt.line || !strings.Contains(got[0].msg, tt.want) || got[0].hint == "" {
				t.Errorf("got line %d %q (hint %q), want line %d %q", got[0].line, got[0].msg, got[0].hint, tt.line, tt.want)
			}
		})
	}
}

// TestHostileSVGRefused: badge images, space logos and shared templates'
// images are all checked, and the build names the SVG file and line.
func TestHostileSVGRefused(t *testing.T) {
	hostile := svgDoc(`<circle r="3"/>` + "\n" + `<script>alert(document.domain)</script>`)
	_, _, err := loadFiles(t, merge(baseSite, map[string]string{
		"content/ecole/badges/tutorat.svg": hostile,
		"content/ecole/logo.svg":           svgDoc(`<image href="https://tracker.example/p.png"/>`),
		"content/ecole/_space.md":          "---\nname: École\nurl: https://www.ecole.example/\nemail: badges@ecole.example\nlogo: logo.svg\n---\n",
		"content/_templates/modele.md":     "---\nname: Modèle\ndescription: Un modèle.\nimage: modele.svg\n---\nCritères.\n",
		"content/_templates/modele.svg":    `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`,
	}))
	if err == nil {
		t.Fatal("hostile SVGs accepted")
	}
	items, lines := diagLines(t, err)
	for _, want := range []string{
		"content/ecole/badges/tutorat.svg:3: <script> element refused: it runs when the image is opened in a browser",
		"content/ecole/logo.svg:2: href on <image> refused: it references another site",
		"content/_templates/modele.svg:1: event-handler attribute onload on <svg> refused: it runs script",
	} {
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Errorf("missing %q in:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	for _, d := range items {
		if d.Hint == "" {
			t.Errorf("no hint: %v", d)
		}
	}
}

// TestDemoSVGsPass: every SVG of the demo content passes the check.
func TestDemoSVGsPass(t *testing.T) {
	files, _ := filepath.Glob("../../content/*/*.svg")
	more, _ := filepath.Glob("../../content/*/badges/*.svg")
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("only %d demo SVGs found", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if p := checkSVG(strings.NewReader(string(b))); len(p) > 0 {
			t.Errorf("%s: %+v", f, p)
		}
	}
}
