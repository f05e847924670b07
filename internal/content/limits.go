package content

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/francebadge/blason/internal/safefs"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/yamlx"
)

// Size limits of the content, in one table (documented in docs/content.md).
//
// Text limits count characters; file limits count bytes and are checked
// before or while reading, so that an oversized file is refused without
// being read whole. Together they keep every published document (a
// credential carries the badge's name, description, criteria, alignments
// and the award's evidence) far below the 1 MiB `blason verify` accepts
// per document: a front matter of at most 64 KiB, a Markdown body of at
// most 20,000 characters (80 KB) and an evidence narrative of at most
// 5,000 characters plus the jury's override make well under 300 KB.
const (
	MaxName        = 200    // names: badge, level, space, framework, competency, dimension, alignment target
	MaxDescription = 2_000  // descriptions, alignment descriptions, framework descriptors, contact text
	MaxBody        = 20_000 // Markdown body: a badge's criteria, a space's description; a level's criteria
	MaxEvidence    = 5_000  // award list columns evidence_narrative and override
	MaxURL         = 2_000  // URLs: url, targetUrl, evidence_url
	MaxEmail       = 254    // e-mail addresses (RFC 5321 path limit)
	MaxTag         = 100    // one tag, one alignment code
	MaxShort       = 200    // any other front-matter value: ids, slugs, paths, dates, codes
	MaxCell        = 10_000 // any CSV cell (award lists, revocations, cohort rosters)

	MaxFrontMatter   = 64 << 10  // bytes of YAML front matter in a Markdown file
	MaxPageFile      = 256 << 10 // bytes of a Markdown file (front matter + body)
	MaxFrameworkFile = 256 << 10 // bytes of a framework YAML file
	MaxPassportFile  = 64 << 10  // bytes of a passport declaration (content/_passports/<slug>.yaml)
	MaxImageFile     = 1 << 20   // bytes of an image (SVG or PNG): badge images, logos, templates' images
	MaxCSVFile       = 256 << 20 // bytes of one CSV file (about 2 million award rows)
	MaxCSVRecord     = 8 << 20   // bytes of one CSV record read before giving up: a cell far over its limit, or an unclosed quote
)

// fieldLimits gives the character limit of a front-matter value by its
// key; a value under `descriptors` or `tags` takes that key's limit; any
// other key MaxShort.
var fieldLimits = map[string]int{
	"name": MaxName, "legalName": MaxName, "targetName": MaxName, "targetFramework": MaxName,
	"description": MaxDescription, "targetDescription": MaxDescription, "contact": MaxDescription, "descriptors": MaxDescription,
	"criteria": MaxBody,
	"url":      MaxURL, "targetUrl": MaxURL,
	"email": MaxEmail,
	"tags":  MaxTag, "targetCode": MaxTag,
	// EU micro-credential facts (microcred.go)
	"earn": MaxDescription, "qualityAssurance": MaxDescription, "prerequisites": MaxDescription, "uri": MaxURL,
}

// columnLimits gives the character limit of a CSV column; any other
// column MaxCell.
var columnLimits = map[string]int{
	"evidence_narrative": MaxEvidence, "override": MaxEvidence, "reason": MaxEvidence,
	"evidence_url": MaxURL,
	"email":        MaxEmail, "eppn": MaxEmail, "student_id": MaxShort, "name": MaxName, "first_name": MaxName, "last_name": MaxName,
	"badge": MaxShort, "level": MaxShort, "date": MaxShort, "expires": MaxShort, "award": MaxShort, "action": MaxShort, "lang": MaxShort,
}

// ColumnLimit is the character limit of a CSV column (rosters too).
func ColumnLimit(column string) int {
	if n, ok := columnLimits[column]; ok {
		return n
	}
	return MaxCell
}

const limitsHint = "see the size limits in docs/content.md"

// tooLong reports whether s has more than max characters (cheaply: only
// long strings are counted).
func tooLong(s string, max int) bool {
	return len(s) > max && utf8.RuneCountInString(s) > max
}

// count formats a number of characters or bytes for messages.
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// checkLimits reports every front-matter (or YAML file) value longer
// than its key's limit, at its line.
func checkLimits(doc *yamlx.Doc, d *diag.List) {
	if doc == nil || doc.Root == nil {
		return
	}
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if tooLong(k.Value, MaxShort) {
					d.Add(doc.File, doc.Offset+k.Line, limitsHint, "key of %s characters, more than %s", count(utf8.RuneCountInString(k.Value)), count(MaxShort))
					continue
				}
				sub := k.Value
				if key == "descriptors" {
					sub = key // descriptors are keyed by level id
				}
				walk(v, sub)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, key)
			}
		case yaml.ScalarNode:
			max, ok := fieldLimits[key]
			if !ok {
				max = MaxShort
			}
			if tooLong(n.Value, max) {
				d.Add(doc.File, doc.Offset+n.Line, fmt.Sprintf("shorten it to at most %s characters (%s)", count(max), limitsHint),
					"%s is %s characters long, more than %s", key, count(utf8.RuneCountInString(n.Value)), count(max))
			}
		case yaml.AliasNode:
			// aliases repeat a value already checked
		}
	}
	walk(doc.Root, "")
}

// errTooLarge is returned by readLimited for a file over its limit.
var errTooLarge = errors.New("file too large")

// readLimited reads a whole source file of at most max bytes, through the
// one safe reader (safefs: no symbolic link, regular files only); for a
// larger file it returns the first max+1 bytes and errTooLarge, never
// reading the rest.
func (l *loader) readLimited(path string, max int64) ([]byte, error) {
	f, err := safefs.Open(l.src, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return b, errTooLarge
	}
	return b, nil
}

// lineAt returns the 1-based line of byte offset off in b, and the key
// ("name" in "name: …") that line starts with, if any, for messages.
func lineAt(b []byte, off int) (int, string) {
	off = min(off, len(b))
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	start := bytes.LastIndexByte(b[:off], '\n') + 1
	rest := b[start:min(len(b), start+80)]
	if i := bytes.IndexByte(rest, ':'); i > 0 {
		k := strings.TrimSpace(strings.TrimLeft(string(rest[:i]), " -"))
		if k != "" && !strings.ContainsAny(k, " \t\"'{[") {
			return line, k
		}
	}
	return line, ""
}

// CSVReader is a csv.Reader that gives up with ErrRecordTooLarge inside a
// record longer than MaxCSVRecord: csv.Reader buffers a whole record, and a
// file with an unclosed quote or a huge cell would otherwise be read into
// memory. Every CSV file of the content is read through it. It also
// detects the file's encoding and separator (see decoder and
// sniffSeparator) on its first Read: what it hands out is UTF-8, without
// control characters, with the file's line numbers.
type CSVReader struct {
	*csv.Reader
	dec  *decoder
	lim  *recordLimiter
	init bool
}

// ErrRecordTooLarge is returned by CSVReader.Read for a record over MaxCSVRecord bytes.
var ErrRecordTooLarge = errors.New("CSV record too large")

// NewCSVReader returns a CSVReader of r (FieldsPerRecord -1: rows may vary).
// Its csv.Reader exists once Read has been called.
func NewCSVReader(r io.Reader) *CSVReader {
	return &CSVReader{dec: newDecoder(r)}
}

// Read reads one record, at most MaxCSVRecord bytes. A file that is not
// text in an accepted encoding gives an *EncodingError.
func (c *CSVReader) Read() ([]string, error) {
	if !c.init {
		c.init = true
		br, comma := sniffSeparator(c.dec)
		c.lim = &recordLimiter{r: br}
		c.Reader = csv.NewReader(c.lim)
		c.Comma = comma
		c.FieldsPerRecord = -1
	}
	rec, err := c.Reader.Read()
	if err == nil {
		c.lim.mark = c.InputOffset()
	}
	return rec, err
}

// Encoding names the encoding the file was read in ("UTF-8",
// "Windows-1252"…), once it is known: a file of ASCII text is "ASCII"
// until a non-ASCII character is read.
func (c *CSVReader) Encoding() string { return c.dec.name() }

// Separator is the detected field separator, once Read has been called.
func (c *CSVReader) Separator() rune {
	if c.Reader == nil {
		return ','
	}
	return c.Comma
}

type recordLimiter struct {
	r          io.Reader
	read, mark int64 // bytes handed out; offset of the current record's start
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.read-l.mark > MaxCSVRecord {
		return 0, ErrRecordTooLarge
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}
