package fileid

import (
	"io/fs"
	"syscall"
)

// Of returns what tells a file's state without reading it: size,
// modification and change times, inode. The change time cannot be set by
// hand (touch -d, cp -p and rsync -a set only the modification time), so a
// file rewritten in any way gets another identity. known is false when the
// system gives no change time: the file must then be read to be compared.
func Of(fi fs.FileInfo) (id ID, known bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ID{}, false
	}
	return ID{Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Ctime: st.Ctim.Nano(), Ino: st.Ino}, true
}
