package runner

import (
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// A project whose Start is refused with one of the Start operation's modelled faults
// (here the S3 bucket is denied) is the user's configuration: the conversion family's
// lifecycle checks are skipped with one cause that names the fault and what to fix;
// nothing fails, and the creation family (whose Start does not model the S3 faults)
// runs as usual.
func TestMisconfiguredProjectIsSkippedNotFailed(t *testing.T) {
	const project = "dmsconform-s3-denied"
	cfg := engine.Config{Project: project}
	res, err := run(t, Options{Config: cfg, Target: embedded(t, cfg, func(c *emulator.Config) {
		c.Projects = []emulator.Project{{Name: project, StartFault: emulator.CodeS3AccessDenied}}
	})})
	if err != nil {
		t.Fatal(err)
	}
	var refused []reports.Check
	causes := map[string]bool{}
	for _, c := range res.Run.Checks {
		if c.Outcome == reports.Fail {
			t.Errorf("%s fails: %s", c.ID, c.Message)
		}
		if c.Cause != "" && strings.Contains(c.Cause, "start-refused") {
			refused = append(refused, c)
			causes[c.Cause] = true
		}
		if strings.HasPrefix(c.ID, "CancelMetadataModelCreation.lifecycle.") && c.Outcome == reports.Skipped && strings.Contains(c.Message, "S3AccessDeniedFault") {
			t.Errorf("%s (creation family) is skipped for the conversion family's start fault", c.ID)
		}
	}
	if status, text := reports.VerdictStatus(res.Run); res.ExitCode != reports.ExitOK || status != "PARTIAL" {
		t.Errorf("exit %d verdict %s (%s), want 0 and PARTIAL", res.ExitCode, status, text)
	}
	if len(refused) < 10 || len(causes) != 1 || !causes["conversion/start-refused"] {
		t.Fatalf("%d checks blocked by causes %v, want the conversion family's lifecycle checks blocked by the one cause conversion/start-refused", len(refused), causes)
	}
	var title string
	for _, c := range res.Run.Causes {
		if c.ID == "conversion/start-refused" {
			title = c.Title
		}
	}
	for _, want := range []string{"S3AccessDeniedFault", "one of its modelled faults", "not the target's non-conformance", "to fix: let the role of the project's instance profile read and write the project's S3 bucket"} {
		if !strings.Contains(title, want) {
			t.Errorf("the cause %q does not say %q", title, want)
		}
	}
	byID := byID(res.Run)
	if c := byID["CancelMetadataModelConversion.lifecycle.start"]; c.Outcome != reports.Skipped || c.Cause != "conversion/start-refused" {
		t.Errorf("lifecycle.start = %s (%s), want skipped by conversion/start-refused", c.Outcome, c.Cause)
	}
	if c := byID["CancelMetadataModelCreation.lifecycle.start"]; c.Outcome != reports.Pass {
		t.Errorf("creation lifecycle.start = %s: %s", c.Outcome, c.Message)
	}
}
