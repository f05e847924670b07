//go:build !unix

package safefs

// Without O_NOFOLLOW, the checks before opening (Lstat of every component)
// and the comparison after it (os.SameFile) are what refuse links.
const openFlags = 0

func isLoop(error) bool { return false }
