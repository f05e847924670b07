package sitetest

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/francebadge/blason/internal/browsertest"
)

// pageTypes returns one page of every type in lang, by name.
func pageTypes(t *testing.T, d *Demo, lang string) map[string]string {
	t.Helper()
	prefix := ""
	if lang != d.Site.Languages[0] {
		prefix = lang + "/"
	}
	pages := map[string]string{
		"home":      d.Layout.Home(lang),
		"space":     d.Layout.SpacePage(d.Space("universite"), lang),
		"badge":     d.Layout.BadgePage(d.Badge("universite", "tutorat"), lang),
		"dashboard": prefix + "dashboards/",
		"passport":  prefix + "passport/etudiante-fictive-1008/",
		"award":     awardPage(t, d, lang),
	}
	if len(d.Site.Frameworks) > 0 {
		pages["framework"] = d.Layout.FrameworkPage(d.Site.Frameworks[0], lang)
	}
	if len(d.Site.Templates) > 0 {
		pages["template"] = d.Layout.TemplatePage(d.Site.Templates[0], lang)
	}
	if len(pages) != 8 {
		t.Fatalf("the demo lacks a page type: %v", pages)
	}
	return pages
}

// awardPage is the page of a valid award of the demo in lang (award pages
// are published for the awards shown on passports).
func awardPage(t *testing.T, d *Demo, lang string) string {
	t.Helper()
	prefix := ""
	if lang != d.Site.Languages[0] {
		prefix = lang + "/"
	}
	m, _ := filepath.Glob(filepath.Join(d.Dest, filepath.FromSlash(prefix), "universite", "awards", "*", "*", "index.html"))
	for _, f := range m {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(`<article class="award status-valid">`)) {
			rel, _ := filepath.Rel(d.Dest, filepath.Dir(f))
			return filepath.ToSlash(rel) + "/"
		}
	}
	t.Fatalf("no page of a valid award in %s", lang)
	return ""
}

func get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %s", u, resp.Status)
	}
	return resp, b
}

// head lists the <meta> and <link> elements of a page's head: key
// (property or name, or "link:"+rel) → values, in order.
func head(t *testing.T, page []byte) map[string][]string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "meta" || n.Data == "link") {
			a := map[string]string{}
			for _, at := range n.Attr {
				a[at.Key] = at.Val
			}
			switch {
			case n.Data == "link" && a["rel"] != "":
				out["link:"+a["rel"]] = append(out["link:"+a["rel"]], a["href"])
			case a["property"] != "":
				out[a["property"]] = append(out[a["property"]], a["content"])
			case a["name"] != "":
				out[a["name"]] = append(out[a["name"]], a["content"])
			}
		}
		if n.Type == html.ElementNode && n.Data == "body" {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// TestSocialHeads: every page type, in both languages, has one canonical
// link, a description, Open Graph tags whose image is a 1200×630 PNG of
// the site, and an X large-image card.
func TestSocialHeads(t *testing.T) {
	t.Parallel()
	d := Shared(t)
	locales := map[string]string{"fr": "fr_FR", "en": "en_GB"}
	cards := map[string]bool{}
	for _, lang := range d.Site.Languages {
		for name, p := range pageTypes(t, d, lang) {
			t.Run(name+"-"+lang, func(t *testing.T) {
				_, page := get(t, d.URL(p))
				h := head(t, page)
				one := func(k string) string {
					t.Helper()
					if len(h[k]) != 1 || strings.TrimSpace(h[k][0]) == "" {
						t.Errorf("%s: %s %q, want exactly one, not empty", p, k, h[k])
						return ""
					}
					return h[k][0]
				}
				canonical := one("link:canonical")
				for _, k := range []string{"description", "og:title", "og:description", "og:type", "og:site_name", "og:image:alt"} {
					one(k)
				}
				if name != "passport" && canonical != d.URL(p) {
					t.Errorf("%s: canonical %q", p, canonical)
				}
				if u := one("og:url"); u != canonical {
					t.Errorf("%s: og:url %q, canonical %q", p, u, canonical)
				}
				if l := one("og:locale"); l != locales[lang] {
					t.Errorf("%s: og:locale %q", p, l)
				}
				if c := one("twitter:card"); c != "summary_large_image" {
					t.Errorf("%s: twitter:card %q", p, c)
				}
				if w, hh := one("og:image:width"), one("og:image:height"); w != "1200" || hh != "630" {
					t.Errorf("%s: og:image size %sx%s", p, w, hh)
				}
				img := one("og:image")
				if !strings.HasPrefix(img, d.Base) || !strings.HasSuffix(img, ".png") {
					t.Fatalf("%s: og:image %q is not a PNG of the site", p, img)
				}
				if !cards[img] {
					resp, b := get(t, img)
					if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
						t.Errorf("%s: served as %q", img, ct)
					}
					m, err := png.Decode(bytes.NewReader(b))
					if err != nil || m.Bounds().Dx() != 1200 || m.Bounds().Dy() != 630 {
						t.Errorf("%s: not a 1200×630 PNG (%v)", img, err)
					}
					cards[img] = true
				}
			})
		}
	}
}

// TestShareLinks: badge and award pages share their own address, encoded,
// through links only (no third-party script); the copy field holds it.
func TestShareLinks(t *testing.T) {
	t.Parallel()
	d := Shared(t)
	for _, lang := range d.Site.Languages {
		pages := pageTypes(t, d, lang)
		for _, name := range []string{"badge", "award"} {
			p := pages[name]
			_, page := get(t, d.URL(p))
			self := d.URL(p)
			doc, err := html.Parse(bytes.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			links, inputs, scripts := map[string]string{}, map[string]string{}, []string{}
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode {
					a := map[string]string{}
					for _, at := range n.Attr {
						a[at.Key] = at.Val
					}
					switch n.Data {
					case "a":
						if u, err := url.Parse(a["href"]); err == nil && u.Scheme != "" {
							links[u.Scheme+":"+u.Host+u.Path] = a["href"]
						}
					case "input":
						inputs[a["id"]] = a["value"]
					case "script":
						scripts = append(scripts, a["src"])
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			query := func(key string) url.Values {
				t.Helper()
				raw, ok := links[key]
				if !ok {
					t.Fatalf("%s: no %s link", p, key)
				}
				u, _ := url.Parse(raw)
				return u.Query()
			}
			if q := query("https:www.linkedin.com/sharing/share-offsite/"); q.Get("url") != self {
				t.Errorf("%s: LinkedIn shares %q", p, q.Get("url"))
			}
			if q := query("https:x.com/intent/post"); q.Get("url") != self || q.Get("text") == "" {
				t.Errorf("%s: X shares %v", p, q)
			}
			mail := links["mailto:"]
			if mail == "" || strings.Contains(mail, "+") {
				t.Errorf("%s: e-mail link %q (spaces must be %%20 in mailto:)", p, mail)
			} else if q, err := url.ParseQuery(strings.TrimPrefix(mail, "mailto:?")); err != nil || !strings.Contains(q.Get("body"), self) || q.Get("subject") == "" {
				t.Errorf("%s: e-mail link %q", p, mail)
			}
			if inputs["share-url"] != self {
				t.Errorf("%s: copy field holds %q", p, inputs["share-url"])
			}
			for _, s := range scripts {
				if !strings.HasPrefix(s, "/") {
					t.Errorf("%s: third-party script %q", p, s)
				}
			}
			if name == "award" {
				if q := query("https:www.linkedin.com/profile/add"); q.Get("certUrl") != self || q.Get("organizationName") == "" && q.Get("organizationId") == "" {
					t.Errorf("%s: add-to-profile link %v", p, q)
				}
			}
		}
	}
}

var pdfPageRE = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestCertificatePrintsOnOnePage: an award page printed on A4 (Chromium's
// print emulation) is one page, with the QR code of its address and the
// address itself, without the site's navigation or the share links; on
// screen the page stays free of serious accessibility problems and the
// print and copy buttons work.
func TestCertificatePrintsOnOnePage(t *testing.T) {
	exe := browsertest.Chromium(t)
	axe := browsertest.AxeSource(t)
	d := Shared(t)
	ctx := browsertest.Context(t, exe, 3*time.Minute)
	rec := browsertest.Record(ctx)
	out := browsertest.Artefacts(t)
	for _, lang := range d.Site.Languages {
		p := awardPage(t, d, lang)
		self := d.URL(p)
		// On a phone, then on a desktop screen: no serious accessibility
		// problem, nothing wider than the screen.
		for _, w := range []int64{390, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 844, chromedp.EmulateScale(2)), chromedp.Navigate(self)); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			vs, err := browsertest.Axe(ctx, axe)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s at %d px: axe %s (%s): %s\n\t%s", p, w, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
				}
			}
			if wide := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
				t.Errorf("%s: wider than a %d px screen", p, w)
			}
		}
		if shown := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("button[data-print], button[data-copy=share-url]")].filter(b => !b.hidden).length + ""`); shown != "2" {
			t.Errorf("%s: %s of the print and copy buttons shown", p, shown)
		}
		pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
		if err != nil {
			t.Fatalf("%s: printing: %v", p, err)
		}
		if err := os.WriteFile(filepath.Join(out, "certificate-"+lang+".pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if n := len(pdfPageRE.FindAll(pdf, -1)); n != 1 {
			t.Errorf("%s prints on %d pages, want 1", p, n)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		got := browsertest.Eval[string](t, ctx, `[
			getComputedStyle(document.querySelector("header.site")).display,
			getComputedStyle(document.querySelector(".share")).display,
			getComputedStyle(document.querySelector(".certificate-verify")).display,
			Math.round(document.querySelector(".certificate-qr svg").getBoundingClientRect().width) > 100 ? "qr" : "no qr",
			document.querySelector(".certificate-url").textContent
		].join(" ")`)
		if want := "none none flex qr " + self; got != want {
			t.Errorf("%s in print: %q, want %q", p, got, want)
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
		if disp := browsertest.Eval[string](t, ctx, `getComputedStyle(document.querySelector(".certificate-verify")).display`); disp != "none" {
			t.Errorf("%s: the certificate block shows on screen (%s)", p, disp)
		}
	}
	errs, dialogs := rec.Take()
	for _, p := range append(errs, dialogs...) {
		t.Errorf("console: %s", p)
	}
}
