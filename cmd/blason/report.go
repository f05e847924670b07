package main

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/report"
	"github.com/francebadge/blason/internal/safepath"
)

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	var o build.Options
	var ro report.Options
	fs.source(&o.Source, "source folder (holding blason.yaml)")
	fs.withConfig()
	out := fs.String("output", "reports", "report folder, relative to the source folder; never inside the site folder")
	fs.alias("output", "o")
	fs.value("output", "DIR")
	fs.value("site", "DIR")
	fs.value("date", "YYYY-MM-DD")
	fs.value("framework", "SLUG")
	site := fs.String("site", "site", "the published site folder, relative to the source folder (reports are refused inside it)")
	fs.StringVar(&ro.Framework, "framework", "", "framework slug (content/_frameworks/<slug>.yaml); optional when there is one")
	fs.StringVar(&ro.Level, "level", "competent", "level required in every competency")
	fs.StringVar(&ro.Space, "space", "", "space slug (default: every space with badges tied to the framework)")
	asOf := fs.String("date", "", "situation at this date, YYYY-MM-DD (default: today)")
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Config = fs.configFile()
	ro.AsOf = time.Now()
	if *asOf != "" {
		t, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return fmt.Errorf("--date %q: write YYYY-MM-DD", *asOf)
		}
		ro.AsOf = t
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(o.Source, p)
	}
	if err := safepath.Destination("report folder", rel(*out), o.Source); err != nil {
		return err
	}
	s, err := build.Load(o)
	if err != nil {
		return err
	}
	reps, err := report.Build(s, o.Source, ro)
	if err != nil {
		return err
	}
	forbidden := []string{rel(*site), rel("content"), build.KeysDir(o.Source), rel("themes")}
	files, err := report.Write(reps, rel(*out), forbidden)
	if err != nil {
		return err
	}
	for _, r := range reps {
		for _, co := range r.Cohorts {
			n := 0
			for _, row := range co.Rows {
				if row.Complete {
					n++
				}
			}
			say(stdout, "%s, cohort %s: %d of %d hold %s in all %d competencies", r.Space.Slug, co.Name, n, len(co.Rows), r.Level.ID, len(r.Framework.Competencies))
		}
	}
	for _, f := range files {
		say(stdout, "wrote %s", f)
	}
	return nil
}
