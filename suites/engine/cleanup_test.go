package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/reports"
)

// A request a scenario holds at an undocumented Status never looks ended. Once clean-up's
// cancel of it is answered, that Status (which never changes) settles it: clean-up does
// not wait out --cleanup-timeout, and says why it took the request for settled.
func TestCleanupSettlesARequestHeldByAScenario(t *testing.T) {
	ctx := context.Background()
	s := openEmbedded(t, func(c *Config) { c.CleanupTimeout = time.Minute })
	s.SetStartBudget(1)
	g := starter(s, "conversion")
	sc := Scenario{Project: s.Project, Family: "conversion", Tag: "dmsconform-test-held", Status: "DMSCONFORM_UNDOCUMENTED_STATUS", HoldAtStep: stepAnalyzing}
	if _, err := s.control.AddScenario(ctx, g.key, sc); err != nil {
		t.Fatal(err)
	}
	id, smp, err := g.startRequest(ctx, "start", sc.Tag)
	if err != nil || id == "" {
		t.Fatalf("start: %v %s", err, smp.Response().Summary())
	}
	s.holds(id, sc.Status)
	before := emu(s).Clock.Now()
	if err := s.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := emu(s).Clock.Now().Sub(before); waited > 10*time.Second {
		t.Errorf("clean-up waited %s for a request whose Status never changes", waited)
	}
	rep := s.CleanupReport()
	if rep == nil || len(rep.Requests) != 1 || rep.Requests[0].Outcome != reports.CleanupCancelled || !strings.Contains(rep.Requests[0].Detail, "scenario holds it") {
		t.Errorf("clean-up report %+v", rep)
	}
}
