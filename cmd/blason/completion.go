package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandFlags is a command and the names of its flags, for completion.
type commandFlags struct {
	name  string // "build", "keys new"
	flags []flagDoc
}

type flagDoc struct {
	names []string // "-s", "--source"
	usage string
	value bool // takes a value
}

// allFlags reads every command's flags by running it with a console that
// collects its flag set instead of parsing.
func allFlags(con *console) []commandFlags {
	var all []commandFlags
	for _, c := range commands() {
		if c.name == "help" {
			continue
		}
		var got *flagSet
		probe := &console{lang: con.lang, stdout: io.Discard, stderr: io.Discard, collect: func(f *flagSet) { got = f }}
		runCommand(append(strings.Fields(c.name), "--help"), &out{io.Discard, probe}, &out{io.Discard, probe})
		if got == nil {
			continue
		}
		cf := commandFlags{name: c.name}
		got.visible(func(fl *flag.Flag) {
			cf.flags = append(cf.flags, flagDoc{names: got.flagNames(fl), usage: con.lang.Translate(fl.Usage), value: got.placeholder(fl) != ""})
		})
		all = append(all, cf)
	}
	return all
}

func cmdCompletion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("completion", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		say(stderr, "usage: %s", "blason completion bash|zsh|fish")
		return errUsage{errors.New("no shell")}
	}
	con := consoleOf(stdout)
	cmds := allFlags(con)
	top, keys := commandNames()
	switch fs.Arg(0) {
	case "bash":
		fmt.Fprint(stdout, bashCompletion(cmds, top, keys))
	case "zsh":
		fmt.Fprint(stdout, "#compdef blason\n# zsh completion for blason: source <(blason completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n")
		fmt.Fprint(stdout, bashCompletion(cmds, top, keys))
	case "fish":
		fmt.Fprint(stdout, fishCompletion(cmds, top, keys))
	default:
		fmt.Fprintln(stderr, "blason completion: "+con.lang.Sprintf("unknown shell %q: use bash, zsh or fish", fs.Arg(0)))
		return errUsage{errors.New("unknown shell")}
	}
	return nil
}

func bashCompletion(cmds []commandFlags, top, keys []string) string {
	var b strings.Builder
	b.WriteString(`# bash completion for blason: source <(blason completion bash)
_blason() {
    local cur="${COMP_WORDS[COMP_CWORD]}" key="${COMP_WORDS[1]}" flags=""
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "` + strings.Join(top, " ") + `" -- "$cur"))
        return
    fi
    if [[ $key == keys ]]; then
        if [[ $COMP_CWORD -eq 2 ]]; then
            COMPREPLY=($(compgen -W "` + strings.Join(keys, " ") + `" -- "$cur"))
            return
        fi
        key="keys_${COMP_WORDS[2]}"
    fi
    case "$key" in
`)
	for _, c := range cmds {
		var names []string
		for _, f := range c.flags {
			names = append(names, f.names...)
		}
		fmt.Fprintf(&b, "        %s) flags=%q ;;\n", strings.ReplaceAll(c.name, " ", "_"), strings.Join(names, " "))
	}
	b.WriteString(`    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o default -F _blason blason
`)
	return b.String()
}

func fishCompletion(cmds []commandFlags, top, keys []string) string {
	quote := func(s string) string { return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'" }
	var b strings.Builder
	b.WriteString("# fish completion for blason: blason completion fish | source\ncomplete -c blason -f\n")
	fmt.Fprintf(&b, "complete -c blason -n __fish_use_subcommand -a %s\n", quote(strings.Join(top, " ")))
	fmt.Fprintf(&b, "complete -c blason -n '__fish_seen_subcommand_from keys; and not __fish_seen_subcommand_from %s' -a %s\n", strings.Join(keys, " "), quote(strings.Join(keys, " ")))
	for _, c := range cmds {
		cond := "__fish_seen_subcommand_from " + c.name
		if sub, ok := strings.CutPrefix(c.name, "keys "); ok {
			cond = "__fish_seen_subcommand_from keys; and __fish_seen_subcommand_from " + sub
		}
		for _, f := range c.flags {
			line := "complete -c blason -n " + quote(cond)
			for _, n := range f.names {
				if strings.HasPrefix(n, "--") {
					line += " -l " + n[2:]
				} else {
					line += " -s " + n[1:]
				}
			}
			if f.value {
				line += " -r -F"
			}
			b.WriteString(line + " -d " + quote(f.usage) + "\n")
		}
	}
	return b.String()
}
