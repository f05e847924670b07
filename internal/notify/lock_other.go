//go:build !unix

package notify

// lockFile does not lock on systems without flock.
func lockFile(name string) (func(), error) { return func() {}, nil }
