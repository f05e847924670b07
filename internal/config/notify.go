package config

import "github.com/francebadge/blason/internal/diag"

// Notify is how `blason notify` e-mails recipients (docs/notify.md). The
// SMTP password is never read from the file: it comes from the
// environment only.
type Notify struct{}

// notifyEnvVars are the BLASON_NOTIFY_* variables.
func notifyEnvVars() []Env { return nil }

// check sets defaults and reports invalid notify settings.
func (n *Notify) check(at locator, diags *diag.List) {}
