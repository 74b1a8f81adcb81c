package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
)

// walk prepares (budget included) and gathers the conversion family's walk.
func walk(t *testing.T, s *Session) *WalkEvidence {
	t.Helper()
	c := check("conversion", "lifecycle.walk", kind{needs: Needs{Evidence: []Script{Walk}}})
	s.Prepare(context.Background(), []Check{c}, nil)
	ev, cause := s.gather(context.Background(), "conversion", Walk)
	if cause != nil {
		t.Fatalf("the walk: %s", cause.Title)
	}
	return ev.(*WalkEvidence)
}

// On a conforming target the walk cancels its request at once; the request ends
// CANCELED, the SDK's waiter accepts it, and a second cancel is refused.
func TestWalkCancelsAtOnceAndTheSecondCancelIsRefused(t *testing.T) {
	s := openEmbedded(t, nil)
	w := walk(t, s)
	if len(w.Starts) != 1 || len(w.Misses) != 0 || w.Unobserved != "" || w.Stopped != "" || w.TimedOut {
		t.Fatalf("walk %+v", w)
	}
	if !w.Cancel.Response().OK() || Str(requestOf(w.Cancel)["Status"]) != "CANCELING" || Str(requestOf(w.Cancel)["RequestIdentifier"]) != w.RequestID {
		t.Errorf("cancel: %s", w.Cancel.Response().Summary())
	}
	if w.Final != "CANCELED" || len(w.Describes) == 0 || statusOf(w.Describes, w.RequestID) != "CANCELED" {
		t.Errorf("final %q after %d describes", w.Final, len(w.Describes))
	}
	if w.Waiter == nil || w.Waiter.Err != "" || w.Waiter.Infra || len(w.Waiter.Samples) != 1 {
		t.Errorf("waiter %+v", w.Waiter)
	}
	if r := w.SecondCancel.Response(); r.Status != 400 || r.ErrorCode() != "InvalidResourceStateFault" {
		t.Errorf("second cancel: %s", r.Summary())
	}
	if used, budget := s.Starts(); used != 1 || budget != 1+walkSpare {
		t.Errorf("starts %d of %d", used, budget)
	}
	// Every call of the walk is in its script's stream, numbered in order; every one
	// but the SDK waiter's went on the wire (the SDK's view is derived from its bytes).
	seq := 0
	for _, smp := range samplesIn(w) {
		for _, a := range smp.Attempts {
			if a.Script != "conversion/walk" || a.Call < seq {
				t.Errorf("%s: script %q call %d after %d", smp.Name, a.Script, a.Call, seq)
			}
			if want := map[bool]string{true: "sdk", false: "wire"}[strings.Contains(smp.Name, "waiter")]; a.View != want {
				t.Errorf("%s: view %q, want %q", smp.Name, a.View, want)
			}
			seq = a.Call
		}
	}
	// The request ended: clean-up has nothing to do.
	if err := s.Cleanup(context.Background()); err != nil || len(s.Setup()) != 0 {
		t.Errorf("clean-up after a walk: %v, %d calls", err, len(s.Setup()))
	}
}

// Under eventual consistency the walk's cancel is tried again within
// --consistency-grace; the earlier tries stay in the sample, marked as retried.
func TestWalkRetriesTheCancelWithinTheConsistencyGrace(t *testing.T) {
	s := openEmbeddedEmu(t, weather(emulator.Weather{ConsistencyWindow: 3 * time.Second}), nil)
	start := emu(s).Clock.Now()
	w := walk(t, s)
	atts := w.Cancel.Attempts
	if len(atts) < 2 {
		t.Fatalf("the cancel was tried %d times", len(atts))
	}
	for i, a := range atts[:len(atts)-1] {
		if a.Response.Status != 400 || !strings.Contains(a.Response.Body, "ResourceNotFoundFault") || !strings.Contains(a.Retried, "not visible yet") {
			t.Errorf("try %d: HTTP %d %s, Retried %q", i+1, a.Response.Status, a.Response.Body, a.Retried)
		}
	}
	if last := w.Cancel.Last(); last.Retried != "" || !w.Cancel.Response().OK() {
		t.Errorf("the last try: %+v", last)
	}
	if w.Final != "CANCELED" || len(w.Misses) != 0 || len(w.Starts) != 1 {
		t.Errorf("walk %+v", w)
	}
	if moved := emu(s).Clock.Now().Sub(start); moved < 3*time.Second {
		t.Errorf("the clock moved %v, less than the window", moved)
	}
	// A window longer than the grace: the walk stops trying at the grace, and the
	// last answer (ResourceNotFoundFault) is what the cancel checks judge.
	s = openEmbeddedEmu(t, weather(emulator.Weather{ConsistencyWindow: time.Minute}), func(c *Config) { c.ConsistencyGrace = 2 * time.Second })
	start = emu(s).Clock.Now()
	w = walk(t, s)
	if w.Cancel.Response().ErrorCode() != "ResourceNotFoundFault" || len(w.Cancel.Attempts) < 2 || len(w.Describes) != 0 {
		t.Errorf("cancel %s after %d tries, %d describes", w.Cancel.Response().Summary(), len(w.Cancel.Attempts), len(w.Describes))
	}
	if moved := emu(s).Clock.Now().Sub(start); moved > 2*time.Second {
		t.Errorf("the walk waited %v, past the 2s grace", moved)
	}
	// The request is still running, unseen: clean-up cannot confirm its end...
	if err := s.Cleanup(context.Background()); err == nil || !strings.Contains(err.Error(), w.RequestID) {
		t.Errorf("clean-up of an invisible request: %v", err)
	}
	// ... until it becomes visible (and has ended on its own by then).
	emu(s).Clock.Advance(time.Minute)
}

// A target faster than a cancel sent at once: the walk replaces the request within
// the start budget, then says the cancel was not observable (skipped, not failed).
func TestWalkReplacesRequestsThatEndBeforeTheCancel(t *testing.T) {
	fast := func(maxStarts int) *Session {
		wall := func(ec *emulator.Config) { ec.Clock, ec.StepDuration = nil, time.Nanosecond } // the wall clock
		return openEmbeddedEmu(t, wall, func(c *Config) { c.MaxStarts = maxStarts })
	}
	s := fast(0)
	if _, virtual := s.clock.(virtualClock); virtual {
		t.Fatal("the session is on a virtual clock")
	}
	w := walk(t, s)
	// Each miss: the describe just before the cancel, the refused cancel, the describe
	// that shows the request ended.
	if len(w.Starts) != 1+walkSpare || len(w.Misses) != 3*(1+walkSpare) || w.Cancel != nil || w.SecondCancel != nil {
		t.Fatalf("%d starts, %d misses, cancel %v", len(w.Starts), len(w.Misses), w.Cancel)
	}
	for i := 0; i < len(w.Misses); i += 3 {
		if b, c, d := w.Misses[i], w.Misses[i+1], w.Misses[i+2]; b.Name != "walk: describe before the cancel" || c.Response().ErrorCode() != "InvalidResourceStateFault" || statusOf([]*Sample{d}, requestIDOf(d)) != "SUCCESS" {
			t.Errorf("miss %d: %s / %s / %s", i/3+1, b.Name, c.Response().Summary(), d.Response().Summary())
		}
	}
	if !strings.Contains(w.Unobserved, "each of the 3 requests the walk started had ended (SUCCESS) before its cancel landed") {
		t.Errorf("Unobserved %q", w.Unobserved)
	}
	if used, budget := s.Starts(); used != 3 || budget != 3 {
		t.Errorf("starts %d of %d", used, budget)
	}
	// A smaller budget ends the replacements sooner, and says so.
	s = fast(2)
	w = walk(t, s)
	if len(w.Starts) != 2 || !strings.Contains(w.Unobserved, "each of the 2 requests") || !strings.Contains(w.Unobserved, "raise --max-starts") {
		t.Errorf("%d starts, Unobserved %q", len(w.Starts), w.Unobserved)
	}
	if err := s.Cleanup(context.Background()); err != nil || len(s.Setup()) != 0 {
		t.Errorf("clean-up after the misses: %v (%d calls): the ended requests need no cancel", err, len(s.Setup()))
	}
}

func requestIDOf(d *Sample) string {
	if rs := RequestsOf(d.Response().Object()); len(rs) == 1 {
		return Str(rs[0]["RequestIdentifier"])
	}
	return ""
}

// A start budget of one: the walk takes it, and the watch's start is blocked by the
// "start-budget" cause (skipped, with how to raise it), not sent.
func TestStartBudgetOfOneBlocksTheSecondStart(t *testing.T) {
	s := openEmbedded(t, func(c *Config) { c.MaxStarts = 1 })
	walkCheck := check("conversion", "lifecycle.a", kind{needs: Needs{Evidence: []Script{Walk}}})
	watchCheck := check("conversion", "lifecycle.b", kind{needs: Needs{Evidence: []Script{Watch}}})
	res := Run(context.Background(), s, []Check{walkCheck, watchCheck}, nil)
	if res.Checks[0].Outcome != reports.Pass {
		t.Errorf("the walk's check: %s %s", res.Checks[0].Outcome, res.Checks[0].Message)
	}
	wc := res.Checks[1]
	if wc.Outcome != reports.Skipped || wc.Cause != "start-budget" || !strings.Contains(wc.Message, "raise --max-starts") || !strings.Contains(wc.Message, "1 of 1") {
		t.Errorf("the watch's check: %s cause %q %q", wc.Outcome, wc.Cause, wc.Message)
	}
	if res.Starts != 1 || res.StartBudget != 1 || s.Calls()["StartMetadataModelConversion"] != 1 {
		t.Errorf("starts %d of %d, %d start calls", res.Starts, res.StartBudget, s.Calls()["StartMetadataModelConversion"])
	}
}

// The watch follows a request it never cancels through every progress step to its end.
func TestWatchSeesEveryStepToTheEnd(t *testing.T) {
	s := openEmbedded(t, nil)
	s.SetStartBudget(1)
	ev, cause := s.gather(context.Background(), "conversion", Watch)
	if cause != nil {
		t.Fatal(cause.Title)
	}
	w := ev.(*WatchEvidence)
	steps := map[string]bool{}
	for _, d := range w.Describes {
		if p, _ := RequestIn(d, w.RequestID)["Progress"].(map[string]any); p != nil {
			steps[Str(p["ProgressStep"])] = true
		}
	}
	for _, st := range []string{emulator.StepLoadingMetadata, emulator.StepCountingObjects, emulator.StepAnalyzing, emulator.StepConverting} {
		if !steps[st] {
			t.Errorf("the watch never saw %s (saw %v)", st, steps)
		}
	}
	if statusOf(w.Describes, w.RequestID) != "SUCCESS" || w.TimedOut || w.Stopped != "" {
		t.Errorf("watch ended %q, timed out %v, stopped %q", statusOf(w.Describes, w.RequestID), w.TimedOut, w.Stopped)
	}
}

// The scenario runs bind each scenario to its own start by a tag in the selection
// rules, so each run gets its own scenario (the runs go one after another, as the
// target runs a project's requests; the emulator's tests bind concurrent starts).
func TestScenarioRunsBindTheirScenariosByTag(t *testing.T) {
	s := openEmbedded(t, func(c *Config) { c.Parallel = len(scenarioRuns) })
	s.SetStartBudget(len(scenarioRuns))
	ev, cause := s.gather(context.Background(), "conversion", Scenarios)
	if cause != nil {
		t.Fatal(cause.Title)
	}
	bound := map[string]string{} // request id -> the tag of the scenario the emulator applied
	for _, rs := range emu(s).Emulator.State() {
		var sc emulator.Scenario
		if rs.Scenario != "" {
			if err := json.Unmarshal([]byte(rs.Scenario), &sc); err != nil {
				t.Fatal(err)
			}
		}
		bound[rs.ID] = sc.Tag
	}
	runs := ev.(*ScenarioEvidence).Runs
	if len(runs) != len(scenarioRuns) {
		t.Fatalf("%d runs", len(runs))
	}
	for i, run := range runs {
		tag := fmt.Sprintf("dmsconform-scenario-conversion-%d", i+1)
		if run.Stopped != "" || run.RequestID == "" {
			t.Errorf("%s: stopped %q", run.Name, run.Stopped)
			continue
		}
		if bound[run.RequestID] != tag || !strings.Contains(run.Start.Attempts[0].Request.Body, tag) {
			t.Errorf("%s: request %s is bound to %q, want %q", run.Name, run.RequestID, bound[run.RequestID], tag)
		}
		last := RequestIn(run.Samples[len(run.Samples)-1], run.RequestID)
		switch name := run.Name; {
		case name == "failed on purpose":
			if Str(last["Status"]) != "FAILED" {
				t.Errorf("%s: ended %v", name, last["Status"])
			}
		case name == "an undocumented Status":
			if !strings.Contains(run.Samples[len(run.Samples)-2].Attempts[0].Response.Body, "DMSCONFORM_UNDOCUMENTED_STATUS") {
				t.Errorf("%s: the solicited status never showed", name)
			}
		case strings.HasPrefix(name, "held at "):
			step := strings.Fields(strings.TrimPrefix(name, "held at "))[0]
			held := run.Samples[len(run.Samples)-2] // the describe before the cancel
			p, _ := RequestIn(held, run.RequestID)["Progress"].(map[string]any)
			if p == nil || Str(p["ProgressStep"]) != step || Str(requestOf(run.Samples[len(run.Samples)-1])["Status"]) != "CANCELING" {
				t.Errorf("%s: held at %v, then %s", name, p, run.Samples[len(run.Samples)-1].Response().Summary())
			}
		}
		for _, smp := range run.Samples[1:] {
			if smp.Solicited == nil {
				t.Errorf("%s: %s carries no solicitation", run.Name, smp.Name)
			}
		}
	}
}

// The probes send what they say: an unknown request and project, invalid inputs by
// key, and the SDK stops inputs without a required member before the wire.
func TestProbesAgainstTheEmbeddedTarget(t *testing.T) {
	s := openEmbedded(t, nil)
	get := func(sc Script) any {
		ev, cause := s.gather(context.Background(), "conversion", sc)
		if cause != nil {
			t.Fatalf("%s: %s", sc, cause.Title)
		}
		return ev
	}
	nf := get(NotFound).(*ProbeEvidence)
	for _, key := range []string{"unknown-request", "unknown-project"} {
		if code := nf.Get(key).Response().ErrorCode(); code != "ResourceNotFoundFault" {
			t.Errorf("%s: %s", key, nf.Get(key).Response().Summary())
		}
	}
	if code := get(Denied).(*ProbeEvidence).Get("denied").Response().ErrorCode(); code != "AccessDeniedException" {
		t.Errorf("denied: %s", code)
	}
	in := get(Inputs).(*ProbeEvidence)
	keys := InputProbes(s.Model.Operation(cancelOp))
	if len(in.Probes) != len(keys) || len(keys) == 0 {
		t.Fatalf("%d input probes for keys %v", len(in.Probes), keys)
	}
	for i, p := range in.Probes {
		if p.Key != keys[i] || p.Sample.Response().Status != 400 {
			t.Errorf("%s: %s", p.Key, p.Sample.Response().Summary())
		}
	}
	sv := get(SDKValidation).(*SDKValidationEvidence)
	if len(sv.Results) != 2 {
		t.Fatalf("SDK validation results %+v", sv.Results)
	}
	for _, r := range sv.Results {
		if r.Sent || !r.InvalidParams {
			t.Errorf("without %s: sent %v, invalid params %v (%s)", r.Member, r.Sent, r.InvalidParams, r.Error)
		}
	}
}

// A request Describe does not list yet: the watch's describes within the grace are
// folded into the first answer that lists it, marked; past the grace it stops, saying
// why.
func TestWatchWaitsForAnInvisibleRequestWithinTheGrace(t *testing.T) {
	watch := func(s *Session) *WatchEvidence {
		s.SetStartBudget(1)
		ev, cause := s.gather(context.Background(), "conversion", Watch)
		if cause != nil {
			t.Fatal(cause.Title)
		}
		return ev.(*WatchEvidence)
	}
	w := watch(openEmbeddedEmu(t, weather(emulator.Weather{ConsistencyWindow: 3 * time.Second}), nil))
	first := w.Describes[0]
	if len(first.Attempts) < 2 || RequestIn(first, w.RequestID) == nil {
		t.Fatalf("first describe: %d attempts, %s", len(first.Attempts), first.Attempts[len(first.Attempts)-1].Response.Body)
	}
	for i, a := range first.Attempts[:len(first.Attempts)-1] {
		if !strings.Contains(a.Retried, "not listed yet") || strings.Contains(a.Response.Body, w.RequestID) {
			t.Errorf("try %d: Retried %q", i+1, a.Retried)
		}
	}
	if statusOf(w.Describes, w.RequestID) != "SUCCESS" || w.Stopped != "" {
		t.Errorf("watch ended %q, stopped %q", statusOf(w.Describes, w.RequestID), w.Stopped)
	}

	s := openEmbeddedEmu(t, weather(emulator.Weather{ConsistencyWindow: time.Minute}), func(c *Config) { c.ConsistencyGrace = 2 * time.Second })
	w = watch(s)
	if !strings.Contains(w.Stopped, "does not list that request") || !strings.Contains(w.Stopped, "--consistency-grace 2s") || len(w.Describes) != 1 {
		t.Errorf("stopped %q after %d describes", w.Stopped, len(w.Describes))
	}
	emu(s).Clock.Advance(time.Minute) // let clean-up see it end
}

// A cancelled request that never ends (stuck in CANCELING) times the walk out at
// --lifecycle-timeout, in virtual time: no waiter, no second cancel, and clean-up
// does not wait for it again.
func TestWalkTimesOutOnARequestThatNeverEnds(t *testing.T) {
	s := openEmbedded(t, func(c *Config) {
		c.Defects = []string{emulator.DefectCancelStuck}
		c.LifecycleTimeout = 30 * time.Second
	})
	start := emu(s).Clock.Now()
	w := walk(t, s)
	if !w.TimedOut || w.Timeout != "30s" || w.Final != "CANCELING" || w.Waiter != nil || w.SecondCancel != nil {
		t.Errorf("walk: timed out %v (%q), final %q, waiter %v, second cancel %v", w.TimedOut, w.Timeout, w.Final, w.Waiter, w.SecondCancel)
	}
	if moved := emu(s).Clock.Now().Sub(start); moved < 30*time.Second || moved > 30*time.Second+s.Cfg.MaxDelay {
		t.Errorf("the walk waited %v of virtual time for a 30s timeout", moved)
	}
	if err := s.Cleanup(context.Background()); err != nil || len(s.Setup()) != 0 {
		t.Errorf("clean-up: %v, %d calls", err, len(s.Setup()))
	}
}
