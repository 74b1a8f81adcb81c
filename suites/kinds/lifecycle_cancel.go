package kinds

import (
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// CancelRunning: cancelling a RECEIVED or IN_PROGRESS request succeeds with
// Request.Status CANCELING (or CANCELED).
type CancelRunning struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "cancel", "MUST", x.Cancel.Pointer, "cancelling a running request answers CANCELING",
			x.Cancel.Name+" of a RECEIVED or IN_PROGRESS request MUST succeed with Request.Status CANCELING (or CANCELED).",
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
		return engine.Failf(show, "the cancel of a running request answered without a Request object: %s", spec.Truncate(string(r.Body), 300))
	}
	if st := engine.Str(req["Status"]); st != "CANCELING" && st != "CANCELED" {
		return engine.Failf(show, "the cancel of a running request answered Status %q, want CANCELING (or CANCELED)", st)
	}
	return engine.Pass(show...)
}
