package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("parity", "run the checks against a target and compare every exchange with a recording", runParity)
}

const paritySynopsis = "--recorded DIR [--target embedded|endpoint|...] [target flags] [--label-filter EXPR] [--out DIR] [--format text|json]"

func runParity(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("parity", paritySynopsis, stderr)
	cfg, envErr := bindTargetFlags(fs)
	recorded := fs.String("recorded", "", "`folder` of a recording (dmsconform run --record DIR), e.g. fixtures/recorded/embedded or a nightly AWS recording")
	labels := fs.String("label-filter", "", "Ginkgo label `expression` selecting checks (default: the recording's own filter, so the same checks run)")
	out := fs.String("out", "", "output `folder` (default reports/out/parity-<UTC timestamp>): parity.json, parity.txt, report.json/junit.xml/report.html/summary.md, run/ (the run's reports) and recording/ (its recording)")
	format := fs.String("format", "text", "stdout `format`: text or json")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dmsconform parity %s\n\n", paritySynopsis)
		fmt.Fprintln(w, "Run the same checks against a target (default: the embedded emulator), record the run, and")
		fmt.Fprintln(w, "compare every exchange with the recording: status, fault code, headers and the body's")
		fmt.Fprintln(w, "structure (members added, removed or changed, type changes) at JSON pointers. Values that")
		fmt.Fprintln(w, "normalisation marked volatile (ids, times, progress) are not compared. Prints the parity")
		fmt.Fprintln(w, "score per operation and every difference.")
		fmt.Fprintln(w, "\nExample: an emulator author checks parity with the nightly AWS recording:")
		fmt.Fprintln(w, "  dmsconform parity --recorded evidence/aws --target endpoint --endpoint http://127.0.0.1:4566 --project my-project")
		fmt.Fprintln(w, "\nExit codes: 0 every exchange matches (100% parity), 1 differences, 2 usage error or unreadable")
		fmt.Fprintln(w, "recording, 3 the target could not be run (unreachable, harness error).")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if envErr != nil {
		fmt.Fprintf(stderr, "dmsconform parity: %v\n", envErr)
		return reports.ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runner.Parity(ctx, runner.ParityOptions{Config: *cfg, Recorded: *recorded, LabelFilter: *labels, Out: *out, Format: *format, Stdout: stdout, Stderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform parity: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}
