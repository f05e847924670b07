//go:build !linux

package publish

import (
	"errors"
	"io/fs"
	"os"
)

// writeTemp writes data to a new file in dir, of mode perm, and returns its
// name.
func writeTemp(dir string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".blason-*.tmp")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(perm)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", werr
	}
	return f.Name(), nil
}

// createNew needs unnamed files (O_TMPFILE), a Linux feature; elsewhere
// new files go through a temporary file and a rename.
func createNew(name string, data []byte, perm fs.FileMode) error { return errors.ErrUnsupported }

// renameNew needs renameat2(2), a Linux call; elsewhere the caller compares
// first, then renames.
func renameNew(tmp, name string) error { return errors.ErrUnsupported }
