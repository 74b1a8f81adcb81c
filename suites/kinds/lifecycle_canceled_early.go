package kinds

import (
	"fmt"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// CanceledEarly: a request cancelled while queued or early ends CANCELED. The walk
// describes its request just before cancelling it: the check judges only a request
// that describe showed not yet at work (RECEIVED, or IN_PROGRESS without Progress:
// queued), whose cancel landed at its first attempt and soon after that describe:
// within half the shortest step the watch saw the target take. "At once" in the
// harness's own time is no evidence: on a loaded machine or a slow network a cancel
// sent at once can land in the request's last step, where it need not take effect; a
// retried cancel (throttled, a 5xx, a request not visible yet) may have landed late
// too. The
// documentation allows a cancel not to take effect (CANCELING "might still succeed or
// fail"); that a cancel sent before the work began does take effect is an inference.
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
// The watch is optional: it measures the target's pace.
func (CanceledEarly) Needs() engine.Needs {
	n := walkNeeds
	n.Optional = append(append([]engine.Script(nil), n.Optional...), engine.Watch)
	return n
}

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
	case early(w) != "":
		return engine.Skipf(show, "request %s ended %s after its cancel, but %s: a cancel need not take effect once the work began", w.RequestID, w.Final, early(w))
	case soon(w, ev.Watch) != "":
		return engine.Skipf(show, "request %s ended %s after its cancel, but %s", w.RequestID, w.Final, soon(w, ev.Watch))
	case len(w.Cancel.Attempts) > 1:
		return engine.Skipf(show, "request %s ended %s after its cancel, but the cancel landed only at attempt %d (%s): it may have landed late, when a cancel need not take effect",
			w.RequestID, w.Final, len(w.Cancel.Attempts), w.Cancel.Attempts[0].Retried)
	}
	seen := strings.Join(histories(append([]*engine.Sample{w.Cancel}, w.Describes...)).Statuses[w.RequestID], " -> ")
	return engine.Failf(append([]*engine.Sample{w.Before}, show...), "request %s was cancelled while it had not begun its work (%s just before the cancel) and ended %s (statuses seen: %s): the cancel did not take effect. The documentation allows it (CANCELING \"might still succeed or fail\"), but a request cancelled before its work began should end CANCELED",
		w.RequestID, stateWords(engine.RequestIn(w.Before, w.RequestID)), w.Final, seen)
}

// early says why the walk's request may not have been cancelled before its work began
// ("" when the describe just before the cancel showed it RECEIVED, or IN_PROGRESS
// without Progress: queued).
func early(w *engine.WalkEvidence) string {
	if w.Before == nil {
		return "its state before the cancel was not observed (a recording of an older dmsconform)"
	}
	r := engine.RequestIn(w.Before, w.RequestID)
	switch {
	case r == nil:
		return "the describe just before the cancel did not list it yet, so whether it had begun its work is unknown"
	case engine.Str(r["Status"]) == "RECEIVED", engine.Str(r["Status"]) == "IN_PROGRESS" && r["Progress"] == nil:
		return ""
	}
	return "it was already " + stateWords(r) + " when the cancel was sent"
}

// soon says why the walk's cancel may not have landed before its request began its
// work ("" when it landed within half the shortest step the watch saw the target take
// after the describe that showed the request not yet at work).
func soon(w *engine.WalkEvidence, watch *engine.WatchEvidence) string {
	gap, err := time.ParseDuration(w.BeforeGap)
	if err != nil {
		return "the time from the describe before the cancel to the cancel's answer was not recorded"
	}
	if watch == nil || watch.ShortestStep == "" {
		return fmt.Sprintf("the cancel's answer came %s after the describe that showed the request not yet at work, and the run did not see the target's pace (the watch saw fewer than two changes), so whether the work began meanwhile cannot be told", gap)
	}
	step, err := time.ParseDuration(watch.ShortestStep)
	if err != nil || gap >= step/2 {
		return fmt.Sprintf("the cancel's answer came %s after the describe that showed the request not yet at work, and this target moves on in as little as %s (the watch's shortest step): the work may have begun before the cancel landed", gap, watch.ShortestStep)
	}
	return ""
}

// stateWords describes a request's state: its Status and, where it has one, its step.
func stateWords(r map[string]any) string {
	st := engine.Str(r["Status"])
	if p, ok := r["Progress"].(map[string]any); ok && engine.Str(p["ProgressStep"]) != "" {
		return st + " at " + engine.Str(p["ProgressStep"])
	}
	if st == "IN_PROGRESS" {
		return st + " without Progress (queued)"
	}
	return st
}
