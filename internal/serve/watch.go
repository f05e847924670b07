package serve

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchedDirs are the source sub-folders whose whole tree is watched; the
// source folder itself is watched for blason.yaml and for these folders
// appearing.
var watchedDirs = []string{"content", "themes", "layouts", "static", "i18n", "keys"}

// watcher reports changes under a source folder. fsnotify is not recursive:
// every sub-folder is added, and new ones as they appear.
type watcher struct {
	fs     *fsnotify.Watcher
	source string // absolute
	logf   func(format string, args ...any)

	// building is set while a build runs: builds create missing space
	// secrets and keys, and these changes under keys/ call for no rebuild.
	building atomic.Bool
}

func newWatcher(source string, logf func(format string, args ...any)) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{fs: fw, source: source, logf: logf}
	if err := fw.Add(source); err != nil {
		fw.Close()
		return nil, err
	}
	for _, d := range watchedDirs {
		w.addTree(filepath.Join(source, d))
	}
	return w, nil
}

func (w *watcher) close() { w.fs.Close() }

// addTree watches root and every folder below it, skipping hidden folders.
func (w *watcher) addTree(root string) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil // gone already, or a file
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if err := w.fs.Add(p); err != nil {
			w.logf("%s: %v", p, err)
		}
		return nil
	})
}

// relevant returns the slash-separated source-relative path of a change
// that calls for a rebuild.
func (w *watcher) relevant(name string) (string, bool) {
	rel, err := filepath.Rel(w.source, name)
	if err != nil || rel == "." || !filepath.IsLocal(rel) {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	top, _, nested := strings.Cut(rel, "/")
	switch {
	case (top == "blason.yaml" || top == "blason.yml") && !nested:
	case top == "content", top == "themes", top == "layouts", top == "static", top == "i18n", top == "keys":
	default:
		return "", false
	}
	if editorTemp(path.Base(rel)) {
		return "", false
	}
	return rel, true
}

// editorTemp reports the names of editors' and office suites' temporary,
// backup and lock files, and of the desktop's own files: saving a page
// creates and removes them, and they are not content. Vim swap files
// (.name.swp, .swo…, .swx) and its 4913 write test, backups ending in ~,
// Emacs lock (.#name) and auto-save (#name#) files, gedit's
// .goutputstream-*, JetBrains' safe-write copies (*___jb_tmp___,
// *___jb_old___), Kate's .kate-swp, LibreOffice's .~lock.name# and
// Microsoft Office's ~$name, *.tmp, and macOS and Windows folder files
// (.DS_Store, ._*, Thumbs.db, desktop.ini).
func editorTemp(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case name == "4913", name == ".DS_Store", lower == "thumbs.db", lower == "desktop.ini":
	case strings.HasSuffix(name, "~"):
	case strings.HasPrefix(name, ".#"), len(name) > 1 && name[0] == '#' && name[len(name)-1] == '#':
	case vimSwap(name):
	case strings.HasSuffix(lower, ".tmp"), strings.HasSuffix(name, ".kate-swp"):
	case strings.HasPrefix(name, ".goutputstream-"), strings.HasPrefix(name, "._"):
	case strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"):
	case strings.HasPrefix(name, ".~lock.") && strings.HasSuffix(name, "#"), strings.HasPrefix(name, "~$"):
	default:
		return false
	}
	return true
}

// vimSwap reports Vim's swap files: .swp and .swx, and, for a hidden name
// (Vim's own .name.swp pattern), the further .swo … .swa of a file opened
// several times (a site's static/movie.swf is not one of them).
func vimSwap(name string) bool {
	ext := path.Ext(name)
	switch {
	case ext == ".swp", ext == ".swx":
		return true
	case len(ext) == 4 && strings.HasPrefix(ext, ".sw") && ext[3] >= 'a' && ext[3] <= 'o':
		return strings.HasPrefix(name, ".")
	}
	return false
}

// run reads file events until ctx is done and calls flush with the paths
// changed in each batch, once no event arrived for debounce.
func (w *watcher) run(ctx context.Context, debounce time.Duration, flush func([]string)) {
	timer := time.NewTimer(debounce)
	timer.Stop()
	defer timer.Stop()
	changed := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Op&^fsnotify.Chmod == 0 {
				continue // attributes only: touch, indexers, antivirus
			}
			rel, ok := w.relevant(ev.Name)
			if !ok {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					w.addTree(ev.Name)
				}
			}
			if (rel == "keys" || strings.HasPrefix(rel, "keys/")) && w.building.Load() {
				continue
			}
			changed[rel] = true
			timer.Reset(debounce)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.logf("%v", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				changed["(events lost)"] = true // rebuild anyway
				timer.Reset(debounce)
			}
		case <-timer.C:
			paths := make([]string, 0, len(changed))
			for p := range changed {
				paths = append(paths, p)
			}
			clear(changed)
			flush(paths)
		}
	}
}
