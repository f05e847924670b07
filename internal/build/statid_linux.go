package build

import (
	"io/fs"
	"syscall"
)

// identify returns what tells a file's state without reading it: size,
// modification and change times, inode. The change time cannot be set by
// hand (touch -d, cp -p and rsync -a set only the modification time), so a
// file rewritten in any way gets another identity.
func identify(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Ctime: st.Ctim.Nano(), Ino: st.Ino}, true
}
