package runner

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/spec/spectest"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/suites/kinds"
)

// TestMutationProvesEveryCheck is the harness's self-test, on the virtual clock except
// for three real-time runs: every emulator defect mode must make at least one check
// fail (or newly drift); every check of the catalog must be made to fail by a mode,
// or be declared proven by its table tests only (and then killed by none); 20
// identical virtual-clock runs of the defect-free emulator must agree and fail
// nothing; and 3 runs of the defect-free standalone emulator in real time, side by
// side, must give the virtual clock's outcomes (make mutate runs 10). The README's
// mutation table is this run's (DMSCONFORM_WRITE_README=1 rewrites it: make readme).
func TestMutationProvesEveryCheck(t *testing.T) {
	t.Parallel() // CPU-bound on the virtual clock, then waiting on real-time targets: overlaps the waiting of others
	if testing.Short() {
		t.Skip("the mutation self-test runs the suites 70+ times; skipped with -short")
	}
	var out strings.Builder
	res, err := Mutate(context.Background(), MutateOptions{Repeats: 20, RealTime: 3, Out: t.TempDir(), Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Run.Matrix
	if n := len(m.Modes); n != len(emulator.DefectModes()) {
		t.Fatalf("%d modes tried, want every mode (%d)", n, len(emulator.DefectModes()))
	}
	if len(res.Survivors) > 0 {
		t.Errorf("defect modes no check catches (harness bugs): %v", res.Survivors)
	}
	if len(res.FalsePositives) > 0 {
		t.Errorf("checks failing against the defect-free emulator: %v", res.FalsePositives)
	}
	if len(res.Nondeterministic) > 0 {
		t.Errorf("checks whose outcome changed across 20 identical virtual-clock runs: %v", res.Nondeterministic)
	}
	if len(res.RealTimeSkips) > 0 {
		t.Logf("honest skips in some real-time runs (a loaded machine): %v", res.RealTimeSkips)
	}
	if len(res.RealTimeDiffers) > 0 {
		for _, c := range res.Run.Checks {
			if c.ID == "mutation.real-time" {
				t.Errorf("checks whose outcome in real time was not the virtual clock's: %s", c.Message)
			}
		}
	}
	if len(m.Proofs) != len(all.Checks()) {
		t.Errorf("%d checks have a proof, the catalog has %d", len(m.Proofs), len(all.Checks()))
	}
	for _, id := range res.Unproven {
		t.Errorf("%s: no defect mode makes it fail: add one in emulator/defects.go, or, if no defect of a target can reach it, say why in its kind's TableTestsOnly", id)
	}
	for _, id := range res.Stale {
		t.Errorf("%s: declared proven by its table tests only, yet a defect mode makes it fail: drop the declaration", id)
	}
	// Every group of checks is proven by a defect that makes one of its checks fail.
	for _, group := range engine.Groups {
		proven := false
		for _, p := range m.Proofs {
			if strings.Contains(p.ID, "."+group+".") && p.Status() == reports.ProofKilled {
				proven = true
			}
		}
		if !proven {
			t.Errorf("no defect mode makes a %s check fail: that group is not proven able to fail", group)
		}
	}
	if m.KillRate != 1 || res.ExitCode != reports.ExitOK {
		t.Errorf("kill rate %.2f, exit %d", m.KillRate, res.ExitCode)
	}
	checkReadmeBlock(t, "mutation", MarkdownMatrix(res.Run))
	if t.Failed() {
		t.Logf("%s", out.String())
	}
}

// TestMutationSaysWhatIsUnproven: a check no mode kills and whose kind declares no
// reason fails the self-test, naming what to do; a declared one that a mode kills
// is a stale declaration and fails it too. With only some modes (--modes) the
// proofs are reported, not judged.
func TestMutationSaysWhatIsUnproven(t *testing.T) {
	fam := all.Families[0]
	var unknownTarget engine.Check // the check ignore-target kills, judged on the cheap protocol probes
	for _, c := range fam.Checks {
		if strings.HasSuffix(c.ID, ".protocol.unknown-target") {
			unknownTarget = c
		}
	}
	unkilled := engine.Check{CheckInfo: unknownTarget.CheckInfo, Family: unknownTarget.Family, Kind: neverFails{}}
	unkilled.ID = unknownTarget.Operation + ".shape.never-fails"
	declared := unkilled
	declared.ID, declared.Kind = unknownTarget.Operation+".shape.never-fails-declared", neverFailsDeclared{}
	stale := unknownTarget
	stale.Kind = staleKind{unknownTarget.Kind}
	fam.Checks = []engine.Check{unkilled, declared, stale}
	res, err := Mutate(context.Background(), MutateOptions{Repeats: 1, Families: []engine.Family{fam}, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Unproven, []string{unkilled.ID}) || !slices.Equal(res.Stale, []string{stale.ID}) || res.ExitCode != reports.ExitNonConform {
		t.Fatalf("unproven %v, stale %v, exit %d; want [%s], [%s], 1", res.Unproven, res.Stale, res.ExitCode, unkilled.ID, stale.ID)
	}
	var proven reports.Check
	for _, c := range res.Run.Checks {
		if c.ID == "mutation.every-check-proven" {
			proven = c
		}
	}
	for _, want := range []string{unkilled.ID + ": no defect mode makes it fail: add one in emulator/defects.go", "TableTestsOnly", stale.ID + ": declared proven by its table tests only"} {
		if proven.Outcome != reports.Fail || !strings.Contains(proven.Message, want) {
			t.Errorf("mutation.every-check-proven: %s %q, want it to say %q", proven.Outcome, proven.Message, want)
		}
	}
	cov := res.Run.Matrix.Coverage
	if cov.Checks != 3 || cov.Killed != 0 || cov.TableTestsOnly != 1 || cov.Unproven != 1 || cov.Stale != 1 {
		t.Errorf("coverage %+v", cov)
	}

	res, err = Mutate(context.Background(), MutateOptions{Modes: []string{emulator.DefectIgnoreTarget}, Repeats: 1, Families: []engine.Family{fam}, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Run.Checks {
		if c.ID == "mutation.every-check-proven" && (c.Outcome != reports.Skipped || !strings.Contains(c.Message, "--modes chose 1")) {
			t.Errorf("with one mode: %s %q, want skipped", c.Outcome, c.Message)
		}
	}
	if res.ExitCode != reports.ExitOK || len(res.Unproven) != 1 {
		t.Errorf("with one mode: exit %d, unproven %v; want 0 and the unproven check still reported", res.ExitCode, res.Unproven)
	}
}

type neverFails struct{}

func (neverFails) Needs() engine.Needs                   { return engine.Needs{} }
func (neverFails) Judge(*engine.Evidence) engine.Verdict { return engine.Pass() }

type neverFailsDeclared struct{ neverFails }

func (neverFailsDeclared) TableTestsOnly() string { return "a test kind no target can fail" }

// staleKind is a kind a defect mode kills (ignore-target kills the unknown-target
// check) that declares otherwise.
type staleKind struct{ engine.Kind }

func (staleKind) TableTestsOnly() string { return "declared, wrongly" }

// TestKillRule pins what counts as catching a defect: a new failure, or a drift where
// the defect-free run passed; a skip or an error (the harness or the infrastructure
// breaking) never does.
func TestKillRule(t *testing.T) {
	cases := []struct {
		clean, got reports.Outcome
		want       bool
	}{
		{reports.Pass, reports.Fail, true},
		{reports.Pass, reports.Drift, true},
		{reports.Skipped, reports.Fail, true},
		{reports.Pass, reports.Error, false},
		{reports.Pass, reports.Pass, false},
		{reports.Pass, reports.Skipped, false},
		{reports.Drift, reports.Drift, false},
		{reports.Skipped, reports.Drift, false},
		{reports.Fail, reports.Fail, false},
	}
	for _, c := range cases {
		if got := killed(c.clean, c.got); got != c.want {
			t.Errorf("killed(%s, %s) = %v, want %v", c.clean, c.got, got, c.want)
		}
	}
}

func TestMutateRejectsUnknownMode(t *testing.T) {
	_, err := Mutate(context.Background(), MutateOptions{Modes: []string{"no-such-mode"}, Out: t.TempDir()})
	if ExitCodeOf(err) != reports.ExitUsage || !strings.Contains(err.Error(), "--list") {
		t.Fatalf("want a usage error pointing at --list, got %v", err)
	}
}

// TestANewFamilyIsProvenByTheModesThereAre does the mechanical part of the README's
// recipe for a new family: a family the model gains (here a twin of the conversion
// family under names aws-sdk-go-v2 does not have: spec/spectest) gets every check from
// the kinds, the emulator serves it from the model, and the defect modes there are
// make every one of its wire checks fail, with no code written for it. Its checks of
// the SDK's view are skipped with one cause until the SDK has the family's
// operations, so no mode can kill them yet: they are reported as not judged in this
// build, and the self-test does not fail on them.
func TestANewFamilyIsProvenByTheModesThereAre(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the family once per defect mode")
	}
	m, err := spectest.WithTwinFamily("Recipe")
	if err != nil {
		t.Fatal(err)
	}
	checks, err := kinds.Expand(m, "recipe")
	if err != nil {
		t.Fatal(err)
	}
	fam := engine.Family{Name: "recipe", Operation: m.FamilyOperation("recipe", spec.RoleCancel).Name, Checks: checks}
	res, err := Mutate(context.Background(), MutateOptions{Model: m, Families: []engine.Family{fam}, Repeats: 1, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.FalsePositives) > 0 {
		t.Errorf("the new family fails against the defect-free emulator: %v", res.FalsePositives)
	}
	sdk := map[string]bool{}
	for _, c := range checks {
		sdk[c.ID] = c.Kind.Needs().SDK
	}
	wire := 0
	for _, p := range res.Run.Matrix.Proofs {
		switch {
		case sdk[p.ID] && p.Status() != reports.ProofNotJudged && p.Status() != reports.ProofTableTests:
			t.Errorf("%s judges the SDK's view of operations the SDK lacks: %s (%v), want not judged in this build", p.ID, p.Status(), p.KilledBy)
		case sdk[p.ID] && p.Status() == reports.ProofNotJudged && !strings.Contains(p.NotJudged, "aws-sdk-go-v2"):
			t.Errorf("%s is not judged for %q, want the SDK's missing operations named", p.ID, p.NotJudged)
		case !sdk[p.ID] && p.Status() != reports.ProofKilled:
			t.Errorf("%s: %s, want killed by a defect mode as its conversion twin is", p.ID, p.Status())
		case !sdk[p.ID]:
			wire++
		}
	}
	if wire == 0 || len(res.Run.Matrix.Proofs) != len(checks) {
		t.Errorf("%d proofs for %d checks, %d wire checks killed", len(res.Run.Matrix.Proofs), len(checks), wire)
	}
	if len(res.Unproven) > 0 {
		t.Errorf("a family the SDK lacks has unproven checks: %v", res.Unproven)
	}
}

// TestRealTimeRule pins how the defect-free runs are compared: against the first
// virtual-clock run, a real-time run may skip with the reason a check the virtual
// clock passes (an honest skip, when not every real-time run does), nothing else.
func TestRealTimeRule(t *testing.T) {
	jobs := []mutateJob{{name: "virtual-clock-01"}, {name: "virtual-clock-02"}, {name: "real-time-01", realTime: true}, {name: "real-time-02", realTime: true}}
	check := func(id string, o reports.Outcome) reports.Check {
		return reports.Check{CheckInfo: reports.CheckInfo{ID: id}, Outcome: o}
	}
	results := [][]reports.Check{
		{check("some-skip", reports.Pass), check("all-skip", reports.Pass), check("fails", reports.Pass), check("varies", reports.Pass), check("skip", reports.Skipped)},
		{check("some-skip", reports.Pass), check("all-skip", reports.Pass), check("fails", reports.Pass), check("varies", reports.Drift), check("skip", reports.Skipped)},
		{check("some-skip", reports.Skipped), check("all-skip", reports.Skipped), check("fails", reports.Fail), check("varies", reports.Pass), check("skip", reports.Pass)},
		{check("some-skip", reports.Pass), check("all-skip", reports.Skipped), check("fails", reports.Pass), check("varies", reports.Pass), check("skip", reports.Skipped)},
	}
	_, fp, nondet, rtDiff, rtSkip := compareDefectFree(jobs, results, 2)
	keys := func(m map[string][]string) []string { return slices.Sorted(maps.Keys(m)) }
	if !slices.Equal(keys(rtSkip), []string{"some-skip"}) || !slices.Equal(keys(rtDiff), []string{"all-skip", "fails", "skip"}) ||
		!fp["fails"] || len(fp) != 1 || !nondet["varies"] || len(nondet) != 1 {
		t.Errorf("honest skips %v, differences %v, false positives %v, nondeterministic %v", keys(rtSkip), keys(rtDiff), fp, nondet)
	}
}
