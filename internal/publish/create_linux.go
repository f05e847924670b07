package publish

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// createNew writes data to name, which must not exist yet, so that the
// file appears whole or not at all: the bytes go to an unnamed file
// (O_TMPFILE) in name's folder, which is linked to name once complete. A
// killed build leaves nothing behind, and there is no rename between
// folders. It returns an error matching fs.ErrExist when name exists, and
// errors.ErrUnsupported when the file system has no unnamed files.
func createNew(name string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(name)
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			return errors.ErrUnsupported
		}
		return &fs.PathError{Op: "create", Path: name, Err: err}
	}
	defer unix.Close(fd)
	for b := data; len(b) > 0; {
		n, err := unix.Write(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "write", Path: name, Err: err}
		}
		b = b[n:]
	}
	// The mode is exact whatever the umask.
	if err := unix.Fchmod(fd, uint32(perm.Perm())); err != nil {
		return &fs.PathError{Op: "chmod", Path: name, Err: err}
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EEXIST):
		return &fs.PathError{Op: "create", Path: name, Err: fs.ErrExist}
	case errors.Is(err, unix.ENOENT) && !exists(dir):
		return &fs.PathError{Op: "create", Path: name, Err: err}
	case errors.Is(err, unix.ENOENT):
		return errors.ErrUnsupported // no /proc to name the unnamed file by
	}
	return &fs.PathError{Op: "link", Path: name, Err: err}
}

func exists(dir string) bool {
	var st unix.Stat_t
	return unix.Stat(dir, &st) == nil
}
