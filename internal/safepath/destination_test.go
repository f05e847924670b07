package safepath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDestination(t *testing.T) {
	base := t.TempDir()
	home := filepath.Join(base, "home", "alice")
	src := filepath.Join(home, "badges")
	site := filepath.Join(src, "site")
	os.MkdirAll(site, 0o755)
	t.Setenv("HOME", home)
	t.Chdir(src)
	linkToRoot := filepath.Join(base, "to-root")
	linkToSite := filepath.Join(base, "to-site")
	links := os.Symlink("/", linkToRoot) == nil && os.Symlink(site, linkToSite) == nil
	for _, c := range []struct {
		dir, want string // want: a part of the message, "" when accepted
		link      bool
	}{
		{"/", "root of the file system", false},
		{"//", "root of the file system", false},
		{"/..", "root of the file system", false},
		{"/./", "root of the file system", false},
		{"/etc", "system folder /etc", false},
		{"/etc/nginx/site", "system folder /etc", false},
		{"/usr/bin", "system folder /usr/bin", false},
		{"/proc/1", "system folder /proc", false},
		{"/usr", "shared system folder", false},
		{"/var", "shared system folder", false},
		{"/srv", "shared system folder", false},
		{"/tmp", "shared system folder", false},
		{"/dev/shm", "shared system folder", false},
		{"/dev/shm/bench/site", "", false},
		{"/dev/null", "system folder /dev", false},
		{"/var/www/badges", "", false},
		{"/var/lib", "shared system folder", false},
		{"/var/lib/blason/site", "", false}, // a service's state folder
		{"/var/log/site", "system folder /var/log", false},
		{"/srv/www", "", false},
		{home, "home folder", false},
		{filepath.Dir(home), "home folder", false},
		{src, "contains the source folder", false},
		{".", "contains the source folder", false},
		{"..", "home folder", false}, // the source is right in the home folder,
		{"site/..", "contains the source folder", false},
		{"site", "", false},
		{site, "", false},
		{"out/new", "", false},
		{filepath.Join(home, "public"), "", false},
		{linkToRoot, "is a symbolic link", true},
		{linkToSite, "is a symbolic link", true},
		{filepath.Join(linkToRoot, "etc"), "system folder /etc", true},
		{filepath.Join(linkToRoot, "srv", "www"), "", true},
	} {
		if c.link && !links {
			continue
		}
		err := Destination("output folder", c.dir, src)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.dir, err)
		case c.want != "" && err == nil:
			t.Errorf("%s: accepted, want %q", c.dir, c.want)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %v, want %q", c.dir, err, c.want)
		}
	}
}
