package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/dashboard"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/render"
	"github.com/francebadge/blason/internal/safepath"
)

// privateDashboards are dashboards kept out of the site: written under dir
// once the build has published (see writePrivateDashboards).
type privateDashboards struct {
	dir   string
	files publish.Files
}

// dashboards computes the pilotage dashboards (package dashboard, settings
// under dashboards: in the configuration) and renders them once per build:
// into docs when they are published with the site (rendered afresh by every
// build, like the catalogue pages, so any award or revocation reaches
// them), else into the private folder's files, which must lie outside the
// output folder.
func dashboards(o Options, site *model.Site, r *render.Renderer, docs publish.Files) (*privateDashboards, error) {
	var diags diag.List
	cfg := config.LoadEnv(o.Source, o.BaseURL, config.WithFile(os.Getenv, o.Config), &diags)
	if err := diags.Err(); err != nil {
		return nil, err
	}
	set := cfg.Dashboards
	if set.Publish == "off" {
		return nil, nil
	}
	uses, err := claimUses(o.ClaimUses, site)
	if err != nil {
		return nil, err
	}
	ds, err := dashboard.Build(site, dashboard.Options{K: set.K, Src: o.Source, Uses: uses})
	if err != nil {
		return nil, err
	}
	if set.Publish == "site" {
		return nil, r.DashboardFiles(site, ds, docs)
	}
	// The folder mirrors the site: dashboards/…, en/dashboards/….
	dir := filepath.Join(o.Source, filepath.FromSlash(set.Folder))
	real, err := safepath.Real(dir)
	if err != nil {
		return nil, err
	}
	dest, err := safepath.Real(o.Destination)
	if err != nil {
		return nil, err
	}
	if safepath.Within(real, dest) || safepath.Within(dest, real) {
		return nil, fmt.Errorf("dashboards.folder %s overlaps the output folder %s; private dashboards are never written into the site: choose another folder, such as reports", set.Folder, o.Destination)
	}
	p := &privateDashboards{dir: dir, files: publish.Files{}}
	return p, r.DashboardFiles(site, ds, p.files)
}

// claimUses reads the claim store's uses of every space's awards, or nil
// without a store.
func claimUses(st AwardUses, site *model.Site) (map[string]map[string]dashboard.Use, error) {
	if st == nil {
		return nil, nil
	}
	out := map[string]map[string]dashboard.Use{}
	for _, sp := range site.Spaces {
		us, err := st.AwardUses(context.Background(), sp.Slug)
		if err != nil {
			return nil, fmt.Errorf("claim store: reading the uses of %s's awards for the dashboards: %w", sp.Slug, err)
		}
		m := make(map[string]dashboard.Use, len(us))
		for id, u := range us {
			m[id] = dashboard.Use{Claimed: !u.Claimed.IsZero(), Wallet: !u.Wallet.IsZero(), Passport: u.OnPassport}
		}
		out[sp.Slug] = m
	}
	return out, nil
}

// writePrivateDashboards writes private dashboards, each file replaced
// atomically.
func writePrivateDashboards(p *privateDashboards) error {
	if p == nil {
		return nil
	}
	names := make([]string, 0, len(p.files))
	for n := range p.files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := publish.WriteAtomic(filepath.Join(p.dir, filepath.FromSlash(n)), p.files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}
