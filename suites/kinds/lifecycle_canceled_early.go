package kinds

import (
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// CanceledEarly: a request cancelled while queued or early ends CANCELED. The walk
// cancels its request at once after starting it, so its request is one, when the
// cancel landed at its first attempt: a cancel that was retried (throttled, a 5xx, a
// request not visible yet) may have landed late, in the request's last step, where it
// need not take effect. The documentation allows a cancel not to take effect
// (CANCELING "might still succeed or fail"); that a cancel sent before the work began
// does take effect is an inference.
type CanceledEarly struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "canceled-early", "SHOULD",
			inferred(docBotocore+": CANCELING and IN_PROGRESS (\""+quoteInProgress+"\"): a cancel that lands before the work began has nothing to finish", quoteCanceling),
			x.Cancel.Pointer, "a request cancelled early ends CANCELED",
			"A request cancelled while queued or early (the walk cancels it at once after its start) SHOULD end CANCELED.",
			[]string{"lifecycle"}, CanceledEarly{})
	})
}

// Needs implements engine.Kind.
func (CanceledEarly) Needs() engine.Needs { return walkNeeds }

// Judge implements engine.Kind.
func (CanceledEarly) Judge(ev *engine.Evidence) engine.Verdict {
	if v := cancelBlocked(ev); v != nil {
		return *v
	}
	w := ev.Walk
	show := append([]*engine.Sample{w.Cancel}, tail(w.Describes, 1)...)
	switch {
	case !spec.IsTerminalStatus(w.Final):
		return engine.Skipf(nil, "request %s did not end (%s): lifecycle.canceled reports it", w.RequestID, walkGap(w))
	case w.Final == "CANCELED":
		return engine.Pass(show...)
	case len(w.Cancel.Attempts) > 1:
		return engine.Skipf(show, "request %s ended %s after its cancel, but the cancel landed only at attempt %d (%s): it may have landed late, when a cancel need not take effect",
			w.RequestID, w.Final, len(w.Cancel.Attempts), w.Cancel.Attempts[0].Retried)
	}
	seen := strings.Join(histories(append([]*engine.Sample{w.Cancel}, w.Describes...)).Statuses[w.RequestID], " -> ")
	return engine.Failf(show, "request %s was cancelled at once after its start and ended %s (statuses seen: %s): the cancel did not take effect. The documentation allows it (CANCELING \"might still succeed or fail\"), but a request cancelled before its work began should end CANCELED",
		w.RequestID, w.Final, seen)
}
