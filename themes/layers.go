package themes

import (
	"errors"
	"io"
	"io/fs"
	"sort"
)

// Layers returns a read-only file system that looks a name up in each
// layer in turn and serves the first that has it: the Hugo-style lookup of
// templates, static files and strings, from the most specific layer (a
// space, then the site) to the least (the named theme, then the embedded
// default). Nil layers are skipped. A folder lists the union of its
// entries in every layer, each name once, from the layer that wins.
func Layers(layers ...fs.FS) fs.FS {
	var ls layered
	for _, l := range layers {
		if l != nil {
			ls = append(ls, l)
		}
	}
	return ls
}

type layered []fs.FS

func (ls layered) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	for _, l := range ls {
		f, err := l.Open(name)
		if err == nil {
			if fi, err := f.Stat(); err == nil && fi.IsDir() {
				es, err := ls.ReadDir(name)
				if err != nil {
					f.Close()
					return nil, err
				}
				return &dir{File: f, entries: es}, nil
			}
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// dir is a folder opened through the layers: its listing is the merged one.
type dir struct {
	fs.File
	entries []fs.DirEntry
	off     int
}

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}

// ReadDir merges the folder's entries over every layer; a name that is a
// file in one layer and a folder in another takes the upper layer's kind.
func (ls layered) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]bool{}
	var out []fs.DirEntry
	found := false
	for _, l := range ls {
		es, err := fs.ReadDir(l, name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		found = true
		for _, e := range es {
			if !seen[e.Name()] {
				seen[e.Name()] = true
				out = append(out, e)
			}
		}
	}
	if !found {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Has reports whether fsys holds a regular file (or a link, refused later)
// at name.
func Has(fsys fs.FS, name string) bool {
	if fsys == nil {
		return false
	}
	fi, err := fs.Stat(fsys, name)
	return err == nil && !fi.IsDir()
}

// Each returns the layers of fsys from the most specific to the least, or
// fsys alone when it is not a stack made by Layers.
func Each(fsys fs.FS) []fs.FS {
	if ls, ok := fsys.(layered); ok {
		return ls
	}
	return []fs.FS{fsys}
}
