// Package demotest serves the tests that build the demo site: it finds the
// module root, copies the demo's sources (content/ and blason.yaml) into a
// test's folder, and finds the pinned Node tools under tools/, skipping a
// test on a laptop where one is missing and failing it under CI=true.
package demotest

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the folder holding go.mod above the working folder.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// CopyTree copies the file or folder src to dst, making folders on the way.
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// CopyDemo copies the demo site's sources of the module at root (content/
// and blason.yaml, not keys/) into dst, so that a test makes its own keys.
func CopyDemo(root, dst string) error {
	for _, name := range []string{"content", "blason.yaml"} {
		if err := CopyTree(filepath.Join(root, name), filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

// Node returns the node executable and the folder of the pinned tool
// toolDir (such as "tools/vcverify") under root, once every module in
// needs (paths under its node_modules/) is installed. A missing one skips
// the test, or fails it under CI=true, where .ci/run must install it.
func Node(t testing.TB, root, toolDir string, needs ...string) (node, dir string) {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s on this CI machine; .ci/run must install node and run npm ci --prefix %s", what, toolDir)
		}
		t.Skipf("%s; install node and run: npm ci --prefix %s", what, toolDir)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("no node found")
	}
	dir = filepath.Join(root, filepath.FromSlash(toolDir))
	for _, m := range needs {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", filepath.FromSlash(m), "package.json")); err != nil {
			missing(fmt.Sprintf("%s/node_modules/%s is not installed", toolDir, m))
		}
	}
	return node, dir
}
