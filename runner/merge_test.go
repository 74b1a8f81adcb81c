package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// nightClock is a clock that runs at the wall clock's pace from a given day: a run
// started on it is dated that day and still has its real duration.
func nightClock(day time.Time) func() time.Time {
	offset := day.Sub(time.Now())
	return func() time.Time { return time.Now().Add(offset) }
}

var firstNight = time.Date(2026, 11, 1, 3, 17, 0, 0, time.UTC)

// nights runs the embedded emulator once per night with that night's defect modes
// and returns the report folders, under root.
func nights(t testing.TB, root string, defects [][]string) []string {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for i, d := range defects {
		day := firstNight.AddDate(0, 0, i)
		dir := filepath.Join(root, day.Format("2006-01-02"))
		if _, err := Run(t.Context(), Options{Out: dir, Now: nightClock(day), Config: engine.Config{Defects: d}}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// TestMergeAndHistoryOfRealRuns: runs of the embedded emulator with different defect
// modes, on different days, merged side by side and followed over the nights.
func TestMergeAndHistoryOfRealRuns(t *testing.T) {
	t.Parallel() // waits on real-time targets (or is CPU-bound on the virtual clock): overlaps the waiting of others
	root := t.TempDir()
	defects := [][]string{nil, nil, {"wrong-content-type"}, {"wrong-content-type", "undocumented-status"}, {"wrong-content-type"}}
	dirs := nights(t, root, defects)

	// Merge: the clean night and a broken one side by side.
	out := filepath.Join(t.TempDir(), "merged")
	var console strings.Builder
	res, err := Merge(MergeOptions{Reports: []string{dirs[0], dirs[3]}, Labels: []string{"clean", "broken"}, Out: out, Stdout: &console})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != reports.ExitNonConform || res.Merge.Status != "FAIL" {
		t.Errorf("merge exit %d status %s, want the broken run's 1 and FAIL", res.ExitCode, res.Merge.Status)
	}
	if res.Merge.Differing == 0 || !res.Merge.Checks[0].Differs || res.Merge.Checks[0].Cells[0].Outcome != reports.Pass {
		t.Errorf("the differences must come first: %+v", res.Merge.Checks[0])
	}
	for _, c := range res.Merge.Columns {
		if c.Report == "" || !strings.HasSuffix(c.Report, "report.html") {
			t.Errorf("column %s links no report: %q", c.Label, c.Report)
		}
	}
	if !strings.Contains(console.String(), "verdict: FAIL") {
		t.Errorf("console: %s", console.String())
	}
	// A merge exits with the worst column's code: the clean run twice is 0.
	if res, err := Merge(MergeOptions{Reports: []string{dirs[0], dirs[1]}, Out: t.TempDir()}); err != nil || res.ExitCode != reports.ExitOK || len(res.Merge.Warnings) == 0 {
		t.Errorf("two clean runs: %v, %+v (want exit 0 and a warning that the targets look alike)", err, res)
	}

	// History: the folder holding the nights, in any order; the newest 4 kept.
	hist := filepath.Join(t.TempDir(), "history")
	hres, err := History(HistoryOptions{Reports: []string{root}, Keep: 4, Out: hist})
	if err != nil {
		t.Fatal(err)
	}
	h := hres.History
	if len(h.Runs) != 4 || !h.Runs[0].Started.Truncate(24*time.Hour).Equal(firstNight.AddDate(0, 0, 1).Truncate(24*time.Hour)) {
		t.Fatalf("runs %+v, want the newest 4 nights in order", h.Runs)
	}
	var ct, status *reports.HistoryCheck
	for i := range h.Checks {
		switch h.Checks[i].ID {
		case "CancelMetadataModelConversion.protocol.content-type":
			ct = &h.Checks[i]
		case "CancelMetadataModelConversion.enum.RequestStatus.documented":
			status = &h.Checks[i]
		}
	}
	if ct == nil || ct.FailingSince == nil || ct.FailingSince.Format(time.DateOnly) != "2026-11-03" || ct.LastPassed == nil || ct.LastPassed.Format(time.DateOnly) != "2026-11-02" || ct.FailingRuns != 3 {
		t.Errorf("content-type: %+v, want failing since 2026-11-03 (3 runs), last passed 2026-11-02", ct)
	}
	if status == nil || status.Outcomes[2] != reports.Drift || status.Now != reports.Pass || status.Flips != 2 || !status.Flaky {
		t.Errorf("the status check drifted one night and came back: %+v", status)
	}
	for _, f := range []string{reports.FileJSON, reports.FileHTML, reports.FileMarkdown} {
		if _, err := os.Stat(filepath.Join(hist, f)); err != nil {
			t.Error(err)
		}
	}

	// Pages made from pages are refused with what to pass instead.
	if _, err := Merge(MergeOptions{Reports: []string{out, dirs[0]}, Out: t.TempDir()}); err == nil || ExitCodeOf(err) != reports.ExitUsage || !strings.Contains(err.Error(), "merged report") {
		t.Errorf("merging a merge: %v", err)
	}
	if _, err := Merge(MergeOptions{Reports: []string{dirs[0]}, Labels: []string{"a", "b"}, Out: t.TempDir()}); err == nil || ExitCodeOf(err) != reports.ExitUsage {
		t.Errorf("two labels for one report: %v", err)
	}
	if _, err := History(HistoryOptions{Reports: []string{t.TempDir()}, Out: t.TempDir()}); err == nil || ExitCodeOf(err) != reports.ExitUsage {
		t.Errorf("an empty folder: %v", err)
	}
}

// TestLostCoverageIsSaidEverywhere is what an emulator author meets: one change (here:
// the control surface is gone) turns passing checks into skips. --baseline, merge and
// history must all call them "no longer judged", and the verdict must say how many;
// nothing may call them unchanged.
func TestLostCoverageIsSaidEverywhere(t *testing.T) {
	t.Parallel() // waits on real-time targets (or is CPU-bound on the virtual clock): overlaps the waiting of others
	srv := wallEmulator(t, 20*time.Millisecond)
	full := endpointConfig(srv)
	before, err := run(t, Options{Config: full, Now: nightClock(firstNight)})
	if err != nil {
		t.Fatal(err)
	}
	less := full
	less.Control = ""
	after, err := run(t, Options{Config: less, Baseline: before.Dir, Now: nightClock(firstNight.AddDate(0, 0, 1))})
	if err != nil {
		t.Fatal(err)
	}
	lost := after.Run.Baseline.Counts[reports.NoLongerJudged]
	if lost == 0 {
		t.Fatalf("no check is no longer judged: %v", after.Run.Baseline.Counts)
	}
	for _, e := range after.Run.Baseline.EntriesOf(reports.NoLongerJudged) {
		if e.Before != reports.Pass || e.After != reports.Skipped {
			t.Errorf("%s: %s -> %s", e.ID, e.Before, e.After)
		}
	}
	if after.ExitCode != reports.ExitOK {
		t.Errorf("lost coverage is no regression: exit %d", after.ExitCode)
	}
	md, err := os.ReadFile(filepath.Join(after.Dir, reports.FileMarkdown))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(md); !strings.Contains(s, reports.Verdict(after.Run)) || !strings.Contains(reports.Verdict(after.Run), " no longer judged") || !strings.Contains(s, "**No longer judged") {
		t.Errorf("summary.md does not say coverage was lost:\n%s", s)
	}
	m, err := Merge(MergeOptions{Reports: []string{after.Dir}, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if m.Merge.Columns[0].Baseline[reports.NoLongerJudged] != lost {
		t.Errorf("merge: %v", m.Merge.Columns[0].Baseline)
	}
	h, err := History(HistoryOptions{Reports: []string{after.Dir, before.Dir}, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range h.History.Checks {
		if c.Class == reports.NoLongerJudged {
			n++
		}
	}
	if n != lost {
		t.Errorf("history: %d checks no longer judged, --baseline says %d", n, lost)
	}
}
