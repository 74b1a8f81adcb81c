package reports

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHistoryFollowsEveryCheck: runs given in any order are put in time order; a
// check failing now says since when (an error between two failures does not end the
// stretch) and when it last passed; a check that goes and comes back is flaky; what
// the newest run changed is classified as --baseline would, lost coverage included.
func TestHistoryFollowsEveryCheck(t *testing.T) {
	day := func(d int) time.Time { return sampleStart.Add(time.Duration(d) * 24 * time.Hour) }
	nights := []map[string]Outcome{
		{"a.fails": Pass, "b.flaky": Pass, "c.lost": Pass, "e.steady": Pass},
		{"a.fails": Pass, "b.flaky": Fail, "c.lost": Pass, "e.steady": Pass},
		{"a.fails": Fail, "b.flaky": Pass, "c.lost": Pass, "e.steady": Pass},
		{"a.fails": Error, "b.flaky": Pass, "c.lost": Pass, "d.new": Pass, "e.steady": Pass},
		{"a.fails": Fail, "b.flaky": Pass, "c.lost": Skipped, "d.new": Pass, "e.steady": Pass},
	}
	var in []HistoryInput
	for _, i := range []int{3, 0, 4, 1, 2} { // any order
		r := mergeRun(Target{TargetKind: "aws", Region: "eu-west-1"}, nights[i])
		r.Started, r.Duration, r.Calls = day(i), time.Duration(i+1)*time.Second, map[string]int{"Op": 10 * (i + 1)}
		in = append(in, HistoryInput{Run: r, Source: filepath.Join("history", day(i).Format(time.DateOnly))})
	}
	h := NewHistory(in, Tool{Name: "dmsconform"})
	for i, r := range h.Runs {
		if !r.Started.Equal(day(i)) || r.Calls != int64(10*(i+1)) {
			t.Fatalf("run %d: %+v (want the runs in time order)", i, r)
		}
	}
	by := map[string]HistoryCheck{}
	for _, c := range h.Checks {
		by[c.ID] = c
	}
	a := by["a.fails"]
	if a.FailingSince == nil || !a.FailingSince.Equal(day(2)) || a.FailingRuns != 2 || a.LastPassed == nil || !a.LastPassed.Equal(day(1)) || a.Class != NewFailure {
		t.Errorf("a.fails: since %v (%d runs), last passed %v, class %s; want since %s (2 runs), last passed %s, new-failure",
			a.FailingSince, a.FailingRuns, a.LastPassed, a.Class, day(2), day(1))
	}
	if b := by["b.flaky"]; !b.Flaky || b.Flips != 2 || b.FailingSince != nil || !b.LastPassed.Equal(day(4)) {
		t.Errorf("b.flaky: %+v", b)
	}
	if c := by["c.lost"]; c.Class != NoLongerJudged || c.Flaky {
		t.Errorf("c.lost: %+v, want no-longer-judged", c)
	}
	if d := by["d.new"]; d.Outcomes[0] != "" || d.Outcomes[4] != Pass || d.Class != Unchanged {
		t.Errorf("d.new: %+v", d)
	}
	if e := by["e.steady"]; e.Flips != 0 || e.Class != Unchanged {
		t.Errorf("e.steady: %+v", e)
	}
	var order []string
	for _, c := range h.Checks {
		order = append(order, c.ID)
	}
	if want := "a.fails b.flaky c.lost d.new e.steady"; strings.Join(order, " ") != want {
		t.Errorf("order %v, want %s (failing, flaky, changed, the rest)", order, want)
	}
	if h.Failing != 1 || h.Flaky != 1 || h.Changed != 2 {
		t.Errorf("failing %d flaky %d changed %d", h.Failing, h.Flaky, h.Changed)
	}

	dir := t.TempDir()
	if err := WriteHistory(dir, h); err != nil {
		t.Fatal(err)
	}
	var back History
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, FileJSON))), &back); err != nil || back.SchemaVersion != HistorySchemaVersion || len(back.Runs) != 5 {
		t.Errorf("report.json: %v", err)
	}
	md := readFile(t, filepath.Join(dir, FileMarkdown))
	for _, want := range []string{"5 run(s) of aws eu-west-1 from 2026-03-14 to 2026-03-18", "| `a.fails` | 2026-03-16 | 2 | 2026-03-15 |", "| `b.flaky` | 2 | ✅❌✅✅✅ |", "- **no-longer-judged** `c.lost` pass → skipped"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	page := readFile(t, filepath.Join(dir, FileHTML))
	for _, want := range []string{"Failing now (1)", "Flaky: outcomes that flip (1)", `<svg role="img" aria-label="Duration per run"`, `title="2026-03-16 09:26: fail"`, "API calls per run"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// TestHistoryWarnsOfAnotherTarget: a history follows one target; a run of another
// is kept and said.
func TestHistoryWarnsOfAnotherTarget(t *testing.T) {
	a := mergeRun(Target{TargetKind: "aws", Region: "eu-west-1"}, map[string]Outcome{"x": Pass})
	b := mergeRun(Target{TargetKind: "aws", Region: "us-east-1"}, map[string]Outcome{"x": Pass})
	b.Started = a.Started.Add(time.Hour)
	h := NewHistory([]HistoryInput{{Run: a}, {Run: b}}, Tool{})
	if len(h.Warnings) != 1 || !strings.Contains(h.Warnings[0], "eu-west-1") || h.Label != "aws us-east-1" {
		t.Errorf("warnings %q label %q", h.Warnings, h.Label)
	}
}
