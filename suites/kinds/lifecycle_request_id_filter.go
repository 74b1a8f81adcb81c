package kinds

import (
	"github.com/dmsconform/dmsconform/suites/engine"
)

// RequestIDFilter: describing with the filter request-id returns exactly that
// request. Judged on every describe of the walk and the watch.
type RequestIDFilter struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "request-id-filter", "MUST", fromDocs("the "+x.Describe.Name+" documentation ("+docBotocore+"): Filters", quoteFilters),
			x.Describe.Pointer, "the request-id filter returns that request",
			x.Describe.Name+" filtered by request-id MUST return exactly that request.",
			[]string{"lifecycle", "sdk"}, RequestIDFilter{})
	})
}

// Needs implements engine.Kind.
func (RequestIDFilter) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Walk, engine.Watch}}
}

// Judge implements engine.Kind.
func (RequestIDFilter) Judge(ev *engine.Evidence) engine.Verdict {
	type polled struct {
		id      string
		samples []*engine.Sample
	}
	var sets []polled
	if w := ev.Walk; w.RequestID != "" {
		sets = append(sets, polled{w.RequestID, w.Describes})
	}
	if w := ev.Watch; w.RequestID != "" {
		sets = append(sets, polled{w.RequestID, w.Describes})
	}
	var j engine.Judgement
	described := 0
	var first *engine.Sample
	for _, p := range sets {
		for _, smp := range p.samples {
			r := smp.Response()
			if r.Status != 200 {
				continue
			}
			described++
			if first == nil {
				first = smp
			}
			reqs := engine.RequestsOf(r.Object())
			if len(reqs) != 1 || engine.Str(reqs[0]["RequestIdentifier"]) != p.id {
				ids := make([]string, 0, len(reqs))
				for _, q := range reqs {
					ids = append(ids, engine.Str(q["RequestIdentifier"]))
				}
				j.Problem(smp, "%q: filtered by request-id=%s, %s returned %d requests %v, want exactly that one", smp.Name, p.id, ev.Describe.Name, len(reqs), ids)
			}
		}
	}
	if described == 0 {
		if v := walkBlocked(ev); v != nil {
			return *v
		}
		return engine.Skipf(nil, "no request was described")
	}
	return j.Verdict("the describe filtered by request-id does not return exactly that request", first)
}
