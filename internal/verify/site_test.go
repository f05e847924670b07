package verify

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBuiltFor(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string // path under the folder → content
		given []string          // files passed, relative to the folder
		want  string
	}{
		{"issuer profile of a space", map[string]string{
			"ecole/issuer.json": `{"id":"https://badges.example.fr/ecole/issuer.json"}`,
		}, nil, "https://badges.example.fr/"},
		{"a site under a path", map[string]string{
			"ecole/issuer.json": `{"id":"https://www.univ.example/badges/ecole/issuer.json"}`,
		}, nil, "https://www.univ.example/badges/"},
		{"a space's folder", map[string]string{
			"issuer.json": `{"id":"http://localhost:1313/ecole/issuer.json"}`,
		}, nil, "http://localhost:1313/ecole/"},
		{"credentials alone", map[string]string{
			"credentials/ab/abc.json": `{"id":"https://badges.example.fr/ecole/credentials/ab/abc.json"}`,
		}, []string{"credentials/ab/abc.json"}, "https://badges.example.fr/ecole/"},
		{"an id that is not the file's URL", map[string]string{
			"ecole/issuer.json": `{"id":"https://badges.example.fr/other/issuer.json"}`,
			"x/y.json":          `{"id":"urn:uuid:0b5e4a8e-1c1f-4c56-9d0e-2f5a0c1e7a11"}`,
		}, []string{"x/y.json"}, ""},
		{"not JSON", map[string]string{"ecole/issuer.json": `<html>`}, nil, ""},
		{"nothing", nil, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, body := range tt.files {
				p = filepath.Join(dir, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var given []string
			for _, g := range tt.given {
				given = append(given, filepath.Join(dir, filepath.FromSlash(g)))
			}
			if got := BuiltFor(dir, given); got != tt.want {
				t.Errorf("BuiltFor = %q, want %q", got, tt.want)
			}
		})
	}
}
