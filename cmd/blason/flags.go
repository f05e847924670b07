package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/francebadge/blason/internal/i18n"
)

// flagSet is a command's flags: the standard flag package (which takes
// --name as well as -name) with other names for a flag (-s and --source),
// shown together in the command's help; help and errors are written in the
// console's language.
type flagSet struct {
	*flag.FlagSet
	cmd     string // "build", "keys new"
	con     *console
	names   map[string][]string // a flag's other names shown in the help
	aliasOf map[string]string   // other name (shown or hidden) → flag name
	config  *string             // --config, on the commands reading the site
	meta    map[string]string   // a flag's value name in the help
}

func newFlags(name string, stderr io.Writer) *flagSet {
	f := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), cmd: name, con: consoleOf(stderr),
		names: map[string][]string{}, aliasOf: map[string]string{}, meta: map[string]string{"lang": "fr|en"}}
	// Parse reports errors itself, in the console's language.
	f.SetOutput(io.Discard)
	f.Usage = func() {}
	f.Var(langValue{}, "lang", "language of messages: fr or en (default: BLASON_LANG, then LC_ALL, LC_MESSAGES, LANG)")
	return f
}

// alias gives the flag name other names, shown in the help.
func (f *flagSet) alias(name string, others ...string) {
	f.addNames(name, others)
	f.names[name] = append(f.names[name], others...)
}

// hide gives the flag name other names left out of the help.
func (f *flagSet) hide(name string, others ...string) { f.addNames(name, others) }

func (f *flagSet) addNames(name string, others []string) {
	fl := f.Lookup(name)
	for _, o := range others {
		f.Var(fl.Value, o, fl.Usage)
		f.aliasOf[o] = name
	}
}

// source defines --source/-s, the site folder.
func (f *flagSet) source(p *string, usage string) {
	f.StringVar(p, "source", ".", usage)
	f.alias("source", "s")
}

// destination defines --destination/-d.
func (f *flagSet) destination(p *string, def, usage string) {
	f.StringVar(p, "destination", def, usage)
	f.alias("destination", "d")
}

// baseURL defines --baseURL/-b (Hugo's spelling; --baseurl and --base-url too).
func (f *flagSet) baseURL(p *string, usage string) {
	f.StringVar(p, "baseURL", "", usage)
	f.alias("baseURL", "b")
	f.value("baseURL", "URL")
	f.hide("baseURL", "baseurl", "base-url")
}

// withConfig defines --config on a command that reads the site's
// configuration: Parse passes it on as BLASON_CONFIG (internal/config).
func (f *flagSet) withConfig() {
	f.config = f.String("config", "", "configuration file to read instead of SOURCE/blason.yaml or blason.yml (relative to the current folder; also BLASON_CONFIG)")
	f.value("config", "FILE")
}

// errHelp is returned by Parse once it has printed the help asked for.
var errHelp = flag.ErrHelp

// Parse parses the flags; -h/--help prints the command's help on stdout.
func (f *flagSet) Parse(args []string) error {
	if f.con.collect != nil {
		f.con.collect(f)
		return errUsage{errHelp}
	}
	err := f.FlagSet.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.printHelp(f.con.stdout)
		return errUsage{errHelp}
	case err != nil:
		l := f.con.lang
		fmt.Fprintf(f.con.stderr, "blason %s: %s\n", f.cmd, l.Translate(err.Error()))
		fmt.Fprintln(f.con.stderr, l.Sprintf("run %q to see its flags", "blason "+f.cmd+" --help"))
		return errUsage{err}
	}
	if f.config != nil && *f.config != "" {
		// Relative to the current folder, like BLASON_CONFIG; the command
		// passes it on in its options (build.Options.Config…).
		p, err := filepath.Abs(*f.config)
		if err != nil {
			return err
		}
		*f.config = p
	}
	return nil
}

// configFile is the --config file, absolute, or "" when not given.
func (f *flagSet) configFile() string {
	if f.config == nil {
		return ""
	}
	return *f.config
}

// parse parses flags that take no other argument.
func parse(fs *flagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.con.stderr, "blason %s: %s\n", fs.cmd, fs.con.lang.Sprintf("unexpected argument %q", fs.Arg(0)))
		return errUsage{errors.New("unexpected argument")}
	}
	return nil
}

// flagNames lists every name of the flag fl: short ones first, then its
// name, then its other long names.
func (f *flagSet) flagNames(fl *flag.Flag) []string {
	names := append([]string{fl.Name}, f.names[fl.Name]...)
	sort.SliceStable(names, func(i, j int) bool { return len(names[i]) == 1 && len(names[j]) > 1 })
	for i, n := range names {
		if len(n) == 1 {
			names[i] = "-" + n
		} else {
			names[i] = "--" + n
		}
	}
	return names
}

// visible calls fn for each flag shown in the help, in name order.
func (f *flagSet) visible(fn func(fl *flag.Flag)) {
	f.VisitAll(func(fl *flag.Flag) {
		if _, ok := f.aliasOf[fl.Name]; !ok {
			fn(fl)
		}
	})
}

// printHelp writes the command's synopsis, description and flags.
func (f *flagSet) printHelp(w io.Writer) {
	l := f.con.lang
	if c, ok := findCommand(f.cmd); ok {
		fmt.Fprintf(w, "%s %s\n\n", l.Sprintf("Usage:"), c.synopsis)
		fmt.Fprintln(w, wrap(l.Translate(c.text), "  ", 78))
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, l.Sprintf("Flags:"))
	f.visible(func(fl *flag.Flag) {
		line := "  " + strings.Join(f.flagNames(fl), ", ")
		if p := f.placeholder(fl); p != "" {
			line += " " + p
		}
		fmt.Fprintln(w, line)
		text := l.Translate(fl.Usage)
		if d := fl.DefValue; d != "" && d != "false" && d != "0" && d != "0s" {
			text += " " + l.Sprintf("(default: %s)", d)
		}
		fmt.Fprintln(w, wrap(text, "        ", 78))
	})
	fmt.Fprintln(w)
	fmt.Fprintln(w, l.Sprintf("Every flag may be written with one dash or two (-source or --source)."))
}

// placeholder names a flag's value in the help: empty for a switch.
func (f *flagSet) placeholder(fl *flag.Flag) string {
	switch kind, _ := flag.UnquoteUsage(fl); kind {
	case "":
		return ""
	case "duration":
		return "DURATION"
	}
	if p, ok := f.meta[fl.Name]; ok {
		return p
	}
	return strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
}

// value names the value of the flag name in the help (--config FILE).
func (f *flagSet) value(name, placeholder string) { f.meta[name] = placeholder }

// wrap fills text into lines of at most width runes, each starting with indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		if i == 0 || n+1+len([]rune(word)) > width {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(indent)
			b.WriteString(word)
			n = len([]rune(indent)) + len([]rune(word))
			continue
		}
		b.WriteByte(' ')
		b.WriteString(word)
		n += 1 + len([]rune(word))
	}
	return b.String()
}

// langValue is the --lang flag: run has read it already (scanLang), so
// that even flag errors are in that language; Set only checks it.
type langValue struct{}

func (langValue) String() string { return "" }
func (langValue) Set(s string) error {
	if _, ok := parseLang(s); !ok {
		return fmt.Errorf("use fr or en")
	}
	return nil
}

// parseLang reads a --lang value.
func parseLang(s string) (i18n.Lang, bool) {
	switch strings.ToLower(s) {
	case "fr", "en":
		return i18n.Parse(s)
	}
	return i18n.English, false
}

// scanLang finds the value of a --lang flag among args (before "--"), so
// that the language is known before any flag is parsed.
func scanLang(args []string) (value string, found bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "lang" {
			continue
		}
		if hasValue {
			return v, true
		}
		if i+1 < len(args) {
			return args[i+1], true
		}
		return "", true
	}
	return "", false
}
