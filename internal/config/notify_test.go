package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/diag"
)

// TestNotifySettings checks the notify: section: defaults, environment
// overrides, and each refusal with its file:line.
func TestNotifySettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		yaml    string // the notify: section
		env     map[string]string
		problem []string // want these substrings; none: valid
		check   func(t *testing.T, n *Notify)
	}{
		{name: "absent: defaults", check: func(t *testing.T, n *Notify) {
			if n.Security != "starttls" || n.Port != 587 || n.BatchSize != 50 || n.PerSecond != 5 || n.Revocations {
				t.Errorf("defaults: %+v", n)
			}
			if m := n.MissingForSending(true); strings.Join(m, ",") != "notify.claimURL,notify.from,notify.host" {
				t.Errorf("missing %v", m)
			}
		}},
		{name: "full", yaml: "notify:\n  host: smtp.univ.example.fr\n  security: tls\n  username: badges\n  from: badges@univ.example.fr\n  claimURL: https://badges.univ.example.fr/claim\n  rate: 600/min\n  batchSize: 20\n  revocations: true\n",
			check: func(t *testing.T, n *Notify) {
				if n.Port != 465 || n.PerSecond != 10 || n.BatchSize != 20 || !n.Revocations || n.ClaimURL != "https://badges.univ.example.fr/claim/" {
					t.Errorf("got %+v", n)
				}
				if m := n.MissingForSending(true); len(m) != 0 {
					t.Errorf("missing %v", m)
				}
			}},
		{name: "environment", yaml: "notify:\n  host: smtp.univ.example.fr\n",
			env: map[string]string{"BLASON_NOTIFY_HOST": "127.0.0.1", "BLASON_NOTIFY_SECURITY": "none", "BLASON_NOTIFY_PORT": "2525", "BLASON_NOTIFY_RATE": "2.5/s", "BLASON_NOTIFY_REVOCATIONS": "yes"},
			check: func(t *testing.T, n *Notify) {
				if n.Host != "127.0.0.1" || n.Port != 2525 || n.PerSecond != 2.5 || !n.Revocations {
					t.Errorf("got %+v", n)
				}
			}},
		{name: "password in the file", yaml: "notify:\n  host: smtp.univ.example.fr\n  password: hunter2\n",
			problem: []string{"blason.yaml:6: notify.password: the SMTP password is never read from the configuration file", "BLASON_SMTP_PASSWORD"}},
		{name: "bad security", yaml: "notify:\n  security: ssl\n", problem: []string{`blason.yaml:5: notify.security "ssl" is not supported`, "use starttls"}},
		{name: "none on a remote host", yaml: "notify:\n  host: smtp.univ.example.fr\n  security: none\n",
			problem: []string{`blason.yaml:6: notify.security none is refused for host "smtp.univ.example.fr"`}},
		{name: "none on a remote host from the environment", yaml: "notify:\n  security: none\n", env: map[string]string{"BLASON_NOTIFY_HOST": "mail.example.org"},
			problem: []string{`blason.yaml:5: notify.security none is refused for host "mail.example.org"`}},
		{name: "bad values", yaml: "notify:\n  host: smtp.example.fr:587\n  from: Badges <b@example.fr>\n  claimURL: claim.example.fr\n  rate: fast\n  batchSize: -1\n  port: 70000\n",
			problem: []string{`blason.yaml:5: notify.host "smtp.example.fr:587" is not a host name`, `blason.yaml:6: notify.from "Badges <b@example.fr>" is not an e-mail address`,
				`blason.yaml:7: notify.claimURL "claim.example.fr" is not an absolute`, `blason.yaml:8: notify.rate "fast" is not a rate`,
				`blason.yaml:9: notify.batchSize -1 is out of range`, `blason.yaml:10: notify.port 70000 is not a port number`}},
		{name: "bad environment number", env: map[string]string{"BLASON_NOTIFY_BATCHSIZE": "many"}, problem: []string{`BLASON_NOTIFY_BATCHSIZE: "many" is not a number`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "blason.yaml"), []byte(valid+"languages: [fr]\n"+tc.yaml), 0o644)
			var diags diag.List
			c := LoadEnv(dir, "", func(k string) string { return tc.env[k] }, &diags)
			err := diags.Err()
			if len(tc.problem) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, &c.Notify)
				return
			}
			if err == nil {
				t.Fatalf("no problem; want %q", tc.problem)
			}
			for _, p := range tc.problem {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("problems lack %q:\n%v", p, err)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Error("the password is repeated in the message")
			}
		})
	}
}
