package i18n

import (
	"errors"
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

func TestTranslateNested(t *testing.T) {
	c := parseCatalogue(fstest.MapFS{
		"fr/a.yaml": {Data: []byte(`
"space %s: %w": "espace %s : %w"
"is a symbolic link": "est un lien symbolique"
"cannot read: %v": "lecture impossible : %v"
"see the size limits": "voir les limites de taille"
"shorten it (%s)": "raccourcissez-le (%s)"
`)},
	})
	if c.err != nil {
		t.Fatal(err2str(c.err))
	}
	for _, tc := range []struct{ in, want string }{
		// A wrapped message is translated inside the one wrapping it.
		{"space ecole: cannot read: disk on fire", "espace ecole : lecture impossible : disk on fire"},
		{"space ecole: content/x: is a symbolic link", "espace ecole : content/x: est un lien symbolique"},
		{"shorten it (see the size limits)", "raccourcissez-le (voir les limites de taille)"},
		// An argument that is no message is copied as it is.
		{"shorten it (soon)", "raccourcissez-le (soon)"},
	} {
		if got := c.translateText(tc.in); got != tc.want {
			t.Errorf("translateText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func err2str(err error) string { return err.Error() }

func TestSprintfArguments(t *testing.T) {
	// %w is formatted as %v in both languages.
	wrapped := errors.New("permission denied")
	if got := English.Sprintf("locking %s: %w", "x", wrapped); got != "locking x: permission denied" {
		t.Errorf("English %%w: %q", got)
	}
	if got := French.Sprintf("locking %s: %w", "x", wrapped); got != "verrouillage de x : permission refusée" {
		t.Errorf("French %%w: %q", got)
	}
	// A string argument that is a message of the catalogue is translated;
	// another one is not.
	if got := French.Sprintf("invalid YAML: %s", "mapping values are not allowed in this context"); got != "YAML invalide : valeurs de dictionnaire interdites dans ce contexte" {
		t.Errorf("French message argument: %q", got)
	}
	if got := French.Sprintf("unknown space %q", "no badge"); got != `espace "no badge" inconnu` {
		t.Errorf("French %%q argument: %q", got)
	}
	// A format with no entry is formatted as in English, its arguments
	// translated.
	if got := French.Sprintf("%s", "is a symbolic link"); got != "est un lien symbolique" {
		t.Errorf("French unknown format: %q", got)
	}
}

func TestWAsV(t *testing.T) {
	for in, want := range map[string]string{
		"a %w b":        "a %v b",
		"100%% wide %w": "100%% wide %v",
		"%[2]w %s":      "%[2]v %s",
		"no verb w":     "no verb w",
	} {
		if got := wAsV(in); got != want {
			t.Errorf("wAsV(%q) = %q, want %q", in, got, want)
		}
	}
}
