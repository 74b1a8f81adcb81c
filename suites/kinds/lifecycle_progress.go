package kinds

import (
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Progress: where a request's Progress is present, it carries a ProgressStep. A
// request IN_PROGRESS without Progress is queued ("queued or actively running"):
// conforming, nothing to judge. ProgressStep is optional in the model; every Progress
// in the AWS CLI examples has one, so its absence is an inferred deviation.
type Progress struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "progress", "SHOULD",
			inferred("Progress.ProgressStep is optional in the AWS model; every Progress in "+docCLI+" carries one", quoteInProgress),
			x.Cancel.Pointer, "a request's Progress names its step",
			"Where a request's Progress is present, it SHOULD carry a ProgressStep (an IN_PROGRESS request without Progress is queued: conforming).",
			[]string{"lifecycle", "wire"}, Progress{})
	})
}

// Needs implements engine.Kind.
func (Progress) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (Progress) Judge(ev *engine.Evidence) engine.Verdict {
	var j engine.Judgement
	n := 0
	for _, l := range values(ev, ev.Observed(), "/Request/Progress") {
		p, ok := l.Value.(map[string]any)
		if !ok {
			continue // the member-type checks report a Progress that is not an object
		}
		n++
		if engine.Str(p["ProgressStep"]) == "" {
			j.Problem(l.Sample, "%s in %q: Progress without a ProgressStep: %s", l.Pointer, l.Sample.Name, show(p))
		}
		if n == 1 {
			j.Show(l.Sample)
		}
	}
	if n == 0 {
		return nothingObserved(ev, "no answer carried a Progress (the requests were seen queued or ended only)")
	}
	return j.Verdict("a Progress does not name its step")
}
