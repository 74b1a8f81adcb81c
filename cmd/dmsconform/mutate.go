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
	register("mutate", "prove every check can fail: run the suites against each emulator defect mode, and the defect-free emulator on the virtual clock and in real time", runMutate)
}

func runMutate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("mutate", "[--modes M[,M...]] [--repeats N] [--real-time N] [--out DIR] [--markdown FILE] [--list]", stderr)
	modes := fs.String("modes", "", "defect `modes` to try, comma-separated (default: all)")
	repeats := fs.Int("repeats", 3, "identical runs of the defect-free emulator on the virtual clock that must agree (a determinism check)")
	realTime := fs.Int("real-time", 10, "runs of the defect-free standalone emulator in real time, side by side, that must each give the virtual clock's outcomes (a timing check; 0: none)")
	parallel := fs.Int("parallel", 0, "runs at once, in this process (default: the number of CPUs)")
	out := fs.String("out", "", "report `folder` (default reports/out/mutation-<UTC timestamp>)")
	md := fs.String("markdown", "", "also write the kill matrix and the proof coverage per check kind as Markdown to `FILE` (the README's tables)")
	list := fs.Bool("list", false, "list the defect modes and exit")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *list {
		runner.WriteDefectModes(stdout)
		return reports.ExitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runner.Mutate(ctx, runner.MutateOptions{Modes: splitComma(*modes), Repeats: *repeats, RealTime: *realTime, Parallel: *parallel,
		Out: *out, Markdown: *md, Stdout: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform mutate: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}
