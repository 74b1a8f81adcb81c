package reports

import (
	"strings"
	"testing"
)

// TestMarkdownCausesSaidOnce: summary.md lists each cause once (outcome, title, number
// of checks) and not the checks it decided.
func TestMarkdownCausesSaidOnce(t *testing.T) {
	_, md, _ := writeRun(t, sampleCausesRun())
	for _, want := range []string{
		"#### Causes (3)",
		"- ⚠️ **error** · 2 check(s): the progress watch could not start a request: HTTP 500 after 3 attempts (retry budget spent) (`conversion/watch`) — StartMetadataModelConversion answered: attempt 1: HTTP 500 InternalFailure (+2 more)",
		"- ⏭️ **skipped** · 3 check(s): the lifecycle walk stopped:",
		"- 🚫 **unimplemented** · 1 check(s):",
		"#### Harness errors (1)", // only the check its own judge errored
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q\n%s", want, md)
		}
	}
	for _, id := range []string{"lifecycle.watch-steps", "lifecycle.watch-percent", "lifecycle.cancelled-status", "creation.start"} {
		if strings.Contains(md, id) {
			t.Errorf("summary.md lists %s, a check decided by a cause", id)
		}
	}
	if n := strings.Count(md, "the progress watch could not start a request"); n != 1 {
		t.Errorf("the cause is said %d times in summary.md, want once", n)
	}
	if strings.Index(md, "#### Causes") > strings.Index(md, "#### Failures") {
		t.Error("causes come after the failures")
	}
}

// TestMarkdownInterrupted: summary.md says near its verdict that the run was
// interrupted, and lists the cause "interrupted" with the checks it did not run.
func TestMarkdownInterrupted(t *testing.T) {
	_, md, _ := writeRun(t, sampleInterruptedRun())
	lines := strings.Split(md, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[2], "> ⏹️ **Interrupted**") || !strings.Contains(lines[2], "4 check(s) were not run") || !strings.Contains(lines[2], "`interrupted`") {
		t.Errorf("summary.md does not say near its verdict that the run was interrupted:\n%s", strings.Join(lines[:min(5, len(lines))], "\n"))
	}
	if !strings.Contains(md, "- ⏭️ **skipped** · 4 check(s): not run: the run was interrupted") {
		t.Errorf("summary.md does not list the cause interrupted:\n%s", md)
	}
	if _, md, _ = writeRun(t, sampleRun()); strings.Contains(md, "Interrupted") {
		t.Error("a run that was not interrupted reads as interrupted")
	}
}

// TestMarkdownOneLine: summary.md's one-line lists show the header and the first
// problem of a message.
func TestMarkdownOneLine(t *testing.T) {
	run := sampleCausesRun()
	for i := range run.Checks {
		if strings.HasSuffix(run.Checks[i].ID, "enum.status") {
			run.Checks[i].Message = "undocumented Status values:\n- \"PAUSED\" in Describe\n- \"HALTED\" in Cancel"
		}
	}
	_, md, _ := writeRun(t, run)
	if !strings.Contains(md, "use a documented Status value: undocumented Status values: \"PAUSED\" in Describe (+1 more)") {
		t.Errorf("summary.md drift line is not the one-line form:\n%s", md)
	}
}

// TestMarkdownCost: summary.md says what the run cost, and nothing when it counted
// nothing.
func TestMarkdownCost(t *testing.T) {
	_, md, _ := writeRun(t, sampleCausesRun())
	if want := "Cost: **98** API call(s) (CancelMetadataModelConversion 10, DescribeMetadataModelConversions 77, StartMetadataModelConversion 11) · **22** of 26 starts · gather 9.28ms, judge 1.175ms, write 3ms"; !strings.Contains(md, want) {
		t.Errorf("summary.md lacks %q", want)
	}
	if _, md, _ = writeRun(t, sampleRun()); strings.Contains(md, "Cost:") {
		t.Error("a run without counts shows a cost")
	}
}

// TestVerdictInterrupted: the verdict of an interrupted run says so once, whatever its
// status.
func TestVerdictInterrupted(t *testing.T) {
	run := sampleInterruptedRun()
	run.Checks = checksWith(run, func(c Check) bool { return c.Outcome != Fail })
	if status, text := VerdictStatus(run); status != "ERROR" || strings.Count(text, "interrupted") != 1 {
		t.Errorf("interrupted, nothing failed: %s %q", status, text)
	}
	if status, text := VerdictStatus(sampleInterruptedRun()); status != "FAIL" || strings.Count(text, "interrupted") != 1 {
		t.Errorf("interrupted, with failures: %s %q", status, text)
	}
}

// TestMarkdownProofs: a mutation run's summary.md says how many checks a defect mode
// kills, how many only their table tests prove (with the kind's reason), and names the
// unproven and the stale ones.
func TestMarkdownProofs(t *testing.T) {
	_, md, _ := writeRun(t, sampleMutationRun())
	for _, want := range []string{
		"Checks: **4** killed by a defect mode, **1** proven by their table tests only, **1** unproven, **1** declared table-tests-only yet killed, **1** not judged in this build (the defect-free run skipped them for a cause), of 8",
		"| `MemberType` | 2 | 1 | – | 1 |",
		"| `InputMissingSDK` | 1 | 0 | 1: the SDK refuses before it sends: no target &lt;answer&gt; reaches it | 0 |",
		"- unproven (no defect mode makes it fail, and its kind does not say why none can): `CancelMetadataModelConversion.shape.response.Progress`",
		"- declared proven by its table tests only, yet killed by wrong-fault-status: `CancelMetadataModelConversion.fault.not-found.sdk`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q\n%s", want, md)
		}
	}
}
