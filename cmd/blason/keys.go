package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/safepath"
	"golang.org/x/term"
)

const keysUsage = "blason keys list|new|rotate|retire|backup|restore|check|rebuild-ledger [flags]"

// passphraseEnv names the environment variable holding the passphrase of
// keys backups.
const passphraseEnv = "BLASON_BACKUP_PASSPHRASE"

// recipients collects repeated --recipient flags.
type recipients []string

func (r *recipients) String() string     { return strings.Join(*r, ",") }
func (r *recipients) Set(s string) error { *r = append(*r, s); return nil }

func cmdKeys(args []string, stdout, stderr io.Writer) error {
	lang := langOf(stderr)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		w := stderr
		if len(args) > 0 {
			w = consoleOf(stderr).stdout
		}
		fmt.Fprintln(w, lang.Sprintf("usage: %s", keysUsage))
		fmt.Fprintln(w, lang.Sprintf("run %q to see its flags", "blason keys COMMAND --help"))
		if len(args) > 0 {
			return errUsage{errHelp}
		}
		return errUsage{errors.New("no keys command")}
	}
	sub := args[0]
	fs := newFlags("keys "+sub, stderr)
	source := new(string)
	fs.source(source, "source folder (holding blason.yaml and keys/)")
	space := fs.String("space", "", "space slug (a folder of content/)")
	var alg, from, kid, out, dest, identity *string
	var force *bool
	var recips recipients
	switch sub {
	case "list", "new", "rotate", "retire":
		alg = fs.String("alg", "", "Ed25519, ES256 or RS256")
		from = fs.String("from", "", "first award date signed with the new keys (YYYY-MM-DD; default today)")
		fs.value("from", "YYYY-MM-DD")
		kid = fs.String("kid", "", "the key to retire (blason keys list)")
	case "backup":
		out = fs.String("output", "", "the encrypted backup file to write")
		fs.alias("output", "o")
		fs.value("output", "FILE")
		fs.Var(&recips, "recipient", "encrypt to this age public key (age1…) instead of a passphrase; repeatable")
		fs.value("recipient", "AGE_PUBLIC_KEY")
	case "restore":
		identity = fs.String("identity", "", "age identity file (AGE-SECRET-KEY-…) for a backup made with --recipient")
		fs.value("identity", "FILE")
		force = fs.Bool("force", false, "replace files of keys/ whose contents differ from the backup")
	case "check", "rebuild-ledger":
		dest = new(string)
		fs.destination(dest, "site", "the published output folder, relative to the source folder")
		fs.withConfig()
	default:
		fmt.Fprintln(stderr, "blason keys: "+lang.Sprintf("unknown command %q", sub))
		fmt.Fprintln(stderr, lang.Sprintf("usage: %s", keysUsage))
		return errUsage{errors.New("unknown keys command")}
	}
	var file string
	if sub == "restore" {
		var err error
		if file, err = parseWithArg(fs, args[1:], "the backup file"); err != nil {
			return err
		}
	} else if err := parse(fs, args[1:]); err != nil {
		return err
	}
	store := keys.Store{Dir: build.KeysDir(*source), Rand: rand.Reader}
	switch sub {
	case "list":
		return keysList(store, *space, stdout)
	case "backup":
		return keysBackup(store, *out, recips, stdout, stderr)
	case "restore":
		return keysRestore(store, file, *identity, *force, stdout, stderr)
	case "check":
		lines, err := build.CheckKeys(build.Options{Source: *source, Destination: *dest, Config: fs.configFile()}, *space)
		if err != nil {
			return err
		}
		failed := 0
		for _, l := range lines {
			// The ok/FAIL marks stay as they are for scripts; the findings
			// are translated (internal/build's catalogue).
			l.Text = lang.Translate(l.Text)
			fmt.Fprintln(stdout, l)
			if !l.OK {
				failed++
			}
		}
		if failed > 0 {
			fmt.Fprintln(stderr, "blason keys check: "+lang.Sprintf("%d problem(s)", failed))
			return errSilent
		}
		return nil
	}
	if *space == "" {
		return errors.New("--space is required")
	}
	if _, err := os.Stat(filepath.Join(*source, "content", *space, "_space.md")); err != nil {
		return fmt.Errorf("no space %q: content/%s/_space.md not found", *space, *space)
	}
	var made []*keys.Key
	switch sub {
	case "rebuild-ledger":
		msg, err := build.RebuildLedger(build.Options{Source: *source, Destination: *dest, Config: fs.configFile()}, *space)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, lang.Translate(msg))
		return nil
	case "retire":
		if *kid == "" {
			return errors.New("--kid is required (blason keys list shows the keys)")
		}
		k, err := store.Retire(*space, *kid, time.Now().UTC())
		if err != nil {
			return err
		}
		say(stdout, "retired %s %s: its private key is deleted, its public key stays published (%s)", k.Alg, k.Kid, k.Path)
		return nil
	case "new":
		a := *alg
		if a == "" {
			a = keys.EdDSA
		}
		k, err := store.Create(*space, a)
		if err != nil {
			return err
		}
		made = append(made, k)
	case "rotate":
		day := time.Now().UTC().Truncate(24 * time.Hour)
		if *from != "" {
			var err error
			if day, err = time.Parse(time.DateOnly, *from); err != nil {
				return fmt.Errorf("--from %q: write the date as YYYY-MM-DD", *from)
			}
		}
		var algs []string
		if *alg != "" {
			algs = []string{*alg}
		}
		var err error
		if made, err = store.Rotate(*space, algs, day); err != nil {
			return err
		}
	}
	for _, k := range made {
		say(stdout, "created %s %s, signing awards from %s (%s)", k.Alg, k.Kid, k.ActiveFrom.Format(time.DateOnly), k.Path)
	}
	return nil
}

func keysList(store keys.Store, space string, stdout io.Writer) error {
	spaces := []string{space}
	if space == "" {
		var err error
		if spaces, err = store.Spaces(); err != nil {
			return err
		}
	}
	for _, sp := range spaces {
		ring, err := store.Keyring(sp)
		if err != nil {
			return err
		}
		for _, k := range ring.Keys {
			note := tr(stdout, "signs awards from %s", k.ActiveFrom.Format(time.DateOnly))
			if k.IsRetired() {
				note = tr(stdout, "signs awards from %s, retired %s", k.ActiveFrom.Format(time.DateOnly), k.Retired.Format(time.DateOnly))
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", sp, k.Alg, k.Kid, note)
		}
	}
	return nil
}

// parseWithArg parses flags around exactly one positional argument.
func parseWithArg(fs *flagSet, args []string, what string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(fs.con.stderr, "blason %s: %s\n", fs.cmd, fs.con.lang.Sprintf("missing %s", fs.con.lang.Translate(what)))
		return "", errUsage{errors.New("missing argument")}
	}
	arg := fs.Arg(0)
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	return arg, nil
}

// passphrase reads the backup passphrase from BLASON_BACKUP_PASSPHRASE or,
// on a terminal, asks for it (twice when confirm).
func passphrase(stderr io.Writer, confirm bool) (string, error) {
	if p := os.Getenv(passphraseEnv); p != "" {
		return p, nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", fmt.Errorf("no passphrase: set %s, or run on a terminal to be asked for one (or use --recipient / --identity)", passphraseEnv)
	}
	fmt.Fprint(stderr, tr(stderr, "backup passphrase: "))
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if confirm {
		fmt.Fprint(stderr, tr(stderr, "again: "))
		q, err := term.ReadPassword(fd)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if !bytes.Equal(p, q) {
			return "", errors.New("the passphrases differ")
		}
	}
	if len(p) == 0 {
		return "", errors.New("empty passphrase")
	}
	return string(p), nil
}

func keysBackup(store keys.Store, out string, recips recipients, stdout, stderr io.Writer) error {
	if out == "" {
		return errors.New("-o FILE is required: where to write the encrypted backup (outside keys/ and the site)")
	}
	kd, err := safepath.Real(store.Dir)
	if err != nil {
		return err
	}
	od, err := safepath.Real(filepath.Dir(out))
	if err != nil {
		return err
	}
	if safepath.Within(od, kd) {
		return fmt.Errorf("-o %s is inside %s: keep the backup elsewhere", out, store.Dir)
	}
	var rs []age.Recipient
	for _, r := range recips {
		x, err := age.ParseX25519Recipient(r)
		if err != nil {
			return fmt.Errorf("--recipient %q: %v", r, err)
		}
		rs = append(rs, x)
	}
	if len(rs) == 0 {
		p, err := passphrase(stderr, true)
		if err != nil {
			return err
		}
		r, err := age.NewScryptRecipient(p)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	files, err := store.Backup(tmp, rs...)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return err
	}
	spaces := map[string]bool{}
	for _, f := range files {
		if sp, _, ok := strings.Cut(f.Name, "/"); ok {
			spaces[sp] = true
		}
	}
	say(stdout, "backed up %d files of %s (%d spaces) to %s, encrypted with age", len(files), store.Dir, len(spaces), out)
	return nil
}

func keysRestore(store keys.Store, file, identity string, force bool, stdout, stderr io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var ids []age.Identity
	if identity != "" {
		b, err := os.ReadFile(identity)
		if err != nil {
			return err
		}
		if ids, err = age.ParseIdentities(bytes.NewReader(b)); err != nil {
			return fmt.Errorf("--identity %s: %v", identity, err)
		}
	} else {
		p, err := passphrase(stderr, false)
		if err != nil {
			return err
		}
		id, err := age.NewScryptIdentity(p)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	files, err := keys.ReadBackup(f, ids...)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	res, err := store.Restore(files, force)
	if err != nil {
		return err
	}
	say(stdout, "restored %d files into %s (%d already there, unchanged)", len(res.Written), store.Dir, len(res.Same))
	return nil
}
