package emulator

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"
)

// request is one Start* request.
type request struct {
	id       string
	family   string
	project  *project
	seq      uint64
	start    time.Time
	canceled bool
	cancelAt time.Time
	scen     *Scenario // taken at Start from a pending scenario; nil if none
	total    int64
	step     time.Duration // lifecycle step, fixed at Start (Weather.StepDuration may change it for later requests)
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
// (which bind tagged scenarios). e.mu held.
func (e *Emulator) newRequest(p *project, family, rules string, now time.Time) *request {
	e.seq++
	r := &request{id: e.newUUID(), family: family, project: p, seq: e.seq, start: now, step: e.stepNow()}
	h := fnv.New32a()
	h.Write([]byte(r.id))
	r.total = 12 + int64(h.Sum32()%89)
	r.scen = e.takeScenario(p, family, rules)
	e.requests[r.id] = r
	k := listKey{p, family}
	e.lists[k] = append(e.lists[k], r)
	return r
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

// compute returns the state of r at now. e.mu held.
func (e *Emulator) compute(r *request, now time.Time) view {
	scen := e.scenarioFor(r)
	if !r.canceled {
		return e.progressAt(r, scen, now.Sub(r.start))
	}
	v := e.progressAt(r, scen, r.cancelAt.Sub(r.start))
	v.failed, v.failMsg, v.unknownMember = false, "", ""
	if now.Before(r.cancelAt.Add(r.step)) {
		v.status = StatusCanceling
	} else {
		v.status = StatusCanceled
	}
	return v
}

// progressAt computes the lifecycle el after the start of r.
func (e *Emulator) progressAt(r *request, scen *Scenario, el time.Duration) view {
	if el < 0 {
		el = 0
	}
	step := r.step
	if scen != nil && scen.HoldAtStep != "" {
		if hp, ok := holdPhases[scen.HoldAtStep]; ok && el >= time.Duration(hp)*step {
			el = time.Duration(hp) * step
		}
	}
	phase := int64(el / step)
	if phase >= 5 {
		failMsg := r.project.failWith
		var unknown string
		if scen != nil {
			if scen.FailWith != "" {
				failMsg = scen.FailWith
			}
			if scen.UnknownUnionMember != "" {
				unknown = scen.UnknownUnionMember
				if failMsg == "" {
					failMsg = "dmsconform: simulated failure reported under union member " + unknown
				}
			}
		}
		if failMsg == "" {
			return view{status: StatusSuccess, step: StepFinished, percent: 100, total: r.total}
		}
		v := e.progressAt(r, nil, 5*step-1)
		v.status, v.failed, v.failMsg, v.unknownMember = StatusFailed, true, failMsg, unknown
		return v
	}
	if phase == 0 {
		return view{status: StatusReceived}
	}
	frac := float64(el-time.Duration(phase)*step) / float64(step)
	v := view{status: StatusInProgress, step: phaseSteps[phase], percent: math.Floor(frac*1000) / 10}
	if phase >= 3 {
		v.total = r.total
		idx := min(int64(frac*float64(r.total)), r.total-1)
		v.obj = objectAt(idx)
		v.obj.endpoint = "SOURCE"
		if phase == 4 {
			v.obj.endpoint = "TARGET"
		}
	}
	return v
}

var objectTypes = [...]string{"TABLE", "VIEW", "PROCEDURE", "FUNCTION"}

func objectAt(idx int64) *processedObject {
	t := objectTypes[idx%int64(len(objectTypes))]
	return &processedObject{name: fmt.Sprintf("dms_sample.object_%03d", idx+1), typ: t}
}
