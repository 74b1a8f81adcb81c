package reports

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mergeRun(target Target, outcomes map[string]Outcome) *Run {
	r := &Run{Mode: ModeTarget, Target: target, Started: sampleStart, Duration: time.Second, Calls: map[string]int{"Op": 7}}
	for id, o := range outcomes {
		c := Check{CheckInfo: CheckInfo{ID: id, Title: "title of " + id, Level: "MUST", Operation: "Op"}, Outcome: o}
		if o != Pass {
			c.Message = "why " + id + " is " + string(o)
		}
		r.Checks = append(r.Checks, c)
	}
	Finalize(r)
	return r
}

func TestWorstExitCode(t *testing.T) {
	cases := []struct {
		codes []int
		want  int
	}{
		{nil, 0}, {[]int{0, 0}, 0}, {[]int{0, 3}, 3}, {[]int{3, 1, 0}, 1}, {[]int{130, 0}, 130},
		{[]int{130, 3}, 3}, {[]int{1, 130}, 1}, {[]int{2, 0}, 2},
	}
	for _, c := range cases {
		if got := WorstExitCode(c.codes...); got != c.want {
			t.Errorf("WorstExitCode(%v) = %d, want %d", c.codes, got, c.want)
		}
	}
}

// TestMergeSideBySide: the checks of three runs side by side, the rows that differ
// first (the most severe first), targets that look alike told apart by their folders,
// the worst column's status and exit code, and all four files written.
func TestMergeSideBySide(t *testing.T) {
	embedded := Target{TargetKind: "embedded", Region: "us-east-1"}
	a := mergeRun(embedded, map[string]Outcome{"x.same": Pass, "x.fails-on-b": Pass, "x.skip-on-c": Pass, "x.only-a": Pass})
	b := mergeRun(Target{TargetKind: "aws", Region: "eu-west-1", Project: "arn:aws:dms:eu-west-1:111122223333:migration-project:P"}, map[string]Outcome{"x.same": Pass, "x.fails-on-b": Fail, "x.skip-on-c": Pass})
	c := mergeRun(embedded, map[string]Outcome{"x.same": Pass, "x.fails-on-b": Pass, "x.skip-on-c": Skipped})
	m := NewMerge([]MergeInput{{Run: a, Source: "cells/one"}, {Run: b, Source: "cells/two", Label: "sandbox 111122223333"}, {Run: c, Source: "cells/three"}}, Tool{Name: "dmsconform", Version: "test"})

	labels := []string{m.Columns[0].Label, m.Columns[1].Label, m.Columns[2].Label}
	if labels[0] != "embedded us-east-1 (one)" || labels[2] != "embedded us-east-1 (three)" || labels[1] != "sandbox 111122223333" {
		t.Errorf("labels %q: look-alike targets must be told apart by their folders, a given label kept", labels)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "--label") {
		t.Errorf("warnings %q: look-alike targets must be said, with the flag that names them", m.Warnings)
	}
	if m.Status != "FAIL" || m.ExitCode != 1 || m.Columns[1].ExitCode != 1 || m.Columns[0].ExitCode != 0 {
		t.Errorf("status %s exit %d, columns %+v", m.Status, m.ExitCode, m.Columns)
	}
	var order []string
	for _, r := range m.Checks {
		order = append(order, r.ID)
	}
	if want := "x.fails-on-b x.skip-on-c x.only-a x.same"; strings.Join(order, " ") != want {
		t.Errorf("rows %v, want %s (differences first, the most severe first; then the rest)", order, want)
	}
	if m.Differing != 3 || m.Checks[2].Cells[1].Outcome != "" || m.Checks[3].Differs {
		t.Errorf("differing %d, rows %+v", m.Differing, m.Checks)
	}
	if !strings.Contains(m.Verdict(), "FAIL on 1 of 3 target(s): sandbox") || !strings.Contains(m.Verdict(), "3 of 4 checks differ") {
		t.Errorf("verdict %q", m.Verdict())
	}

	dir := t.TempDir()
	if err := WriteMerge(dir, m); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FileJSON, FileHTML, FileMarkdown, FileJUnit} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "111122223333") {
			t.Errorf("%s holds an account id", f)
		}
	}
	var back Merge
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, FileJSON))), &back); err != nil || back.SchemaVersion != MergeSchemaVersion || len(back.Checks) != 4 {
		t.Errorf("report.json: %v %+v", err, back)
	}
	md := readFile(t, filepath.Join(dir, FileMarkdown))
	for _, want := range []string{"### dmsconform merge: ❌ FAIL", "#### Checks that differ between the targets (3)", "| `x.fails-on-b` | MUST | ✅ pass | ❌ fail: why x.fails-on-b is fail | ✅ pass |", "– absent", "✅ pass everywhere: 1"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	page := readFile(t, filepath.Join(dir, FileHTML))
	for _, want := range []string{"embedded us-east-1 (one)", "sandbox &lt;account-1&gt;", "Checks that differ between the targets (3)", `class="cell c-fail"`} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	var doc junitSuites
	if err := xml.Unmarshal([]byte(readFile(t, filepath.Join(dir, FileJUnit))), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 3 || doc.Tests != 10 || doc.Failures != 1 || doc.Skipped != 1 {
		t.Errorf("junit.xml: %d suites, %d tests, %d failures, %d skipped; want 3, 10 (one per check and target), 1, 1", len(doc.Suites), doc.Tests, doc.Failures, doc.Skipped)
	}
	if cs := doc.Suites[2].Cases; len(cs) == 0 || !strings.HasPrefix(cs[0].ClassName, "embedded us-east-1 (three) / ") {
		t.Errorf("a testcase's classname must name its target: %+v", cs)
	}
}

// TestMergeSeesCoverage: a column whose run had a baseline shows what changed against
// it, lost coverage included, in the columns' line and in the cells.
func TestMergeSeesCoverage(t *testing.T) {
	before := mergeRun(Target{TargetKind: "endpoint"}, map[string]Outcome{"x.a": Pass, "x.b": Pass})
	now := mergeRun(Target{TargetKind: "endpoint"}, map[string]Outcome{"x.a": Skipped, "x.b": Pass})
	Compare(before, now, nil, sampleStart)
	other := mergeRun(Target{TargetKind: "embedded"}, map[string]Outcome{"x.a": Pass, "x.b": Pass})
	m := NewMerge([]MergeInput{{Run: now}, {Run: other}}, Tool{})
	if got := baselineLine(m.Columns[0].Baseline); got != "1 no-longer-judged" {
		t.Errorf("column baseline %q", got)
	}
	if c := m.Checks[0].Cells[0]; m.Checks[0].ID != "x.a" || c.Class != NoLongerJudged {
		t.Errorf("cell %+v", m.Checks[0])
	}
	var md strings.Builder
	if err := WriteMergeMarkdown(&md, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "⏭️ skipped (no-longer-judged)") || !strings.Contains(md.String(), "| 1 no-longer-judged |") {
		t.Errorf("summary.md:\n%s", md.String())
	}
}
