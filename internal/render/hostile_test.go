package render

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/francebadge/blason/internal/browsertest"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Hostile texts a content author (or an attacker who got a file into
// content/) could write. Every page must show them as text.
const (
	hostileSite  = `Blason <script>alert("site")</script>`
	hostileSpace = `École <script>alert("space")</script> "><img src=x onerror=alert("space2")>`
	hostileBadge = `Badge "><img src=x onerror=alert("badge")> <script>alert("badge2")</script>`
	hostileLevel = `Niveau "cité" l'apostrophe "><svg onload=alert("level")>`
	hostileEN    = `EN <script>alert("en")</script> '><img src=x onerror=alert("en2")>`
	hostileMD    = `Critères <script>alert("md1")</script>

<img src=x onerror=alert("md2")>

<a href="javascript:alert('md3')">lien brut</a> <iframe src="javascript:alert('md4')"></iframe>

[lien](javascript:alert('md5')) [maj](JaVaScRiPt:alert('md6')) [entité](&#106;avascript:alert('md7')) ![image](javascript:alert('md8'))

<javascript:alert('md9')> [espace]( javascript:alert('md10')) [tab](java	script:alert('md11'))

<div onclick="alert('md12')" style="background:url(javascript:alert('md13'))">div</div>
`
)

// yamlQuote writes s as a YAML single-quoted scalar.
func yamlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func hostileFiles() map[string]string {
	indent := func(s string) string { return "      " + strings.ReplaceAll(s, "\n", "\n      ") }
	return map[string]string{
		"blason.yaml": "title: " + yamlQuote(hostileSite) + "\nbaseURL: " + testBase + "\n",
		"content/ecole/_space.md": "---\nname: " + yamlQuote(hostileSpace) + "\nlegalName: " + yamlQuote(`"><img src=x onerror=alert("legal")>`) +
			"\nurl: https://www.ecole.example/\nemail: badges@ecole.example\ncontact: " + yamlQuote(`<img src=x onerror=alert("contact")> javascript:alert(1)`) +
			"\ntheme: {primary: \"#123\", accent: \"#ffcc00\"}\ntranslations:\n  en:\n    name: " + yamlQuote(hostileEN) + "\n---\n" + hostileMD,
		"content/ecole/badges/hostile.svg": testSVG,
		"content/ecole/badges/hostile.md": "---\nname: " + yamlQuote(hostileBadge) + "\ndescription: " + yamlQuote(`Desc <script>alert("desc")</script> javascript:alert(1)`) +
			"\nimage: hostile.svg\ntags: [" + yamlQuote(`<b onmouseover=alert("tag")>x</b>`) + "]\nalignments:\n  - targetName: " + yamlQuote(`<script>alert("al")</script>`) +
			"\n    targetUrl: https://ref.example/c1\n    targetFramework: " + yamlQuote(`"><img src=x onerror=alert("fw")>`) +
			"\nlevels:\n  - id: un\n    name: " + yamlQuote(hostileLevel) + "\n    description: " + yamlQuote(`<script>alert("ld")</script>`) +
			"\n    criteria: |\n" + indent(hostileMD) + "\ntranslations:\n  en:\n    name: " + yamlQuote(hostileEN) + "\n---\n" + hostileMD,
		"content/ecole/badges/plain.svg": testSVG,
		"content/ecole/badges/plain.md":  "---\nname: Plain\ndescription: A plain badge.\nimage: plain.svg\n---\n" + hostileMD,
	}
}

// TestHostileContentIsInert renders a site whose names, descriptions,
// criteria, tags and levels carry scripts, event handlers and javascript:
// links, and checks every page (parsed as browsers do) and the JSON
// outputs: no script but the theme's, no event handler attribute, no
// javascript: URL, no foreign image or frame — and the texts still shown.
func TestHostileContentIsInert(t *testing.T) {
	dir, site := loadSite(t, hostileFiles())
	files := renderSite(t, dir, site)
	pages := htmlPages(files)
	if len(pages) != 10 { // home, space, 2 badges, verify; fr and en
		t.Fatalf("%d pages: %v", len(pages), pages)
	}
	for _, p := range pages {
		checkInert(t, p, files[p])
	}

	// The texts are shown, escaped, not dropped.
	badgePage := string(files["ecole/badges/hostile/index.html"])
	for _, want := range []string{hostileBadge, hostileLevel, hostileSpace, `<img src=x onerror=alert("md2")>`} {
		if !strings.Contains(textOf(t, badgePage), want) {
			t.Errorf("badge page does not show %q as text", want)
		}
	}
	if !strings.Contains(textOf(t, string(files["en/ecole/badges/hostile/index.html"])), hostileEN) {
		t.Errorf("English badge page does not show %q as text", hostileEN)
	}

	// Search index: plain strings, exactly the names.
	var idx struct {
		Badges []searchEntry `json:"badges"`
	}
	if err := json.Unmarshal(files["search.json"], &idx); err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(idx.Badges, func(e searchEntry) bool { return e.Name == hostileBadge }); i < 0 || idx.Badges[i].SpaceName != hostileSpace || idx.Badges[i].Levels[0] != hostileLevel {
		t.Errorf("search index does not hold the names as plain text: %+v", idx.Badges)
	}

	// oEmbed and the Moodle snippet: one link around one image, nothing else.
	for _, lang := range []string{"", "en/"} {
		var oe map[string]any
		if err := json.Unmarshal(files[lang+"ecole/badges/hostile/oembed.json"], &oe); err != nil {
			t.Fatal(err)
		}
		snippet, _ := oe["html"].(string)
		checkSnippet(t, snippet)
		title := hostileBadge
		if lang == "en/" {
			title = hostileEN
		}
		if oe["title"] != title || oe["type"] != "rich" || oe["version"] != "1.0" {
			t.Errorf("oEmbed %s: title %q type %q version %q", lang, oe["title"], oe["type"], oe["version"])
		}
		page := parse(t, string(files[lang+"ecole/badges/hostile/index.html"]))
		area := find(page, func(n *html.Node) bool { return n.Data == "textarea" && attr(n, "id") == "snippet" })
		if area == nil || area.FirstChild == nil || area.FirstChild.Data != snippet {
			t.Errorf("%s badge page: the textarea does not hold the oEmbed snippet", lang)
		}
	}
}

// TestHostileContentInChromium opens every page of the hostile site in
// Chromium: no dialog opens, no inline script exists in the DOM.
func TestHostileContentInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	dir, site := loadSite(t, hostileFiles())
	files := renderSite(t, dir, site)
	mfs := fstest.MapFS{}
	for p, b := range files {
		mfs[p] = &fstest.MapFile{Data: b}
	}
	srv := httptest.NewServer(http.FileServerFS(mfs))
	t.Cleanup(srv.Close)
	ctx := browsertest.Context(t, exe, 2*time.Minute)
	rec := browsertest.Record(ctx)
	for _, p := range htmlPages(files) {
		u := srv.URL + "/" + strings.TrimSuffix(p, "index.html")
		if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		// Hover and click everything, for handlers that need an event.
		const poke = `new Promise(ok => { for (const el of document.querySelectorAll("body *")) { el.dispatchEvent(new MouseEvent("mouseover", {bubbles: true})); } for (const el of document.querySelectorAll("main div, main b, main p")) { if (!el.closest("a, button")) el.click(); } setTimeout(() => ok(document.querySelectorAll("script:not([src])").length), 300); })`
		inline, err := chromedp.Run(ctx, chromedp.Evaluate[int](poke, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if inline != 0 {
			t.Errorf("%s: %d inline scripts in the DOM", p, inline)
		}
		if _, dialogs := rec.Take(); len(dialogs) > 0 {
			t.Errorf("%s: dialogs opened: %q", p, dialogs)
		}
	}
}

func parse(t *testing.T, src string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func find(n *html.Node, f func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && f(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if m := find(c, f); m != nil {
			return m
		}
	}
	return nil
}

// textOf returns the text a reader sees (text nodes outside script/style).
func textOf(t *testing.T, src string) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "textarea") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(parse(t, src))
	return b.String()
}

// dangerousURL reports a URL a browser would run or that loads a document:
// javascript:, vbscript:, data: other than images, after the clean-up
// browsers do (control characters and spaces ignored, case folded).
func dangerousURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(v))
	return strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || (strings.HasPrefix(v, "data:") && !strings.HasPrefix(v, "data:image/"))
}

var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true, "poster": true, "data": true, "cite": true, "background": true, "srcset": true}

// checkInert fails on anything in a page that could run code or load a
// foreign resource.
func checkInert(t *testing.T, name string, page []byte) {
	t.Helper()
	doc := parse(t, string(page))
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				if src := attr(n, "src"); !strings.HasSuffix(src, "/assets/blason.js") && !strings.HasSuffix(src, "/assets/reverify.js") || !strings.HasPrefix(src, "/") || n.FirstChild != nil {
					t.Errorf("%s: script element %q not the theme's", name, src+textOfNode(n))
				}
			case "iframe", "object", "embed", "svg", "math", "base", "frame", "frameset":
				t.Errorf("%s: %s element", name, n.Data)
			case "img":
				if src := attr(n, "src"); src == "x" { // raw HTML <img src=x onerror=…> went through
					t.Errorf("%s: image from %q", name, src)
				}
			case "style":
				if n.Parent == nil || n.Parent.Data != "head" {
					t.Errorf("%s: style element outside head", name)
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("%s: <%s %s=%q>", name, n.Data, a.Key, a.Val)
				}
				if a.Key == "style" {
					t.Errorf("%s: <%s style=%q>", name, n.Data, a.Val)
				}
				if urlAttrs[strings.ToLower(a.Key)] && dangerousURL(a.Val) {
					t.Errorf("%s: <%s %s=%q>", name, n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func textOfNode(n *html.Node) string {
	var b bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(c.Data)
	}
	return b.String()
}

// checkSnippet checks a Moodle snippet: exactly <a href><img src alt width
// height></a> with absolute URLs under the site, nothing else.
func checkSnippet(t *testing.T, snippet string) {
	t.Helper()
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(snippet), body)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 || nodes[0].Data != "a" || len(nodes[0].Attr) != 1 || nodes[0].Attr[0].Key != "href" ||
		!strings.HasPrefix(nodes[0].Attr[0].Val, testBase) {
		t.Fatalf("snippet is not one link to the site: %s", snippet)
	}
	img := nodes[0].FirstChild
	if img == nil || img.NextSibling != nil || img.Data != "img" || img.FirstChild != nil {
		t.Fatalf("snippet link does not hold exactly one image: %s", snippet)
	}
	var keys []string
	for _, a := range img.Attr {
		keys = append(keys, a.Key)
	}
	if strings.Join(keys, " ") != "src alt width height" || !strings.HasPrefix(attr(img, "src"), testBase) {
		t.Errorf("snippet image attributes %v: %s", keys, snippet)
	}
	if !strings.Contains(attr(img, "alt"), "<script>") {
		t.Errorf("snippet alt text lost the name: %q", attr(img, "alt"))
	}
}
