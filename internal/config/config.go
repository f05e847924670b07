// Package config reads and checks the site configuration file, blason.yaml.
package config

import (
	"errors"
	"io/fs"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/safefs"
	"github.com/francebadge/blason/internal/yamlx"
)

// FileName is the configuration file at the root of the source folder.
const FileName = "blason.yaml"

// Config is the site configuration.
type Config struct {
	Title        string                     `yaml:"title"`
	BaseURL      string                     `yaml:"baseURL"`
	Languages    []string                   `yaml:"languages"`
	Theme        string                     `yaml:"theme"`
	Translations map[string]TranslatedTitle `yaml:"translations"`
	Credentials  Credentials                `yaml:"credentials"`
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

// Load reads src/blason.yaml. baseURL, when not empty, overrides the file's
// baseURL. Problems are added to diags.
func Load(src, baseURL string, diags *diag.List) *Config {
	c := &Config{Theme: "default", Languages: []string{"fr", "en"}, Credentials: Credentials{JWTAlg: "ES256", Status: "bitstring", StatusListSize: 131072, Bake: "passports"}}
	b, err := safefs.ReadFile(src, filepath.Join(src, FileName))
	if e := safefs.AsError(err); e != nil {
		diags.Add(FileName, 0, e.Hint(), "%s", e.Problem())
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		diags.Add(FileName, 0, "run blason in a site folder, or pass -s SOURCE", "no site configuration found")
		return nil
	}
	if err != nil {
		diags.Add(FileName, 0, "", "%v", err)
		return nil
	}
	doc := yamlx.Parse(FileName, 0, b, diags)
	doc.Decode(c, diags)
	if c.Title == "" {
		diags.Add(FileName, doc.Line("title"), "add `title: My badges`", "missing title")
	}
	line := doc.Line("baseURL")
	if baseURL != "" {
		c.BaseURL, line = baseURL, 0
	}
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		diags.Add(FileName, line, "add `baseURL: https://badges.example.fr/` or pass -b", "missing baseURL")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		diags.Add(FileName, line, "use an absolute http(s) URL such as https://badges.example.fr/", "baseURL %q is not an absolute http(s) URL", c.BaseURL)
	default:
		if !strings.HasSuffix(c.BaseURL, "/") {
			c.BaseURL += "/"
		}
	}
	if len(c.Languages) == 0 {
		diags.Add(FileName, doc.Line("languages"), "use [fr, en] or [fr]", "languages is empty")
	}
	seen := map[string]bool{}
	for i, l := range c.Languages {
		if !slices.Contains(SupportedLanguages, l) {
			diags.Add(FileName, doc.ItemLine("languages", i), "supported: "+strings.Join(SupportedLanguages, ", "), "unsupported language %q", l)
		}
		if seen[l] {
			diags.Add(FileName, doc.ItemLine("languages", i), "list each language once", "language %q listed twice", l)
		}
		seen[l] = true
	}
	switch c.Credentials.JWTAlg {
	case "ES256", "RS256":
	default:
		diags.Add(FileName, doc.Line("credentials", "jwtAlg"), "use ES256 or RS256", "credentials.jwtAlg %q is not supported", c.Credentials.JWTAlg)
	}
	switch c.Credentials.Status {
	case "bitstring", "1edtech":
	default:
		diags.Add(FileName, doc.Line("credentials", "status"), "use bitstring or 1edtech", "credentials.status %q is not supported", c.Credentials.Status)
	}
	switch c.Credentials.Bake {
	case "passports", "all", "none":
	default:
		diags.Add(FileName, doc.Line("credentials", "bake"), "use passports (the awards shown on passport pages), all or none", "credentials.bake %q is not supported", c.Credentials.Bake)
	}
	if n := c.Credentials.StatusListSize; n < 131072 || n%131072 != 0 {
		diags.Add(FileName, doc.Line("credentials", "statusListSize"), "use a multiple of 131072 (the minimum for herd privacy)", "credentials.statusListSize %d is not a multiple of 131072", n)
	}
	for l := range c.Translations {
		if !seen[l] {
			diags.Add(FileName, doc.Line("translations", l), "add it to languages or remove the translation", "translation for %q, which is not in languages", l)
		}
	}
	return c
}
