package serve

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// PortInUseError is returned by Run when another process listens on the
// port asked for (another blason serve, often).
type PortInUseError struct {
	Port int
	Err  error // the bind error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d is already in use (another blason serve?): stop it or pass --port 0 / --port N", e.Port)
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// listen listens on bind:port, telling a busy port and an address that is
// not this machine's apart from other failures.
func listen(bind string, port int) (net.Listener, error) {
	addr := net.JoinHostPort(bind, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case addrInUse(err):
		return nil, &PortInUseError{Port: port, Err: err}
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("cannot listen on %s: no network interface of this machine has the address %s; pass --bind 127.0.0.1 or one of its addresses", addr, bind)
	case errors.Is(err, syscall.EACCES) && port > 0 && port < 1024:
		return nil, fmt.Errorf("cannot listen on %s: ports below 1024 need administrator rights; pass --port 1313 or another port above 1023", addr)
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
}

// addrInUse reports whether err is a listen error for an address another
// socket holds.
func addrInUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	// Windows reports WSAEADDRINUSE, which syscall does not map.
	s := err.Error()
	return strings.Contains(s, "address already in use") || strings.Contains(s, "Only one usage of each socket address")
}
