package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func init() {
	register("run", "run the conformance checks against a target and write reports", runRun)
}

// bindTargetFlags binds every target setting (engine.Settings: flag, environment
// variable, help and defaults declared once) onto a Config filled from the environment.
func bindTargetFlags(fs *flag.FlagSet) (*engine.Config, error) {
	cfg, err := engine.ConfigFromEnv(nil)
	for _, s := range engine.Settings {
		fs.Var(s.Value(&cfg), s.Flag, s.Help())
	}
	return &cfg, err
}

const runSynopsis = "[--target embedded|endpoint|aws|replay:DIR] [--endpoint URL] [--region R] [--profile P] [--access-key-id K --secret-access-key S [--session-token T]] [--project NAME_OR_ARN] [--denied-access-key-id K --denied-secret-access-key S | --denied-profile P] [--control URL] [--allow-account ID[,ID...]] [--label-filter EXPR] [--out DIR] [--baseline FILE|DIR] [--known-deviations FILE] [--record DIR] [--progress auto|terminal|lines|off] [--strict] [timing and budget flags: --call-timeout --lifecycle-timeout --consistency-grace --cleanup-timeout --min-delay --max-delay --max-starts --max-rate --max-attempts --retry-budget --parallel]"

// strictHelp is the --strict flag of run and judge.
const strictHelp = "count unmet SHOULD checks as failures (verdict FAIL, exit 1); without it they are listed in every report, and only MUST failures fail the run"

const runExitCodes = `Exit codes: 0 conformant (with --baseline: no new failures; PARTIAL runs too; unmet SHOULDs
alone too, unless --strict), 1 non-conformance: a MUST check fails (or new MUST failures against
--baseline; with --strict, SHOULD failures count too), 2 usage or configuration error (found before anything
runs: a wrong flag, an unknown project, an unusable --out, missing credentials), 3 the target
is unreachable, rejected the credentials or stopped answering, or the harness broke,
130 interrupted (SIGINT/SIGTERM: started requests are cancelled, the reports say so).`

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", runSynopsis, stderr)
	cfg, envErr := bindTargetFlags(fs)
	labels := fs.String("label-filter", "", "Ginkgo label `expression` selecting checks, e.g. 'fault', 'union || enum', '!lifecycle' (dmsconform checks lists the labels)")
	out := fs.String("out", "", "report `folder` (default a new folder reports/out/<target>-<UTC timestamp>, with reports/out/latest pointing at it)")
	baseline := fs.String("baseline", "", "an earlier report.json (or its folder): classify every check and exit 1 only for new failures")
	known := fs.String("known-deviations", "", "YAML/JSON `file` of expected failures (check, target, reason, expires)")
	record := fs.String("record", "", "record the run's evidence, normalised and redacted, into `folder` (re-judge it with dmsconform judge DIR, serve it with --target replay:DIR, compare with dmsconform parity)")
	progress := fs.String("progress", "auto", "progress display: auto (a line redrawn on a terminal, a line every 10s otherwise), terminal, lines or off")
	strict := fs.Bool("strict", false, strictHelp)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dmsconform run %s\n\n%s.\n\n%s\n\nFlags (each falls back to its DMSCONFORM_* variable):\n", runSynopsis, commands["run"].summary, runExitCodes)
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if envErr != nil {
		fmt.Fprintf(stderr, "dmsconform run: %v\n", envErr)
		return reports.ExitUsage
	}
	mode, err := progressMode(*progress, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform run: %v\n", err)
		return reports.ExitUsage
	}
	ctx, abort, stop := interrupts(stderr)
	defer stop()
	res, err := runner.Run(ctx, runner.Options{Config: *cfg, LabelFilter: *labels, Out: *out, Baseline: *baseline,
		KnownDeviations: *known, Stdout: stdout, Stderr: stderr, Record: *record, Progress: mode, Abort: abort, Strict: *strict})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform run: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}

// interrupts is how a run takes SIGINT and SIGTERM: the first ends the run (ctx is
// cancelled; the run cancels what it started and writes its reports), the second ends
// its clean-up at once (abort is closed; the run names what it left running), and
// after that the signals' default action is back (a third ends the process).
func interrupts(stderr io.Writer) (ctx context.Context, abort <-chan struct{}, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ab := make(chan struct{})
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case sig := <-sigs:
				if n == 1 {
					fmt.Fprintf(stderr, "\ndmsconform: %v: stopping the run; it cancels what it started and writes its reports (interrupt again to stop clean-up at once)\n", sig)
					cancel()
					continue
				}
				fmt.Fprintf(stderr, "\ndmsconform: %v again: stopping clean-up now\n", sig)
				close(ab)
				signal.Stop(sigs)
				return
			}
		}
	}()
	var once sync.Once
	return ctx, ab, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel()
		})
	}
}

// progressMode resolves --progress: auto is a redrawn line on a terminal, periodic
// lines otherwise.
func progressMode(flagValue string, stderr io.Writer) (string, error) {
	switch flagValue {
	case "off":
		return "", nil
	case "terminal", "lines":
		return flagValue, nil
	case "auto", "":
		if isTerminal(stderr) {
			return "terminal", nil
		}
		return "lines", nil
	}
	return "", fmt.Errorf("--progress %q: use auto, terminal, lines or off", flagValue)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
