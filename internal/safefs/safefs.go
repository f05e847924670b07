// Package safefs is the one way Blason reads its source files (content/,
// blason.yaml, layouts/, static/, i18n/, themes/): it never follows a
// symbolic link and reads nothing but regular files and folders.
//
// The rule is the same for every kind of file. A symbolic link — the file
// itself or any folder on the way from the source folder down to it — is
// refused, and so are devices, FIFOs and sockets. A link in the source could
// otherwise publish, or print in an error message, a file from outside the
// site: a space's private key, another space's secret, /etc/passwd. Only
// the root given by the caller (the source folder, chosen on the command
// line) may itself be reached through links.
//
// Files are opened with O_NOFOLLOW (and O_NONBLOCK, so that a FIFO swapped in
// cannot block a build) where the system has it, and the opened file is
// checked to be the one whose path was checked.
package safefs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Why a link is refused, for messages.
const why = "a link could publish or reveal a file from outside the site"

// Error is a file or folder refused because of what it is.
type Error struct {
	Path string // the refused file or folder, as named to the user
	Link bool   // a symbolic link; otherwise a special file (device, FIFO, socket)
}

func (e *Error) Error() string { return e.Path + ": " + e.Problem() + "; " + e.Hint() }

// Problem says what is wrong, without the path.
func (e *Error) Problem() string {
	if e.Link {
		return "is a symbolic link"
	}
	return "is not a regular file or folder (a device, FIFO or socket)"
}

// Hint says how to fix it.
func (e *Error) Hint() string {
	if e.Link {
		return "copy the file instead (" + why + ")"
	}
	return "replace it with a regular file"
}

// IsRefused reports whether err is (or wraps) an *Error.
func IsRefused(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// relative returns name relative to root, slash-separated. name is a path
// under root (root joined with more, as callers build paths), or, when
// root is absolute and name is not, a path relative to root.
func relative(root, name string) (string, error) {
	r := name
	if filepath.IsAbs(name) == filepath.IsAbs(root) {
		var err error
		if r, err = filepath.Rel(root, name); err != nil {
			return "", err
		}
	}
	r = filepath.ToSlash(filepath.Clean(r))
	if r != "." && !fs.ValidPath(r) {
		return "", &fs.PathError{Op: "open", Path: name, Err: errors.New("not inside " + root)}
	}
	return r, nil
}

// display names rel (under root) for the user: prefix/rel.
func display(prefix, rel string) string {
	if prefix == "" || prefix == "." {
		return rel
	}
	if rel == "." {
		return prefix
	}
	return prefix + "/" + rel
}

// lstat checks every folder from root down to rel and rel itself: none may
// be a symbolic link, every folder on the way must be a folder, and rel
// must be a regular file or a folder. prefix names root in messages.
func lstat(root, prefix, rel string) (fs.FileInfo, error) {
	if rel == "." {
		fi, err := os.Stat(root) // the root itself may be reached through links
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			return nil, &fs.PathError{Op: "open", Path: display(prefix, rel), Err: errors.New("not a folder")}
		}
		return fi, nil
	}
	cur := root
	var fi fs.FileInfo
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		var err error
		fi, err = os.Lstat(cur)
		if err != nil {
			if pe, ok := err.(*fs.PathError); ok {
				pe.Path = display(prefix, strings.Join(parts[:i+1], "/"))
			}
			return nil, err
		}
		name := display(prefix, strings.Join(parts[:i+1], "/"))
		switch m := fi.Mode(); {
		case m&fs.ModeSymlink != 0:
			return nil, &Error{Path: name, Link: true}
		case m.IsDir():
		case i < len(parts)-1:
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist} // a file where a folder was expected
		case !m.IsRegular():
			return nil, &Error{Path: name}
		}
	}
	return fi, nil
}

// Lstat returns the information of name, a path under root, after checking
// that neither it nor any folder between root and it is a symbolic link
// and that it is a regular file or a folder. Messages name the file
// relative to root.
func Lstat(root, name string) (fs.FileInfo, error) {
	rel, err := relative(root, name)
	if err != nil {
		return nil, err
	}
	return lstat(root, "", rel)
}

// Open opens name, a regular file under root, under the rules of Lstat.
func Open(root, name string) (*os.File, error) {
	rel, err := relative(root, name)
	if err != nil {
		return nil, err
	}
	return open(root, "", rel)
}

func open(root, prefix, rel string) (*os.File, error) {
	fi, err := lstat(root, prefix, rel)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: display(prefix, rel), Err: errors.New("is a folder")}
	}
	f, err := os.OpenFile(filepath.Join(root, filepath.FromSlash(rel)), os.O_RDONLY|openFlags, 0)
	if err != nil {
		if isLoop(err) { // O_NOFOLLOW met a link put there since
			return nil, &Error{Path: display(prefix, rel), Link: true}
		}
		return nil, err
	}
	got, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !os.SameFile(fi, got) || !got.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: display(prefix, rel), Err: errors.New("changed while being read; build again")}
	}
	return f, nil
}

// ReadFile reads name, a regular file under root, under the rules of Lstat.
func ReadFile(root, name string) ([]byte, error) {
	f, err := Open(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// ReadDir lists name, a folder under root (or root itself, "."), under the
// rules of Lstat, sorted by name. The entries are as found: a symbolic link
// among them is refused when it is opened, or by the caller.
func ReadDir(root, name string) ([]fs.DirEntry, error) {
	rel, err := relative(root, name)
	if err != nil {
		return nil, err
	}
	return readDir(root, "", rel)
}

func readDir(root, prefix, rel string) ([]fs.DirEntry, error) {
	fi, err := lstat(root, prefix, rel)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: display(prefix, rel), Err: errors.New("not a folder")}
	}
	es, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	return es, nil
}

// Exists reports whether name exists under root without being refused:
// false when it is missing; an error when it is there but refused (a
// link, a special file, a link on the way) or cannot be checked.
func Exists(root, name string) (bool, error) {
	_, err := Lstat(root, name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// CheckTree refuses a symbolic link or a special file anywhere in the
// folder name under root (name itself included); a missing folder is
// fine. It is meant for small trees (templates, static files of a theme).
func CheckTree(root, name string) error {
	rel, err := relative(root, name)
	if err != nil {
		return err
	}
	return checkTree(root, "", rel)
}

func checkTree(root, prefix, rel string) error {
	fi, err := lstat(root, prefix, rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || !fi.IsDir() {
		return err
	}
	es, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	for _, e := range es {
		p := path.Join(rel, e.Name())
		switch t := e.Type(); {
		case t&fs.ModeSymlink != 0:
			return &Error{Path: display(prefix, p), Link: true}
		case t.IsDir():
			if err := checkTree(root, prefix, p); err != nil {
				return err
			}
		case !t.IsRegular():
			return &Error{Path: display(prefix, p)}
		}
	}
	return nil
}

// Dir returns a read-only file system of the folder root under the rules
// of this package; prefix names root in messages (e.g. "themes/dark",
// "content/universite"). Its files answer Stat and ReadDir as found, and
// Open refuses links and special files. A missing name is fs.ErrNotExist,
// so that layered lookups (themes.Layers) go on to the next layer, while
// a refused one stops them.
func Dir(root, prefix string) fs.FS { return dirFS{root: root, prefix: prefix} }

type dirFS struct{ root, prefix string }

func (d dirFS) check(op, name string) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return nil
}

func (d dirFS) Open(name string) (fs.File, error) {
	if err := d.check("open", name); err != nil {
		return nil, err
	}
	fi, err := lstat(d.root, d.prefix, name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		f, err := os.Open(filepath.Join(d.root, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return open(d.root, d.prefix, name)
}

func (d dirFS) ReadFile(name string) ([]byte, error) {
	if err := d.check("read", name); err != nil {
		return nil, err
	}
	f, err := open(d.root, d.prefix, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := d.check("readdir", name); err != nil {
		return nil, err
	}
	es, err := readDir(d.root, d.prefix, name)
	if err != nil {
		return nil, err
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Name() < es[j].Name() })
	return es, nil
}

func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	if err := d.check("stat", name); err != nil {
		return nil, err
	}
	return lstat(d.root, d.prefix, name)
}
