package i18n

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The completeness test reads the module's Go source (not its tests) and
// finds every message a user may read:
//
//   - the format and the hint of every diagnostic: calls of diag.List.Add
//     and of the helpers wrapping it (any function taking parameters named
//     hint and format, such as content's addAt or the bad/fail closures of
//     the CSV reader);
//   - the errors of the packages in errorPackages: fmt.Errorf and
//     errors.New, the helpers formatting them (a function taking a format
//     and its arguments), and the Hint and Problem methods of errors that
//     diagnostics show.
//
// A hint is text already formatted; it is turned into a pattern: literals
// as they are, fmt.Sprintf's format as it is, constants resolved, any other
// expression a %s. Every message must have a French entry, and translating
// it (by Sprintf for formats, by Translate for everything) must give the
// French text.

// errorPackages are the internal packages whose errors reach the user
// through the CLI (translated by pattern at print time).
var errorPackages = map[string]bool{
	"build": true, "keys": true, "config": true, "safefs": true, "safepath": true,
	"passport": true, "passportfile": true, "report": true, "publish": true,
	"content": true, "yamlx": true, "claimindex": true, "identity": true, "claim": true,
	"witness": true, // internal/witness: its errors reach the user through the log's witness command
	"tlog":    true, // internal/tlog: the transparency log's errors reach the user through build, verify and log
	// --- logwitness ---
	"logwitness": true, // internal/logwitness: blason log witness
}

// notUserFacing are error texts that never reach a user as they are: sentinel
// errors tested with errors.Is and replaced by a message, internal errors.
var notUserFacing = map[string]string{
	"mismatch":             "keys: internal sentinel, reported as 'public members do not match the private key'",
	"lock busy":            "publish: internal sentinel of the lock retry loop",
	"file too large":       "content: sentinel, reported by a size-limit diagnostic",
	"CSV record too large": "content: sentinel, reported by a diagnostic naming the limit",
}

// derived are entries for messages the code rewrites after formatting
// them, so that no literal holds them.
var derived = map[string]string{
	"passport slug %q is not valid; it is left off (%s)":              "passport.Collect turns a diagnostic's hint into a parenthesis",
	"passport slug %q is already declared by %s; it is left off (%s)": "passport.Collect turns a diagnostic's hint into a parenthesis",
}

// libraryFile holds the messages of libraries (yaml.v3, encoding/csv, the
// system) found inside Blason's: no literal of the source holds them.
const libraryFile = "libraries.yaml"

// otherAreas are catalogue files written by other engineers: their dead
// entries are reported, not failed on.
var otherAreas = map[string]bool{"cli.yaml": true, "csv.yaml": true, "new.yaml": true, "behave.yaml": true}

// use is one message found in the source.
type use struct {
	pos  string // file:line of the call
	kind string // "format" (a diagnostic's), "hint", "error"
	key  string // the catalogue key it needs
}

type srcFile struct {
	f       *ast.File
	dir     string // module-relative package folder
	imports map[string]bool
}

// scanner holds what the whole module declares.
type scanner struct {
	fset     *gotoken.FileSet
	root     string
	files    []*srcFile
	consts   map[string]ast.Expr      // "pkgname.Name" → value
	wrappers map[string]wrapper       // "dir.Func" or "method:Name" → wrapper
	fmtWraps map[string]wrapper       // error-format helpers, "dir.Func" or "method:Name"
	literals map[string]bool          // every string literal of the module
	funcs    map[string]*ast.FuncDecl // "dir.Func" → its declaration (no methods)
	// pkgImports are the imports of each package folder (all its files).
	pkgImports map[string]map[string]bool
	uses       []use
}

// wrapper is a function whose parameters hint and format (or format only)
// are at these argument positions (hint -1 when it has none).
type wrapper struct {
	hint, format int
	importPath   string // the declaring package, for methods
}

const modulePath = "github.com/francebadge/blason"

func scanModule(t *testing.T) *scanner {
	t.Helper()
	s := &scanner{
		fset: gotoken.NewFileSet(), root: filepath.Join("..", ".."),
		consts: map[string]ast.Expr{}, wrappers: map[string]wrapper{}, fmtWraps: map[string]wrapper{},
		literals: map[string]bool{}, funcs: map[string]*ast.FuncDecl{}, pkgImports: map[string]map[string]bool{},
	}
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != s.root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(s.fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.root, filepath.Dir(p))
		sf := &srcFile{f: f, dir: filepath.ToSlash(rel), imports: map[string]bool{}}
		for _, im := range f.Imports {
			v, _ := strconv.Unquote(im.Path.Value)
			sf.imports[v] = true
		}
		s.files = append(s.files, sf)
		if s.pkgImports[sf.dir] == nil {
			s.pkgImports[sf.dir] = map[string]bool{}
		}
		for im := range sf.imports {
			s.pkgImports[sf.dir][im] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sf := range s.files {
		s.declarations(sf)
	}
	for _, sf := range s.files {
		s.calls(sf)
		s.packageErrors(sf)
	}
	return s
}

// params names a function's parameters in order.
func params(ft *ast.FuncType) (names []string, variadic bool) {
	for _, f := range ft.Params.List {
		if len(f.Names) == 0 {
			names = append(names, "_")
		}
		for _, n := range f.Names {
			names = append(names, n.Name)
		}
		_, variadic = f.Type.(*ast.Ellipsis)
	}
	return names, variadic
}

// asWrapper tells whether a function of this type wraps a diagnostic (hint
// and format) or an error format (format and variadic arguments).
func asWrapper(ft *ast.FuncType) (w wrapper, diagnostic, errFormat bool) {
	names, variadic := params(ft)
	w = wrapper{hint: -1, format: -1}
	for i, n := range names {
		switch n {
		case "hint":
			w.hint = i
		case "format":
			w.format = i
		}
	}
	if w.format < 0 || !variadic {
		return w, false, false
	}
	return w, w.hint >= 0, w.hint < 0
}

func (s *scanner) declarations(sf *srcFile) {
	pkg := sf.f.Name.Name
	for _, decl := range sf.f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok || len(vs.Values) != len(vs.Names) {
					continue
				}
				for i, n := range vs.Names {
					s.consts[pkg+"."+n.Name] = vs.Values[i]
				}
			}
		case *ast.FuncDecl:
			w, isDiag, isErr := asWrapper(d.Type)
			key := sf.dir + "." + d.Name.Name
			if d.Recv == nil && d.Body != nil {
				s.funcs[key] = d
			}
			if d.Recv != nil {
				key = "method:" + d.Name.Name
				w.importPath = path.Join(modulePath, sf.dir)
			}
			if isDiag {
				s.wrappers[key] = w
			} else if isErr && errorPackages[path.Base(sf.dir)] && sf.dir != "internal/verify" {
				s.fmtWraps[key] = w
			}
		}
	}
	ast.Inspect(sf.f, func(n ast.Node) bool {
		if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == gotoken.STRING {
			if v, err := strconv.Unquote(bl.Value); err == nil {
				s.literals[v] = true
			}
		}
		return true
	})
}

// calls finds the messages of one file.
func (s *scanner) calls(sf *srcFile) {
	errPkg := strings.HasPrefix(sf.dir, "internal/") && errorPackages[path.Base(sf.dir)]
	for _, decl := range sf.f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		// Closures wrapping a diagnostic or an error format, by name.
		local := map[string]wrapper{}
		localErr := map[string]wrapper{}
		// A parameter of function type func(…, string, string, ...any)
		// is a diagnostic wrapper passed in (hint, format, args).
		for _, f := range fd.Type.Params.List {
			ft, ok := f.Type.(*ast.FuncType)
			if !ok {
				continue
			}
			var types []string
			for _, p := range ft.Params.List {
				for range max(1, len(p.Names)) {
					types = append(types, types2str(p.Type))
				}
			}
			if n := len(types); n >= 3 && types[n-3] == "string" && types[n-2] == "string" && strings.HasPrefix(types[n-1], "...") {
				for _, name := range f.Names {
					local[name.Name] = wrapper{hint: n - 3, format: n - 2}
				}
			}
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
				return true
			}
			id, ok1 := as.Lhs[0].(*ast.Ident)
			fl, ok2 := as.Rhs[0].(*ast.FuncLit)
			if !ok1 || !ok2 {
				return true
			}
			if w, isDiag, isErr := asWrapper(fl.Type); isDiag {
				local[id.Name] = w
			} else if isErr {
				localErr[id.Name] = w
			}
			return true
		})
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			pos := s.pos(call)
			if w, ok := s.diagWrapper(sf, local, call); ok {
				s.diagnostic(sf, fd, call, w, pos)
				return true
			}
			if !errPkg {
				return true
			}
			if w, ok := s.errWrapper(sf, localErr, call); ok {
				s.errorFormat(sf, fd, call.Args[w.format], pos, false)
				return true
			}
			switch callee(call) {
			case "fmt.Errorf":
				if len(call.Args) > 0 {
					s.errorFormat(sf, fd, call.Args[0], pos, false)
				}
			case "errors.New":
				if len(call.Args) == 1 {
					s.errorFormat(sf, fd, call.Args[0], pos, true)
				}
			case "fmt.Sprintf":
				// A diagnostic written out with its hint.
				if len(call.Args) > 0 {
					if lit, ok := call.Args[0].(*ast.BasicLit); ok && strings.Contains(lit.Value, `\n\thint: `) {
						s.errorFormat(sf, fd, call.Args[0], pos, false)
					}
				}
			}
			return true
		})
		// Messages built by concatenation, for the dead-entry check.
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if be, ok := n.(*ast.BinaryExpr); ok && be.Op == gotoken.ADD {
				for _, p := range s.eval(sf, fd, be, true, 0) {
					s.literals[p] = true
				}
				return false
			}
			return true
		})
		// The Hint and Problem of an error shown as a diagnostic.
		if errPkg && fd.Recv != nil && (fd.Name.Name == "Hint" || fd.Name.Name == "Problem") {
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
					for _, p := range s.eval(sf, fd, r.Results[0], true, 0) {
						s.add(s.pos(r), "hint", p)
					}
				}
				return true
			})
		}
	}
}

func callee(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
		return "." + f.Sel.Name
	}
	return ""
}

func (s *scanner) diagWrapper(sf *srcFile, local map[string]wrapper, call *ast.CallExpr) (wrapper, bool) {
	var w wrapper
	var ok bool
	switch f := call.Fun.(type) {
	case *ast.Ident:
		if w, ok = local[f.Name]; !ok {
			w, ok = s.wrappers[sf.dir+"."+f.Name]
		}
	case *ast.SelectorExpr:
		w, ok = s.wrappers["method:"+f.Sel.Name]
		ok = ok && (s.pkgImports[sf.dir][w.importPath] || path.Join(modulePath, sf.dir) == w.importPath)
	}
	return w, ok && len(call.Args) > w.format && len(call.Args) > w.hint
}

func (s *scanner) errWrapper(sf *srcFile, local map[string]wrapper, call *ast.CallExpr) (wrapper, bool) {
	var w wrapper
	var ok bool
	switch f := call.Fun.(type) {
	case *ast.Ident:
		if w, ok = local[f.Name]; !ok {
			w, ok = s.fmtWraps[sf.dir+"."+f.Name]
		}
	case *ast.SelectorExpr:
		w, ok = s.fmtWraps["method:"+f.Sel.Name]
		ok = ok && path.Join(modulePath, sf.dir) == w.importPath
	}
	return w, ok && len(call.Args) > w.format
}

func (s *scanner) pos(n ast.Node) string {
	p := s.fset.Position(n.Pos())
	rel, _ := filepath.Rel(s.root, p.Filename)
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), p.Line)
}

func (s *scanner) add(pos, kind, key string) {
	if letters(key) < 4 {
		return // "%s", "%v: %s": placeholders, their arguments are messages of their own
	}
	s.uses = append(s.uses, use{pos: pos, kind: kind, key: key})
}

func (s *scanner) diagnostic(sf *srcFile, fd *ast.FuncDecl, call *ast.CallExpr, w wrapper, pos string) {
	if id, ok := call.Args[w.format].(*ast.Ident); !ok || id.Name != "format" {
		for _, f := range s.eval(sf, fd, call.Args[w.format], false, 0) {
			s.add(pos, "format", f)
		}
	}
	if w.hint < 0 {
		return
	}
	if id, ok := call.Args[w.hint].(*ast.Ident); ok && id.Name == "hint" && isParam(fd, call, "hint") {
		return // forwarded by a wrapper
	}
	for _, h := range s.eval(sf, fd, call.Args[w.hint], true, 0) {
		s.add(pos, "hint", h)
	}
}

// isParam reports whether name is a parameter of the function (or closure)
// enclosing call.
func isParam(fd *ast.FuncDecl, call *ast.CallExpr, name string) bool {
	found := false
	check := func(ft *ast.FuncType) {
		names, _ := params(ft)
		for _, n := range names {
			if n == name {
				found = true
			}
		}
	}
	check(fd.Type)
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if fl, ok := n.(*ast.FuncLit); ok && fl.Pos() <= call.Pos() && call.End() <= fl.End() {
			check(fl.Type)
		}
		return true
	})
	return found
}

// errorFormat records an error's format, one key per line, without the
// location prefixes ("%s: ", "%s:%d: ") that Translate keeps as they are.
func (s *scanner) errorFormat(sf *srcFile, fd *ast.FuncDecl, e ast.Expr, pos string, plain bool) {
	for _, f := range s.eval(sf, fd, e, plain, 0) {
		if _, skip := notUserFacing[f]; skip || strings.HasPrefix(f, "internal error") {
			continue
		}
		for _, line := range strings.Split(f, "\n") {
			line = strings.TrimLeft(line, " \t")
			line = strings.TrimPrefix(line, "hint: ")
			for {
				l := strings.TrimPrefix(strings.TrimPrefix(line, "%s:%d: "), "%s: ")
				if l == line {
					break
				}
				line = l
			}
			s.add(pos, "error", line)
		}
	}
}

// eval turns an expression into the formats it may be. text is true for
// a message already formatted (a hint), whose literal % must be doubled.
func (s *scanner) eval(sf *srcFile, fd *ast.FuncDecl, e ast.Expr, text bool, depth int) []string {
	if depth > 8 {
		return []string{"%s"}
	}
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == gotoken.STRING {
			v, _ := strconv.Unquote(x.Value)
			if text {
				v = strings.ReplaceAll(v, "%", "%%")
			}
			return []string{v}
		}
	case *ast.ParenExpr:
		return s.eval(sf, fd, x.X, text, depth+1)
	case *ast.BinaryExpr:
		if x.Op == gotoken.ADD {
			var out []string
			for _, a := range s.eval(sf, fd, x.X, text, depth+1) {
				for _, b := range s.eval(sf, fd, x.Y, text, depth+1) {
					if len(out) < maxForms {
						out = append(out, a+b)
					}
				}
			}
			return out
		}
	case *ast.Ident:
		// A local variable: each value assigned, and each value followed
		// by what += appends.
		var out, more []string
		if fd != nil && fd.Body != nil {
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				as, ok := n.(*ast.AssignStmt)
				if !ok || len(as.Lhs) != len(as.Rhs) {
					return true
				}
				for i, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == x.Name {
						v := s.eval(sf, fd, as.Rhs[i], text, depth+1)
						if as.Tok == gotoken.ADD_ASSIGN {
							more = append(more, v...)
						} else {
							out = append(out, v...)
						}
					}
				}
				return true
			})
		}
		for _, b := range more {
			for _, a := range append([]string(nil), out...) {
				if len(out) < maxForms {
					out = append(out, a+b)
				}
			}
		}
		if len(out) > 0 {
			return out
		}
		if v, ok := s.consts[sf.f.Name.Name+"."+x.Name]; ok {
			return s.eval(sf, nil, v, text, depth+1)
		}
	case *ast.SelectorExpr:
		if p, ok := x.X.(*ast.Ident); ok {
			if v, ok := s.consts[p.Name+"."+x.Sel.Name]; ok {
				return s.eval(sf, nil, v, text, depth+1)
			}
		}
	case *ast.CallExpr:
		if callee(x) == "fmt.Sprintf" && len(x.Args) > 0 {
			return s.eval(sf, fd, x.Args[0], false, depth+1)
		}
		// A function of the package returning a string: what it returns.
		if id, ok := x.Fun.(*ast.Ident); ok {
			if g := s.funcs[sf.dir+"."+id.Name]; g != nil && g.Type.Results != nil && len(g.Type.Results.List) == 1 {
				if rt, ok := g.Type.Results.List[0].Type.(*ast.Ident); ok && rt.Name == "string" {
					var out []string
					ast.Inspect(g.Body, func(n ast.Node) bool {
						if _, ok := n.(*ast.FuncLit); ok {
							return false
						}
						if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							out = append(out, s.eval(sf, g, r.Results[0], text, depth+1)...)
						}
						return true
					})
					// A function returning messages, not a number or a
					// list formatter such as count.
					for _, o := range out {
						if letters(o) >= 4 {
							return out
						}
					}
				}
			}
		}
	}
	return []string{"%s"}
}

// maxForms bounds the forms of one expression (a concatenation of
// variables each assigned several values).
const maxForms = 64

// letters counts the ASCII letters of a format's literal text.
func letters(format string) int {
	n := 0
	for _, t := range tokens(format) {
		if t.verb {
			continue
		}
		for _, r := range t.text {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				n++
			}
		}
	}
	return n
}

// samples are arguments for a format: a number for %d, an error for %w,
// else a distinctive word; and the text each is expected to show as.
func samples(format string) (args []any, shown []string) {
	i := 0
	for _, t := range tokens(format) {
		if !t.verb {
			continue
		}
		i++
		switch t.text[len(t.text)-1] {
		case 'd':
			args = append(args, 100+i)
			shown = append(shown, strconv.Itoa(100+i))
		case 'w':
			args = append(args, errors.New("zz"+strconv.Itoa(i)))
			shown = append(shown, "zz"+strconv.Itoa(i))
		case 'T':
			args = append(args, "zz")
		default:
			args = append(args, "zz"+strconv.Itoa(i))
			shown = append(shown, "zz"+strconv.Itoa(i))
		}
	}
	return args, shown
}

// catalogueFiles reads fr/*.yaml: key → the file holding it.
func catalogueFiles(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("fr", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for k := range m {
			out[k] = filepath.Base(n)
		}
	}
	return out
}

func TestEveryMessageIsTranslated(t *testing.T) {
	s := scanModule(t)
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.uses) < 300 {
		t.Fatalf("found only %d messages in the source: the scanner is broken", len(s.uses))
	}
	var missing []string
	missingKeys := map[string]bool{}
	used := map[string]bool{}
	for _, u := range s.uses {
		used[u.key] = true
		if _, ok := entries[u.key]; !ok {
			missing = append(missing, fmt.Sprintf("%s: %s %q", u.pos, u.kind, u.key))
			missingKeys[u.key] = true
			continue
		}
		args, shown := samples(u.key)
		en := fmt.Errorf(u.key, args...).Error()
		want := French.Sprintf(u.key, args...)
		if u.kind == "format" && want == en {
			t.Errorf("%s: French.Sprintf(%q) gives the English text", u.pos, u.key)
		}
		got := French.Translate(en)
		if got == en {
			t.Errorf("%s: French.Translate(%q) leaves it in English (another entry's pattern may catch it first)", u.pos, en)
			continue
		}
		for _, a := range shown {
			if !strings.Contains(got, a) {
				t.Errorf("%s: French.Translate(%q) = %q loses the argument %s", u.pos, en, got, a)
			}
		}
		if plainVerbs(u.key) && got != want {
			t.Errorf("%s: French.Translate(%q) = %q, want %q", u.pos, en, got, want)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d messages have no French entry in internal/i18n/fr/*.yaml:\n%s", len(missing), strings.Join(missing, "\n"))
		if out := os.Getenv("I18N_MISSING"); out != "" {
			var keys []string
			for k := range missingKeys {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			for _, k := range keys {
				q, _ := yaml.Marshal(k)
				fmt.Fprintf(&b, "%s: \n", strings.TrimSpace(string(q)))
			}
			os.WriteFile(out, []byte(b.String()), 0o644)
		}
	}

	// Dead entries: a key neither found as a message nor written anywhere
	// in the source as a literal.
	files := catalogueFiles(t)
	var dead []string
	for k, file := range files {
		if _, ok := derived[k]; ok || file == libraryFile || used[k] || s.literals[k] || s.literals[strings.ReplaceAll(k, "%%", "%")] {
			continue
		}
		if otherAreas[file] {
			t.Logf("%s: %q is used nowhere in the source", file, k)
			continue
		}
		dead = append(dead, fmt.Sprintf("%s: %q", file, k))
	}
	sort.Strings(dead)
	if len(dead) > 0 {
		t.Errorf("%d catalogue entries are used nowhere in the source (remove them, or fix the key):\n%s", len(dead), strings.Join(dead, "\n"))
	}
}

// plainVerbs reports whether a format's verbs all print their argument as
// Translate copies it (%s, %q, %v, %w and %d of a small number).
func plainVerbs(format string) bool {
	for _, t := range tokens(format) {
		if t.verb && !strings.Contains("sqvwd", t.text[len(t.text)-1:]) {
			return false
		}
	}
	return true
}

// packageErrors records the sentinel errors declared at package level
// (var ErrLocked = errors.New("…")) in the error packages.
func (s *scanner) packageErrors(sf *srcFile) {
	if !strings.HasPrefix(sf.dir, "internal/") || !errorPackages[path.Base(sf.dir)] {
		return
	}
	for _, decl := range sf.f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		ast.Inspect(gd, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			switch callee(call) {
			case "errors.New":
				s.errorFormat(sf, nil, call.Args[0], s.pos(call), true)
			case "fmt.Errorf":
				s.errorFormat(sf, nil, call.Args[0], s.pos(call), false)
			}
			return true
		})
	}
}

// types2str names a parameter type: "string", "...any", else "".
func types2str(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.Ellipsis:
		return "..." + types2str(t.Elt)
	}
	return ""
}
