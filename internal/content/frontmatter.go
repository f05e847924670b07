package content

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/diag"
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
	b, err := l.readLimited(path, MaxPageFile) // an oversized file is not read whole
	if l.refused(err) {
		return nil
	}
	big := errors.Is(err, errTooLarge)
	if err != nil && !big {
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
	tooBig := func(off int, what string, limit int) {
		line, key := lineAt(b, off)
		at := ""
		if key != "" {
			at = fmt.Sprintf(" (at key %s)", key)
		}
		l.diags.Add(rel, line, "names hold at most "+count(MaxName)+" characters, descriptions "+count(MaxDescription)+
			", the Markdown body "+count(MaxBody)+"; "+limitsHint, "%s longer than %d KiB%s", what, limit>>10, at)
	}
	var front, body []byte
	if bytes.HasPrefix(rest, []byte("---\n")) || bytes.Equal(rest, []byte("---")) {
		front, body = nil, rest[min(len(rest), 4):]
	} else if i := bytes.Index(rest, []byte("\n---\n")); i >= 0 {
		front, body = rest[:i+1], rest[i+5:]
	} else if bytes.HasSuffix(rest, []byte("\n---")) && !big {
		front, body = rest[:len(rest)-3], nil
	} else if len(rest) > MaxFrontMatter {
		tooBig(4+MaxFrontMatter, "front matter", MaxFrontMatter)
		return nil
	} else {
		l.diags.Add(rel, 1, "close the front matter with a line `---`", "unterminated front matter")
		return nil
	}
	switch {
	case len(front) > MaxFrontMatter:
		tooBig(4+MaxFrontMatter, "front matter", MaxFrontMatter)
		return nil
	case big:
		tooBig(MaxPageFile, "file", MaxPageFile)
		return nil
	}
	doc := yamlx.Parse(rel, 1, front, l.diags)
	if doc == nil {
		return nil
	}
	if !doc.Decode(fm, l.diags) {
		return nil // the front matter could not be read: checking its content would only add noise
	}
	checkLimits(doc, l.diags)
	text := bytes.TrimSpace(body)
	if tooLong(string(text), MaxBody) {
		line := 3 + bytes.Count(front, []byte("\n")) + bytes.Count(body[:bytes.Index(body, text)], []byte("\n"))
		l.diags.Add(rel, line, fmt.Sprintf("shorten it to at most %s characters, or link to a page holding the details (%s)", count(MaxBody), limitsHint),
			"the Markdown body is %s characters long, more than %s", count(utf8.RuneCountInString(string(text))), count(MaxBody))
	}
	return &page{doc: doc, body: string(text)}
}

// addAt records a problem at a front-matter key.
func addAt(d *diag.List, p *page, hint string, key []string, format string, args ...any) {
	d.Add(p.doc.File, p.doc.Line(key...), hint, format, args...)
}
