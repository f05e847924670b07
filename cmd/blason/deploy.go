package main

import "errors"

// cmdDeploy runs blason deploy.
func cmdDeploy(args []string, stdout, stderr *out) error {
	return errors.New("blason deploy: not written yet")
}
