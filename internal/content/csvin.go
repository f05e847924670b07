package content

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The encodings a CSV file of the content may be written in, as named in
// messages: what Excel and student-information systems save.
const (
	encASCII   = "ASCII" // nothing but ASCII read so far: UTF-8 and Windows-1252 agree
	encUTF8    = "UTF-8"
	encUTF8BOM = "UTF-8 (BOM)"
	encCP1252  = "Windows-1252"
	encUTF16LE = "UTF-16 LE"
	encUTF16BE = "UTF-16 BE"
)

// saveAsHint says how to save a spreadsheet as a CSV file Blason reads.
const saveAsHint = "in Excel: File → Save As → \"CSV UTF-8 (Comma delimited)\" (in French: Enregistrer sous → \"CSV UTF-8 (délimité par des virgules)\"); in LibreOffice: Save As → Text CSV, character set Unicode (UTF-8)"

// EncodingError reports a CSV file that is not text in an accepted
// encoding, at the line of the first offending byte.
type EncodingError struct {
	Line    int
	Problem string // what is wrong, an English format with Args
	Args    []any
	Hint    string
}

func (e *EncodingError) Error() string { return fmt.Sprintf(e.Problem, e.Args...) }

// decoder turns a CSV file into UTF-8 text, whatever the encoding it was
// saved in: UTF-8 with or without a byte-order mark, UTF-16 with a
// byte-order mark (Excel's "Unicode text"), or Windows-1252 (and so
// Latin-1, its subset as far as printable characters go: Excel's "CSV
// (separator: semicolon)" on a French Windows). A file without a BOM is
// read as UTF-8 until its first non-ASCII byte: if that byte starts a
// valid UTF-8 sequence the file is UTF-8 (and any later invalid sequence
// an error: the file mixes encodings), otherwise it is Windows-1252.
//
// Line breaks are kept as they are, so line numbers do not change. No
// control character (but tab, carriage return and line feed), no byte
// undefined in Windows-1252 and no U+FFFD (the mark of an earlier lossy
// conversion) passes: they are errors at their line, and nothing after
// them is read.
type decoder struct {
	src  *bufio.Reader
	enc  string
	line int
	err  error
	init bool
	raw  io.Reader
	pend []byte // decoded bytes not yet handed out (a short Read)
}

func newDecoder(r io.Reader) *decoder { return &decoder{raw: r, line: 1} }

// name is the encoding found so far.
func (d *decoder) name() string {
	if d.enc == "" {
		return encASCII
	}
	return d.enc
}

// start looks at the first bytes: a byte-order mark, or the signature of
// a file that is no text at all.
func (d *decoder) start() {
	d.init = true
	d.src = bufio.NewReaderSize(d.raw, 16<<10)
	head, _ := d.src.Peek(8)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		d.src.Discard(3)
		d.enc = encUTF8BOM
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		end, name := unicode.LittleEndian, encUTF16LE
		if head[0] == 0xfe {
			end, name = unicode.BigEndian, encUTF16BE
		}
		t := transform.NewReader(d.src, unicode.UTF16(end, unicode.ExpectBOM).NewDecoder())
		d.src = bufio.NewReaderSize(t, 16<<10)
		d.enc = name
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		d.err = &EncodingError{Line: 1, Problem: "this is not a CSV file but an Excel workbook (.xlsx) or another ZIP archive, renamed .csv", Hint: saveAsHint}
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")):
		d.err = &EncodingError{Line: 1, Problem: "this is not a CSV file but an Excel 97-2003 workbook (.xls), renamed .csv", Hint: saveAsHint}
	case bytes.HasPrefix(head, []byte("%PDF")):
		d.err = &EncodingError{Line: 1, Problem: "this is not a CSV file but a PDF document", Hint: saveAsHint}
	}
}

// strict reports whether the encoding is known to be UTF-8 (or UTF-16,
// decoded to UTF-8 before the checks).
func (d *decoder) strict() bool { return d.enc != "" && d.enc != encCP1252 }

func (d *decoder) Read(p []byte) (int, error) {
	if len(d.pend) > 0 {
		n := copy(p, d.pend)
		d.pend = d.pend[n:]
		return n, nil
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) < utf8.UTFMax { // too short for a rune: decode one, keep the rest
		var buf [utf8.UTFMax]byte
		n, err := d.Read(buf[:])
		k := copy(p, buf[:n])
		d.pend = append(d.pend[:0], buf[k:n]...)
		return k, err
	}
	if !d.init {
		d.start()
	}
	n := 0
	for n+utf8.UTFMax <= len(p) && d.err == nil {
		// Fast path: a run of plain ASCII already buffered.
		if k := d.src.Buffered(); k > 0 {
			buf, _ := d.src.Peek(min(k, len(p)-n))
			i := 0
			for ; i < len(buf); i++ {
				c := buf[i]
				if c >= utf8.RuneSelf || c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
					break
				}
				if c == '\n' {
					d.line++
				}
			}
			copy(p[n:], buf[:i])
			n += i
			d.src.Discard(i)
			if n+utf8.UTFMax > len(p) {
				break
			}
		}
		n += d.step(p[n:])
	}
	if n > 0 {
		return n, nil
	}
	return 0, d.err
}

// step decodes one character into p (which has room for one), and returns
// the number of bytes written; on an error it sets d.err.
func (d *decoder) step(p []byte) int {
	c, err := d.src.ReadByte()
	if err != nil {
		d.err = err
		return 0
	}
	if c < utf8.RuneSelf {
		if c < ' ' && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			d.err = d.control(rune(c))
			return 0
		}
		if c == '\n' {
			d.line++
		}
		p[0] = c
		return 1
	}
	var r rune
	if d.enc == encCP1252 {
		r = d.cp1252(c)
	} else {
		d.src.UnreadByte()
		var size int
		r, size, _ = d.src.ReadRune()
		switch {
		case r == utf8.RuneError && size == 1 && d.enc == "":
			d.enc = encCP1252
			r = d.cp1252(c)
		case r == utf8.RuneError && size == 1:
			d.err = &EncodingError{Line: d.line, Problem: "byte 0x%02X is not %s, the encoding of the lines above: the file mixes two encodings", Args: []any{c, d.enc}, Hint: "retype the line or copy it from the original, then " + saveAsHint}
		case d.enc == "":
			d.enc = encUTF8
		}
	}
	if d.err != nil {
		return 0
	}
	switch {
	case r == utf8.RuneError:
		d.err = &EncodingError{Line: d.line, Problem: "the replacement character U+FFFD (shown as � or ?): characters were already lost by an earlier conversion", Hint: "retype the accented letters, or export again from the original file; " + saveAsHint}
		return 0
	case r >= 0x80 && r < 0xa0:
		d.err = d.control(r)
		return 0
	}
	return utf8.EncodeRune(p, r)
}

// cp1252 decodes a byte of Windows-1252; the five bytes it leaves
// undefined are an error.
func (d *decoder) cp1252(c byte) rune {
	r := charmap.Windows1252.DecodeByte(c)
	if r == utf8.RuneError {
		d.err = &EncodingError{Line: d.line, Problem: "byte 0x%02X is neither UTF-8 nor Windows-1252: the file is in another encoding", Args: []any{c}, Hint: saveAsHint}
	}
	return r
}

// control is the error of a control character.
func (d *decoder) control(r rune) error {
	if r == 0 {
		hint := saveAsHint
		if !d.strict() {
			hint = "a file with NUL bytes is UTF-16 without a byte-order mark, or no text at all; " + saveAsHint
		}
		return &EncodingError{Line: d.line, Problem: "NUL byte: this is not a text file in an accepted encoding", Hint: hint}
	}
	return &EncodingError{Line: d.line, Problem: "control character U+%04X, which no cell may hold", Args: []any{r}, Hint: "remove it (it is invisible in most editors), or export the file again; " + saveAsHint}
}

// sniffSeparator reads the header line of d (the first line, or more if a
// quoted header cell holds a line break) and returns the field separator
// it uses most outside quotes: comma, semicolon (what French Excel writes)
// or tab (Excel's "Unicode text"); a comma when it has none.
func sniffSeparator(d io.Reader) (*bufio.Reader, rune) {
	br := bufio.NewReaderSize(d, 64<<10)
	var head []byte
	for size := 4 << 10; ; size *= 2 {
		b, err := br.Peek(size)
		head = b
		if err != nil || bytes.IndexByte(b, '\n') >= 0 && headerEnd(b) >= 0 || size >= 64<<10 {
			break
		}
	}
	if i := headerEnd(head); i >= 0 {
		head = head[:i]
	}
	return br, separatorOf(head)
}

// headerEnd returns the index of the line feed that ends the first record
// of b (quotes respected), or -1.
func headerEnd(b []byte) int {
	quoted := false
	for i, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			return i
		}
	}
	return -1
}

// separatorOf returns the separator a header line uses most, outside quotes.
func separatorOf(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best, n := byte(','), counts[',']
	for _, c := range []byte{';', '\t'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

// EncodingProblem tells whether err, from CSVReader.Read, is an encoding
// error, and gives its line, hint and message (an English format and its
// arguments), for readers outside this package (cohort rosters).
func EncodingProblem(err error) (line int, hint, format string, args []any, ok bool) {
	var ee *EncodingError
	if !errors.As(err, &ee) {
		return 0, "", "", nil, false
	}
	return ee.Line, ee.Hint, ee.Problem, ee.Args, true
}
