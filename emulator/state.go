package emulator

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"
)

// request is one Start* request.
type request struct {
	id        string
	family    string
	project   *project
	seq       uint64
	pidx      int // index in its project's queue (both families, in start order)
	start     time.Time
	canceled  bool
	cancelAt  time.Time
	anyway    bool      // cancelled under cancel-completes-anyway: it runs to its end regardless
	noObjects bool      // its SelectionRules select nothing of the project's source data provider
	scen      *Scenario // taken at Start from a pending scenario; nil if none
	total     int64
	step      time.Duration // lifecycle step, fixed at Start (Weather.StepDuration may change it for later requests)
	sch       sched         // where it stands in its project's queue; valid while pidx < queue.valid
}

// queue is a migration project's requests of both families, in start order: they run
// one at a time ("If other requests created by Start* operations are already in the
// migration project's queue, the conversion begins after they complete").
type queue struct {
	reqs  []*request
	valid int // reqs[:valid] have an up-to-date sched
}

// Scenario changes how matching requests behave. A scenario with Request set applies
// to that request (whenever it started); otherwise it is pending and applies to the
// next Count Start* calls that match Project, Family and Tag.
//
// Tag binds a pending scenario to the Start* calls whose SelectionRules input
// contains it (a substring match), so that several clients can run scenario-driven
// starts concurrently in one project without one start taking another's scenario. A
// Start* takes the first pending tagged scenario whose tag its SelectionRules
// contain; failing that, the first pending untagged one (which any Start* may take,
// as before tags existed).
type Scenario struct {
	Project            string     `json:"project,omitempty"`            // name or ARN; "" = any
	Family             string     `json:"family,omitempty"`             // a family of the model (x-dms-family); "" = any
	Request            string     `json:"request,omitempty"`            // a request id; "" = the next Count Start* calls that match
	Count              int        `json:"count,omitempty"`              // 0 → 1
	HoldAtStep         string     `json:"holdAtStep,omitempty"`         // ProgressStep value (or "RECEIVED") where the request stays until cancelled/reset
	FailWith           string     `json:"failWith,omitempty"`           // end FAILED with Error {"defaultErrorDetails":{"Message":FailWith}}
	ExportSqlDetails   *ExportSQL `json:"exportSqlDetails,omitempty"`   // emit this ExportSqlDetails (JSON fields S3ObjectKey, ObjectURL)
	UnknownUnionMember string     `json:"unknownUnionMember,omitempty"` // end FAILED with Error {"<name>":{"Message":"..."}}
	Status             string     `json:"status,omitempty"`             // emit this Status value instead of the real one
	ProgressStep       string     `json:"progressStep,omitempty"`       // emit this ProgressStep instead of the real one (when Progress is present)
	Tag                string     `json:"tag,omitempty"`                // pending scenario: only for a Start* whose SelectionRules contain this
	EndpointType       string     `json:"endpointType,omitempty"`       // emit this ProcessedObject.EndpointType instead of the real one (when ProcessedObject is present)
}

// ExportSQL is the ExportSqlDetails a scenario makes requests carry. It is an alias
// of the anonymous struct so both spellings can be assigned to
// Scenario.ExportSqlDetails.
type ExportSQL = struct{ S3ObjectKey, ObjectURL string }

// holdPhases are the values HoldAtStep accepts and the phase each one is.
var holdPhases = map[string]int{
	StatusReceived:      0,
	StepLoadingMetadata: 1,
	StepCountingObjects: 2,
	StepAnalyzing:       3,
	StepConverting:      4,
}

var phaseSteps = [...]string{"", StepLoadingMetadata, StepCountingObjects, StepAnalyzing, StepConverting}

// Validate reports a scenario the emulator cannot apply, with what is accepted (the
// family is checked against the emulator's model: see Emulator.validateScenario).
func (s Scenario) Validate() error {
	if s.Count < 0 {
		return fmt.Errorf("scenario count %d is negative; 0 means 1", s.Count)
	}
	if _, ok := holdPhases[s.HoldAtStep]; s.HoldAtStep != "" && !ok {
		return fmt.Errorf("scenario holdAtStep %q: use RECEIVED, LOADING_METADATA, COUNTING_OBJECTS, ANALYZING or CONVERTING", s.HoldAtStep)
	}
	if s.Request != "" && s.Count > 1 {
		return fmt.Errorf("scenario count %d with request %q: a request-bound scenario applies to that one request", s.Count, s.Request)
	}
	if s.Request != "" && s.Tag != "" {
		return fmt.Errorf("scenario tag %q with request %q: a tag binds a pending scenario to the Start* calls whose SelectionRules contain it; a request-bound scenario applies to its request already, drop one of the two", s.Tag, s.Request)
	}
	return nil
}

type scenarioEntry struct {
	id        string
	s         Scenario
	remaining int
}

// AddScenario registers a scenario and returns its id. An invalid scenario (see
// Scenario.Validate) is registered with the invalid parts ignored; the control
// surface refuses it instead.
func (e *Emulator) AddScenario(s Scenario) string {
	if s.Count <= 0 {
		s.Count = 1
	}
	if _, ok := holdPhases[s.HoldAtStep]; !ok {
		s.HoldAtStep = ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scnSeq++
	id := "scn-" + strconv.FormatUint(e.scnSeq, 10)
	e.scenarios = append(e.scenarios, &scenarioEntry{id: id, s: s, remaining: s.Count})
	if s.Request != "" {
		e.invalidateAll() // it may hold, fail or release a request already queued
	}
	return id
}

// ClearScenarios removes every scenario, including those already taken by running
// requests: afterwards the emulator behaves as if none had been added (a held request
// then jumps to wherever the clock says it is).
func (e *Emulator) ClearScenarios() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scenarios = nil
	for _, r := range e.requests {
		r.scen = nil
	}
	e.invalidateAll()
}

// scenarioMatches reports whether s applies to a request of p and family (Tag is
// matched by takeScenario).
func (e *Emulator) scenarioMatches(s *Scenario, p *project, family string) bool {
	if s.Family != "" && s.Family != family {
		return false
	}
	if s.Project != "" && s.Project != p.name && s.Project != p.arn {
		return false
	}
	return true
}

// takeScenario consumes one use of the first pending tagged scenario that matches
// and whose tag rules contains, else of the first pending untagged one that
// matches. e.mu held.
func (e *Emulator) takeScenario(p *project, family, rules string) *Scenario {
	var untagged *scenarioEntry
	for _, se := range e.scenarios {
		if se.s.Request != "" || se.remaining <= 0 || !e.scenarioMatches(&se.s, p, family) {
			continue
		}
		if se.s.Tag == "" {
			if untagged == nil {
				untagged = se
			}
			continue
		}
		if strings.Contains(rules, se.s.Tag) {
			return se.take()
		}
	}
	if untagged != nil {
		return untagged.take()
	}
	return nil
}

// take consumes one use of se and returns a copy of its scenario. e.mu held.
func (se *scenarioEntry) take() *Scenario {
	se.remaining--
	s := se.s
	return &s
}

// scenarioFor returns the scenario in effect for a request: the latest one bound to
// its id, else the one it took at Start. e.mu held.
func (e *Emulator) scenarioFor(r *request) *Scenario {
	for i := len(e.scenarios) - 1; i >= 0; i-- {
		s := &e.scenarios[i].s
		if s.Request == r.id && e.scenarioMatches(s, r.project, r.family) {
			return s
		}
	}
	return r.scen
}

// newRequest creates and stores a request started now with the given SelectionRules
// (which bind tagged scenarios and say whether the request selects anything). e.mu held.
func (e *Emulator) newRequest(p *project, family, rules string, now time.Time) *request {
	e.seq++
	r := &request{id: e.newUUID(), family: family, project: p, seq: e.seq, start: now, step: e.stepNow()}
	h := fnv.New32a()
	h.Write([]byte(r.id))
	r.total = 12 + int64(h.Sum32()%89)
	r.scen = e.takeScenario(p, family, rules)
	r.noObjects = SelectsNothing(rules, p.sourceServer)
	e.requests[r.id] = r
	k := listKey{p, family}
	e.lists[k] = append(e.lists[k], r)
	q := e.queues[p]
	if q == nil {
		q = &queue{}
		e.queues[p] = q
	}
	r.pidx = len(q.reqs)
	q.reqs = append(q.reqs, r)
	return r
}

// SelectsNothing reports whether SelectionRules (a DMS selection-rules document) select
// nothing of a project whose source data provider is server: the rules parse, some
// selection rule names a server (object-locator server-name), and no selection rule
// that includes objects names this one (case-insensitive). That is the only part of a
// rule the emulator can judge: it has no database to match schema or table names
// against, so rules that name no server at all (such as "{}") select what they select,
// and the request runs. A request that selects nothing is accepted and then ends FAILED
// with NoObjectsMessage, as DMS does.
func SelectsNothing(rules, server string) bool {
	var doc struct {
		Rules []struct {
			RuleType      string `json:"rule-type"`
			RuleAction    string `json:"rule-action"`
			ObjectLocator struct {
				ServerName string `json:"server-name"`
			} `json:"object-locator"`
		} `json:"rules"`
	}
	if json.Unmarshal([]byte(rules), &doc) != nil {
		return false
	}
	named := false
	for _, r := range doc.Rules {
		if r.RuleType != "selection" || r.ObjectLocator.ServerName == "" {
			continue
		}
		named = true
		if !strings.EqualFold(r.RuleAction, "exclude") && strings.EqualFold(r.ObjectLocator.ServerName, server) {
			return false
		}
	}
	return named
}

// view is the computed state of a request at one instant.
type view struct {
	status        string
	step          string // "" → no Progress
	percent       float64
	total         int64 // 0 → absent
	obj           *processedObject
	failed        bool
	failMsg       string
	unknownMember string // the union member of Error when not defaultErrorDetails
}

type processedObject struct{ name, typ, endpoint string }

func (v view) terminal() bool {
	switch v.status {
	case StatusSuccess, StatusFailed, StatusCanceled:
		return true
	}
	return false
}

// How many steps a request runs before it ends on its own: a conversion goes through
// the four steps; a simulated failure ends it during LOADING_METADATA; selection rules
// that select nothing end it once COUNTING_OBJECTS found nothing.
const (
	runSteps       = 4
	failSteps      = 1
	noObjectsSteps = 2
)

// plan is how a request runs, from its scenario and its project.
type plan struct {
	steps   int64 // steps it runs before it ends on its own
	hold    int64 // 0: none; 1..4: it stays at the start of that step; -1: it stays RECEIVED
	failMsg string
	unknown string // the union member of Error when not defaultErrorDetails
}

func (pl plan) final() string {
	if pl.failMsg != "" {
		return StatusFailed
	}
	return StatusSuccess
}

func planOf(r *request, scen *Scenario) plan {
	pl := plan{steps: runSteps}
	switch {
	case scen != nil && scen.FailWith != "":
		pl.failMsg, pl.steps = scen.FailWith, failSteps
	case r.noObjects:
		pl.failMsg, pl.steps = NoObjectsMessage, noObjectsSteps
	case r.project.failWith != "":
		pl.failMsg, pl.steps = r.project.failWith, failSteps
	}
	if scen != nil && scen.UnknownUnionMember != "" {
		pl.unknown = scen.UnknownUnionMember
		if pl.failMsg == "" {
			pl.failMsg, pl.steps = "dmsconform: simulated failure reported under union member "+pl.unknown, failSteps
		}
	}
	if scen != nil {
		if hp, ok := holdPhases[scen.HoldAtStep]; ok && scen.HoldAtStep != "" {
			switch {
			case hp == 0:
				pl.hold = -1
			case int64(hp) <= pl.steps:
				pl.hold = int64(hp)
			}
		}
	}
	return pl
}

// sched is where a request stands in its project's queue. It is computed from the
// state alone (starts, cancels, scenarios), never from the clock, so one computation
// serves every read until the state changes.
type sched struct {
	recvEnd  time.Time // RECEIVED ("received but not yet queued") until then
	runs     bool      // it runs: its turn came (or comes) before a cancel took effect
	runStart time.Time // when it starts running (runs)
	end      time.Time // when it is terminal; zero: not as far as the state goes
	final    string    // its terminal status from end on
	freeAt   time.Time // the project's runner is free from then on, after this request
	blocked  bool      // the runner is never free after this request (a held one runs on)
}

// schedule places r after the requests before it, whose runner is free from free on
// (never when blocked).
func schedule(r *request, pl plan, free time.Time, blocked bool) sched {
	step := r.step
	full := time.Duration(pl.steps) * step
	s := sched{recvEnd: r.start.Add(step), freeAt: free, blocked: blocked}
	turn, never := s.recvEnd, blocked || pl.hold < 0
	if free.After(turn) {
		turn = free
	}
	if r.canceled && !r.anyway && (never || r.cancelAt.Before(turn)) {
		// Cancelled while received or queued: it never runs.
		s.end, s.final = r.cancelAt.Add(step), StatusCanceled
		return s
	}
	if never {
		return s // waits for a turn that never comes (until a cancel or a reset)
	}
	s.runs, s.runStart = true, turn
	switch {
	case !r.canceled && pl.hold > 0:
		s.blocked = true // held: it runs on until cancelled
		return s
	case !r.canceled || r.cancelAt.Before(turn):
		s.end, s.final = turn.Add(full), pl.final()
	default:
		el := r.cancelAt.Sub(turn)
		if pl.hold > 0 {
			el = min(el, time.Duration(pl.hold-1)*step)
		}
		if r.anyway || el >= full-step {
			// "The operation might still succeed or fail before cancellation takes
			// effect": a cancel that lands in the last step does not stop it.
			s.end, s.final = r.cancelAt.Add(full-el), pl.final()
		} else {
			s.end, s.final = r.cancelAt.Add(step), StatusCanceled
		}
	}
	s.freeAt, s.blocked = s.end, false
	return s
}

// schedOf returns r's place in its project's queue, computing the requests before it
// that changed since the last read. e.mu held.
func (e *Emulator) schedOf(r *request) sched {
	q := e.queues[r.project]
	for q.valid <= r.pidx {
		x := q.reqs[q.valid]
		var free time.Time
		blocked := false
		if q.valid > 0 {
			prev := q.reqs[q.valid-1].sch
			free, blocked = prev.freeAt, prev.blocked
		}
		x.sch = schedule(x, planOf(x, e.scenarioFor(x)), free, blocked)
		q.valid++
	}
	return r.sch
}

// invalidate marks r and the requests queued after it for recomputation. e.mu held.
func (e *Emulator) invalidate(r *request) {
	if q := e.queues[r.project]; q != nil && q.valid > r.pidx {
		q.valid = r.pidx
	}
}

// invalidateAll marks every request for recomputation (scenarios changed). e.mu held.
func (e *Emulator) invalidateAll() {
	for _, q := range e.queues {
		q.valid = 0
	}
}

// compute returns the state of r at now. e.mu held.
func (e *Emulator) compute(r *request, now time.Time) view {
	pl := planOf(r, e.scenarioFor(r))
	s := e.schedOf(r)
	switch {
	case !s.end.IsZero() && !now.Before(s.end):
		switch s.final {
		case StatusCanceled:
			return view{status: StatusCanceled}
		case StatusFailed:
			return view{status: StatusFailed, failed: true, failMsg: pl.failMsg, unknownMember: pl.unknown}
		}
		return view{status: StatusSuccess}
	case r.canceled:
		return view{status: StatusCanceling}
	case now.Before(s.recvEnd) || pl.hold < 0:
		return view{status: StatusReceived}
	case !s.runs || now.Before(s.runStart):
		return view{status: StatusInProgress} // queued: no Progress
	}
	el := now.Sub(s.runStart)
	if pl.hold > 0 {
		el = min(el, time.Duration(pl.hold-1)*r.step)
	}
	return running(r, el)
}

// running is the view of r el into its run (before its end).
func running(r *request, el time.Duration) view {
	phase := int64(el/r.step) + 1
	if phase >= int64(len(phaseSteps)) {
		phase = int64(len(phaseSteps)) - 1
	}
	frac := float64(el-time.Duration(phase-1)*r.step) / float64(r.step)
	v := view{status: StatusInProgress, step: phaseSteps[phase], percent: math.Floor(frac*1000) / 10}
	if phase >= 3 {
		v.total = r.total
		idx := min(int64(frac*float64(r.total)), r.total-1)
		v.obj = objectAt(idx)
		v.obj.endpoint = "SOURCE" // as the AWS CLI examples show, during CONVERTING too
	}
	return v
}

// objectTypes are the ProcessedObject.Type values, lower case as DMS sends them
// ("table" in the AWS CLI examples).
var objectTypes = [...]string{"table", "view", "procedure", "function"}

func objectAt(idx int64) *processedObject {
	t := objectTypes[idx%int64(len(objectTypes))]
	return &processedObject{name: fmt.Sprintf("dms_sample.object_%03d", idx+1), typ: t}
}
