package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("diff", "compare two report.json files and classify every check", runDiff)
}

const diffSynopsis = "[--known-deviations FILE] [--format text|json|markdown] OLD/report.json NEW/report.json"

// runDiff parses the flags of `dmsconform diff` (runner.Diff does the work).
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", diffSynopsis, stderr)
	knownPath := fs.String("known-deviations", "", "YAML or JSON list of expected failures `FILE` ({check, target, reason, expires}); expired entries count again")
	format := fs.String("format", "text", "output `format`: text, json or markdown")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: dmsconform diff %s\n\n", diffSynopsis)
		fmt.Fprintln(stderr, "Compare two report.json files (a folder holding report.json works too) and classify every")
		fmt.Fprintln(stderr, "check of NEW: new-failure, fixed, still-failing, new-drift, new-check, known, removed,")
		fmt.Fprintln(stderr, "unchanged. Errors never count as regressions.")
		fmt.Fprintln(stderr, "\nExit codes: 0 no new failures, 1 new failures, 2 usage error or unreadable report.")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	paths, code, done := parseDiffArgs(fs, args)
	if done {
		return code
	}
	if len(paths) != 2 {
		fmt.Fprintf(stderr, "dmsconform diff: need two reports, got %d argument(s): pass the baseline first, then the new run, e.g.\n  dmsconform diff baseline/report.json reports/out/embedded/report.json\n", len(paths))
		return reports.ExitUsage
	}
	res, err := runner.Diff(runner.DiffOptions{Baseline: paths[0], Current: paths[1], KnownDeviations: *knownPath, Format: *format, Stdout: stdout, Stderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform diff: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}

// parseDiffArgs parses flags that may come before, between or after the two
// positional paths (parseFlags rejects positional arguments). Everything after "--"
// is positional.
func parseDiffArgs(fs *flag.FlagSet, args []string) (paths []string, code int, done bool) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, reports.ExitOK, true
			}
			return nil, reports.ExitUsage, true
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return append(paths, tail...), 0, false
}
