package content

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/csvout"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// cp1252 encodes s in Windows-1252, as French Excel saves "CSV (séparateur : point-virgule)".
func cp1252(t testing.TB, s string) string {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// utf16le encodes s in UTF-16 LE with a byte-order mark, as Excel saves "Texte Unicode".
func utf16le(t testing.TB, s string) string {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads every record of a CSV file through CSVReader.
func readAll(data string) (recs [][]string, r *CSVReader, err error) {
	r = NewCSVReader(strings.NewReader(data))
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, r, nil
		}
		if err != nil {
			return recs, r, err
		}
		recs = append(recs, rec)
	}
}

func TestCSVDetection(t *testing.T) {
	want := [][]string{{"nom", "preuve"}, {"Lætitia Œuvré", "Très bien, reçu"}}
	for _, tc := range []struct {
		name, data, enc string
		sep             rune
	}{
		{"UTF-8, commas", "nom,preuve\nLætitia Œuvré,\"Très bien, reçu\"\n", encUTF8, ','},
		{"UTF-8 with BOM, semicolons", "\ufeffnom;preuve\r\nLætitia Œuvré;Très bien, reçu\r\n", encUTF8BOM, ';'},
		{"Windows-1252, semicolons (French Excel)", cp1252(t, "nom;preuve\r\nLætitia Œuvré;Très bien, reçu\r\n"), encCP1252, ';'},
		{"UTF-16 LE with BOM, tabs (Excel's Unicode text)", utf16le(t, "nom\tpreuve\r\nLætitia Œuvré\tTrès bien, reçu\r\n"), encUTF16LE, '\t'},
		{"quoted separators do not count", "\"nom;x\",preuve\nLætitia Œuvré,\"Très bien, reçu\"\n", encUTF8, ','},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, r, err := readAll(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "quoted separators do not count" {
				recs[0][0] = "nom"
			}
			if !slices.EqualFunc(recs, want, slices.Equal) {
				t.Errorf("read %q, want %q", recs, want)
			}
			if r.Encoding() != tc.enc || r.Separator() != tc.sep {
				t.Errorf("detected %s, %q; want %s, %q", r.Encoding(), r.Separator(), tc.enc, tc.sep)
			}
		})
	}
}

func TestCSVEncodingErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		line       int
		problem    string
	}{
		{"xlsx renamed .csv", "PK\x03\x04\x14\x00\x06\x00rest", 1, "Excel workbook (.xlsx)"},
		{"xls renamed .csv", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 1, "Excel 97-2003 workbook"},
		{"UTF-16 without BOM", "n\x00o\x00m\x00\n\x00", 1, "NUL byte"},
		{"byte undefined in Windows-1252", "nom\nb\xe9b\xe9\nx\x81y\n", 3, "byte 0x81 is neither UTF-8 nor Windows-1252"},
		{"UTF-8 then Latin-1", "nom\nbébé\nb\xe9b\xe9\n", 3, "byte 0xE9 is not UTF-8"},
		{"replacement character", "nom\nok\nnon renouvel\ufffde\n", 3, "U+FFFD"},
		{"C0 control", "nom\nok\nbip\x07\n", 3, "control character U+0007"},
		{"C1 control in UTF-8", "nom\nok\nx\u0085y\n", 3, "control character U+0085"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(tc.data)
			line, hint, format, args, ok := EncodingProblem(err)
			if !ok {
				t.Fatalf("got %v, want an encoding error", err)
			}
			if line != tc.line {
				t.Errorf("line %d, want %d", line, tc.line)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.problem) || msg != sprintf(format, args) {
				t.Errorf("message %q, want it to contain %q", msg, tc.problem)
			}
			if !strings.Contains(hint, "CSV UTF-8") {
				t.Errorf("hint %q does not say how to save the file", hint)
			}
		})
	}
}

func sprintf(format string, args []any) string {
	return (&EncodingError{Problem: format, Args: args}).Error()
}

// TestCSVLinesAfterConversion: converted files keep their line numbers.
func TestCSVLinesAfterConversion(t *testing.T) {
	text := "nom;preuve\r\nA;\"deux\r\nlignes é\"\r\nB;œ\r\n"
	for _, data := range []string{text, cp1252(t, text), utf16le(t, text)} {
		r := NewCSVReader(strings.NewReader(data))
		var lines []int
		for {
			_, err := r.Read()
			if err != nil {
				break
			}
			l, _ := r.FieldPos(0)
			lines = append(lines, l)
		}
		if !slices.Equal(lines, []int{1, 2, 4}) {
			t.Errorf("%s: lines %v, want [1 2 4]", r.Encoding(), lines)
		}
	}
}

// TestCSVRoundTrip: what csvout writes for French Excel reads back.
func TestCSVRoundTrip(t *testing.T) {
	recs := [][]string{{"cohort", "name", "missing"}, {"promo", "Chloé Lætitia", "C1 C2"}, {"promo", "Dupont; Marie", "deux\nlignes"}, {"promo", "=1+1", ""}}
	var b bytes.Buffer
	w := csvout.NewWriter(&b)
	for _, r := range recs {
		w.Write(r)
	}
	w.Flush()
	got, r, err := readAll(b.String())
	if err != nil {
		t.Fatal(err)
	}
	recs[3][1] = "'=1+1" // neutralised
	if !slices.EqualFunc(got, recs, slices.Equal) {
		t.Errorf("read back %q, want %q", got, recs)
	}
	if r.Encoding() != encUTF8BOM || r.Separator() != ';' {
		t.Errorf("detected %s %q", r.Encoding(), r.Separator())
	}
}

func TestHeaderAliases(t *testing.T) {
	for _, tc := range []struct{ header, field string }{
		{"email", "email"}, {"Courriel", "email"}, {"MAIL", "email"}, {"E-mail", "email"}, {"Adresse électronique", "email"},
		{"adresse electronique", "email"}, {"N° étudiant", "student_id"}, {"Numéro étudiant", "student_id"}, {"code étudiant", "student_id"},
		{"student_id", "student_id"}, {"Nom", fieldLastName}, {"Prénom", fieldFirstName}, {"PRENOM", fieldFirstName},
		{"Date d'obtention", "date"}, {"date d’obtention", "date"}, {"Badge", "badge"}, {"Niveau", "level"},
		{"Expire", "expires"}, {"Date d'expiration", "expires"}, {"Preuve", "evidence_narrative"}, {"Preuve (URL)", "evidence_url"},
		{"evidence_url", "evidence_url"}, {"Dérogation", "override"}, {"INE", ""}, {"Groupe", ""},
	} {
		if got := awardAliases[headerKey(tc.header)]; got != tc.field {
			t.Errorf("%q → %q, want %q", tc.header, got, tc.field)
		}
	}
	if got := revocationAliases[headerKey("Motif")]; got != "reason" {
		t.Errorf("Motif → %q", got)
	}
}

func TestParseDate(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2025-03-04", day(2025, 3, 4), ""},
		{"04/03/2025", day(2025, 3, 4), ""}, // day first, never month first
		{"4/3/2025", day(2025, 3, 4), ""},
		{"04/03/2025 00:00", day(2025, 3, 4), ""},
		{"29/02/2024", day(2024, 2, 29), ""},
		{"2025-02-30", time.Time{}, "date value does not exist: month 02 of 2025 has 28 days"},
		{"31/04/2025", time.Time{}, "date value does not exist: month 04 of 2025 has 30 days"},
		{"29/02/2025", time.Time{}, "date value does not exist: month 02 of 2025 has 28 days"},
		{"12/31/2025", time.Time{}, "date value does not exist: there is no month 31"},
		{"2025-13-01", time.Time{}, "date value does not exist: there is no month 13"},
		{"04/03/25", time.Time{}, "date value has a two-digit year"},
		{"demain", time.Time{}, "date value is not a date"},
		{"2025-3-4", time.Time{}, "date value is not a date"},
	} {
		got, err := parseDate(tc.in)
		switch {
		case tc.err == "" && (err != nil || !got.Equal(tc.want)):
			t.Errorf("parseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("parseDate(%q) error %v, want %q", tc.in, err, tc.err)
		}
	}
	if _, err := parseDate("12/31/2025"); !strings.Contains(dateHint(err), "day first") {
		t.Errorf("hint %q", dateHint(err))
	}
}

// FuzzCSVReader reads arbitrary bytes: the reader must not panic, must
// hand out only valid UTF-8 without control characters (but tab, CR, LF)
// nor U+FFFD, and report encoding errors at a line of the file.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"email,badge,date\na@example.org,tutorat,2025-01-10\n",
		"\ufeffemail;badge\r\nb@example.org;x\r\n",
		"nom;preuve\r\nL\xe6titia;re\xe7u\r\n",
		"\xff\xfen\x00o\x00m\x00\t\x00x\x00\r\x00\n\x00",
		"PK\x03\x04",
		"a,\"b\nc\n",
		"a\x00b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewCSVReader(bytes.NewReader(data))
		lines := bytes.Count(data, []byte("\n")) + 1
		for range 1000 {
			rec, err := r.Read()
			if line, _, _, _, ok := EncodingProblem(err); ok {
				if line < 1 || line > lines {
					t.Fatalf("encoding error at line %d of a file of %d lines", line, lines)
				}
			}
			for _, cell := range rec {
				if !utf8.ValidString(cell) {
					t.Fatalf("invalid UTF-8 cell %q", cell)
				}
				for _, c := range cell {
					if c == utf8.RuneError || c < ' ' && c != '\t' && c != '\r' && c != '\n' || c >= 0x7f && c < 0xa0 {
						t.Fatalf("cell %q holds %U", cell, c)
					}
				}
			}
			if err != nil {
				return
			}
		}
	})
}

// TestDecoderShortReads: reads of 1 to 3 bytes still progress.
func TestDecoderShortReads(t *testing.T) {
	in := cp1252(t, "nom;prénom\nœuvre;été\n")
	d := newDecoder(strings.NewReader(in))
	var out []byte
	buf := make([]byte, 1)
	for i := 0; i < 1000; i++ {
		n, err := d.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(out) != "nom;prénom\nœuvre;été\n" {
		t.Errorf("got %q", out)
	}
}
