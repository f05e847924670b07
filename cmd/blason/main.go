// Command blason publishes Open Badges as a static site.
//
// Usage:
//
//	blason build [-s SOURCE] [-d DESTINATION] [-b BASE_URL]
//	blason serve [-s SOURCE] [--bind 127.0.0.1] [--port 1313]
//	blason awards [-s SOURCE]
//	blason report [-s SOURCE] [-o DIR] [--framework SLUG] [--level ID]
//	blason verify [--site DIR -b BASE_URL] FILE|URL...
//	blason claim [-s SOURCE] [--listen ADDR] [--url URL] [--db DSN] [--federation URL --federation-cert PEM] [--idp-metadata FILE]
//	blason keys new|rotate|list|retire --space NAME [--alg ALG] [--from DATE] [--kid KID]
//	blason keys backup -o FILE [--recipient age1…] | restore FILE [--force] [--identity FILE]
//	blason keys check [-d DESTINATION] [--space NAME] | rebuild-ledger --space NAME [-d DESTINATION]
//	blason version
//	blason help
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/diag"
)

const usage = `blason publishes Open Badges as a static site.

Usage:
  blason new    site DIR [--title T] [--baseURL URL] [--space NAME] [--issuer NAME] [--force]
                | space NAME [-s SOURCE] [--title ISSUER] | badge SPACE/SLUG [--title NAME] [--levels L,…]
                start a site (blason.yaml, a space, a badge, an award list, a README in
                French), or add a space or a badge class to one; never replaces a file
  blason build  [-s SOURCE] [-d DESTINATION] [-b BASE_URL] [--quiet] [--force] [--wait 10m]
                [--existing-keys] [--start-over SPACE,...]
                build the site from SOURCE (default .) into DESTINATION (default site/);
                only awards whose inputs changed are signed again (--force: all of them);
                one build at a time per DESTINATION (--wait: how long to wait for another).
                A space that has published is never given a new secret, key or status
                ledger: when one is missing the build fails and writes nothing (restore
                keys/; --start-over SPACE abandons every credential the space issued).
                --existing-keys creates none at all, even for a new space (CI)
  blason serve  [-s SOURCE] [--bind 127.0.0.1] [--port 1313]
                build the site for http://localhost:PORT/ into a temporary folder, serve it
                and rebuild it when content/, themes/, keys/ or blason.yaml change; open
                pages reload by themselves and show build errors (--port 0 picks a free
                port; a preview: production sites are served by a CDN or any static server)
  blason awards [-s SOURCE]
                list the award id of every award row (file:line id), for revocations.csv
  blason report [-s SOURCE] [-o reports] [--framework SLUG] [--level competent] [--space S] [--date D]
                private jury reports (CSV and HTML, outside the site folder): per cohort
                (content/<space>/cohorts/*.csv), who holds the level in every competency of
                the framework, who is missing what
  blason claim  [-s SOURCE] [--listen 127.0.0.1:8080] [--url PUBLIC_URL] [--db FILE|postgres://…]
                [--federation URL|FILE --federation-cert PEM]... [--idp-metadata URL|FILE]...
                the claim server: students log in with their institution (SAML, Renater/eduGAIN),
                see and download their badges and choose their passport page (docs/claim.md)
  blason verify [--site DIR -b BASE_URL] [--now DATE] FILE|URL...
                verify badges (OB 2.0 hosted or signed, OB 3.0 Data Integrity or VC-JWT):
                signatures, issuer keys, expiry and status; with --site, URLs under
                BASE_URL are read from DIR and nothing is fetched from the network
  blason keys list   [-s SOURCE] [--space NAME]
  blason keys new    [-s SOURCE] --space NAME [--alg Ed25519|ES256|RS256]
                create a space's first key of an algorithm (builds create missing keys too)
  blason keys rotate [-s SOURCE] --space NAME [--alg ALG] [--from YYYY-MM-DD]
                add new keys (every algorithm the space uses, or --alg) that sign the awards
                dated from --from (default today); older awards keep their keys, and every
                public key stays published
  blason keys retire [-s SOURCE] --space NAME --kid KID
                delete a key's private half, keeping its public half published (old
                credentials keep verifying; the next key of its algorithm signs instead)
  blason keys backup [-s SOURCE] -o FILE [--recipient age1...]
                write keys/ (secrets, keys, ledgers) as one age-encrypted file: passphrase
                from BLASON_BACKUP_PASSPHRASE or asked on the terminal, or age public keys
  blason keys restore [-s SOURCE] FILE [--force] [--identity AGE_IDENTITY_FILE]
                restore keys/ from a backup, modes kept; files that differ are replaced
                only with --force
  blason keys check [-s SOURCE] [-d DESTINATION] [--space NAME]
                compare keys/ with what DESTINATION publishes: every published key has its
                private half (or is retired) and the same public key, the ledger matches the
                published status lists; exit status 1 on any mismatch
  blason keys rebuild-ledger [-s SOURCE] [-d DESTINATION] --space NAME
                read a lost status ledger back from the published site where that is exact
                (refused, writing nothing, where it is not)
  blason bench  [--awards N] [--dir DIR] [--keep]
                build a synthetic site of N awards: full build rate, no-op rebuild,
                one-award rebuild, peak memory
  blason version
  blason help

The content model is described in docs/content.md.
`

func main() {
	// Signing allocates a lot of short-lived memory: collect less often than
	// Go's default (unless GOGC says otherwise), within a soft memory limit
	// (unless GOMEMLIMIT says otherwise) that keeps a build of a million
	// awards under 2 GB, where the limit is what sets the collection pace.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1792 << 20)
	}
	if p := os.Getenv("BLASON_MEMPROFILE"); p != "" { // for performance work
		go heapProfiles(p)
	}
	if p := os.Getenv("BLASON_CPUPROFILE"); p != "" { // for performance work
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			code := run(os.Args[1:], os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// heapProfiles overwrites the heap profile at path every five seconds, so
// that the last one shows what a long command held while it ran.
func heapProfiles(path string) {
	for range time.Tick(5 * time.Second) {
		if f, err := os.Create(path); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "build":
		err = cmdBuild(args[1:], stdout, stderr)
	case "serve":
		err = cmdServe(args[1:], stdout, stderr)
	case "verify":
		err = cmdVerify(args[1:], stdout, stderr)
	case "keys":
		err = cmdKeys(args[1:], stdout, stderr)
	case "bench":
		err = cmdBench(args[1:], stdout, stderr)
	case "awards":
		err = cmdAwards(args[1:], stdout, stderr)
	case "report":
		err = cmdReport(args[1:], stdout, stderr)
	case "claim":
		err = cmdClaim(args[1:], stdout, stderr)
	case "new":
		err = cmdNew(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "blason", version())
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "blason: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var usageErr errUsage
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usageErr):
		return 2
	case err == errSilent:
		return 1
	}
	var d *diag.Error
	if errors.As(err, &d) {
		fmt.Fprintln(stderr, d.Error())
	} else {
		fmt.Fprintln(stderr, "blason:", err)
	}
	return 1
}

// errUsage reports bad flags; the flag package has already printed why.
type errUsage struct{ error }

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage{err}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage{errors.New("unexpected argument")}
	}
	return nil
}

func cmdAwards(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("awards", stderr)
	var o build.Options
	fs.StringVar(&o.Source, "s", ".", "source folder (holding blason.yaml)")
	if err := parse(fs, args); err != nil {
		return err
	}
	site, err := build.Load(o)
	if err != nil {
		return err
	}
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			fmt.Fprintf(stdout, "%s %s\n", a.Source(), a.ID)
		}
	}
	return nil
}

// errSilent makes the command exit 1 without a further message.
var errSilent = errors.New("")

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
