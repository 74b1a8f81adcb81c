package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/spec/spectest"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/suites/gosdk"
	"github.com/dmsconform/dmsconform/suites/kinds"
	"github.com/dmsconform/dmsconform/targets"
)

// withTrialFamily is the embedded model with a third family, "trial": the conversion
// family's three operations under names aws-sdk-go-v2 does not have
// (StartMetadataModelTrial, DescribeMetadataModelTrials, CancelMetadataModelTrial),
// sharing its shapes.
func withTrialFamily(t *testing.T) *spec.Model {
	t.Helper()
	m, err := spectest.WithTwinFamily("Trial")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Families()) != len(spec.MustLoad().Families())+1 || m.FamilyOperation("trial", spec.RoleCancel) == nil {
		t.Fatalf("families %v", m.Families())
	}
	return m
}

// A family whose operations aws-sdk-go-v2 lacks still runs every wire check: its
// lifecycle calls go on the wire, and each check of the SDK's view is skipped with one
// cause naming the SDK's version and the operations it lacks, never an error. The
// embedded emulator serves the family from the model alone.
func TestAFamilyTheSDKLacksRunsEveryWireCheck(t *testing.T) {
	m := withTrialFamily(t)
	for _, op := range []string{"StartMetadataModelTrial", "DescribeMetadataModelTrials", "CancelMetadataModelTrial"} {
		if gosdk.Has(op) {
			t.Fatalf("aws-sdk-go-v2 has %s: the test needs operations it lacks", op)
		}
	}
	s, trial, res := runTrialAndConversion(t, m)
	byID := map[string]reports.Check{}
	for _, c := range res.Checks {
		byID[c.ID] = c
	}
	sdkChecks, wireChecks := 0, 0
	for _, c := range trial {
		got := byID[c.ID]
		twin := byID[strings.Replace(c.ID, "CancelMetadataModelTrial", "CancelMetadataModelConversion", 1)]
		switch {
		case c.Kind.Needs().SDK:
			sdkChecks++
			if got.Outcome != reports.Skipped || got.Cause != engine.CauseSDKLacks+"trial" {
				t.Errorf("%s (SDK view): %s cause %q: %s", c.ID, got.Outcome, got.Cause, got.Message)
			}
		default:
			wireChecks++
			// The conversion family, which the SDK has, is the same family under other
			// names: each wire check ends as its twin does.
			if got.Outcome != twin.Outcome || got.Outcome == reports.Fail || got.Outcome == reports.Error {
				t.Errorf("%s: %s %q, its conversion twin %s", c.ID, got.Outcome, got.Message, twin.Outcome)
			}
		}
	}
	lacks := oneSDKLacksCause(t, res, sdkChecks)
	// The walk's SDK waiter says why it was not asked; the sdk-validation script was
	// never run.
	ev := s.Evidence("trial")
	if ev.Walk == nil || ev.Walk.Final != "CANCELED" || ev.Walk.Waiter == nil || ev.Walk.Waiter.Unavailable != lacks.Title {
		t.Errorf("the walk %+v", ev.Walk)
	}
	if ev.SDKValidation != nil {
		t.Error("the SDK's validation ran for a family it lacks")
	}
	passed := 0
	for _, c := range trial {
		if byID[c.ID].Outcome == reports.Pass {
			passed++
		}
	}
	t.Logf("trial family: %d checks, %d of the SDK's view skipped, %d wire checks (%d pass)", len(trial), sdkChecks, wireChecks, passed)
	if sdkChecks == 0 || wireChecks == 0 || passed == 0 {
		t.Error("nothing to compare")
	}
}

// runTrialAndConversion runs the trial family's checks and the conversion family's on
// the embedded emulator serving model m.
func runTrialAndConversion(t *testing.T, m *spec.Model) (*engine.Session, []engine.Check, *engine.Result) {
	ctx := context.Background()
	s, err := targets.Open(ctx, engine.Config{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	if err := s.Preflight(ctx, []string{"trial", "conversion"}); err != nil {
		t.Fatal(err)
	}
	trial, err := kinds.Expand(m, "trial")
	if err != nil {
		t.Fatal(err)
	}
	conversion, err := kinds.Expand(m, "conversion")
	if err != nil {
		t.Fatal(err)
	}
	return s, trial, engine.Run(ctx, s, append(trial, conversion...), nil)
}

// oneSDKLacksCause is the run's one sdk-lacks cause, which covers sdkChecks checks and
// names the SDK, its version, the operations it lacks and the family.
func oneSDKLacksCause(t *testing.T, res *engine.Result, sdkChecks int) reports.Cause {
	var lacks []reports.Cause
	for _, c := range res.Causes {
		if strings.HasPrefix(c.ID, engine.CauseSDKLacks) {
			lacks = append(lacks, c)
		}
	}
	if len(lacks) != 1 || lacks[0].Checks != sdkChecks || lacks[0].Outcome != reports.Skipped {
		t.Fatalf("causes %+v, want one sdk-lacks cause of %d checks", res.Causes, sdkChecks)
	}
	for _, w := range []string{"aws-sdk-go-v2", gosdk.Version(), "StartMetadataModelTrial, DescribeMetadataModelTrials, CancelMetadataModelTrial", "trial family"} {
		if !strings.Contains(lacks[0].Title, w) {
			t.Errorf("the cause %q does not say %q", lacks[0].Title, w)
		}
	}
	return lacks[0]
}
