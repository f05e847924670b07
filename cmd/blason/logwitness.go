package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/logwitness"
	"github.com/francebadge/blason/internal/witness"
)

// logWitnessCommand is the help entry of blason log witness.
var logWitnessCommand = command{"log witness", "blason log witness --policy FILE [-s SOURCE] [--site DIR] | log witness --check --policy FILE [--site DIR|URL]",
	"Have the published checkpoint of the site's transparency log cosigned by the witnesses of the policy (C2SP tlog-witness, with consistency proofs from the published tiles), then write it with their cosignatures to .blason/tlog/cosigned-checkpoint and DIR/log/checkpoint, once the policy's quorum is met. A witness's refusal means the log was forked or rewound: nothing is written. --check verifies that a published log (a folder or a URL, this site's or another institution's) carries the log's signature and the cosignatures the policy requires; exit status 1 otherwise."}

// cmdLogWitness is blason log witness: args are the flags after "witness".
func cmdLogWitness(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log witness", stderr)
	source := new(string)
	fs.source(source, "source folder (holding blason.yaml; the cosigned checkpoint is kept in its .blason/tlog/)")
	site := fs.String("site", "", "the published site folder holding log/ (default: SOURCE/site); with --check, also a log's folder or the URL of a site or of its log")
	fs.value("site", "DIR")
	policyFile := fs.String("policy", "", "the witness policy: log, witness and quorum lines (docs/transparency.md)")
	fs.value("policy", "FILE")
	check := fs.Bool("check", false, "only verify the published checkpoint's signature and cosignatures against the policy; write nothing")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *policyFile == "" {
		say(stderr, "blason log witness: --policy FILE is required (the witnesses and the quorum)")
		return errUsage{errors.New("no policy")}
	}
	data, err := os.ReadFile(*policyFile)
	if err != nil {
		return fmt.Errorf("cannot read the witness policy %s: %v", *policyFile, err)
	}
	p, err := witness.ParsePolicy(*policyFile, data)
	if err != nil {
		return err
	}
	if *site == "" {
		*site = filepath.Join(*source, "site")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if *check {
		return logWitnessCheck(ctx, *site, p, stdout)
	}
	if strings.HasPrefix(*site, "https://") || strings.HasPrefix(*site, "http://") {
		return fmt.Errorf("--site %s: asking witnesses writes the cosigned checkpoint into the site, so give the site's folder; a URL is for --check", *site)
	}
	asked := 0
	for _, w := range p.Witnesses {
		if w.URL != "" {
			asked++
		}
	}
	if asked == 0 {
		return fmt.Errorf("%s: no witness has a URL, so none can be asked; write each witness's URL after its key", *policyFile)
	}
	out, err := logwitness.Cosign(ctx, logwitness.Options{Source: *source, Site: *site, Policy: p})
	if out != nil {
		lang := langOf(stderr)
		for _, f := range out.Failures {
			fmt.Fprintln(stderr, "blason log witness: "+lang.Translate(f.Err.Error()))
		}
		if out.KeyFromLog {
			say(stderr, "note: the log's key was read from the log itself, not from the policy; add a line log <vkey> to the policy to pin it")
		}
	}
	if err != nil {
		return err
	}
	say(stdout, "log %s, size %d: cosigned now by %d of the %d witnesses asked (%s)", out.Origin, out.Size, len(out.Cosigned), len(out.Asked), strings.Join(out.Cosigned, ", "))
	say(stdout, "%d witness cosignatures verify, the policy requires %d", len(out.Result.Cosigned), p.Quorum)
	for _, f := range out.Written {
		say(stdout, "wrote %s", f)
	}
	return nil
}

// logWitnessCheck is blason log witness --check.
func logWitnessCheck(ctx context.Context, site string, p witness.Policy, stdout io.Writer) error {
	c, err := logwitness.Check(ctx, site, p, nil)
	if c != nil && c.KeyFromLog {
		say(stdout, "note: the log's key was read from the log itself, not from the policy; add a line log <vkey> to the policy to pin it")
	}
	if err != nil {
		return err
	}
	cp := c.Log.Checkpoint
	say(stdout, "log %s, size %d, root %s: the log's signature verifies", cp.Origin, cp.N, cp.Hash)
	for _, name := range c.Result.Cosigned {
		if t, ok := c.Result.Times[name]; ok {
			say(stdout, "cosigned by %s at %s", name, t.Format(time.RFC3339))
		} else {
			say(stdout, "cosigned by %s", name)
		}
	}
	for _, name := range c.Result.Missing {
		say(stdout, "no cosignature from %s", name)
	}
	say(stdout, "ok: %d witness cosignatures verify, the policy requires %d", len(c.Result.Cosigned), p.Quorum)
	return nil
}
