package kinds

import (
	"github.com/dmsconform/dmsconform/suites/engine"
)

// EchoRequestID: the cancel answer names the request that was cancelled.
type EchoRequestID struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "echo-request-identifier", "MUST", fromDocs("the "+x.Cancel.Name+" documentation ("+docBotocore+"): its RequestIdentifier input; the response's Request \"Provides information about a schema conversion action\"", x.Cancel.Input.Member("RequestIdentifier").Shape.Doc), x.Cancel.Pointer, "the cancel response names the cancelled request",
			"The "+x.Cancel.Name+" response's Request.RequestIdentifier MUST be the identifier that was cancelled.",
			[]string{"lifecycle", "wire"}, EchoRequestID{})
	})
}

// Needs implements engine.Kind.
func (EchoRequestID) Needs() engine.Needs { return walkNeeds }

// Judge implements engine.Kind.
func (EchoRequestID) Judge(ev *engine.Evidence) engine.Verdict {
	if v := answerBlocked(ev); v != nil {
		return *v
	}
	show := []*engine.Sample{ev.Walk.Cancel}
	req := cancelledRequest(ev)
	if req == nil {
		return engine.Failf(show, "the cancel response has no Request object")
	}
	if got := engine.Str(req["RequestIdentifier"]); got != ev.Walk.RequestID {
		return engine.Failf(show, "the cancel response's Request.RequestIdentifier is %q, want the cancelled request %q", got, ev.Walk.RequestID)
	}
	return engine.Pass(show...)
}
