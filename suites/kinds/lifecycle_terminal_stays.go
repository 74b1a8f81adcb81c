package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// TerminalStays: a request seen in a terminal status (SUCCESS, FAILED, CANCELED) is
// still in it when described again at the end of the run (the revisit script, after
// every other script and before clean-up). The model's waiters stop at these statuses
// (MetadataModelConverted: SUCCESS is success, FAILED failure; the cancelled waiter:
// CANCELED is success), so a caller that waited one out never looks again; that they
// are final is an inference.
type TerminalStays struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "terminal-stays", "SHOULD",
			inferred("the waiters of "+x.Describe.Name+" in "+modelAWS+", which stop at SUCCESS and CANCELED (success) and FAILED (failure): a caller that waited one out never looks again", ""),
			x.Describe.Pointer, "a terminal status stays terminal",
			"A request seen SUCCESS, FAILED or CANCELED SHOULD show the same Status when "+x.Describe.Name+" describes it again at the end of the run.",
			[]string{"lifecycle"}, TerminalStays{})
	})
}

// Needs implements engine.Kind: the revisit, and the scripts whose requests it
// revisits (the requests they saw end).
func (TerminalStays) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Walk, engine.Watch, engine.Revisit}, Optional: []engine.Script{engine.Scenarios, engine.Failing}}
}

// Judge implements engine.Kind.
func (TerminalStays) Judge(ev *engine.Evidence) engine.Verdict {
	before := ev.Observed()
	if ev.Walk != nil {
		before = append(before, ev.Walk.Misses...) // requests that ended before their cancel landed
	}
	h := histories(before)
	var j engine.Judgement
	judged := 0
	for _, r := range ev.Revisit.Requests {
		seen := h.Statuses[r.ID]
		if len(seen) == 0 {
			continue
		}
		last := seen[len(seen)-1]
		if !spec.IsTerminalStatus(last) {
			continue // never seen ended: nothing to hold it to
		}
		judged++
		if c := ev.Unimplemented(r.Sample); c != nil {
			return engine.By(c)
		}
		resp := r.Sample.Response()
		if !resp.OK() {
			j.Problem(r.Sample, "request %s, seen %s (%q), could not be described again: %s", r.ID, last, h.Last[r.ID].Name, resp.Summary())
			continue
		}
		var now map[string]any
		for _, req := range engine.RequestsOf(resp.Object()) {
			if engine.Str(req["RequestIdentifier"]) == r.ID {
				now = req
			}
		}
		switch st := engine.Str(now["Status"]); {
		case now == nil:
			j.Drift(r.Sample, "request %s, seen %s (%q), is no longer listed by %s filtered by request-id", r.ID, last, h.Last[r.ID].Name, ev.Describe.Name)
		case st != last:
			j.Show(h.Last[r.ID])
			j.Problem(r.Sample, "request %s was %s (%q) and is %s when described again at the end of the run: an ended request changed its status", r.ID, last, h.Last[r.ID].Name, orQuoted(st))
		default:
			j.Show(r.Sample)
		}
	}
	if judged == 0 {
		return nothingObserved(ev, "no request the run started was seen in a terminal status (%d described again at the end of the run)", len(ev.Revisit.Requests))
	}
	return j.Verdict(fmt.Sprintf("%d of %d ended requests did not keep their terminal status", j.Problems(), judged))
}

// orQuoted is a Status for a message: quoted, or "without a Status".
func orQuoted(st string) string {
	if st == "" {
		return "without a Status"
	}
	return fmt.Sprintf("%q", st)
}
