// Package diag collects content problems as file:line diagnostics with a
// hint, so that a build reports every problem at once.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Diagnostic is one problem found in a source file.
type Diagnostic struct {
	File string // path relative to the source folder, slash-separated
	Line int    // 1-based; 0 when the problem concerns the whole file
	Msg  string // what is wrong
	Hint string // how to fix it; may be empty
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
	}
	b.WriteString(": ")
	b.WriteString(d.Msg)
	if d.Hint != "" {
		b.WriteString("\n\thint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// List accumulates diagnostics. Its zero value is ready to use.
type List struct {
	items []Diagnostic
}

// Add records a problem.
func (l *List) Add(file string, line int, hint, format string, args ...any) {
	l.items = append(l.items, Diagnostic{File: file, Line: line, Msg: fmt.Sprintf(format, args...), Hint: hint})
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

func (e *Error) Error() string {
	var b strings.Builder
	for i, d := range e.Items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	fmt.Fprintf(&b, "\n%d problem(s) found; nothing was written", len(e.Items))
	return b.String()
}
