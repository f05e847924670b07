//go:build !unix

package publish

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
)

// tryLock, without flock(2): the lock is the file's existence, created
// exclusively and removed on release. A build killed while holding it
// leaves it behind: the message names the file, to be removed by hand once
// no build runs.
func tryLock(name string) (func(), error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, errBusy
	}
	if err != nil {
		return nil, err
	}
	f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	f.Close()
	return func() { os.Remove(name) }, nil
}
