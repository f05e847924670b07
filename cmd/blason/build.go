package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/i18n"
	"github.com/francebadge/blason/internal/store"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdBuild(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", stderr)
	var o build.Options
	fs.source(&o.Source, "source folder (holding blason.yaml)")
	fs.destination(&o.Destination, "site", "destination folder, relative to the source folder")
	fs.baseURL(&o.BaseURL, "base URL, overriding the configuration's baseURL and BLASON_BASEURL")
	fs.withConfig()
	fs.BoolVar(&o.Force, "force", false, "sign every award again, ignoring the build cache")
	fs.DurationVar(&o.LockWait, "wait", build.DefaultLockWait, "how long to wait for another build writing the same destination (0: do not wait)")
	quiet := fs.Bool("quiet", false, "print nothing on success")
	fs.alias("quiet", "q")
	verbose := fs.Bool("verbose", false, "also print how long each stage took")
	fs.alias("verbose", "v")
	claimIndex := fs.Bool("claim-index", false, "also write the claim server's private index (.blason/claim-index.json)")
	db := fs.String("db", "", "also publish the passports of a claim server's store, and its counts of claimed awards in the dashboards (file path or postgres:// URL)")
	fs.value("db", "FILE|URL")
	startOver := fs.String("start-over", "", "comma-separated spaces making a genuinely new start: create their lost secret, keys and ledger (every credential they issued stops verifying)")
	fs.value("start-over", "SPACE,...")
	fs.BoolVar(&o.ExistingKeys, "existing-keys", false, "create no secret, key or status ledger: every space must have them (CI building from a backup)")
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Config = fs.configFile()
	// The server configuration snippets (nginx, Apache, Caddy) always follow the build.
	o.Servers = build.ServersPath(o.Source)
	for _, sp := range strings.Split(*startOver, ",") {
		if sp = strings.TrimSpace(sp); sp != "" {
			o.StartOver = append(o.StartOver, sp)
		}
	}
	if *claimIndex {
		o.ClaimIndex = build.ClaimIndexPath(o.Source)
	}
	if *db != "" {
		st, err := store.Open(context.Background(), *db)
		if err != nil {
			return err
		}
		defer st.Close()
		// The store's passports are published, and its counts of claimed
		// awards reach the dashboards.
		o.Passports = append(o.Passports, st)
		o.ClaimUses = st
	}
	if o.LockWait == 0 {
		o.LockWait = -1 // --wait 0: give up at once
	}
	o.Waiting = func(dest string, pid int) {
		fmt.Fprintln(stderr, waitingMessage(langOf(stderr), dest, pid, o.LockWait))
	}
	start := time.Now()
	var p *progress
	if !*quiet {
		p = newProgress(stderr)
		o.Progress = p.update
	}
	res, err := build.Run(o)
	p.finish()
	if err != nil {
		return err
	}
	lang := langOf(stdout)
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "blason: "+lang.Sprintf("warning: %s", lang.Translate(w)))
	}
	if !*quiet {
		say(stdout, "%d spaces, %d badge classes, %d awards (%d revoked)", res.Spaces, res.Badges, res.Awards, res.Revoked)
		say(stdout, "%d awards issued, %d reused; %d files: %d written, %d unchanged, %d removed in %s",
			res.Issued, res.Awards-res.Issued, res.Files, res.Written, res.Files-res.Written, res.Removed, time.Since(start).Round(time.Millisecond))
		if *verbose {
			for _, p := range res.Phases {
				fmt.Fprintf(stdout, "  %-20s %s\n", p.Name, p.Duration.Round(time.Millisecond))
			}
		}
	}
	return nil
}

// waitingMessage tells that a build waits for another one.
func waitingMessage(l i18n.Lang, dest string, pid int, wait time.Duration) string {
	if pid > 0 {
		return "blason: " + l.Sprintf("another build (pid %d) is writing %s; waiting (at most %s)…", pid, dest, wait)
	}
	return "blason: " + l.Sprintf("another build is writing %s; waiting (at most %s)…", dest, wait)
}

// progress shows how far a long task is (the signing of awards, the
// uploads of a deployment): a bar with rate and time left on a terminal, a
// plain line every few seconds otherwise.
type progress struct {
	mu         sync.Mutex
	w          io.Writer
	tty        bool
	bar        *progressbar.ProgressBar
	last       time.Time
	start      time.Time
	desc, unit string                                                  // the bar's description and unit, translated
	line       func(done, total int, rate float64, left time.Duration) // the plain line
}

func newProgressOf(w io.Writer, desc, unit string, line func(done, total int, rate float64, left time.Duration)) *progress {
	tty := false
	if f, ok := unwrap(w).(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, start: time.Now(), last: time.Now(), desc: desc, unit: unit, line: line}
}

// newProgress shows the signing of a build.
func newProgress(w io.Writer) *progress {
	return newProgressOf(w, tr(w, "signing"), tr(w, "credentials"), func(done, total int, rate float64, left time.Duration) {
		say(w, "signing: %d/%d awards, %.0f/s, %s left", done, total, rate, left)
	})
}

func (p *progress) update(done, total int) {
	if total < 200 {
		return // a small task needs no progress report
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if done == 0 {
		// The task starts now: the time spent loading, or waiting for
		// another build, does not count in the rate.
		p.start, p.last = time.Now(), time.Now()
		return
	}
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(p.desc),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(p.unit),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		p.bar.Set(done)
		return
	}
	if time.Since(p.last) >= 5*time.Second || (done == total && done > 0 && time.Since(p.start) >= 5*time.Second) {
		p.last = time.Now()
		rate := float64(done) / time.Since(p.start).Seconds()
		left := time.Duration(float64(total-done)/max(rate, 1)) * time.Second
		p.line(done, total, rate, left.Round(time.Second))
	}
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
	}
}
