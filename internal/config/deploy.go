package config

import "github.com/francebadge/blason/internal/diag"

// Deploy is where and how `blason deploy` publishes the built site
// (docs/deploy.md). Credentials are never read from the file: they come
// from the standard environment variables only.
type Deploy struct{}

// deployEnvVars are the BLASON_DEPLOY_* variables.
func deployEnvVars() []Env { return nil }

// check sets defaults and reports invalid deploy settings.
func (d *Deploy) check(at locator, diags *diag.List) {}
