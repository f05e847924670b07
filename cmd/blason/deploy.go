package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/deploy"
	"github.com/francebadge/blason/internal/diag"
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
	var bar *progress
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

// newDeployBar shows the uploads of a deployment as a build's signing is
// shown (progress, build.go).
func newDeployBar(w io.Writer) *progress {
	return newProgressOf(w, tr(w, "uploading"), tr(w, "objects"), func(done, total int, rate float64, left time.Duration) {
		say(w, "uploading: %d/%d objects, %.0f/s, %s left", done, total, rate, left)
	})
}
