package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/i18n"
	"github.com/francebadge/blason/internal/logwitness/logtest"
	"github.com/francebadge/blason/internal/witness/witnesstest"
)

// runLogWitness runs blason log witness in a language as runCommand
// would, returning its output and the error printed.
func runLogWitness(lang i18n.Lang, args ...string) (stdout, stderr string, err error) {
	var o, e bytes.Buffer
	so, se := newConsole(lang, &o, &e)
	err = cmdLogWitness(args, so, se)
	if err != nil && err != errSilent {
		fmt.Fprintln(&e, "blason: "+lang.Translate(err.Error()))
	}
	return o.String(), e.String(), err
}

// blason log witness against three real witnesses: cosigned at 300, then
// 600 entries, checked; with one witness down 2 of 3 pass, with two the
// checkpoint is left as it is; a fork is refused in English and French;
// policy errors name the file and line.
func TestLogWitnessCommand(t *testing.T) {
	l := logtest.New(t, "badges.example.fr/log")
	ws := witnesstest.Start(t, []string{"witness.example/a", "witness.example/b", "witness.example/c"}, witnesstest.Log{Origin: l.Origin, VKey: l.VKey})
	src := t.TempDir()
	site := filepath.Join(src, "site")
	policy := filepath.Join(src, "witnesses.txt")
	var b strings.Builder
	fmt.Fprintf(&b, "# witnesses of our log\nlog %s\n", l.VKey)
	for _, w := range ws {
		fmt.Fprintf(&b, "witness %s %s\n", w.VKey, w.URL)
	}
	b.WriteString("quorum 2\n")
	if err := os.WriteFile(policy, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	l.Grow(t, 300)
	l.Publish(t, site)
	// Not cosigned yet: --check fails.
	if _, stderr, err := runLogWitness(i18n.English, "--check", "--policy", policy, "-s", src); err == nil || !strings.Contains(stderr, "only 0 of the 2 witness cosignatures") {
		t.Fatalf("--check before cosigning: %v\n%s", err, stderr)
	}
	stdout, stderr, err := runLogWitness(i18n.English, "--policy", policy, "-s", src)
	if err != nil || !strings.Contains(stdout, "log badges.example.fr/log, size 300: cosigned now by 3 of the 3 witnesses asked") {
		t.Fatalf("cosign at 300: %v\n%s%s", err, stdout, stderr)
	}
	state := filepath.Join(src, ".blason", "tlog", "cosigned-checkpoint")
	if !strings.Contains(stdout, "wrote "+state) {
		t.Errorf("the state file is not reported written:\n%s", stdout)
	}
	l.Grow(t, 600)
	l.Publish(t, site)
	if _, stderr, err := runLogWitness(i18n.English, "--policy", policy, "-s", src); err != nil {
		t.Fatalf("cosign at 600: %v\n%s", err, stderr)
	}
	stdout, _, err = runLogWitness(i18n.French, "--check", "--policy", policy, "--site", site)
	if err != nil || !strings.Contains(stdout, "ok : 3 cosignatures de témoins valides, la politique en exige 2") || !strings.Contains(stdout, "cosigné par witness.example/a le ") {
		t.Fatalf("--check in French: %v\n%s", err, stdout)
	}

	// A fork of the same size, published elsewhere.
	fork := l.Clone()
	fork.Grow(t, 400)
	fork.Prefix = "forged"
	fork.Grow(t, 600)
	forkSrc := t.TempDir()
	fork.Publish(t, filepath.Join(forkSrc, "site"))
	_, stderr, err = runLogWitness(i18n.English, "--policy", policy, "-s", forkSrc)
	if err == nil || !strings.Contains(stderr, "witness witness.example/b REFUSED the checkpoint") || !strings.Contains(stderr, "The log was forked or rewritten") || !strings.Contains(stderr, "nothing was written") {
		t.Fatalf("fork: %v\n%s", err, stderr)
	}
	_, stderr, err = runLogWitness(i18n.French, "--policy", policy, "-s", forkSrc)
	if err == nil || !strings.Contains(stderr, "le témoin witness.example/b a REFUSÉ le point de contrôle") || !strings.Contains(stderr, "rien n'a été écrit") {
		t.Fatalf("fork in French: %v\n%s", err, stderr)
	}

	// One witness down, then two.
	ws[0].Stop()
	l.Grow(t, 700)
	l.Publish(t, site)
	stdout, stderr, err = runLogWitness(i18n.French, "--policy", policy, "-s", src)
	if err != nil || !strings.Contains(stderr, "le témoin witness.example/a à http://") || !strings.Contains(stderr, "est injoignable") {
		t.Fatalf("one down: %v\n%s%s", err, stdout, stderr)
	}
	ws[1].Stop()
	l.Grow(t, 800)
	l.Publish(t, site)
	_, stderr, err = runLogWitness(i18n.English, "--policy", policy, "-s", src)
	if err == nil || !strings.Contains(stderr, "does not meet the witness policy (1 of the 2 cosignatures it requires); nothing was written") {
		t.Fatalf("two down: %v\n%s", err, stderr)
	}
	if _, _, err := runLogWitness(i18n.English, "--check", "--policy", policy, "-s", src); err == nil {
		t.Error("--check passes an uncosigned checkpoint")
	}
}

// Policy and usage errors, in English and French.
func TestLogWitnessErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("# witnesses\nwitness nope\nquorum two\n"), 0o644)
	noURL := filepath.Join(dir, "nourl.txt")
	l := logtest.New(t, "badges.example.fr/log")
	w := logtest.New(t, "witness.example/x") // an Ed25519 key is a valid witness key
	os.WriteFile(noURL, []byte("log "+l.VKey+"\nwitness "+w.VKey+"\nquorum 1\n"), 0o644)
	for _, tc := range []struct {
		name string
		lang i18n.Lang
		args []string
		want []string
	}{
		{"no policy", i18n.English, nil, []string{"--policy FILE is required"}},
		{"missing policy", i18n.French, []string{"--policy", filepath.Join(dir, "none.txt")}, []string{"impossible de lire la politique de témoins"}},
		{"bad policy", i18n.English, []string{"--policy", bad}, []string{bad + ":2: the witness key is not valid", bad + ":3: want: quorum <N>"}},
		{"bad policy fr", i18n.French, []string{"--policy", bad}, []string{bad + ":2: la clé du témoin n'est pas valide", bad + ":3: attendu : quorum <N>"}},
		{"no URL", i18n.English, []string{"--policy", noURL, "-s", dir}, []string{"no witness has a URL"}},
		{"no log", i18n.French, []string{"--check", "--policy", noURL, "--site", dir}, []string{"aucun journal publié dans " + dir}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := runLogWitness(tc.lang, tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
