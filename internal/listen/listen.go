// Package listen binds the TCP listeners of blason serve and blason claim,
// telling apart the failures a user can fix (a busy port, an address that
// is not this machine's, a privileged port) so that each command words the
// fix with its own flags.
package listen

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// Problem is why a listen failed, when the user can fix it.
type Problem int

// The problems told apart.
const (
	Other      Problem = iota // another error: report it as it is
	InUse                     // another process listens on the port
	NotHere                   // no network interface has the address
	Privileged                // a port below 1024 without the right
)

// TCP listens on host:port. When it fails, the problem says why, where
// the user can do something about it.
func TCP(host string, port int) (net.Listener, Problem, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	switch {
	case err == nil:
		return ln, Other, nil
	case inUse(err):
		return nil, InUse, err
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, NotHere, err
	case errors.Is(err, syscall.EACCES) && port > 0 && port < 1024:
		return nil, Privileged, err
	}
	return nil, Other, err
}

// inUse reports whether err is a listen error for an address another
// socket holds.
func inUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	// Windows reports WSAEADDRINUSE, which syscall does not map.
	s := err.Error()
	return strings.Contains(s, "address already in use") || strings.Contains(s, "Only one usage of each socket address")
}
