package build

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

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
// the credentials' hashes are filled in as they are signed. It holds a
// pointer per award issued; the hashes go to a scratch file of the log's
// state folder (32 bytes per entry, at the entry's place), so that a build
// of a million awards does not carry them on its heap; the entries are
// made and written one by one when the build finishes.
type logPlan struct {
	log      *tlog.Log
	from     int64 // size of the log as last published
	base     int64 // size of the log before this build
	segments []logSegment
	spaces   map[string][]int // space slug → its segments of issued credentials
	count    int64            // entries planned
	layout   layout.Layout
	rings    issue.Keyrings
	groups   map[string]publish.Group
	sums     *os.File // the credentials' SHA-256, by entry - base
}

// logSegment is a run of planned entries: events (keys, statuses), or
// credentials issued in one space, sorted by award id.
type logSegment struct {
	first  int64 // index in the log of its first entry
	events []tlog.Entry
	issued []*model.Award
}

// sumsFile is the plan's scratch file, in the log's state folder.
const sumsFile = "pending-sums"

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
	p := &logPlan{log: lg, base: lg.Size(), spaces: map[string][]int{}, layout: l, rings: rings, groups: groups}
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
	spaces := append([]*model.Space(nil), site.Spaces...)
	sort.Slice(spaces, func(i, j int) bool { return spaces[i].Slug < spaces[j].Slug })
	var diags diag.List
	for _, sp := range spaces {
		ring := rings[sp.Slug]
		if ring == nil {
			continue
		}
		var keyEvents []tlog.Entry
		ks := append(ring.Keys[:0:0], ring.Keys...)
		sort.Slice(ks, func(i, j int) bool { return ks[i].Kid < ks[j].Kid })
		for _, k := range ks {
			logged := lg.KeyEvent(sp.Slug, k.Kid)
			if logged == "" {
				keyEvents = append(keyEvents, tlog.Entry{Event: tlog.KeyAdded, Space: sp.Slug, ID: k.Kid, ValidFrom: ob3.DateTime(k.ActiveFrom)})
			}
			if k.IsRetired() && logged != tlog.KeyRetired {
				keyEvents = append(keyEvents, tlog.Entry{Event: tlog.KeyRetired, Space: sp.Slug, ID: k.Kid, ValidFrom: ob3.DateTime(k.Retired)})
			}
		}
		p.addEvents(keyEvents)
		// Entries are in award id order; only the awards logged by this
		// build are sorted (a rebuild of a million awards logs few).
		byID := func(a, b *model.Award) int { return strings.Compare(a.ID, b.ID) }
		var issued []*model.Award
		for _, a := range sp.Awards {
			g := groups[a.ID]
			c, logged := lg.Cred(a.ID)
			if logged {
				same, known := c.Same(g.Key)
				if !known {
					// A state rebuilt from the published entries: the
					// previous build's manifest says what was issued.
					if same = prev.Groups[a.ID].Key == g.Key; same {
						lg.SetAction(a.ID, g.Key)
					}
				}
				if same {
					continue
				}
				if validFrom := ob3.DateTime(a.Date); validFrom < c.ValidFrom {
					diags.Add(a.File, a.Line, "keep the date it was first published with, or issue a new award",
						"award %s was logged on entry %d as valid from %s; re-issuing it valid from %s would back-date it", a.ID, c.First, c.ValidFrom, validFrom)
					continue
				}
			}
			issued = append(issued, a)
		}
		slices.SortFunc(issued, byID)
		if len(issued) > 0 {
			p.spaces[sp.Slug] = append(p.spaces[sp.Slug], len(p.segments))
			p.segments = append(p.segments, logSegment{first: lg.Size() + p.count, issued: issued})
			p.count += int64(len(issued))
		}
		var changed []*model.Award
		for _, a := range sp.Awards {
			_, revoked := sp.Revocations[a.ID]
			if revoked || lg.Status(a.ID) != "" {
				changed = append(changed, a)
			}
		}
		slices.SortFunc(changed, byID)
		var statusEvents []tlog.Entry
		for _, a := range changed {
			want, date := "", ""
			if rv, ok := sp.Revocations[a.ID]; ok {
				want, date = tlog.Revoked, ob3.DateTime(rv.Date)
				if rv.Suspended {
					want = tlog.Suspended
				}
			}
			have := lg.Status(a.ID)
			if want == have {
				continue
			}
			if want == "" {
				want, date = tlog.Lifted, ""
			}
			statusEvents = append(statusEvents, tlog.Entry{Event: want, Space: sp.Slug, ID: a.ID, ValidFrom: date})
		}
		p.addEvents(statusEvents)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	if p.count > 0 {
		f, err := os.Create(filepath.Join(LogDir(o.Source), sumsFile))
		if err == nil {
			err = f.Truncate(p.count * sha256.Size)
		}
		if err != nil {
			return nil, err
		}
		p.sums = f
	}
	return p, nil
}

// addEvents plans key or status events.
func (p *logPlan) addEvents(es []tlog.Entry) {
	if len(es) > 0 {
		p.segments = append(p.segments, logSegment{first: p.log.Size() + p.count, events: es})
		p.count += int64(len(es))
	}
}

// planned returns the index of the entry that logs award a's credential
// in this build.
func (p *logPlan) planned(a *model.Award) (int64, bool) {
	for _, s := range p.spaces[a.Badge.Space.Slug] {
		seg := &p.segments[s]
		j, ok := slices.BinarySearchFunc(seg.issued, a.ID, func(x *model.Award, id string) int { return strings.Compare(x.ID, id) })
		if ok {
			return seg.first + int64(j), true
		}
	}
	return 0, false
}

// EntryOf returns the index of the entry that first logged award a.
func (p *logPlan) EntryOf(a *model.Award) (int64, bool) {
	if c, ok := p.log.Cred(a.ID); ok {
		return c.First, true
	}
	if i, ok := p.planned(a); ok {
		return i, true
	}
	return 0, false
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
func (p *logPlan) size() int64 { return p.log.Size() + p.count }

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

func (c capture) PutAward(a *model.Award, path string, data []byte) error {
	// The credential is <…>/<id>.json: compare the whole path only then.
	if n := len(path) - len(".json"); n > len(a.ID) && path[n:] == ".json" && path[n-len(a.ID):n] == a.ID && path == c.p.layout.Credential(a) {
		if i, ok := c.p.planned(a); ok {
			sum := sha256.Sum256(data)
			if _, err := c.p.sums.WriteAt(sum[:], (i-c.p.base)*sha256.Size); err != nil {
				return fmt.Errorf("transparency log: %w", err)
			}
		}
	}
	return c.Output.Put(path, data)
}

// finish makes the entries (credentials not signed by this build are read
// from the output folder), appends them, saves the state and puts the
// log's changed files.
func (p *logPlan) finish(dest string, out issue.Output) error {
	from := p.from
	var issued int
	for _, seg := range p.segments {
		issued += len(seg.issued)
	}
	p.log.Expect(issued)
	var sums *bufio.Reader
	if p.sums != nil {
		sums = bufio.NewReaderSize(io.NewSectionReader(p.sums, 0, p.count*sha256.Size), 1<<16)
	}
	var sum [sha256.Size]byte
	for _, seg := range p.segments {
		if len(seg.events) > 0 {
			if _, err := sums.Discard(len(seg.events) * sha256.Size); err != nil {
				return fmt.Errorf("transparency log: %w", err)
			}
		}
		for _, e := range seg.events {
			if err := p.log.Add(e, ""); err != nil {
				return err
			}
		}
		for _, a := range seg.issued {
			if _, err := io.ReadFull(sums, sum[:]); err != nil {
				return fmt.Errorf("transparency log: %w", err)
			}
			if sum == ([sha256.Size]byte{}) { // not signed by this build
				b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(p.layout.Credential(a))))
				if err != nil {
					return fmt.Errorf("transparency log: %w", err)
				}
				sum = sha256.Sum256(b)
			}
			key := ""
			if k := p.rings[a.Badge.Space.Slug].Signing("EdDSA", a.Date); k != nil {
				key = k.Kid
			}
			e := tlog.Entry{Event: tlog.Issued, Space: a.Badge.Space.Slug, ID: a.ID, SHA256: hex.EncodeToString(sum[:]), Key: key, ValidFrom: ob3.DateTime(a.Date)}
			if err := p.log.Add(e, p.groups[a.ID].Key); err != nil {
				return err
			}
		}
	}
	if p.log.Unsaved() {
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
	var buf []byte
	for _, t := range p.log.Changed(from) {
		if buf, err = p.log.AppendTileData(buf[:0], t); err != nil {
			return err
		}
		if err := out.Put(logFolder+tlog.Path(t), buf); err != nil {
			return err
		}
	}
	return nil
}

// close releases the log's files and removes the plan's scratch file.
func (p *logPlan) close() {
	if p == nil {
		return
	}
	if p.sums != nil {
		p.sums.Close()
		os.Remove(p.sums.Name())
		p.sums = nil
	}
	if p.log != nil {
		p.log.Close()
		p.log = nil
	}
}
