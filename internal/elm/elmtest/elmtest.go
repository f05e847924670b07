// Package elmtest validates European Learning Model credentials in tests
// against the official EDC SHACL shapes pinned in internal/elm/testdata,
// with the independent validator of tools/elmvalidate (Node: jsonld.js and
// rdf-validate-shacl). The test skips when Node or the validator is missing,
// and fails under CI=true.
package elmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/elm"
)

// Result is one SHACL validation result.
type Result struct {
	Severity, Focus, Path, Message, Shape string
}

// Report is what the validator says of one file.
type Report struct {
	File     string   `json:"file"`
	Conforms bool     `json:"conforms"`
	Triples  int      `json:"triples"`
	Results  []Result `json:"results"`
}

// Validate validates the JSON-LD files, in order. The error is the
// validator's failure (e.g. a term the contexts do not define: JSON-LD safe
// mode), with its message.
func Validate(t testing.TB, files ...string) ([]Report, error) {
	t.Helper()
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	node, dir := demotest.Node(t, root, "tools/elmvalidate", "rdf-validate-shacl", "jsonld", "n3", "credentials-context")
	official := filepath.Join(root, "internal", "elm", "testdata", "official")
	args := []string{filepath.Join(dir, "validate.mjs"),
		"--context", elm.EDCContext + "=" + filepath.Join(official, "edc-ap-context.jsonld"),
		"--shapes", filepath.Join(official, "EDC-generic-no-cv.ttl"),
		"--shapes", filepath.Join(official, "EDC-generic-full.ttl")}
	cmd := exec.Command(node, append(args, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr.Bytes())
	}
	var reports []Report
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var r Report
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("validator output %q: %v", line, err)
		}
		reports = append(reports, r)
	}
	if len(reports) != len(files) {
		return nil, fmt.Errorf("%d reports for %d files", len(reports), len(files))
	}
	return reports, nil
}
