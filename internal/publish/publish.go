// Package publish writes a generated site to its output folder without ever
// wiping it: a file is written only when its bytes change, through a
// temporary file and a rename, and files published by the previous build
// that are no longer produced are removed, as listed in a manifest kept
// outside the output folder.
package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Files is a generated site: output path (slash-separated, relative) → bytes.
type Files map[string][]byte

// Stats summarise a publication.
type Stats struct {
	Files     int // files in the site
	Written   int // files created or changed
	Unchanged int // files already up to date
	Removed   int // orphans removed
}

// Target is an output folder and the manifest recording what was published there.
type Target struct {
	Dir      string // output folder
	Manifest string // manifest file, outside Dir
}

type manifest struct {
	Files []string `json:"files"`
}

// Publish makes Dir hold exactly files (plus whatever the user put there
// that no build ever published).
func (t Target) Publish(files Files) (Stats, error) {
	st := Stats{Files: len(files)}
	paths := make([]string, 0, len(files))
	for p := range files {
		if err := checkPath(p); err != nil {
			return st, err
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return st, err
	}
	for _, p := range paths {
		changed, err := writeIfChanged(filepath.Join(t.Dir, filepath.FromSlash(p)), files[p])
		if err != nil {
			return st, err
		}
		if changed {
			st.Written++
		} else {
			st.Unchanged++
		}
	}
	prev, err := readManifest(t.Manifest)
	if err != nil {
		return st, err
	}
	for _, p := range prev.Files {
		if _, ok := files[p]; ok || checkPath(p) != nil {
			continue
		}
		full := filepath.Join(t.Dir, filepath.FromSlash(p))
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return st, err
		}
		st.Removed++
		removeEmptyParents(t.Dir, filepath.Dir(full))
	}
	return st, writeManifest(t.Manifest, manifest{Files: paths})
}

// checkPath refuses paths that would escape the output folder.
func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("publish: invalid output path %q", p)
	}
	return nil
}

func writeIfChanged(full string, data []byte) (bool, error) {
	if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	return true, WriteAtomic(full, data, 0o644)
}

// WriteAtomic writes data to name through a temporary file in the same
// folder and a rename, so readers see the old or the new file, never a part.
func WriteAtomic(name string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".blason-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(perm)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, name)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}

func removeEmptyParents(root, dir string) {
	root = filepath.Clean(root)
	for dir = filepath.Clean(dir); dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // fails when not empty
			return
		}
	}
}

func readManifest(name string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: corrupt manifest (delete it; orphans of the previous build will then stay): %w", name, err)
	}
	return m, nil
}

func writeManifest(name string, m manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return WriteAtomic(name, b, 0o600)
}
