package config

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/diag"
)

// Deploy is where and how `blason deploy` publishes the built site
// (docs/deploy.md). Credentials are never read from the file: they come
// from the standard environment variables only.
type Deploy struct {
	// Endpoint is the S3 endpoint URL: https://s3.fr-par.scw.cloud; http://
	// (a local server) means no TLS.
	Endpoint string `yaml:"endpoint"`
	Bucket   string `yaml:"bucket"`
	// Prefix is the folder of the bucket the site goes to ("" the root).
	Prefix string `yaml:"prefix"`
	Region string `yaml:"region"`
	// Addressing is "path" (https://host/bucket/key), "virtual"
	// (https://bucket.host/key) or "auto" (default: what the client
	// picks for the host).
	Addressing string `yaml:"addressing"`
	// Parallel is the number of uploads at a time (default 8).
	Parallel int `yaml:"parallel"`
	// Invalidate is a command run after a successful deploy, given the
	// changed URL paths (CDN invalidation).
	Invalidate string `yaml:"invalidate"`
	// HostFiles also uploads _headers and _redirects (default: not).
	HostFiles bool `yaml:"hostFiles"`
	// CORS sets the bucket's CORS rules (GET and HEAD from any origin).
	CORS bool `yaml:"cors"`

	// Keys refused with a message saying where credentials go.
	AccessKey    string `yaml:"accessKey"`
	SecretKey    string `yaml:"secretKey"`
	SessionToken string `yaml:"sessionToken"`
}

// DefaultParallel is the default number of uploads at a time.
const DefaultParallel = 8

// deployEnvVars are the BLASON_DEPLOY_* variables.
func deployEnvVars() []Env {
	str := func(name, key, doc string, p func(c *Config) *string) Env {
		return Env{name, []string{"deploy", key}, doc, func(c *Config, v string) error { *p(c) = v; return nil }}
	}
	return []Env{
		str("BLASON_DEPLOY_ENDPOINT", "endpoint", "the S3 endpoint URL", func(c *Config) *string { return &c.Deploy.Endpoint }),
		str("BLASON_DEPLOY_BUCKET", "bucket", "the bucket name", func(c *Config) *string { return &c.Deploy.Bucket }),
		str("BLASON_DEPLOY_PREFIX", "prefix", "the folder of the bucket", func(c *Config) *string { return &c.Deploy.Prefix }),
		str("BLASON_DEPLOY_REGION", "region", "the bucket's region", func(c *Config) *string { return &c.Deploy.Region }),
		str("BLASON_DEPLOY_ADDRESSING", "addressing", "path, virtual or auto", func(c *Config) *string { return &c.Deploy.Addressing }),
		{"BLASON_DEPLOY_PARALLEL", []string{"deploy", "parallel"}, "a number of uploads at a time", func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return errNotNumber
			}
			c.Deploy.Parallel = n
			return nil
		}},
		str("BLASON_DEPLOY_INVALIDATE", "invalidate", "a command run with the changed paths", func(c *Config) *string { return &c.Deploy.Invalidate }),
		{"BLASON_DEPLOY_HOSTFILES", []string{"deploy", "hostFiles"}, "true or false", func(c *Config, v string) error { return setBool(&c.Deploy.HostFiles, v) }},
		{"BLASON_DEPLOY_CORS", []string{"deploy", "cors"}, "true or false", func(c *Config, v string) error { return setBool(&c.Deploy.CORS, v) }},
	}
}

// check sets defaults and reports invalid deploy settings. Whether the
// section is complete enough to deploy is checked by blason deploy only
// (Ready), so that a site that never deploys needs none of it.
func (d *Deploy) check(at locator, diags *diag.List) {
	for _, k := range []struct{ key, value, env string }{
		{"accessKey", d.AccessKey, "AWS_ACCESS_KEY_ID"},
		{"secretKey", d.SecretKey, "AWS_SECRET_ACCESS_KEY"},
		{"sessionToken", d.SessionToken, "AWS_SESSION_TOKEN"},
	} {
		if k.value != "" {
			f, l := at("deploy", k.key)
			diags.Add(f, l, "delete this line and set the environment variable "+k.env+" (or AWS_PROFILE and the shared credentials file ~/.aws/credentials): a configuration file is read by anyone who reads the site's sources", "deploy.%s: credentials are never read from the configuration file", k.key)
		}
	}
	if d.Endpoint != "" {
		f, l := at("deploy", "endpoint")
		u, err := url.Parse(d.Endpoint)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			diags.Add(f, l, "use the URL of the S3 service, such as https://s3.fr-par.scw.cloud (http:// only for a server on this machine or network)", "deploy.endpoint %q is not an http(s) URL", redactURL(d.Endpoint))
		case u.User != nil:
			diags.Add(f, l, "remove the user and password from the URL and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead", "deploy.endpoint holds credentials")
		case (u.Path != "" && u.Path != "/") || u.RawQuery != "":
			diags.Add(f, l, "give the bucket in deploy.bucket and the folder in deploy.prefix, not in the endpoint URL", "deploy.endpoint %q has a path", d.Endpoint)
		}
	}
	switch d.Addressing {
	case "":
		d.Addressing = "auto"
	case "auto", "path", "virtual":
	default:
		f, l := at("deploy", "addressing")
		diags.Add(f, l, "use path (https://host/bucket/…, MinIO and most local servers), virtual (https://bucket.host/…) or auto", "deploy.addressing %q is not supported", d.Addressing)
	}
	switch {
	case d.Parallel == 0:
		d.Parallel = DefaultParallel
	case d.Parallel < 1 || d.Parallel > 256:
		f, l := at("deploy", "parallel")
		diags.Add(f, l, "use a number from 1 to 256 (default 8)", "deploy.parallel %d is out of range", d.Parallel)
	}
	d.Prefix = strings.Trim(d.Prefix, "/")
}

// redactURL drops any user and password from a URL, for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(s, "@"); i >= 0 {
			return "…" + s[i:]
		}
		return s
	}
	u.User = nil
	return u.String()
}
