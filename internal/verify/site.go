package verify

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxPeek bounds what BuiltFor reads of one file.
const maxPeek = 1 << 20

// BuiltFor returns the base URL the site folder dir was built for, or ""
// when it cannot tell. Every document Blason publishes names itself by its
// URL, so a file at dir/REL whose id is BASE+REL was built for BASE: the
// issuer profiles (dir/issuer.json, dir/<space>/issuer.json) are read
// first, then, when there are none, the files given (those under dir, up
// to a few), such as the credentials about to be verified.
func BuiltFor(dir string, files []string) string {
	var candidates []string
	if _, err := os.Stat(filepath.Join(dir, "issuer.json")); err == nil {
		candidates = append(candidates, filepath.Join(dir, "issuer.json"))
	}
	if entries, err := os.ReadDir(dir); err == nil {
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
		for _, e := range entries {
			if e.IsDir() {
				candidates = append(candidates, filepath.Join(dir, e.Name(), "issuer.json"))
			}
		}
	}
	const maxFiles = 20
	n := 0
	for _, f := range files {
		if n == maxFiles {
			break
		}
		if rel, err := filepath.Rel(dir, f); err == nil && filepath.IsLocal(rel) && strings.HasSuffix(f, ".json") {
			candidates = append(candidates, f)
			n++
		}
	}
	for _, p := range candidates {
		if base := selfBase(dir, p); base != "" {
			return base
		}
	}
	return ""
}

// selfBase returns BASE when the JSON file p, at dir/REL, has the id
// BASE+REL with BASE an http(s) URL ending with "/".
func selfBase(dir, p string) string {
	rel, err := filepath.Rel(dir, p)
	if err != nil || !filepath.IsLocal(rel) {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPeek))
	if err != nil {
		return ""
	}
	var doc struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &doc) != nil || !isHTTP(doc.ID) {
		return ""
	}
	base, ok := strings.CutSuffix(doc.ID, "/"+filepath.ToSlash(rel))
	if !ok || !isHTTP(base+"/") || strings.Count(base, "/") < 2 {
		return ""
	}
	return base + "/"
}
