package build

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// markup matches what Markdown leaves in text that was not rendered:
// emphasis, links, headings, list markers at a line start, HTML tags.
var markup = regexp.MustCompile(`\*\*|__|\]\(|(?m)^\s*(#{1,6} |[-*+] )|<[a-zA-Z/][^>]*>`)

// TestJSONDescriptionsArePlainText: no `description` of any JSON document of
// the demo build carries Markdown or HTML; the issuer descriptions, written
// in Markdown, are among them.
func TestJSONDescriptionsArePlainText(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	var n, issuers int
	err := filepath.WalkDir(d.dest, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".json") || strings.Contains(p, string(filepath.Separator)+"assertions"+string(filepath.Separator)) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil // not ours to judge here
		}
		rel, _ := filepath.Rel(d.dest, p)
		walkDescriptions(v, func(s string) {
			n++
			if strings.HasSuffix(rel, "issuer.json") {
				issuers++
			}
			if m := markup.FindString(s); m != "" {
				t.Errorf("%s: description carries markup %q: %.80q", rel, m, s)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 || issuers < 4 {
		t.Fatalf("only %d descriptions seen (%d in issuer profiles)", n, issuers)
	}
}

func walkDescriptions(v any, f func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && (k == "description" || k == "targetDescription") {
				f(s)
			}
			walkDescriptions(x, f)
		}
	case []any:
		for _, x := range v {
			walkDescriptions(x, f)
		}
	}
}
