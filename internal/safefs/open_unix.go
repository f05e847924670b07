//go:build unix

package safefs

import (
	"errors"
	"syscall"
)

// openFlags: never follow a link at the last component; never block on a
// FIFO swapped in after the check (regular files ignore O_NONBLOCK).
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
