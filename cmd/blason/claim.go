package main

import (
	"context"
	"io"
	"log/slog"
	"os/signal"
	"strings"
	"syscall"

	"github.com/francebadge/blason/internal/claim"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdClaim(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("claim", stderr)
	var o claim.AppOptions
	var fed, certs, idps listFlag
	fs.source(&o.Source, "source folder (holding blason.yaml, content/, keys/)")
	fs.destination(&o.Destination, "", "site folder (default SOURCE/site)")
	fs.baseURL(&o.BaseURL, "base URL of the published site (default: the configuration's baseURL)")
	fs.withConfig()
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.URL, "url", "", "public base URL of the claim server (default http://LISTEN/)")
	fs.StringVar(&o.DB, "db", "", "state store: a file path (SQLite, default SOURCE/.blason/claim.db) or a postgres:// URL")
	fs.BoolVar(&o.Rebuild, "rebuild", true, "build the site at start and after each passport change (single host); false: read the last build's claim index")
	fs.Var(&fed, "federation", "federation metadata aggregate (URL or file; repeatable), verified with --federation-cert")
	fs.Var(&certs, "federation-cert", "PEM certificate the metadata signatures are checked with (repeatable)")
	fs.Var(&idps, "idp-metadata", "one identity provider's metadata (URL or file; repeatable)")
	fs.BoolVar(&o.TrustUnsigned, "trust-unsigned-idp", false, "accept --idp-metadata without a signature (tests, a local IdP only)")
	fs.StringVar(&o.Organization.TechnicalEmail, "contact", "", "technical and support contact e-mail for the SP metadata")
	fs.StringVar(&o.Organization.SecurityEmail, "security-contact", "", "security contact e-mail (SIRTFI) for the SP metadata")
	fs.StringVar(&o.Organization.PrivacyURL, "privacy-url", "", "privacy statement URL for the SP metadata")
	fs.StringVar(&o.Privacy.Controller, "controller", "", "data controller shown on the privacy page: the institution's name and postal address")
	fs.StringVar(&o.Privacy.DPO, "dpo", "", "data protection officer's contact shown on the privacy page: an e-mail address or a web page")
	fs.DurationVar(&o.AuditRetention, "audit-retention", claim.DefaultAuditRetention, "how long the audit trail of students' actions is kept")
	fs.DurationVar(&o.PurgeEvery, "purge-every", claim.DefaultPurgeEvery, "how often expired sessions, replay-cache entries and audit events are removed")
	fs.DurationVar(&o.Wallet.OfferTTL, "wallet-offer-ttl", claim.DefaultWalletTTL, "how long an \"Add to my wallet\" offer may be redeemed")
	fs.DurationVar(&o.Wallet.TokenTTL, "wallet-token-ttl", claim.DefaultWalletTTL, "how long a wallet's access token lasts")
	fs.BoolVar(&o.Wallet.NoTxCode, "wallet-no-pin", false, "offer badges to wallets without a transaction code (PIN)")
	fs.StringVar(&o.Wallet.LogoURL, "wallet-logo", "", "URL of the institution's logo shown by wallets (PNG or SVG)")
	for name, v := range map[string]string{"db": "FILE|URL", "federation": "URL|FILE", "federation-cert": "PEM",
		"idp-metadata": "URL|FILE", "listen": "ADDRESS", "contact": "EMAIL", "security-contact": "EMAIL", "privacy-url": "URL",
		"controller": "TEXT", "dpo": "EMAIL|URL", "audit-retention": "DURATION", "purge-every": "DURATION"} {
		fs.value(name, v)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Config = fs.configFile()
	o.Federations, o.FederationCerts, o.IdPMetadata = fed, certs, idps
	o.Organization.SupportEmail = o.Organization.TechnicalEmail
	o.Log = slog.New(slog.NewJSONHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return claim.Run(ctx, o) // run() prints errors in the chosen language
}
