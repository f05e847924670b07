package markdown

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// PlainText returns the text of src without its markup, for JSON documents
// whose fields are plain text (Open Badges descriptions): emphasis, links
// and headings keep their words, list items keep a "- " or "1. " marker,
// table cells are joined by " | ", blocks are separated by a blank line,
// and raw HTML is dropped. Backslash escapes and character references are
// resolved.
func (r *Renderer) PlainText(src string) string {
	source := []byte(src)
	doc := r.md.Parser().Parse(text.NewReader(source))
	p := plain{src: source}
	p.blocks(doc, "")
	return strings.TrimSpace(p.b.String())
}

type plain struct {
	src []byte
	b   strings.Builder
}

// blocks writes the block children of n, each followed by a blank line;
// indent prefixes the lines of nested list content.
func (p *plain) blocks(n ast.Node, indent string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		p.block(c, indent)
	}
}

func (p *plain) block(n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.Heading:
		p.b.WriteString(indent)
		p.inlines(n, indent)
		p.b.WriteString("\n\n")
	case *ast.TextBlock: // the text of a tight list item
		p.b.WriteString(indent)
		p.inlines(n, indent)
		p.b.WriteString("\n")
	case *ast.List:
		for i, it := 0, n.FirstChild(); it != nil; i, it = i+1, it.NextSibling() {
			marker := "- "
			if n.IsOrdered() {
				marker = strconv.Itoa(n.Start+i) + ". "
			}
			p.b.WriteString(indent + marker)
			// The item's first block starts on the marker's line.
			first := true
			for c := it.FirstChild(); c != nil; c = c.NextSibling() {
				in := indent + strings.Repeat(" ", len(marker))
				if first {
					in, first = "", false
				}
				p.block(c, in)
			}
		}
		p.b.WriteString("\n")
	case *ast.Blockquote:
		p.blocks(n, indent)
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			p.b.WriteString(indent)
			p.b.Write(seg.Value(p.src))
		}
		p.b.WriteString("\n")
	case *east.Table:
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			p.b.WriteString(indent)
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				if cell != row.FirstChild() {
					p.b.WriteString(" | ")
				}
				p.inlines(cell, indent)
			}
			p.b.WriteString("\n")
		}
		p.b.WriteString("\n")
	case *ast.HTMLBlock, *ast.ThematicBreak:
		// Markup only.
	default:
		p.blocks(n, indent)
	}
}

// inlines writes the text of the inline children of n.
func (p *plain) inlines(n ast.Node, indent string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			p.b.Write(resolve(c.Segment.Value(p.src), !c.IsRaw()))
			switch {
			case c.HardLineBreak():
				p.b.WriteString("\n" + indent)
			case c.SoftLineBreak():
				p.b.WriteString(" ")
			}
		case *ast.String:
			p.b.Write(resolve(c.Value, !c.IsRaw() && !c.IsCode()))
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if s, ok := t.(*ast.Text); ok {
					p.b.Write(s.Segment.Value(p.src))
				} else if s, ok := t.(*ast.String); ok {
					p.b.Write(s.Value)
				}
			}
		case *ast.AutoLink:
			p.b.Write(c.Label(p.src))
		case *ast.RawHTML:
			// Markup only.
		case *east.TaskCheckBox:
			if c.IsChecked {
				p.b.WriteString("[x] ")
			} else {
				p.b.WriteString("[ ] ")
			}
		default: // emphasis, links, images (their alt text), strikethrough
			p.inlines(c, indent)
		}
	}
}

// resolve undoes backslash escapes and character references, as an HTML
// renderer does when it writes text.
func resolve(b []byte, escapes bool) []byte {
	if !escapes {
		return b
	}
	b = util.UnescapePunctuations(b)
	b = util.ResolveNumericReferences(b)
	return util.ResolveEntityNames(b)
}
