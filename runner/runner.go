// Package runner orchestrates a dmsconform run: it resolves the target, runs the
// generated suites (compiled in through suites/all), turns Ginkgo's report into a
// reports.Run, applies known deviations and the baseline, and writes the reports.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

// Exit codes of a run (the CLI contract).
const (
	ExitOK          = 0 // conformant (with a baseline: no new failures)
	ExitNonConform  = 1 // non-conformance or new failures
	ExitUsage       = 2 // usage or configuration error
	ExitHarnessFail = 3 // target unreachable or harness error
)

// Version is the tool version written into reports (set by the CLI).
var Version = "dev"

// Options configures one run.
type Options struct {
	Config          conformance.Config
	LabelFilter     string    // Ginkgo label filter, e.g. "fault && !sdk"
	Out             string    // report folder; "" = reports/out/<target>-<UTC timestamp>
	OutRoot         string    // where the default folder and the latest link go; "" = reports/out
	Baseline        string    // an earlier report.json
	KnownDeviations string    // a known-deviations file (YAML or JSON)
	Stdout, Stderr  io.Writer // progress and summary (nil: discarded)
	Now             func() time.Time
	Verbose         bool   // Ginkgo's verbose progress instead of the succinct one
	Record          string // a folder to record every exchange into (see package record); "" = none
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

// ExitCodeOf maps an error returned by Run to its exit code.
func ExitCodeOf(err error) int {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitHarnessFail
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
	o.Config = o.Config.WithDefaults()
}

// Run runs the suites once in this process (Ginkgo allows one run per process; use
// RunIsolated for more) and writes the reports.
func Run(ctx context.Context, opts Options) (*Result, error) {
	opts.defaults()
	opts.Config = replayDefaults(opts.Config)
	if err := opts.Config.Validate(); err != nil {
		return nil, &UsageError{Err: err}
	}
	var known []reports.KnownDeviation
	if opts.KnownDeviations != "" {
		k, err := reports.LoadKnownDeviations(opts.KnownDeviations)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		known = k
	}
	var baseline *reports.Run
	if opts.Baseline != "" {
		b, err := reports.ReadJSON(opts.Baseline)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--baseline: %w", err)}
		}
		baseline = b
	}
	if err := checkLabelFilter(opts.LabelFilter); err != nil {
		return nil, &UsageError{Err: err}
	}

	started := opts.Now().UTC()
	conformance.Configure(opts.Config)
	sess, err := conformance.Current(ctx)
	if err != nil {
		var ce *conformance.ConfigError
		var ae *conformance.AccountError
		if errors.As(err, &ce) || errors.As(err, &ae) {
			return nil, &UsageError{Err: err}
		}
		return nil, &HarnessError{Err: fmt.Errorf("opening the %s target: %w", opts.Config.Target, err)}
	}
	rec, err := startRecording(opts, sess, started)
	if err != nil {
		_ = conformance.Shutdown(context.Background())
		return nil, &UsageError{Err: err}
	}
	defer rec.stop()
	if err := probe(ctx, sess); err != nil {
		_ = conformance.Shutdown(context.Background())
		return nil, &HarnessError{Err: err}
	}

	exchangesBefore := conformance.ExchangeCount()
	checks, interrupted := runSpecs(opts)
	// Clean up what the run started even when it was interrupted: a fresh context,
	// bounded, since ctx may be the cancelled one.
	cctx, cancel := context.WithTimeout(context.Background(), sess.Cfg.LifecycleTimeout+30*time.Second)
	cleanupErr := conformance.Shutdown(cctx)
	cancel()

	run := &reports.Run{
		Kind:        reports.KindTarget,
		Tool:        reports.Tool{Name: "dmsconform", Version: Version},
		Target:      reports.Target{Kind: sess.Kind, Endpoint: endpointFor(sess), Region: sess.Region, Project: sess.Project},
		Model:       reports.ModelInfo{Version: sess.Model.Version, SHA256: sess.Model.SHA256, Source: sess.Model.Source},
		Started:     started,
		Duration:    opts.Now().UTC().Sub(started),
		LabelFilter: opts.LabelFilter,
		Checks:      checks,
	}
	run.ExchangeCount = conformance.ExchangeCount() - exchangesBefore
	res := &Result{Run: run}
	if cleanupErr != nil {
		res.Warnings = append(res.Warnings, "clean-up: "+cleanupErr.Error())
	}
	if interrupted {
		res.Warnings = append(res.Warnings, "the run was interrupted; started requests were cancelled")
	}
	res.Warnings = append(res.Warnings, reports.ApplyKnown(run, known, opts.Now())...)
	if baseline != nil {
		run.Baseline = reports.Compare(baseline, run, known, opts.Now())
	}
	reports.Finalize(run)
	if err := rec.finish(run); err != nil {
		return nil, &HarnessError{Err: err}
	}

	dir, err := opts.outDir(sess.Kind, started)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	res.Dir = dir
	if err := reports.WriteAll(dir, run, reports.WithSecrets(secretsOf(sess)...)); err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("writing the reports: %w", err)}
	}
	if opts.Out == "" {
		linkLatest(opts.OutRoot, dir)
	}
	res.ExitCode = exitCode(run, interrupted)
	printSummary(opts.Stdout, res)
	return res, nil
}

func endpointFor(s *conformance.Session) string {
	if s.Kind == conformance.TargetEmbedded {
		return "127.0.0.1 (ephemeral port)"
	}
	return s.Endpoint
}

func secretsOf(s *conformance.Session) []string {
	out := []string{s.Wire.Creds.AccessKeyID, s.Wire.Creds.SecretAccessKey, s.Wire.Creds.SessionToken}
	if s.Denied != nil {
		out = append(out, s.Denied.AccessKeyID, s.Denied.SecretAccessKey, s.Denied.SessionToken)
	}
	var nonEmpty []string
	for _, x := range out {
		if x != "" {
			nonEmpty = append(nonEmpty, x)
		}
	}
	return nonEmpty
}

func (o *Options) outDir(kind string, started time.Time) (string, error) {
	if o.Out != "" {
		return o.Out, nil
	}
	return filepath.Join(o.OutRoot, fmt.Sprintf("%s-%s", kind, started.Format("20060102T150405Z"))), nil
}

// linkLatest points <root>/latest at dir (best effort: a failure costs only the link).
func linkLatest(root, dir string) {
	latest := filepath.Join(root, "latest")
	_ = os.Remove(latest)
	_ = os.Symlink(filepath.Base(dir), latest)
}

// exitCode: non-conformance (uncovered failures, or new failures against a baseline)
// is 1; otherwise an error outcome or an interrupt is 3; otherwise 0.
func exitCode(run *reports.Run, interrupted bool) int {
	if run.Baseline != nil {
		if run.Baseline.HasNewFailures() {
			return ExitNonConform
		}
	} else if reports.ConformanceExitFailures(run) > 0 {
		return ExitNonConform
	}
	if interrupted || run.Totals[reports.Error] > 0 {
		return ExitHarnessFail
	}
	return ExitOK
}

// probe makes one cheap call so an unreachable target is reported once, clearly,
// instead of as a hundred errors.
func probe(ctx context.Context, s *conformance.Session) error {
	resp, err := s.Wire.Do(ctx, conformance.WireRequest{Name: "reachability probe", Target: s.Model.Service.TargetPrefix + ".DmsconformProbe", Body: []byte("{}")})
	if err != nil {
		return fmt.Errorf("the target is unreachable: %w", err)
	}
	return conformance.CredentialProblem("reachability probe", resp)
}

var (
	reportMu  sync.Mutex
	lastSuite *types.Report
)

// The suite report is captured here; the node must exist before RunSpecs builds the tree.
var _ = ginkgo.ReportAfterSuite("dmsconform runner", func(r ginkgo.Report) {
	reportMu.Lock()
	defer reportMu.Unlock()
	lastSuite = &r
})

type fakeT struct{ failed bool }

func (t *fakeT) Fail() { t.failed = true }

// runSpecs runs the compiled-in suites and converts the result.
func runSpecs(opts Options) ([]reports.Check, bool) {
	suiteCfg, repCfg := ginkgo.GinkgoConfiguration()
	suiteCfg.LabelFilter = opts.LabelFilter
	suiteCfg.RandomizeAllSpecs = false
	// A fixed order of the families too (Ginkgo shuffles top-level containers by its
	// seed): a recording then replays, and parity compares, check by check.
	suiteCfg.RandomSeed = 1
	suiteCfg.Timeout = 24 * time.Hour
	repCfg.NoColor = true
	repCfg.Succinct = !opts.Verbose
	repCfg.Verbose = opts.Verbose
	repCfg.SilenceSkips = true
	ginkgo.RunSpecs(&fakeT{}, "dmsconform", suiteCfg, repCfg)
	reportMu.Lock()
	r := lastSuite
	reportMu.Unlock()
	if r == nil {
		return nil, true
	}
	return convert(*r), r.SpecialSuiteFailureReasons != nil && containsInterrupt(r.SpecialSuiteFailureReasons)
}

func containsInterrupt(reasons []string) bool {
	for _, r := range reasons {
		if strings.Contains(strings.ToLower(r), "interrupt") {
			return true
		}
	}
	return false
}

// convert maps Ginkgo spec reports to check results using the entries Verify wrote.
func convert(r types.Report) []reports.Check {
	catalog := map[string]conformance.Check{}
	for _, c := range all.Checks() {
		catalog[c.ID] = c
	}
	var out []reports.Check
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		chk, ok := catalog[sr.LeafNodeText]
		if !ok {
			continue
		}
		if sr.State == types.SpecStateSkipped && len(sr.ReportEntries) == 0 && sr.Failure.Message == "" {
			continue // not selected by the label filter
		}
		rc := reports.Check{CheckInfo: reports.CheckInfo{
			ID: chk.ID, Title: chk.Title, Description: chk.Description, Level: chk.Level,
			Labels: chk.Labels, Pointer: chk.Pointer, Operation: chk.Operation}, Duration: sr.RunTime,
		}
		var entry *conformance.OutcomeEntry
		for _, e := range sr.ReportEntries {
			switch e.Name {
			case conformance.EntryOutcome:
				var oe conformance.OutcomeEntry
				if entryValue(e, &oe) {
					entry = &oe
				}
			case conformance.EntryExchanges:
				var exs []conformance.Exchange
				if entryValue(e, &exs) {
					rc.Exchanges = toReportExchanges(exs)
				}
			}
		}
		rc.Outcome, rc.Message = outcomeOf(sr, entry)
		out = append(out, rc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// entryValue reads a report entry's value: the raw Go value in this process, or its
// JSON form when the report was decoded from elsewhere.
func entryValue[T any](e types.ReportEntry, out *T) bool {
	if v, ok := e.Value.GetRawValue().(T); ok {
		*out = v
		return true
	}
	return e.Value.AsJSON != "" && json.Unmarshal([]byte(e.Value.AsJSON), out) == nil
}

func toReportExchanges(exs []conformance.Exchange) []reports.Exchange {
	out := make([]reports.Exchange, len(exs))
	for i, x := range exs {
		out[i] = reports.Exchange{Name: x.Name, View: x.View, Error: x.Error, Duration: x.Duration,
			Request:  reports.HTTPMessage(x.Request),
			Response: reports.HTTPMessage(x.Response)}
	}
	return out
}

func outcomeOf(sr types.SpecReport, e *conformance.OutcomeEntry) (reports.Outcome, string) {
	switch {
	case sr.State == types.SpecStatePassed && e != nil && e.Outcome == conformance.OutcomeDrift:
		return reports.Drift, e.Message
	case sr.State == types.SpecStatePassed:
		return reports.Pass, ""
	case sr.State == types.SpecStateSkipped && e != nil && e.Outcome == conformance.OutcomeUnimplemented:
		return reports.Unimplemented, e.Message
	case sr.State == types.SpecStateSkipped:
		msg := sr.Failure.Message
		if e != nil {
			msg = e.Message
		}
		return reports.Skipped, msg
	case sr.State.Is(types.SpecStateFailureStates) && e != nil && e.Outcome == conformance.OutcomeError:
		return reports.Error, e.Message
	case sr.State == types.SpecStateInterrupted || sr.State == types.SpecStateAborted || sr.State == types.SpecStateTimedout || sr.State == types.SpecStatePanicked:
		return reports.Error, fmt.Sprintf("%s: %s", sr.State, sr.Failure.Message)
	}
	msg := sr.Failure.Message
	if e != nil && e.Message != "" {
		msg = e.Message
	}
	return reports.Fail, msg
}

func printSummary(w io.Writer, res *Result) {
	run := res.Run
	fmt.Fprintf(w, "\ndmsconform %s against %s (%s): %d checks, %d exchanges in %s\n", run.Tool.Version, run.Target.Kind, run.Target.Region, len(run.Checks), run.ExchangeCount, run.Duration.Round(time.Millisecond))
	var parts []string
	for _, o := range reports.Outcomes {
		parts = append(parts, fmt.Sprintf("%s %d", o, run.Totals[o]))
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(parts, ", "))
	for _, c := range run.Checks {
		if c.Outcome == reports.Fail || c.Outcome == reports.Error {
			known := ""
			if c.Known != nil {
				known = " (known: " + c.Known.Reason + ")"
			}
			fmt.Fprintf(w, "  %-5s %s%s\n        %s\n", c.Outcome, c.ID, known, firstLine(c.Message))
		}
	}
	if run.Baseline != nil {
		fmt.Fprintln(w)
		_ = reports.WriteComparisonText(w, run.Baseline, run)
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintf(w, "  reports: %s\n  verdict: %s (exit %d)\n", res.Dir, reports.Verdict(run), res.ExitCode)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// checkLabelFilter refuses a filter that does not parse or selects no check, naming
// the labels there are (a typo must not pass as an empty, successful run).
func checkLabelFilter(filter string) error {
	if filter == "" {
		return nil
	}
	match, err := types.ParseLabelFilter(filter)
	known := map[string]bool{}
	n := 0
	for _, f := range all.Families {
		for _, c := range f.Checks {
			labels := append([]string{f.Name, f.Operation}, c.Labels...)
			for _, l := range labels {
				known[l] = true
			}
			if err == nil && match(labels) {
				n++
			}
		}
	}
	names := make([]string, 0, len(known))
	for l := range known {
		names = append(names, l)
	}
	sort.Strings(names)
	switch {
	case err != nil:
		return fmt.Errorf("--label-filter %q: %v (labels: %s)", filter, err, strings.Join(names, ", "))
	case n == 0:
		return fmt.Errorf("--label-filter %q selects none of the %d checks: the labels are %s", filter, len(all.Checks()), strings.Join(names, ", "))
	}
	return nil
}

// ModelInfo returns the embedded model's identity (for reports that do not open a target).
func ModelInfo() reports.ModelInfo {
	m := spec.MustLoad()
	return reports.ModelInfo{Version: m.Version, SHA256: m.SHA256, Source: m.Source}
}
