package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/diag"
)

func TestDashboardsSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		file    string            // after the valid title and baseURL
		env     map[string]string // BLASON_DASHBOARDS_*
		want    Dashboards        // when no problem
		problem string            // want this substring in the diagnostics
	}{
		{name: "defaults", want: Dashboards{K: 5, Publish: "site", Folder: "reports"}},
		{name: "file", file: "dashboards:\n  k: 10\n  publish: private\n  folder: pilotage\n", want: Dashboards{K: 10, Publish: "private", Folder: "pilotage"}},
		{name: "environment over file", file: "dashboards:\n  k: 10\n", env: map[string]string{"BLASON_DASHBOARDS_K": "7", "BLASON_DASHBOARDS_PUBLISH": "off"},
			want: Dashboards{K: 7, Publish: "off", Folder: "reports"}},
		{name: "k of 3 is the floor", file: "dashboards:\n  k: 3\n", want: Dashboards{K: 3, Publish: "site", Folder: "reports"}},
		{name: "k below 3", file: "dashboards:\n  k: 2\n", problem: "blason.yaml:4: dashboards.k 2 is below 3"},
		{name: "k below 3 from the environment", env: map[string]string{"BLASON_DASHBOARDS_K": "1"}, problem: "BLASON_DASHBOARDS_K: dashboards.k 1 is below 3"},
		{name: "k not a number", env: map[string]string{"BLASON_DASHBOARDS_K": "cinq"}, problem: `BLASON_DASHBOARDS_K: "cinq" is not a number`},
		{name: "unknown publish", file: "dashboards:\n  publish: web\n", problem: `blason.yaml:4: dashboards.publish "web" is not supported`},
		{name: "folder outside", file: "dashboards:\n  folder: ../elsewhere\n", problem: `dashboards.folder "../elsewhere" is outside the source folder`},
		{name: "absolute folder", file: "dashboards:\n  folder: /tmp/x\n", problem: `dashboards.folder "/tmp/x" is outside the source folder`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			if err := os.WriteFile(filepath.Join(src, FileName), []byte(valid+tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			var diags diag.List
			c := LoadEnv(src, "", func(k string) string { return tc.env[k] }, &diags)
			err := diags.Err()
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("got %v, want %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Dashboards != tc.want {
				t.Errorf("got %+v, want %+v", c.Dashboards, tc.want)
			}
		})
	}
}
