package markdown

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// FuzzHTML renders arbitrary Markdown and checks that nothing able to run
// script survives: no script (or other active) element, no event handler
// attribute, no javascript:, vbscript: or non-image data: URL in any
// attribute — judged on the HTML as a browser tokenises it, so that
// entities, case and blanks inside the scheme do not hide one. PlainText
// must not panic on the same input either.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{
		"**gras** et *italique*",
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[lien](javascript:alert(1))",
		"[lien](JaVaScRiPt:alert(1))",
		"[lien](java&#x09;script:alert(1))",
		"[lien](&#106;avascript:alert(1))",
		"![img](javascript:alert(1))",
		"![img](data:text/html;base64,PHNjcmlwdD4=)",
		"<javascript:alert(1)>",
		"www.example.org/<script>",
		"| a | <b onclick=x> |\n|---|---|\n| 1 | 2 |",
		"[a]: javascript:alert(1)\n\n[a]",
		"<a href=\"javascript:alert(1)\">x</a>",
		"```\n<script>\n```",
		"- [x] tâche\n- ~~barré~~",
		"<svg/onload=alert(1)>",
		"<!-- <script> -->",
		"[x](<javascript:alert(1)>)",
		"[x](vbscript:msgbox)",
	} {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.HTML(src)
		if err != nil {
			return
		}
		if bad := activeContent(string(out)); bad != "" {
			t.Fatalf("HTML(%q) = %q: %s", src, out, bad)
		}
		_ = r.PlainText(src)
	})
}

// activeContent returns what in h could run script, or "".
func activeContent(h string) string {
	if strings.Contains(strings.ToLower(h), "<script") {
		return "a raw <script"
	}
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "style", "svg", "math", "base", "form", "meta", "link":
				return "element " + tok.Data
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") {
					return "event handler " + a.Key
				}
				if key == "style" && !tableAlign.MatchString(a.Val) || key == "srcdoc" || key == "formaction" {
					return "attribute " + a.Key
				}
				v := schemeOf(a.Val)
				switch {
				case strings.HasPrefix(v, "javascript:"), strings.HasPrefix(v, "vbscript:"):
					return "script URL in " + a.Key
				case strings.HasPrefix(v, "data:") && !(tok.Data == "img" && strings.HasPrefix(v, "data:image/") && !strings.HasPrefix(v, "data:image/svg")):
					return "data URL in " + a.Key
				}
			}
		}
	}
}

// tableAlign is the only style the renderer writes: table cell alignment.
var tableAlign = regexp.MustCompile(`^text-align:(left|right|center);?$`)

// schemeOf lowers an attribute value and drops what browsers ignore in a
// URL's scheme: leading blanks and control characters, tabs and newlines.
func schemeOf(v string) string {
	v = strings.TrimLeft(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20")
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	return strings.ToLower(v)
}

// TestAlignedTableIsNotActive checks the fuzz oracle itself: the alignment
// style of table cells is the one style attribute accepted.
func TestAlignedTableIsNotActive(t *testing.T) {
	out, err := New().HTML("| a | b |\n|:-|-:|\n| 1 | 2 |")
	if err != nil {
		t.Fatal(err)
	}
	if bad := activeContent(string(out)); bad != "" {
		t.Fatalf("%s: %s", out, bad)
	}
}
