package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
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
		for _, m := range emulator.DefectModes() {
			fmt.Fprintf(stdout, "%-28s %s\n", m.Name, m.Description)
		}
		return reports.ExitOK
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("reports", "out", "mutation-"+time.Now().UTC().Format("20060102T150405Z"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := runner.Mutate(ctx, runner.MutateOptions{Modes: splitComma(*modes), Repeats: *repeats, RealTime: *realTime, Parallel: *parallel, Out: dir, Stdout: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform mutate: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	if *md != "" {
		if err := os.WriteFile(*md, []byte(runner.MarkdownMatrix(res.Run)), 0o644); err != nil {
			fmt.Fprintf(stderr, "dmsconform mutate: writing %s: %v\n", *md, err)
			return reports.ExitHarnessFail
		}
	}
	return res.ExitCode
}
