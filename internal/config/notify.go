package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/diag"
)

// Notify is how `blason notify` e-mails recipients (docs/notify.md). The
// SMTP password is never read from the file: it comes from the
// environment only (EnvSMTPPassword).
type Notify struct {
	Host     string `yaml:"host"`     // SMTP server
	Port     int    `yaml:"port"`     // default: 587 (starttls), 465 (tls), 25 (none)
	Security string `yaml:"security"` // starttls (default), tls (implicit TLS) or none (loopback hosts only)
	Username string `yaml:"username"` // SMTP login; the password comes from BLASON_SMTP_PASSWORD
	// Password is never accepted: it is only declared so that a password
	// written in the file is refused with a message saying where it goes.
	Password string `yaml:"password"`
	// CAFile is a PEM file of certificate authorities trusted for the
	// server's certificate, besides the system's (a private CA).
	CAFile   string `yaml:"caFile"`
	From     string `yaml:"from"`     // sender address
	FromName string `yaml:"fromName"` // sender display name
	ReplyTo  string `yaml:"replyTo"`  // where replies go (optional)
	// ClaimURL is the public URL of `blason claim`, where recipients
	// collect their badges; required to send.
	ClaimURL string `yaml:"claimURL"`
	// Rate is the most messages sent per second or per minute: "10/s",
	// "600/min" (default "5/s").
	Rate string `yaml:"rate"`
	// BatchSize is the most messages sent through one SMTP connection
	// before reconnecting (default 50).
	BatchSize int `yaml:"batchSize"`
	// Revocations is whether revocation notices are sent, for spaces that
	// do not say (their _space.md key notifyRevocations).
	Revocations bool `yaml:"revocations"`

	// PerSecond is Rate read (messages per second), set by check.
	PerSecond float64 `yaml:"-"`
}

// EnvSMTPPassword is the environment variable holding the SMTP password.
const EnvSMTPPassword = "BLASON_SMTP_PASSWORD"

// notifyEnvVars are the BLASON_NOTIFY_* variables.
func notifyEnvVars() []Env {
	str := func(name, key, doc string, p func(c *Config) *string) Env {
		return Env{name, []string{"notify", key}, doc, func(c *Config, v string) error { *p(c) = v; return nil }}
	}
	num := func(name, key, doc string, p func(c *Config) *int) Env {
		return Env{name, []string{"notify", key}, doc, func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return errNotNumber
			}
			*p(c) = n
			return nil
		}}
	}
	return []Env{
		str("BLASON_NOTIFY_HOST", "host", "the SMTP server's host name", func(c *Config) *string { return &c.Notify.Host }),
		num("BLASON_NOTIFY_PORT", "port", "the SMTP server's port", func(c *Config) *int { return &c.Notify.Port }),
		str("BLASON_NOTIFY_SECURITY", "security", "starttls, tls or none", func(c *Config) *string { return &c.Notify.Security }),
		str("BLASON_NOTIFY_USERNAME", "username", "the SMTP login (the password is in BLASON_SMTP_PASSWORD)", func(c *Config) *string { return &c.Notify.Username }),
		str("BLASON_NOTIFY_CAFILE", "caFile", "a PEM file of trusted certificate authorities", func(c *Config) *string { return &c.Notify.CAFile }),
		str("BLASON_NOTIFY_FROM", "from", "the sender address", func(c *Config) *string { return &c.Notify.From }),
		str("BLASON_NOTIFY_FROMNAME", "fromName", "the sender's display name", func(c *Config) *string { return &c.Notify.FromName }),
		str("BLASON_NOTIFY_REPLYTO", "replyTo", "the reply-to address", func(c *Config) *string { return &c.Notify.ReplyTo }),
		str("BLASON_NOTIFY_CLAIMURL", "claimURL", "the public URL of blason claim", func(c *Config) *string { return &c.Notify.ClaimURL }),
		str("BLASON_NOTIFY_RATE", "rate", "messages per second or minute (10/s, 600/min)", func(c *Config) *string { return &c.Notify.Rate }),
		num("BLASON_NOTIFY_BATCHSIZE", "batchSize", "messages per SMTP connection", func(c *Config) *int { return &c.Notify.BatchSize }),
		{"BLASON_NOTIFY_REVOCATIONS", []string{"notify", "revocations"}, "true or false", func(c *Config, v string) error { return setBool(&c.Notify.Revocations, v) }},
	}
}

// check sets defaults and reports invalid notify settings. Settings only
// `blason notify` needs to send (host, from, claimURL) are not required
// here: a site that never notifies has none (see MissingForSending).
func (n *Notify) check(at locator, diags *diag.List) {
	if n.Password != "" {
		f, l := at("notify", "password")
		diags.Add(f, l, "remove it from the file and set the environment variable "+EnvSMTPPassword+" instead (a file is copied, committed and backed up; the environment is not)",
			"notify.password: the SMTP password is never read from the configuration file")
		n.Password = ""
	}
	if n.Security == "" {
		n.Security = "starttls"
	}
	switch n.Security {
	case "starttls", "tls":
	case "none":
		if n.Host != "" && !loopback(n.Host) {
			f, l := at("notify", "security")
			diags.Add(f, l, "use starttls or tls: without TLS, the password and every recipient's address cross the network in clear; none is only for a server on this machine (localhost, 127.0.0.1, ::1)",
				"notify.security none is refused for host %q, which is not this machine", n.Host)
		}
	default:
		f, l := at("notify", "security")
		diags.Add(f, l, "use starttls (port 587), tls (implicit TLS, port 465) or none (a server on this machine only)", "notify.security %q is not supported", n.Security)
	}
	if n.Port == 0 {
		switch n.Security {
		case "tls":
			n.Port = 465
		case "none":
			n.Port = 25
		default:
			n.Port = 587
		}
	}
	if n.Port < 0 || n.Port > 65535 {
		f, l := at("notify", "port")
		diags.Add(f, l, "use the SMTP server's port: 587 (starttls), 465 (tls) or 25", "notify.port %d is not a port number", n.Port)
	}
	if n.Host != "" && strings.ContainsAny(n.Host, "/: ") && net.ParseIP(n.Host) == nil {
		f, l := at("notify", "host")
		diags.Add(f, l, "give the host name alone (smtp.univ.example.fr), the port under notify.port", "notify.host %q is not a host name", n.Host)
	}
	for _, k := range []struct {
		key, v string
	}{{"from", n.From}, {"replyTo", n.ReplyTo}} {
		if k.v == "" {
			continue
		}
		if a, err := mail.ParseAddress(k.v); err != nil || a.Address != k.v {
			f, l := at("notify", k.key)
			diags.Add(f, l, "write the address alone, e.g. badges@univ.example.fr (the display name goes under notify.fromName)", "notify.%s %q is not an e-mail address", k.key, k.v)
		}
	}
	if n.ClaimURL != "" {
		if u, err := url.Parse(n.ClaimURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			f, l := at("notify", "claimURL")
			diags.Add(f, l, "the public URL of blason claim, as given to its --url, e.g. https://badges.univ.example.fr/claim/", "notify.claimURL %q is not an absolute http(s) URL", n.ClaimURL)
		} else if !strings.HasSuffix(n.ClaimURL, "/") {
			n.ClaimURL += "/"
		}
	}
	if n.Rate == "" {
		n.Rate = "5/s"
	}
	if r, ok := parseRate(n.Rate); ok {
		n.PerSecond = r
	} else {
		f, l := at("notify", "rate")
		diags.Add(f, l, "write a number of messages per second or per minute, e.g. 10/s or 600/min", "notify.rate %q is not a rate", n.Rate)
	}
	if n.BatchSize == 0 {
		n.BatchSize = 50
	}
	if n.BatchSize < 1 || n.BatchSize > 10000 {
		f, l := at("notify", "batchSize")
		diags.Add(f, l, "give the number of messages sent through one connection, from 1 to 10000 (50 suits most servers)", "notify.batchSize %d is out of range", n.BatchSize)
	}
}

// MissingForSending names the settings `blason notify` needs to send
// (or to render a message) that are not set, as yaml keys.
func (n *Notify) MissingForSending(sending bool) []string {
	var missing []string
	if n.ClaimURL == "" {
		missing = append(missing, "notify.claimURL")
	}
	if n.From == "" {
		missing = append(missing, "notify.from")
	}
	if sending && n.Host == "" {
		missing = append(missing, "notify.host")
	}
	return missing
}

// parseRate reads "10/s", "600/min", "2.5/s", "10" (per second) as
// messages per second.
func parseRate(s string) (float64, bool) {
	num, unit, _ := strings.Cut(strings.ReplaceAll(s, " ", ""), "/")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 || v > 100000 {
		return 0, false
	}
	switch unit {
	case "", "s", "sec", "second":
		return v, true
	case "min", "m", "minute":
		return v / time.Minute.Seconds(), true
	case "h", "hour":
		return v / time.Hour.Seconds(), true
	}
	return 0, false
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// String describes the SMTP server without its credentials, for logs.
func (n *Notify) String() string {
	return fmt.Sprintf("%s:%d (%s)", n.Host, n.Port, n.Security)
}
