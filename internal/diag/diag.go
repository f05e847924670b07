// Package diag collects content problems as file:line diagnostics with a
// hint, so that a build reports every problem at once.
package diag

import (
	"fmt"
	"github.com/francebadge/blason/internal/i18n"
	"sort"
	"strings"
)

// Diagnostic is one problem found in a source file.
type Diagnostic struct {
	File string // path relative to the source folder, slash-separated
	Line int    // 1-based; 0 when the problem concerns the whole file
	Msg  string // what is wrong
	Hint string // how to fix it; may be empty

	format string // Msg's English format and arguments, for translation
	args   []any
}

func (d Diagnostic) String() string { return d.Localize(i18n.English) }

// Localize writes the diagnostic in language l: the message from its
// format (when it was recorded with one), the hint by the catalogue's
// patterns (internal/i18n).
func (d Diagnostic) Localize(l i18n.Lang) string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
	}
	b.WriteString(": ")
	switch {
	case l == i18n.English:
		b.WriteString(d.Msg)
	case d.format != "":
		// A format with no entry of its own ("%s" of an error's problem)
		// is translated by pattern once formatted.
		msg := l.Sprintf(d.format, d.args...)
		if msg == d.Msg {
			msg = l.Translate(d.Msg)
		}
		b.WriteString(msg)
	default:
		b.WriteString(l.Translate(d.Msg))
	}
	if d.Hint != "" {
		if l == i18n.French {
			b.WriteString("\n\tconseil : ")
		} else {
			b.WriteString("\n\thint: ")
		}
		b.WriteString(l.Translate(d.Hint))
	}
	return b.String()
}

// List accumulates diagnostics. Its zero value is ready to use.
type List struct {
	items []Diagnostic
}

// Add records a problem.
func (l *List) Add(file string, line int, hint, format string, args ...any) {
	l.items = append(l.items, Diagnostic{File: file, Line: line, Msg: fmt.Sprintf(format, args...), Hint: hint, format: format, args: args})
}

// Append adds every problem of other.
func (l *List) Append(other *List) {
	l.items = append(l.items, other.items...)
}

// Len reports how many problems were recorded.
func (l *List) Len() int { return len(l.items) }

// Items returns the problems sorted by file then line.
func (l *List) Items() []Diagnostic {
	out := append([]Diagnostic(nil), l.items...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// Err returns nil when no problem was recorded, else an *Error holding them all.
func (l *List) Err() error {
	if len(l.items) == 0 {
		return nil
	}
	return &Error{Items: l.Items()}
}

// Error is returned by a stage that found problems in the content.
type Error struct {
	Items []Diagnostic
}

func (e *Error) Error() string { return e.Localize(i18n.English) }

// Localize writes every diagnostic and the closing count in language l.
func (e *Error) Localize(l i18n.Lang) string {
	var b strings.Builder
	for i, d := range e.Items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Localize(l))
	}
	b.WriteByte('\n')
	b.WriteString(l.Sprintf("%d problem(s) found; nothing was written", len(e.Items)))
	return b.String()
}
