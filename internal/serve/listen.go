package serve

import (
	"fmt"
	"net"
	"strconv"

	netlisten "github.com/francebadge/blason/internal/listen"
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
	ln, problem, err := netlisten.TCP(bind, port)
	switch {
	case err == nil:
		return ln, nil
	case problem == netlisten.InUse:
		return nil, &PortInUseError{Port: port, Err: err}
	case problem == netlisten.NotHere:
		return nil, fmt.Errorf("cannot listen on %s: no network interface of this machine has the address %s; pass --bind 127.0.0.1 or one of its addresses", addr, bind)
	case problem == netlisten.Privileged:
		return nil, fmt.Errorf("cannot listen on %s: ports below 1024 need administrator rights; pass --port 1313 or another port above 1023", addr)
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
}
