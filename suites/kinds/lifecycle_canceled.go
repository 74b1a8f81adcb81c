package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Canceled: a cancelled request reaches a terminal status: CANCELED, or SUCCESS or
// FAILED, since CANCELING "might still succeed or fail before cancellation takes
// effect" (the verdict says which it was); once CANCELED, the SDK's cancelled waiter
// accepts it. Whether a request cancelled early ends CANCELED is lifecycle.canceled-early.
type Canceled struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "canceled", "MUST", fromDocs(docBotocore+": SchemaConversionRequest.Status", quoteCanceling), x.Cancel.Pointer,
			"the cancelled request reaches a terminal status",
			"A cancelled request MUST reach a terminal status: CANCELED, or SUCCESS or FAILED (CANCELING \"might still succeed or fail before cancellation takes effect\"); once CANCELED, the SDK's cancelled waiter on "+x.Describe.Name+" MUST accept it.",
			[]string{"lifecycle", "sdk"}, Canceled{})
	})
}

// Needs implements engine.Kind.
func (Canceled) Needs() engine.Needs { return walkNeeds }

// Judge implements engine.Kind.
func (Canceled) Judge(ev *engine.Evidence) engine.Verdict {
	if v := cancelBlocked(ev); v != nil {
		return *v
	}
	w := ev.Walk
	show := tail(w.Describes, 2)
	seen := strings.Join(histories(append([]*engine.Sample{w.Cancel}, w.Describes...)).Statuses[w.RequestID], " -> ")
	switch {
	case w.Stopped != "":
		return engine.By(&engine.Cause{ID: ev.Family + "/walk-stopped", Outcome: "skipped", Title: "the lifecycle walk stopped: " + w.Stopped, Samples: show})
	case w.TimedOut && !documentedStatus(ev, w.Final):
		return engine.Verdict{Outcome: reports.Drift, Samples: show,
			Message: fmt.Sprintf("request %s did not reach a documented terminal status within the lifecycle timeout (%s): it ended on the undocumented Status %q (statuses seen: %s)", w.RequestID, w.Timeout, w.Final, seen)}
	case w.TimedOut:
		return engine.Failf(show, "request %s did not reach a terminal status within the lifecycle timeout (%s); statuses seen: %s", w.RequestID, w.Timeout, seen)
	case !spec.IsTerminalStatus(w.Final):
		return engine.Skipf(show, "the walk stopped watching request %s before it ended (last seen %q)", w.RequestID, w.Final)
	case w.Final != "CANCELED":
		return engine.Verdict{Outcome: reports.Pass, Samples: show,
			Message: fmt.Sprintf("request %s ended %s after it was cancelled (statuses seen: %s): conforming, CANCELING \"might still succeed or fail before cancellation takes effect\"", w.RequestID, w.Final, seen)}
	case w.Waiter == nil:
		return engine.Pass(show...) // the SDK has no cancelled waiter for this family: the describes decide
	case w.Waiter.Infra:
		return engine.Errorf("request %s is CANCELED, but the SDK's cancelled waiter got no answer to judge: %s", w.RequestID, w.Waiter.Err)
	case w.Waiter.Err != "":
		return engine.Failf(append(show, w.Waiter.Samples...), "request %s is CANCELED, but the SDK's cancelled waiter on %s did not accept it: %s", w.RequestID, ev.Describe.Name, w.Waiter.Err)
	}
	return engine.Pass(append(show, w.Waiter.Samples...)...)
}

func tail(s []*engine.Sample, n int) []*engine.Sample {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
