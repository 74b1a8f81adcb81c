package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// CancelRunning: cancelling a RECEIVED or IN_PROGRESS request succeeds with
// Request.Status CANCELING (or CANCELED). An undocumented Status in the answer is drift
// (as everywhere a Status appears); another documented one fails.
type CancelRunning struct{}

func init() {
	register(func(x *Expansion) {
		src := operationDoc(x.Cancel)
		src.Ref += "; " + docCLI + ": the cancel of a running request answers \"Status\": \"CANCELING\""
		x.Add("lifecycle", "cancel", "MUST", src, x.Cancel.Pointer, "cancelling a running request answers CANCELING",
			x.Cancel.Name+" of a RECEIVED or IN_PROGRESS request MUST succeed with Request.Status CANCELING (or CANCELED); an undocumented Status there is drift.",
			[]string{"lifecycle", "sdk"}, CancelRunning{})
	})
}

// Needs implements engine.Kind.
func (CancelRunning) Needs() engine.Needs { return sdkView(walkNeeds) }

// Judge implements engine.Kind.
func (CancelRunning) Judge(ev *engine.Evidence) engine.Verdict {
	if v := walkBlocked(ev); v != nil {
		return *v
	}
	w := ev.Walk
	smp := w.Cancel
	if c := ev.Unimplemented(smp); c != nil {
		return engine.By(c)
	}
	if v := answerLost(ev); v != nil {
		return *v
	}
	show := []*engine.Sample{smp}
	r := smp.Response()
	if !r.OK() {
		return engine.Failf(show, "cancelling running request %s failed: %s", w.RequestID, r.Summary())
	}
	if _, err := smp.SDK(ev.Cancel); err != nil {
		return engine.Failf(show, "cancelling running request %s: aws-sdk-go-v2 could not read the answer: %v", w.RequestID, err)
	}
	req := cancelledRequest(ev)
	if req == nil {
		return engine.Failf(show, "the cancel of a running request answered without a Request object: %s", text.Truncate(string(r.Body), 300))
	}
	switch st := engine.Str(req["Status"]); {
	case st == "CANCELING" || st == "CANCELED":
		return engine.Pass(show...)
	case st != "" && !documentedStatus(ev, st):
		return engine.Verdict{Outcome: reports.Drift, Samples: show,
			Message: fmt.Sprintf("the cancel of running request %s answered the undocumented Status %q (documented: CANCELING): drift, as an undocumented Status is wherever it appears", w.RequestID, st)}
	default:
		return engine.Failf(show, "the cancel of a running request (%s) answered Status %q, want CANCELING (or CANCELED): the cancel did not take", w.RequestID, st)
	}
}

// documentedStatus reports whether st is one of the documented RequestStatus values.
func documentedStatus(ev *engine.Evidence, st string) bool {
	vs := statusValues(ev)
	return vs == nil || vs.Contains(st)
}

// statusValues is the documented value set of the cancel output's Request.Status.
func statusValues(ev *engine.Evidence) *spec.ValueSet {
	if sh := shapeAt(ev.Cancel.Output, "/Request/Status"); sh != nil {
		return sh.Values
	}
	return nil
}
