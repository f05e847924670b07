package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/export"
	"github.com/francebadge/blason/internal/safepath"
	"github.com/francebadge/blason/internal/store"
)

// cmdExport runs blason export: every award of a space with its status, as
// CSV and JSON, outside the site (internal/export).
func cmdExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	var o build.Options
	fs.source(&o.Source, "source folder (holding blason.yaml)")
	fs.destination(&o.Destination, "site", "the published site folder, relative to the source folder (the export is refused inside it)")
	fs.withConfig()
	space := fs.String("space", "", "space slug (content/<space>/)")
	out := fs.String("output", "exports", "export folder, relative to the source folder; never inside the site folder")
	fs.alias("output", "o")
	db := fs.String("db", "", "claim store to read whether each award was claimed, taken for a wallet and shown on a passport: a SQLite file or a postgres:// URL")
	asOf := fs.String("now", "", "reference date of the statuses (expiry), YYYY-MM-DD (default: today)")
	for name, v := range map[string]string{"space": "SPACE", "output": "DIR", "db": "FILE|URL", "now": "YYYY-MM-DD"} {
		fs.value(name, v)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Config = fs.configFile()
	if *space == "" {
		return errors.New("blason export needs --space SPACE: the space whose awards to export")
	}
	// A private report, never published: today's date is fine here (the
	// build itself never reads the clock for what it publishes).
	now := time.Now()
	if *asOf != "" {
		t, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return fmt.Errorf("--now %q: write YYYY-MM-DD", *asOf)
		}
		now = t
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(o.Source, p)
	}
	dir := rel(*out)
	if err := safepath.Destination("export folder", dir, o.Source); err != nil {
		return err
	}
	site, err := build.Load(o)
	if err != nil {
		return err
	}
	var uses map[string]store.AwardUse
	if *db != "" {
		if !strings.Contains(*db, "://") {
			file := strings.TrimPrefix(strings.TrimPrefix(*db, "sqlite:"), "file:")
			if _, err := os.Stat(file); errors.Is(err, iofs.ErrNotExist) {
				return fmt.Errorf("--db %s: no such claim store; give the file the claim server uses (by default SOURCE/.blason/claim.db)", *db)
			}
		}
		st, err := store.Open(context.Background(), *db)
		if err != nil {
			return err
		}
		defer st.Close()
		if uses, err = st.AwardUses(context.Background(), *space); err != nil {
			return err
		}
	}
	rep, err := export.Build(site, *space, now, uses)
	if err != nil {
		return err
	}
	forbidden := []string{rel(o.Destination), rel("content"), build.KeysDir(o.Source), rel("themes")}
	files, err := rep.Write(dir, forbidden)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, a := range rep.Awards {
		counts[a.Status]++
	}
	say(stdout, "%s: %d awards (%d valid, %d expired, %d suspended, %d revoked) as of %s", rep.Space, len(rep.Awards),
		counts["valid"], counts["expired"], counts["suspended"], counts["revoked"], rep.AsOf)
	for _, f := range files {
		say(stdout, "wrote %s", f)
	}
	return nil
}
