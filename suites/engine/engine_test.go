package engine

import (
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
)

// emulatorHandler is an emulator on a virtual clock, as an http.Handler.
func emulatorHandler(t *testing.T) *emulator.Emulator {
	t.Helper()
	e, err := emulator.New(emulator.Config{Clock: emulator.NewVirtualClock(time.Time{}), Control: true})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Concurrent askers of one script wait for its one run: the server sees the script's
// calls once, and every asker gets the same evidence.
func TestGatherRunsAScriptOnceForConcurrentAskers(t *testing.T) {
	h := &counting{h: emulatorHandler(t), gate: make(chan struct{}), entered: make(chan struct{})}
	s := openEndpoint(t, h, nil)
	const askers = 8
	evs := make([]any, askers+1)
	causes := make([]*Cause, askers+1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		evs[0], causes[0] = s.gather(context.Background(), "conversion", NotFound)
	}()
	<-h.entered // the first run is on the wire, held there: every later asker finds it running
	for i := 1; i <= askers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs[i], causes[i] = s.gather(context.Background(), "conversion", NotFound)
		}()
	}
	// An asker that gives up while waiting is interrupted; the run goes on.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, c := s.gather(ctx, "conversion", NotFound); c != causeInterrupted {
		t.Errorf("a cancelled waiter got %+v", c)
	}
	close(h.gate)
	wg.Wait()
	for i := range evs {
		if causes[i] != nil || evs[i] == nil || evs[i] != evs[0] {
			t.Fatalf("asker %d: %v %+v (the first got %v)", i, evs[i], causes[i], evs[0])
		}
	}
	if n := h.hits.Load(); n != 2 {
		t.Errorf("the server saw %d calls, want the script's 2", n)
	}
	// Another family is another script run.
	s.gather(context.Background(), "creation", NotFound)
	if n := h.hits.Load(); n != 4 {
		t.Errorf("after the creation family: %d calls, want 4", n)
	}
	pe := evs[0].(*ProbeEvidence)
	if pe.Get("unknown-request").Response().ErrorCode() != "ResourceNotFoundFault" {
		t.Errorf("unknown-request: %s", pe.Get("unknown-request").Response().Summary())
	}
}

// When gathering breaks, the checks built on it share one cause per script key (said
// once, with the samples that show it), and their judges are never asked.
func TestAScriptErrorIsOneCausePerScriptKey(t *testing.T) {
	h := &scripted{answers: []answer{jsonError(500, "InternalFailure"), jsonError(503, "ServiceUnavailable")}, cycle: true}
	// One script at a time, so each sees the answers change (500, 503, 500, ...).
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts, c.Parallel = 2, 1 })
	var judged atomic.Int32
	nf := kind{needs: Needs{Evidence: []Script{NotFound}}, judged: &judged}
	in := kind{needs: Needs{Evidence: []Script{Inputs}}, judged: &judged}
	checks := []Check{check("conversion", "fault.a", nf), check("conversion", "fault.b", nf), check("conversion", "input.a", in),
		check("creation", "fault.a", nf)}
	res := Run(context.Background(), s, checks, nil)
	if judged.Load() != 0 {
		t.Errorf("%d judges were asked about evidence that is not there", judged.Load())
	}
	wantCause := []string{"conversion/not-found", "conversion/not-found", "conversion/inputs", "creation/not-found"}
	for i, c := range res.Checks {
		if c.Outcome != reports.Error || c.Cause != wantCause[i] || len(c.Exchanges) != 0 || !strings.HasPrefix(c.Message, "blocked by: ") {
			t.Errorf("%s: %s cause %q %q (%d exchanges)", c.ID, c.Outcome, c.Cause, c.Message, len(c.Exchanges))
		}
	}
	if len(res.Causes) != 3 {
		t.Fatalf("%d causes, want 3: %+v", len(res.Causes), res.Causes)
	}
	first := res.Causes[0]
	if first.ID != "conversion/not-found" || first.Checks != 2 || first.Outcome != reports.Error || len(first.Exchanges) != 2 {
		t.Errorf("cause %+v", first)
	}
	for _, w := range []string{"the ResourceNotFoundFault probes of the conversion family could not be gathered", "changed from attempt to attempt"} {
		if !strings.Contains(first.Title, w) {
			t.Errorf("cause title %q does not say %q", first.Title, w)
		}
	}
	if res.Causes[1].ID != "conversion/inputs" || res.Causes[2].ID != "creation/not-found" {
		t.Errorf("causes %s, %s", res.Causes[1].ID, res.Causes[2].ID)
	}
}

// Checks whose needs the target cannot meet are skipped with one reason, before any
// evidence is gathered; optional evidence the target cannot give is left out and the
// judge still runs. An endpoint without --control never has a control surface (only a
// dmsconform emulator offers one): not applicable; a missing denied principal is a
// configuration the user could add.
func TestVerdictSkipsUnmetNeedsBeforeGathering(t *testing.T) {
	h := &counting{h: emulatorHandler(t)}
	s := openEndpoint(t, h, nil) // no --control, no denied principal
	var judged atomic.Int32
	noControl, noDenied := capabilityCause(CapControl, true), capabilityCause(CapDenied, false)
	for _, tc := range []struct {
		needs Needs
		cause *Cause
	}{
		{Needs{Control: true, Evidence: []Script{NotFound}}, noControl},
		{Needs{Denied: true, Evidence: []Script{Inputs}}, noDenied},
		{Needs{Evidence: []Script{Scenarios}}, noControl},
		{Needs{Evidence: []Script{Denied}}, noDenied},
	} {
		v := s.Verdict(context.Background(), check("conversion", "x", kind{needs: tc.needs, judged: &judged}))
		if v.Cause == nil || v.Cause.ID != tc.cause.ID || v.Cause.Title != tc.cause.Title || v.Outcome != reports.Skipped || v.Message != "blocked by: "+tc.cause.Title {
			t.Errorf("needs %+v: %+v", tc.needs, v)
		}
	}
	if h.hits.Load() != 0 || judged.Load() != 0 {
		t.Errorf("%d calls, %d judged before the needs were met", h.hits.Load(), judged.Load())
	}
	if noControl.ID != "not-applicable/control" || !strings.Contains(noControl.Title, "--control") || noDenied.ID != "needs/denied" || !strings.Contains(noDenied.Title, "--denied-access-key-id") {
		t.Errorf("the capability causes do not say how to meet them")
	}
	v := s.Verdict(context.Background(), check("conversion", "y", kind{needs: Needs{Evidence: []Script{NotFound}, Optional: []Script{Scenarios}}, judged: &judged,
		judge: func(ev *Evidence) Verdict {
			if ev.NotFound == nil || ev.Scenarios != nil {
				return Failf(nil, "evidence %+v", ev)
			}
			return Pass()
		}}))
	if v.Outcome != reports.Pass || judged.Load() != 1 {
		t.Errorf("optional evidence: %+v (judged %d)", v, judged.Load())
	}
	if n := h.hits.Load(); n != 2 {
		t.Errorf("%d calls, want the 2 of the not-found probes (no scenario run without a control surface)", n)
	}
}

// A judge that panics is a harness bug: an error verdict, not a crash and not a fail.
func TestAJudgePanicIsAnError(t *testing.T) {
	s := openEndpoint(t, &scripted{answers: []answer{jsonOK(`{}`)}}, nil)
	v := s.Verdict(context.Background(), check("conversion", "boom", kind{judge: func(*Evidence) Verdict { panic("nil map") }}))
	if v.Outcome != reports.Error || !strings.Contains(v.Message, "panicked") || !strings.Contains(v.Message, "nil map") {
		t.Errorf("%+v", v)
	}
}

// PlanFor lists the scripts the checks need that the target can run (families in
// order, then Scripts order) and what they start; Budget adds one replacement per
// walk on aws, where starts cost, and two elsewhere.
func TestPlanForAndBudget(t *testing.T) {
	s := openEmbedded(t, nil) // control and denied principal: every script can run
	k := func(n Needs) kind { return kind{needs: n} }
	checks := []Check{
		check("conversion", "a", k(Needs{Evidence: []Script{Watch, Walk}, Optional: []Script{Scenarios}})),
		check("conversion", "b", k(Needs{Evidence: []Script{NotFound, Walk}})),
		check("creation", "a", k(Needs{Evidence: []Script{Walk}})),
		check("creation", "b", k(Needs{Evidence: []Script{Denied}, Denied: true})),
	}
	p := s.PlanFor(checks)
	want := "conversion/walk, conversion/watch, conversion/scenarios, conversion/not-found, creation/walk, creation/" + string(Denied)
	if p.Describe() != want {
		t.Errorf("plan %s\nwant %s", p.Describe(), want)
	}
	if p.Starts != 1+1+len(scenarioRuns)+1 || p.Spare != 2*walkSpare {
		t.Errorf("starts %d spare %d", p.Starts, p.Spare)
	}
	if b := s.Budget(p); b != p.Starts+4 {
		t.Errorf("embedded budget %d, want %d (two replacements per walk)", b, p.Starts+4)
	}
	s.startsCost = true // aws
	if b := s.Budget(p); b != p.Starts+2 {
		t.Errorf("aws budget %d, want %d (one replacement per walk)", b, p.Starts+2)
	}
	// Without a control surface or a denied principal, what needs them is not planned.
	e := openEndpoint(t, &scripted{answers: []answer{jsonOK(`{}`)}}, nil)
	checks = append(checks, check("creation", "c", k(Needs{Evidence: []Script{Watch}, Control: true})))
	p = e.PlanFor(checks)
	if p.Describe() != "conversion/walk, conversion/watch, conversion/not-found, creation/walk" || p.Starts != 3 || e.Budget(p) != 7 {
		t.Errorf("endpoint plan %s, starts %d, budget %d", p.Describe(), p.Starts, e.Budget(p))
	}
	// --max-starts wins over what the plan asks; the budget never shrinks.
	e.Cfg.MaxStarts = 2
	e.SetStartBudget(e.Budget(p))
	if _, b := e.Starts(); b != 2 {
		t.Errorf("budget with --max-starts 2: %d", b)
	}
	e.Cfg.MaxStarts = 0
	e.SetStartBudget(9)
	e.SetStartBudget(4)
	if _, b := e.Starts(); b != 9 {
		t.Errorf("budget %d, want 9", b)
	}
}

// Prepare gathers the plan and reports its progress; JudgeAll then judges the
// gathered evidence without another call.
func TestPrepareReportsProgressAndJudgeAllReusesEvidence(t *testing.T) {
	s := openEmbedded(t, nil)
	checks := []Check{check("conversion", "a", kind{needs: Needs{Evidence: []Script{NotFound, Inputs}}}),
		check("creation", "a", kind{needs: Needs{Evidence: []Script{Protocol}}})}
	var mu sync.Mutex
	var seen []Progress
	s.Prepare(context.Background(), checks, func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, p)
	})
	last := seen[len(seen)-1]
	if len(seen) != 6 || last.Done != 3 || last.Total != 3 || len(last.Running) != 0 || last.Calls == 0 {
		t.Errorf("progress %+v", seen)
	}
	if !reflect.DeepEqual(seen[0].Running, []string{"conversion/not-found"}) {
		t.Errorf("first progress %+v", seen[0])
	}
	calls := s.Calls()
	res := JudgeAll(context.Background(), s, checks)
	if !reflect.DeepEqual(s.Calls(), calls) {
		t.Errorf("JudgeAll made calls: %v -> %v", calls, s.Calls())
	}
	for _, c := range res.Checks {
		if c.Outcome != reports.Pass {
			t.Errorf("%s: %s %s", c.ID, c.Outcome, c.Message)
		}
	}
	// A session is a value: another one shares nothing with it.
	o := openEmbedded(t, nil)
	if len(o.Calls()) != 0 || o.Evidence("conversion").NotFound != nil {
		t.Error("a new session sees another's evidence")
	}
}

// The memo is per session and per family: Evidence assembles one family's scripts.
func TestEvidenceAssemblesOneFamily(t *testing.T) {
	srv := httptest.NewServer(emulatorHandler(t))
	t.Cleanup(srv.Close)
	s := openEndpointURL(t, srv.URL, nil, true)
	s.gather(context.Background(), "conversion", Protocol)
	s.gather(context.Background(), "creation", Inputs)
	c, r := s.Evidence("conversion"), s.Evidence("creation")
	if c.Protocol == nil || c.Inputs != nil || r.Inputs == nil || r.Protocol != nil {
		t.Errorf("conversion %+v\ncreation %+v", c, r)
	}
	if c.Cancel.Name != cancelOp || r.Cancel.Name != "CancelMetadataModelCreation" || c.Project != emulator.DefaultProject {
		t.Errorf("operations %s %s", c.Cancel.Name, r.Cancel.Name)
	}
	for _, key := range []string{"unknown-target", "unsigned", "bad-signature"} {
		if smp := c.Protocol.Get(key); smp == nil || smp.Response().Status != 400 {
			t.Errorf("protocol probe %s: %v", key, smp)
		}
	}
}

// Records may be asked while scripts are still gathering (a progress report, an
// interrupted run): it returns the finished ones without racing the gatherers.
func TestRecordsWhileGathering(t *testing.T) {
	s := openEmbedded(t, nil)
	probes := Needs{Evidence: []Script{NotFound, Inputs, Protocol}}
	checks := []Check{check("conversion", "a", kind{needs: probes}), check("creation", "a", kind{needs: probes})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Prepare(context.Background(), checks, nil)
	}()
	for n := 0; ; n++ {
		select {
		case <-done:
			if recs := s.Records(); len(recs) != 6 {
				t.Errorf("%d records after %d reads while gathering, want 6", len(recs), n)
			}
			return
		default:
			for _, r := range s.Records() {
				if len(r.Evidence) == 0 {
					t.Errorf("%s/%s: a record without evidence", r.Family, r.Script)
				}
			}
		}
	}
}

// Every entry of the script table is whole: a name of its own, a description, a run
// function, and evidence that attaches to a field of Evidence no other script uses.
func TestEveryScriptAttachesToItsOwnField(t *testing.T) {
	fields := map[string]Script{}
	for _, d := range scriptTable {
		if d.name == "" || d.what == "" || d.run == nil || d.empty == nil || scriptOf(d.name) == nil {
			t.Errorf("entry %+v is incomplete", d.name)
		}
		ev := &Evidence{}
		d.attach(ev, d.empty())
		v := reflect.ValueOf(ev).Elem()
		set := 0
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Kind() != reflect.Pointer || f.IsNil() {
				continue
			}
			set++
			name := v.Type().Field(i).Name
			if other, dup := fields[name]; dup {
				t.Errorf("%s and %s both attach to Evidence.%s", other, d.name, name)
			}
			fields[name] = d.name
		}
		if set != 1 {
			t.Errorf("%s attaches to %d fields of Evidence, want 1", d.name, set)
		}
		if got := d.name.Describe(); got != d.what {
			t.Errorf("%s: Describe %q", d.name, got)
		}
	}
	if len(Scripts) != len(scriptTable) || scriptOf("from-the-future") != nil {
		t.Errorf("Scripts %v", Scripts)
	}
}
