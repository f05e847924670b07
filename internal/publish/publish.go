// Package publish writes a generated site to its output folder without ever
// wiping it: a file is written only when its bytes change, through a
// temporary file and a rename, so readers (and a build killed at any
// moment) only ever see whole files, old or new. A manifest kept outside
// the output folder records what a build published — single files, and
// groups of files issued together (an award's credentials) with the action
// key they were made from — so that the next build can skip unchanged
// groups and remove files no longer produced. Before touching the folder,
// a build journals the union of the old and new manifests, so that a build
// killed halfway is completed and cleaned up by the next one.
package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Files is a set of generated files: output path (slash-separated,
// relative) → bytes.
type Files map[string][]byte

// Stats summarise a publication.
type Stats struct {
	Files     int // files in the site
	Written   int // files created or changed
	Unchanged int // files produced again, identical
	Removed   int // orphans removed
}

// Group is a set of files issued together from one action key.
type Group struct {
	Space string
	Flags string // which outputs the group has, one letter per file, as understood by PathsOf
	Key   string // action key; empty while the group is being (re)issued
}

// Manifest is what a build published in a folder.
type Manifest struct {
	Files  map[string]bool
	Groups map[string]Group // by group id
	// Dirs records the modification time of the folders holding groups, as
	// the build left them: a folder whose time has not changed since has
	// lost no file, so its groups need no check that their files exist.
	Dirs map[string]int64

	// What the file it was read from holds: its lines, and whether it may be
	// appended to (it was read whole, with no journal merged in).
	lines      int
	appendable bool
}

// NewManifest returns an empty manifest.
func NewManifest() *Manifest {
	return &Manifest{Files: map[string]bool{}, Groups: map[string]Group{}, Dirs: map[string]int64{}}
}

// Target is an output folder and the manifest recording what was published there.
type Target struct {
	Dir      string // output folder
	Manifest string // manifest file, outside Dir
	// PathsOf lists the files of a group. Needed when groups are used.
	PathsOf func(id string, g Group) []string
	// DirsOf lists the folders of a group's files (path.Dir of each); when
	// nil, they are derived from PathsOf. A fast DirsOf matters for sites
	// of a million groups.
	DirsOf func(id string, g Group) []string
}

func (t Target) dirsOf(id string, g Group) []string {
	if t.DirsOf != nil {
		return t.DirsOf(id, g)
	}
	var out []string
	for _, p := range t.PathsOf(id, g) {
		out = append(out, path.Dir(p))
	}
	return out
}

const manifestMagic = "blason-manifest 1"

func (t Target) journal() string { return t.Manifest + ".journal" }

// ReadManifest reads the target's manifest; a missing one is empty. When a
// build was killed, the journal it left is merged in: its groups count as
// unfinished, its files as possibly present.
func (t Target) ReadManifest() (*Manifest, error) {
	m := NewManifest()
	if err := readManifestFile(t.Manifest, m, false); err != nil {
		return nil, err
	}
	if _, err := os.Stat(t.journal()); err == nil {
		if err := readManifestFile(t.journal(), m, true); err != nil {
			return nil, err
		}
		m.Dirs = map[string]int64{} // nothing can be trusted about the folders
		m.appendable = false
	}
	return m, nil
}

func readManifestFile(name string, m *Manifest, journal bool) error {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	text := string(b)
	// Lines are appended by later builds; a last line without its newline
	// was cut short by a killed build, whose journal covers what it said.
	whole := strings.HasSuffix(text, "\n")
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i+1]
	} else {
		text = ""
	}
	n := 0
	for len(text) > 0 {
		i := strings.IndexByte(text, '\n')
		line := text[:i]
		text = text[i+1:]
		n++
		switch {
		case n == 1:
			if line != manifestMagic {
				return fmt.Errorf("%s: not a build manifest (delete it: the next build then rewrites every file)", name)
			}
		case strings.HasPrefix(line, "f "):
			m.Files[line[2:]] = true
		case strings.HasPrefix(line, "x ") && !journal:
			delete(m.Files, line[2:])
		case strings.HasPrefix(line, "g "):
			f := strings.Split(line[2:], " ")
			if len(f) != 4 {
				return fmt.Errorf("%s:%d: bad group line (delete the manifest to rebuild everything)", name, n)
			}
			g := Group{Space: f[1], Flags: f[2], Key: f[3]}
			if g.Key == "-" { // what groupLine writes for no key
				g.Key = ""
			}
			if journal {
				if old, ok := m.Groups[f[0]]; ok {
					g.Flags = mergeFlags(old.Flags, g.Flags)
				}
				g.Key = ""
			}
			m.Groups[f[0]] = g
		case strings.HasPrefix(line, "d "):
			f := strings.Split(line[2:], " ")
			var ns int64
			var err error
			if len(f) == 2 {
				ns, err = strconv.ParseInt(f[1], 10, 64)
			}
			if len(f) != 2 || err != nil {
				return fmt.Errorf("%s:%d: bad folder line (delete the manifest to rebuild everything)", name, n)
			}
			m.Dirs[f[0]] = ns
		default:
			return fmt.Errorf("%s:%d: unreadable line (delete the manifest to rebuild everything)", name, n)
		}
	}
	if !journal {
		m.lines, m.appendable = n, whole && n > 0
	}
	return nil
}

func (t Target) writeManifest(m *Manifest) error {
	var b bytes.Buffer
	b.WriteString(manifestMagic + "\n")
	files := make([]string, 0, len(m.Files))
	for p := range m.Files {
		files = append(files, p)
	}
	sort.Strings(files)
	for _, p := range files {
		b.WriteString("f " + p + "\n")
	}
	ids := make([]string, 0, len(m.Groups))
	for id := range m.Groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		groupLine(&b, id, m.Groups[id])
	}
	dirs := make([]string, 0, len(m.Dirs))
	for d := range m.Dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		fmt.Fprintf(&b, "d %s %d\n", d, m.Dirs[d])
	}
	return WriteAtomic(t.Manifest, b.Bytes(), 0o600)
}

func groupLine(b *bytes.Buffer, id string, g Group) {
	key := g.Key
	if key == "" {
		key = "-"
	}
	b.WriteString("g ")
	b.WriteString(id)
	b.WriteByte(' ')
	b.WriteString(g.Space)
	b.WriteByte(' ')
	b.WriteString(g.Flags)
	b.WriteByte(' ')
	b.WriteString(key)
	b.WriteByte('\n')
}

// saveManifest records next, which follows prev: by appending what changed
// or came to the file prev was read from, when nothing is gone and the file
// stays short; else by writing the whole manifest anew (which also drops
// the lines later ones overrode). differ lists the groups of next that are
// new or changed; groupsGone tells whether some of prev are gone.
func (t Target) saveManifest(prev, next *Manifest, differ []string, groupsGone bool) error {
	if !prev.appendable || groupsGone {
		return t.writeManifest(next)
	}
	var b bytes.Buffer
	lines := 0
	for _, id := range differ {
		groupLine(&b, id, next.Groups[id])
		lines++
	}
	for p := range next.Files {
		if !prev.Files[p] {
			b.WriteString("f " + p + "\n")
			lines++
		}
	}
	// A file gone (a withdrawn passport's page, a transparency log's
	// partial tile superseded) is marked gone: the whole file is rewritten
	// only when such lines make it twice as long as what it says.
	for p := range prev.Files {
		if !next.Files[p] {
			b.WriteString("x " + p + "\n")
			lines++
		}
	}
	for d, ns := range next.Dirs {
		if old, ok := prev.Dirs[d]; !ok || old != ns {
			fmt.Fprintf(&b, "d %s %d\n", d, ns)
			lines++
		}
	}
	for d := range prev.Dirs {
		if _, ok := next.Dirs[d]; !ok {
			return t.writeManifest(next)
		}
	}
	live := 1 + len(next.Files) + len(next.Groups) + len(next.Dirs)
	if prev.lines+lines > 2*live+64 {
		return t.writeManifest(next)
	}
	// One write, at the end of a file that ends with a whole line: a build
	// killed meanwhile leaves at most a cut last line, which readers skip
	// (its journal, still there, covers it).
	f, err := os.OpenFile(t.Manifest, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, werr := f.Write(b.Bytes())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

// GroupIntact returns a test of whether every folder of a group has kept
// every file of the previous build (see Intact).
func (t Target) GroupIntact(prev *Manifest) func(id string, g Group) bool {
	intact := t.Intact(prev)
	return func(id string, g Group) bool {
		for _, d := range t.dirsOf(id, g) {
			if !intact(d) {
				return false
			}
		}
		return true
	}
}

// Intact returns a test of whether a folder (slash path relative to the
// output folder) has kept every file of the previous build: its
// modification time is the one that build recorded.
func (t Target) Intact(prev *Manifest) func(dir string) bool {
	var mu sync.Mutex
	memo := map[string]bool{}
	return func(dir string) bool {
		mu.Lock()
		defer mu.Unlock()
		if ok, seen := memo[dir]; seen {
			return ok
		}
		want, recorded := prev.Dirs[dir]
		fi, err := os.Stat(filepath.Join(t.Dir, filepath.FromSlash(dir)))
		ok := recorded && err == nil && fi.ModTime().UnixNano() == want
		memo[dir] = ok
		return ok
	}
}

// Session is one build's publication into a target.
type Session struct {
	t             Target
	prev, next    *Manifest
	written, same atomic.Int64
	mkdirMu       sync.Mutex
	made          map[string]bool
	real          map[string]bool // folders checked by realDir
	tmp           string          // folder for files being written, beside the output folder
	noUnnamed     atomic.Bool     // the file system has no unnamed files (see createNew)
}

// tmpDir is where files are written before being renamed into place: a
// sibling of the output folder (same file system, so renames are atomic),
// never inside it, so a killed build leaves no stray file in the site.
func (t Target) tmpDir() string { return t.TmpDir() }

// TmpDir is the folder where files are written before being renamed into
// place (see tmpDir): a build's own, to leave out of anything that lists
// the source folder.
func (t Target) TmpDir() string {
	d := filepath.Clean(t.Dir)
	return filepath.Join(filepath.Dir(d), "."+filepath.Base(d)+".blason-tmp")
}

// Begin starts publishing next over prev. It first journals what may
// change — the groups about to be issued and the new files — so that a
// build killed from here on is completed and cleaned up by the next one.
// issuing names the groups about to be issued when the caller knows them
// (it must include every group whose key changed or is new); when nil,
// Begin finds those itself.
func (t Target) Begin(prev, next *Manifest, issuing map[string]bool) (*Session, error) {
	for p := range next.Files {
		if err := checkPath(p); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return nil, err
	}
	journal := NewManifest()
	for p := range next.Files {
		if !prev.Files[p] {
			journal.Files[p] = true
		}
	}
	if issuing != nil {
		for id := range issuing {
			if g, ok := next.Groups[id]; ok {
				journal.Groups[id] = g
			}
		}
	} else {
		for id, g := range next.Groups {
			if old, ok := prev.Groups[id]; ok && old == g {
				continue
			}
			journal.Groups[id] = g
		}
	}
	if len(journal.Files) > 0 || len(journal.Groups) > 0 {
		if err := (Target{Manifest: t.journal()}).writeManifest(journal); err != nil {
			return nil, err
		}
	}
	tmp := t.tmpDir()
	if err := os.RemoveAll(tmp); err != nil { // what a killed build left
		return nil, err
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	return &Session{t: t, prev: prev, next: next, made: map[string]bool{}, real: map[string]bool{}, tmp: tmp}, nil
}

func mergeFlags(a, b string) string {
	out := []byte(a)
	for i := 0; i < len(b); i++ {
		if !strings.ContainsRune(string(out), rune(b[i])) {
			out = append(out, b[i])
		}
	}
	return string(out)
}

// Put writes one file if its bytes differ from what the folder holds. It
// may be called from several goroutines.
func (s *Session) Put(p string, data []byte) error {
	if err := checkPath(p); err != nil {
		return err
	}
	full := filepath.Join(s.t.Dir, filepath.FromSlash(p))
	dir := filepath.Dir(full)
	s.mkdirMu.Lock()
	if !s.made[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			s.mkdirMu.Unlock()
			return err
		}
		if err := s.realDir(dir); err != nil {
			s.mkdirMu.Unlock()
			return err
		}
		s.made[dir] = true
	}
	s.mkdirMu.Unlock()
	// Documents the last build published are most likely unchanged: compare
	// first. Anything else (awards being issued) is most likely new: create
	// it whole where it belongs, and compare only when something is there.
	if !s.prev.Files[p] && !s.noUnnamed.Load() {
		switch err := createNew(full, data, 0o644); {
		case err == nil:
			s.written.Add(1)
			return nil
		case errors.Is(err, errors.ErrUnsupported):
			s.noUnnamed.Store(true)
		case !errors.Is(err, fs.ErrExist):
			return err
		}
	}
	if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, data) {
		s.same.Add(1)
		return nil
	}
	if err := writeVia(s.tmp, full, data, 0o644); err != nil {
		return err
	}
	s.written.Add(1)
	return nil
}

// realDir checks that no folder from the output folder down to dir (a
// folder inside it) is a symbolic link, so that no file is written or
// removed elsewhere through a link put in the site. Folders already
// checked are remembered (in made, under mkdirMu, held by the caller).
func (s *Session) realDir(dir string) error {
	root := filepath.Clean(s.t.Dir)
	for d := filepath.Clean(dir); d != root && strings.HasPrefix(d, root+string(filepath.Separator)); d = filepath.Dir(d) {
		if s.made[d] || s.real[d] {
			return nil
		}
		fi, err := os.Lstat(d)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			rel, _ := filepath.Rel(root, d)
			return fmt.Errorf("%s: %s in the output folder is a symbolic link or not a folder; remove it (a build writes and removes files only in folders of its own)", s.t.Dir, filepath.ToSlash(rel))
		}
		s.real[d] = true
	}
	return nil
}

// Finish removes the files of the previous build that this one did not
// produce and records the new manifest.
func (s *Session) Finish() (Stats, error) {
	st := Stats{Written: int(s.written.Load()), Unchanged: int(s.same.Load()), Files: len(s.next.Files)}
	// The folders holding groups (recorded below) are listed meanwhile.
	dirsCh := make(chan map[string]bool, 1)
	go func() {
		dirs := map[string]bool{}
		for id, g := range s.next.Groups {
			for _, d := range s.t.dirsOf(id, g) {
				dirs[d] = true
			}
		}
		dirsCh <- dirs
	}()
	var gone []string
	for p := range s.prev.Files {
		if !s.next.Files[p] {
			gone = append(gone, p)
		}
	}
	changed := len(gone) > 0 || len(s.next.Files) != len(s.prev.Files)
	// One pass over the groups: those new or changed, and how many are new.
	var differ []string
	added := 0
	for id, g := range s.next.Groups {
		st.Files += len(g.Flags)
		if old, ok := s.prev.Groups[id]; !ok || old != g {
			differ = append(differ, id)
			if !ok {
				added++
			}
		}
	}
	changed = changed || len(differ) > 0
	// Files of groups gone or with fewer outputs go: the previous groups
	// are looked through only when some are gone.
	groupsGone := len(s.prev.Groups) > len(s.next.Groups)-added
	goneFiles := func(id string, old Group) {
		g, ok := s.next.Groups[id]
		if ok && g.Flags == old.Flags {
			return
		}
		var keep map[string]bool
		if ok {
			keep = map[string]bool{}
			for _, p := range s.t.PathsOf(id, g) {
				keep[p] = true
			}
		}
		for _, p := range s.t.PathsOf(id, old) {
			if !keep[p] {
				gone = append(gone, p)
			}
		}
	}
	if groupsGone {
		changed = true
		for id, old := range s.prev.Groups {
			goneFiles(id, old)
		}
	} else {
		for _, id := range differ {
			if old, ok := s.prev.Groups[id]; ok {
				goneFiles(id, old)
			}
		}
	}
	os.RemoveAll(s.tmp)
	sort.Strings(gone)
	for _, p := range gone {
		if checkPath(p) != nil {
			continue
		}
		full := filepath.Join(s.t.Dir, filepath.FromSlash(p))
		s.mkdirMu.Lock()
		err := s.realDir(filepath.Dir(full))
		s.mkdirMu.Unlock()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return st, err
		}
		err = os.Remove(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return st, err
		}
		st.Removed++
		removeEmptyParents(s.t.Dir, filepath.Dir(full))
	}
	// Record the folders holding groups, as this build leaves them.
	dirs := <-dirsCh
	for d := range dirs {
		if fi, err := os.Stat(filepath.Join(s.t.Dir, filepath.FromSlash(d))); err == nil {
			s.next.Dirs[d] = fi.ModTime().UnixNano()
		}
	}
	for d, ns := range s.next.Dirs {
		if s.prev.Dirs[d] != ns {
			changed = true
		}
	}
	if changed || len(s.next.Dirs) != len(s.prev.Dirs) {
		if err := s.t.saveManifest(s.prev, s.next, differ, groupsGone); err != nil {
			return st, err
		}
	}
	if err := os.Remove(s.t.journal()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return st, err
	}
	return st, nil
}

// Publish makes Dir hold exactly files (plus whatever the user put there
// that no build ever published); for sites without groups.
func (t Target) Publish(files Files) (Stats, error) {
	prev, err := t.ReadManifest()
	if err != nil {
		return Stats{}, err
	}
	next := NewManifest()
	paths := make([]string, 0, len(files))
	for p := range files {
		next.Files[p] = true
		paths = append(paths, p)
	}
	if t.PathsOf == nil {
		t.PathsOf = func(string, Group) []string { return nil }
	}
	s, err := t.Begin(prev, next, nil)
	if err != nil {
		return Stats{}, err
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := s.Put(p, files[p]); err != nil {
			return Stats{}, err
		}
	}
	return s.Finish()
}

// checkPath refuses paths that would escape the output folder.
func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("publish: invalid output path %q", p)
	}
	return nil
}

// WriteAtomic writes data to name through a temporary file in the same
// folder and a rename, so readers see the old or the new file, never a part.
func WriteAtomic(name string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return writeVia(filepath.Dir(name), name, data, perm)
}

// writeVia writes data to a temporary file in dir, then renames it to
// name; if dir is on another file system, it writes beside name instead.
func writeVia(dir, name string, data []byte, perm fs.FileMode) error {
	err := writeRename(dir, name, data, perm)
	var le *os.LinkError
	if errors.As(err, &le) && dir != filepath.Dir(name) {
		return writeRename(filepath.Dir(name), name, data, perm)
	}
	return err
}

func writeRename(dir, name string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(dir, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeTemp writes data to a new file in dir, of mode perm, and returns its
// name.
func writeTemp(dir string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".blason-*.tmp")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(perm)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", werr
	}
	return f.Name(), nil
}

func removeEmptyParents(root, dir string) {
	root = filepath.Clean(root)
	for dir = filepath.Clean(dir); dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // fails when not empty
			return
		}
	}
}

// Memory collects files in memory; it is safe for concurrent use.
type Memory struct {
	mu    sync.Mutex
	Files Files
}

// Put records a file.
func (m *Memory) Put(p string, data []byte) error {
	if err := checkPath(p); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Files == nil {
		m.Files = Files{}
	}
	m.Files[p] = data
	return nil
}
