package runner

import (
	"context"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// MutateOptions configures the mutation self-test: the checks against the embedded
// emulator once per defect mode, and repeatedly without defects, all in this process,
// side by side (a session is a value; nothing is shared between runs).
type MutateOptions struct {
	Modes    []string // defect modes to try; nil = every mode the emulator has
	Repeats  int      // defect-free runs (false positives and flakes); default 3
	Parallel int      // runs at once; default the number of CPUs
	Out      string   // report folder (required)
	Stdout   io.Writer
	Now      func() time.Time
}

// MutateResult is the kill matrix and the run written from it.
type MutateResult struct {
	Run      *reports.Run
	Dir      string
	ExitCode int
	// Survivors are the modes no check caught; FalsePositives the checks that failed
	// (or errored) without a defect; Flaky the checks whose defect-free outcome changed.
	Survivors, FalsePositives, Flaky []string
}

// killed reports whether a check's outcome under a defect shows the defect: it failed,
// or it drifted or errored where the defect-free run passed.
func killed(clean, got reports.Outcome) bool {
	switch got {
	case reports.Fail:
		return clean != reports.Fail
	case reports.Drift, reports.Error:
		return clean == reports.Pass
	}
	return false
}

// judgeEmbedded runs every check against a fresh embedded emulator with the given
// defect modes and returns the checks' results.
func judgeEmbedded(ctx context.Context, defects []string) ([]reports.Check, error) {
	sess, err := targets.Open(ctx, engine.Config{Target: engine.TargetEmbedded, Defects: defects})
	if err != nil {
		return nil, err
	}
	defer sess.Close(context.Background())
	checks, _ := engine.Select(all.Families, "")
	if err := sess.Preflight(ctx, familiesOf(checks)); err != nil {
		return nil, err
	}
	return engine.Run(ctx, sess, checks, nil).Checks, nil
}

// Mutate runs the mutation self-test.
func Mutate(ctx context.Context, opts MutateOptions) (*MutateResult, error) {
	if opts.Out == "" {
		return nil, &UsageError{Err: fmt.Errorf("mutate needs an output folder")}
	}
	if opts.Repeats <= 0 {
		opts.Repeats = 3
	}
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	known := map[string]bool{}
	var every []string
	for _, m := range emulator.DefectModes() {
		known[m.Name] = true
		every = append(every, m.Name)
	}
	modes := opts.Modes
	if len(modes) == 0 {
		modes = every
	}
	for _, m := range modes {
		if !known[m] {
			return nil, &UsageError{Err: fmt.Errorf("unknown defect mode %q: dmsconform mutate --list shows the %d modes", m, len(every))}
		}
	}
	if err := writableDir(opts.Out); err != nil {
		return nil, &UsageError{Err: fmt.Errorf("--out %s: %w", opts.Out, err)}
	}
	started := opts.Now().UTC()

	type job struct {
		name   string
		defect string
	}
	var jobs []job
	for i := 0; i < opts.Repeats; i++ {
		jobs = append(jobs, job{name: fmt.Sprintf("clean-%02d", i+1)})
	}
	for _, m := range modes {
		jobs = append(jobs, job{name: m, defect: m})
	}
	results := make([][]reports.Check, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	var printMu sync.Mutex
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var defects []string
			if j.defect != "" {
				defects = []string{j.defect}
			}
			results[i], errs[i] = judgeEmbedded(ctx, defects)
			printMu.Lock()
			fmt.Fprintf(opts.Stdout, ".")
			printMu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Fprintln(opts.Stdout)
	for i, err := range errs {
		if err != nil {
			return nil, &HarnessError{Err: fmt.Errorf("run %s: %w", jobs[i].name, err)}
		}
	}

	// Defect-free runs: the reference outcome of each check, false positives, flakes.
	ref := map[string]reports.Outcome{}
	flaky := map[string]bool{}
	fp := map[string]bool{}
	var catalog []reports.Check
	for i := 0; i < opts.Repeats; i++ {
		for _, c := range results[i] {
			if i == 0 {
				ref[c.ID] = c.Outcome
				catalog = append(catalog, c)
			} else if ref[c.ID] != c.Outcome {
				flaky[c.ID] = true
			}
			if c.Outcome == reports.Fail || c.Outcome == reports.Error {
				fp[c.ID] = true
			}
		}
	}
	matrix := &reports.KillMatrix{Modes: modes, Killed: map[string][]string{}, FalsePositives: slices.Sorted(maps.Keys(fp))}
	res := &MutateResult{FalsePositives: slices.Sorted(maps.Keys(fp)), Flaky: slices.Sorted(maps.Keys(flaky))}
	run := &reports.Run{
		Mode:   reports.ModeMutation,
		Tool:   Tool(),
		Target: reports.Target{TargetKind: "embedded", Name: "dmsconform emulator with defect modes"},
		Model:  ModelInfo(),
	}
	descr := map[string]string{}
	for _, m := range emulator.DefectModes() {
		descr[m.Name] = m.Description
	}
	for k, m := range modes {
		r := results[opts.Repeats+k]
		var by []string
		var evidence []string
		for _, c := range r {
			if killed(ref[c.ID], c.Outcome) {
				by = append(by, c.ID)
				if len(evidence) < 3 {
					evidence = append(evidence, fmt.Sprintf("%s %s: %s", c.ID, c.Outcome, firstLine(c.Message)))
				}
			}
		}
		sort.Strings(by)
		matrix.Killed[m] = by
		chk := reports.Check{CheckInfo: reports.CheckInfo{ID: "mutation." + m, Title: "defect mode " + m + " is caught",
			Description: "At least one check MUST fail (or newly drift) when the target " + descr[m] + ".",
			Level:       "MUST", Labels: []string{"mutation"}}, Outcome: reports.Pass}
		if len(by) == 0 {
			chk.Outcome = reports.Fail
			chk.Message = "no check caught this defect: a harness bug (add or sharpen a check)"
			res.Survivors = append(res.Survivors, m)
		} else {
			chk.Message = fmt.Sprintf("caught by %d check(s), e.g.\n%s", len(by), strings.Join(evidence, "\n"))
		}
		run.Checks = append(run.Checks, chk)
	}
	clean := reports.Check{CheckInfo: reports.CheckInfo{ID: "mutation.defect-free", Title: "no false positives, no flakes",
		Description: fmt.Sprintf("Against the emulator without defects no check MAY fail or error, and every check MUST have the same outcome in all %d runs.", opts.Repeats),
		Level:       "MUST", Labels: []string{"mutation"}}, Outcome: reports.Pass,
		Message: fmt.Sprintf("%d defect-free runs of %d checks", opts.Repeats, len(catalog))}
	if len(fp) > 0 || len(flaky) > 0 {
		clean.Outcome = reports.Fail
		clean.Message = fmt.Sprintf("false positives: %s; flaky: %s", strings.Join(res.FalsePositives, ", "), strings.Join(res.Flaky, ", "))
	}
	run.Checks = append(run.Checks, clean)
	run.Matrix = matrix
	run.Started = started
	run.Duration = opts.Now().UTC().Sub(started)
	reports.Finalize(run)
	if err := reports.WriteAll(opts.Out, run); err != nil {
		return nil, &HarnessError{Err: err}
	}
	res.Run, res.Dir = run, opts.Out
	if len(res.Survivors) > 0 || len(fp) > 0 || len(flaky) > 0 {
		res.ExitCode = reports.ExitNonConform
	}
	fmt.Fprintf(opts.Stdout, "mutation: %d modes, kill rate %.0f%%, %d survivors, %d false positives, %d flaky checks over %d defect-free runs\n  reports: %s\n",
		len(modes), 100*matrix.KillRate, len(res.Survivors), len(fp), len(flaky), opts.Repeats, opts.Out)
	for _, s := range res.Survivors {
		fmt.Fprintf(opts.Stdout, "  survived: %s (%s)\n", s, descr[s])
	}
	return res, nil
}

// MarkdownMatrix renders the kill matrix as a compact table (mode, description, the
// number of checks that caught it, and one of them), for the README.
func MarkdownMatrix(run *reports.Run) string {
	if run.Matrix == nil {
		return ""
	}
	descr := map[string]string{}
	for _, m := range emulator.DefectModes() {
		descr[m.Name] = m.Description
	}
	// The example killer of a mode is its most specific one: the check that catches
	// the fewest modes.
	reach := map[string]int{}
	for _, ids := range run.Matrix.Killed {
		for _, id := range ids {
			reach[id]++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| defect mode | what the target does | caught by | most specific check |\n|---|---|---|---|\n")
	for _, m := range run.Matrix.Modes {
		by := run.Matrix.Killed[m]
		eg := "**nothing: survives**"
		best := ""
		for _, id := range by {
			if best == "" || reach[id] < reach[best] {
				best = id
			}
		}
		if best != "" {
			eg = "`" + best + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %d checks | %s |\n", m, descr[m], len(by), eg)
	}
	fmt.Fprintf(&b, "\nKill rate %.0f%% over %d modes; false positives: %d.\n", 100*run.Matrix.KillRate, len(run.Matrix.Modes), len(run.Matrix.FalsePositives))
	return b.String()
}
