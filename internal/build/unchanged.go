package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/fileid"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/safepath"
)

// A build whose inputs are all as the last successful build into the same
// output folder left them, into a folder that still holds what that build
// published, has nothing to do: it reads no content, parses no roster,
// hashes no action key and reads no manifest. What tells it is the stamp,
// written beside the manifest at the end of every successful build:
//
//   - every file and folder of the source folder a build reads (content/,
//     keys/, themes, what builds keep in .blason/: see readByBuilds; not
//     top-level dot folders such as .git, nor the output folder) and the
//     --config or BLASON_CONFIG file, with its identity (package fileid)
//     and the SHA-256 of its content. A file whose identity changed is
//     hashed again: a fresh clone or a touched file is unchanged if its
//     bytes are;
//   - a digest of what else a build reads: the options, the BLASON_*
//     environment, the program itself (its executable file);
//   - the identity of every file of the site that is no award's (pages,
//     documents, the log's tiles) and the modification time of the folders
//     holding awards (a folder whose time is the same has lost no file);
//   - what the build reported (counts and warnings), reported again.
//
// A file of the source that changes while a build runs (anything but what
// builds write: see writtenByBuilds) leaves no stamp, so the next build
// does the whole work. Without change times (anything but Linux) no stamp
// is written. A build removes the
// stamp before it writes anything, so a killed build leaves none.

// stampVersion changes whenever the stamp's meaning does.
const stampVersion = 1

// stampPath is where the stamp of the last build from source into dest is
// kept: beside its manifest.
func stampPath(source, dest string) string {
	return strings.TrimSuffix(manifestPath(source, dest), ".json") + ".stamp"
}

// fileID is what tells a file's state without reading it.
type fileID = fileid.ID

// inputFile is one file of the source folder as a build read it.
type inputFile struct {
	Path  string `json:"path"` // slash path from the source folder; "config:" and an absolute path for --config
	ID    fileID `json:"id"`
	Known bool   `json:"known,omitempty"` // ID is trustworthy (see fileid.Of)
	Sum   []byte `json:"sum"`             // SHA-256 of the content
}

// stamp records a successful build (see the top of this file).
type stamp struct {
	Version  int               `json:"version"`
	Options  []byte            `json:"options"` // optionsDigest
	Now      time.Time         `json:"now"`     // the build's reference time: validation only allows more later
	Inputs   []inputFile       `json:"inputs"`  // sorted by Path
	Site     map[string]fileID `json:"site"`    // files of the site that are no award's (no change time: hard links change it)
	Dirs     map[string]int64  `json:"dirs"`    // folders holding awards: modification times
	Spaces   int               `json:"spaces"`
	Badges   int               `json:"badges"`
	Awards   int               `json:"awards"`
	Revoked  int               `json:"revoked"`
	Files    int               `json:"files"`
	Warnings []string          `json:"warnings,omitempty"`
}

// stampable tells whether a build may be skipped or stamped at all: not one
// that must do the work whatever its inputs (--force, --start-over), nor
// one reading what the source folder does not hold (a claim store's
// passports and counts) or writing what a stamp does not cover (the claim
// index, dated by the build).
func stampable(o Options) bool {
	return !o.Force && len(o.StartOver) == 0 && len(o.Passports) == 0 && o.ClaimUses == nil && o.ClaimIndex == ""
}

// optionsDigest is the digest of what a build reads besides the source
// folder's files.
func optionsDigest(o Options) ([]byte, error) {
	h := sha256.New()
	program, err := fileid.Program()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(h, "blason stamp %d\nprogram %x\n", stampVersion, program)
	abs := func(p string) string {
		if p == "" {
			return ""
		}
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return a
	}
	fmt.Fprintf(h, "dest %q\nbase %q\nconfig %q\nservers %q\nnolog %t\nexisting %t\n",
		abs(o.Destination), o.BaseURL, abs(o.Config), abs(o.Servers), o.NoLog, o.ExistingKeys)
	// The configuration's environment variables (no secret among them:
	// the SMTP password is not configuration).
	for _, e := range config.EnvVars() {
		fmt.Fprintf(h, "env %s=%q\n", e.Name, os.Getenv(e.Name))
	}
	fmt.Fprintf(h, "env %s=%q\n", config.EnvConfig, os.Getenv(config.EnvConfig))
	return h.Sum(nil), nil
}

// snapshot is the identity of every file of the source folder (and of the
// --config file), by inputFile.Path.
type snapshot map[string]inputFile

// errUnstampable stops a snapshot of a folder holding something a stamp
// cannot vouch for (a symbolic link, a special file).
var errUnstampable = errors.New("not a regular file")

// snap lists the source folder's files (see the top of this file for what
// is left out) with their identities, reading none.
func snap(o Options) (snapshot, error) {
	src, err := filepath.Abs(o.Source)
	if err != nil {
		return nil, err
	}
	dest, err := filepath.Abs(o.Destination)
	if err != nil {
		return nil, err
	}
	tmp := publish.Target{Dir: dest}.TmpDir()
	own := strings.TrimPrefix(filepath.ToSlash(manifestPath(".", dest)), "./")
	s := snapshot{}
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == src {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			top := !strings.Contains(rel, "/")
			if p == dest || p == tmp || top && strings.HasPrefix(rel, ".") && rel != ".blason" || !readByBuilds(rel+"/", own) {
				return filepath.SkipDir
			}
			// A folder counts by its existence (an empty space or theme
			// folder changes what a build says).
			s[rel+"/"] = inputFile{Path: rel + "/", Known: true}
			return nil
		}
		if !strings.Contains(rel, "/") && strings.HasPrefix(rel, ".") {
			return nil // top-level dot files (.gitignore, …)
		}
		if !readByBuilds(rel, own) {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: %w", rel, errUnstampable)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		id, known := fileid.Of(fi)
		s[rel] = inputFile{Path: rel, ID: id, Known: known}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cfg := config.WithFile(os.Getenv, o.Config)(config.EnvConfig); cfg != "" {
		c, err := filepath.Abs(cfg) // as the configuration reads it: from the current folder
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(c)
		if err != nil {
			return nil, err
		}
		id, known := fileid.Of(fi)
		s["config:"+c] = inputFile{Path: "config:" + c, ID: id, Known: known}
	}
	return s, nil
}

// readByBuilds tells whether a path of the source folder (a folder's ends
// with "/") is one a build reads, or may: everything but what other
// commands keep under .blason/ (the claim store, the notification and
// deployment journals, other output folders' manifests, the claim index)
// and the roster cache, made from the award lists. own is this output
// folder's manifest.
func readByBuilds(rel, own string) bool {
	after, ok := strings.CutPrefix(rel, ".blason/")
	if !ok || after == "" {
		return true
	}
	switch {
	case after == "manifests/":
		return true
	case strings.HasPrefix(after, "manifests/"):
		return rel == own || rel == own+".journal"
	}
	for _, p := range []string{"published", "tlog/", "servers/"} {
		if after == p || strings.HasPrefix(after, p) {
			return true
		}
	}
	return false
}

// writtenByBuilds tells whether a file of the source folder is one a build
// writes, and so may change while it runs: .blason/'s (its manifest, the
// log's state, the server snippets), the status ledgers, and the private
// dashboards (folder private, "" when there is none). Any other change
// during a build (a key rotated meanwhile, say) leaves no stamp.
func writtenByBuilds(rel, private string) bool {
	if strings.HasPrefix(rel, ".blason/") {
		return true
	}
	if sp, ok := strings.CutPrefix(rel, "keys/"); ok && strings.Count(sp, "/") == 1 && strings.HasSuffix(sp, "/status.ledger") {
		return true
	}
	return private != "" && strings.HasPrefix(rel, private+"/")
}

// sum returns the SHA-256 of the file of an input (nil for a folder).
func (o Options) sum(f inputFile) ([]byte, error) {
	if strings.HasSuffix(f.Path, "/") {
		return nil, nil
	}
	p, ok := strings.CutPrefix(f.Path, "config:")
	if !ok {
		p = filepath.Join(o.Source, filepath.FromSlash(f.Path))
	}
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// readStamp reads the stamp of the last build into o.Destination; nil
// when there is none or it cannot be read.
func readStamp(o Options) *stamp {
	b, err := os.ReadFile(stampPath(o.Source, o.Destination))
	if err != nil {
		return nil
	}
	var st stamp
	if json.Unmarshal(b, &st) != nil || st.Version != stampVersion {
		return nil
	}
	return &st
}

// unchanged tells whether the build o would do nothing, according to the
// stamp st of the last build (see the top of this file). refresh is set
// when some input kept its content but not its identity: the stamp is then
// updated so that it is not hashed again.
func unchanged(o Options, st *stamp) (ok, refresh bool) {
	if st == nil || !stampable(o) || o.Now.Before(st.Now) {
		return false, false
	}
	digest, err := optionsDigest(o)
	if err != nil || !bytes.Equal(digest, st.Options) {
		return false, false
	}
	now, err := snap(o)
	if err != nil || len(now) != len(st.Inputs) {
		return false, false
	}
	for i, f := range st.Inputs {
		g, ok := now[f.Path]
		if !ok {
			return false, false
		}
		if f.Known && g.Known && g.ID == f.ID {
			continue
		}
		s, err := o.sum(g)
		if err != nil || !bytes.Equal(s, f.Sum) {
			return false, false
		}
		st.Inputs[i].ID, st.Inputs[i].Known = g.ID, g.Known
		refresh = true
	}
	for p, want := range st.Site {
		fi, err := os.Lstat(filepath.Join(o.Destination, filepath.FromSlash(p)))
		if err != nil || !fi.Mode().IsRegular() || siteID(fi) != want {
			return false, false
		}
	}
	for d, mtime := range st.Dirs {
		fi, err := os.Stat(filepath.Join(o.Destination, filepath.FromSlash(d)))
		if err != nil || fi.ModTime().UnixNano() != mtime {
			return false, false
		}
	}
	return true, refresh
}

// siteID is the identity of a file of the site: no change time, which a
// hard link to the file changes.
func siteID(fi fs.FileInfo) fileID {
	id, _ := fileid.Of(fi)
	return fileID{Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Ino: id.Ino}
}

// skipped is the result of a build that had nothing to do.
func (st *stamp) result() Result {
	return Result{
		Spaces: st.Spaces, Badges: st.Badges, Awards: st.Awards, Revoked: st.Revoked,
		Warnings: st.Warnings,
		Stats:    publish.Stats{Files: st.Files, Unchanged: st.Files},
	}
}

// stampBuild writes the stamp of a build that succeeded: before is the
// snapshot taken as it started, old the previous stamp (its sums are
// reused for files whose identity is the same), private the folder of the
// private dashboards ("" when there is none), next the manifest published.
// It writes none when an input changed while the build ran, or when the
// private dashboards or the server snippets lie outside the source folder.
func stampBuild(o Options, before snapshot, old *stamp, private string, next *publish.Manifest, res Result) error {
	path := stampPath(o.Source, o.Destination)
	// What the build writes outside the site must lie in the source folder,
	// where the next build's snapshot sees it.
	inSource := func(p string) (string, bool) {
		src, err1 := safepath.Real(o.Source)
		dir, err2 := safepath.Real(p)
		r, err3 := filepath.Rel(src, dir)
		if err1 != nil || err2 != nil || err3 != nil || !safepath.Within(dir, src) {
			return "", false
		}
		return filepath.ToSlash(r), true
	}
	rel := ""
	if private != "" {
		var ok bool
		if rel, ok = inSource(private); !ok {
			return nil
		}
	}
	if o.Servers != "" {
		if _, ok := inSource(o.Servers); !ok {
			return nil
		}
	}
	after, err := snap(o)
	if err != nil {
		return nil // cannot be listed whole: no stamp
	}
	for p, f := range before {
		if g, ok := after[p]; !writtenByBuilds(p, rel) && (!ok || !f.Known || g.ID != f.ID) {
			return nil // changed while the build ran: the next build must read it
		}
	}
	sums := map[string]inputFile{}
	if old != nil {
		for _, f := range old.Inputs {
			sums[f.Path] = f
		}
	}
	st := stamp{Version: stampVersion, Now: o.Now, Site: map[string]fileID{}, Dirs: next.Dirs,
		Spaces: res.Spaces, Badges: res.Badges, Awards: res.Awards, Revoked: res.Revoked, Files: res.Files, Warnings: res.Warnings}
	if st.Options, err = optionsDigest(o); err != nil {
		return nil // the program cannot be identified (no /proc in a bare chroot): no stamp
	}
	for p, f := range after {
		if _, ok := before[p]; !ok && !writtenByBuilds(p, rel) {
			return nil // appeared while the build ran
		}
		if s, ok := sums[p]; ok && s.Known && f.Known && s.ID == f.ID {
			f.Sum = s.Sum
		} else if f.Sum, err = o.sum(f); err != nil {
			return err
		}
		st.Inputs = append(st.Inputs, f)
	}
	slices.SortFunc(st.Inputs, func(a, b inputFile) int { return strings.Compare(a.Path, b.Path) })
	// A file rewritten while it was hashed would pair its old identity
	// with its new bytes: the folder must be as listed before hashing.
	final, err := snap(o)
	if err != nil {
		return nil
	}
	if len(final) != len(after) {
		return nil
	}
	for p, f := range after {
		if g, ok := final[p]; !ok || g.ID != f.ID || g.Known != f.Known {
			return nil
		}
	}
	for p := range next.Files {
		fi, err := os.Lstat(filepath.Join(o.Destination, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		st.Site[p] = siteID(fi)
	}
	return st.write(path)
}

// write saves the stamp, atomically.
func (st *stamp) write(path string) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return publish.WriteAtomic(path, b, 0o600)
}
