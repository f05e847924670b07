package publish

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrLocked is returned by Lock when another build holds the target past
// the time allowed to wait.
var ErrLocked = errors.New("another build holds the output folder")

// LockError says which build holds a target.
type LockError struct {
	Dir  string // the output folder
	PID  int    // the build holding it, when known
	Wait time.Duration
}

func (e *LockError) Error() string {
	who := "another build"
	if e.PID > 0 {
		who = fmt.Sprintf("another build (pid %d)", e.PID)
	}
	if e.Wait <= 0 {
		return fmt.Sprintf("%s is writing %s; try again when it is done", who, e.Dir)
	}
	return fmt.Sprintf("%s is still writing %s after %s; try again when it is done", who, e.Dir, e.Wait.Round(time.Second))
}

func (e *LockError) Unwrap() error { return ErrLocked }

// lockPoll is how often a waiting build tries the lock again.
const lockPoll = 100 * time.Millisecond

// Lock takes the target's lock, a file beside its manifest (t.Manifest +
// ".lock"), held until release is called: only one build at a time reads
// the manifest, writes the output folder and records what it published,
// so that two builds never mix their files. When another build holds it,
// Lock calls waiting once (with that build's process id, 0 if unknown)
// and tries again until wait has passed; wait <= 0 means not waiting.
// The lock is released by the system when the process ends, however it
// ends (flock(2) where there is one).
func (t Target) Lock(wait time.Duration, waiting func(pid int)) (release func(), err error) {
	name := t.Manifest + ".lock"
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	told := false
	for {
		release, err := tryLock(name)
		if err == nil {
			return release, nil
		}
		if !errors.Is(err, errBusy) {
			return nil, fmt.Errorf("locking %s: %w", name, err)
		}
		pid := readPID(name)
		if wait <= 0 || time.Now().After(deadline) {
			return nil, &LockError{Dir: t.Dir, PID: pid, Wait: wait}
		}
		if !told && waiting != nil {
			waiting(pid)
			told = true
		}
		time.Sleep(lockPoll)
	}
}

var errBusy = errors.New("lock busy")

func readPID(name string) int {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
