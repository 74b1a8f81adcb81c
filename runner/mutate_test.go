package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
)

// TestMutationKillsEveryDefectWithoutFalsePositives is the harness's self-test: every
// emulator defect mode must make at least one check fail (or newly drift), and 20
// defect-free runs must have no failure and no outcome that changes between runs.
func TestMutationKillsEveryDefectWithoutFalsePositives(t *testing.T) {
	t.Parallel() // waits on real-time targets (or is CPU-bound on the virtual clock): overlaps the waiting of others
	if testing.Short() {
		t.Skip("the mutation self-test runs the suites 50+ times; skipped with -short")
	}
	var out strings.Builder
	res, err := Mutate(context.Background(), MutateOptions{Repeats: 20, Out: t.TempDir(), Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Run.Matrix.Modes); n < 25 || n != len(emulator.DefectModes()) {
		t.Fatalf("%d modes tried, want every mode (%d) and at least 25", n, len(emulator.DefectModes()))
	}
	if len(res.Survivors) > 0 {
		t.Errorf("defect modes no check catches (harness bugs): %v", res.Survivors)
	}
	if len(res.FalsePositives) > 0 {
		t.Errorf("checks failing against the defect-free emulator: %v", res.FalsePositives)
	}
	if len(res.Flaky) > 0 {
		t.Errorf("checks whose outcome changed across 20 defect-free runs: %v", res.Flaky)
	}
	// Every check family is proven by a defect that makes one of its checks fail.
	for _, group := range []string{"shape", "union", "enum", "fault", "input", "protocol", "lifecycle"} {
		proven := false
		for _, ids := range res.Run.Matrix.Killed {
			for _, id := range ids {
				if strings.Contains(id, "."+group+".") {
					proven = true
				}
			}
		}
		if !proven {
			t.Errorf("no defect mode makes a %s check fail: that family is not proven able to fail", group)
		}
	}
	if res.Run.Matrix.KillRate != 1 || res.ExitCode != reports.ExitOK {
		t.Errorf("kill rate %.2f, exit %d", res.Run.Matrix.KillRate, res.ExitCode)
	}
	if t.Failed() {
		t.Logf("%s", out.String())
	}
}

// TestKillRule pins what counts as catching a defect: a new failure, or a drift or
// error where the defect-free run passed; a skip never does.
func TestKillRule(t *testing.T) {
	cases := []struct {
		clean, got reports.Outcome
		want       bool
	}{
		{reports.Pass, reports.Fail, true},
		{reports.Pass, reports.Drift, true},
		{reports.Pass, reports.Error, true},
		{reports.Skipped, reports.Fail, true},
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
