package main

import "errors"

// cmdNotify runs blason notify.
func cmdNotify(args []string, stdout, stderr *out) error {
	return errors.New("blason notify: not written yet")
}
