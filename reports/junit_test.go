package reports

import (
	"encoding/xml"
	"strings"
	"testing"
)

// TestJUnitCauses: one testcase per check; a testcase decided by a cause names it.
func TestJUnitCauses(t *testing.T) {
	run := sampleCausesRun()
	_, _, data := writeRun(t, run)
	var doc jSuites
	if err := xml.Unmarshal([]byte(data), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Suites[0]
	if len(s.Cases) != len(run.Checks) || s.Tests != len(run.Checks) {
		t.Errorf("%d testcases for %d checks", len(s.Cases), len(run.Checks))
	}
	found := 0
	for _, c := range s.Cases {
		switch {
		case strings.Contains(c.Name, "lifecycle.cancelled-status"):
			found++
			if c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "skipped: blocked by: the lifecycle walk stopped") || !strings.HasSuffix(c.Skipped.Message, "(cause conversion/walk-stopped)") {
				t.Errorf("blocked testcase: %+v", c.Skipped)
			}
		case strings.Contains(c.Name, "creation.start"):
			found++
			if c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "unimplemented: ") || !strings.Contains(c.Skipped.Message, "(cause unimplemented/StartMetadataModelCreation)") {
				t.Errorf("unimplemented testcase: %+v", c.Skipped)
			}
		case strings.Contains(c.Name, "lifecycle.watch-steps"):
			found++
			if c.Error == nil || !strings.Contains(c.Error.Message, "(cause conversion/watch)") {
				t.Errorf("errored testcase: %+v", c.Error)
			}
		case strings.Contains(c.Name, "lifecycle.start:"):
			found++
			if c.Failure == nil || c.Failure.Message != `StartMetadataModelConversion did not start requests: "walk: start": HTTP 200 without a RequestIdentifier: {} (+2 more)` {
				t.Errorf("failure message must carry the first problem: %+v", c.Failure)
			}
			if n := strings.Count(c.Failure.Text, "-> HTTP"); n != 3 {
				t.Errorf("failure text lists %d exchanges, want 3 (repeats dropped):\n%s", n, c.Failure.Text)
			}
			if !strings.Contains(c.Failure.Text, "[attempt 1, retried: HTTP 500 InternalFailure") {
				t.Errorf("failure text does not say which attempt was retried:\n%s", c.Failure.Text)
			}
		}
	}
	if found != 4 {
		t.Errorf("found %d of the 4 testcases looked at", found)
	}
	if !strings.Contains(data, "cause conversion/watch (error, 2 checks)") || !strings.Contains(data, "[attempt 3]") {
		t.Error("an errored testcase does not carry its cause's transcript")
	}
}

// TestJUnitInterrupted: an interrupted run is a property of the suite, and the checks
// it did not run are skipped testcases naming the cause "interrupted".
func TestJUnitInterrupted(t *testing.T) {
	_, _, data := writeRun(t, sampleInterruptedRun())
	var doc jSuites
	if err := xml.Unmarshal([]byte(data), &doc); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for _, p := range doc.Suites[0].Props {
		props[p.Name] = p.Value
	}
	if props["interrupted"] != "true" {
		t.Errorf("junit.xml properties lack interrupted=true: %v", props)
	}
	skipped := 0
	for _, c := range doc.Suites[0].Cases {
		if c.Skipped != nil && strings.HasSuffix(c.Skipped.Message, "(cause interrupted)") {
			skipped++
		}
	}
	if skipped != 4 {
		t.Errorf("%d skipped testcases name the cause interrupted, want 4", skipped)
	}
	// A run that is not interrupted says nothing of it.
	if _, _, data = writeRun(t, sampleRun()); strings.Contains(data, `"interrupted"`) {
		t.Error("a run that was not interrupted reads as interrupted")
	}
}
