// Command modproxy publishes one commit of the blason module in a folder laid out as a Go module
// proxy (GOPROXY=file://DIR), with golang.org/x/mod: the module zip made from the commit's files
// (`git archive`, as a real proxy serves a commit), its go.mod, its .info and the @latest answer.
// It prints the pseudo-version. .ci/fresh-install.sh uses it to run `go install …@latest` as users do.
//
//	go run . -repo ROOT -rev HEAD -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	repo := flag.String("repo", ".", "git work tree of the module")
	rev := flag.String("rev", "HEAD", "commit to publish")
	out := flag.String("out", "", "proxy folder to write")
	flag.Parse()
	if err := run(*repo, *rev, *out); err != nil {
		fmt.Fprintln(os.Stderr, "modproxy:", err)
		os.Exit(1)
	}
}

func git(repo string, args ...string) (string, error) {
	b, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(b)), nil
}

func run(repo, rev, out string) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	hash, err := git(repo, "rev-parse", rev+"^{commit}")
	if err != nil {
		return err
	}
	secs, err := git(repo, "log", "-1", "--format=%ct", hash)
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return err
	}
	when := time.Unix(n, 0).UTC()
	gomod, err := git(repo, "show", hash+":go.mod")
	if err != nil {
		return err
	}
	path := modfile.ModulePath([]byte(gomod))
	if path == "" {
		return fmt.Errorf("no module path in go.mod of %s", hash)
	}
	version := module.PseudoVersion("", "", when, hash[:12])
	mv := module.Version{Path: path, Version: version}
	escaped, err := module.EscapePath(path)
	if err != nil {
		return err
	}
	dir := filepath.Join(out, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The commit's files, as git holds them (a work tree may hold more, or a linked work tree's
	// .git file that zip.CreateFromVCS does not recognise).
	files, err := os.MkdirTemp("", "modproxy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(files)
	archive := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", repo, hash, files)
	archive.Stderr = os.Stderr
	if err := archive.Run(); err != nil {
		return fmt.Errorf("git archive %s: %w", hash, err)
	}
	f, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(f, mv, files); err != nil {
		f.Close()
		return fmt.Errorf("module zip: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, when})
	for name, b := range map[string][]byte{
		filepath.Join(dir, version+".info"):                        info,
		filepath.Join(dir, version+".mod"):                         []byte(gomod + "\n"),
		filepath.Join(dir, "list"):                                 nil, // no tagged version: @latest answers
		filepath.Join(out, filepath.FromSlash(escaped), "@latest"): info,
	} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Println(version)
	return nil
}
