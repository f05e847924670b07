package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/issue"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob3"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/tlog"
)

// LogDir is where a site keeps its transparency log's state: outside the
// output folder, rebuilt from the published tiles when lost.
func LogDir(source string) string { return filepath.Join(source, ".blason", "tlog") }

// LogKeyPath is the transparency log's signing key, with the other keys
// (and so in their backups).
func LogKeyPath(source string) string { return filepath.Join(KeysDir(source), tlog.KeyFile) }

// logFolder is where the log is published in the output folder.
const logFolder = "log/"

// logPlan is the entries a build appends to the transparency log, known
// before any award is issued (so that award pages can name their entry);
// the credentials' hashes are filled in as they are signed.
type logPlan struct {
	log     *tlog.Log
	from    int64 // size of the log as last published
	entries []tlog.Entry
	creds   map[string]int // credential path → index in entries of its issued event
	awards  map[int]string // index in entries → credential path, for those to hash
	actions map[string]string
	sums    []string
	Entry   map[string]int64 // award id → index of its first issued entry
}

// logEnabled says whether this build keeps the log.
func logEnabled(o Options) bool {
	if o.NoLog {
		return false
	}
	var diags diag.List
	cfg := config.LoadEnv(o.Source, o.BaseURL, config.WithFile(os.Getenv, o.Config), &diags)
	return cfg == nil || cfg.Transparency.On()
}

// planLog opens the log and lists this build's events: keys added or
// retired, credentials issued (new, or re-issued with other inputs), and
// status changes. It refuses a back-dated re-issue and a log state behind
// the published one.
func planLog(o Options, site *model.Site, l layout.Layout, rings issue.Keyrings, groups map[string]publish.Group, prev *publish.Manifest) (*logPlan, error) {
	cpPath := filepath.Join(o.Destination, filepath.FromSlash(logFolder), "checkpoint")
	pub, perr := os.ReadFile(cpPath)
	if perr != nil && !errors.Is(perr, fs.ErrNotExist) {
		return nil, perr
	}
	published := perr == nil
	if len(o.StartOver) > 0 {
		// A new start without the log's key starts the log over too: the
		// old state is kept aside, the published log replaced.
		if _, err := os.Stat(LogKeyPath(o.Source)); errors.Is(err, fs.ErrNotExist) {
			if err := abandonLog(o.Source); err != nil {
				return nil, err
			}
			published = false
		}
	}
	lg, err := tlog.Open(LogDir(o.Source), LogKeyPath(o.Source), tlog.Origin(site.BaseURL), published, o.Rand)
	if errors.Is(err, tlog.ErrNoState) {
		// The state is lost (a fresh copy of the source) but the output
		// folder holds the published log: rebuilt from it, checked against
		// the log's own key.
		r, rerr := tlog.Reader(filepath.Dir(cpPath))
		if rerr == nil {
			lg, rerr = tlog.Recover(context.Background(), r, LogDir(o.Source), LogKeyPath(o.Source))
		}
		if rerr != nil {
			return nil, refusal(fmt.Errorf("%w (recovering it from %s: %v)", err, filepath.Dir(cpPath), rerr))
		}
		err = nil
	}
	if err != nil {
		return nil, refusal(err)
	}
	if !published {
		perr = fs.ErrNotExist
	}
	p := &logPlan{log: lg, creds: map[string]int{}, awards: map[int]string{}, actions: map[string]string{}, Entry: map[string]int64{}}
	if perr == nil {
		c, err := tlog.OpenCheckpoint(pub, lg.Verify)
		if err != nil {
			return nil, refusal(fmt.Errorf("%s: %w; the published log is not this site's: restore keys/%s from your backup", cpPath, err, tlog.KeyFile))
		}
		if c.N > lg.Size() {
			return nil, refusal(fmt.Errorf("%s publishes %d log entries but %s holds only %d: the log's state is older than the site; rebuild it with %s", cpPath, c.N, LogDir(o.Source), lg.Size(), tlog.RecoverHint))
		}
		p.from = c.N
	}
	if o.Force {
		p.from = 0
	}
	if prev == nil {
		prev = publish.NewManifest()
	}
	add := func(e tlog.Entry) int {
		p.entries = append(p.entries, e)
		return len(p.entries) - 1
	}
	spaces := append([]*model.Space(nil), site.Spaces...)
	sort.Slice(spaces, func(i, j int) bool { return spaces[i].Slug < spaces[j].Slug })
	var diags diag.List
	for _, sp := range spaces {
		ring := rings[sp.Slug]
		if ring == nil {
			continue
		}
		ks := append(ring.Keys[:0:0], ring.Keys...)
		sort.Slice(ks, func(i, j int) bool { return ks[i].Kid < ks[j].Kid })
		for _, k := range ks {
			id := sp.Slug + "/" + k.Kid
			if _, ok := lg.Keys[id]; !ok {
				add(tlog.Entry{Event: tlog.KeyAdded, Space: sp.Slug, ID: k.Kid, ValidFrom: ob3.DateTime(k.ActiveFrom)})
			}
			if k.IsRetired() && lg.Keys[id] != tlog.KeyRetired {
				add(tlog.Entry{Event: tlog.KeyRetired, Space: sp.Slug, ID: k.Kid, ValidFrom: ob3.DateTime(k.Retired)})
			}
		}
		awards := append([]*model.Award(nil), sp.Awards...)
		sort.Slice(awards, func(i, j int) bool { return awards[i].ID < awards[j].ID })
		for _, a := range awards {
			g := groups[a.ID]
			c := lg.Creds[a.ID]
			validFrom := ob3.DateTime(a.Date)
			if c != nil {
				p.Entry[a.ID] = c.First
				ref, ok := lg.Actions[a.ID]
				if !ok {
					ref = prev.Groups[a.ID].Key
				}
				if ref == g.Key {
					continue
				}
				if validFrom < c.ValidFrom {
					diags.Add(a.File, a.Line, "keep the date it was first published with, or issue a new award",
						"award %s was logged on entry %d as valid from %s; re-issuing it valid from %s would back-date it", a.ID, c.First, c.ValidFrom, validFrom)
					continue
				}
			}
			key := ""
			if k := rings[sp.Slug].Signing("EdDSA", a.Date); k != nil {
				key = k.Kid
			}
			i := add(tlog.Entry{Event: tlog.Issued, Space: sp.Slug, ID: a.ID, Key: key, ValidFrom: validFrom})
			if c == nil {
				p.Entry[a.ID] = lg.Size() + int64(i)
			}
			path := l.Credential(a)
			p.creds[path] = i
			p.awards[i] = path
			p.actions[a.ID] = g.Key
		}
		for _, a := range awards {
			want, date := "", ""
			if rv, ok := sp.Revocations[a.ID]; ok {
				want, date = tlog.Revoked, ob3.DateTime(rv.Date)
				if rv.Suspended {
					want = tlog.Suspended
				}
			}
			have := lg.Status[a.ID]
			if want == have {
				continue
			}
			if want == "" {
				want, date = tlog.Lifted, ""
			}
			add(tlog.Entry{Event: want, Space: sp.Slug, ID: a.ID, ValidFrom: date})
		}
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	p.sums = make([]string, len(p.entries))
	return p, nil
}

// abandonLog moves the log's state aside, for a new start.
func abandonLog(source string) error {
	dir := LogDir(source)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	for n := 1; ; n++ {
		aside := fmt.Sprintf("%s.abandoned-%d", dir, n)
		if _, err := os.Stat(aside); errors.Is(err, fs.ErrNotExist) {
			return os.Rename(dir, aside)
		}
	}
}

// size is the log's size once this build's entries are appended.
func (p *logPlan) size() int64 { return p.log.Size() + int64(len(p.entries)) }

// paths lists the files the log publishes at its new size.
func (p *logPlan) paths() []string {
	out := []string{logFolder + "checkpoint", logFolder + "key"}
	for _, t := range tlog.Tiles(p.size()) {
		out = append(out, logFolder+tlog.Path(t))
	}
	return out
}

// capture hashes the credentials as they are signed.
type capture struct {
	issue.Output
	p *logPlan
}

func (c capture) Put(path string, data []byte) error {
	if i, ok := c.p.creds[path]; ok {
		c.p.sums[i] = tlog.Hash(data)
	}
	return c.Output.Put(path, data)
}

// finish completes the entries (credentials not signed by this build are
// read from the output folder), appends them, saves the state and puts the
// log's changed files.
func (p *logPlan) finish(dest string, out issue.Output) error {
	var raw [][]byte
	for i, e := range p.entries {
		if path, ok := p.awards[i]; ok {
			if p.sums[i] == "" {
				b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(path)))
				if err != nil {
					return fmt.Errorf("transparency log: %w", err)
				}
				p.sums[i] = tlog.Hash(b)
			}
			e.SHA256 = p.sums[i]
		}
		raw = append(raw, e.Marshal())
	}
	from := p.from
	if err := p.log.Append(raw...); err != nil {
		return err
	}
	for id, k := range p.actions {
		p.log.Actions[id] = k
	}
	if len(raw) > 0 || len(p.actions) > 0 {
		if err := p.log.Save(); err != nil {
			return err
		}
	}
	cp, err := p.log.Published()
	if err != nil {
		return err
	}
	if err := out.Put(logFolder+"checkpoint", cp); err != nil {
		return err
	}
	if err := out.Put(logFolder+"key", []byte(p.log.VKey+"\n")); err != nil {
		return err
	}
	for _, t := range p.log.Changed(from) {
		b, err := p.log.TileData(t)
		if err != nil {
			return err
		}
		if err := out.Put(logFolder+tlog.Path(t), b); err != nil {
			return err
		}
	}
	return nil
}
