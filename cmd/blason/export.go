package main

import "errors"

// cmdExport runs blason export.
func cmdExport(args []string, stdout, stderr *out) error {
	return errors.New("blason export: not written yet")
}
