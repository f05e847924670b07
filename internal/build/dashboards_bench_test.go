package build

import (
	"path/filepath"
	"testing"

	"github.com/francebadge/blason/internal/dashboard"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/render"
	"github.com/francebadge/blason/internal/synth"
	"github.com/francebadge/blason/themes"
)

// BenchmarkDashboards computes and renders the dashboards of a synthetic
// site of 100,000 awards in 10 spaces (go test ./internal/build -run X
// -bench Dashboards); docs/dashboards.md gives the figures.
func BenchmarkDashboards(b *testing.B) {
	src := filepath.Join(b.TempDir(), "src")
	if _, err := synth.Write(src, synth.Options{Awards: 100000, PerSpace: 10000}); err != nil {
		b.Fatal(err)
	}
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	r, err := render.New(layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}, themes.Default())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		ds, err := dashboard.Build(site, dashboard.Options{Src: src})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.DashboardFiles(site, ds, publish.Files{}); err != nil {
			b.Fatal(err)
		}
	}
}
