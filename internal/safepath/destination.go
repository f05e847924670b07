package safepath

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// systemTrees are folders of the operating system: nothing of a build or a
// report belongs in them or anywhere below them.
var systemTrees = []string{
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys",
	"/usr/bin", "/usr/include", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libexec", "/usr/sbin",
	"/usr/local/bin", "/usr/local/lib", "/usr/local/sbin", "/var/log",
	"/System", "/Library", "/Applications", "/private/etc", "/private/var/db",
}

// sharedFolders are folders that hold other things than one site: they may
// hold an output folder, never be one.
var sharedFolders = []string{
	"/home", "/Users", "/opt", "/srv", "/tmp", "/usr", "/usr/local", "/usr/share", "/var", "/var/lib", "/var/cache", "/var/tmp",
	"/mnt", "/media", "/run", "/dev/shm", "/private", "/private/tmp", "/private/var", "/Volumes", "/nix", "/snap", "/root",
}

// Destination checks that dir, the folder a command writes into (-d of
// build, -o of report), is plausibly one of its own. what names it in
// messages ("output folder", "report folder"). It refuses, after cleaning
// the path and resolving its links:
//   - the root of the file system (/, C:\), however written (//, /.., /./);
//   - a folder given as a symbolic link itself (give the real folder:
//     where a link points may change between builds);
//   - the source folder and any folder holding it (.., the parent of the
//     source), and the home folder and any folder holding it;
//   - the system's own folders and anything below them (/etc, /usr/bin,
//     /dev, /proc, …; /dev/shm, a memory file system, is a shared folder),
//     and the shared top-level folders themselves (/usr, /var, /srv, /home,
//     /tmp, /dev/shm, …; a folder inside them is fine).
//
// Whether a build may write into a folder that is not empty is decided by
// the build (it knows its manifests).
func Destination(what, dir, source string) error {
	suggest := filepath.Join(source, "site")
	if what == "report folder" {
		suggest = filepath.Join(source, "reports")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		target, _ := filepath.EvalSymlinks(abs)
		return fmt.Errorf("%s %s is a symbolic link; give the folder it points to (%s) instead: where a link points may change between builds", what, dir, target)
	}
	dst, err := Real(abs)
	if err != nil {
		return err
	}
	if dst == filepath.Dir(dst) {
		return fmt.Errorf("%s %s is the root of the file system; choose a folder of its own, such as %s", what, dir, suggest)
	}
	if runtime.GOOS != "windows" {
		for _, t := range systemTrees {
			if Within(dst, t) && !Within(dst, "/dev/shm") {
				return fmt.Errorf("%s %s is inside the system folder %s; choose a folder of its own", what, dir, t)
			}
		}
		for _, s := range sharedFolders {
			if dst == s {
				return fmt.Errorf("%s %s is a shared system folder; choose a folder of its own inside it, such as %s", what, dir, filepath.Join(s, "badges"))
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if h, err := Real(home); err == nil && Within(h, dst) {
			return fmt.Errorf("%s %s is your home folder or holds it; choose a folder of its own, such as %s", what, dir, suggest)
		}
	}
	if source != "" {
		src, err := Real(source)
		if err != nil {
			return err
		}
		if Within(src, dst) {
			return fmt.Errorf("%s %s contains the source folder; choose a separate folder such as %s", what, dir, suggest)
		}
	}
	return nil
}
