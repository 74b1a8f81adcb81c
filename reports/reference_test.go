package reports

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReferenceKeepsWhatIsCompared: a reference keeps each check's outcome and cause,
// the causes and the verdict, and a failing check's message, and nothing that
// changes from run to run; it reads back as it was written, its run has its verdict,
// and a new check changes a few of its lines.
func TestReferenceKeepsWhatIsCompared(t *testing.T) {
	run := sampleCausesRun()
	run.Target.Endpoint = "http://127.0.0.1:45321"
	ref := NewReference("sample", run)
	data, err := EncodeReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, volatile := range []string{"45321", "durationNs", "started", "exchanges", "Authorization", "2026-"} {
		if strings.Contains(text, volatile) {
			t.Errorf("the reference keeps %q, which changes from run to run:\n%s", volatile, text)
		}
	}
	if n, want := strings.Count(text, "\n    {\"id\":"), len(run.Checks)+len(run.Causes); n != want {
		t.Errorf("%d lines of one check or cause, want %d:\n%s", n, want, text)
	}
	path := filepath.Join(t.TempDir(), FileReference)
	if err := WriteReference(path, ref); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReference(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := back.Differences(run); len(d) != 0 {
		t.Errorf("the run differs from its own reference: %v", d)
	}
	if status, _ := VerdictStatus(back.Run()); status != ref.Status || ref.Status != "FAIL" {
		t.Errorf("the reference's run has verdict %s, the reference says %s (want FAIL)", status, ref.Status)
	}
	for _, c := range back.Checks {
		if (c.Outcome == Fail || c.Outcome == Error || c.Outcome == Drift) != (c.Message != "") {
			t.Errorf("%s: %s with message %q: only a fail, drift or error keeps its message", c.ID, c.Outcome, c.Message)
		}
	}

	grown := sampleCausesRun()
	extra := grown.Checks[0]
	extra.ID += "-new"
	grown.Checks = append(grown.Checks, extra)
	more, err := EncodeReference(NewReference("sample", grown))
	if err != nil {
		t.Fatal(err)
	}
	if n := changedLines(text, string(more)); n > 4 {
		t.Errorf("one new check changed %d lines of the reference, want a few", n)
	}
}

// changedLines counts the lines of b that a does not have.
func changedLines(a, b string) int {
	have := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		have[l]++
	}
	n := 0
	for _, l := range strings.Split(b, "\n") {
		if have[l] > 0 {
			have[l]--
			continue
		}
		n++
	}
	return n
}

// TestReferenceDifferences names every difference a reference compares.
func TestReferenceDifferences(t *testing.T) {
	ref := NewReference("sample", sampleCausesRun())
	run := sampleCausesRun()
	run.Checks[0].Outcome, run.Checks[0].Cause = Pass, ""
	run.Checks = run.Checks[:len(run.Checks)-1]
	run.Causes = run.Causes[1:]
	got := strings.Join(ref.Differences(run), "\n")
	for _, want := range []string{"the reference says", "a check the run does not have", "of the reference is gone"} {
		if !strings.Contains(got, want) {
			t.Errorf("differences lack %q:\n%s", want, got)
		}
	}
	if _, err := ReadReference(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("a missing reference read without error")
	}
}
