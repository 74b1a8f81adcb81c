package runner

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// MutateOptions configures the mutation self-test: the checks against the embedded
// emulator once per defect mode, and without defects several times on the virtual
// clock (identical runs: a determinism check) and in real time, all in this process,
// side by side (a session is a value; nothing is shared between runs).
type MutateOptions struct {
	Modes []string // defect modes to try; nil = every mode the emulator has
	// Repeats is how many identical runs of the defect-free emulator on the virtual
	// clock must agree (a determinism check, not a timing one); default 3.
	Repeats int
	// RealTime is how many runs of the defect-free standalone emulator, served on a
	// loopback port in real time, run side by side and must each give every check the
	// virtual clock's outcome (a timing check); 0 = none.
	RealTime int
	// RealTimeStep is the real-time emulator's lifecycle step (default 40ms); the
	// runs poll four times a step, so a state lasting a step is never missed.
	RealTimeStep time.Duration
	Parallel     int // virtual-clock runs at once; default the number of CPUs
	// Families is the catalog under test; nil = every generated family (all.Families).
	Families []engine.Family
	// Model is the model the emulator serves and the harness reads; nil = the
	// embedded one (a test's model with a family more, for its checks in Families).
	Model *spec.Model
	// Out is the report folder ("" = <OutRoot>/mutation-<UTC timestamp>; OutRoot ""
	// = reports/out); Markdown, when set, a file to write the README's tables to
	// (MarkdownMatrix).
	Out, OutRoot, Markdown string
	Stdout                 io.Writer
	Now                    func() time.Time
}

// MutateResult is the kill matrix and the run written from it.
type MutateResult struct {
	Run      *reports.Run
	Dir      string
	ExitCode int
	// Survivors are the modes no check caught; FalsePositives the checks that failed
	// (or errored) without a defect; Nondeterministic the checks whose outcome changed
	// between identical virtual-clock runs; RealTimeDiffers the checks whose outcome in
	// a real-time run was not the virtual clock's (other than an honest skip in some of
	// the runs); RealTimeSkips the checks some real-time runs skipped where the virtual
	// clock passed (a state the polls of a loaded machine did not see: by design).
	Survivors, FalsePositives, Nondeterministic, RealTimeDiffers, RealTimeSkips []string
	// Unproven are the checks no mode killed and whose kind declares no reason;
	// Stale the checks declared table-tests-only that a mode killed all the same.
	Unproven, Stale []string
}

// killed reports whether a check's outcome under a defect shows that its judge saw
// the defect: it failed where the defect-free run did not, or drifted where the
// defect-free run passed. An error is the harness or the infrastructure breaking,
// and a skip sees nothing: neither kills.
func killed(clean, got reports.Outcome) bool {
	switch got {
	case reports.Fail:
		return clean != reports.Fail
	case reports.Drift:
		return clean == reports.Pass
	}
	return false
}

// defaultRealTimeStep is the real-time emulator's step: short enough that ten runs
// side by side take a few seconds, long enough that polls four times a step see every
// state on a loaded machine.
const defaultRealTimeStep = 40 * time.Millisecond

// judgeOn runs every check of fams against the target cfg names and returns the
// checks' results.
func judgeOn(ctx context.Context, cfg engine.Config, fams []engine.Family) ([]reports.Check, error) {
	sess, err := targets.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer sess.Close(context.Background())
	checks, _ := engine.Select(fams, "")
	if err := sess.Preflight(ctx, familiesOf(checks)); err != nil {
		return nil, err
	}
	return engine.Run(ctx, sess, checks, nil).Checks, nil
}

// judgeRealTime runs every check of fams against the defect-free standalone emulator,
// served on a loopback port and running on the wall clock with lifecycle steps of
// step, polled four times a step.
func judgeRealTime(ctx context.Context, m *spec.Model, fams []engine.Family, step time.Duration) ([]reports.Check, error) {
	srv, err := emulator.Start(emulator.Config{StepDuration: step, Control: true, Model: m})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	return judgeOn(ctx, engine.Config{Target: engine.TargetEndpoint, Endpoint: srv.URL, Project: emulator.DefaultProject,
		Control: srv.URL + emulator.ControlPrefix, DeniedAccessKeyID: emulator.DeniedAccessKeyID, DeniedSecretAccessKey: emulator.DeniedSecretAccessKey,
		MinDelay: step / 8, MaxDelay: step / 4, Model: m}, fams)
}

// mutateJob is one run of the self-test.
type mutateJob struct {
	name     string
	defect   string // "" for a defect-free run
	realTime bool   // the standalone emulator in real time, not the embedded one
}

// Mutate runs the mutation self-test: the jobs side by side, then the kill matrix,
// every check's proof and the defect-free runs' agreement, as a report in Out (and,
// with Markdown, the README's tables).
func Mutate(ctx context.Context, opts MutateOptions) (*MutateResult, error) {
	modes, every, err := opts.prepare()
	if err != nil {
		return nil, err
	}
	started := opts.Now().UTC()
	var jobs []mutateJob
	for i := 0; i < opts.Repeats; i++ {
		jobs = append(jobs, mutateJob{name: fmt.Sprintf("virtual-clock-%02d", i+1)})
	}
	for _, m := range modes {
		jobs = append(jobs, mutateJob{name: m, defect: m})
	}
	for i := 0; i < opts.RealTime; i++ {
		jobs = append(jobs, mutateJob{name: fmt.Sprintf("real-time-%02d", i+1), realTime: true})
	}
	results, err := runMutateJobs(ctx, jobs, opts)
	if err != nil {
		return nil, err
	}
	res, err := mutationRun(opts, modes, len(modes) < len(every), jobs, results)
	if err != nil {
		return nil, err
	}
	res.Run.Started = started
	res.Run.Duration = opts.Now().UTC().Sub(started)
	reports.Finalize(res.Run)
	if err := reports.WriteAll(opts.Out, res.Run); err != nil {
		return nil, &HarnessError{Err: err}
	}
	if opts.Markdown != "" {
		if err := os.WriteFile(opts.Markdown, []byte(MarkdownMatrix(res.Run)), 0o644); err != nil {
			return nil, &HarnessError{Err: fmt.Errorf("writing %s: %w", opts.Markdown, err)}
		}
	}
	res.Dir = opts.Out
	for _, c := range res.Run.Checks {
		if c.Outcome == reports.Fail {
			res.ExitCode = reports.ExitNonConform
		}
	}
	printMutation(opts, res, len(modes))
	return res, nil
}

// prepare fills in the defaults and checks the modes and the folder; it returns the
// modes to try and every mode the emulator has.
func (opts *MutateOptions) prepare() (modes, every []string, err error) {
	o := Options{Stdout: opts.Stdout, Now: opts.Now, OutRoot: opts.OutRoot}
	o.defaults()
	opts.Stdout, opts.Now, opts.OutRoot = o.Stdout, o.Now, o.OutRoot
	if opts.Out == "" {
		opts.Out = filepath.Join(opts.OutRoot, "mutation-"+opts.Now().UTC().Format("20060102T150405Z"))
	}
	if opts.Repeats <= 0 {
		opts.Repeats = 3
	}
	if opts.RealTimeStep <= 0 {
		opts.RealTimeStep = defaultRealTimeStep
	}
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Families == nil {
		opts.Families = all.Families
	}
	known := map[string]bool{}
	for _, m := range emulator.DefectModes() {
		known[m.Name] = true
		every = append(every, m.Name)
	}
	modes = opts.Modes
	if len(modes) == 0 {
		modes = every
	}
	for _, m := range modes {
		if !known[m] {
			return nil, nil, &UsageError{Err: fmt.Errorf("unknown defect mode %q: dmsconform mutate --list shows the %d modes", m, len(every))}
		}
	}
	if err := writableDir(opts.Out); err != nil {
		return nil, nil, &UsageError{Err: fmt.Errorf("--out %s: %w", opts.Out, err)}
	}
	return modes, every, nil
}

// mutationRun turns the jobs' results into the self-test's run: a check per mode, the
// kill matrix with every check's proof, and the checks of the defect-free runs
// (no false positive, determinism, real time, every check proven). some is set when
// only some modes were tried (the proofs are then reported, not judged).
func mutationRun(opts MutateOptions, modes []string, some bool, jobs []mutateJob, results [][]reports.Check) (*MutateResult, error) {
	ref, fp, nondet, rtDiff, rtSkip := compareDefectFree(jobs, results, opts.RealTime)
	matrix := &reports.KillMatrix{Modes: modes, Killed: map[string][]string{}, FalsePositives: slices.Sorted(maps.Keys(fp))}
	res := &MutateResult{FalsePositives: matrix.FalsePositives, Nondeterministic: slices.Sorted(maps.Keys(nondet)),
		RealTimeDiffers: slices.Sorted(maps.Keys(rtDiff)), RealTimeSkips: slices.Sorted(maps.Keys(rtSkip))}
	run := &reports.Run{
		Mode:   reports.ModeMutation,
		Tool:   Tool(),
		Target: reports.Target{TargetKind: "embedded", Name: "dmsconform emulator with defect modes"},
		Model:  ModelInfo(),
	}
	descr := defectDescriptions()
	for k, m := range modes {
		chk, by := modeCheck(m, descr[m], ref, results[opts.Repeats+k])
		matrix.Killed[m] = by
		if len(by) == 0 {
			res.Survivors = append(res.Survivors, m)
		}
		run.Checks = append(run.Checks, chk)
	}
	matrix.Proofs = proofs(opts.Families, matrix.Killed, results[0])
	reports.Finalize(&reports.Run{Matrix: matrix}) // Kinds and Coverage, for the checks below
	res.Unproven, res.Stale = matrix.ProofsWith(reports.ProofUnproven), matrix.ProofsWith(reports.ProofStale)
	run.Checks = append(run.Checks,
		defectFreeCheck(res, len(results[0])),
		deterministicCheck(res, opts.Repeats, len(results[0])),
		realTimeCheck(res, ref, rtDiff, rtSkip, opts.RealTime, opts.RealTimeStep, len(results[0])),
		provenCheck(res, matrix, some))
	run.Matrix = matrix
	res.Run = run
	return res, nil
}

// proofs is how each check of fams is proven: by the modes that killed it, or by its
// kind's declaration; a check the defect-free run (clean) could not judge for a cause
// (aws-sdk-go-v2 lacks the family's operations) is one no mode can make fail in this
// build.
func proofs(fams []engine.Family, killedBy map[string][]string, clean []reports.Check) []reports.CheckProof {
	var catalog []engine.Check
	for _, f := range fams {
		catalog = append(catalog, f.Checks...)
	}
	out := engine.Prove(catalog, killedBy)
	byID := map[string]reports.Check{}
	for _, c := range clean {
		byID[c.ID] = c
	}
	for i, p := range out {
		if c := byID[p.ID]; p.Status() == reports.ProofUnproven && c.Cause != "" && (c.Outcome == reports.Skipped || c.Outcome == reports.Unimplemented) {
			out[i].NotJudged = firstLine(c.Message)
		}
	}
	return out
}

// printMutation prints the self-test's summary: the counts, then every survivor,
// unproven check and stale declaration.
func printMutation(opts MutateOptions, res *MutateResult, modes int) {
	matrix, cov := res.Run.Matrix, res.Run.Matrix.Coverage
	fmt.Fprintf(opts.Stdout, "mutation: %d modes, kill rate %.0f%%, %d survivors; checks: %d killed, %d proven by their table tests only, %d not judged here, %d unproven, %d stale, of %d; %d false positives; %d identical virtual-clock runs (%d checks differ); %d real-time runs (%d checks differ, %d honest skips)\n  reports: %s\n",
		modes, 100*matrix.KillRate, len(res.Survivors), cov.Killed, cov.TableTestsOnly, cov.NotJudged, cov.Unproven, cov.Stale, cov.Checks,
		len(res.FalsePositives), opts.Repeats, len(res.Nondeterministic), opts.RealTime, len(res.RealTimeDiffers), len(res.RealTimeSkips), opts.Out)
	descr := defectDescriptions()
	for _, s := range res.Survivors {
		fmt.Fprintf(opts.Stdout, "  survived: %s (%s)\n", s, descr[s])
	}
	for _, id := range res.Unproven {
		fmt.Fprintf(opts.Stdout, "  unproven: %s\n", id)
	}
	for _, id := range res.Stale {
		fmt.Fprintf(opts.Stdout, "  stale table-tests-only declaration: %s\n", id)
	}
}

// compareDefectFree compares the defect-free runs with the first one, the reference
// outcome of each check: a check that failed or errored in any is a false positive;
// one whose outcome changed between virtual-clock runs is nondeterministic; one whose
// outcome in a real-time run differs is a difference (rtDiff), except a check some
// (not all) real-time runs skipped where the reference passes it: an honest skip
// (rtSkip), a state the polls of a loaded machine did not see in time.
func compareDefectFree(jobs []mutateJob, results [][]reports.Check, realTime int) (ref map[string]reports.Outcome, fp, nondet map[string]bool, rtDiff, rtSkip map[string][]string) {
	// The first defect-free run is the reference outcome of each check.
	ref = map[string]reports.Outcome{}
	for _, c := range results[0] {
		ref[c.ID] = c.Outcome
	}
	fp, nondet = map[string]bool{}, map[string]bool{}
	rtDiff, rtSkip = map[string][]string{}, map[string][]string{}
	for i, j := range jobs {
		if j.defect != "" {
			continue
		}
		for _, c := range results[i] {
			if c.Outcome == reports.Fail || c.Outcome == reports.Error {
				fp[c.ID] = true
			}
			switch {
			case ref[c.ID] == c.Outcome:
			case j.realTime && ref[c.ID] == reports.Pass && c.Outcome == reports.Skipped:
				rtSkip[c.ID] = append(rtSkip[c.ID], fmt.Sprintf("skipped in %s: %s", j.name, firstLine(c.Message)))
			case j.realTime:
				rtDiff[c.ID] = append(rtDiff[c.ID], fmt.Sprintf("%s in %s: %s", c.Outcome, j.name, firstLine(c.Message)))
			default:
				nondet[c.ID] = true
			}
		}
	}
	for id, skips := range rtSkip {
		// Skipped in every real-time run where the virtual clock passes: the harness
		// never observes in real time what it observes on the virtual clock.
		if len(skips) == realTime {
			rtDiff[id] = append(rtDiff[id], skips...)
			delete(rtSkip, id)
		}
	}
	return ref, fp, nondet, rtDiff, rtSkip
}

// runMutateJobs runs the jobs: the virtual-clock ones opts.Parallel at a time, then
// the real-time ones all side by side (they mostly wait on the wall clock, and do not
// compete for the processors with the CPU-bound virtual-clock runs).
func runMutateJobs(ctx context.Context, jobs []mutateJob, opts MutateOptions) ([][]reports.Check, error) {
	results := make([][]reports.Check, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	var printMu sync.Mutex
	for i, j := range jobs {
		if j.realTime && i > 0 && !jobs[i-1].realTime {
			wg.Wait() // the virtual-clock runs first
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if j.realTime {
				results[i], errs[i] = judgeRealTime(ctx, opts.Model, opts.Families, opts.RealTimeStep)
			} else {
				sem <- struct{}{}
				defer func() { <-sem }()
				var defects []string
				if j.defect != "" {
					defects = []string{j.defect}
				}
				results[i], errs[i] = judgeOn(ctx, engine.Config{Target: engine.TargetEmbedded, Defects: defects, Model: opts.Model}, opts.Families)
			}
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
	return results, nil
}

func defectDescriptions() map[string]string {
	descr := map[string]string{}
	for _, m := range emulator.DefectModes() {
		descr[m.Name] = m.Description
	}
	return descr
}

// modeCheck is the check that a defect mode is caught, and the checks that caught it.
func modeCheck(mode, descr string, ref map[string]reports.Outcome, results []reports.Check) (reports.Check, []string) {
	var by, evidence []string
	for _, c := range results {
		if killed(ref[c.ID], c.Outcome) {
			by = append(by, c.ID)
			if len(evidence) < 3 {
				evidence = append(evidence, fmt.Sprintf("%s %s: %s", c.ID, c.Outcome, firstLine(c.Message)))
			}
		}
	}
	sort.Strings(by)
	chk := mutationCheck("mutation."+mode, "defect mode "+mode+" is caught",
		"At least one check MUST fail (or newly drift) when the target "+descr+".")
	if len(by) == 0 {
		chk.Outcome = reports.Fail
		chk.Message = "no check caught this defect: a harness bug (add or sharpen a check)"
	} else {
		chk.Message = fmt.Sprintf("caught by %d check(s), e.g.\n%s", len(by), strings.Join(evidence, "\n"))
	}
	return chk, by
}

func mutationCheck(id, title, description string) reports.Check {
	return reports.Check{CheckInfo: reports.CheckInfo{ID: id, Title: title, Description: description,
		Level: "MUST", Labels: []string{"mutation"}}, Outcome: reports.Pass}
}

func defectFreeCheck(res *MutateResult, checks int) reports.Check {
	c := mutationCheck("mutation.defect-free", "no false positives",
		"Against the emulator without defects no check MAY fail or error.")
	c.Message = fmt.Sprintf("%d checks judged, none failed or errored", checks)
	if len(res.FalsePositives) > 0 {
		c.Outcome, c.Message = reports.Fail, "false positives: "+strings.Join(res.FalsePositives, ", ")
	}
	return c
}

func deterministicCheck(res *MutateResult, repeats, checks int) reports.Check {
	c := mutationCheck("mutation.deterministic", "identical virtual-clock runs agree",
		fmt.Sprintf("%d runs of the defect-free emulator on the virtual clock MUST give every check the same outcome: the runs are identical (same clock, same request ids), so this is a determinism check, not a timing one.", repeats))
	c.Message = fmt.Sprintf("%d identical runs of %d checks agree", repeats, checks)
	if len(res.Nondeterministic) > 0 {
		c.Outcome, c.Message = reports.Fail, "outcomes changed between identical runs: "+strings.Join(res.Nondeterministic, ", ")
	}
	return c
}

func realTimeCheck(res *MutateResult, ref map[string]reports.Outcome, diffs, skips map[string][]string, runs int, step time.Duration, checks int) reports.Check {
	c := mutationCheck("mutation.real-time", "real-time runs agree with the virtual clock",
		fmt.Sprintf("%d runs of the defect-free standalone emulator, in real time (steps of %s, polled four times a step) and side by side, MUST each give every check the outcome of the virtual-clock run: what the harness judges does not depend on its pace. A check some of the runs skip with the reason where the virtual clock passes it is an honest skip (a loaded machine's polls missed a state), reported; one every run skips is not.", runs, step))
	lines := func(ids []string, what map[string][]string) string {
		var out []string
		for _, id := range ids {
			out = append(out, fmt.Sprintf("%s (%s on the virtual clock): %s", id, ref[id], strings.Join(what[id], "; ")))
		}
		return strings.Join(out, "\n")
	}
	switch {
	case runs == 0:
		c.Outcome, c.Message = reports.Skipped, "no real-time run was asked for (dmsconform mutate --real-time N)"
	case len(diffs) > 0:
		c.Outcome, c.Message = reports.Fail, "outcomes differ from the virtual clock's:\n"+lines(res.RealTimeDiffers, diffs)
	default:
		c.Message = fmt.Sprintf("%d real-time runs of %d checks, side by side, each gave the virtual clock's outcomes", runs, checks)
		if len(skips) > 0 {
			c.Message = fmt.Sprintf("%d real-time runs of %d checks, side by side, gave the virtual clock's outcomes, but for honest skips in some of the runs (a state the polls did not see in time):\n%s", runs, checks, lines(res.RealTimeSkips, skips))
		}
	}
	return c
}

func firstNotJudged(m *reports.KillMatrix) string {
	for _, p := range m.Proofs {
		if p.Status() == reports.ProofNotJudged {
			return p.NotJudged
		}
	}
	return ""
}

func provenCheck(res *MutateResult, m *reports.KillMatrix, someModes bool) reports.Check {
	c := mutationCheck("mutation.every-check-proven", "every check is proven",
		"Every check MUST be made to fail by at least one defect mode, or be proven by its table tests only, its kind saying why no defect of a target can reach it (engine.TableTested); a check so declared MUST be killed by no mode.")
	cov := m.Coverage
	c.Message = fmt.Sprintf("%d of %d checks killed by a defect mode, %d proven by their table tests only", cov.Killed, cov.Checks, cov.TableTestsOnly)
	if cov.NotJudged > 0 {
		c.Message += fmt.Sprintf(", %d not judged in this build (the defect-free run skipped them for a cause: %s)", cov.NotJudged, firstNotJudged(m))
	}
	if someModes {
		c.Outcome = reports.Skipped
		c.Message = fmt.Sprintf("judged only when every defect mode runs (--modes chose %d of them): %s", len(m.Modes), c.Message)
		return c
	}
	var problems []string
	for _, id := range res.Unproven {
		problems = append(problems, id+": no defect mode makes it fail: add one in emulator/defects.go, or, if no defect of a target can reach it, say why in its kind's TableTestsOnly")
	}
	for _, p := range m.Proofs {
		if p.Status() == reports.ProofStale {
			problems = append(problems, fmt.Sprintf("%s: declared proven by its table tests only (%q), yet %s make it fail: drop the declaration", p.ID, p.TableTestsOnly, strings.Join(p.KilledBy, ", ")))
		}
	}
	if len(problems) > 0 {
		c.Outcome, c.Message = reports.Fail, strings.Join(problems, "\n")
	}
	return c
}

// MarkdownMatrix renders the kill matrix compactly, for the README: a table of the
// modes (mode, description, the number of checks that caught it, and the most
// specific of them), the kill rate, and the proof coverage per check kind.
func MarkdownMatrix(run *reports.Run) string {
	m := run.Matrix
	if m == nil {
		return ""
	}
	descr := defectDescriptions()
	// The example killer of a mode is its most specific one: the check that catches
	// the fewest modes (the first by ID among equals).
	reach := map[string]int{}
	for _, ids := range m.Killed {
		for _, id := range ids {
			reach[id]++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| defect mode | what the target does | caught by | most specific check |\n|---|---|---|---|\n")
	for _, mode := range m.Modes {
		by := m.Killed[mode]
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
		fmt.Fprintf(&b, "| `%s` | %s | %d checks | %s |\n", mode, mdCell(descr[mode]), len(by), eg)
	}
	fmt.Fprintf(&b, "\nKill rate %.0f%% over %d modes; false positives: %d.\n\n", 100*m.KillRate, len(m.Modes), len(m.FalsePositives))
	b.WriteString("| check kind | checks | killed by a defect mode | proven by its table tests only |\n|---|---:|---:|---|\n")
	for _, k := range m.Kinds {
		tt := "–"
		if k.TableTestsOnly > 0 {
			tt = fmt.Sprintf("%d: %s", k.TableTestsOnly, mdCell(k.Reason))
		}
		fmt.Fprintf(&b, "| `%s` | %d | %d | %s |\n", k.Kind, k.Checks, k.Killed, tt)
	}
	cov := m.Coverage
	notJudged := ""
	if cov.NotJudged > 0 {
		notJudged = fmt.Sprintf(", %d not judged in this build", cov.NotJudged)
	}
	fmt.Fprintf(&b, "\nChecks: %d killed by a defect mode, %d proven by their table tests only%s, %d unproven, of %d.\n", cov.Killed, cov.TableTestsOnly, notJudged, cov.Unproven+cov.Stale, cov.Checks)
	return b.String()
}

// mdCell keeps a text in its Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
