package main

import (
	"fmt"
	"io"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("model", "print the operations, shapes, unions and documented value sets of the model", runModel)
}

func runModel(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("model", "[--json] [--spec FILE]", stderr)
	asJSON := fs.Bool("json", false, "print the model as JSON")
	path := fs.String("spec", "", "read the model from `FILE` instead of the embedded spec/dms.openapi.yaml")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if err := runner.WriteModel(stdout, *path, *asJSON); err != nil {
		fmt.Fprintf(stderr, "dmsconform model: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return reports.ExitOK
}
