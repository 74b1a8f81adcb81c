package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// Well-known inputs no target has.
const (
	UnknownRequestID = "2f044fcc-d9ba-47cf-8621-7b8d7d196314" // well formed, as DMS request ids are (UUIDs), and random
	UnknownProject   = "dmsconform-no-such-project"
)

// scriptDef is everything about one evidence script: its name and what it does, the
// requests it starts, what it needs of the target, its evidence (how a value is made,
// stored in Evidence and recorded) and how it runs. Adding a script is one entry in
// scriptTable, its run function and its evidence type (with its Evidence field).
type scriptDef struct {
	name   Script
	what   string // for messages: "the lifecycle walk"
	starts int    // requests it starts
	spare  int    // replacements it may start when a request ends before its cancel lands
	needs  []Capability
	sdk    bool // calls aws-sdk-go-v2 itself: it cannot run for a family the SDK lacks
	// last: it runs after every other script of the run (of every family), before
	// clean-up: the end-of-run re-describe.
	last bool
	evidence
}

// evidence is how a script's evidence is made (empty, for a recording to decode into),
// attached to Evidence, and gathered.
type evidence struct {
	empty  func() any
	attach func(ev *Evidence, x any)
	run    func(ctx context.Context, g *gather) (any, error)
}

// gathers declares a script whose evidence is an *E, stored in the Evidence field at
// returns, and gathered by run.
func gathers[E any](at func(*Evidence) **E, run func(context.Context, *gather) (*E, error)) evidence {
	return evidence{
		empty:  func() any { return new(E) },
		attach: func(ev *Evidence, x any) { *at(ev) = x.(*E) },
		run: func(ctx context.Context, g *gather) (any, error) {
			x, err := run(ctx, g)
			if x == nil {
				return nil, err
			}
			return x, err
		},
	}
}

// scriptTable lists every evidence script, in gathering order.
var scriptTable = []scriptDef{
	{name: Walk, what: "the lifecycle walk", starts: 1, spare: walkSpare,
		evidence: gathers(func(e *Evidence) **WalkEvidence { return &e.Walk }, runWalk)},
	{name: Watch, what: "the progress watch", starts: 1,
		evidence: gathers(func(e *Evidence) **WatchEvidence { return &e.Watch }, runWatch)},
	{name: Scenarios, what: "the scenario runs", starts: len(scenarioRuns), needs: []Capability{CapControl},
		evidence: gathers(func(e *Evidence) **ScenarioEvidence { return &e.Scenarios }, runScenarios)},
	{name: NotFound, what: "the ResourceNotFoundFault probes",
		evidence: gathers(func(e *Evidence) **ProbeEvidence { return &e.NotFound }, runNotFound)},
	{name: Denied, what: "the AccessDeniedFault probe", needs: []Capability{CapDenied},
		evidence: gathers(func(e *Evidence) **ProbeEvidence { return &e.DeniedProbe }, runDenied)},
	{name: Inputs, what: "the invalid-input probes",
		evidence: gathers(func(e *Evidence) **ProbeEvidence { return &e.Inputs }, runInputs)},
	{name: Protocol, what: "the protocol probes",
		evidence: gathers(func(e *Evidence) **ProbeEvidence { return &e.Protocol }, runProtocol)},
	{name: SDKValidation, what: "the SDK's own input validation", sdk: true,
		evidence: gathers(func(e *Evidence) **SDKValidationEvidence { return &e.SDKValidation }, runSDKValidation)},
	{name: Failing, what: "the failing project's request", starts: 1, needs: []Capability{CapFailingProject},
		evidence: gathers(func(e *Evidence) **FailingEvidence { return &e.Failing }, runFailing)},
	{name: Revisit, what: "the end-of-run describe of the requests started", last: true,
		evidence: gathers(func(e *Evidence) **RevisitEvidence { return &e.Revisit }, runRevisit)},
}

// Scripts lists every script in gathering order.
var Scripts = func() []Script {
	out := make([]Script, len(scriptTable))
	for i, d := range scriptTable {
		out[i] = d.name
	}
	return out
}()

// scriptOf is the script's entry (nil for a name no entry has: a recording of a newer
// dmsconform).
func scriptOf(sc Script) *scriptDef {
	for i := range scriptTable {
		if scriptTable[i].name == sc {
			return &scriptTable[i]
		}
	}
	return nil
}

// walkSpare is how many replacements the walk may start when a request ends before its
// cancel lands.
const walkSpare = 2

// The in-progress ProgressStep values the scenario runs hold a request at (documented
// values of the model's ProgressStep).
const (
	stepLoadingMetadata = "LOADING_METADATA"
	stepCountingObjects = "COUNTING_OBJECTS"
	stepAnalyzing       = "ANALYZING"
	stepConverting      = "CONVERTING"
)

// scenarioRuns is what the scenario script starts; its length is the script's starts.
var scenarioRuns = []struct {
	name string
	sc   Scenario
	// hold: the run waits for the request to reach this ProgressStep (or "progress":
	// any Progress), then cancels it; "" waits for the request to end on its own.
	hold string
}{
	{"held at LOADING_METADATA", Scenario{HoldAtStep: stepLoadingMetadata}, stepLoadingMetadata},
	{"held at COUNTING_OBJECTS", Scenario{HoldAtStep: stepCountingObjects}, stepCountingObjects},
	{"held at ANALYZING", Scenario{HoldAtStep: stepAnalyzing}, stepAnalyzing},
	{"held at CONVERTING with ExportSqlDetails", Scenario{HoldAtStep: stepConverting,
		ExportSQL: &ExportSQL{S3ObjectKey: "dmsconform/assessment.sql", ObjectURL: "https://example.invalid/dmsconform/assessment.sql"}}, stepConverting},
	{"failed on purpose", Scenario{FailWith: "dmsconform: conversion failed on purpose"}, ""},
	{"an unknown Error member", Scenario{UnknownUnionMember: "dmsconformFutureErrorDetails"}, ""},
	{"an undocumented Status", Scenario{Status: "DMSCONFORM_UNDOCUMENTED_STATUS", HoldAtStep: stepAnalyzing}, "progress"},
	{"an undocumented ProgressStep", Scenario{ProgressStep: "DMSCONFORM_UNDOCUMENTED_STEP", HoldAtStep: stepAnalyzing}, "progress"},
	{"an undocumented EndpointType", Scenario{EndpointType: "DMSCONFORM_UNDOCUMENTED_ENDPOINT_TYPE", HoldAtStep: stepAnalyzing}, stepAnalyzing},
}

// Describe says what a script does, for causes and progress.
func (sc Script) Describe() string {
	if d := scriptOf(sc); d != nil {
		return d.what
	}
	return "the script " + string(sc)
}

// gather is one script running for one family.
type gather struct {
	s                       *Session
	family                  string
	key                     string // family/script
	start, describe, cancel *spec.Operation
	project                 string // the project its requests go to ("": the run's)
}

// proj is the project the script's requests go to: the run's, or the failing one.
func (g *gather) proj() string {
	if g.project != "" {
		return g.project
	}
	return g.s.Project
}

// lane is the family and project the script's requests go to.
func (g *gather) lane() lane { return lane{g.family, g.proj()} }

// observe notes what a sample says about the target (an unimplemented operation) and
// returns the cause when the operation is not implemented.
func (g *gather) observe(smp *Sample) *Cause {
	if smp == nil {
		return nil
	}
	return g.s.noteUnimplemented(smp)
}

// startRequest starts a request of the family. It returns the request id ("" when
// the target refused: the sample says how), or an error: the start budget is spent
// (a *Cause), the operation is unimplemented (a *Cause), or infrastructure trouble.
func (g *gather) startRequest(ctx context.Context, name, tag string) (string, *Sample, error) {
	s := g.s
	slot, ok := s.takeStart(g.key, g.family, g.proj())
	if !ok {
		used, budget := s.Starts()
		return "", nil, &Cause{ID: "start-budget", Outcome: "skipped",
			Title: fmt.Sprintf("the run's start budget is spent (%d of %d requests started): raise --max-starts", used, budget)}
	}
	body, _ := json.Marshal(s.startInput(g.start, g.proj(), tag))
	return g.sendStart(ctx, slot, name, body)
}

// sendStart sends a Start for a reserved slot and reads its answer. A Start changes
// state: after a lost answer it is not sent again before a describe of the project
// looked for the request it may have created (lost.go), and the starts of a family go
// one at a time so that a request found is this start's.
func (g *gather) sendStart(ctx context.Context, slot int, name string, body []byte) (string, *Sample, error) {
	s := g.s
	defer s.startLock(g.family)()
	smp, err := s.wire(ctx, g.key, wireRequest{Name: name, Op: g.start, Body: body,
		Lost: func(ctx context.Context) lostFinding { return s.whatStartDid(ctx, g.key, name, g.lane()) }})
	if smp.Lost != nil {
		defer s.noteLost(g.key, name, g.start.Name, smp.Lost)
	}
	if errors.Is(err, ErrAnswerLost) {
		// The start had created a request: the one the describe found is this start's.
		s.noteStart(slot, g.family, smp.Lost.RequestID)
		return smp.Lost.RequestID, smp, nil
	}
	if err != nil {
		if lostAnswers(smp) > 0 {
			s.unsureStart(g.lane()) // a lost attempt may have started a request: clean-up looks
		}
		return "", smp, err
	}
	if c := g.observe(smp); c != nil {
		return "", smp, c
	}
	if why := smp.AnswerLost(); why != "" {
		return "", smp, &Cause{ID: g.family + "/start-answer-lost", Outcome: reports.Skipped, Samples: []*Sample{smp},
			Title: fmt.Sprintf("%s could not be judged: %s", g.start.Name, why)}
	}
	r := smp.Response()
	if !r.OK() || r.JSONErr != nil {
		return "", smp, nil
	}
	id := Str(r.Object()["RequestIdentifier"])
	if id != "" {
		s.noteStart(slot, g.family, id)
	}
	return id, smp, nil
}

// lostAnswers counts the sample's attempts whose answer was lost.
func lostAnswers(smp *Sample) int {
	n := 0
	for _, ex := range smp.Attempts {
		if lostAttempt(ex) {
			n++
		}
	}
	return n
}

// stoppedWhy explains a start the target refused.
func stoppedWhy(op *spec.Operation, smp *Sample) string {
	r := smp.Response()
	switch f := StartRefusal(op, smp); {
	case f != nil:
		return startRefusedWhy(op, f, smp)
	case !r.OK():
		return fmt.Sprintf("%s refused to start a request: %s", op.Name, r.Summary())
	case r.JSONErr != nil:
		return fmt.Sprintf("%s answered HTTP %d, but the body is not valid JSON (%v): %s", op.Name, r.Status, r.JSONErr, text.Truncate(string(r.Body), 120))
	}
	return fmt.Sprintf("%s answered HTTP %d without a RequestIdentifier: %s", op.Name, r.Status, text.Truncate(string(r.Body), 200))
}

// exampleInput builds a valid input for a shape: the project, a selection rule
// carrying tag (so a tagged scenario binds to this start), a first member for unions.
func exampleInput(sh *spec.Shape, project, tag string) map[string]any {
	out := map[string]any{}
	for _, mb := range sh.Members {
		if mb.Required {
			out[mb.Name] = exampleValue(mb.Name, mb.Shape, project, tag)
		}
	}
	return out
}

func exampleValue(name string, sh *spec.Shape, project, tag string) any {
	switch {
	case name == "MigrationProjectIdentifier":
		return project
	case name == "SelectionRules":
		if tag == "" {
			tag = "dmsconform"
		}
		return `{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"` + tag + `","object-locator":{"server-name":"dmsconform","schema-name":"dmsconform"},"rule-action":"explicit"}]}`
	case sh.Union != nil && len(sh.Union.Members) > 0:
		m := sh.Member(sh.Union.Members[0])
		return map[string]any{m.Name: exampleInput(m.Shape, project, tag)}
	case sh.Type == spec.TypeObject:
		return exampleInput(sh, project, tag)
	case sh.Type == spec.TypeArray:
		return []any{}
	case sh.Type == spec.TypeInteger || sh.Type == spec.TypeNumber:
		return 1
	case sh.Type == spec.TypeBoolean:
		return false
	}
	return "dmsconform-" + strings.ToLower(name)
}

// cancelOnce cancels id.
func (g *gather) cancelOnce(ctx context.Context, name, project, id string, denied bool) (*Sample, error) {
	smp, err := g.s.call(ctx, g.key, name, g.cancel, map[string]any{"MigrationProjectIdentifier": project, "RequestIdentifier": id}, denied)
	if err == nil {
		g.observe(smp)
	}
	return smp, err
}

// cancelVisible cancels a request just started. A target may not know it for a moment
// (eventual consistency): a ResourceNotFoundFault within --consistency-grace of the
// start is tried again, and every try stays in the sample's transcript.
func (g *gather) cancelVisible(ctx context.Context, name, id string, started time.Time) (*Sample, error) {
	return g.untilVisible(ctx, started, func() (*Sample, error) { return g.cancelRunning(ctx, name, id) },
		func(smp *Sample) bool { return faultIs(smp.Response(), "ResourceNotFoundFault") })
}

// cancelRunning cancels request id, which the run started and takes for running. A
// cancel changes state: after a lost answer the transport asks a describe what it did
// before sending it again (lost.go); a cancel sent again and then refused is described
// once more, since the first describe may have lagged behind the cancel it asked about.
func (g *gather) cancelRunning(ctx context.Context, name, id string) (*Sample, error) {
	s := g.s
	what := func(ctx context.Context) lostFinding { return s.whatCancelDid(ctx, g.key, name, g.family, id) }
	body, _ := json.Marshal(map[string]any{"MigrationProjectIdentifier": s.Project, "RequestIdentifier": id})
	smp, err := s.wire(ctx, g.key, wireRequest{Name: name, Op: g.cancel, Body: body, Lost: what})
	if smp.Lost != nil {
		defer s.noteLost(g.key, name, g.cancel.Name, smp.Lost)
	}
	if errors.Is(err, ErrAnswerLost) {
		return smp, nil // Sample.Lost says what the describes showed
	}
	if err != nil {
		return smp, err
	}
	g.observe(smp)
	if smp.Lost != nil && smp.AnswerLost() == "" && !smp.Response().OK() {
		f := what(ctx)
		smp.Lost.note(f)
		if f.applied {
			smp.Lost.Unjudgeable = true
			smp.Lost.Found = append(smp.Lost.Found, "so the refusal of the cancel sent again ("+smp.Response().Summary()+") answers the cancel of a cancelled request, not the request as sent: it is not judged")
		}
	}
	return smp, nil
}

// untilVisible repeats call while invisible says the request is not visible yet and
// the grace period since started lasts; earlier tries are folded into the last
// sample's attempts.
func (g *gather) untilVisible(ctx context.Context, started time.Time, call func() (*Sample, error), invisible func(*Sample) bool) (*Sample, error) {
	s := g.s
	var earlier []*Sample
	delay := s.Cfg.MinDelay
	for {
		smp, err := call()
		if err != nil || !invisible(smp) || !s.clock.Now().Add(delay).Before(started.Add(s.Cfg.ConsistencyGrace)) {
			if smp != nil && len(earlier) > 0 {
				var all = smp.Attempts[:0:0]
				for _, e := range earlier {
					for i := range e.Attempts {
						a := e.Attempts[i]
						if i == len(e.Attempts)-1 {
							a.Retried = "the request was not visible yet (eventual consistency: retried within --consistency-grace)"
						}
						all = append(all, a)
					}
				}
				smp.Attempts = append(all, smp.Attempts...)
			}
			return smp, err
		}
		earlier = append(earlier, smp)
		if err := s.clock.Sleep(ctx, delay); err != nil {
			return smp, err
		}
		delay = min(delay*2, s.Cfg.MaxDelay)
	}
}

func faultIs(r *Response, name string) bool { return !r.OK() && strings.EqualFold(r.ErrorCode(), name) }

// pollResult is what a poll saw.
type pollResult struct {
	samples  []*Sample
	timedOut bool
	stopped  string // why the poll could not go on ("" when it could)
	// undocumented is the first Status outside the documented ones the request showed.
	undocumented string
	// shortest is the shortest time the poll saw between two changes of the request's
	// status or step (0: fewer than two changes): the target's pace, as observed.
	shortest time.Duration
	err      error
}

// cadence decides how long a poll waits before its next describe: it starts at
// --min-delay and doubles up to --max-delay while nothing changes; a change of the
// request's status or progress step starts it again at --min-delay (the request is
// moving: look again soon), and once two changes were seen it never waits longer than
// half the shortest time between two changes, so the steps of a request are sampled
// faster than they change (a step that goes back between two polls is not missed).
type cadence struct {
	min, max time.Duration
	delay    time.Duration // the last wait (0 before the first describe)
	state    string        // the status and step the last describe saw
	changed  time.Time     // when a describe first saw state
	changes  int           // changes seen
	shortest time.Duration // the shortest time between two changes seen (0: fewer than two)
}

func newCadence(min, max time.Duration) *cadence { return &cadence{min: min, max: max} }

// next is the wait after a describe at now that saw state.
func (c *cadence) next(now time.Time, state string) time.Duration {
	switch {
	case c.delay == 0: // the first describe
		c.delay, c.state, c.changed = c.min, state, now
	case state != c.state:
		if c.changes++; c.changes >= 2 {
			if d := now.Sub(c.changed); d > 0 && (c.shortest == 0 || d < c.shortest) {
				c.shortest = d
			}
		}
		c.delay, c.state, c.changed = c.min, state, now
	default:
		c.delay = min(c.delay*2, c.max)
	}
	if c.shortest > 0 {
		c.delay = min(c.delay, max(c.min, c.shortest/2))
	}
	return c.delay
}

// stateOf is what the cadence watches of a request: its status and progress step.
func stateOf(req map[string]any) string {
	if req == nil {
		return ""
	}
	p, _ := req["Progress"].(map[string]any)
	return Str(req["Status"]) + "/" + Str(p["ProgressStep"])
}

// poll describes id until done says so, the lifecycle deadline passes, or the describe
// fails, at the cadence above. While the request is not visible yet (eventual
// consistency, within --consistency-grace of its start) the describes are folded into
// the first answer that lists it, marked as retried; a request still missing after the
// grace stops the poll with a reason. A Status the documentation does not list is said
// at once (a progress note) and kept in the result: the poll goes on waiting for a
// documented end, and the evidence says what it waited on.
func (g *gather) poll(ctx context.Context, name, id string, started time.Time, done func(map[string]any) bool, solicited *Solicitation) (res pollResult) {
	s := g.s
	deadline := started.Add(s.Cfg.LifecycleTimeout)
	var invisible []*Sample
	keep := func(smp *Sample) {
		if len(invisible) > 0 {
			var all []reports.Exchange
			for _, e := range invisible {
				for i, a := range e.Attempts {
					if i == len(e.Attempts)-1 {
						a.Retried = "the request was not listed yet (eventual consistency: described again within --consistency-grace)"
					}
					all = append(all, a)
				}
			}
			smp.Attempts = append(all, smp.Attempts...)
			invisible = nil
		}
		smp.Solicited = solicited
		res.samples = append(res.samples, smp)
	}
	pace := newCadence(s.Cfg.MinDelay, s.Cfg.MaxDelay)
	defer func() { res.shortest = pace.shortest }()
	for {
		smp, err := s.describeIn(ctx, g.key, name, g.family, g.proj(), id)
		if err != nil {
			if smp != nil {
				keep(smp)
			}
			res.err = err
			return res
		}
		if c := g.observe(smp); c != nil {
			keep(smp)
			res.err = c
			return res
		}
		r := smp.Response()
		if !r.OK() {
			keep(smp)
			res.stopped = fmt.Sprintf("%s of request %s failed: %s", g.describe.Name, id, r.Summary())
			return res
		}
		req := RequestIn(smp, id)
		if req == nil && len(res.samples) == 0 {
			if !s.clock.Now().Before(started.Add(s.Cfg.ConsistencyGrace)) {
				keep(smp)
				res.stopped = fmt.Sprintf("%s filtered by request-id=%s does not list that request %s after it started (--consistency-grace %s)",
					g.describe.Name, id, s.clock.Now().Sub(started).Round(time.Millisecond), s.Cfg.ConsistencyGrace)
				return res
			}
			invisible = append(invisible, smp)
		} else {
			keep(smp)
		}
		g.noteUndocumented(&res, id, req, solicited)
		if req != nil && done(req) {
			return res
		}
		if h := s.stuckAhead(g.proj(), id); h != nil {
			res.stopped = fmt.Sprintf("request %s is not polled further: %s", id, h.behind())
			return res
		}
		if !s.clock.Now().Before(deadline) {
			if n := len(invisible); n > 0 {
				last := invisible[n-1]
				invisible = invisible[:n-1]
				keep(last)
			}
			res.timedOut = true
			return res
		}
		if err := s.clock.Sleep(ctx, pace.next(s.clock.Now(), stateOf(req))); err != nil {
			res.err = err
			return res
		}
	}
}

// noteUndocumented says at once, the first time a poll sees it, that the request shows
// a Status the documentation does not list (and that was not solicited).
func (g *gather) noteUndocumented(res *pollResult, id string, req map[string]any, solicited *Solicitation) {
	st := Str(req["Status"])
	if req == nil || res.undocumented != "" || g.documentedStatus(st) || solicited != nil && solicited.Status == st {
		return
	}
	res.undocumented = st
	g.s.notify(fmt.Sprintf("%s: request %s shows Status %q, which the documentation does not list (%s): waiting for a documented end until --lifecycle-timeout (%s after its start)",
		g.key, id, st, strings.Join(g.statusValues(), ", "), g.s.Cfg.LifecycleTimeout))
}

// statusValues are the documented Status values (the model's value set of the cancel
// output's Request.Status).
func (g *gather) statusValues() []string {
	if vs := statusSet(g.cancel); vs != nil {
		return vs.Strings()
	}
	return nil
}

// documentedStatus reports whether st is a documented Status ("" counts: a request
// without one is judged elsewhere).
func (g *gather) documentedStatus(st string) bool {
	vs := statusSet(g.cancel)
	return st == "" || vs == nil || vs.Contains(st)
}

func statusSet(cancel *spec.Operation) *spec.ValueSet {
	if cancel == nil || cancel.Output == nil {
		return nil
	}
	req := cancel.Output.Member("Request")
	if req == nil || req.Shape == nil {
		return nil
	}
	st := req.Shape.Member("Status")
	if st == nil || st.Shape == nil {
		return nil
	}
	return st.Shape.Values
}

func terminal(r map[string]any) bool { return spec.IsTerminalStatus(Str(r["Status"])) }

// statusOf is the Status of id in the last sample that lists it.
func statusOf(samples []*Sample, id string) string {
	for i := len(samples) - 1; i >= 0; i-- {
		if r := RequestIn(samples[i], id); r != nil {
			return Str(r["Status"])
		}
	}
	return ""
}

func runWalk(ctx context.Context, g *gather) (*WalkEvidence, error) {
	s := g.s
	w := &WalkEvidence{}
	tries := 1 + walkSpare
	for try := 1; ; try++ {
		var started time.Time
		step, err := g.walkTry(ctx, w, try, tries, &started)
		if step == walkAgain {
			continue
		}
		if err != nil || step == walkDone {
			return w, err
		}
		if err := g.walkFollow(ctx, w, started); err != nil {
			return w, err
		}
		break
	}
	if w.TimedOut || w.Stopped != "" || !spec.IsTerminalStatus(w.Final) {
		s.settled(w.RequestID) // waited out once: clean-up sends a cancel but does not wait again
		return w, nil
	}
	s.settled(w.RequestID)
	if w.Final == "CANCELED" {
		w.Waiter = g.waiter(ctx, w.RequestID)
	}
	second, err := g.cancelOnce(ctx, "walk: cancel again", s.Project, w.RequestID, false)
	w.SecondCancel = second
	return w, err
}

// walkStep is what a try of the walk leaves to do.
type walkStep int

const (
	walkDone     walkStep = iota // the walk is over: its evidence is what it has
	walkAgain                    // the request ended before its cancel landed: start another
	walkCanceled                 // the cancel was accepted: follow the request to its end
)

// walkTry starts a request, describes it once and cancels it (started is when it
// started). A request that ended before the cancel landed is a miss: another try,
// or, after the last, what the walk could not observe.
func (g *gather) walkTry(ctx context.Context, w *WalkEvidence, try, tries int, started *time.Time) (walkStep, error) {
	s := g.s
	*started = s.clock.Now()
	id, st, err := g.startRequest(ctx, "walk: start", "")
	if st != nil {
		w.Starts = append(w.Starts, st)
	}
	var budget *Cause
	if errors.As(err, &budget) && budget.ID == "start-budget" && try > 1 {
		w.Unobserved = fmt.Sprintf("each of the %d requests the walk started had ended before its cancel landed, and the start budget allows no more (raise --max-starts)", try-1)
		return walkDone, nil
	}
	if err != nil {
		return walkDone, err
	}
	if id == "" {
		w.Stopped = stoppedWhy(g.start, st)
		return walkDone, nil
	}
	// What the request was doing when the cancel was sent: a cancel of a request that
	// had not begun its work is the one that should take effect (lifecycle.
	// canceled-early). One describe, its answer evidence whatever it lists; a
	// request not listed yet (eventual consistency) is simply not observed.
	before, err := s.describe(ctx, g.key, "walk: describe before the cancel", g.family, id)
	if err != nil {
		return walkDone, err
	}
	if cause := g.observe(before); cause != nil {
		return walkDone, cause
	}
	described := s.clock.Now()
	c, err := g.cancelVisible(ctx, "walk: cancel", id, *started)
	if err != nil {
		return walkDone, err
	}
	gap := s.clock.Now().Sub(described)
	if cause := g.observe(c); cause != nil {
		return walkDone, cause
	}
	lost := c.AnswerLost()
	if lost != "" && !c.Lost.Applied && spec.IsTerminalStatus(c.Lost.Status) {
		ended := c.Lost.Status
		// The cancel's answer was lost and the request has ended on its own: too late.
		w.Misses = append(w.Misses, before, c)
		s.settled(id)
		if try < tries {
			return walkAgain, nil
		}
		w.Unobserved = fmt.Sprintf("each of the %d requests the walk started had ended (%s) before its cancel landed: the target is faster than a cancel sent at once", try, ended)
		return walkDone, nil
	}
	if lost == "" && faultIs(c.Response(), "InvalidResourceStateFault") {
		if step, ended, err := g.walkRefused(ctx, w, id, before, c, try, tries); ended || err != nil {
			return step, err
		}
	}
	w.RequestID, w.Before, w.BeforeGap, w.Cancel = id, before, gap.String(), c
	if lost != "" && !c.Lost.Applied || lost == "" && !c.Response().OK() {
		// The cancel checks judge this answer (or skip it, lost); the request runs on
		// until clean-up.
		return walkDone, nil
	}
	return walkCanceled, nil
}

// walkRefused looks at a request whose cancel was refused as already ended: if it has
// (the target was faster than the cancel) the walk tries again or says why it cannot
// observe a cancel; ended is false when the request is still running and the refusal
// is the cancel checks' to judge.
func (g *gather) walkRefused(ctx context.Context, w *WalkEvidence, id string, before, c *Sample, try, tries int) (step walkStep, ended bool, err error) {
	s := g.s
	d, err := s.describe(ctx, g.key, "walk: describe the refused request", g.family, id)
	if err != nil {
		return walkDone, true, err
	}
	st := statusOf([]*Sample{d}, id)
	if !spec.IsTerminalStatus(st) || st == "CANCELED" {
		w.Misses = append(w.Misses, d)
		return walkDone, false, nil
	}
	w.Misses = append(w.Misses, before, c, d)
	s.settled(id)
	if try < tries {
		return walkAgain, true, nil
	}
	if st == "FAILED" {
		// The target failed the harness's requests (real DMS: selection rules
		// that select nothing): its Error says why.
		w.FailedWith = errorMessage(RequestIn(d, id))
		w.Unobserved = fmt.Sprintf("each of the %d requests the walk started had ended FAILED before its cancel landed (the target's Error: %q)", try, w.FailedWith)
		return walkDone, true, nil
	}
	w.Unobserved = fmt.Sprintf("each of the %d requests the walk started had ended (%s) before its cancel landed: the target is faster than a cancel sent at once", try, st)
	return walkDone, true, nil
}

// walkFollow describes the cancelled request until it ends (or the lifecycle timeout).
func (g *gather) walkFollow(ctx context.Context, w *WalkEvidence, started time.Time) error {
	s := g.s
	p := g.poll(ctx, "walk: describe", w.RequestID, started, terminal, nil)
	w.Describes, w.TimedOut, w.Stopped, w.Undocumented = p.samples, p.timedOut, p.stopped, p.undocumented
	w.Final = statusOf(p.samples, w.RequestID)
	if p.timedOut {
		w.Timeout = s.Cfg.LifecycleTimeout.String()
	}
	return p.err
}

// waiter asks the SDK's cancelled waiter about a request already seen CANCELED: it
// must accept at its first describe.
func (g *gather) waiter(ctx context.Context, id string) *WaiterEvidence {
	if c := g.s.sdkLacks(g.family); c != nil {
		// Nothing to ask: CANCELED is judged on the describes alone.
		return &WaiterEvidence{Unavailable: c.Title}
	}
	c := g.s.newCall(g.key, "walk: the SDK's cancelled waiter")
	wctx := context.WithValue(ctx, callKey{}, c)
	err := g.s.waitCancelled(wctx, g.describe.Name, id)
	if errors.Is(err, errNoWaiter) {
		return &WaiterEvidence{Unavailable: fmt.Sprintf("aws-sdk-go-v2 %s has no cancelled waiter on %s", gosdk.Version(), g.describe.Name)}
	}
	we := &WaiterEvidence{}
	if err != nil {
		we.Err = err.Error()
		// Trouble on the way (no answer, a spent retry budget) is not the waiter's
		// verdict on the request.
		we.Infra = g.s.harnessError(err, true) != nil
	}
	for _, ex := range c.all() {
		we.Samples = append(we.Samples, &Sample{Op: g.describe.Name, Name: c.name, Attempts: []reports.Exchange{ex}})
	}
	return we
}

// watched is a request started and polled, never cancelled, to its end.
type watched struct {
	id    string
	start *Sample
	pollResult
}

// startAndWatch starts a request (of the script's project) and polls it until it ends
// or the lifecycle timeout; a request that ended is settled (clean-up leaves it alone).
// A start the target refused leaves id "" and says why in stopped; err is the start's
// trouble or the poll's.
func (g *gather) startAndWatch(ctx context.Context, what string) (watched, error) {
	started := g.s.clock.Now()
	var w watched
	id, st, err := g.startRequest(ctx, what+": start", "")
	w.start = st
	if err != nil {
		return w, err
	}
	if id == "" {
		w.stopped = stoppedWhy(g.start, st)
		return w, nil
	}
	w.id, w.pollResult = id, g.poll(ctx, what+": describe", id, started, terminal, nil)
	if spec.IsTerminalStatus(statusOf(w.samples, id)) {
		g.s.settled(id)
	}
	return w, w.err
}

func runWatch(ctx context.Context, g *gather) (*WatchEvidence, error) {
	w, err := g.startAndWatch(ctx, "watch")
	ev := &WatchEvidence{Start: w.start, RequestID: w.id, Describes: w.samples, TimedOut: w.timedOut, Stopped: w.stopped, Undocumented: w.undocumented}
	if w.shortest > 0 {
		ev.ShortestStep = w.shortest.String()
	}
	return ev, err
}

func runScenarios(ctx context.Context, g *gather) (*ScenarioEvidence, error) {
	ev := &ScenarioEvidence{Runs: make([]*ScenarioRun, len(scenarioRuns))}
	errs := make([]error, len(scenarioRuns))
	// One run at a time: DMS runs the requests of a project one at a time, so runs
	// started side by side only wait in its queue while their polls back off.
	sem := make(chan struct{}, 1)
	var wg sync.WaitGroup
	for i, sr := range scenarioRuns {
		sem <- struct{}{} // taken in order: with one at a time the runs are repeatable
		if h := g.s.stuckAhead(g.proj(), ""); h != nil {
			<-sem
			ev.Runs[i] = &ScenarioRun{Name: sr.name, Stopped: "not started: " + h.behind()}
			if !slices.ContainsFunc(errs, func(err error) bool { return errors.Is(err, errHeldStuck) }) {
				// The evidence these runs were for cannot be gathered: said once.
				errs[i] = &InfraError{Call: "scenario " + sr.name + ": start", Endpoint: g.s.Endpoint, Problem: "not started: " + h.behind(), Err: errHeldStuck}
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// Each run is its own stream of calls (a replay serves it in order).
			sub := *g
			sub.key = fmt.Sprintf("%s/%d", g.key, i+1)
			ev.Runs[i], errs[i] = sub.scenarioRun(ctx, i, sr.name, sr.sc, sr.hold)
		}()
	}
	wg.Wait()
	return ev, errors.Join(errs...)
}

func (g *gather) scenarioRun(ctx context.Context, i int, name string, sc Scenario, hold string) (*ScenarioRun, error) {
	s := g.s
	run := &ScenarioRun{Name: name}
	sc.Project, sc.Family = s.Project, g.family
	sc.Tag = fmt.Sprintf("dmsconform-scenario-%s-%d", g.family, i+1)
	sol := &Solicitation{Status: sc.Status, ProgressStep: sc.ProgressStep, EndpointType: sc.EndpointType, UnknownUnionMember: sc.UnknownUnionMember}
	c := s.newCall(g.key, "control: add scenario "+name)
	ex, err := s.control.AddScenario(ctx, c.script, sc)
	ex.Call = c.seq
	run.Samples = append(run.Samples, &Sample{Name: c.name, Attempts: []reports.Exchange{ex}})
	if err != nil {
		return run, err
	}
	started := s.clock.Now()
	id, st, err := g.startRequest(ctx, "scenario "+name+": start", sc.Tag)
	run.Start = st
	if err != nil {
		return run, err
	}
	if id == "" {
		run.Stopped = stoppedWhy(g.start, st)
		return run, nil
	}
	run.RequestID = id
	if sc.Status != "" {
		s.holds(id, sc.Status)
	}
	done := terminal
	switch hold {
	case "":
	case "progress":
		done = func(r map[string]any) bool { return r["Progress"] != nil || terminal(r) }
	default:
		done = func(r map[string]any) bool {
			p, _ := r["Progress"].(map[string]any)
			return p != nil && Str(p["ProgressStep"]) == hold || terminal(r)
		}
	}
	p := g.poll(ctx, "scenario "+name+": describe", id, started, done, sol)
	run.Samples, run.Stopped = append(run.Samples, p.samples...), p.stopped
	if p.err != nil || p.stopped != "" {
		if hold != "" && ctx.Err() == nil {
			// A held request never ends on its own, and DMS runs a project's requests
			// one at a time: left running it would hold every later request of the run
			// in the queue until its lifecycle timeout. Cancel it before giving up.
			g.cancelHeld(ctx, run, name, id, sol)
		}
		return run, p.err
	}
	if hold != "" && !spec.IsTerminalStatus(statusOf(p.samples, id)) {
		return run, g.cancelHeld(ctx, run, name, id, sol)
	}
	s.settled(id)
	return run, nil
}

// heldCancels bounds the cancels sent to a scenario's held request: each is a call
// with its own retries, sent again while the target answers it with transient
// trouble, because a held request left running holds its project's queue.
const heldCancels = 3

// errHeldStuck: a held request could not be cancelled, so every later request of its
// project would wait behind it.
var errHeldStuck = errors.New("a held request could not be cancelled")

// stuckHeld is a request a scenario held that could not be cancelled: it holds its
// project's queue, so no request of the project that has not ended will run.
type stuckHeld struct {
	id, project, scenario, why string
}

// holdStuck records h (the first one only: later ones wait behind it anyway).
func (s *Session) holdStuck(h stuckHeld) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stuck == nil {
		s.stuck = &h
	}
}

// stuckAhead is the stuck held request that request id of project (id "": one not
// started yet) waits behind, or nil. A held request is cancelled once its poll saw
// it at its step, that is running, so every request of the project still running
// then was queued behind it.
func (s *Session) stuckAhead(project, id string) *stuckHeld {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.stuck; h != nil && h.project == project && h.id != id {
		return h
	}
	return nil
}

// behind says why a request waits forever behind h.
func (h *stuckHeld) behind() string {
	return fmt.Sprintf("it would wait behind the request %s the scenario %q held, which could not be cancelled (%s), and a project runs its requests one at a time", h.id, h.scenario, h.why)
}

// cancelHeld cancels a scenario's held request and keeps every answer in the run. A
// cancel answered with transient trouble after its retries is sent again, up to
// heldCancels times; if the request still runs, the error says so (errHeldStuck).
func (g *gather) cancelHeld(ctx context.Context, run *ScenarioRun, name, id string, sol *Solicitation) error {
	for try := 1; ; try++ {
		c, err := g.cancelRunning(ctx, "scenario "+name+": cancel", id)
		if c != nil {
			c.Solicited = sol
			run.Samples = append(run.Samples, c)
		}
		if err != nil {
			return err
		}
		if c.Lost != nil && c.Lost.Applied || c.AnswerLost() == "" && c.Response().OK() {
			// Cancelled; the scenario may keep its status from ever looking terminal, so
			// clean-up need not wait for it.
			g.s.settled(id)
			return nil
		}
		transient, why := transientAnswer(c.Response())
		if c.AnswerLost() != "" || !transient {
			return nil // refused: the cancel checks judge the answer
		}
		if try == heldCancels {
			g.s.holdStuck(stuckHeld{id: id, project: g.proj(), scenario: name, why: why})
			return &InfraError{Call: "scenario " + name + ": cancel", Endpoint: g.s.Endpoint, Attempts: len(c.Attempts),
				Problem: fmt.Sprintf("%s after %d cancels of the held request %s, which runs on and holds the project's queue", why, try, id), Err: errHeldStuck}
		}
		if err := g.s.clock.Sleep(ctx, g.s.backoff(try+2)); err != nil {
			return err
		}
	}
}

func runNotFound(ctx context.Context, g *gather) (*ProbeEvidence, error) {
	ev := &ProbeEvidence{}
	for _, p := range []struct{ key, name, project string }{
		{"unknown-request", "cancel an unknown request", g.s.Project},
		{"unknown-project", "cancel in an unknown project", UnknownProject},
	} {
		smp, err := g.cancelOnce(ctx, p.name, p.project, UnknownRequestID, false)
		ev.Probes = append(ev.Probes, &Probe{Key: p.key, Sample: smp})
		if err != nil {
			return ev, err
		}
	}
	return ev, nil
}

func runDenied(ctx context.Context, g *gather) (*ProbeEvidence, error) {
	smp, err := g.cancelOnce(ctx, "cancel as a denied principal", g.s.Project, UnknownRequestID, true)
	return &ProbeEvidence{Probes: []*Probe{{Key: "denied", Sample: smp}}}, err
}

// InputProbes lists the invalid-input probes of an operation's input: for each member,
// "missing/<m>" when it is required, "wrong-type/<m>" when it is a string and
// "max-length/<m>" when it has a maximum length. The input kinds judge them by key.
func InputProbes(op *spec.Operation) []string {
	var keys []string
	for _, mb := range op.Input.Members {
		if mb.Required {
			keys = append(keys, "missing/"+mb.Name)
		}
		if mb.Shape.Type == spec.TypeString {
			keys = append(keys, "wrong-type/"+mb.Name)
		}
		if mb.Shape.MaxLength != nil {
			keys = append(keys, "max-length/"+mb.Name)
		}
	}
	return keys
}

func runInputs(ctx context.Context, g *gather) (*ProbeEvidence, error) {
	ev := &ProbeEvidence{}
	for _, key := range InputProbes(g.cancel) {
		kind, member, _ := strings.Cut(key, "/")
		body := map[string]any{"MigrationProjectIdentifier": g.s.Project, "RequestIdentifier": UnknownRequestID}
		name := ""
		switch kind {
		case "missing":
			delete(body, member)
			name = "cancel without " + member
		case "wrong-type":
			body[member] = json.Number("12345")
			name = "cancel with " + member + " as a number"
		case "max-length":
			n := int(*g.cancel.Input.Member(member).Shape.MaxLength)
			body[member] = strings.Repeat("x", n+1)
			name = fmt.Sprintf("cancel with a %d-character %s", n+1, member)
		}
		raw, _ := json.Marshal(body)
		smp, err := g.s.wire(ctx, g.key, wireRequest{Name: name, Op: g.cancel, Body: raw})
		ev.Probes = append(ev.Probes, &Probe{Key: key, Sample: smp})
		if err != nil {
			return ev, err
		}
		g.observe(smp)
	}
	return ev, nil
}

func runProtocol(ctx context.Context, g *gather) (*ProbeEvidence, error) {
	body, _ := json.Marshal(map[string]any{"MigrationProjectIdentifier": g.s.Project, "RequestIdentifier": UnknownRequestID})
	target := g.s.Model.Service.TargetPrefix + ".DmsconformNoSuchOperation"
	ev := &ProbeEvidence{}
	for _, p := range []struct {
		key string
		req wireRequest
	}{
		{"unknown-target", wireRequest{Name: "request with X-Amz-Target " + target, Target: target, Body: body}},
		{"unsigned", wireRequest{Name: "unsigned cancel", Op: g.cancel, Body: body, Unsigned: true}},
		{"bad-signature", wireRequest{Name: "cancel with a corrupted signature", Op: g.cancel, Body: body, BadSig: true}},
	} {
		smp, err := g.s.wire(ctx, g.key, p.req)
		ev.Probes = append(ev.Probes, &Probe{Key: p.key, Sample: smp})
		if err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// errorMessage is the message of a request's Error (its one union member's Message),
// or a description of the Error when it has none.
func errorMessage(req map[string]any) string {
	e, _ := req["Error"].(map[string]any)
	if len(e) == 0 {
		return "no Error"
	}
	for _, k := range sortedKeys(e) {
		if m, ok := e[k].(map[string]any); ok {
			if msg := Str(m["Message"]); msg != "" {
				return msg
			}
		}
	}
	b, _ := json.Marshal(e)
	return text.Truncate(string(b), 200)
}

// runFailing starts a request in the failing project, watches it to its end (FAILED,
// with an Error: the union's real answers), then cancels it once more: a cancel of a
// request that ended is InvalidResourceStateFault.
func runFailing(ctx context.Context, g *gather) (*FailingEvidence, error) {
	s := g.s
	sub := *g
	sub.project = s.failing
	g = &sub
	w, err := g.startAndWatch(ctx, "failing")
	ev := &FailingEvidence{Project: s.failing, Start: w.start, RequestID: w.id, Describes: w.samples, Final: statusOf(w.samples, w.id),
		TimedOut: w.timedOut, Stopped: w.stopped, Undocumented: w.undocumented}
	if err != nil || !spec.IsTerminalStatus(ev.Final) {
		return ev, err // not ended: clean-up cancels it
	}
	ev.Cancel, err = g.cancelOnce(ctx, "failing: cancel the ended request", g.project, w.id, false)
	return ev, err
}

// runRevisit describes once more every request of the family the run started and saw
// end (the last script: after every other one, before clean-up). A request the run did
// not see end has nothing to hold to (clean-up describes it); describing it would only
// catch where the target's pace left it.
func runRevisit(ctx context.Context, g *gather) (*RevisitEvidence, error) {
	s := g.s
	ev := &RevisitEvidence{Requests: []*RevisitedRequest{}}
	seen := s.lastStatuses(g.family)
	for _, st := range s.started(g.family) {
		if !spec.IsTerminalStatus(seen[st.id]) {
			continue
		}
		smp, err := s.describeIn(ctx, g.key, "revisit: describe", g.family, st.project, st.id)
		ev.Requests = append(ev.Requests, &RevisitedRequest{ID: st.id, Project: st.project, Sample: smp})
		if err != nil {
			return ev, err
		}
		g.observe(smp)
	}
	return ev, nil
}

func runSDKValidation(ctx context.Context, g *gather) (*SDKValidationEvidence, error) {
	ev := &SDKValidationEvidence{}
	for _, mb := range g.cancel.Input.Members {
		if !mb.Required {
			continue
		}
		in := map[string]any{}
		for _, o := range g.cancel.Input.Members {
			if o.Name != mb.Name && o.Required {
				in[o.Name] = "dmsconform-" + strings.ToLower(o.Name)
			}
		}
		c := g.s.newCall(g.key, "SDK call without "+mb.Name)
		_, err := gosdk.Call(context.WithValue(ctx, callKey{}, c), g.s.sdk, g.cancel.Name, in)
		if errors.Is(err, gosdk.ErrHarness) {
			return ev, err
		}
		res := SDKValidationResult{Member: mb.Name}
		if exs := c.all(); len(exs) > 0 {
			res.Sent, res.Status = true, exs[len(exs)-1].Response.Status
		}
		var ip smithy.InvalidParamsError
		res.InvalidParams = errors.As(err, &ip)
		if err != nil {
			res.Error, res.ErrorType = err.Error(), reflect.TypeOf(err).String()
		}
		ev.Results = append(ev.Results, res)
	}
	return ev, nil
}
