package main

import (
	"fmt"
	"io"

	"github.com/francebadge/blason/internal/i18n"
)

// console is what run gives every command besides its arguments: the
// language of messages and both output streams. It travels inside the
// writers (out), so that the commands keep their signature
// cmdX(args, stdout, stderr) and still speak the user's language.
type console struct {
	lang           i18n.Lang
	stdout, stderr io.Writer
	// collect, when set, receives every flag set a command parses, which
	// then stops there (blason completion reads the commands' flags so).
	collect func(*flagSet)
}

// out is a writer of a console.
type out struct {
	io.Writer
	con *console
}

// newConsole wraps stdout and stderr into writers speaking lang.
func newConsole(lang i18n.Lang, stdout, stderr io.Writer) (o, e *out) {
	c := &console{lang: lang, stdout: stdout, stderr: stderr}
	return &out{stdout, c}, &out{stderr, c}
}

// consoleOf returns w's console; a plain writer gets an English one
// writing both streams to w.
func consoleOf(w io.Writer) *console {
	if o, ok := w.(*out); ok {
		return o.con
	}
	return &console{lang: i18n.English, stdout: w, stderr: w}
}

// langOf is the language of w's messages.
func langOf(w io.Writer) i18n.Lang { return consoleOf(w).lang }

// unwrap returns the writer under an out, to check for a terminal.
func unwrap(w io.Writer) io.Writer {
	if o, ok := w.(*out); ok {
		return o.Writer
	}
	return w
}

// say writes a message, given by its English format (the key of the French
// catalogue, internal/i18n/fr/cli.yaml), in w's language, and a newline.
func say(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, langOf(w).Sprintf(format, args...))
}

// tr formats a message given by its English format in w's language.
func tr(w io.Writer, format string, args ...any) string {
	return langOf(w).Sprintf(format, args...)
}
