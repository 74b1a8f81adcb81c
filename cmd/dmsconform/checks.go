package main

import (
	"fmt"
	"io"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("checks", "print the catalog of every check (the families' and the SDK fixture checks)", runChecks)
}

func runChecks(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("checks", "[--format text|json|markdown] [--label-filter EXPR]", stderr)
	format := fs.String("format", "text", "output `format`: text, json or markdown (markdown is suites/CHECKS.md)")
	filter := fs.String("label-filter", "", "only the family checks a Ginkgo label `expression` selects, as dmsconform run --label-filter does (SDK fixture checks are listed without a filter)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if err := runner.WriteChecks(stdout, *format, *filter); err != nil {
		fmt.Fprintf(stderr, "dmsconform checks: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return reports.ExitOK
}
