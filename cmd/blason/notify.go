package main

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/notify"
	"github.com/francebadge/blason/internal/safepath"
)

// cmdNotify runs blason notify: it e-mails the recipients of new awards
// (and of revocations their space wants told), each exactly once. It
// prints award ids and file:line only, never an address or a name.
func cmdNotify(args []string, stdout, stderr *out) error {
	fs := newFlags("notify", stderr)
	var o build.Options
	fs.source(&o.Source, "source folder (holding blason.yaml)")
	fs.destination(&o.Destination, "site", "the built site folder: only awards published there are announced")
	fs.withConfig()
	dry := fs.Bool("dry-run", false, "write the messages as .eml and .html files instead of sending them; nothing is journaled")
	outbox := fs.String("output", "", "folder of the --dry-run files (default: .blason/notify/outbox under the source folder; never inside the site folder)")
	fs.alias("output", "o")
	fs.value("output", "DIR")
	toTest := fs.String("to-test", "", "send one sample message (the first one due, or a fictional one, with a fictional name) to this address; nothing is journaled")
	fs.value("to-test", "ADDR")
	baseline := fs.Bool("baseline", false, "record every award published now as already announced, without sending anything (first run on a site with a history)")
	initial := fs.Bool("initial", false, "first run: announce every award published now")
	resend := fs.Bool("resend-uncertain", false, "send again the messages whose delivery is uncertain after a crash (their Message-ID is the same)")
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Config = fs.configFile()
	if o.Source == "" {
		o.Source = "."
	}
	if o.Destination == "" {
		o.Destination = "site"
	}
	dest := o.Destination
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(o.Source, dest)
	}
	n := 0
	for _, b := range []bool{*dry, *toTest != "", *baseline, *initial} {
		if b {
			n++
		}
	}
	if n > 1 {
		return errors.New("--dry-run, --to-test, --baseline and --initial do not go together: choose one")
	}
	if *toTest != "" {
		if a, err := mail.ParseAddress(*toTest); err != nil || a.Address != *toTest {
			return fmt.Errorf("--to-test %q is not an e-mail address", *toTest)
		}
	}
	box := *outbox
	if box == "" {
		box = filepath.Join(notify.JournalDir(o.Source), "outbox")
	} else if !filepath.IsAbs(box) {
		box = filepath.Join(o.Source, box)
	}
	if *dry {
		if err := safepath.Destination("outbox folder", box, o.Source); err != nil {
			return err
		}
		if inside(box, dest) {
			return fmt.Errorf("--output %s is inside the site folder %s: messages carry addresses and must never be published; choose a folder outside it", box, dest)
		}
	}

	site, err := build.Load(o)
	if err != nil {
		return err
	}
	var diags diag.List
	cfg := config.LoadEnv(o.Source, "", config.WithFile(os.Getenv, o.Config), &diags)
	if err := diags.Err(); err != nil {
		return err
	}
	nc := &cfg.Notify
	if !*baseline {
		if err := notify.Check(nc, !*dry); err != nil {
			return err
		}
	}
	if _, err := os.Stat(dest); err != nil {
		return fmt.Errorf("site folder %s not found: run blason build first (only published awards are announced)", dest)
	}
	tmpl, err := notify.LoadTemplates(o.Source, site.Theme)
	if err != nil {
		return err
	}
	j, err := notify.OpenJournal(notify.JournalDir(o.Source))
	if err != nil {
		return err
	}
	defer j.Close()
	plan := notify.MakePlan(site, j, notify.NewPublished(dest, site), notify.Settings{Revocations: nc.Revocations, ResendUncertain: *resend})
	comp := &notify.Composer{Site: site, Config: nc, Templates: tmpl}

	if len(plan.NoEmail) > 0 {
		say(stdout, "%d award row(s) without an e-mail address are not notified: %s", len(plan.NoEmail), firstOf(plan.NoEmail, 10))
	}
	if len(plan.Waiting) > 0 {
		say(stdout, "%d award(s) or revocation(s) not yet published in %s, waiting for a build (first: %s)", len(plan.Waiting), o.Destination, plan.Waiting[0])
	}
	if plan.Withheld > 0 {
		say(stdout, "%d award(s) revoked or suspended before their notice: never announced", plan.Withheld)
	}
	if len(plan.Failed) > 0 {
		say(stdout, "%d message(s) refused for good by the SMTP server earlier (see the journal): %s", len(plan.Failed), strings.Join(plan.Failed, ", "))
	}

	switch {
	case *baseline:
		if plan.Started {
			return errors.New("--baseline is for the first run only: this source's journal has already started (.blason/notify/journal.log)")
		}
		nb, err := notify.RecordBaseline(j, plan)
		if err != nil {
			return err
		}
		say(stdout, "baseline: %d published award(s) recorded as already announced; nothing was sent", nb)
		return nil
	case *toTest != "":
		ev := (*notify.Event)(nil)
		if len(plan.Pending) > 0 {
			ev = plan.Pending[0]
		} else if f, ok := notify.Fictional(site); ok {
			ev = f
		} else {
			return errors.New("--to-test: the site has no award to make a sample from")
		}
		ev = notify.Anonymous(ev, "")
		m, _, err := comp.Compose(ev, *toTest)
		if err != nil {
			return err
		}
		s, err := notify.NewSender(nc, os.Getenv(config.EnvSMTPPassword))
		if err != nil {
			return err
		}
		if err := notify.SendTest(context.Background(), s, m); err != nil {
			return err
		}
		say(stdout, "sent a sample message (%s, %s) to the test address; nothing was journaled", ev.ID, ev.Lang)
		return nil
	case *dry:
		for _, ev := range plan.Pending {
			m, r, err := comp.Compose(ev, ev.Award.Recipient.Email)
			if err != nil {
				return err
			}
			if _, err := notify.WriteOutbox(box, ev, m, r); err != nil {
				return err
			}
		}
		say(stdout, "dry run: wrote %d message(s) to %s; nothing was sent or journaled", len(plan.Pending), box)
		sayUncertain(stdout, plan)
		return nil
	}

	if !plan.Started && !*initial {
		return fmt.Errorf("first blason notify on this source: %d published award(s) would be announced. Run blason notify --baseline to record them as already announced (a site with a history), or blason notify --initial to e-mail them; blason notify --dry-run shows the messages", len(plan.Pending))
	}
	if *initial {
		if err := notify.Start(j); err != nil {
			return err
		}
	}
	sayUncertain(stdout, plan)
	if len(plan.Pending) == 0 {
		say(stdout, "nothing to send")
		if len(plan.Uncertain) > 0 {
			return exitStatus(1)
		}
		return nil
	}
	s, err := notify.NewSender(nc, os.Getenv(config.EnvSMTPPassword))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	verbose := len(plan.Pending) <= 100
	rep := notify.Run(ctx, j, plan, comp, s, func(ev *notify.Event, o notify.Outcome) {
		switch o {
		case notify.Accepted:
			if verbose {
				say(stdout, "sent %s (%s)", ev.ID, ev.Award.Source())
			}
		case notify.Refused:
			say(stderr, "refused for good by the SMTP server: %s (%s); it is not retried", ev.ID, ev.Award.Source())
		}
	})
	rateText := ""
	if secs := rep.Elapsed.Seconds(); secs > 0 && rep.Sent > 0 {
		rateText = fmt.Sprintf(" (%.1f/s)", float64(rep.Sent)/secs)
	}
	say(stdout, "sent %d of %d message(s) in %s%s; %d refused", rep.Sent, len(plan.Pending), rep.Elapsed.Round(1e6), rateText, len(rep.Refused))
	if rep.Stopped != nil {
		return fmt.Errorf("stopped: %w; the journal is up to date: run blason notify again to go on", rep.Stopped)
	}
	if len(plan.Uncertain) > 0 {
		return exitStatus(1)
	}
	return nil
}

// sayUncertain lists the events whose delivery is unknown.
func sayUncertain(w *out, plan *notify.Plan) {
	if len(plan.Uncertain) == 0 {
		return
	}
	var ids []string
	for _, ev := range plan.Uncertain {
		ids = append(ids, ev.ID+" ("+ev.Award.Source()+")")
	}
	say(w, "%d message(s) may or may not have been delivered (a run stopped during their sending); held back: %s", len(plan.Uncertain), strings.Join(ids, ", "))
	say(w, "check the SMTP server's log for their Message-ID, then run blason notify --resend-uncertain to send them again, or leave them")
}

// firstOf joins the first n items, saying how many more there are.
func firstOf(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + ", " + tr(os.Stdout, "and %d more", len(items)-n)
}

// inside reports whether p is dir or under it.
func inside(p, dir string) bool {
	ap, err1 := filepath.Abs(p)
	ad, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ad, ap)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
