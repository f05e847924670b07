//go:build !linux

package publish

import "errors"

// renameNew needs renameat2(2), a Linux call; elsewhere the caller compares
// first, then renames.
func renameNew(tmp, name string) error { return errors.ErrUnsupported }
