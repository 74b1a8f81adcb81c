package kinds

import (
	"strings"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// Canceled: a cancelled request reaches Status CANCELED, and the SDK's cancelled
// waiter accepts it.
type Canceled struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "canceled", "MUST", x.Cancel.Pointer, "the request reaches CANCELED",
			"A cancelled request MUST reach Status CANCELED, as the SDK's cancelled waiter on "+x.Describe.Name+" expects.",
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
	case w.TimedOut:
		return engine.Failf(show, "request %s did not reach CANCELED within the lifecycle timeout (%s); statuses seen: %s", w.RequestID, w.Timeout, seen)
	case w.Final != "CANCELED":
		return engine.Failf(show, "request %s ended %s after it was cancelled, want CANCELED; statuses seen: %s", w.RequestID, w.Final, seen)
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
