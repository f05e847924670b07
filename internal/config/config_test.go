package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/diag"
)

const valid = "title: Fichier\nbaseURL: https://file.example.fr/\n"

func TestLoadSources(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string // in the source folder; "../x" beside it
		env     map[string]string // BLASON_CONFIG relative to the parent folder
		baseURL string            // the -b flag
		title   string            // want, when no problem
		base    string
		langs   string
		problem []string // want these substrings in the diagnostics
	}{
		{name: "blason.yaml", files: map[string]string{"blason.yaml": valid}, title: "Fichier", base: "https://file.example.fr/"},
		{name: "blason.yml", files: map[string]string{"blason.yml": valid}, title: "Fichier", base: "https://file.example.fr/"},
		{name: "both names", files: map[string]string{"blason.yaml": valid, "blason.yml": valid},
			problem: []string{"blason.yml: both blason.yaml and blason.yml exist", "keep blason.yaml"}},
		{name: "none", files: map[string]string{"content/x.md": "x"},
			problem: []string{"blason.yaml: no site configuration found", "site has no blason.yaml or blason.yml", "blason new site ."}},
		{name: "BLASON_CONFIG outside the source", files: map[string]string{"blason.yaml": valid, "../other.yaml": "title: Autre\nbaseURL: https://other.example.fr\n"},
			env: map[string]string{"BLASON_CONFIG": "other.yaml"}, title: "Autre", base: "https://other.example.fr/"},
		{name: "BLASON_CONFIG missing", files: map[string]string{"blason.yaml": valid},
			env: map[string]string{"BLASON_CONFIG": "nope.yaml"}, problem: []string{"nope.yaml: configuration file not found"}},
		{name: "environment over file", files: map[string]string{"blason.yaml": valid},
			env:   map[string]string{"BLASON_BASEURL": "https://env.example.fr", "BLASON_TITLE": "Env", "BLASON_LANGUAGES": "fr"},
			title: "Env", base: "https://env.example.fr/", langs: "fr"},
		{name: "flag over environment", files: map[string]string{"blason.yaml": valid},
			env: map[string]string{"BLASON_BASEURL": "https://env.example.fr/"}, baseURL: "https://flag.example.fr/",
			title: "Fichier", base: "https://flag.example.fr/"},
		{name: "environment fills a missing key", files: map[string]string{"blason.yaml": "title: T\n"},
			env: map[string]string{"BLASON_BASEURL": "https://env.example.fr/"}, title: "T", base: "https://env.example.fr/"},
		{name: "bad environment value named", files: map[string]string{"blason.yaml": valid},
			env:     map[string]string{"BLASON_CREDENTIALS_STATUSLISTSIZE": "lots", "BLASON_BASEURL": "ftp://x", "BLASON_CREDENTIALS_OB2SIGNED": "peut-être"},
			problem: []string{`BLASON_CREDENTIALS_STATUSLISTSIZE: "lots" is not a number`, `BLASON_BASEURL: baseURL "ftp://x" is not an absolute`, `BLASON_CREDENTIALS_OB2SIGNED: "peut-être" is not true or false`}},
		{name: "file problems keep their line", files: map[string]string{"blason.yaml": "title: T\nbaseURL: https://x.fr/\ncredentials:\n  bake: some\n"},
			problem: []string{`blason.yaml:4: credentials.bake "some" is not supported`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			src := filepath.Join(parent, "site")
			for name, body := range tc.files {
				p := filepath.Join(src, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			os.MkdirAll(src, 0o755)
			t.Chdir(parent)
			var diags diag.List
			c := LoadEnv("site", tc.baseURL, func(k string) string { return tc.env[k] }, &diags)
			err := diags.Err()
			if len(tc.problem) > 0 {
				if err == nil {
					t.Fatalf("no problem; want %q", tc.problem)
				}
				for _, p := range tc.problem {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("problems lack %q:\n%v", p, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Title != tc.title || c.BaseURL != tc.base {
				t.Errorf("title %q, baseURL %q; want %q, %q", c.Title, c.BaseURL, tc.title, tc.base)
			}
			if tc.langs != "" && strings.Join(c.Languages, ",") != tc.langs {
				t.Errorf("languages %q, want %q", c.Languages, tc.langs)
			}
		})
	}
}

// TestEnvVarsNameKeys checks that every variable is BLASON_ and its key path.
func TestEnvVarsNameKeys(t *testing.T) {
	for _, e := range EnvVars() {
		want := "BLASON_" + strings.ToUpper(strings.Join(e.Key, "_"))
		if e.Name != want {
			t.Errorf("%s overrides %v; want the name %s", e.Name, e.Key, want)
		}
		var c Config
		if err := e.set(&c, "true"); err != nil && err != errNotNumber {
			t.Errorf("%s: %v", e.Name, err)
		}
	}
}
