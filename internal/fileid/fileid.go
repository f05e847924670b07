// Package fileid tells whether a file changed without reading it: by its
// identity (size, modification and change times, inode), where the system
// gives one that cannot be set back by hand.
package fileid

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

// ID is a file's identity. Two equal IDs of a file, both Known, mean its
// bytes did not change in between.
type ID struct {
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime"`
	Ctime int64  `json:"ctime,omitempty"`
	Ino   uint64 `json:"ino,omitempty"`
}

// Program returns a digest identifying the running program: its file's
// path and identity, and its build information. What a program of another
// version made is told apart by it. It fails when the program cannot find
// its own file (no /proc in a bare chroot).
func Program() ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return nil, err
	}
	id, _ := Of(fi)
	h := sha256.New()
	fmt.Fprintf(h, "%s %s %+v\n", runtime.Version(), exe, id)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "%s\n", bi)
	}
	return h.Sum(nil), nil
}
