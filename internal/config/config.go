// Package config reads and checks the site configuration: the file
// blason.yaml (or blason.yml) at the root of the source folder, or the file
// BLASON_CONFIG names, with BLASON_* environment variables overriding its
// keys. Precedence: an explicit override (the -b flag) > environment > file
// > default.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/yamlx"
)

// FileName is the configuration file at the root of the source folder.
const FileName = "blason.yaml"

// AltFileName is the other name the configuration file may have.
const AltFileName = "blason.yml"

// EnvConfig names the environment variable giving the configuration file's
// path (relative paths from the current folder), instead of
// SOURCE/blason.yaml; the CLI's --config flag sets it.
const EnvConfig = "BLASON_CONFIG"

// Config is the site configuration.
type Config struct {
	Title        string                     `yaml:"title"`
	BaseURL      string                     `yaml:"baseURL"`
	Languages    []string                   `yaml:"languages"`
	Theme        string                     `yaml:"theme"`
	Translations map[string]TranslatedTitle `yaml:"translations"`
	Credentials  Credentials                `yaml:"credentials"`
	Deploy       Deploy                     `yaml:"deploy"`     // blason deploy (deploy.go)
	Notify       Notify                     `yaml:"notify"`     // blason notify (notify.go)
	Dashboards   Dashboards                 `yaml:"dashboards"` // pilotage dashboards (dashboards.go)
	// Transparency is the transparency log (transparency.go).
	Transparency Transparency `yaml:"transparency"`
}

// Credentials are the settings of the signed outputs.
type Credentials struct {
	// JWTAlg signs Open Badges 3.0 VC-JWTs: ES256 (default: fast and, with
	// RFC 6979, deterministic) or RS256 (the algorithm every OB 3.0
	// verifier must support, about 40 times slower to sign).
	JWTAlg string `yaml:"jwtAlg"`
	// OB2Signed also publishes Open Badges 2.0 signed (JWS, RS256) assertions.
	OB2Signed bool `yaml:"ob2Signed"`
	// Status is the credentialStatus of Open Badges 3.0 credentials:
	// "bitstring" (W3C Bitstring Status List, default) or "1edtech"
	// (1EdTech Revocation List). Both lists are published either way.
	Status string `yaml:"status"`
	// StatusListSize is the number of entries of each status list, a
	// multiple of 131072; at most a quarter of it may be used.
	StatusListSize int `yaml:"statusListSize"`
	// Bake selects the awards published as baked images (their badge image
	// carrying the OB 2.0 assertion and the OB 3.0 credential): "passports"
	// (default: the awards shown on passport pages), "all" or "none".
	Bake string `yaml:"bake"`
	// AllowStudentNumberOnly accepts awards whose recipient is known only
	// by a student number. Their published identity hash can be reversed by
	// trying every number (a few minutes for 10^8 candidates against the
	// published salt), so by default such a row fails the build.
	AllowStudentNumberOnly bool `yaml:"allowStudentNumberOnly"`
}

// TranslatedTitle holds per-language site strings.
type TranslatedTitle struct {
	Title string `yaml:"title"`
}

// SupportedLanguages are the languages the default theme has strings for.
var SupportedLanguages = []string{"fr", "en"}

// Env is one environment variable overriding a configuration key.
type Env struct {
	Name string   // BLASON_…
	Key  []string // the yaml key it overrides, as a path
	Doc  string   // what it holds, for the documentation
	set  func(c *Config, v string) error
}

// EnvVars lists the environment variables overriding configuration keys:
// BLASON_ and the yaml key path in capitals, dots as underscores.
func EnvVars() []Env {
	return slices.Concat(siteEnvVars(), deployEnvVars(), notifyEnvVars(), dashboardsEnvVars())
}

func siteEnvVars() []Env {
	return []Env{
		{"BLASON_TITLE", []string{"title"}, "the site title", func(c *Config, v string) error { c.Title = v; return nil }},
		{"BLASON_BASEURL", []string{"baseURL"}, "the URL the site is published at", func(c *Config, v string) error { c.BaseURL = v; return nil }},
		{"BLASON_LANGUAGES", []string{"languages"}, "the site languages, separated by commas (fr,en)", func(c *Config, v string) error {
			c.Languages = nil
			for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				c.Languages = append(c.Languages, l)
			}
			return nil
		}},
		{"BLASON_THEME", []string{"theme"}, "the theme", func(c *Config, v string) error { c.Theme = v; return nil }},
		{"BLASON_CREDENTIALS_JWTALG", []string{"credentials", "jwtAlg"}, "ES256 or RS256", func(c *Config, v string) error { c.Credentials.JWTAlg = v; return nil }},
		{"BLASON_CREDENTIALS_OB2SIGNED", []string{"credentials", "ob2Signed"}, "true or false", func(c *Config, v string) error { return setBool(&c.Credentials.OB2Signed, v) }},
		{"BLASON_CREDENTIALS_STATUS", []string{"credentials", "status"}, "bitstring or 1edtech", func(c *Config, v string) error { c.Credentials.Status = v; return nil }},
		{"BLASON_CREDENTIALS_STATUSLISTSIZE", []string{"credentials", "statusListSize"}, "a multiple of 131072", func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return errNotNumber
			}
			c.Credentials.StatusListSize = n
			return nil
		}},
		{"BLASON_CREDENTIALS_BAKE", []string{"credentials", "bake"}, "passports, all or none", func(c *Config, v string) error { c.Credentials.Bake = v; return nil }},
		{"BLASON_CREDENTIALS_ALLOWSTUDENTNUMBERONLY", []string{"credentials", "allowStudentNumberOnly"}, "true or false", func(c *Config, v string) error {
			return setBool(&c.Credentials.AllowStudentNumberOnly, v)
		}},
	}
}

var (
	errNotNumber = errors.New("not a number")
	errNotBool   = errors.New("not a boolean")
)

func setBool(p *bool, v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "1", "on":
		*p = true
	case "false", "no", "0", "off":
		*p = false
	default:
		return errNotBool
	}
	return nil
}

// Find returns the configuration file of the site in src: the file
// BLASON_CONFIG names (getenv(EnvConfig)) when set, else src/blason.yaml or
// src/blason.yml. name is how diagnostics call it. A problem (no file, both
// names) is added to diags and path is empty.
func Find(src string, getenv func(string) string, diags *diag.List) (path, name string) {
	if p := getenv(EnvConfig); p != "" {
		if _, err := os.Stat(p); err != nil {
			diags.Add(p, 0, "check the path given to --config or BLASON_CONFIG (relative paths start from the current folder)", "configuration file not found")
			return "", ""
		}
		return p, p
	}
	var found []string
	for _, n := range []string{FileName, AltFileName} {
		ok, err := safefs.Exists(src, filepath.Join(src, n))
		if e := safefs.AsError(err); e != nil {
			diags.Add(n, 0, e.Hint(), "%s", e.Problem())
			return "", ""
		}
		if ok {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		dir := src
		if abs, err := filepath.Abs(src); err == nil {
			dir = abs
		}
		diags.Add(FileName, 0, fmt.Sprintf("%s has no %s or %s: create a site there with `blason new site .`, or pass -s FOLDER to build the site of another folder", dir, FileName, AltFileName), "no site configuration found")
		return "", ""
	case 2:
		diags.Add(AltFileName, 0, fmt.Sprintf("keep %s: move what %s holds into it, then delete %s", FileName, AltFileName, AltFileName), "both %s and %s exist; Blason reads only one", FileName, AltFileName)
		return "", ""
	}
	return filepath.Join(src, found[0]), found[0]
}

// WithFile returns getenv with BLASON_CONFIG answering file when file is
// not empty: how a --config flag reaches Find without touching the
// process environment.
func WithFile(getenv func(string) string, file string) func(string) string {
	if file == "" {
		return getenv
	}
	return func(k string) string {
		if k == EnvConfig {
			return file
		}
		return getenv(k)
	}
}

// Load reads the configuration of the site in src (see Find), overridden by
// the BLASON_* environment variables (EnvVars) and, when not empty, by
// baseURL. Problems are added to diags.
func Load(src, baseURL string, diags *diag.List) *Config {
	return LoadEnv(src, baseURL, os.Getenv, diags)
}

// LoadEnv is Load with the environment read through getenv.
func LoadEnv(src, baseURL string, getenv func(string) string, diags *diag.List) *Config {
	c := &Config{Theme: "default", Languages: []string{"fr", "en"}, Credentials: Credentials{JWTAlg: "ES256", Status: "bitstring", StatusListSize: 131072, Bake: "passports"}}
	path, name := Find(src, getenv, diags)
	if path == "" {
		return nil
	}
	var b []byte
	var err error
	if getenv(EnvConfig) != "" {
		b, err = os.ReadFile(path) // named by the user: may lie outside the source folder
	} else {
		b, err = safefs.ReadFile(src, path)
	}
	if e := safefs.AsError(err); e != nil {
		diags.Add(name, 0, e.Hint(), "%s", e.Problem())
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		diags.Add(name, 0, "", "configuration file not found")
		return nil
	}
	if err != nil {
		diags.Add(name, 0, "", "%v", err)
		return nil
	}
	doc := yamlx.Parse(name, 0, b, diags)
	doc.Decode(c, diags)
	// at tells where a key's value comes from: its environment variable
	// (line 0) or its line in the file.
	fromEnv := map[string]string{}
	var at locator = func(key ...string) (string, int) {
		if v, ok := fromEnv[strings.Join(key, ".")]; ok {
			return v, 0
		}
		return name, doc.Line(key...)
	}
	for _, e := range EnvVars() {
		v := getenv(e.Name)
		if v == "" {
			continue
		}
		fromEnv[strings.Join(e.Key, ".")] = e.Name
		switch err := e.set(c, v); err {
		case errNotNumber:
			diags.Add(e.Name, 0, "use "+e.Doc, "%s is not a number", strconv.Quote(v))
		case errNotBool:
			diags.Add(e.Name, 0, "use true or false", "%s is not true or false", strconv.Quote(v))
		}
	}
	if c.Title == "" {
		f, l := at("title")
		diags.Add(f, l, "add `title: My badges`", "missing title")
	}
	f, line := at("baseURL")
	if baseURL != "" {
		c.BaseURL, f, line = baseURL, "-b", 0
	}
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		diags.Add(f, line, "add `baseURL: https://badges.example.fr/` or pass -b", "missing baseURL")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		diags.Add(f, line, "use an absolute http(s) URL such as https://badges.example.fr/", "baseURL %q is not an absolute http(s) URL", c.BaseURL)
	default:
		if !strings.HasSuffix(c.BaseURL, "/") {
			c.BaseURL += "/"
		}
	}
	if len(c.Languages) == 0 {
		f, l := at("languages")
		diags.Add(f, l, "use [fr, en] or [fr]", "languages is empty")
	}
	seen := map[string]bool{}
	for i, l := range c.Languages {
		f, line := at("languages")
		if f == name {
			line = doc.ItemLine("languages", i)
		}
		if !slices.Contains(SupportedLanguages, l) {
			diags.Add(f, line, "supported: "+strings.Join(SupportedLanguages, ", "), "unsupported language %q", l)
		}
		if seen[l] {
			diags.Add(f, line, "list each language once", "language %q listed twice", l)
		}
		seen[l] = true
	}
	switch c.Credentials.JWTAlg {
	case "ES256", "RS256":
	default:
		f, l := at("credentials", "jwtAlg")
		diags.Add(f, l, "use ES256 or RS256", "credentials.jwtAlg %q is not supported", c.Credentials.JWTAlg)
	}
	switch c.Credentials.Status {
	case "bitstring", "1edtech":
	default:
		f, l := at("credentials", "status")
		diags.Add(f, l, "use bitstring or 1edtech", "credentials.status %q is not supported", c.Credentials.Status)
	}
	switch c.Credentials.Bake {
	case "passports", "all", "none":
	default:
		f, l := at("credentials", "bake")
		diags.Add(f, l, "use passports (the awards shown on passport pages), all or none", "credentials.bake %q is not supported", c.Credentials.Bake)
	}
	if n := c.Credentials.StatusListSize; n < 131072 || n%131072 != 0 {
		f, l := at("credentials", "statusListSize")
		diags.Add(f, l, "use a multiple of 131072 (the minimum for herd privacy)", "credentials.statusListSize %d is not a multiple of 131072", n)
	}
	for l := range c.Translations {
		if !seen[l] {
			diags.Add(name, doc.Line("translations", l), "add it to languages or remove the translation", "translation for %q, which is not in languages", l)
		}
	}
	c.Deploy.check(at, diags)
	c.Notify.check(at, diags)
	c.Dashboards.check(at, diags)
	return c
}

// locator tells where a configuration key's value comes from: the file and
// line, or its environment variable and line 0.
type locator func(key ...string) (string, int)
