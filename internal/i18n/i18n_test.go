package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"fr", French, true},
		{"fr_FR.UTF-8", French, true},
		{"fr_CA", French, true},
		{"fr-BE@euro", French, true},
		{"en_GB.UTF-8", English, true},
		{"C", English, true},
		{"C.UTF-8", English, true},
		{"POSIX", English, true},
		{"de_DE.UTF-8", English, false},
		{"", English, false},
		{"!!", English, false},
	} {
		got, ok := Parse(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{}, English},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, French},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, English},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, French},
		{map[string]string{"LC_ALL": "fr_FR.UTF-8", "BLASON_LANG": "en"}, English},
		{map[string]string{"LANGUAGE": "de:fr"}, French},
		{map[string]string{"LANG": "C", "LANGUAGE": "fr"}, English},
	} {
		got := FromEnv(func(k string) string { return tc.env[k] })
		if got != tc.want {
			t.Errorf("FromEnv(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestCatalogueLoads(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("empty French catalogue")
	}
	for en, fr := range entries {
		if fr == "" {
			t.Errorf("%q has an empty translation", en)
		}
		if n, m := countVerbs(en), countVerbs(fr); n != m {
			t.Errorf("%q has %d arguments, its translation %q has %d", en, n, fr, m)
		}
	}
}

func countVerbs(s string) int {
	n := 0
	for _, t := range tokens(s) {
		if t.verb {
			n++
		}
	}
	return n
}

func TestTranslate(t *testing.T) {
	c := parseCatalogue(fstest.MapFS{
		"fr/a.yaml": {Data: []byte(`
"unknown space %q": "espace inconnu %q"
"spaces: %s": "espaces : %s"
"%s is older than %s": "%[2]s est plus récent que %[1]s"
"%d%% done": "%d %% fait"
"run blason new site": "lancez blason new site"
`)},
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	for _, tc := range []struct{ in, want string }{
		{`unknown space "x"`, `espace inconnu "x"`},
		{`content/a.csv:4: unknown space "x"` + "\n\thint: spaces: a, b", `content/a.csv:4: espace inconnu "x"` + "\n\tconseil : espaces : a, b"},
		{"a is older than b", "b est plus récent que a"},
		{"50% done", "50 % fait"},
		{"run blason new site", "lancez blason new site"},
		{"blason: run blason new site", "blason: lancez blason new site"},
		{"nothing like it", "nothing like it"},
	} {
		lines := strings.Split(tc.in, "\n")
		for i := range lines {
			lines[i] = c.translateLine(lines[i])
		}
		if got := strings.Join(lines, "\n"); got != tc.want {
			t.Errorf("translateLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Sprintf through the x/text printer.
	if got := c.printer.Sprintf("unknown space %q", "x"); got != `espace inconnu "x"` {
		t.Errorf("Sprintf = %q", got)
	}
	if got := c.printer.Sprintf("%s is older than %s", "a", "b"); got != "b est plus récent que a" {
		t.Errorf("Sprintf reordered = %q", got)
	}
}
