package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// shouldRun is a run whose only failure is an unmet SHOULD resting on an inference,
// beside a passing MUST.
func shouldRun() *Run {
	pass := check("lifecycle.cancel", "answer CANCELING", Pass, "lifecycle")
	pass.Source = Source{Origin: SourceDocumentation, Ref: "the operation's documentation", Quote: "Cancels a single metadata model conversion operation"}
	unmet := check("lifecycle.second-cancel", "refuse a second cancel", Fail, "lifecycle", "inferred")
	unmet.Level = "SHOULD"
	unmet.Message = "cancelling the CANCELED request r-1 gave HTTP 200, want InvalidResourceStateFault"
	unmet.Source = Source{Origin: SourceInferred, Ref: "no public source says what a second cancel answers"}
	run := &Run{Mode: ModeTarget, Target: Target{TargetKind: "embedded"}, Started: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Checks: []Check{pass, unmet}}
	Finalize(run)
	return run
}

// TestUnmetShouldIsListedNotCounted: only MUST failures fail a run; an unmet SHOULD is
// named by the verdict and listed by every writer; --strict counts it.
func TestUnmetShouldIsListedNotCounted(t *testing.T) {
	run := shouldRun()
	const id = "CancelMetadataModelConversion.lifecycle.second-cancel"
	if n := ConformanceExitFailures(run); n != 0 {
		t.Errorf("ConformanceExitFailures = %d, want 0: a SHOULD does not fail the run", n)
	}
	status, text := VerdictStatus(run)
	if status != "PASS" || !strings.Contains(text, "1 SHOULD unmet (not counted; --strict counts them)") {
		t.Errorf("verdict %s %q", status, text)
	}
	if len(run.ShouldUnmet) != 1 || run.ShouldUnmet[0] != id {
		t.Errorf("ShouldUnmet %v", run.ShouldUnmet)
	}
	var js bytes.Buffer
	if err := EncodeJSON(&js, run); err != nil {
		t.Fatal(err)
	}
	var back struct {
		ShouldUnmet []string `json:"shouldUnmet"`
		Checks      []struct {
			Source *Source `json:"source"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.ShouldUnmet) != 1 || back.Checks[1].Source == nil || back.Checks[1].Source.Origin != SourceInferred {
		t.Errorf("report.json: %v %+v", err, back)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, run); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PASS", "#### Unmet SHOULDs (not counted toward the verdict; --strict counts them) (1)", "`" + id + "` refuse a second cancel (SHOULD, inferred)", "Source: inferred: no public source"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "#### Failures") {
		t.Errorf("summary.md lists the unmet SHOULD as a failure:\n%s", md.String())
	}
	var ju bytes.Buffer
	if err := WriteJUnit(&ju, run); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`failures="0"`, `<property name="shouldUnmet" value="` + id + `">`, "<system-out>unmet SHOULD (SHOULD, unmet: not counted toward the verdict (--strict counts it)): cancelling the CANCELED request", "source: inferred: no public source"} {
		if !strings.Contains(ju.String(), want) {
			t.Errorf("junit.xml lacks %q:\n%s", want, ju.String())
		}
	}
	var h bytes.Buffer
	if err := WriteHTML(&h, run); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Unmet SHOULDs (1)", "SHOULD unmet", "SHOULD · inferred", "<dt>Source</dt><dd>documentation: the operation&#39;s documentation <q>Cancels a single metadata model conversion operation</q>"} {
		if !strings.Contains(h.String(), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}

	run.Strict = true
	Finalize(run)
	if n := ConformanceExitFailures(run); n != 1 {
		t.Errorf("strict: ConformanceExitFailures = %d, want 1", n)
	}
	if status, text := VerdictStatus(run); status != "FAIL" || !strings.Contains(text, "1 SHOULD unmet (counted: --strict)") {
		t.Errorf("strict verdict %s %q", status, text)
	}
	ju.Reset()
	if err := WriteJUnit(&ju, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ju.String(), `failures="1"`) || !strings.Contains(ju.String(), `<property name="strict" value="true">`) {
		t.Errorf("strict junit.xml:\n%s", ju.String())
	}
}

// TestNewFailuresCountByLevel: against a baseline, a SHOULD that newly fails is a new
// failure in the comparison, but only a new MUST failure (or any, with --strict) makes
// the run FAIL.
func TestNewFailuresCountByLevel(t *testing.T) {
	run := shouldRun()
	old := shouldRun()
	old.Checks[1].Outcome = Pass
	Finalize(old)
	run.Baseline = Compare(old, run, nil, time.Now())
	Finalize(run)
	if !run.Baseline.HasNewFailures() || NewConformanceFailures(run) != 0 {
		t.Fatalf("new failures %v, counting %d", run.Baseline.Counts, NewConformanceFailures(run))
	}
	if status, _ := VerdictStatus(run); status != "PASS" {
		t.Errorf("a newly unmet SHOULD: %s, want PASS", status)
	}
	run.Strict = true
	if status, _ := VerdictStatus(run); status != "FAIL" || NewConformanceFailures(run) != 1 {
		t.Errorf("a newly unmet SHOULD with --strict: %s", status)
	}
	run.Strict = false
	run.Checks[1].Level = "MUST"
	if status, _ := VerdictStatus(run); status != "FAIL" {
		t.Errorf("a new MUST failure: %s, want FAIL", status)
	}
}
