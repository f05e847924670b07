package notify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// State is what the journal knows of one event.
type State string

// The states of an event, in the order they are written.
const (
	// Begin is written (and synced) before the SMTP transaction starts.
	Begin State = "begin"
	// Sent is written once the server has accepted the message.
	Sent State = "sent"
	// Failed is written when the server refused the message for good
	// (a permanent 5xx reply): it is not retried.
	Failed State = "failed"
	// Retry is written when the server refused the message for now (a
	// temporary 4xx reply) or before it was handed over: the event is due
	// again at the next run.
	Retry State = "retry"
	// Baseline marks an event as already announced by other means
	// (`blason notify --baseline`): it is never sent.
	Baseline State = "baseline"
	// Skipped marks an award revoked before its notice went out: it is
	// never announced, even if the revocation is withdrawn later.
	Skipped State = "skipped"
)

// Record is one line of the journal: an event's new state. It holds no
// address and no name: the event id is the space and the award id.
type Record struct {
	State     State
	Event     string // "<space>/<award id>:issued" or ":revoked"
	MessageID string // the Message-ID header of the message
	Detail    string // the SMTP reply code of a failure
}

// JournalDir is the folder of the journal inside a source folder: never
// under the site folder.
func JournalDir(source string) string { return filepath.Join(source, ".blason", "notify") }

// Journal is the append-only record of `blason notify`, one line per
// state change, each synced to disk before the next step: an event is
// "begin" before its SMTP transaction and "sent" after the server accepted
// it, so that a crash or a second run never sends a message twice without
// saying so, and never skips one.
type Journal struct {
	path   string
	f      *os.File
	unlock func()
	states map[string]Record // event → its last record
}

// OpenJournal reads the journal under dir (made if missing) and holds its
// lock until Close: a second `blason notify` on the same source fails at
// once instead of sending the same messages.
func OpenJournal(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	unlock, err := lockFile(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, err
	}
	j := &Journal{path: filepath.Join(dir, "journal.log"), unlock: unlock, states: map[string]Record{}}
	b, err := os.ReadFile(j.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		unlock()
		return nil, err
	}
	// A last line without its newline was cut short by a crash while it
	// was written: it is ignored, and the file is cut back to the last
	// whole line so that the next record starts on a line of its own.
	if i := bytes.LastIndexByte(b, '\n'); i+1 < len(b) {
		b = b[:i+1]
		if err := os.Truncate(j.path, int64(len(b))); err != nil {
			unlock()
			return nil, err
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 4 {
			unlock()
			return nil, fmt.Errorf("%s:%d: not a journal line (state, event, message id, time): restore the file from a backup, or move it away and run blason notify --baseline", j.path, line)
		}
		j.states[f[1]] = Record{State: State(f[0]), Event: f[1], MessageID: f[2], Detail: strings.Join(f[4:], " ")}
	}
	return j, nil
}

// Get returns the last record of an event.
func (j *Journal) Get(event string) (Record, bool) {
	r, ok := j.states[event]
	return r, ok
}

// Len is the number of events the journal knows.
func (j *Journal) Len() int { return len(j.states) }

// Append writes records and syncs the file before returning: once it
// returns nil, they survive a crash.
func (j *Journal) Append(recs ...Record) error {
	if j.f == nil { // made by the first record: a dry run leaves no journal
		f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("writing the journal %s: %w", j.path, err)
		}
		j.f = f
		// The new file's name must survive a crash too.
		if d, err := os.Open(filepath.Dir(j.path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	var b bytes.Buffer
	now := time.Now().UTC().Format(time.RFC3339)
	for _, r := range recs {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s", r.State, r.Event, r.MessageID, now)
		if r.Detail != "" {
			b.WriteString("\t" + strings.NewReplacer("\t", " ", "\n", " ").Replace(r.Detail))
		}
		b.WriteByte('\n')
	}
	if _, err := j.f.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing the journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("writing the journal %s: %w", j.path, err)
	}
	for _, r := range recs {
		j.states[r.Event] = r
	}
	return nil
}

// Close closes the file and releases the lock.
func (j *Journal) Close() error {
	var err error
	if j.f != nil {
		err = j.f.Close()
	}
	j.unlock()
	return err
}
