//go:build !linux

package publish

import (
	"errors"
	"io/fs"
)

// createNew needs unnamed files (O_TMPFILE), a Linux feature; elsewhere
// new files go through a temporary file and a rename.
func createNew(name string, data []byte, perm fs.FileMode) error { return errors.ErrUnsupported }
