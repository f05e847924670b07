package publish

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// fill writes data to the new file fd (named name in errors) and gives it
// mode perm exactly, whatever the umask.
func fill(fd int, name string, data []byte, perm fs.FileMode) error {
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
	if umask()&uint32(perm.Perm()) != 0 {
		if err := unix.Fchmod(fd, uint32(perm.Perm())); err != nil {
			return &fs.PathError{Op: "chmod", Path: name, Err: err}
		}
	}
	return nil
}

// umask is the process's file mode creation mask, read once from
// /proc/self/status (reading it with umask(2) would change it); all bits
// when unknown, so that modes are then always set explicitly.
var umask = sync.OnceValue(func() uint32 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0o777
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
				return uint32(m)
			}
		}
	}
	return 0o777
})

// createNew writes data to name, which must not exist yet, so that the
// file appears whole or not at all: the bytes go to an unnamed file
// (O_TMPFILE) in name's folder, linked to name once complete. It returns
// an error matching fs.ErrExist when name exists, and
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
	if err := fill(fd, name, data, perm); err != nil {
		return err
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EEXIST):
		return &fs.PathError{Op: "create", Path: name, Err: fs.ErrExist}
	case errors.Is(err, unix.ENOENT):
		return errors.ErrUnsupported // no /proc to name the unnamed file by
	}
	return &fs.PathError{Op: "link", Path: name, Err: err}
}
