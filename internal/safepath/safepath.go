// Package safepath compares folders after resolving symbolic links, so that
// a link cannot hide that an output folder lies inside a private one.
package safepath

import (
	"path/filepath"
	"strings"
)

// Within reports whether a is b or inside b (both cleaned, absolute).
func Within(a, b string) bool { return a == b || strings.HasPrefix(a, b+string(filepath.Separator)) }

// Real resolves symbolic links in the existing part of p; the part that does
// not exist yet is kept as written.
func Real(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest), nil
		}
		if cur == filepath.Dir(cur) {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}
