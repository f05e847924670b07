package publish

import (
	"syscall"
	"testing"
)

func TestUmaskIsTheProcessUmask(t *testing.T) {
	old := syscall.Umask(0o022) // umask(2) can only be read by setting it
	syscall.Umask(old)
	if got := umask(); got != uint32(old) {
		t.Errorf("umask() = %#o, want %#o", got, old)
	}
}
