package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/spec"
)

// The failing script starts a request in the failing project (the embedded emulator
// seeds one), watches it to FAILED with its Error, and cancels it once more:
// InvalidResourceStateFault. Its answers are observed answers; clean-up leaves it
// alone.
func TestFailingScriptWatchesARequestToFailed(t *testing.T) {
	s := openEmbedded(t, nil)
	s.SetStartBudget(1)
	if !s.Offers(CapFailingProject) || s.FailingProject() != emulator.FailingProject {
		t.Fatalf("the embedded target offers the failing project %q: %v", s.FailingProject(), s.Offers(CapFailingProject))
	}
	x, cause := s.gather(context.Background(), "conversion", Failing)
	if cause != nil {
		t.Fatal(cause.Title)
	}
	f := x.(*FailingEvidence)
	if f.Final != "FAILED" || f.RequestID == "" || f.Project != emulator.FailingProject {
		t.Fatalf("failing evidence %+v", f)
	}
	last := RequestIn(f.Describes[len(f.Describes)-1], f.RequestID)
	if msg := errorMessage(last); msg != emulator.DefaultFailMessage {
		t.Errorf("the Error: %q", msg)
	}
	if code := f.Cancel.Response().ErrorCode(); code != "InvalidResourceStateFault" {
		t.Errorf("the cancel of the ended request: %s", f.Cancel.Response().Summary())
	}
	ev := s.Evidence("conversion")
	n := 0
	for _, smp := range ev.Observed() {
		if strings.HasPrefix(smp.Name, "failing: ") {
			n++
		}
	}
	if n != len(f.Describes)+1 || !ev.FailingProject {
		t.Errorf("%d of the failing script's samples observed, want %d", n, len(f.Describes)+1)
	}
	if left := s.Unsettled(); len(left) != 0 {
		t.Errorf("clean-up would touch %v", left)
	}
}

// Without a failing project the script is skipped with the cause that names the flag;
// an unknown one is found by the preflight, before anything starts.
func TestFailingProjectIsACapability(t *testing.T) {
	s := openEndpointURL(t, emulatorURL(t), nil, true)
	if _, cause := s.gather(context.Background(), "conversion", Failing); cause == nil || cause.ID != "needs/failing-project" || !strings.Contains(cause.Title, "--failing-project NAME_OR_ARN") {
		t.Errorf("cause %+v", cause)
	}
	s = openEndpointURL(t, emulatorURL(t), func(c *Config) { c.FailingProject = "no-such-failing-project" }, true)
	err := s.Preflight(context.Background(), []string{"conversion"})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `--failing-project "no-such-failing-project": DescribeMetadataModelConversions answers ResourceNotFoundFault`) {
		t.Errorf("preflight: %v", err)
	}
}

// emulatorURL serves a default emulator on the wall clock (fast steps) on 127.0.0.1.
func emulatorURL(t *testing.T) string {
	srv, err := emulator.Start(emulator.Config{StepDuration: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.URL
}

// The revisit runs after every other script and describes every request the run
// started, in its own project (the failing project's request too).
func TestRevisitDescribesEveryStartedRequest(t *testing.T) {
	s := openEmbedded(t, nil)
	checks := []Check{check("conversion", "a", kind{needs: Needs{Evidence: []Script{Walk, Watch, Revisit}, Optional: []Script{Failing}}})}
	s.Prepare(context.Background(), checks, nil)
	ev := s.Evidence("conversion")
	if ev.Revisit == nil {
		t.Fatal("no revisit")
	}
	want := map[string]string{ev.Walk.RequestID: s.Project, ev.Watch.RequestID: s.Project, ev.Failing.RequestID: emulator.FailingProject}
	for _, m := range ev.Walk.Misses {
		if r := requestOf(m); r != nil {
			want[Str(r["RequestIdentifier"])] = s.Project
		}
	}
	if len(ev.Revisit.Requests) != len(want) {
		t.Errorf("%d requests revisited, want %d", len(ev.Revisit.Requests), len(want))
	}
	for _, r := range ev.Revisit.Requests {
		if want[r.ID] != r.Project || RequestIn(r.Sample, r.ID) == nil || !spec.IsTerminalStatus(Str(RequestIn(r.Sample, r.ID)["Status"])) {
			t.Errorf("revisit of %s in %s: %s", r.ID, r.Project, r.Sample.Response().Summary())
		}
	}
}

// A Status the documentation does not list (CANCELLED, double L) is said at once, as a
// progress note naming the request, and the walk's evidence keeps it; the poll goes on
// waiting for a documented end.
func TestAnUndocumentedStatusIsSaidAtOnce(t *testing.T) {
	s := openEmbedded(t, func(c *Config) { c.Defects = []string{emulator.DefectStatusDoubleL} })
	var mu sync.Mutex
	var notes []string
	s.Prepare(context.Background(), []Check{check("conversion", "a", kind{needs: Needs{Evidence: []Script{Walk}}})}, func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if len(p.Notes) > 0 && len(notes) == 0 && len(p.Running) == 0 {
			t.Errorf("the note came only after the walk had finished")
		}
		notes = p.Notes
	})
	w := s.Evidence("conversion").Walk
	if w.Undocumented != "CANCELLING" && w.Undocumented != "CANCELLED" {
		t.Errorf("the walk waited on %q", w.Undocumented)
	}
	if len(notes) == 0 || !strings.Contains(notes[0], "conversion/walk: request "+w.RequestID+" shows Status \""+w.Undocumented+"\", which the documentation does not list") ||
		!strings.Contains(notes[0], "waiting for a documented end until --lifecycle-timeout") {
		t.Errorf("notes %q", notes)
	}
	if !w.TimedOut {
		t.Errorf("the walk did not wait to the timeout: %+v", w)
	}
}

// The cadence looks again soon after a change and samples every step of a request
// whose steps each last 200 ms; backing off alone (50 ms doubling to 800 ms) misses
// the fifth step.
func TestCadenceSamplesEveryStep(t *testing.T) {
	const step = 200 * time.Millisecond
	stateAt := func(el time.Duration) string { return []string{"R", "L", "C", "A", "V", "S"}[min(int(el/step), 5)] }
	sample := func(next func(now time.Time, state string) time.Duration) string {
		t0 := time.Unix(0, 0)
		seen := ""
		for el := time.Duration(0); el < 6*step; {
			st := stateAt(el)
			if !strings.HasSuffix(seen, st) {
				seen += st
			}
			el += next(t0.Add(el), st)
		}
		return seen
	}
	if got := sample(newCadence(50*time.Millisecond, 800*time.Millisecond).next); got != "RLCAVS" {
		t.Errorf("the cadence saw %s, want every step RLCAVS", got)
	}
	d := time.Duration(0)
	doubling := func(time.Time, string) time.Duration {
		d = max(50*time.Millisecond, min(2*d, 800*time.Millisecond))
		return d
	}
	if got := sample(doubling); got == "RLCAVS" {
		t.Errorf("backing off alone saw every step (%s): the test proves nothing", got)
	}
}
