package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("judge", "re-judge a recording offline: this build's checks, the recorded evidence, no network", runJudge)
}

const judgeSynopsis = "[--label-filter EXPR] [--out DIR] [--known-deviations FILE] [--baseline FILE|DIR] [--strict] RECORDING_DIR"

func runJudge(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("judge", judgeSynopsis, stderr)
	labels := fs.String("label-filter", "", "Ginkgo label `expression` selecting checks (default: all)")
	out := fs.String("out", "", "report `folder` (default a new folder reports/out/judge-<UTC timestamp>)")
	known := fs.String("known-deviations", "", "YAML/JSON `file` of expected failures")
	baseline := fs.String("baseline", "", "an earlier report.json (or its folder) to classify against")
	strict := fs.Bool("strict", false, strictHelp)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dmsconform judge %s\n\n%s.\n\n", judgeSynopsis, commands["judge"].summary)
		fmt.Fprintln(w, "A recording (dmsconform run --record DIR) holds the evidence of a run, per evidence script.")
		fmt.Fprintln(w, "judge applies this build's checks to it and writes the same reports as run: the outcomes of")
		fmt.Fprintln(w, "the recorded run, or, with a newer dmsconform, the newer checks' verdicts on the old evidence.")
		fmt.Fprintln(w, "Checks whose evidence the recording lacks are skipped with that reason.")
		fmt.Fprintln(w, "\nExit codes: as dmsconform run (0 conformant, 1 non-conformance, 2 usage error or unreadable recording, 3 harness error).")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	flagArgs, rest := splitPositional(args)
	if code, done := parseFlags(fs, flagArgs); done {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprintf(stderr, "dmsconform judge: pass one recording folder (got %d arguments), e.g. dmsconform judge fixtures/recorded/embedded\n", len(rest))
		return reports.ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runner.Judge(ctx, runner.JudgeOptions{Recording: rest[0], LabelFilter: *labels, Out: *out, KnownDeviations: *known, Baseline: *baseline, Strict: *strict, Stdout: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform judge: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}

// splitPositional separates flags from positional arguments wherever they stand: the
// flag package stops at the first positional one.
func splitPositional(args []string) (flags, positional []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(positional, args[i+1:]...)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			if !containsEq(a) && i+1 < len(args) && takesValue(a) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			positional = append(positional, a)
		}
	}
	return flags, positional
}

func containsEq(s string) bool {
	for _, c := range s {
		if c == '=' {
			return true
		}
	}
	return false
}

// takesValue: every flag of judge but -h/--help and --strict takes a value.
func takesValue(flag string) bool {
	return flag != "-h" && flag != "--help" && flag != "-help" && strings.TrimLeft(flag, "-") != "strict"
}
