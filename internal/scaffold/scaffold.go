// Package scaffold writes the starting files of a new site, space or badge
// class (`blason new`): files that pass the content loader as they are and
// that a badge officer edits next. The templates are embedded; the same
// options give the same bytes. Writing never replaces a file.
package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/francebadge/blason/internal/config"
)

//go:embed all:templates
var templates embed.FS

// Defaults of `blason new site`.
const (
	DefaultTitle     = "Badges de mon établissement"
	DefaultBaseURL   = "https://badges.example.org/"
	DefaultSpace     = "mon-etablissement"
	DefaultIssuer    = "Mon établissement"
	DefaultBadge     = "premier-badge"
	DefaultBadgeName = "Mon premier badge"
)

// File is one file to write, its path relative to the site folder, with
// forward slashes.
type File struct {
	Path string
	Data []byte
}

// SiteOptions describe a new site. Empty fields take the defaults above.
type SiteOptions struct {
	Title     string   // site title
	BaseURL   string   // where the site will be published
	Languages []string // page languages, the first the default (fr, en)
	Space     string   // slug of the first space
	Issuer    string   // name of the first space's institution
	Badge     string   // slug of the first badge class
	BadgeName string   // its name
}

// SpaceOptions describe a new space.
type SpaceOptions struct {
	Space  string // slug
	Issuer string // institution name; default the slug
}

// BadgeOptions describe a new badge class.
type BadgeOptions struct {
	Space  string   // slug of an existing space
	Badge  string   // slug
	Name   string   // badge name; default the slug
	Levels []string // level names, lowest first; ids are made from them
}

// Level is a badge level as written in the badge file.
type Level struct{ ID, Name string }

// data is what the templates see.
type data struct {
	Title, BaseURL        string
	Languages             []string
	Space, SpaceName      string
	Badge, BadgeName      string
	Levels                []Level
	AwardsFile, SourceDir string
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// reserved are names a space folder may not take (content.Load refuses
// them too: the site publishes folders of these names).
var reserved = []string{"frameworks", "templates", "assets"}

// checkSpace checks a space slug.
func checkSpace(s string) error {
	if !slugRE.MatchString(s) {
		return fmt.Errorf("space name %q is not a slug\n\thint: use lower-case letters, digits and dashes, e.g. %s", s, Slug(s, DefaultSpace))
	}
	if slices.Contains(reserved, s) {
		return fmt.Errorf("space name %q is reserved: the site publishes a folder of that name\n\thint: choose another name, e.g. %s", s, s+"-badges")
	}
	return nil
}

// checkBadge checks a badge slug.
func checkBadge(s string) error {
	if !slugRE.MatchString(s) {
		return fmt.Errorf("badge name %q is not a slug\n\thint: use lower-case letters, digits and dashes, e.g. %s", s, Slug(s, DefaultBadge))
	}
	return nil
}

// Slug makes a slug of s (lower case, accents removed, dashes between
// words), or returns def when s has no letter or digit.
func Slug(s, def string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(folded) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		case r == 'œ':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteString("oe")
			dash = false
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		return def
	}
	return b.String()
}

// SiteFiles returns the files of a new site: blason.yaml, .gitignore, a
// README for the badge officer, one space with its logo and revocation
// list, one badge class with its image and an award list of fictional
// rows.
func SiteFiles(o SiteOptions) ([]File, error) {
	d := data{
		Title: or(o.Title, DefaultTitle), BaseURL: or(o.BaseURL, DefaultBaseURL), Languages: o.Languages,
		Space: or(o.Space, DefaultSpace), SpaceName: or(o.Issuer, DefaultIssuer),
		Badge: or(o.Badge, DefaultBadge), BadgeName: or(o.BadgeName, DefaultBadgeName),
	}
	if len(d.Languages) == 0 {
		d.Languages = []string{"fr", "en"}
	}
	for i, l := range d.Languages {
		if !slices.Contains(config.SupportedLanguages, l) {
			return nil, fmt.Errorf("language %q is not one Blason writes pages in\n\thint: give --languages fr or --languages fr,en", l)
		}
		if slices.Contains(d.Languages[:i], l) {
			return nil, fmt.Errorf("language %q is given twice\n\thint: give --languages fr or --languages fr,en", l)
		}
	}
	u, err := url.Parse(d.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q is not an absolute http(s) address\n\thint: give the address the site will be published at, e.g. %s", d.BaseURL, DefaultBaseURL)
	}
	if !strings.HasSuffix(d.BaseURL, "/") {
		d.BaseURL += "/"
	}
	if err := checkSpace(d.Space); err != nil {
		return nil, err
	}
	if err := checkBadge(d.Badge); err != nil {
		return nil, err
	}
	d.AwardsFile = "content/" + d.Space + "/awards/exemple-2025.csv"
	files, err := render(d, []pair{
		{"site/blason.yaml.tmpl", "blason.yaml"},
		{"site/gitignore.tmpl", ".gitignore"},
		{"site/README.md.tmpl", "README.md"},
		{"space/awards.csv.tmpl", d.AwardsFile},
	})
	if err != nil {
		return nil, err
	}
	sp, err := spaceFiles(d)
	if err != nil {
		return nil, err
	}
	b, err := badgeFiles(d)
	if err != nil {
		return nil, err
	}
	files = append(files, sp...)
	files = append(files, b...)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// SpaceFiles returns the files of a new space: its issuer profile, a logo
// and an empty revocation list.
func SpaceFiles(o SpaceOptions) ([]File, error) {
	if err := checkSpace(o.Space); err != nil {
		return nil, err
	}
	return spaceFiles(data{Space: o.Space, SpaceName: or(o.Issuer, o.Space)})
}

func spaceFiles(d data) ([]File, error) {
	dir := "content/" + d.Space + "/"
	return render(d, []pair{
		{"space/_space.md.tmpl", dir + "_space.md"},
		{"space/logo.svg.tmpl", dir + "logo.svg"},
		{"space/revocations.csv", dir + "revocations.csv"},
	})
}

// BadgeFiles returns the files of a new badge class: its Markdown file and
// an SVG image.
func BadgeFiles(o BadgeOptions) ([]File, error) {
	if err := checkSpace(o.Space); err != nil {
		return nil, err
	}
	if err := checkBadge(o.Badge); err != nil {
		return nil, err
	}
	d := data{Space: o.Space, Badge: o.Badge, BadgeName: or(o.Name, o.Badge)}
	for _, name := range o.Levels {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		id := Slug(name, "")
		if id == "" {
			return nil, fmt.Errorf("level %q has no letter or digit to make its id from\n\thint: name the levels with words, e.g. --levels \"Débutant,Confirmé,Expert\"", name)
		}
		if slices.ContainsFunc(d.Levels, func(l Level) bool { return l.ID == id }) {
			return nil, fmt.Errorf("level %q is given twice (id %s)\n\thint: give each level once, lowest first", name, id)
		}
		d.Levels = append(d.Levels, Level{ID: id, Name: name})
	}
	return badgeFiles(d)
}

func badgeFiles(d data) ([]File, error) {
	dir := "content/" + d.Space + "/badges/"
	return render(d, []pair{
		{"badge/badge.md.tmpl", dir + d.Badge + ".md"},
		{"badge/badge.svg.tmpl", dir + d.Badge + ".svg"},
	})
}

type pair struct{ template, path string }

var funcs = template.FuncMap{
	// yaml writes a string as a YAML double-quoted scalar (JSON is YAML).
	"yaml": func(s string) (string, error) {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		err := e.Encode(s)
		return strings.TrimSuffix(b.String(), "\n"), err
	},
	"xml":      html.EscapeString,
	"join":     strings.Join,
	"initials": initials,
}

// initials are the first letters of up to three words of a name, in
// capitals, for the placeholder images.
func initials(s string) string {
	var out []rune
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) < 3 && len(out) > 0 { // de, la, du…
			continue
		}
		out = append(out, unicode.ToUpper([]rune(w)[0]))
		if len(out) == 3 {
			break
		}
	}
	if len(out) == 0 {
		return "B"
	}
	return string(out)
}

func render(d data, pairs []pair) ([]File, error) {
	var files []File
	for _, p := range pairs {
		src, err := templates.ReadFile(path.Join("templates", p.template))
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(p.template, ".tmpl") {
			t, err := template.New(p.template).Funcs(funcs).Option("missingkey=error").Parse(string(src))
			if err != nil {
				return nil, err
			}
			var b bytes.Buffer
			if err := t.Execute(&b, d); err != nil {
				return nil, err
			}
			src = b.Bytes()
		}
		files = append(files, File{Path: p.path, Data: src})
	}
	return files, nil
}

func or(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// Entries lists what a folder holds (names, sorted; folders end with /);
// nothing when it does not exist.
func Entries(dir string) ([]string, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a folder\n\thint: give the name of a new folder", dir)
	}
	es, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range es {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	return names, nil
}

// Write writes files under root, creating folders as needed. It writes
// nothing when any of them exists already, never replaces a file (each is
// created exclusively), and removes what it created if a write fails.
func Write(root string, files []File) error {
	var exist []string
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(f.Path))); err == nil {
			exist = append(exist, filepath.Join(root, filepath.FromSlash(f.Path)))
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	switch {
	case len(exist) == 1:
		return fmt.Errorf("%s already exists; nothing was written\n\thint: files are never replaced: remove or rename it first, or choose another name", exist[0])
	case len(exist) > 1:
		return fmt.Errorf("these files already exist: %s; nothing was written\n\thint: files are never replaced: remove or rename them first, or choose another name", strings.Join(exist, ", "))
	}
	var created []string
	var dirs []string
	undo := func() {
		for _, p := range slices.Backward(created) {
			os.Remove(p)
		}
		for _, p := range slices.Backward(dirs) {
			os.Remove(p) // only if empty
		}
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		made, err := mkdirAll(filepath.Dir(p))
		dirs = append(dirs, made...)
		if err != nil {
			undo()
			return err
		}
		w, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			undo()
			return err
		}
		created = append(created, p)
		_, err = w.Write(f.Data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			undo()
			return err
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll returning the folders it created, outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	slices.Reverse(missing)
	for i, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return missing[:i], err
		}
	}
	return missing, nil
}
