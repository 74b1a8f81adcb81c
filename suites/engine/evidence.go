package engine

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/spec"
)

// Script names an evidence script: a producer of evidence that talks to the target
// and knows nothing about verdicts. Each is gathered at most once per family and
// session, whichever checks need it.
type Script string

// The evidence scripts.
const (
	// Walk starts a request and cancels it at once (a request that finished before the
	// cancel landed is replaced within the start budget), polls it to its end, asks
	// the SDK's cancelled waiter, and cancels it a second time.
	Walk Script = "walk"
	// Watch starts a request and watches it, never cancelling, until it ends or the
	// lifecycle timeout: the statuses and progress steps a running request shows.
	Watch Script = "watch"
	// Scenarios uses a control surface (CapControl) to reach what a plain run does not
	// show: a request held at each progress step, ExportSqlDetails, a failed request's
	// Error, and solicited undocumented values and an unknown union member.
	Scenarios Script = "scenarios"
	// NotFound provokes ResourceNotFoundFault: an unknown request, an unknown project.
	NotFound Script = "not-found"
	// Denied provokes AccessDeniedFault: a cancel signed by the denied principal.
	Denied Script = "access-denied"
	// Inputs sends invalid cancel inputs: a required member missing, a member of the
	// wrong JSON type, a string over its maximum length.
	Inputs Script = "inputs"
	// Protocol sends cancels the target must refuse before running the operation: an
	// unknown X-Amz-Target, no signature, a corrupted signature.
	Protocol Script = "protocol"
	// SDKValidation asks aws-sdk-go-v2 to send cancels without a required member (its
	// own validation must stop them; nothing reaches the target).
	SDKValidation Script = "sdk-validation"
	// Failing starts a request in a project whose requests fail (CapFailingProject),
	// watches it to FAILED (its Error and the ErrorDetails union on real answers), and
	// cancels it once more (InvalidResourceStateFault).
	Failing Script = "failing"
	// Revisit describes every request the run started and saw end once more, after
	// every other script and before clean-up: a request seen in a terminal status must
	// still be in it.
	Revisit Script = "revisit"
)

// Evidence is what the judges of one family read: the model, facts about the target,
// and each gathered script's evidence (nil when it was not gathered).
type Evidence struct {
	Model    *spec.Model
	Family   string
	Cancel   *spec.Operation
	Describe *spec.Operation
	Start    *spec.Operation
	Project  string
	Facts    Facts
	Control  bool // the target has a control surface
	Denied   bool // a denied principal is configured
	// FailingProject: a project whose requests fail is configured (the failing script
	// runs); StartInputs: the Start requests send the user's --start-inputs.
	FailingProject bool
	StartInputs    bool

	Walk          *WalkEvidence
	Watch         *WatchEvidence
	Scenarios     *ScenarioEvidence
	NotFound      *ProbeEvidence
	DeniedProbe   *ProbeEvidence
	Inputs        *ProbeEvidence
	Protocol      *ProbeEvidence
	SDKValidation *SDKValidationEvidence
	Failing       *FailingEvidence
	Revisit       *RevisitEvidence
}

// WalkEvidence is what the lifecycle walk saw.
type WalkEvidence struct {
	Starts []*Sample `json:"starts"` // every start it made, replacements included
	// Misses are cancels that came too late: the request had already finished.
	Misses    []*Sample `json:"misses,omitempty"`
	RequestID string    `json:"requestId,omitempty"` // the request whose cancel landed
	// Before is the describe of the request just before its cancel: whether it was still
	// queued (or RECEIVED) when the cancel was sent, or already at work. BeforeGap is the
	// time from its answer to the cancel's answer (the session's clock): how long the
	// request may have moved on before the cancel landed.
	Before    *Sample   `json:"before,omitempty"`
	BeforeGap string    `json:"beforeGap,omitempty"`
	Cancel    *Sample   `json:"cancel,omitempty"`    // the cancel that landed
	Describes []*Sample `json:"describes,omitempty"` // polls after the cancel
	Final     string    `json:"final,omitempty"`     // the last Status seen
	// TimedOut: no documented terminal status within the lifecycle timeout (Timeout).
	TimedOut bool   `json:"timedOut,omitempty"`
	Timeout  string `json:"timeout,omitempty"`
	// Waiter is the SDK's cancelled waiter asked once the request is CANCELED.
	Waiter       *WaiterEvidence `json:"waiter,omitempty"`
	SecondCancel *Sample         `json:"secondCancel,omitempty"`
	// Unobserved says why no running request could be cancelled ("" when one was).
	Unobserved string `json:"unobserved,omitempty"`
	// FailedWith is the target's Error message when the requests the walk started ended
	// FAILED before their cancel landed (the Start inputs select nothing there, or the
	// project cannot run requests).
	FailedWith string `json:"failedWith,omitempty"`
	// Undocumented is a Status outside the documented ones that the polls after the
	// cancel saw (the walk waited on it).
	Undocumented string `json:"undocumented,omitempty"`
	// Stopped says why the walk could not go on after a start the target refused.
	Stopped string `json:"stopped,omitempty"`
}

// WaiterEvidence is the SDK waiter's answer.
type WaiterEvidence struct {
	// Unavailable says why the waiter was not asked (the SDK lacks the family's
	// operations, or has no cancelled waiter for it): CANCELED is judged on the
	// describes alone.
	Unavailable string `json:"unavailable,omitempty"`
	Err         string `json:"err,omitempty"` // "" when it accepted CANCELED
	// Infra: the waiter could not get an answer (not its verdict on the request).
	Infra   bool      `json:"infra,omitempty"`
	Samples []*Sample `json:"samples"`
}

// WatchEvidence is what the progress watch saw.
type WatchEvidence struct {
	Start     *Sample   `json:"start"`
	RequestID string    `json:"requestId,omitempty"`
	Describes []*Sample `json:"describes,omitempty"`
	TimedOut  bool      `json:"timedOut,omitempty"`
	Stopped   string    `json:"stopped,omitempty"`
	// Undocumented is a Status outside the documented ones the watch waited on.
	Undocumented string `json:"undocumented,omitempty"`
	// ShortestStep is the shortest time the watch saw between two changes of its
	// request's status or step ("" when it saw fewer than two): the target's pace.
	ShortestStep string `json:"shortestStep,omitempty"`
}

// FailingEvidence is what the failing script saw of a request in the failing project.
type FailingEvidence struct {
	Project   string    `json:"project"` // the failing project (name or ARN)
	Start     *Sample   `json:"start"`
	RequestID string    `json:"requestId,omitempty"`
	Describes []*Sample `json:"describes,omitempty"` // polls to its end
	Final     string    `json:"final,omitempty"`     // the last Status seen
	TimedOut  bool      `json:"timedOut,omitempty"`
	// Cancel is the cancel sent once the request ended (InvalidResourceStateFault).
	Cancel  *Sample `json:"cancel,omitempty"`
	Stopped string  `json:"stopped,omitempty"`
	// Undocumented is a Status outside the documented ones the polls waited on.
	Undocumented string `json:"undocumented,omitempty"`
}

// RevisitEvidence is the end-of-run describe of every request the run started.
type RevisitEvidence struct {
	Requests []*RevisitedRequest `json:"requests"`
}

// RevisitedRequest is one request described again at the end of the run.
type RevisitedRequest struct {
	ID      string  `json:"id"`
	Project string  `json:"project"`
	Sample  *Sample `json:"sample"`
}

// ScenarioEvidence is what the scenario runs saw.
type ScenarioEvidence struct {
	Runs []*ScenarioRun `json:"runs"`
}

// ScenarioRun is one scenario-driven request.
type ScenarioRun struct {
	Name      string    `json:"name"`
	RequestID string    `json:"requestId,omitempty"`
	Start     *Sample   `json:"start"`
	Samples   []*Sample `json:"samples"` // describes and the cancel, in order
	Stopped   string    `json:"stopped,omitempty"`
}

// ProbeEvidence is a set of single calls, each under a stable key.
type ProbeEvidence struct {
	Probes []*Probe `json:"probes"`
}

// Probe is one call under a key, e.g. "unknown-request" or "missing/RequestIdentifier".
type Probe struct {
	Key    string  `json:"key"`
	Sample *Sample `json:"sample"`
}

// Get returns the probe with key (nil if absent).
func (p *ProbeEvidence) Get(key string) *Sample {
	if p == nil {
		return nil
	}
	for _, pr := range p.Probes {
		if pr.Key == key {
			return pr.Sample
		}
	}
	return nil
}

// SDKValidationEvidence is what aws-sdk-go-v2 did with inputs missing a member.
type SDKValidationEvidence struct {
	Results []SDKValidationResult `json:"results"`
}

// SDKValidationResult is one attempt to send without a member.
type SDKValidationResult struct {
	Member        string `json:"member"`
	Sent          bool   `json:"sent"` // something reached the wire
	Status        int    `json:"status,omitempty"`
	InvalidParams bool   `json:"invalidParams"` // the error is a smithy.InvalidParamsError
	Error         string `json:"error,omitempty"`
	ErrorType     string `json:"errorType,omitempty"`
}

// Observed returns the family's cancel and describe samples the shape, union and enum
// checks judge: the walk's, the watch's, the scenario runs' and the failing script's,
// each script's in the order they were made (so a request's history reads forwards).
func (e *Evidence) Observed() []*Sample {
	var out []*Sample
	if w := e.Walk; w != nil {
		out = append(out, w.Cancel)
		out = append(out, w.Describes...)
		if w.Waiter != nil {
			out = append(out, w.Waiter.Samples...)
		}
		out = append(out, w.SecondCancel)
	}
	if w := e.Watch; w != nil {
		out = append(out, w.Describes...)
	}
	if sc := e.Scenarios; sc != nil {
		for _, r := range sc.Runs {
			out = append(out, r.Samples...)
		}
	}
	if f := e.Failing; f != nil {
		out = append(out, f.Describes...)
		out = append(out, f.Cancel)
	}
	var kept []*Sample
	for _, s := range out {
		// A call whose answer was lost has no answer to observe (Sample.AnswerLost).
		if s != nil && (s.Op == e.Cancel.Name || s.Op == e.Describe.Name) && s.AnswerLost() == "" {
			kept = append(kept, s)
		}
	}
	return kept
}

// Unimplemented says whether the sample's answer means the target does not implement
// the operation, and why (see Unimplemented).
func (e *Evidence) Unimplemented(s *Sample) *Cause {
	if s == nil || s.Op == "" {
		return nil
	}
	if why := Unimplemented(s.Response(), e.Facts.ServiceJSON); why != "" {
		return unimplementedCause(s.Op, why, s)
	}
	return nil
}

func unimplementedCause(op, why string, s *Sample) *Cause {
	return &Cause{ID: "unimplemented/" + op, Outcome: "unimplemented",
		Title:   fmt.Sprintf("%s is not implemented by the target: %s", op, why),
		Samples: []*Sample{s}}
}

// Unimplemented recognises the answers of a target that does not implement an
// operation: HTTP 501; UnknownOperationException (for an operation the model has);
// moto's NotImplementedError and LocalStack's "not yet implemented or pro feature";
// and, when the target otherwise speaks the protocol (serviceJSON), a 5xx whose body
// is not JSON (moto answers unimplemented actions with an HTML 500 page). It returns
// the reason, or "".
func Unimplemented(r *Response, serviceJSON bool) string {
	if r == nil || r.Status == 0 || r.OK() {
		return ""
	}
	body := text.Truncate(strings.Join(strings.Fields(string(r.Body)), " "), 160)
	if r.Status == http.StatusNotImplemented {
		return fmt.Sprintf("HTTP 501: %s", body)
	}
	switch strings.ToLower(r.ErrorCode()) {
	case "unknownoperationexception", "notimplementederror", "notimplemented", "notimplementedexception", "internalfailure.notimplemented":
		return fmt.Sprintf("HTTP %d %s: %s", r.Status, r.ErrorCode(), body)
	}
	low := strings.ToLower(string(r.Body))
	for _, w := range []string{"not yet implemented", "pro feature", "is not implemented", "not implemented yet", "has not been implemented"} {
		if strings.Contains(low, w) {
			return fmt.Sprintf("HTTP %d: %s", r.Status, body)
		}
	}
	if serviceJSON && r.Status >= 500 && r.JSONErr != nil {
		return fmt.Sprintf("HTTP %d %s on every attempt, while the service answers other calls in JSON (moto answers actions it does not implement this way)",
			r.Status, orWord(r.Header.Get("Content-Type"), "without Content-Type"))
	}
	return ""
}

// knownUnimplemented reports an answer that repeats what made op unimplemented:
// retrying it would only repeat it.
func (s *Session) knownUnimplemented(op string, r *Response) bool {
	s.mu.Lock()
	_, known := s.unimpl[op]
	json := s.facts.ServiceJSON
	s.mu.Unlock()
	return known && Unimplemented(r, json) != ""
}

// noteUnimplemented remembers (once) that op is unimplemented, and returns the cause.
func (s *Session) noteUnimplemented(smp *Sample) *Cause {
	s.mu.Lock()
	json := s.facts.ServiceJSON
	s.mu.Unlock()
	why := Unimplemented(smp.Response(), json)
	if why == "" || smp.Op == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.unimpl[smp.Op]; ok {
		return c
	}
	c := unimplementedCause(smp.Op, why, smp)
	s.unimpl[smp.Op] = c
	return c
}

// CredentialProblem recognises answers that mean the caller's credentials (or clock)
// are not usable, as opposed to a request the target judged.
func CredentialProblem(op string, r *Response) error {
	if ce := authRefusal(op, r, time.Now()); ce != nil {
		return ce
	}
	return nil
}
