// Package csvout is the one writer of CSV files meant for people: the jury
// reports of `blason report` and every export to come. Such files are
// opened in a spreadsheet, which runs any cell that looks like a formula
// (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`): a name typed by a student or a
// jury becomes code on the reader's machine (CSV injection, OWASP).
//
// The writer follows the OWASP CSV injection rules:
//
//   - a cell whose first character is `=`, `+`, `-`, `@`, a tab or a
//     carriage return (or a full-width `＝`, `＋`, `－`, `＠`), also after
//     leading spaces, line feeds or double quotes, is written with a single
//     quote in front (`'=HYPERLINK(…)`), which spreadsheets show as text;
//   - so is a cell where such a character starts what a spreadsheet could
//     read as another cell: after a field separator (`,`, `;` — the usual
//     separator of French spreadsheets —, a tab or `|`), again skipping
//     spaces and quotes;
//   - a cell holding a separator, a quote, a line break or leading or
//     trailing white space is written between double quotes (inner quotes
//     doubled, RFC 4180), so that it stays one cell whatever separator the
//     reader picks.
//
// Other cells are written as they are. Lines end with "\n". The quote is
// part of the cell: a program reading an export back sees it.
//
// The file is what French Excel opens as a table with a double click: UTF-8
// with a byte-order mark (without one, Excel reads Windows-1252 and
// mangles accents) and cells separated by semicolons (French Excel's list
// separator: with commas, every line lands in one cell). Blason's own
// readers (package content) accept such files back.
package csvout

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// Separator is the field separator of the files written.
const Separator = ';'

// BOM is the UTF-8 byte-order mark every file written starts with.
const BOM = "\ufeff"

// Writer writes CSV records for people. Its methods mirror encoding/csv's.
type Writer struct {
	w       *bufio.Writer
	err     error
	started bool
}

// NewWriter returns a writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Write writes one record, each cell neutralised and quoted as needed.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	if !w.started {
		w.started = true
		w.w.WriteString(BOM)
	}
	for i, cell := range record {
		if i > 0 {
			w.w.WriteByte(Separator)
		}
		cell = Neutralise(cell)
		if !needsQuotes(cell) {
			w.w.WriteString(cell)
			continue
		}
		w.w.WriteByte('"')
		w.w.WriteString(strings.ReplaceAll(cell, `"`, `""`))
		w.w.WriteByte('"')
	}
	_, w.err = w.w.WriteString("\n")
	return w.err
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() {
	if w.err == nil {
		w.err = w.w.Flush()
	}
}

// Error reports any error of a previous Write or Flush.
func (w *Writer) Error() error { return w.err }

// Neutralise returns cell with a single quote in front when a spreadsheet
// could read it, or a part of it after a field separator, as a formula.
func Neutralise(cell string) string {
	if dangerousAt(cell) {
		return "'" + cell
	}
	for i := 0; i < len(cell); i++ {
		if isSeparator(cell[i]) && dangerousAt(cell[i+1:]) {
			return "'" + cell
		}
	}
	return cell
}

// dangerousAt reports whether s starts, after spaces, line feeds and
// double quotes, with a character that makes a spreadsheet cell a formula.
func dangerousAt(s string) bool {
	for s != "" {
		r, n := utf8.DecodeRuneInString(s)
		switch r {
		case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
			return true
		case ' ', '\n', '\u00a0', '\u3000', '"':
			s = s[n:]
		default:
			return false
		}
	}
	return false
}

// isSeparator reports whether c separates cells for some spreadsheet.
func isSeparator(c byte) bool { return c == ',' || c == ';' || c == '\t' || c == '|' }

// needsQuotes reports whether cell must be written between double quotes.
func needsQuotes(cell string) bool {
	if cell == "" {
		return false
	}
	if strings.ContainsAny(cell, "\",;\t|\r\n") {
		return true
	}
	first, _ := utf8.DecodeRuneInString(cell)
	last, _ := utf8.DecodeLastRuneInString(cell)
	return first == ' ' || last == ' ' || first == '\u00a0' || last == '\u00a0'
}
