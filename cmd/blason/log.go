package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/torchwood"
	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/tlog"
)

const logUsage = "blason log show|monitor|recover|witness [flags]"

// logCommands are the log's subcommands.
var logCommands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"show":    cmdLogShow,
	"monitor": cmdLogMonitor,
	"recover": cmdLogRecover,
	"witness": cmdLogWitness, // logwitness.go
}

func cmdLog(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		if run, ok := logCommands[args[0]]; ok {
			return run(args[1:], stdout, stderr)
		}
	}
	lang := langOf(stderr)
	w := stderr
	help := len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help")
	if help {
		w = consoleOf(stderr).stdout
	}
	fmt.Fprintln(w, lang.Sprintf("usage: %s", logUsage))
	fmt.Fprintln(w, lang.Sprintf("run %q to see its flags", "blason log COMMAND --help"))
	if help {
		return errUsage{errHelp}
	}
	if len(args) > 0 {
		fmt.Fprintln(stderr, lang.Sprintf("unknown log command %q", args[0]))
	}
	return errUsage{errors.New("no log command")}
}

// cmdLogShow prints the state of the site's log.
func cmdLogShow(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log show", stderr)
	source := new(string)
	fs.source(source, "source folder (holding blason.yaml, keys/ and .blason/tlog/)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, key := build.LogDir(*source), build.LogKeyPath(*source)
	if _, err := os.Stat(filepath.Join(dir, "checkpoint")); err != nil {
		return fmt.Errorf("%s holds no transparency log: a build creates it (transparency.enabled in blason.yaml), %s rebuilds a lost one", dir, tlog.RecoverHint)
	}
	l, err := tlog.Open(dir, key, "", true, nil)
	if err != nil {
		return err
	}
	defer l.Close()
	root := l.Root()
	say(stdout, "origin:  %s", l.Origin)
	say(stdout, "entries: %d", l.Size())
	say(stdout, "root:    %s", base64.StdEncoding.EncodeToString(root[:]))
	say(stdout, "key:     %s", l.VKey)
	counts := map[string]int{}
	err = l.Each(func(i int64, b []byte) error {
		e, err := tlog.ParseEntry(b)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		counts[e.Event]++
		return nil
	})
	if err != nil {
		return err
	}
	say(stdout, "events:  %d issued, %d revoked, %d suspended, %d lifted, %d keys added, %d keys retired",
		counts[tlog.Issued], counts[tlog.Revoked], counts[tlog.Suspended], counts[tlog.Lifted], counts[tlog.KeyAdded], counts[tlog.KeyRetired])
	return nil
}

// monitorState is what a monitor remembers between runs.
type monitorState struct {
	Key        string `json:"key"`        // the log's verifier key
	Checkpoint string `json:"checkpoint"` // the last checkpoint checked
}

// cmdLogMonitor mirrors a published log and checks it.
func cmdLogMonitor(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log monitor", stderr)
	state := fs.String("state", "", "file remembering the log's key and the last checkpoint checked (created on the first run)")
	fs.value("state", "FILE")
	key := fs.String("key", "", "the log's verifier key (name+hash+base64, as published at log/key), or a file holding it")
	fs.value("key", "VKEY")
	mirror := fs.String("mirror", "", "folder to copy the checked checkpoint and tiles to")
	fs.value("mirror", "DIR")
	// Flags may follow the log's address.
	var where []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		where = append(where, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(where) != 1 {
		say(stderr, "usage: %s", "blason log monitor URL|DIR [--state FILE] [--key VKEY] [--mirror DIR]")
		return errUsage{errors.New("no log to monitor")}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r, err := tlog.Reader(where[0])
	if err != nil {
		return err
	}
	var st monitorState
	if *state != "" {
		if b, err := os.ReadFile(*state); err == nil {
			if err := json.Unmarshal(b, &st); err != nil {
				return fmt.Errorf("%s: %v", *state, err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	vkey := *key
	if b, err := os.ReadFile(vkey); vkey != "" && err == nil {
		vkey = string(b)
	}
	vkey = strings.TrimSpace(vkey)
	switch {
	case vkey != "" && st.Key != "" && vkey != st.Key:
		return fmt.Errorf("--key is not the key %s remembers (%s): the log changed keys, which a log never does", *state, st.Key)
	case vkey == "" && st.Key != "":
		vkey = st.Key
	case vkey == "":
		b, err := r.ReadEndpoint(ctx, "key")
		if err != nil {
			return fmt.Errorf("reading the log's key: %w; pass --key", err)
		}
		vkey = strings.TrimSpace(string(b))
		say(stderr, "trusting the key the log publishes, %s: compare it with one obtained another way, or pass --key", vkey)
	}
	v, err := tlog.ParseVKey(vkey)
	if err != nil {
		return fmt.Errorf("the log's key %q: %v", vkey, err)
	}
	var prev *torchwood.Checkpoint
	if st.Checkpoint != "" {
		c, err := tlog.OpenCheckpoint([]byte(st.Checkpoint), v)
		if err != nil {
			return fmt.Errorf("%s: %w", *state, err)
		}
		prev = &c
	}
	m, err := tlog.Fetch(ctx, r, v, prev)
	if err != nil {
		return fmt.Errorf("%s: %w", where[0], err)
	}
	if problems := tlog.Audit(m.Entries); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, "ALERT "+p)
		}
		return fmt.Errorf("%s: %d suspicious entries", where[0], len(problems))
	}
	c := m.Checkpoint
	say(stdout, "log %s: %d entries, root %s", c.Origin, c.N, base64.StdEncoding.EncodeToString(c.Hash[:]))
	say(stdout, "every entry bundle and hash tile matches the signed checkpoint")
	if prev != nil {
		say(stdout, "consistent with the checkpoint of %d entries seen before: %d new entries", prev.N, c.N-prev.N)
	}
	if *mirror != "" {
		if err := m.WriteTo(*mirror); err != nil {
			return err
		}
		say(stdout, "mirrored into %s", *mirror)
	}
	if *state != "" {
		b, _ := json.MarshalIndent(monitorState{Key: vkey, Checkpoint: string(m.Signed)}, "", "  ")
		if err := os.WriteFile(*state, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// cmdLogRecover rebuilds the log's state from its published copy.
func cmdLogRecover(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log recover", stderr)
	source := new(string)
	fs.source(source, "source folder (holding blason.yaml, keys/ and .blason/tlog/)")
	from := fs.String("from", "", "the published log: the site's output folder or its URL")
	fs.value("from", "DIR|URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		say(stderr, "usage: %s", "blason log recover --from DIR|URL [-s SOURCE]")
		return errUsage{errors.New("no --from")}
	}
	r, err := tlog.Reader(*from)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	l, err := tlog.Recover(ctx, r, build.LogDir(*source), build.LogKeyPath(*source))
	if err != nil {
		return err
	}
	say(stdout, "recovered %d entries of log %s into %s", l.Size(), l.Origin, build.LogDir(*source))
	return nil
}
