// Package sitetest gives black-box page tests one build of the demo site
// per test binary: the demo's sources copied into a temporary folder (keys
// made fresh), built for a loopback origin at a fixed time and served there
// by a plain static file server, as a CDN would serve site/. The page tests
// in this package's own test files (Chromium, axe-core, in-browser
// verification, previews) share it.
package sitetest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// Now is the reference time of the demo build, after every demo award date.
var Now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// Demo is one build of the demo content, served on loopback.
type Demo struct {
	Src    string // sources: blason.yaml, content/, keys/, .blason/
	Dest   string // the built site
	Base   string // the origin it is served at, ending with "/"
	Site   *model.Site
	Result build.Result
	Layout layout.Layout // the site's URL layout (Base and default language)
}

var (
	once  sync.Once
	built *Demo
	err   error
	dir   string
)

// Shared returns the demo build of this test binary, building it on first
// use. Tests must only read it.
func Shared(t testing.TB) *Demo {
	t.Helper()
	once.Do(func() { built, err = buildDemo() })
	if err != nil {
		t.Fatalf("demo build: %v", err)
	}
	return built
}

func buildDemo() (*Demo, error) {
	root, err := demotest.ModuleRoot()
	if err != nil {
		return nil, err
	}
	if dir, err = os.MkdirTemp("", "blason-sitetest-"); err != nil {
		return nil, err
	}
	d := &Demo{Src: filepath.Join(dir, "src"), Dest: filepath.Join(dir, "site")}
	if err := demotest.CopyDemo(root, d.Src); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.Base = "http://" + ln.Addr().String() + "/"
	opts := build.Options{Source: d.Src, Destination: d.Dest, BaseURL: d.Base, Now: Now}
	if d.Result, err = build.Run(opts); err != nil {
		return nil, err
	}
	if d.Site, err = build.Load(opts); err != nil {
		return nil, err
	}
	d.Layout = layout.Layout{Base: d.Base, DefaultLang: d.Site.Languages[0]}
	srv := &http.Server{Handler: http.FileServer(http.Dir(d.Dest)), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) // lives as long as the test binary
	return d, nil
}

// Main runs the tests of a package using Shared and removes the demo's
// folder afterwards: call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	return code
}

// Space returns the demo space slug.
func (d *Demo) Space(slug string) *model.Space {
	for _, sp := range d.Site.Spaces {
		if sp.Slug == slug {
			return sp
		}
	}
	panic(fmt.Sprintf("no demo space %q", slug))
}

// Badge returns the badge class slug of the demo space space.
func (d *Demo) Badge(space, slug string) *model.Badge {
	for _, b := range d.Space(space).Badges {
		if b.Slug == slug {
			return b
		}
	}
	panic(fmt.Sprintf("no demo badge %s/%s", space, slug))
}

// URL is the absolute URL of a site path (relative to the site root).
func (d *Demo) URL(p string) string { return d.Layout.URL(p) }
