package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"image"
	_ "image/png" // badge images: PNG sizes for oEmbed
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/model"
)

const (
	// SearchIndex is the file name of the catalogue's search index, one per
	// language, beside that language's home page.
	SearchIndex = "search.json"
	// OEmbedFile is the file name of a badge page's oEmbed document, beside
	// the page (one per language).
	OEmbedFile = "oembed.json"
	// snippetSize is the width and height of the image in Moodle snippets.
	snippetSize = 80
)

// searchEntry is one badge class in the search index.
type searchEntry struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	URL         string   `json:"url"`   // page path from the site root
	Image       string   `json:"image"` // path from the site root
	Space       string   `json:"space"` // slug
	SpaceName   string   `json:"spaceName"`
	Tags        []string `json:"tags"`
	Levels      []string `json:"levels"`
}

// searchIndex lists every badge class of every space in the view's
// language, in the order of the home page. Values are plain text: the page
// script inserts none of them as HTML. Only texts in the view's language
// are indexed: tags (never translated) and texts that fall back to the
// default language are left out of the other languages' indexes, so that
// an English search does not match French words.
func (v *langView) searchIndex() ([]byte, error) {
	entries := []searchEntry{}
	for _, sp := range v.site.Spaces {
		for _, b := range inFrameworkOrder(sp.Badges) {
			c := v.badgeCard(b)
			e := searchEntry{Name: c.Name, Description: c.Description, URL: c.URL, Image: c.Image, Space: sp.Slug, SpaceName: v.spaceName(sp), Tags: c.Tags, Levels: []string{}}
			if c.TagsLang != "" || e.Tags == nil {
				e.Tags = []string{}
			}
			if c.DescLang != "" {
				e.Description = ""
			}
			for _, lv := range c.Levels {
				e.Levels = append(e.Levels, lv.Name)
			}
			entries = append(entries, e)
		}
	}
	return jsonout.Marshal(map[string]any{"language": v.lang, "badges": entries})
}

// snippet is the HTML a teacher pastes into Moodle to tag a course with a
// badge: a link to the badge page around a small image, with absolute URLs
// and nothing else (no script, no style, no class), so that it survives
// Moodle's HTML filter. Every value is escaped.
func (v *langView) snippet(b *model.Badge, name string) string {
	l := v.r.layout
	alt := name + " — " + v.spaceName(b.Space)
	return fmt.Sprintf(`<a href="%s"><img src="%s" alt="%s" width="%d" height="%d"></a>`,
		attrEscaper.Replace(l.URL(l.BadgePage(b, v.lang))), attrEscaper.Replace(l.URL(l.BadgeImage(b))), attrEscaper.Replace(alt), snippetSize, snippetSize)
}

// attrEscaper escapes text for a double-quoted attribute value; apostrophes
// stay readable for the teachers who paste the snippet.
var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// oembed is a badge page's oEmbed document (https://oembed.com/, type
// "rich"): the Moodle snippet as html, the badge image as thumbnail.
func (v *langView) oembed(b *model.Badge) ([]byte, error) {
	l := v.r.layout
	t := v.text(model.Text{Name: b.Name}, b.Translations)
	w, h := imageSize(b.Image)
	return jsonout.Marshal(map[string]any{
		"version":          "1.0",
		"type":             "rich",
		"title":            t.Name,
		"author_name":      v.spaceName(b.Space),
		"author_url":       l.URL(l.SpacePage(b.Space, v.lang)),
		"provider_name":    v.siteTitle(),
		"provider_url":     l.URL(l.Home(v.lang)),
		"html":             v.snippet(b, t.Name),
		"width":            snippetSize,
		"height":           snippetSize,
		"thumbnail_url":    l.URL(l.BadgeImage(b)),
		"thumbnail_width":  w,
		"thumbnail_height": h,
	})
}

// imageSize reads the pixel size of a PNG, or the size an SVG declares
// (width/height, else its viewBox); snippetSize when unknown.
func imageSize(a *model.Asset) (int, int) {
	b, err := a.Read()
	if err != nil {
		return snippetSize, snippetSize
	}
	if a.Ext == ".png" {
		if c, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil {
			return c.Width, c.Height
		}
		return snippetSize, snippetSize
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	for {
		tok, err := dec.Token()
		if err != nil {
			return snippetSize, snippetSize
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, at := range se.Attr {
			attr[at.Name.Local] = at.Value
		}
		w, h := svgLength(attr["width"]), svgLength(attr["height"])
		if w > 0 && h > 0 {
			return w, h
		}
		if f := strings.Fields(strings.ReplaceAll(attr["viewBox"], ",", " ")); len(f) == 4 {
			vw, err1 := strconv.ParseFloat(f[2], 64)
			vh, err2 := strconv.ParseFloat(f[3], 64)
			if err1 == nil && err2 == nil && vw >= 1 && vh >= 1 {
				return int(vw + .5), int(vh + .5)
			}
		}
		return snippetSize, snippetSize
	}
}

var svgLengthRE = regexp.MustCompile(`^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$`)

func svgLength(s string) int {
	m := svgLengthRE.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return int(f + .5)
}

// Colours.

var hexColourRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// brand checks a space's colours again (they reach CSS) and picks the text
// colours that read on them: black or white, whichever contrasts more.
func brand(t model.SpaceTheme) *brandView {
	p, pok := rgb(t.Primary)
	a, aok := rgb(t.Accent)
	if !pok && !aok {
		return nil
	}
	if !pok {
		p, t.Primary = a, t.Accent
	}
	if !aok {
		a, t.Accent = p, t.Primary
	}
	bv := &brandView{
		Primary: template.CSS(strings.ToLower(t.Primary)), OnPrimary: onColour(p),
		Accent: template.CSS(strings.ToLower(t.Accent)), OnAccent: onColour(a),
	}
	// Links sit on white and on the tinted cards (#f3f4fb): the primary
	// colour becomes the link colour only where it reads on both.
	if tint, _ := rgb("#f3f4fb"); contrast(p, tint) >= 4.5 {
		bv.Link = bv.Primary
	}
	return bv
}

// rgb parses a #rgb or #rrggbb colour into linear-light components.
func rgb(s string) ([3]float64, bool) {
	if !hexColourRE.MatchString(s) {
		return [3]float64{}, false
	}
	h := s[1:]
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	var c [3]float64
	for i := range 3 {
		n, _ := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		x := float64(n) / 255
		if x <= 0.04045 {
			x /= 12.92
		} else {
			x = math.Pow((x+0.055)/1.055, 2.4)
		}
		c[i] = x
	}
	return c, true
}

// contrast is the WCAG 2 contrast ratio of two linear-light colours.
func contrast(a, b [3]float64) float64 {
	la := 0.2126*a[0] + 0.7152*a[1] + 0.0722*a[2]
	lb := 0.2126*b[0] + 0.7152*b[1] + 0.0722*b[2]
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func onColour(c [3]float64) template.CSS {
	if contrast(c, [3]float64{1, 1, 1}) >= contrast(c, [3]float64{}) {
		return "#ffffff"
	}
	return "#000000"
}
