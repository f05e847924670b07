package build

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/safepath"
	"github.com/francebadge/blason/internal/serverconf"
)

// ServersPath is the default folder of the server configuration snippets
// in a source folder: beside the build cache, never published (the list of
// revoked awards is for the server, not for the public).
func ServersPath(source string) string {
	return filepath.Join(source, ".blason", "servers")
}

// checkServers refuses a snippets folder inside the output folder, where
// it would be served as content.
func checkServers(servers, dest string) error {
	if servers == "" {
		return nil
	}
	s, err := safepath.Real(servers)
	if err != nil {
		return err
	}
	d, err := safepath.Real(dest)
	if err != nil {
		return err
	}
	if safepath.Within(s, d) {
		return fmt.Errorf("server configuration folder %s is inside the output folder %s, where it would be published; choose a folder outside it", servers, dest)
	}
	return nil
}

// writeServers writes the server configuration snippets when the options
// ask for them: every file, each only when its bytes changed, so that a
// revocation added or lifted reaches them on any build.
func writeServers(o Options, site *model.Site, l layout.Layout) error {
	if o.Servers == "" {
		return nil
	}
	files := serverconf.FromModel(site, l).Files()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		name := filepath.Join(o.Servers, filepath.FromSlash(n))
		if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, files[n]) {
			continue
		}
		if err := publish.WriteAtomic(name, files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}
