package main

import (
	"fmt"
	"io"
	"strings"
)

// command describes a command for the help: its synopsis (flag names are
// the same in every language) and what it does, in English (the key of its
// French translation).
type command struct {
	name     string // "build", "keys new"
	synopsis string
	text     string
}

// commands lists the commands in the order of the help.
func commands() []command {
	return []command{
		{"new", "blason new site DIR [--title T] [--baseURL URL] [--space NAME] [--issuer NAME] [--force] | new space NAME [-s SOURCE] [--title ISSUER] | new badge SPACE/SLUG [-s SOURCE] [--title NAME] [--levels L,…]",
			"Start a site (blason.yaml, a space, a badge class, an award list, a README in French for the badge officer), or add a space or a badge class to one. Never replaces a file."},
		{"build", "blason build [-s SOURCE] [-d DESTINATION] [-b BASE_URL] [--config FILE] [-q] [-v] [--force] [--wait 10m] [--existing-keys] [--start-over SPACE,...]",
			"Build the site from SOURCE (default: the current folder) into DESTINATION (default: site/). Only the awards whose inputs changed are signed again (--force: all of them). One build at a time writes a DESTINATION (--wait: how long to wait for another). A space that has published is never given a new secret, key or status ledger: when one is missing the build fails and writes nothing (restore keys/; --start-over SPACE abandons every credential the space issued). --existing-keys creates none at all, even for a new space (CI)."},
		{"serve", "blason serve [-s SOURCE] [--config FILE] [--bind 127.0.0.1] [-p 1313]",
			"Build the site for http://localhost:PORT/ into a temporary folder, serve it and build it again when content/, themes/, keys/ or the configuration change; open pages reload by themselves and show build errors (--port 0 picks a free port). A preview: production sites are served by a CDN or any static web server."},
		{"awards", "blason awards [-s SOURCE] [--config FILE]",
			"List the award id of every award row (file:line id), to fill revocations.csv."},
		{"report", "blason report [-s SOURCE] [--config FILE] [-o reports] [--framework SLUG] [--level competent] [--space SPACE] [--date YYYY-MM-DD]",
			"Private jury reports (CSV and HTML, outside the site folder): for each cohort (content/<space>/cohorts/*.csv), who holds the level in every competency of the framework, and who is missing what."},
		{"claim", "blason claim [-s SOURCE] [--config FILE] [--listen 127.0.0.1:8080] [--url PUBLIC_URL] [--db FILE|postgres://…] [--federation URL|FILE --federation-cert PEM]... [--idp-metadata URL|FILE]...",
			"The claim server: students log in with their institution (SAML, Renater/eduGAIN), see and download their badges and choose their passport page (docs/claim.md)."},
		{"deploy", "blason deploy [-s SOURCE] [-d DESTINATION] [--config FILE] [-q] [--dry-run] [--verify] [--parallel N]",
			"Publish the built site DESTINATION (default: site/) to the S3-compatible bucket of the configuration's deploy: section (docs/deploy.md), credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE. Only what changed since the last deploy is sent, keys and credentials before the lists and pages pointing to them, then the objects the site no longer has are removed (never objects Blason did not create). A deploy cut short is finished by the next one. --dry-run lists the changes; --verify compares every object of the bucket with the site."},
		{"notify", "blason notify [-s SOURCE] [-d DESTINATION] [--config FILE] [--initial | --baseline | --dry-run [-o DIR] | --to-test ADDR] [--resend-uncertain]",
			"E-mail each recipient of a new award published in DESTINATION (and of a revocation, when the space asks for it) once, in French or English, with the claim link; a journal under .blason/notify/ makes a crash or a second run never send twice. A first run chooses: --baseline records the awards already published as announced, --initial e-mails them (docs/notify.md)."},
		{"export", "blason export [-s SOURCE] [-d DESTINATION] [--config FILE] --space SPACE [--db FILE|postgres://…] [--now YYYY-MM-DD] [-o DIR]",
			"Private export for the institution (CSV and JSON, outside the site folder): every award of a space with its source line, id, public URLs and status (valid, expired, suspended, revoked), and with --db whether it was claimed, taken for a wallet and shown on a passport (docs/privacy.md)."},
		{"verify", "blason verify [--site DIR -b BASE_URL] [--now YYYY-MM-DD] [--allow-private] FILE|URL|FOLDER...",
			"Verify badges (Open Badges 2.0 hosted or signed, Open Badges 3.0 Data Integrity or VC-JWT): signatures, issuer keys, expiry and status. With --site, URLs under BASE_URL are read from DIR and nothing is fetched from the network."},
		{"log", "blason log show [-s SOURCE] | log monitor URL|DIR [--state FILE] [--key VKEY] [--mirror DIR] | log recover --from DIR|URL [-s SOURCE]",
			"The site's transparency log of issuances, status changes and keys (docs/transparency.md): show prints its size and root; monitor checks a published log (every tile against the signed checkpoint, consistency with the checkpoint seen before, back-dated re-issues) and can mirror it; recover rebuilds a lost .blason/tlog/ from the published tiles."},
		logWitnessCommand,
		{"keys list", "blason keys list [-s SOURCE] [--space SPACE]",
			"List the signing keys of every space (or of one)."},
		{"keys new", "blason keys new [-s SOURCE] --space SPACE [--alg Ed25519|ES256|RS256]",
			"Create a space's first key of an algorithm (builds create missing keys too)."},
		{"keys rotate", "blason keys rotate [-s SOURCE] --space SPACE [--alg ALG] [--from YYYY-MM-DD]",
			"Add new keys (for every algorithm the space uses, or --alg) that sign the awards dated from --from (default: today); older awards keep their keys, and every public key stays published."},
		{"keys retire", "blason keys retire [-s SOURCE] --space SPACE --kid KID",
			"Delete a key's private half and keep its public half published: old credentials keep verifying, and the next key of its algorithm signs instead."},
		{"keys backup", "blason keys backup [-s SOURCE] -o FILE [--recipient age1...]",
			"Write keys/ (secrets, keys, ledgers) as one age-encrypted file, with a passphrase (from BLASON_BACKUP_PASSPHRASE or asked on the terminal) or age public keys."},
		{"keys restore", "blason keys restore [-s SOURCE] FILE [--force] [--identity AGE_IDENTITY_FILE]",
			"Restore keys/ from a backup, file modes kept; files that differ are replaced only with --force."},
		{"keys check", "blason keys check [-s SOURCE] [--config FILE] [-d DESTINATION] [--space SPACE]",
			"Compare keys/ with what DESTINATION publishes: every published key has its private half (or is retired) and the same public key, and the ledger matches the published status lists. Exit status 1 on any mismatch."},
		{"keys rebuild-ledger", "blason keys rebuild-ledger [-s SOURCE] [--config FILE] [-d DESTINATION] --space SPACE",
			"Read a lost status ledger back from the published site where that is exact (refused, writing nothing, where it is not)."},
		{"bench", "blason bench [--awards N] [--dir DIR] [--keep]",
			"Build a synthetic site of N awards and measure the full build rate, a rebuild with no change, a one-award rebuild and the peak memory."},
		{"completion", "blason completion bash|zsh|fish",
			"Print a shell completion script for blason's commands and flags. Bash: source <(blason completion bash)."},
		{"version", "blason version", "Print blason's version, commit, build date and Go version."},
		{"help", "blason help [COMMAND]", "Print this help, or a command's."},
	}
}

// findCommand returns the command named name.
func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// printUsage writes the general help.
func printUsage(w io.Writer) {
	l := langOf(w)
	fmt.Fprintln(w, l.Sprintf("blason publishes Open Badges as a static site."))
	fmt.Fprintln(w)
	fmt.Fprintln(w, l.Sprintf("Usage:"))
	for _, c := range commands() {
		fmt.Fprintln(w, strings.Replace(wrap(c.synopsis, "  ", 96), "\n  ", "\n      ", -1))
		fmt.Fprintln(w, wrap(l.Translate(c.text), "        ", 90))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, l.Sprintf("Common flags:"))
	for _, f := range commonFlags() {
		fmt.Fprintln(w, "  "+f[0])
		fmt.Fprintln(w, wrap(l.Translate(f[1]), "        ", 90))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, wrap(l.Sprintf("Configuration: flags override BLASON_* environment variables (BLASON_BASEURL, BLASON_TITLE…), which override the configuration file, which overrides the defaults. The content model is described in docs/content.md, the commands in docs/cli.md."), "", 90))
}

// commandNames lists the commands and keys subcommands, for completion.
func commandNames() (top, keys []string) {
	seen := map[string]bool{}
	for _, c := range commands() {
		name, sub, isSub := strings.Cut(c.name, " ")
		if isSub && name == "keys" {
			keys = append(keys, sub)
		}
		if !seen[name] {
			seen[name] = true
			top = append(top, name)
		}
	}
	return top, keys
}

// commonFlags are the flags the general help explains: names and what
// they do.
func commonFlags() [][2]string {
	return [][2]string{
		{"-s, --source SOURCE", "the site folder, holding blason.yaml (default: the current folder)"},
		{"-d, --destination DESTINATION", "the output folder, relative to the source folder (default: site)"},
		{"-b, --baseURL BASE_URL", "the URL the site is published at, overriding the configuration"},
		{"--config FILE", "the configuration file, instead of SOURCE/blason.yaml or SOURCE/blason.yml"},
		{"-q, --quiet", "print nothing on success"},
		{"-v, --verbose", "also print how long each stage took"},
		{"--lang fr|en", "language of messages (default: BLASON_LANG, then LC_ALL, LC_MESSAGES, LANG)"},
		{"-h, --help", "a command's help and flags (blason build --help)"},
		{"--version", "same as blason version"},
	}
}
