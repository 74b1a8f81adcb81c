package engine_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// run judges every check of the catalog live against cfg's target (the embedded one
// by default); opened, when not nil, sees the session before the preflight.
func run(t *testing.T, cfg engine.Config, opened func(*engine.Session)) (*engine.Session, []engine.Check, *engine.Result) {
	t.Helper()
	ctx := context.Background()
	s, err := targets.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	if opened != nil {
		opened(s)
	}
	if err := s.Preflight(ctx, []string{"conversion", "creation"}); err != nil {
		t.Fatal(err)
	}
	checks, err := engine.Select(all.Families, "")
	if err != nil {
		t.Fatal(err)
	}
	return s, checks, engine.Run(ctx, s, checks, nil)
}

// reopen writes the session's evidence as JSON, reads it back and opens it offline.
func reopen(t *testing.T, s *engine.Session) *engine.Session {
	t.Helper()
	b, err := json.Marshal(s.Records())
	if err != nil {
		t.Fatal(err)
	}
	var records []engine.ScriptRecord
	if err := json.Unmarshal(b, &records); err != nil {
		t.Fatal(err)
	}
	off, err := engine.OpenOffline(engine.Offline{Project: s.Project, Control: s.Offers(engine.CapControl), Denied: s.Offers(engine.CapDenied), Facts: s.Facts()}, records)
	if err != nil {
		t.Fatal(err)
	}
	return off
}

// The evidence of a real run survives a JSON round trip: judged offline, every check
// gets the verdict it got live (outcome, message, cause and the exchanges shown),
// and the causes are the same, without a call.
func TestRecordsJudgedOfflineGiveTheSameVerdicts(t *testing.T) {
	for name, cfg := range map[string]engine.Config{
		"conforming": {},
		// Failures, drift and a spent start budget (a cause recorded with the evidence).
		"defects and a small budget": {Defects: []string{emulator.DefectFaultWrongName, emulator.DefectStatusDoubleL, emulator.DefectUndeclaredMember}, MaxStarts: 2},
	} {
		t.Run(name, func(t *testing.T) {
			s, checks, live := run(t, cfg, nil)
			off := reopen(t, s)
			offline := engine.JudgeAll(context.Background(), off, checks)
			if len(off.Calls()) != 0 {
				t.Errorf("judging offline made calls: %v", off.Calls())
			}
			outcomes := map[reports.Outcome]int{}
			for i, lc := range live.Checks {
				oc := offline.Checks[i]
				outcomes[lc.Outcome]++
				if oc.ID != lc.ID || oc.Outcome != lc.Outcome || oc.Message != lc.Message || oc.Cause != lc.Cause {
					t.Errorf("%s: live %s %q (cause %q), offline %s %q (cause %q)", lc.ID, lc.Outcome, lc.Message, lc.Cause, oc.Outcome, oc.Message, oc.Cause)
					continue
				}
				if !reflect.DeepEqual(oc.Exchanges, lc.Exchanges) {
					t.Errorf("%s: the exchanges shown differ after the round trip (%d live, %d offline)", lc.ID, len(lc.Exchanges), len(oc.Exchanges))
				}
			}
			if len(offline.Causes) != len(live.Causes) {
				t.Fatalf("causes: %d live, %d offline", len(live.Causes), len(offline.Causes))
			}
			for i := range live.Causes {
				lc, oc := live.Causes[i], offline.Causes[i]
				if lc.ID != oc.ID || lc.Outcome != oc.Outcome || lc.Title != oc.Title || lc.Checks != oc.Checks || len(lc.Exchanges) != len(oc.Exchanges) {
					t.Errorf("cause %d: live %+v\noffline %+v", i, lc, oc)
				}
			}
			t.Logf("%v, causes %d", outcomes, len(live.Causes))
			if name == "conforming" && outcomes[reports.Pass] == 0 {
				t.Error("nothing passed")
			}
			if name != "conforming" && (outcomes[reports.Fail] == 0 || len(live.Causes) == 0) {
				t.Errorf("the defects gave no failure or no cause to compare: %v", outcomes)
			}
		})
	}
}

// A recording without a script's evidence skips the checks that need it, saying so;
// it does not try to gather.
func TestOfflineWithoutEvidenceSkips(t *testing.T) {
	off, err := engine.OpenOffline(engine.Offline{Project: emulator.DefaultProject, Control: true, Denied: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checks, _ := engine.Select(all.Families, "lifecycle && conversion")
	res := engine.JudgeAll(context.Background(), off, checks)
	for _, c := range res.Checks {
		if c.Outcome != reports.Skipped || !strings.HasPrefix(c.Cause, "not-recorded/conversion/") || !strings.Contains(c.Message, "the recording holds no evidence of") {
			t.Errorf("%s: %s %q %q", c.ID, c.Outcome, c.Cause, c.Message)
		}
	}
	if _, err := engine.OpenOffline(engine.Offline{}, []engine.ScriptRecord{{Family: "conversion", Script: "from-the-future", Evidence: json.RawMessage(`{}`)}}); err == nil || !strings.Contains(err.Error(), "newer dmsconform") {
		t.Errorf("an unknown script: %v", err)
	}
	if _, err := engine.OpenOffline(engine.Offline{}, []engine.ScriptRecord{{Family: "conversion", Script: engine.Walk, Evidence: json.RawMessage(`{"starts":7}`)}}); err == nil || !strings.Contains(err.Error(), "conversion/walk") {
		t.Errorf("broken evidence: %v", err)
	}
}

// A recording stores a script's cause as engine.Cause is: id, outcome, title, message
// and samples (the form recordings have always had, CauseRecord before it was merged
// into Cause). Read back, it decides the checks that need the script, said once, with
// its samples' exchanges.
func TestRecordedCauseIsRead(t *testing.T) {
	recorded := `[{"family":"conversion","script":"walk","cause":{"id":"conversion/walk","outcome":"error",
		"title":"the walk broke","message":"details","samples":[{"op":"StartMetadataModelConversion","name":"walk: start",
		"attempts":[{"request":{"method":"POST"},"response":{"status":500},"durationNs":0}]}]}}]`
	var records []engine.ScriptRecord
	if err := json.Unmarshal([]byte(recorded), &records); err != nil {
		t.Fatal(err)
	}
	c := records[0].Cause
	if c == nil || c.ID != "conversion/walk" || c.Outcome != reports.Error || c.Title != "the walk broke" || c.Message != "details" || len(c.Samples) != 1 {
		t.Fatalf("the recorded cause reads %+v", c)
	}
	again, _ := json.Marshal(records)
	if !strings.Contains(string(again), `"cause":{"id":"conversion/walk","outcome":"error","title":"the walk broke","message":"details","samples":[`) {
		t.Errorf("the cause is written in another form: %s", again)
	}
	off, err := engine.OpenOffline(engine.Offline{Project: emulator.DefaultProject}, records)
	if err != nil {
		t.Fatal(err)
	}
	checks, _ := engine.Select(all.Families, "lifecycle && conversion")
	res := engine.JudgeAll(context.Background(), off, checks)
	var decided int
	for _, rc := range res.Checks {
		if rc.Cause == "conversion/walk" {
			decided++
		}
	}
	if decided == 0 || len(res.Causes) == 0 || res.Causes[0].ID != "conversion/walk" || res.Causes[0].Checks != decided || len(res.Causes[0].Exchanges) != 1 {
		t.Errorf("%d checks decided by the recorded cause; causes %+v", decided, res.Causes)
	}
}
