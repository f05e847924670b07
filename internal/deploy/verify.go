package deploy

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// verifyPlan lists the prefix and compares every object with the site: a
// missing or different object (bytes or headers) is sent again, an object
// Blason created (in the state, or carrying its checksum metadata) that the
// site no longer has is removed, any other object is foreign and left
// alone. The state is rebuilt from what the bucket holds.
func verifyPlan(ctx context.Context, o Options, s *store, st *state, files []*file, why map[string]string, res *Result) (up []*file, gone []string, err error) {
	if err := hashAll(o.Site, files); err != nil {
		return nil, nil, err
	}
	objs, err := s.list(ctx)
	if err != nil {
		return nil, nil, err
	}
	local := make(map[string]*file, len(files))
	for _, f := range files {
		local[f.path] = f
	}
	// Every object is read (HEAD) but those the state says are ours and
	// the site no longer has: removed either way.
	var toStat []*object
	inBucket := map[string]*object{}
	for i := range objs {
		ob := &objs[i]
		inBucket[ob.path] = ob
		if _, ours := st.objects[ob.path]; ours && local[ob.path] == nil {
			continue
		}
		toStat = append(toStat, ob)
	}
	if err := parallel(ctx, o.Parallel, len(toStat), func(ctx context.Context, i int) error {
		return s.stat(ctx, toStat[i])
	}); err != nil {
		return nil, nil, err
	}
	res.Foreign = 0
	next := map[string]entry{}
	for _, f := range files {
		ob := inBucket[f.path]
		switch {
		case ob == nil:
			why[f.path] = "missing"
			if _, ok := st.objects[f.path]; !ok {
				why[f.path] = "new"
			}
		case ob.sha == "":
			why[f.path] = "foreign" // a site path must hold the site's file
		case ob.sha != f.sha:
			why[f.path] = "changed"
		case ob.contentType != f.headers.ContentType || ob.cacheControl != f.headers.CacheControl:
			why[f.path] = "headers"
		default:
			next[f.path] = entry{sha: f.sha, size: f.size, mtime: f.mtime, headers: f.hh}
			continue
		}
		up = append(up, f)
	}
	for _, ob := range objs {
		if local[ob.path] != nil {
			continue
		}
		_, inState := st.objects[ob.path]
		switch {
		case inState || ob.sha != "":
			gone = append(gone, ob.path)
			next[ob.path] = entry{sha: cmp.Or(ob.sha, "-"), headers: "-"}
		default:
			res.Foreign++
			if o.Foreign != nil {
				o.Foreign(ob.key)
			}
		}
	}
	if !o.DryRun {
		st.objects = next
	}
	return up, gone, nil
}

// invalidate runs the deploy.invalidate command with the changed URL
// paths, one a line, on its standard input and in the file named by
// BLASON_DEPLOY_PATHS (a folder's index.html gives the folder's URL too).
func invalidate(ctx context.Context, o Options, statePath, root string, changed []string) error {
	var b bytes.Buffer
	for _, p := range changed {
		b.WriteString(root + p + "\n")
		if p == "index.html" || strings.HasSuffix(p, "/index.html") {
			b.WriteString(root + strings.TrimSuffix(p, "index.html") + "\n")
		}
	}
	list := statePath + ".invalidate"
	if err := os.WriteFile(list, b.Bytes(), 0o600); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", o.Config.Invalidate)
	cmd.Stdin = bytes.NewReader(b.Bytes())
	cmd.Stdout, cmd.Stderr = o.Stdout, o.Stderr
	cmd.Env = append(os.Environ(), "BLASON_DEPLOY_PATHS="+list)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the invalidation command (deploy.invalidate) failed: %v; the site is deployed and its state recorded, but the CDN may serve old copies: run the command again with the changed paths listed in %s", err, list)
	}
	return os.Remove(list)
}
