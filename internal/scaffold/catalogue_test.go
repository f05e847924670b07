package scaffold

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/i18n"
)

// TestFrenchCatalogue: every message format of `blason new` (the errors of
// this package and the command's output, line by line: a hint is
// translated on its own) has a French entry with the same number of verbs.
func TestFrenchCatalogue(t *testing.T) {
	entries, err := i18n.Entries()
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, file := range []string{"scaffold.go", "../../cmd/blason/new.go"} {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !(sel.Sel.Name == "Errorf" || sel.Sel.Name == "Sprintf" && isIdent(sel.X, "lang") || sel.Sel.Name == "Translate" && isIdent(sel.X, "lang")) {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			format, _ := strconv.Unquote(lit.Value)
			for _, line := range strings.Split(format, "\n") {
				line = strings.TrimPrefix(line, "\thint: ")
				n++
				fr, ok := entries[line]
				if !ok {
					t.Errorf("%s: no French entry for %q", fset.Position(lit.Pos()), line)
					continue
				}
				if strings.Count(fr, "%")-2*strings.Count(fr, "%%") != strings.Count(line, "%")-2*strings.Count(line, "%%") {
					t.Errorf("%q → %q: not the same number of verbs", line, fr)
				}
			}
			return true
		})
	}
	if n < 30 {
		t.Errorf("only %d formats found: the test no longer sees the messages", n)
	}
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
