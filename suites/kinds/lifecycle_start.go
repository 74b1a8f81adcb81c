package kinds

import (
	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Start: the family's start operation returns the RequestIdentifier of a new request.
type Start struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "start", "MUST", fromDocs("the "+x.Cancel.Name+" documentation ("+docBotocore+"): the request to cancel is identified by what "+x.Start.Name+" returns", x.Cancel.Input.Member("RequestIdentifier").Shape.Doc), x.Cancel.Pointer, "a request starts",
			x.Start.Name+" MUST return the RequestIdentifier of a new request.", []string{"lifecycle", "wire"}, Start{})
	})
}

// Needs implements engine.Kind: the walk's starts, and the watch's when it ran.
func (Start) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Walk}, Optional: []engine.Script{engine.Watch}}
}

// Judge implements engine.Kind.
func (Start) Judge(ev *engine.Evidence) engine.Verdict {
	starts := append([]*engine.Sample(nil), ev.Walk.Starts...)
	if ev.Watch != nil && ev.Watch.Start != nil {
		starts = append(starts, ev.Watch.Start)
	}
	if len(starts) == 0 {
		return engine.Skipf(nil, "no start was made")
	}
	var j engine.Judgement
	var refused *engine.Cause
	judged := 0
	for _, smp := range starts {
		if smp.AnswerLost() != "" {
			continue // its answer was lost on the way: nothing to judge
		}
		judged++
		if c := ev.Unimplemented(smp); c != nil {
			return engine.By(c)
		}
		r := smp.Response()
		switch {
		case ev.StartRefused(smp) != nil:
			// One of the Start operation's modelled faults: the project's configuration.
			refused = ev.StartRefused(smp)
		case !r.OK():
			j.Problem(smp, "%q: %s refused to start a request with a valid input: %s", smp.Name, ev.Start.Name, r.Summary())
		case r.JSONErr != nil:
			j.Problem(smp, "%q: HTTP %d, but the body is not valid JSON (%v): %s", smp.Name, r.Status, r.JSONErr, text.Truncate(string(r.Body), 120))
		case engine.Str(r.Object()["RequestIdentifier"]) == "":
			j.Problem(smp, "%q: HTTP %d without a RequestIdentifier: %s", smp.Name, r.Status, text.Truncate(string(r.Body), 200))
		}
	}
	if judged == 0 {
		return engine.Skipf(starts, "the answer of every start was lost on the way: %s", starts[0].AnswerLost())
	}
	if v := j.Verdict(ev.Start.Name+" did not start requests", starts[0]); v.Outcome != reports.Pass || refused == nil {
		return v
	}
	return engine.By(refused)
}
