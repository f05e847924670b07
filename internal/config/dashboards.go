package config

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/diag"
)

// Dashboards are the settings of the pilotage dashboards
// (docs/dashboards.md): aggregate counts built with the site, small counts
// suppressed.
type Dashboards struct {
	// K is the suppression threshold: counts below it are shown as "< k".
	// Default 5, never below 3.
	K int `yaml:"k"`
	// Publish is "site" (default: published under dashboards/), "private"
	// (written under Folder, never in the site) or "off".
	Publish string `yaml:"publish"`
	// Folder is where private dashboards are written, relative to the
	// source folder (default "reports"), at their paths in the site
	// (dashboards/…, en/dashboards/…).
	Folder string `yaml:"folder"`
}

// Dashboard defaults and bounds.
const (
	DashboardsDefaultK = 5
	DashboardsMinK     = 3
)

// dashboardsEnvVars are the BLASON_DASHBOARDS_* variables.
func dashboardsEnvVars() []Env {
	return []Env{
		{"BLASON_DASHBOARDS_K", []string{"dashboards", "k"}, "a whole number, 3 or more", func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return errNotNumber
			}
			c.Dashboards.K = n
			return nil
		}},
		{"BLASON_DASHBOARDS_PUBLISH", []string{"dashboards", "publish"}, "site, private or off", func(c *Config, v string) error { c.Dashboards.Publish = v; return nil }},
		{"BLASON_DASHBOARDS_FOLDER", []string{"dashboards", "folder"}, "a folder relative to the source folder", func(c *Config, v string) error { c.Dashboards.Folder = v; return nil }},
	}
}

// check sets defaults and reports invalid dashboard settings.
func (d *Dashboards) check(at locator, diags *diag.List) {
	if d.K == 0 {
		d.K = DashboardsDefaultK
	}
	if d.K < DashboardsMinK {
		f, l := at("dashboards", "k")
		diags.Add(f, l, "use 3 or more (5 is the usual threshold)", "dashboards.k %d is below %d: counts that small could identify people", d.K, DashboardsMinK)
	}
	if d.Publish == "" {
		d.Publish = "site"
	}
	switch d.Publish {
	case "site", "private", "off":
	default:
		f, l := at("dashboards", "publish")
		diags.Add(f, l, "use site, private or off", "dashboards.publish %q is not supported", d.Publish)
	}
	if d.Folder == "" {
		d.Folder = "reports"
	}
	if filepath.IsAbs(d.Folder) || strings.HasPrefix(filepath.Clean(filepath.FromSlash(d.Folder)), "..") {
		f, l := at("dashboards", "folder")
		diags.Add(f, l, "use a folder inside the source folder, such as reports", "dashboards.folder %q is outside the source folder", d.Folder)
	}
}
