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

	"github.com/francebadge/blason/internal/verify"
)

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
		say(stderr, "usage: %s", "blason verify [--site DIR -b BASE_URL] [--allow-private] [--now DATE] FILE|URL|FOLDER...")
		return errUsage{errors.New("nothing to verify")}
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.DateOnly, *nowFlag)
		if err != nil {
			return fmt.Errorf("--now %q: write the date as YYYY-MM-DD", *nowFlag)
		}
		now = t
	}
	// From the network, documents name the URLs fetched next: unless
	// --allow-private, they may not reach the verifier's own network.
	var f verify.Fetcher = verify.HTTPFetcher{AllowPrivate: *allowPrivate}
	if *site != "" {
		if *base == "" {
			return errors.New("--site needs -b BASE_URL, the URL the folder is published at")
		}
		b := *base
		if !strings.HasSuffix(b, "/") {
			b += "/"
		}
		f = verify.DirFetcher{Base: b, Dir: *site}
	}
	v := verify.New(f, now)
	counts := map[verify.Status]int{}
	targets, err := expandDirs(flags.Args())
	if err != nil {
		return err
	}
	for _, target := range targets {
		ctx, cancel := context.WithTimeout(context.Background(), perInput)
		format, rep := v.Target(ctx, target, nil)
		cancel()
		counts[rep.Status]++
		line := fmt.Sprintf("%-9s %-21s %s", rep.Status, format, target)
		if rep.Issuer != "" {
			line += " [issuer " + rep.Issuer + "]"
		}
		if rep.Level != "" {
			line += " [level " + rep.Level + "]"
		}
		if rep.Reason != "" {
			line += " (" + rep.Reason + ")"
		}
		if len(rep.Problems) > 0 {
			line += ": " + strings.Join(rep.Problems, "; ")
		}
		fmt.Fprintln(stdout, line)
	}
	say(stdout, "%d valid, %d expired, %d suspended, %d revoked, %d invalid",
		counts[verify.Valid], counts[verify.Expired], counts[verify.Suspended], counts[verify.Revoked], counts[verify.Invalid])
	if counts[verify.Valid] != len(targets) {
		return errSilent
	}
	return nil
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
