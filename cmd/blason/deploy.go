package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/deploy"
	"github.com/francebadge/blason/internal/diag"
	"github.com/schollz/progressbar/v3"
)

// cmdDeploy runs blason deploy.
func cmdDeploy(args []string, stdout, stderr *out) error {
	fs := newFlags("deploy", stderr)
	var source, dest string
	fs.source(&source, "source folder (holding blason.yaml)")
	fs.destination(&dest, "site", "the built site to publish, relative to the source folder")
	fs.withConfig()
	quiet := fs.Bool("quiet", false, "print nothing on success")
	fs.alias("quiet", "q")
	dryRun := fs.Bool("dry-run", false, "list what would be uploaded and removed, and change nothing")
	verify := fs.Bool("verify", false, "list the bucket and compare every object with the site: send again what differs, report foreign objects")
	parallel := fs.Int("parallel", 0, "uploads at a time (default: deploy.parallel, else 8)")
	fs.value("parallel", "N")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(source, dest)
	}
	getenv := config.WithFile(os.Getenv, fs.configFile())
	var diags diag.List
	cfg := config.LoadEnv(source, "", getenv, &diags)
	if err := diags.Err(); err != nil {
		return err
	}
	o := deploy.Options{
		Source: source, Site: dest, BaseURL: cfg.BaseURL, Config: cfg.Deploy,
		DryRun: *dryRun, Verify: *verify, Parallel: *parallel,
		Stdout: stdout, Stderr: stderr,
	}
	if *dryRun {
		o.Plan = func(action, path, why string) {
			fmt.Fprintf(stdout, "%s %s (%s)\n", tr(stdout, action), path, tr(stdout, why))
		}
	}
	if *verify {
		o.Foreign = func(key string) {
			if !*quiet {
				say(stdout, "foreign object left alone: %s", key)
			}
		}
	}
	var bar *deployBar
	if !*quiet && !*dryRun {
		bar = newDeployBar(stderr)
		o.Progress = bar.update
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := deploy.Run(ctx, o)
	bar.finish()
	if err != nil {
		return err
	}
	if *quiet && !*dryRun {
		return nil
	}
	elapsed := res.Duration.Round(time.Millisecond)
	switch {
	case *dryRun && res.Foreign >= 0:
		say(stdout, "dry run: %d objects to upload (%s), %d unchanged, %d to remove, %d foreign objects left alone, in %s",
			res.Uploaded, bytesText(res.Bytes), res.Unchanged, res.Removed, res.Foreign, elapsed)
	case *dryRun:
		say(stdout, "dry run: %d objects to upload (%s), %d unchanged, %d to remove, in %s",
			res.Uploaded, bytesText(res.Bytes), res.Unchanged, res.Removed, elapsed)
	case res.Foreign >= 0:
		say(stdout, "deployed: %d objects uploaded (%s), %d unchanged, %d removed, %d foreign objects left alone, in %s",
			res.Uploaded, bytesText(res.Bytes), res.Unchanged, res.Removed, res.Foreign, elapsed)
	default:
		say(stdout, "deployed: %d objects uploaded (%s), %d unchanged, %d removed, in %s",
			res.Uploaded, bytesText(res.Bytes), res.Unchanged, res.Removed, elapsed)
	}
	return nil
}

// bytesText writes a size for people.
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// deployBar shows the uploads as the build's progress shows the signing
// (build.go): a bar on a terminal, a plain line every few seconds
// otherwise.
type deployBar struct {
	mu sync.Mutex
	p  *progress
}

func newDeployBar(w io.Writer) *deployBar { return &deployBar{p: newProgress(w)} }

func (d *deployBar) update(done, total int) {
	p := d.p
	if total < 200 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if done == 0 {
		p.start, p.last = time.Now(), time.Now()
		return
	}
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(tr(p.w, "uploading")),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(tr(p.w, "objects")),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		p.bar.Set(done)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		rate := float64(done) / time.Since(p.start).Seconds()
		left := time.Duration(float64(total-done)/max(rate, 1)) * time.Second
		say(p.w, "uploading: %d/%d objects, %.0f/s, %s left", done, total, rate, left.Round(time.Second))
	}
}

func (d *deployBar) finish() {
	if d != nil {
		d.p.finish()
	}
}
