package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/keys"
)

func cmdKeys(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: blason keys list|new|rotate [--space NAME] [--alg ALG] [--from DATE]")
		return errUsage{errors.New("no keys command")}
	}
	sub := args[0]
	fs := newFlags("keys "+sub, stderr)
	source := fs.String("s", ".", "source folder (holding blason.yaml and keys/)")
	space := fs.String("space", "", "space slug (a folder of content/)")
	alg := fs.String("alg", "", "Ed25519, ES256 or RS256")
	from := fs.String("from", "", "first award date signed with the new keys (YYYY-MM-DD; default today)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	store := keys.Store{Dir: build.KeysDir(*source), Rand: rand.Reader}
	if sub == "list" {
		spaces := []string{*space}
		if *space == "" {
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
				fmt.Fprintf(stdout, "%s\t%s\t%s\tsigns awards from %s\n", sp, k.Alg, k.Kid, k.ActiveFrom.Format(time.DateOnly))
			}
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
	default:
		fmt.Fprintf(stderr, "blason keys: unknown command %q (list, new or rotate)\n", sub)
		return errUsage{errors.New("unknown keys command")}
	}
	for _, k := range made {
		fmt.Fprintf(stdout, "created %s %s, signing awards from %s (%s)\n", k.Alg, k.Kid, k.ActiveFrom.Format(time.DateOnly), k.Path)
	}
	return nil
}
