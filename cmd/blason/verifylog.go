package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/torchwood"
	"github.com/francebadge/blason/internal/tlog"
	"github.com/francebadge/blason/internal/verify"
	sumtlog "golang.org/x/mod/sumdb/tlog"
)

// fetchedLog is a published transparency log read through the verifier's
// fetcher (so --site and --allow-private apply to it too).
type fetchedLog struct {
	f    verify.Fetcher
	base string // the log folder's URL, ending with "/"
}

func (l fetchedLog) ReadTiles(ctx context.Context, tiles []sumtlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, _, err := l.f.Fetch(ctx, l.base+tlog.Path(t))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (fetchedLog) SaveTiles([]sumtlog.Tile, [][]byte) {}

func (l fetchedLog) ReadEndpoint(ctx context.Context, p string) ([]byte, error) {
	b, _, err := l.f.Fetch(ctx, l.base+p)
	return b, err
}

// logChecker checks that verified credentials are in their site's
// transparency log, reading each log once.
type logChecker struct {
	f       verify.Fetcher
	base    string // --site's base URL, or ""
	site    string // --site's folder, or ""
	mirrors map[string]*logResult
}

type logResult struct {
	m   *tlog.Mirror
	err error
}

// where returns the reader of the log of the site publishing target, and
// its name; nil when there is none to look for.
func (c *logChecker) where(target string) (torchwood.TileReader, string) {
	if isURL(target) {
		base := c.base
		if base == "" || !strings.HasPrefix(target, base) {
			u, err := url.Parse(target)
			if err != nil {
				return nil, ""
			}
			base = u.Scheme + "://" + u.Host + "/"
		}
		return fetchedLog{c.f, base + "log/"}, base + "log/"
	}
	if c.site != "" {
		// A file verified against a site folder: that site's log.
		if _, err := os.Stat(filepath.Join(c.site, "log", "checkpoint")); err == nil {
			return tlog.Dir(filepath.Join(c.site, "log")), filepath.Join(c.site, "log")
		}
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return nil, ""
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "log", "checkpoint")); err == nil {
			return tlog.Dir(filepath.Join(d, "log")), filepath.Join(d, "log")
		}
		if filepath.Dir(d) == d {
			return nil, ""
		}
	}
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// check returns what the log says of an Open Badges 3.0 Data Integrity
// credential: a note for the verify line, or a problem.
func (c *logChecker) check(ctx context.Context, target string) (note, problem string) {
	r, name := c.where(target)
	if r == nil {
		return "", ""
	}
	res := c.mirrors[name]
	if res == nil {
		res = &logResult{}
		c.mirrors[name] = res
		key, err := r.ReadEndpoint(ctx, "key")
		if err != nil {
			return "", "" // a site without a log
		}
		v, err := tlog.ParseVKey(string(key))
		if err != nil {
			res.err = fmt.Errorf("log/key: %v", err)
		} else {
			res.m, res.err = tlog.Fetch(ctx, r, v, nil)
		}
	}
	if res.err != nil {
		return "", fmt.Sprintf("transparency log: %v", res.err)
	}
	var data []byte
	var err error
	if isURL(target) {
		data, _, err = c.f.Fetch(ctx, target)
	} else {
		data, err = os.ReadFile(target)
	}
	if err != nil {
		return "", ""
	}
	sha := tlog.Hash(data)
	i := res.m.Find(sha)
	if i < 0 {
		return "", fmt.Sprintf("not in the site's transparency log (%d entries): issued without being logged, or altered", res.m.Checkpoint.N)
	}
	if _, err := res.m.Prove(i); err != nil {
		return "", fmt.Sprintf("transparency log: %v", err)
	}
	return fmt.Sprintf(" [log entry %d of %d]", i, res.m.Checkpoint.N), ""
}
