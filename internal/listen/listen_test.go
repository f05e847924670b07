package listen

import (
	"net"
	"testing"
)

func TestTCP(t *testing.T) {
	ln, p, err := TCP("127.0.0.1", 0)
	if err != nil || p != Other {
		t.Fatalf("TCP on a free port: %v, %v", p, err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if _, p, err := TCP("127.0.0.1", port); p != InUse || err == nil {
		t.Errorf("TCP on a busy port: problem %v, error %v; want InUse", p, err)
	}
	// 192.0.2.1 (TEST-NET-1) is no address of this machine.
	if _, p, err := TCP("192.0.2.1", 0); p != NotHere || err == nil {
		t.Errorf("TCP on another machine's address: problem %v, error %v; want NotHere", p, err)
	}
}
