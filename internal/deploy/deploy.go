// Package deploy publishes a built site to S3-compatible object storage
// (AWS S3, OVHcloud, Scaleway, Outscale, MinIO, Ceph RGW, SeaweedFS,
// Versity…): it uploads only the files that changed since the last deploy
// — known from a state journal kept under the source's .blason/deploys/,
// never in the site — with the headers internal/serverconf defines, in an
// order that never shows a broken site (keys, then what credentials point
// to, then credentials, then the status lists and pages pointing to them,
// then removals), removes only objects an earlier deploy created, and
// resumes a deploy that was killed. Credentials come only from the standard
// AWS environment variables or shared credentials file.
package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/serverconf"
)

// Options are the inputs of a deploy.
type Options struct {
	Source string // the source folder (its .blason/ holds the state)
	Site   string // the built site
	// BaseURL is the URL the site is served at; its path is the root the
	// _redirects file names the tombstones under.
	BaseURL string
	Config  config.Deploy
	// Getenv reads the credentials (AWS_ACCESS_KEY_ID…); os.Getenv when nil.
	Getenv   func(string) string
	DryRun   bool // list what would change, change nothing
	Verify   bool // list the bucket and compare every object
	Parallel int  // uploads at a time; Config.Parallel when 0
	// Progress is called as uploads finish, with the number done and to do.
	Progress func(done, total int)
	// Plan, when set, is told each change (dry run or not): "upload" or
	// "remove", the site path and why ("new", "changed", "headers",
	// "missing", "ours").
	Plan func(action, path, why string)
	// Foreign, when set, is told each object of the prefix that Blason did
	// not create (--verify only): left alone.
	Foreign func(key string)
	// Stdout and Stderr receive the invalidation command's output.
	Stdout, Stderr io.Writer
}

// Result summarises a deploy.
type Result struct {
	Uploaded  int   // objects uploaded (or that would be, in a dry run)
	Bytes     int64 // their bytes
	Unchanged int   // local files already in the bucket
	Removed   int   // objects removed (or that would be)
	Foreign   int   // objects of the prefix Blason did not create (--verify), -1 when not listed
	Files     int   // files of the site
	Changed   []string
	Duration  time.Duration
}

// file is a file of the site to deploy.
type file struct {
	path    string // slash path relative to the site
	size    int64
	mtime   int64
	sha     string // computed when needed
	headers serverconf.Header
	hh      string // hash of the stored headers
}

// ManifestPath is where blason build keeps the manifest of the site it
// built in dest from source: the same place as internal/build's
// manifestPath (TestManifestPathMatchesBuild checks it).
func ManifestPath(source, dest string) string {
	abs, err := filepath.Abs(dest)
	if err != nil {
		abs = dest
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(source, ".blason", "manifests", hex.EncodeToString(sum[:8])+".json")
}

// ErrNotBuilt says the folder is not a finished build.
var ErrNotBuilt = errors.New("not a finished build")

// Run deploys o.Site.
func Run(ctx context.Context, o Options) (Result, error) {
	start := time.Now()
	res := Result{Foreign: -1}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Parallel <= 0 {
		o.Parallel = o.Config.Parallel
	}
	if o.Parallel <= 0 {
		o.Parallel = config.DefaultParallel
	}
	if err := ready(o.Config); err != nil {
		return res, err
	}
	// A deploy never reads a site that a build is writing: it holds the
	// build lock from the first file read to the last object sent.
	target := publish.Target{Dir: o.Site, Manifest: ManifestPath(o.Source, o.Site)}
	if _, err := os.Stat(target.Manifest); err != nil {
		return res, fmt.Errorf("%s is %w of this site (no build manifest for it in %s): run blason build first, with the same -s and -d", o.Site, ErrNotBuilt, filepath.Join(o.Source, ".blason", "manifests"))
	}
	release, err := target.Lock(0, nil)
	if err != nil {
		var le *publish.LockError
		if errors.As(err, &le) {
			return res, fmt.Errorf("a build is writing %s: deploy once it is done", o.Site)
		}
		return res, err
	}
	defer release()
	if _, err := os.Stat(target.Manifest + ".journal"); err == nil {
		return res, fmt.Errorf("%s is %w: the last build of it was interrupted; run blason build again, then deploy", o.Site, ErrNotBuilt)
	}

	root := "/"
	if u, err := url.Parse(o.BaseURL); err == nil && u.Path != "" {
		root = u.Path
	}
	rules, err := serverconf.FromBuilt(o.Site, root)
	if err != nil {
		return res, err
	}
	files, err := walk(o.Site, o.Config.HostFiles, rules)
	if err != nil {
		return res, err
	}
	res.Files = len(files)

	statePath := StatePath(o.Source, o.Config.Endpoint, o.Config.Bucket, o.Config.Prefix)
	st, err := readState(statePath)
	if err != nil {
		return res, err
	}

	var store *store
	if !o.DryRun || o.Verify {
		store, err = newStore(o.Config, o.Getenv)
		if err != nil {
			return res, err
		}
		if err := store.check(ctx); err != nil {
			return res, err
		}
	}

	// What to send and what to remove.
	var up []*file
	var gone []string
	why := map[string]string{}
	if o.Verify {
		up, gone, err = verifyPlan(ctx, o, store, st, files, why, &res)
	} else {
		up, err = plan(o.Site, st, files, why)
		local := make(map[string]bool, len(files))
		for _, f := range files {
			local[f.path] = true
		}
		for p := range st.objects {
			if !local[p] {
				gone = append(gone, p)
			}
		}
	}
	if err != nil {
		return res, err
	}
	slices.Sort(gone)
	slices.SortFunc(up, func(a, b *file) int {
		if c := tier(a.path, rules) - tier(b.path, rules); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	for _, f := range up {
		res.Bytes += f.size
		res.Changed = append(res.Changed, f.path)
		if o.Plan != nil {
			o.Plan("upload", f.path, why[f.path])
		}
	}
	for _, p := range gone {
		res.Changed = append(res.Changed, p)
		if o.Plan != nil {
			o.Plan("remove", p, "ours")
		}
	}
	res.Uploaded, res.Removed = len(up), len(gone)
	res.Unchanged = len(files) - len(up)
	if o.DryRun {
		res.Duration = time.Since(start)
		return res, nil
	}

	// Files unchanged but whose modification time moved are recorded anew,
	// so that the next deploy need not hash them.
	var touched []string
	for _, f := range files {
		if e, ok := st.objects[f.path]; ok && f.sha != "" && e.sha == f.sha && e.headers == f.hh && e.mtime != f.mtime && why[f.path] == "" {
			e.mtime, e.size = f.mtime, f.size
			st.objects[f.path] = e
			touched = append(touched, f.path)
		}
	}
	if len(up)+len(gone)+len(touched) == 0 && !o.Verify && !o.Config.CORS {
		res.Duration = time.Since(start)
		return res, nil // nothing to send, nothing to record
	}
	// The state is compacted first when needed (a line cut short by a
	// killed deploy, --verify's rebuilt state, lines many deploys
	// overrode), then appended to as objects are sent and removed.
	if o.Verify || !st.clean || st.bloated() {
		if err := st.write(statePath); err != nil {
			return res, err
		}
		touched = nil
	}
	j, err := openJournal(statePath)
	if err != nil {
		return res, err
	}
	defer j.close()
	for _, p := range touched {
		if err := j.add(uploadLine(p, st.objects[p])); err != nil {
			return res, err
		}
	}
	if o.Config.CORS {
		if err := store.setCORS(ctx); err != nil {
			return res, err
		}
	}
	var done atomic.Int64
	if o.Progress != nil {
		o.Progress(0, len(up))
	}
	for _, batch := range tiers(up, rules) {
		err := parallel(ctx, o.Parallel, len(batch), func(ctx context.Context, i int) error {
			f := batch[i]
			if err := store.put(ctx, o.Site, f); err != nil {
				return err
			}
			e := entry{sha: f.sha, size: f.size, mtime: f.mtime, headers: f.hh}
			if err := j.add(uploadLine(f.path, e)); err != nil {
				return err
			}
			if o.Progress != nil {
				o.Progress(int(done.Add(1)), len(up))
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		if err := j.sync(); err != nil {
			return res, err
		}
	}
	// Removals last, once the new site is whole.
	err = parallel(ctx, o.Parallel, len(gone), func(ctx context.Context, i int) error {
		if err := store.remove(ctx, gone[i]); err != nil {
			return err
		}
		return j.add("r " + gone[i] + "\n")
	})
	if err != nil {
		return res, err
	}
	if err := j.sync(); err != nil {
		return res, err
	}
	j.close()
	// The state now records every upload and removal; it is rewritten
	// when the lines overridden outnumber the others.
	for _, f := range up {
		st.objects[f.path] = entry{sha: f.sha, size: f.size, mtime: f.mtime, headers: f.hh}
	}
	for _, p := range gone {
		delete(st.objects, p)
	}
	st.lines += j.added
	if st.bloated() {
		if err := st.write(statePath); err != nil {
			return res, err
		}
	}
	res.Duration = time.Since(start)
	if o.Config.Invalidate != "" && len(res.Changed) > 0 {
		if err := invalidate(ctx, o, statePath, root, res.Changed); err != nil {
			return res, err
		}
	}
	return res, nil
}

// ready tells what the deploy section lacks.
func ready(c config.Deploy) error {
	for _, k := range []struct{ key, value, env string }{{"endpoint", c.Endpoint, "BLASON_DEPLOY_ENDPOINT"}, {"bucket", c.Bucket, "BLASON_DEPLOY_BUCKET"}} {
		if k.value == "" {
			return fmt.Errorf("the configuration has no deploy.%s: add a deploy: section with the endpoint and the bucket (docs/deploy.md), or set %s", k.key, k.env)
		}
	}
	return nil
}

// walk lists the files of the site, with their headers; the files for
// static hosts (_headers, _redirects) only when hostFiles.
func walk(dir string, hostFiles bool, rules serverconf.Site) ([]*file, error) {
	headers := rules.Lookup()
	var out []*file
	skip := map[string]bool{}
	if !hostFiles {
		for _, f := range serverconf.HostFiles() {
			skip[f] = true
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link: a built site holds none; delete it and build again", p)
		case !d.Type().IsRegular() || skip[rel]:
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h := headers(rel)
		out = append(out, &file{path: rel, size: info.Size(), mtime: info.ModTime().UnixNano(), headers: h, hh: headerHash(h)})
		return nil
	})
	return out, err
}

// headerHash identifies the headers stored on an object: a change of
// rules sends the object again.
func headerHash(h serverconf.Header) string {
	sum := sha256.Sum256([]byte(h.ContentType + "\n" + h.CacheControl))
	return hex.EncodeToString(sum[:6])
}

// plan finds the files to upload: those the state does not have with the
// same bytes and headers. A file whose size and modification time are
// those recorded is not read (a build rewrites only the files that
// change).
func plan(dir string, st *state, files []*file, why map[string]string) ([]*file, error) {
	var toHash []*file
	for _, f := range files {
		e, ok := st.objects[f.path]
		switch {
		case !ok:
			why[f.path] = "new"
		case e.size == f.size && e.mtime == f.mtime && e.headers == f.hh:
			continue
		}
		toHash = append(toHash, f)
	}
	if err := hashAll(dir, toHash); err != nil {
		return nil, err
	}
	var up []*file
	for _, f := range toHash {
		e, ok := st.objects[f.path]
		switch {
		case !ok:
		case e.sha != f.sha:
			why[f.path] = "changed"
		case e.headers != f.hh:
			why[f.path] = "headers"
		default:
			continue // same bytes, only touched
		}
		up = append(up, f)
	}
	return up, nil
}

// hashAll computes the sha256 of files, on every core.
func hashAll(dir string, files []*file) error {
	return parallel(context.Background(), runtime.GOMAXPROCS(0), len(files), func(_ context.Context, i int) error {
		f := files[i]
		sum, err := hashFile(filepath.Join(dir, filepath.FromSlash(f.path)))
		f.sha = sum
		return err
	})
}

func hashFile(name string) (string, error) {
	r, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// tier orders uploads so that nothing is published before what it points
// to: 0 the keys; 1 what credentials point to (issuer profiles, DID
// documents and JWK sets listing the keys, badge classes, images, assets);
// 2 the awards' credentials, assertions and baked images; 3 what points to
// credentials or tells their status — status and revocation lists,
// tombstones, pages, sitemaps, search indexes.
func tier(p string, rules serverconf.Site) int {
	parts := strings.Split(p, "/")
	isSpace := len(parts) > 1 && slices.Contains(rules.Spaces, parts[0])
	_, tomb := slices.BinarySearch(rules.Gone, p)
	switch {
	case tomb:
		return 3
	case isSpace && parts[1] == "keys":
		return 0
	case isSpace && (parts[1] == "assertions" || parts[1] == "credentials"):
		return 2
	case isSpace && (parts[1] == "status" || p == parts[0]+"/revocations.json"):
		return 3
	case strings.HasSuffix(p, ".html"), strings.HasSuffix(p, ".xml"), path.Base(p) == "search.json", p == "robots.txt", parts[0] == "passport":
		return 3
	}
	return 1
}

// tiers cuts the sorted uploads at each change of tier.
func tiers(up []*file, rules serverconf.Site) [][]*file {
	var out [][]*file
	for i := 0; i < len(up); {
		t := tier(up[i].path, rules)
		j := i
		for j < len(up) && tier(up[j].path, rules) == t {
			j++
		}
		out = append(out, up[i:j])
		i = j
	}
	return out
}

// parallel runs fn for 0..n-1, at most limit at a time, and returns the
// first error (the others are not started).
func parallel(ctx context.Context, limit, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		once  sync.Once
		first error
	)
	for w := 0; w < min(limit, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil && n > 0 {
		return ctx.Err()
	}
	return first
}
