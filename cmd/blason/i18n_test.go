package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/i18n"
)

// cliMessages lists the English messages the CLI translates: the string
// literals passed to say, tr, Sprintf and Translate (other than fmt's), to
// errors.New and fmt.Errorf, in this package's files; the help texts; and
// every flag's usage.
func cliMessages(t *testing.T) map[string]string {
	t.Helper()
	msgs := map[string]string{}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok {
				if id, ok := lit.Type.(*ast.Ident); ok && id.Name == "errUsage" {
					return false // never printed: the flag set has said why
				}
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			arg := -1
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				if fn.Name == "say" || fn.Name == "tr" {
					arg = 1
				}
			case *ast.SelectorExpr:
				pkg, _ := fn.X.(*ast.Ident)
				switch {
				case pkg != nil && pkg.Name == "fmt" && fn.Sel.Name == "Errorf",
					pkg != nil && pkg.Name == "errors" && fn.Sel.Name == "New":
					arg = 0
				case (pkg == nil || pkg.Name != "fmt") && (fn.Sel.Name == "Sprintf" || fn.Sel.Name == "Translate"):
					arg = 0
				}
			}
			if arg >= 0 && arg < len(call.Args) {
				if lit, ok := call.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					if strings.ContainsAny(verb.ReplaceAllString(s, ""), "abcdefghijklmnopqrstuvwxyz") {
						msgs[s] = fset.Position(lit.Pos()).String()
					}
				}
			}
			return true
		})
	}
	for _, c := range commands() {
		msgs[c.text] = "commands(): " + c.name
	}
	for _, f := range commonFlags() {
		msgs[f[1]] = "commonFlags(): " + f[0]
	}
	for _, c := range allFlags(&console{lang: i18n.English}) {
		for _, f := range c.flags {
			msgs[f.usage] = "flags of " + c.name + ": " + f.names[len(f.names)-1]
		}
	}
	return msgs
}

// TestFrenchCLI checks that every message of the CLI has a French
// translation with the same verbs.
func TestFrenchCLI(t *testing.T) {
	entries, err := i18n.Entries()
	if err != nil {
		t.Fatal(err)
	}
	msgs := cliMessages(t)
	if len(msgs) < 100 {
		t.Fatalf("found only %d messages: the scan is broken", len(msgs))
	}
	// A message and its hint, written as one error, are translated line by
	// line (i18n.Translate): each line needs its entry.
	lines := map[string]string{}
	for en, where := range msgs {
		for _, line := range strings.Split(en, "\n\thint: ") {
			lines[line] = where
		}
	}
	var missing []string
	for en, where := range lines {
		fr, ok := entries[en]
		if !ok {
			missing = append(missing, strconv.Quote(en)+": \"\" # "+where)
			continue
		}
		if verbs(en) != verbs(fr) {
			t.Errorf("%q → %q: %d verbs in English, %d in French", en, fr, verbs(en), verbs(fr))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d messages have no French translation in internal/i18n/fr/cli.yaml:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// verb matches a fmt verb.
var verb = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?[0-9]*(\.[0-9]+)?[a-zA-Z]`)

// verbs counts a format's fmt verbs.
func verbs(format string) int {
	return strings.Count(format, "%") - 2*strings.Count(format, "%%")
}

// TestDocsListEveryFlag checks that docs/cli.md names every command's
// flags and every BLASON_* configuration variable.
func TestDocsListEveryFlag(t *testing.T) {
	b, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range allFlags(&console{lang: i18n.English}) {
		if !strings.Contains(doc, "blason "+c.name) && !strings.Contains(doc, "`"+c.name) {
			t.Errorf("docs/cli.md does not describe blason %s", c.name)
		}
		for _, f := range c.flags {
			for _, n := range f.names {
				if !strings.Contains(doc, "`"+n) && !strings.Contains(doc, " "+n+"`") {
					t.Errorf("docs/cli.md does not name %s of blason %s", n, c.name)
				}
			}
		}
	}
	for _, e := range config.EnvVars() {
		if !strings.Contains(doc, "`"+e.Name+"`") {
			t.Errorf("docs/cli.md does not list %s", e.Name)
		}
	}
}
