// Package runner orchestrates dmsconform runs: it resolves the target, runs the
// preflight, has the engine gather and judge the selected checks, applies known
// deviations and the baseline, and writes the reports (and, if asked, a recording).
// Mutation, parity and offline re-judging are orchestrated here too, all in process.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// Options configures one run.
type Options struct {
	Config engine.Config
	// Target is what to run against; nil builds the target Config names (targets.New).
	Target          engine.Target
	LabelFilter     string    // Ginkgo label filter, e.g. "fault && !sdk"
	Out             string    // report folder; "" = a new folder under OutRoot
	OutRoot         string    // where default folders and the latest link go; "" = reports/out
	Baseline        string    // an earlier report.json (or the folder holding it)
	KnownDeviations string    // a known-deviations file (YAML or JSON)
	Record          string    // a folder to record the run's evidence into; "" = none
	Stdout, Stderr  io.Writer // progress and summary (nil: discarded)
	Now             func() time.Time
	// Progress: "" none, "terminal" one redrawn line, "lines" a plain line every
	// ProgressEvery (CI logs).
	Progress      string
	ProgressEvery time.Duration
	// Quiet prints only the verdict line (mutation runs many).
	Quiet bool
	// Abort, when closed, ends clean-up at once (a second SIGINT): the run says which
	// requests it left running. The first interrupt is the ctx passed to Run.
	Abort <-chan struct{}
	// Strict counts unmet SHOULD checks as failures (--strict): verdict FAIL, exit 1.
	Strict bool
}

// Result is what a run produced.
type Result struct {
	Run      *reports.Run
	Dir      string
	ExitCode int
	Warnings []string
}

// UsageError is a configuration problem: exit code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// HarnessError means the target could not be reached or the harness broke: exit code 3.
type HarnessError struct{ Err error }

func (e *HarnessError) Error() string { return e.Err.Error() }
func (e *HarnessError) Unwrap() error { return e.Err }

// InterruptedError says a signal ended the run before it could report anything (during
// the preflight): exit code 130.
type InterruptedError struct{ Err error }

func (e *InterruptedError) Error() string { return e.Err.Error() }
func (e *InterruptedError) Unwrap() error { return e.Err }

// ExitCodeOf maps an error returned by Run to its exit code.
func ExitCodeOf(err error) int {
	var ue *UsageError
	var ie *InterruptedError
	switch {
	case errors.As(err, &ue):
		return reports.ExitUsage
	case errors.As(err, &ie):
		return reports.ExitInterrupted
	}
	return reports.ExitHarnessFail
}

// classify turns an engine error into a usage or harness error.
func classify(err error) error {
	var ce *engine.ConfigError
	var ae *targets.AccountError
	if errors.As(err, &ce) || errors.As(err, &ae) {
		return &UsageError{Err: err}
	}
	return &HarnessError{Err: err}
}

func (o *Options) defaults() {
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OutRoot == "" {
		o.OutRoot = filepath.Join("reports", "out")
	}
	if o.ProgressEvery == 0 {
		o.ProgressEvery = 10 * time.Second
	}
}

// prepared is what Run checks before it opens the target.
type prepared struct {
	checks   []engine.Check
	known    []reports.KnownDeviation
	baseline *reports.Run
	dir      string // the report folder, created
	fresh    bool   // dir is a new default folder (the latest link points at it)
}

// prepare validates everything that can be checked without a target: the label
// filter, the known deviations, the baseline, and that the report and recording
// folders can be written. Nothing is started before this passes.
func prepare(opts Options, kind string) (*prepared, error) {
	p := &prepared{}
	checks, err := engine.Select(all.Families, opts.LabelFilter)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	p.checks = checks
	if opts.KnownDeviations != "" {
		if p.known, err = reports.LoadKnownDeviations(opts.KnownDeviations); err != nil {
			return nil, &UsageError{Err: err}
		}
	}
	if opts.Baseline != "" {
		if p.baseline, err = ReadReport(opts.Baseline); err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--baseline: %w", err)}
		}
	}
	if opts.Out != "" {
		if err := writableDir(opts.Out); err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--out %s: %w", opts.Out, err)}
		}
		p.dir = opts.Out
	} else {
		dir, err := newRunDir(opts.OutRoot, kind, opts.Now().UTC())
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("the report folder: %w (pass --out DIR)", err)}
		}
		p.dir, p.fresh = dir, true
	}
	if opts.Record != "" {
		if err := prepareRecording(opts.Record); err != nil {
			if p.fresh {
				os.Remove(p.dir)
			}
			return nil, &UsageError{Err: err}
		}
	}
	return p, nil
}

// ReadReport reads a report.json, or the report.json in a report folder.
func ReadReport(path string) (*reports.Run, error) {
	return reports.ReadJSON(reportPath(path))
}

// writableDir makes sure dir is (or can become) a folder this process writes into:
// its parent must exist; it must not be a file.
func writableDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return errors.New("is a file, not a folder: pass a folder")
	case errors.Is(err, os.ErrNotExist):
		parent := filepath.Dir(filepath.Clean(dir))
		if pst, perr := os.Stat(parent); perr != nil || !pst.IsDir() {
			return fmt.Errorf("its parent folder %s does not exist: create it first", parent)
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("cannot be created: %w", err)
		}
	case err != nil:
		return err
	}
	f, err := os.CreateTemp(dir, ".dmsconform-write-test-*")
	if err != nil {
		return fmt.Errorf("is not writable: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// newRunDir creates a new, unique folder <root>/<kind>-<UTC timestamp>[-N]: two runs
// started in the same second get folders of their own.
func newRunDir(root, kind string, started time.Time) (string, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	base := filepath.Join(root, fmt.Sprintf("%s-%s", kind, started.Format("20060102T150405Z")))
	for i := 1; i < 1000; i++ {
		dir := base
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", base, i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free folder name for %s", base)
}

// Run runs the selected checks against the configured target and writes the reports.
// Its console output, its reports and the message of the error it returns pass one
// redaction boundary: credentials and account ids never leave the process.
func Run(ctx context.Context, opts Options) (*Result, error) {
	red := reports.NewRedactor(opts.Config.Secrets()...)
	red.AddAccounts(opts.Config.AllowAccounts...)
	res, err := runWith(ctx, opts, red)
	return res, redactErr(err, red)
}

// redacted is an error whose message passed the run's redaction boundary; it unwraps
// to the original, so its exit code is kept.
type redacted struct {
	err error
	msg string
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

func redactErr(err error, red *reports.Redactor) error {
	if err == nil {
		return nil
	}
	// One line, printable: the message may quote what a target sent.
	return &redacted{err: err, msg: reports.Inline(red.String(err.Error()))}
}

func runWith(ctx context.Context, opts Options, red *reports.Redactor) (*Result, error) {
	opts.defaults()
	cfg := opts.Config.Resolve()
	if err := cfg.Validate(); err != nil {
		return nil, &UsageError{Err: err}
	}
	tg := opts.Target
	if tg == nil {
		var err error
		if tg, err = targets.New(cfg); err != nil {
			return nil, &UsageError{Err: err}
		}
	}
	p, err := prepare(opts, tg.TargetKind())
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok && p.fresh {
			os.RemoveAll(p.dir) // nothing was written: leave no empty folder behind
		}
	}()
	started := opts.Now().UTC()
	sess, err := engine.Open(ctx, cfg, tg)
	if err != nil {
		return nil, classify(err)
	}
	red.AddSecrets(sess.Secrets(ctx)...)
	stdout, stderr := reports.NewConsole(opts.Stdout, red), reports.NewConsole(opts.Stderr, red)
	defer stdout.Flush()
	defer stderr.Flush()
	closeSession := func() error { return cleanUp(sess, stderr, opts.Abort) }
	if err := sess.Preflight(ctx, familiesOf(p.checks)); err != nil {
		_ = closeSession()
		if ctx.Err() != nil {
			return nil, &InterruptedError{Err: fmt.Errorf("interrupted during the preflight, before any check ran (nothing was started): %w", err)}
		}
		return nil, classify(err)
	}
	if !opts.Quiet {
		fmt.Fprintf(stdout, "dmsconform %s: %d checks against %s; evidence: %s\n", ToolVersion(), len(p.checks), targetLine(sess), sess.PlanFor(p.checks).Describe())
	}
	prog := newProgress(stderr, opts.Progress, opts.ProgressEvery)
	res := engine.Run(ctx, sess, p.checks, prog.update)
	prog.done()
	cleanupErr := closeSession()

	run := runReport(opts, sess, res, started)
	out, err := finishRun(ctx, opts, p, sess, run, cleanupErr, red)
	if err != nil {
		return nil, err
	}
	ok = true
	if p.fresh {
		linkLatest(opts.OutRoot, p.dir)
	}
	out.ExitCode = reports.ExitCode(run)
	if !opts.Quiet {
		printSummary(stdout, out, cfg)
	}
	return out, nil
}

// runReport is the report of a run: what was tested, and the engine's results.
func runReport(opts Options, sess *engine.Session, res *engine.Result, started time.Time) *reports.Run {
	run := &reports.Run{
		Mode:        reports.ModeTarget,
		Tool:        Tool(),
		Target:      reports.Target{TargetKind: sess.TargetKind, Endpoint: endpointFor(sess), Region: sess.Region, Project: sess.Project},
		Model:       modelInfo(sess.Model),
		Started:     started,
		Duration:    opts.Now().UTC().Sub(started),
		LabelFilter: opts.LabelFilter,
		Checks:      res.Checks,
		Causes:      res.Causes,
		Calls:       res.Calls,
		Starts:      res.Starts,
		StartBudget: res.StartBudget,
		LostAnswers: sess.LostAnswers(),
		Cleanup:     sess.CleanupReport(),
		Interrupted: res.Interrupted,
		Phases:      map[string]time.Duration{"gather": res.Gather, "judge": res.Judge},
		Strict:      opts.Strict,
	}
	for _, n := range res.Calls {
		run.ExchangeCount += int64(n)
	}
	run.Starts, _ = sess.Starts() // clean-up may have found requests lost Starts created
	return run
}

// finishRun judges a run against the known deviations and the baseline, records its
// evidence when asked and writes its reports (redacted) into the run's folder.
func finishRun(ctx context.Context, opts Options, p *prepared, sess *engine.Session, run *reports.Run, cleanupErr error, red *reports.Redactor) (*Result, error) {
	out := &Result{Run: run, Dir: p.dir}
	if cleanupErr != nil {
		out.Warnings = append(out.Warnings, "clean-up: "+cleanupErr.Error())
		run.Warnings = append(run.Warnings, "clean-up: "+cleanupErr.Error())
	}
	out.Warnings = append(out.Warnings, reports.ApplyKnown(run, p.known, opts.Now())...)
	if p.baseline != nil {
		run.Baseline = reports.Compare(p.baseline, run, p.known, opts.Now())
	}
	reports.Finalize(run)
	if opts.Record != "" {
		if err := writeRecording(opts.Record, sess, run, red); err != nil {
			out.Warnings = append(out.Warnings, "the recording could not be written: "+err.Error())
		}
	}
	tw := time.Now()
	red.AddSecrets(sess.Secrets(ctx)...) // credentials refreshed during the run
	// The run is the caller's to read afterwards, redacted like every file of it.
	if err := reports.WriteAll(p.dir, run, reports.WithRedactor(red), reports.Owned()); err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("writing the reports: %w", err)}
	}
	run.Phases["write"] = time.Since(tw)
	return out, nil
}

func familiesOf(checks []engine.Check) []string {
	var out []string
	for _, c := range checks {
		if !contains(out, c.Family) {
			out = append(out, c.Family)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func targetLine(s *engine.Session) string {
	switch s.TargetKind {
	case engine.TargetEmbedded:
		return "the embedded emulator (virtual clock)"
	case engine.TargetAWS:
		return fmt.Sprintf("AWS DMS in %s, project %s", s.Region, s.Project)
	}
	return fmt.Sprintf("%s %s (%s), project %s", s.TargetKind, s.Endpoint, s.Region, s.Project)
}

func endpointFor(s *engine.Session) string {
	if s.TargetKind == engine.TargetEmbedded {
		return "127.0.0.1 (ephemeral port)"
	}
	return s.Endpoint
}

func modelInfo(m *spec.Model) reports.ModelInfo {
	return reports.ModelInfo{Version: m.Version, SHA256: m.SHA256, Source: m.Source}
}

// ModelInfo returns the embedded model's identity (for reports that open no target).
func ModelInfo() reports.ModelInfo { return modelInfo(spec.MustLoad()) }

// linkLatest points <root>/latest at dir (best effort: a failure costs only the link).
// The link is made under a temporary name and renamed over the old one, so a run that
// finishes later always wins.
func linkLatest(root, dir string) {
	latest := filepath.Join(root, "latest")
	tmp := fmt.Sprintf("%s.%d", latest, os.Getpid())
	_ = os.Remove(tmp)
	if err := os.Symlink(filepath.Base(dir), tmp); err != nil {
		return
	}
	if err := os.Rename(tmp, latest); err != nil {
		os.Remove(tmp)
	}
}

// exitCode: an interrupted run is 130; non-conformance (uncovered failures, or new
// failures against a baseline) is 1; otherwise an error outcome is 3; otherwise 0
// (reports.ExitCode: a merge of reports uses the same rules).
func printSummary(w io.Writer, res *Result, cfg engine.Config) {
	run := res.Run
	fmt.Fprintf(w, "\ndmsconform %s against %s: %d checks, %d API calls (%s), %d of %d starts, in %s\n",
		run.Tool.Version, reports.TargetLabel(run.Target), len(run.Checks), run.ExchangeCount, callsLine(run.Calls), run.Starts, run.StartBudget, run.Duration.Round(time.Millisecond))
	var parts []string
	for _, o := range reports.Outcomes {
		if n := run.Totals[o]; n > 0 || o == reports.Pass || o == reports.Fail {
			parts = append(parts, fmt.Sprintf("%s %d", o, n))
		}
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(parts, ", "))
	unmet := reports.UnmetShoulds(run)
	for _, c := range run.Checks {
		if (c.Outcome == reports.Fail || c.Outcome == reports.Error) && c.Cause == "" && (run.Strict || !reports.Unmet(c)) {
			known := ""
			if c.Known != nil {
				known = " (known: " + c.Known.Reason + ")"
			}
			if reports.Unmet(c) {
				known = " (SHOULD, counted by --strict)"
			}
			fmt.Fprintf(w, "  %-5s %s%s\n        %s\n", c.Outcome, c.ID, known, firstLine(c.Message))
		}
	}
	if len(unmet) > 0 && !run.Strict {
		fmt.Fprintf(w, "  unmet SHOULD (%d; listed, not counted toward the verdict: --strict counts them):\n", len(unmet))
		for _, c := range unmet {
			inferred := ""
			if c.Source.Inferred() {
				inferred = ", inferred"
			}
			fmt.Fprintf(w, "  %-5s %s (SHOULD%s)\n        %s\n", c.Outcome, c.ID, inferred, firstLine(c.Message))
		}
	}
	var causes []reports.Cause
	for _, c := range run.Causes {
		if !strings.HasPrefix(c.ID, reports.CauseNotApplicable) {
			causes = append(causes, c)
		}
	}
	if len(causes) > 0 {
		fmt.Fprintf(w, "  causes (each decided several checks; said once):\n")
		for _, c := range causes {
			fmt.Fprintf(w, "  %-13s %d check%s: %s\n", c.Outcome, c.Checks, plural(c.Checks), reports.Inline(c.Title))
		}
	}
	if groups := reports.NotApplicable(run); len(groups) > 0 {
		fmt.Fprintf(w, "  not applicable here (coverage: this kind of target can never support them; not counted toward the verdict):\n")
		for _, g := range groups {
			fmt.Fprintf(w, "  %-13s %d check%s: %s\n", "n/a", len(g.IDs), plural(len(g.IDs)), reports.Inline(g.Title))
		}
	}
	printRequests(w, run)
	if reasons := skipReasons(run); len(reasons) > 0 {
		fmt.Fprintf(w, "  skipped, by reason:\n")
		for _, r := range reasons {
			fmt.Fprintf(w, "    %3d  %s\n", r.n, r.reason)
		}
	}
	if run.Baseline != nil {
		fmt.Fprintln(w)
		_ = reports.WriteComparisonText(w, run.Baseline, run)
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", reports.Inline(warn))
	}
	if run.Interrupted {
		fmt.Fprintf(w, "  interrupted: the checks not judged are listed as skipped (cause \"interrupted\")\n")
	}
	fmt.Fprintf(w, "  reports: %s (open %s)\n", res.Dir, filepath.Join(res.Dir, reports.FileHTML))
	fmt.Fprintf(w, "  verdict: %s (exit %d)\n", reports.Verdict(run), res.ExitCode)
	if cfg.Target == engine.TargetEmbedded {
		fmt.Fprintf(w, "  next: run the same checks against your own endpoint:\n    dmsconform run --target endpoint --endpoint http://127.0.0.1:4566 --project <project>\n    (dmsconform emulate --control prints a complete command for the standalone emulator)\n")
	}
}

type reasonCount struct {
	reason string
	n      int
}

// skipReasons groups the skipped checks that no cause decided by their message.
func skipReasons(run *reports.Run) []reasonCount {
	count := map[string]int{}
	for _, c := range run.Checks {
		if c.Outcome == reports.Skipped && c.Cause == "" {
			count[firstLine(c.Message)]++
		}
	}
	var out []reasonCount
	for r, n := range count {
		out = append(out, reasonCount{r, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].reason < out[j].reason
	})
	return out
}

func callsLine(calls map[string]int) string {
	names := make([]string, 0, len(calls))
	for k := range calls {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d", n, calls[n]))
	}
	return strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// cleanUp closes the session: it cancels the requests the run started and waits for
// them (bounded by --cleanup-timeout), saying on w that it does, and stops at once when
// abort is closed (a second interrupt), naming the requests it left running.
func cleanUp(sess *engine.Session, w io.Writer, abort <-chan struct{}) error {
	if left := sess.Unsettled(); len(left) > 0 {
		again := ""
		if abort != nil {
			again = "; interrupt again to stop it at once"
		}
		fmt.Fprintf(w, "clean-up: cancelling %d request%s the run started, waiting up to %s (--cleanup-timeout) for them to end%s\n",
			len(left), plural(len(left)), sess.Cfg.CleanupTimeout, again)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sess.Cfg.CleanupTimeout+2*sess.Cfg.CallTimeout)
	defer cancel()
	aborted := make(chan struct{})
	if abort != nil {
		go func() {
			select {
			case <-abort:
				close(aborted)
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	err := sess.Close(ctx)
	select {
	case <-aborted:
		left := sess.Unsettled()
		if len(left) == 0 {
			return errors.New("clean-up was stopped by a second interrupt, after every request the run started had ended")
		}
		return fmt.Errorf("clean-up was stopped by a second interrupt: %d request%s the run started may still be running (cancel them yourself): %s",
			len(left), plural(len(left)), strings.Join(left, ", "))
	default:
	}
	return err
}
