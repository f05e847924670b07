// Package markdown renders the Markdown of badge criteria and descriptions
// to safe HTML (raw HTML in the source is not passed through).
package markdown

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer converts Markdown to HTML. It is safe for concurrent use.
type Renderer struct {
	md goldmark.Markdown
}

// New returns a renderer with GitHub-flavoured tables, strikethrough and
// autolinks. Raw HTML is omitted.
func New() *Renderer {
	return &Renderer{md: goldmark.New(goldmark.WithExtensions(extension.GFM))}
}

// HTML renders src.
func (r *Renderer) HTML(src string) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.md.Convert([]byte(src), &b); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // goldmark escapes raw HTML by default
}
