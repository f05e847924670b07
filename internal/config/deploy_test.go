package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/diag"
)

// TestDeploy: the deploy: section, its defaults, its environment
// overrides, and the credentials refused wherever they are written.
func TestDeploy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		yaml    string
		env     map[string]string
		want    Deploy   // when no problem
		problem []string // substrings of the diagnostics
		hidden  string   // never in the diagnostics
	}{
		// valid is two lines: deploy: is line 3 of the file.
		{name: "defaults", want: Deploy{Addressing: "auto", Parallel: DefaultParallel}},
		{name: "file", yaml: "deploy:\n  endpoint: https://s3.fr-par.scw.cloud\n  bucket: badges\n  prefix: /www/\n  region: fr-par\n  addressing: virtual\n  parallel: 16\n  invalidate: ./purge.sh\n  hostFiles: true\n  cors: true\n",
			want: Deploy{Endpoint: "https://s3.fr-par.scw.cloud", Bucket: "badges", Prefix: "www", Region: "fr-par", Addressing: "virtual", Parallel: 16, Invalidate: "./purge.sh", HostFiles: true, CORS: true}},
		{name: "environment over file", yaml: "deploy:\n  bucket: file\n",
			env:  map[string]string{"BLASON_DEPLOY_BUCKET": "env", "BLASON_DEPLOY_ENDPOINT": "http://127.0.0.1:9000", "BLASON_DEPLOY_PARALLEL": "2", "BLASON_DEPLOY_CORS": "yes"},
			want: Deploy{Endpoint: "http://127.0.0.1:9000", Bucket: "env", Addressing: "auto", Parallel: 2, CORS: true}},
		{name: "secret in the file", yaml: "deploy:\n  bucket: b\n  secretKey: s3cr3t-value\n",
			problem: []string{"blason.yaml:5: deploy.secretKey: credentials are never read from the configuration file", "AWS_SECRET_ACCESS_KEY"}, hidden: "s3cr3t-value"},
		{name: "access key and token in the file", yaml: "deploy:\n  accessKey: AKIAEXAMPLE\n  sessionToken: tok\n",
			problem: []string{"blason.yaml:4: deploy.accessKey", "AWS_ACCESS_KEY_ID", "blason.yaml:5: deploy.sessionToken", "AWS_SESSION_TOKEN"}},
		{name: "password in the endpoint", env: map[string]string{"BLASON_DEPLOY_ENDPOINT": "https://id:pa55word@s3.example.org"},
			problem: []string{"BLASON_DEPLOY_ENDPOINT: deploy.endpoint holds credentials"}, hidden: "pa55word"},
		{name: "endpoint not a URL", yaml: "deploy:\n  endpoint: s3.example.org\n", problem: []string{"blason.yaml:4: deploy.endpoint \"s3.example.org\" is not an http(s) URL"}},
		{name: "bucket in the endpoint", yaml: "deploy:\n  endpoint: https://s3.example.org/badges\n", problem: []string{"has a path", "deploy.bucket"}},
		{name: "addressing", yaml: "deploy:\n  addressing: dns\n", problem: []string{"blason.yaml:4: deploy.addressing \"dns\" is not supported"}},
		{name: "parallel", env: map[string]string{"BLASON_DEPLOY_PARALLEL": "1000"}, problem: []string{"BLASON_DEPLOY_PARALLEL: deploy.parallel 1000 is out of range"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			if err := os.WriteFile(filepath.Join(src, FileName), []byte(valid+tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			var diags diag.List
			c := LoadEnv(src, "", func(k string) string { return tc.env[k] }, &diags)
			err := diags.Err()
			if len(tc.problem) > 0 {
				if err == nil {
					t.Fatalf("no problem; want %q", tc.problem)
				}
				msg := err.Error()
				for _, p := range tc.problem {
					if !strings.Contains(msg, p) {
						t.Errorf("problems lack %q:\n%v", p, msg)
					}
				}
				if tc.hidden != "" && strings.Contains(msg, tc.hidden) {
					t.Errorf("the diagnostics show %q:\n%s", tc.hidden, msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Deploy != tc.want {
				t.Errorf("deploy = %+v, want %+v", c.Deploy, tc.want)
			}
		})
	}
}
