package content

import (
	"bytes"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/yamlx"
)

// page is a Markdown file with YAML front matter.
type page struct {
	doc  *yamlx.Doc
	body string
}

// readPage reads a Markdown file whose front matter sits between two "---"
// lines at the top, and decodes the front matter into fm.
func (l *loader) readPage(path string, fm any) *page {
	rel := l.rel(path)
	b, err := safefs.ReadFile(l.src, path)
	if l.refused(err) {
		return nil
	}
	if err != nil {
		l.diags.Add(rel, 0, "", "cannot read: %v", err)
		return nil
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(b, []byte("---\n"))
	if !ok {
		l.diags.Add(rel, 1, "start the file with a line `---`, the YAML front matter, then another `---`", "missing front matter")
		return nil
	}
	var front, body []byte
	if bytes.HasPrefix(rest, []byte("---\n")) || bytes.Equal(rest, []byte("---")) {
		front, body = nil, rest[min(len(rest), 4):]
	} else if i := bytes.Index(rest, []byte("\n---\n")); i >= 0 {
		front, body = rest[:i+1], rest[i+5:]
	} else if bytes.HasSuffix(rest, []byte("\n---")) {
		front, body = rest[:len(rest)-3], nil
	} else {
		l.diags.Add(rel, 1, "close the front matter with a line `---`", "unterminated front matter")
		return nil
	}
	doc := yamlx.Parse(rel, 1, front, l.diags)
	if doc == nil {
		return nil
	}
	if !doc.Decode(fm, l.diags) {
		return nil // the front matter could not be read: checking its content would only add noise
	}
	return &page{doc: doc, body: string(bytes.TrimSpace(body))}
}

// addAt records a problem at a front-matter key.
func addAt(d *diag.List, p *page, hint string, key []string, format string, args ...any) {
	d.Add(p.doc.File, p.doc.Line(key...), hint, format, args...)
}
