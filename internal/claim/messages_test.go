package claim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
	"unicode"

	"github.com/francebadge/blason/internal/i18n"
)

// TestStartupMessagesInFrench: every message the start-up checks give has
// a French translation, and a formatted one is translated whole.
func TestStartupMessagesInFrench(t *testing.T) {
	fr, err := i18n.Entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"startup.go", "app.go"} {
		for _, msg := range messageFormats(t, file) {
			if _, ok := fr[msg]; !ok {
				t.Errorf("%s: %q has no French translation in internal/i18n/fr/behave.yaml", file, msg)
			}
		}
	}
	got := i18n.French.Translate("port 8080 is already in use (another blason claim?): stop it or pass --listen 127.0.0.1:0 (a free port) or another port")
	if want := "le port 8080 est déjà utilisé (un autre blason claim ?) : arrêtez-le ou passez --listen 127.0.0.1:0 (un port libre) ou un autre port"; got != want {
		t.Errorf("Translate = %q, want %q", got, want)
	}
}

// messageFormats returns the literal formats passed to fmt.Errorf and
// errors.New in a file, leaving out those without words ("%s: %w") and
// the fragments that are never shown alone.
func messageFormats(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, _ := sel.X.(*ast.Ident)
		if pkg == nil || !(pkg.Name == "fmt" && sel.Sel.Name == "Errorf" || pkg.Name == "errors" && sel.Sel.Name == "New") {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		words := 0
		for _, r := range s {
			if unicode.IsLetter(r) {
				words++
			}
		}
		if words >= 4 {
			out = append(out, s)
		}
		return true
	})
	return out
}
