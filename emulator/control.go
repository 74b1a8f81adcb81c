package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// ProjectInfo describes a seeded project on the control surface.
type ProjectInfo struct {
	Name    string `json:"name"`
	ARN     string `json:"arn"`
	Failing bool   `json:"failing"`
	// SourceServer is the server of the project's source data provider: the
	// server-name its selection rules must name to select anything.
	SourceServer string `json:"sourceServer"`
	// StartFault: the project's Start* calls are refused with this modelled fault.
	StartFault string `json:"startFault,omitempty"`
}

// Info is the answer of GET /_dmsconform/v1/info.
type Info struct {
	Region            string        `json:"region"`
	AccountID         string        `json:"accountId"`
	Projects          []ProjectInfo `json:"projects"`
	StepDuration      string        `json:"stepDuration"`
	VirtualClock      bool          `json:"virtualClock"`
	DeniedAccessKeyID string        `json:"deniedAccessKeyId"`
	AnyAccessKey      bool          `json:"anyAccessKey,omitempty"` // Config.AnyAccessKey
	Now               string        `json:"now"`
}

// RequestState is one request in GET /_dmsconform/v1/state.
type RequestState struct {
	ID       string `json:"id"`
	Project  string `json:"project"`
	Family   string `json:"family"`
	Status   string `json:"status"`
	Step     string `json:"step,omitempty"`
	Started  string `json:"started"`
	Scenario string `json:"scenario,omitempty"`
}

// Info returns what the control surface's /info reports.
func (e *Emulator) Info() Info {
	inf := Info{Region: e.region, AccountID: e.account, StepDuration: e.stepNow().String(),
		VirtualClock: e.vclock != nil, AnyAccessKey: e.anyKey, Now: e.clock.Now().UTC().Format(time.RFC3339Nano), Projects: []ProjectInfo{}}
	for _, p := range e.projects {
		inf.Projects = append(inf.Projects, ProjectInfo{Name: p.name, ARN: p.arn, Failing: p.failWith != "", SourceServer: p.sourceServer, StartFault: p.startFault})
	}
	for _, c := range e.creds {
		if c.denyAll || len(c.deny) > 0 {
			if inf.DeniedAccessKeyID == "" || c.AccessKeyID == DeniedAccessKeyID {
				inf.DeniedAccessKeyID = c.AccessKeyID
			}
		}
	}
	return inf
}

// State returns every request with its real (defect-free) status and step, in
// creation order.
func (e *Emulator) State() []RequestState {
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []RequestState{}
	var all []*request
	for _, l := range e.lists {
		all = append(all, l...)
	}
	sortBySeq(all)
	for _, r := range all {
		v := e.compute(r, now)
		rs := RequestState{ID: r.id, Project: r.project.name, Family: r.family, Status: v.status, Step: v.step,
			Started: r.start.UTC().Format(time.RFC3339Nano)}
		if s := e.scenarioFor(r); s != nil {
			b, _ := json.Marshal(s)
			rs.Scenario = string(b)
		}
		out = append(out, rs)
	}
	return out
}

func sortBySeq(rs []*request) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].seq < rs[j].seq })
}

const maxControlBody = 64 << 10

func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			controlError(w, http.StatusInternalServerError, fmt.Sprintf("control surface failed internally: %v", v))
		}
	}()
	path := strings.TrimPrefix(r.URL.Path, ControlPrefix)
	route := r.Method + " " + path
	body, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil || len(body) > maxControlBody {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("could not read a control body of at most %d bytes", maxControlBody))
		return
	}
	decode := controlDecoder(func(v any) bool {
		if len(strings.TrimSpace(string(body))) == 0 {
			return true
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			controlError(w, http.StatusBadRequest, fmt.Sprintf("%s: body is not the expected JSON: %v", route, err))
			return false
		}
		return true
	})
	switch route {
	case "POST clock/advance":
		e.controlAdvance(w, decode)
	case "POST reset":
		e.Reset()
		w.WriteHeader(http.StatusNoContent)
	case "POST scenarios":
		e.controlAddScenario(w, decode)
	case "DELETE scenarios":
		e.ClearScenarios()
		w.WriteHeader(http.StatusNoContent)
	case "GET defects":
		controlJSON(w, http.StatusOK, map[string]any{"active": e.Defects(), "available": DefectModes()})
	case "PUT defects":
		e.controlSetDefects(w, decode)
	case "GET weather":
		controlJSON(w, http.StatusOK, e.Weather())
	case "PUT weather":
		e.controlSetWeather(w, route, body)
	case "GET info":
		controlJSON(w, http.StatusOK, e.Info())
	case "GET state":
		controlJSON(w, http.StatusOK, map[string]any{"now": e.clock.Now().UTC().Format(time.RFC3339Nano), "requests": e.State()})
	default:
		controlError(w, http.StatusNotFound, fmt.Sprintf("no control endpoint %s %s%s; endpoints: POST clock/advance, POST reset, POST|DELETE scenarios, GET|PUT defects, GET|PUT weather, GET info, GET state",
			r.Method, ControlPrefix, path))
	}
}

// controlDecoder decodes a control call's JSON body into v; on a body it cannot take
// it answers 400 and returns false.
type controlDecoder func(v any) bool

// controlAdvance moves the virtual clock (POST clock/advance).
func (e *Emulator) controlAdvance(w http.ResponseWriter, decode controlDecoder) {
	var in struct {
		Duration string `json:"duration"`
	}
	if !decode(&in) {
		return
	}
	dur, err := time.ParseDuration(in.Duration)
	if err != nil {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("duration %q is not a Go duration such as \"2s\" or \"1m30s\"", in.Duration))
		return
	}
	if err := e.Advance(dur); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	controlJSON(w, http.StatusOK, map[string]string{"now": e.clock.Now().UTC().Format(time.RFC3339Nano)})
}

// controlAddScenario adds a scenario (POST scenarios).
func (e *Emulator) controlAddScenario(w http.ResponseWriter, decode controlDecoder) {
	var s Scenario
	if !decode(&s) {
		return
	}
	if err := e.validateScenario(s); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	if s.Project != "" && e.lookupProject(s.Project) == nil {
		controlError(w, http.StatusBadRequest, fmt.Sprintf("scenario project %q is not a seeded project; known: %s", s.Project, e.projectList()))
		return
	}
	controlJSON(w, http.StatusOK, map[string]string{"id": e.AddScenario(s)})
}

// controlSetDefects switches defect modes on (PUT defects).
func (e *Emulator) controlSetDefects(w http.ResponseWriter, decode controlDecoder) {
	var in struct {
		Modes []string `json:"modes"`
	}
	if !decode(&in) {
		return
	}
	if err := e.SetDefects(in.Modes); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// controlSetWeather replaces the weather (PUT weather).
func (e *Emulator) controlSetWeather(w http.ResponseWriter, route string, body []byte) {
	var in Weather
	if len(strings.TrimSpace(string(body))) > 0 {
		// Weather's own decoder: unknown fields refused, the accepted ones named
		if err := in.UnmarshalJSON(body); err != nil {
			controlError(w, http.StatusBadRequest, route+": "+err.Error())
			return
		}
	}
	if err := e.SetWeather(in); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// validateScenario is Scenario.Validate, and its family is one of the model's (or "").
func (e *Emulator) validateScenario(s Scenario) error {
	fams := e.model.Families()
	if s.Family != "" && !slices.Contains(fams, s.Family) {
		return fmt.Errorf("scenario family %q: use one of %s, or \"\" for every family", s.Family, strings.Join(fams, ", "))
	}
	return s.Validate()
}

func controlJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"could not encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	controlJSON(w, status, map[string]string{"error": msg})
}
