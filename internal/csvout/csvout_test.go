package csvout

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

func TestNeutralise(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Alice A", "Alice A"},
		{"Jean-Pierre", "Jean-Pierre"},
		{"alice@example.org", "alice@example.org"},
		{"C1 C2", "C1 C2"},
		{"2025-01-10", "2025-01-10"},
		{"l'école", "l'école"},
		{"a = b + c", "a = b + c"},
		// OWASP: the first character.
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-5", "'-5"},
		// After leading white space or quotes.
		{"  =1+1", "'  =1+1"},
		{"\n=1+1", "'\n=1+1"},
		{`"=1+1"`, `'"=1+1"`},
		{"\u00a0@x", "'\u00a0@x"},
		// Full-width forms.
		{"＝1+1", "'＝1+1"},
		{"＠SUM(A1)", "'＠SUM(A1)"},
		// After a field separator: another cell for some spreadsheets.
		{"Dupont;=1+1", "'Dupont;=1+1"},
		{"Dupont, =1+1", "'Dupont, =1+1"},
		{`Dupont,"=1+1"`, `'Dupont,"=1+1"`},
		{"a|+b", "'a|+b"},
		{"a\t-b", "'a\t-b"},
		{"Dupont; Marie", "Dupont; Marie"},
	} {
		if got := Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	recs := [][]string{
		{"cohort", "name", "missing"},
		{"promo", "Alice A", ""},
		{"promo", `=HYPERLINK("http://x","y")`, "C1 C2"},
		{"promo", "Dupont;Marie", " lead"},
		{"promo", "deux\nlignes", `dit "oui"`},
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffcohort;name;missing\n" +
		"promo;Alice A;\n" +
		`promo;"'=HYPERLINK(""http://x"",""y"")";C1 C2` + "\n" +
		`promo;"Dupont;Marie";" lead"` + "\n" +
		"promo;\"deux\nlignes\";\"dit \"\"oui\"\"\"\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	// Any CSV reader set to semicolons gets the cells back, neutralised.
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), BOM)))
	r.Comma = Separator
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		for j := range r {
			r[j] = Neutralise(r[j])
		}
		if !slices.Equal(got[i], r) {
			t.Errorf("record %d read back as %q, want %q", i, got[i], r)
		}
	}
}
