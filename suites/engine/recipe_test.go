package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// recipeCheck judges the recipe script's evidence: the unknown request's cancel got
// ResourceNotFoundFault.
type recipeCheck struct {
	script engine.Script
	got    **engine.ProbeEvidence
}

func (k recipeCheck) Needs() engine.Needs { return engine.Needs{Evidence: []engine.Script{k.script}} }

func (k recipeCheck) Judge(*engine.Evidence) engine.Verdict {
	ev := *k.got
	if ev == nil {
		return engine.Errorf("the recipe script's evidence was not attached")
	}
	smp := ev.Get("unknown-request")
	if smp == nil {
		return engine.Errorf("no unknown-request probe in %d probes", len(ev.Probes))
	}
	if code := smp.Response().ErrorCode(); code != "ResourceNotFoundFault" {
		return engine.Failf([]*engine.Sample{smp}, "got %q", code)
	}
	return engine.Pass(smp)
}

// TestANewEvidenceScriptIsGatheredAndRecorded does the mechanical part of the
// README's recipe for a new evidence script: an entry added to the script table (with
// its run function and where its evidence goes) is listed in the catalog, gathered
// once for a check that needs it, recorded as a script of its own, and judged again
// from the recording, offline, with the same verdict.
func TestANewEvidenceScriptIsGatheredAndRecorded(t *testing.T) {
	const name engine.Script = "recipe-probes"
	var got *engine.ProbeEvidence
	defer engine.AddRecipeScript(name, &got)()

	if md := engine.CatalogMarkdown("spec/dms.openapi.yaml", "v", "sha", nil, nil); !strings.Contains(md, "- `recipe-probes`: The recipe's probes.") {
		t.Errorf("the catalog does not list the new script:\n%s", md)
	}
	ctx := context.Background()
	s, err := targets.Open(ctx, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.Preflight(ctx, []string{"conversion"}); err != nil {
		t.Fatal(err)
	}
	check := engine.Check{CheckInfo: reports.CheckInfo{ID: "CancelMetadataModelConversion.fault.recipe", Level: "MUST", Operation: "CancelMetadataModelConversion"},
		Family: "conversion", Kind: recipeCheck{name, &got}}
	live := engine.Run(ctx, s, []engine.Check{check}, nil)
	if c := live.Checks[0]; c.Outcome != reports.Pass {
		t.Fatalf("live: %s %q", c.Outcome, c.Message)
	}
	var recorded *engine.ScriptRecord
	for _, r := range s.Records() {
		if r.Script == name {
			recorded = &r
		}
	}
	if recorded == nil || recorded.Family != "conversion" || !strings.Contains(string(recorded.Evidence), "ResourceNotFoundFault") {
		t.Fatalf("the recording has no evidence of the new script: %+v", recorded)
	}
	got = nil
	off := reopen(t, s)
	offline := engine.JudgeAll(ctx, off, []engine.Check{check})
	if c := offline.Checks[0]; c.Outcome != reports.Pass || got == nil || len(off.Calls()) != 0 {
		t.Errorf("offline: %s %q, evidence attached %v, calls %v", c.Outcome, c.Message, got != nil, off.Calls())
	}
}
