package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/verify"
)

func cmdVerify(args []string, stdout, stderr io.Writer) error {
	flags := newFlags("verify", stderr)
	site := flags.String("site", "", "site folder to read URLs under -b from, instead of the network")
	base := flags.String("b", "", "base URL of the site folder (with --site)")
	nowFlag := flags.String("now", "", "judge expiry at this date (YYYY-MM-DD) instead of today")
	if err := flags.Parse(args); err != nil {
		return errUsage{err}
	}
	if flags.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: blason verify [--site DIR -b BASE_URL] FILE|URL...")
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
	var f verify.Fetcher = verify.HTTPFetcher{Client: &http.Client{Timeout: 30 * time.Second}}
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
		format, rep := v.Target(context.Background(), target, nil)
		counts[rep.Status]++
		line := fmt.Sprintf("%-9s %-21s %s", rep.Status, format, target)
		if rep.Reason != "" {
			line += " (" + rep.Reason + ")"
		}
		if len(rep.Problems) > 0 {
			line += ": " + strings.Join(rep.Problems, "; ")
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%d valid, %d expired, %d suspended, %d revoked, %d invalid\n",
		counts[verify.Valid], counts[verify.Expired], counts[verify.Suspended], counts[verify.Revoked], counts[verify.Invalid])
	if counts[verify.Valid] != len(targets) {
		return errSilent
	}
	return nil
}

// expandDirs replaces each folder argument by the badge files it holds
// (.json, .jwt, .jws), in name order.
func expandDirs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil || !fi.IsDir() {
			out = append(out, a) // a URL, or a file whose error is reported in its line
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(p) {
			case ".json", ".jwt", ".jws":
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
