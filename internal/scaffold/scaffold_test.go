package scaffold

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/model"
)

var testNow = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

func load(t *testing.T, dir string) *model.Site {
	t.Helper()
	site, err := content.Load(dir, content.Options{Now: testNow, Secret: func(string) ([]byte, error) {
		return []byte("0123456789abcdef0123456789abcdef"), nil
	}})
	if err != nil {
		t.Fatalf("the scaffold does not load:\n%v", err)
	}
	return site
}

func write(t *testing.T, dir string, files []File, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
}

// TestScaffoldsLoad: each kind of scaffold passes the content loader with
// no diagnostic, and gives the model it says.
func TestScaffoldsLoad(t *testing.T) {
	tests := []struct {
		name    string
		site    SiteOptions
		space   *SpaceOptions
		badge   *BadgeOptions
		spaces  []string
		badges  int
		awards  int
		levels  []string // of the last badge
		langs   []string
		baseURL string
	}{
		{name: "default site", spaces: []string{DefaultSpace}, badges: 1, awards: 3, langs: []string{"fr", "en"}, baseURL: DefaultBaseURL},
		{name: "site with options", site: SiteOptions{Title: `Badges "Université" : été`, BaseURL: "https://badges.univ.example/open", Languages: []string{"fr"}, Space: "univ", Issuer: "Université d'été #1", Badge: "tutorat", BadgeName: "Tutorat: « pair »"},
			spaces: []string{"univ"}, badges: 1, awards: 3, langs: []string{"fr"}, baseURL: "https://badges.univ.example/open/"},
		{name: "new space", space: &SpaceOptions{Space: "ecole", Issuer: "École <d'ingénieurs> & Cie"}, spaces: []string{"ecole", DefaultSpace}, badges: 1, awards: 3, langs: []string{"fr", "en"}, baseURL: DefaultBaseURL},
		{name: "new badge", badge: &BadgeOptions{Space: DefaultSpace, Badge: "secourisme", Name: "Secouriste: PSC1 \\ \"niveau\""}, spaces: []string{DefaultSpace}, badges: 2, awards: 3, langs: []string{"fr", "en"}, baseURL: DefaultBaseURL},
		{name: "new badge with levels", badge: &BadgeOptions{Space: DefaultSpace, Badge: "langues", Name: "Langues", Levels: []string{"Débutant", " Confirmé ", "Œuvre experte"}},
			spaces: []string{DefaultSpace}, badges: 2, awards: 3, levels: []string{"debutant", "confirme", "oeuvre-experte"}, langs: []string{"fr", "en"}, baseURL: DefaultBaseURL},
		{name: "new badge in a new space", space: &SpaceOptions{Space: "asso"}, badge: &BadgeOptions{Space: "asso", Badge: "benevolat"}, spaces: []string{"asso", DefaultSpace}, badges: 2, awards: 3, langs: []string{"fr", "en"}, baseURL: DefaultBaseURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := SiteFiles(tt.site)
			write(t, dir, files, err)
			if tt.space != nil {
				files, err := SpaceFiles(*tt.space)
				write(t, dir, files, err)
			}
			if tt.badge != nil {
				files, err := BadgeFiles(*tt.badge)
				write(t, dir, files, err)
			}
			site := load(t, dir)
			var slugs []string
			badges, awards := 0, 0
			for _, sp := range site.Spaces {
				slugs = append(slugs, sp.Slug)
				badges += len(sp.Badges)
				awards += len(sp.Awards)
			}
			if !slices.Equal(slugs, tt.spaces) || badges != tt.badges || awards != tt.awards {
				t.Errorf("spaces %v, %d badges, %d awards; want %v, %d, %d", slugs, badges, awards, tt.spaces, tt.badges, tt.awards)
			}
			if !slices.Equal(site.Languages, tt.langs) || site.BaseURL != tt.baseURL {
				t.Errorf("languages %v, base URL %q; want %v, %q", site.Languages, site.BaseURL, tt.langs, tt.baseURL)
			}
			if tt.site.Title != "" && site.Title != tt.site.Title {
				t.Errorf("title %q, want %q", site.Title, tt.site.Title)
			}
			if tt.space != nil && tt.space.Issuer != "" {
				for _, sp := range site.Spaces {
					if sp.Slug == tt.space.Space && sp.Name != tt.space.Issuer {
						t.Errorf("issuer name %q, want %q", sp.Name, tt.space.Issuer)
					}
				}
			}
			if tt.badge != nil {
				var b *model.Badge
				for _, sp := range site.Spaces {
					if sp.Slug == tt.badge.Space {
						for _, x := range sp.Badges {
							if x.Slug == tt.badge.Badge {
								b = x
							}
						}
					}
				}
				if b == nil {
					t.Fatalf("badge %s/%s not loaded", tt.badge.Space, tt.badge.Badge)
				}
				if want := or(tt.badge.Name, tt.badge.Badge); b.Name != want {
					t.Errorf("badge name %q, want %q", b.Name, want)
				}
				var ids []string
				for _, l := range b.Levels {
					ids = append(ids, l.ID)
				}
				if !slices.Equal(ids, tt.levels) {
					t.Errorf("levels %v, want %v", ids, tt.levels)
				}
			}
		})
	}
}

// TestSiteFilesDeterministic: the same options give the same bytes, and
// the site holds what the task promises.
func TestSiteFilesDeterministic(t *testing.T) {
	a, err := SiteFiles(SiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SiteFiles(SiteOptions{})
	if len(a) != len(b) {
		t.Fatal("different file lists")
	}
	var paths []string
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Path)
		}
		paths = append(paths, a[i].Path)
	}
	want := []string{".gitignore", "README.md", "blason.yaml",
		"content/mon-etablissement/_space.md", "content/mon-etablissement/awards/exemple-2025.csv",
		"content/mon-etablissement/badges/premier-badge.md", "content/mon-etablissement/badges/premier-badge.svg",
		"content/mon-etablissement/logo.svg", "content/mon-etablissement/revocations.csv"}
	if !slices.Equal(paths, want) {
		t.Errorf("files %v\nwant %v", paths, want)
	}
	for _, f := range a {
		switch f.Path {
		case ".gitignore":
			for _, line := range []string{"/site/", "/.blason/", "/keys/"} {
				if !slices.Contains(strings.Split(string(f.Data), "\n"), line) {
					t.Errorf(".gitignore lacks %s", line)
				}
			}
		case "content/mon-etablissement/awards/exemple-2025.csv":
			for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n")[1:] {
				if !strings.Contains(line, "@example.org,") {
					t.Errorf("award row %q has no example.org address", line)
				}
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"space not a slug", func() error { _, err := SiteFiles(SiteOptions{Space: "Mon_Ecole"}); return err }, `space name "Mon_Ecole" is not a slug`},
		{"reserved space", func() error { _, err := SpaceFiles(SpaceOptions{Space: "assets"}); return err }, `space name "assets" is reserved`},
		{"badge not a slug", func() error { _, err := BadgeFiles(BadgeOptions{Space: "a", Badge: "B c"}); return err }, `badge name "B c" is not a slug`},
		{"base URL", func() error { _, err := SiteFiles(SiteOptions{BaseURL: "badges.example.org"}); return err }, `base URL "badges.example.org" is not an absolute http(s) address`},
		{"language", func() error { _, err := SiteFiles(SiteOptions{Languages: []string{"fr", "de"}}); return err }, `language "de" is not one Blason writes pages in`},
		{"language twice", func() error { _, err := SiteFiles(SiteOptions{Languages: []string{"fr", "fr"}}); return err }, `language "fr" is given twice`},
		{"level without letters", func() error {
			_, err := BadgeFiles(BadgeOptions{Space: "a", Badge: "b", Levels: []string{"A1", "--"}})
			return err
		}, `level "--" has no letter or digit`},
		{"level twice", func() error {
			_, err := BadgeFiles(BadgeOptions{Space: "a", Badge: "b", Levels: []string{"Confirmé", "confirme"}})
			return err
		}, `level "confirme" is given twice (id confirme)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestWriteNeverReplaces: a file in the way stops the whole write before
// anything is written, and the file keeps its bytes.
func TestWriteNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	files, err := SiteFiles(SiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "content", DefaultSpace, "badges", DefaultBadge+".md")
	os.MkdirAll(filepath.Dir(mine), 0o755)
	os.WriteFile(mine, []byte("mine"), 0o644)
	err = Write(dir, files)
	if err == nil || !strings.Contains(err.Error(), mine+" already exists; nothing was written") {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Errorf("the existing file was changed: %q", b)
	}
	got, _ := Entries(dir)
	if !slices.Equal(got, []string{"content/"}) {
		t.Errorf("the folder holds %v after a refused write", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "blason.yaml")); err == nil {
		t.Error("blason.yaml was written")
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Débutant":                 "debutant",
		"  Niveau B2 — avancé ":    "niveau-b2-avance",
		"Œuvre d'Art":              "oeuvre-d-art",
		"!!!":                      "x",
		"Mon_Ecole":                "mon-ecole",
		"école-ingénieurs--2025  ": "ecole-ingenieurs-2025",
	} {
		if got := Slug(in, "x"); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
