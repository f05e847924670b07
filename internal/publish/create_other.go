//go:build !linux

package publish

import (
	"errors"
	"io/fs"
)

// createNew is only available on Linux (unnamed files); elsewhere files are
// written to a temporary file and renamed into place.
func createNew(name string, data []byte, perm fs.FileMode) error {
	return errors.ErrUnsupported
}
