// Package fileid tells whether a file changed without reading it: by its
// identity (size, modification and change times, inode), where the system
// gives one that cannot be set back by hand.
package fileid

// ID is a file's identity. Two equal IDs of a file, both Known, mean its
// bytes did not change in between.
type ID struct {
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime"`
	Ctime int64  `json:"ctime,omitempty"`
	Ino   uint64 `json:"ino,omitempty"`
}
