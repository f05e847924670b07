package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/i18n"
	"github.com/francebadge/blason/internal/verify"
)

// Exit statuses of blason verify. A credential that expired, or that its
// issuer revoked or suspended, is genuine: it gets its own status, apart
// from a forged, tampered or unverifiable one.
const (
	verifyValid      = 0 // every input is genuine and valid
	verifyInvalid    = 1 // some input is invalid (or could not be checked)
	verifyNotCurrent = 3 // none is invalid, but some expired or were revoked or suspended
)

// verifyUsage is the command's synopsis, printed when no input is given.
const verifyUsage = `usage: blason verify [--site DIR -b BASE_URL] [--allow-private] [--now DATE] FILE|URL|FOLDER...
exit status: 0 all valid; 1 any invalid (bad signature, unknown key, tampered, unreachable); 3 none invalid, some expired, revoked or suspended`

func cmdVerify(args []string, stdout, stderr io.Writer) error {
	flags := newFlags("verify", stderr)
	site := flags.String("site", "", "site folder to read URLs under -b from, instead of the network")
	base := new(string)
	flags.baseURL(base, "base URL of the site folder (with --site)")
	nowFlag := flags.String("now", "", "judge expiry at this date (YYYY-MM-DD) instead of today")
	flags.value("site", "DIR")
	flags.value("now", "YYYY-MM-DD")
	allowPrivate := flags.Bool("allow-private", false, "let network fetches reach loopback, private and link-local addresses")
	if err := flags.Parse(args); err != nil {
		return errUsage{err}
	}
	if flags.NArg() == 0 {
		fmt.Fprintln(stderr, langOf(stderr).Translate(verifyUsage))
		return errUsage{errors.New("nothing to verify")}
	}
	status, err := verifyInputs(verifyOptions{site: *site, base: *base, now: *nowFlag, allowPrivate: *allowPrivate},
		flags.Args(), stdout, stderr, langOf(stdout))
	if err == nil && status == verifyNotCurrent {
		return exitStatus(verifyNotCurrent)
	}
	return err
}

// verifyOptions are blason verify's flags.
type verifyOptions struct {
	site, base, now string
	allowPrivate    bool
}

// verifyInputs verifies the inputs and returns the exit status; err is
// errSilent when some input is invalid (the lines said why), another error
// when the options are wrong or the inputs could not be listed.
func verifyInputs(o verifyOptions, args []string, stdout, stderr io.Writer, lang i18n.Lang) (int, error) {
	now := time.Now()
	if o.now != "" {
		t, err := time.Parse(time.DateOnly, o.now)
		if err != nil {
			return verifyInvalid, fmt.Errorf("--now %q: write the date as YYYY-MM-DD", o.now)
		}
		now = t
	}
	targets, err := expandDirs(args)
	if err != nil {
		return verifyInvalid, err
	}
	// From the network, documents name the URLs fetched next: unless
	// --allow-private, they may not reach the verifier's own network.
	var f verify.Fetcher = verify.HTTPFetcher{AllowPrivate: o.allowPrivate}
	if o.site != "" {
		if o.base == "" {
			return verifyInvalid, errors.New("--site needs -b BASE_URL, the URL the folder is published at")
		}
		b := o.base
		if !strings.HasSuffix(b, "/") {
			b += "/"
		}
		// A site built for another base URL names itself by URLs outside
		// b: every input would be invalid for that one reason.
		if built := verify.BuiltFor(o.site, targets); built != "" && built != b {
			dir := filepath.ToSlash(o.site)
			if !strings.HasSuffix(dir, "/") {
				dir += "/"
			}
			fmt.Fprintln(stderr, lang.Sprintf("%s was built for %s, not %s: pass -b %s (or rebuild with -b %s)", dir, built, b, built, b))
			return verifyInvalid, errSilent
		}
		f = verify.DirFetcher{Base: b, Dir: o.site}
	}
	v := verify.New(f, now)
	logs := &logChecker{f: f, mirrors: map[string]*logResult{}}
	if o.site != "" {
		logs.base, logs.site = strings.TrimSuffix(o.base, "/")+"/", o.site
	}
	counts := map[verify.Status]int{}
	for _, target := range targets {
		ctx, cancel := context.WithTimeout(context.Background(), perInput)
		format, rep := v.Target(ctx, target, nil)
		var logNote string
		if format == verify.FormatOB3DI && rep.Status != verify.Invalid {
			var problem string
			if logNote, problem = logs.check(ctx, target); problem != "" {
				rep.Problems = append(rep.Problems, problem)
				rep.Status = verify.Invalid
			}
		}
		cancel()
		counts[rep.Status]++
		line := fmt.Sprintf("%-9s %-21s %s", rep.Status, format, target)
		if rep.Issuer != "" {
			line += " [issuer " + rep.Issuer + "]"
		}
		if rep.Level != "" {
			line += " [level " + rep.Level + "]"
		}
		line += logNote
		if rep.Reason != "" {
			line += " (" + rep.Reason + ")"
		}
		if len(rep.Problems) > 0 {
			line += ": " + strings.Join(rep.Problems, "; ")
		}
		fmt.Fprintln(stdout, line)
	}
	valid, invalid := counts[verify.Valid], counts[verify.Invalid]
	notCurrent := counts[verify.Expired] + counts[verify.Revoked] + counts[verify.Suspended]
	// The first line is stable, for scripts; the second groups the outcomes.
	say(stdout, "%d valid, %d expired, %d suspended, %d revoked, %d invalid",
		valid, counts[verify.Expired], counts[verify.Suspended], counts[verify.Revoked], invalid)
	fmt.Fprintln(stdout, lang.Sprintf("%d genuine and valid; %d genuine but expired, revoked or suspended (time or the issuer's decision, not forgery); %d invalid (bad signature, unknown key, tampered or unreachable)",
		valid, notCurrent, invalid))
	switch {
	case invalid > 0 || valid+notCurrent != len(targets):
		return verifyInvalid, errSilent
	case notCurrent > 0:
		return verifyNotCurrent, nil
	}
	return verifyValid, nil
}

// perInput bounds the verification of one input.
const perInput = 30 * time.Second

// expandDirs replaces each folder argument by the badge files it holds, in
// name order: the .json, .jwt and .jws files under a credentials/ or
// assertions/ folder (the folder given counts), leaving out the site's other
// JSON (DID documents, issuer profiles, status lists, keys, badge classes).
// Files named explicitly are always kept.
func expandDirs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil || !fi.IsDir() {
			out = append(out, a) // a URL, or a file whose error is reported in its line
			continue
		}
		root := filepath.Clean(a)
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(p) {
			case ".json", ".jwt", ".jws":
				if rel, err := filepath.Rel(root, p); err == nil && inBadgeFolder(filepath.Base(root), rel) {
					out = append(out, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// inBadgeFolder reports whether the file rel, relative to a walked folder
// named root, lies under a folder named credentials or assertions.
func inBadgeFolder(root, rel string) bool {
	dirs := append([]string{root}, strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/")...)
	for _, d := range dirs {
		if d == "credentials" || d == "assertions" {
			return true
		}
	}
	return false
}
