// Command blason publishes Open Badges as a static site.
//
// Usage:
//
//	blason build [-s SOURCE] [-d DESTINATION] [-b BASE_URL] [--config FILE] [-q] [-v]
//	blason serve [-s SOURCE] [--bind 127.0.0.1] [-p 1313]
//	blason awards [-s SOURCE]
//	blason report [-s SOURCE] [-o DIR] [--framework SLUG] [--level ID]
//	blason verify [--site DIR -b BASE_URL] FILE|URL...
//	blason claim [-s SOURCE] [--listen ADDR] [--url URL] [--db DSN] [--federation URL --federation-cert PEM] [--idp-metadata FILE]
//	blason keys new|rotate|list|retire --space NAME [--alg ALG] [--from DATE] [--kid KID]
//	blason keys backup -o FILE [--recipient age1…] | restore FILE [--force] [--identity FILE]
//	blason keys check [-d DESTINATION] [--space NAME] | rebuild-ledger --space NAME [-d DESTINATION]
//	blason completion bash|zsh|fish
//	blason version
//	blason help [COMMAND]
//
// Every flag has a long form (--source) and, for the common ones, a short
// one (-s); global --lang fr|en chooses the language of messages. See
// docs/cli.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/i18n"
)

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
	lang := i18n.FromEnv(os.Getenv)
	if v, found := scanLang(args); found {
		l, ok := parseLang(v)
		if !ok {
			fmt.Fprintln(stderr, "blason: "+lang.Sprintf("--lang %q: use fr or en", v))
			return 2
		}
		lang = l
	}
	o, e := newConsole(lang, stdout, stderr)
	return runCommand(args, o, e)
}

// runCommand runs the command args names; its exit status is 0 on success,
// 1 on failure, 2 on a usage error.
func runCommand(args []string, stdout, stderr *out) int {
	lang := stdout.con.lang
	// Global flags before the command.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		switch name {
		case "lang": // read by run already
			if !hasValue && len(args) > 1 {
				args = args[1:]
			}
			args = args[1:]
			continue
		case "version", "V":
			args = []string{"version"}
		case "help", "h":
			args = []string{"help"}
		default:
			fmt.Fprintln(stderr, "blason: "+lang.Sprintf("unknown flag %q: global flags are --lang, --help and --version; a command's flags follow its name", args[0]))
			return 2
		}
	}
	if len(args) == 0 {
		printUsage(stdout)
		return 0
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
	case "log":
		err = cmdLog(args[1:], stdout, stderr)
	case "bench":
		err = cmdBench(args[1:], stdout, stderr)
	case "awards":
		err = cmdAwards(args[1:], stdout, stderr)
	case "report":
		err = cmdReport(args[1:], stdout, stderr)
	case "claim":
		err = cmdClaim(args[1:], stdout, stderr)
	case "deploy":
		err = cmdDeploy(args[1:], stdout, stderr)
	case "notify":
		err = cmdNotify(args[1:], stdout, stderr)
	case "export":
		err = cmdExport(args[1:], stdout, stderr)
	case "new":
		err = cmdNew(args[1:], stdout, stderr)
	case "completion":
		err = cmdCompletion(args[1:], stdout, stderr)
	case "version":
		err = cmdVersion(args[1:], stdout, stderr)
	case "help":
		if len(args) > 1 && args[1] != "help" {
			// blason help build: the command's own help.
			return runCommand(append(args[1:], "--help"), stdout, stderr)
		}
		printUsage(stdout)
	default:
		fmt.Fprintln(stderr, "blason: "+lang.Sprintf("unknown command %q", args[0]))
		fmt.Fprintln(stderr, lang.Sprintf("run %q to see the commands", "blason help"))
		return 2
	}
	var usageErr errUsage
	var status exitStatus
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &usageErr):
		return 2
	case err == errSilent:
		return 1
	case errors.As(err, &status):
		return int(status)
	}
	var d *diag.Error
	if errors.As(err, &d) {
		fmt.Fprintln(stderr, d.Localize(lang))
	} else {
		fmt.Fprintln(stderr, "blason: "+lang.Translate(err.Error()))
	}
	return 1
}

// errUsage reports bad flags; the flag set has already printed why.
type errUsage struct{ error }

func (e errUsage) Unwrap() error { return e.error }

func cmdAwards(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("awards", stderr)
	var o build.Options
	fs.source(&o.Source, "source folder (holding blason.yaml)")
	fs.withConfig()
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Config = fs.configFile()
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

// exitStatus makes the command exit with that status, printing nothing
// more (blason verify: 3 when nothing is invalid but some credentials are
// no longer current).
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// errSilent makes the command exit 1 without a further message.
var errSilent = errors.New("")

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionText(langOf(stdout)))
	return nil
}
