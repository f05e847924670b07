package passport

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheckHeadline(t *testing.T) {
	tests := []struct {
		in   string
		want Problem
	}{
		{"", OK},
		{"Étudiante en L3 d'informatique — alternance 2026", OK},
		{strings.Repeat("é", MaxHeadline), OK},
		{strings.Repeat("é", MaxHeadline+1), TooLong},
		{"two\nlines", NotOneLine},
		{"bell\a", NotOneLine},
		{"abc\u202Eevil", NotOneLine},
		{"\xff", NotOneLine},
		{"<b>bold</b>", Markup},
		{"a > b", Markup},
	}
	for _, tt := range tests {
		if got := CheckHeadline(tt.in); got != tt.want {
			t.Errorf("CheckHeadline(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCheckLink(t *testing.T) {
	tests := []struct {
		l              Link
		label, address Problem
	}{
		{Link{"Portfolio", "https://example.org/portfolio"}, OK, OK},
		{Link{"GitHub", "HTTPS://github.com/camille?tab=repositories#x"}, OK, OK},
		{Link{"", "https://example.org/"}, Empty, OK},
		{Link{"  ", "https://example.org/"}, Empty, OK},
		{Link{strings.Repeat("x", MaxLinkLabel+1), "https://example.org/"}, TooLong, OK},
		{Link{"a<script>", "https://example.org/"}, Markup, OK},
		{Link{"line\nbreak", "https://example.org/"}, NotOneLine, OK},
		{Link{"Site", ""}, OK, Empty},
		{Link{"Site", "http://example.org/"}, OK, NotHTTPS},
		{Link{"Site", "javascript:alert(1)"}, OK, NotHTTPS},
		{Link{"Site", "data:text/html,hi"}, OK, NotHTTPS},
		{Link{"Site", "//example.org/"}, OK, NotHTTPS},
		{Link{"Site", "example.org"}, OK, NotHTTPS},
		{Link{"Site", "https://"}, OK, MalformedURL},
		{Link{"Site", "https://user:pw@example.org/"}, OK, MalformedURL},
		{Link{"Site", "https://example.org/a b"}, OK, MalformedURL},
		{Link{"Site", "https://example.org/\"onclick"}, OK, MalformedURL},
		{Link{"Site", "https://example.org/%zz"}, OK, MalformedURL},
		{Link{"Site", "https://example.org/" + strings.Repeat("a", MaxLinkURL)}, OK, TooLong},
	}
	for _, tt := range tests {
		label, address := CheckLink(tt.l)
		if label != tt.label || address != tt.address {
			t.Errorf("CheckLink(%q) = %d, %d; want %d, %d", tt.l, label, address, tt.label, tt.address)
		}
	}
	links := []Link{{"a", "https://a.example/"}, {"b", "https://b.example/"}}
	if p := CheckLinks(links); p != OK {
		t.Errorf("two links: %d", p)
	}
	if p := CheckLinks(append(links, Link{"c", "https://a.example/"})); p != DuplicateLinkURL {
		t.Errorf("duplicate: %d", p)
	}
	if p := CheckLinks(make([]Link, MaxLinks+1)); p != TooMany {
		t.Errorf("too many: %d", p)
	}
}

func TestGrouped(t *testing.T) {
	a, b, c, d := AwardRef{"s", "a"}, AwardRef{"s", "b"}, AwardRef{"s", "c"}, AwardRef{"s", "d"}
	p := Passport{Awards: []AwardRef{a, b, c, d}, GroupOf: map[AwardRef]string{b: "Langues", c: "Numérique", d: "Langues"}}
	want := []Group{{"Langues", []AwardRef{b, d}}, {"Numérique", []AwardRef{c}}, {"", []AwardRef{a}}}
	if got := p.Grouped(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Grouped = %+v\nwant %+v", got, want)
	}
	if got := (Passport{Awards: []AwardRef{a}}).Grouped(); !reflect.DeepEqual(got, []Group{{"", []AwardRef{a}}}) {
		t.Fatalf("no groups: %+v", got)
	}
	if !p.RichValid() {
		t.Fatal("valid passport refused")
	}
	for _, bad := range []Passport{
		{Headline: "<i>"},
		{Links: []Link{{"x", "http://example.org/"}}},
		{GroupOf: map[AwardRef]string{a: "a\nb"}},
	} {
		if bad.RichValid() {
			t.Errorf("%+v accepted", bad)
		}
	}
}
