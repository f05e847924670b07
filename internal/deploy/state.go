package deploy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/francebadge/blason/internal/publish"
)

// entry is what the state knows of one object Blason created: the local
// file it was uploaded from (its sha256, size and modification time then)
// and the hash of the headers it was given.
type entry struct {
	sha     string
	size    int64
	mtime   int64 // nanoseconds
	headers string
}

// state is what earlier deploys to one bucket and prefix left there: the
// objects Blason created, by site path. Only these may ever be removed.
type state struct {
	objects map[string]entry
	lines   int  // lines of the file it was read from
	clean   bool // that file ends with a whole line
}

// bloated tells whether the file has grown enough past what it records
// to be worth rewriting.
func (st *state) bloated() bool { return st.lines > 2*len(st.objects)+1000 }

const stateMagic = "blason-deploy 1"

// StatePath is the state file of deploys of the site in source to one
// endpoint, bucket and prefix: under the source's .blason/deploys/, never in
// the site.
func StatePath(source, endpoint, bucket, prefix string) string {
	sum := sha256.Sum256([]byte(strings.TrimRight(endpoint, "/") + "\n" + bucket + "\n" + prefix))
	return filepath.Join(source, ".blason", "deploys", hex.EncodeToString(sum[:8]))
}

// readState reads a state file: its header, then lines
//
//	u SHA256 SIZE MTIME HEADERS PATH   an upload finished
//	r PATH                             a removal finished
//
// appended as the deploys went, the last one about a path winning. A last
// line without its newline was cut short by a killed deploy and is ignored.
func readState(name string) (*state, error) {
	st := &state{objects: map[string]entry{}, clean: true}
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.clean = len(b) == 0 || b[len(b)-1] == '\n'
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		bad := func() error {
			return fmt.Errorf("%s:%d: unreadable deploy state (delete it and run blason deploy --verify, which rebuilds it from the bucket)", name, n)
		}
		switch {
		case n == 1:
			if line != stateMagic {
				return nil, bad()
			}
		case strings.HasPrefix(line, "u "):
			f := strings.SplitN(line[2:], " ", 5)
			if len(f) != 5 {
				return nil, bad()
			}
			size, err1 := strconv.ParseInt(f[1], 10, 64)
			mtime, err2 := strconv.ParseInt(f[2], 10, 64)
			if err1 != nil || err2 != nil {
				return nil, bad()
			}
			st.objects[f[4]] = entry{sha: f[0], size: size, mtime: mtime, headers: f[3]}
		case strings.HasPrefix(line, "r "):
			delete(st.objects, line[2:])
		default:
			return nil, bad()
		}
	}
	st.lines = n
	return st, sc.Err()
}

func uploadLine(p string, e entry) string {
	return fmt.Sprintf("u %s %d %d %s %s\n", e.sha, e.size, e.mtime, e.headers, p)
}

// write replaces the state file with st, compacted.
func (st *state) write(name string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(stateMagic + "\n")
	paths := make([]string, 0, len(st.objects))
	for p := range st.objects {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		b.WriteString(uploadLine(p, st.objects[p]))
	}
	st.lines, st.clean = len(paths)+1, true
	return publish.WriteAtomic(name, b.Bytes(), 0o600)
}

// journal appends to a state file as a deploy goes, so that a deploy
// killed at any point is finished by the next one.
type journal struct {
	mu    sync.Mutex
	f     *os.File
	added int // lines appended
}

func openJournal(name string) (*journal, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		if _, err := f.WriteString(stateMagic + "\n"); err != nil {
			f.Close()
			return nil, err
		}
	}
	return &journal{f: f}, nil
}

func (j *journal) add(line string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err := j.f.WriteString(line)
	j.added++
	return err
}

// sync makes what was recorded durable: at the end of each phase.
func (j *journal) sync() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Sync()
}

func (j *journal) close() error { return j.f.Close() }
