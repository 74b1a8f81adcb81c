package kinds

import (
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Progress: describing with the filter request-id returns exactly that request, and
// while it is IN_PROGRESS it carries a ProgressStep. Judged on every describe of the
// walk and the watch: nothing depends on catching a particular step.
type Progress struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "progress", "MUST", x.Cancel.Pointer, "the running request shows progress",
			x.Describe.Name+" filtered by request-id MUST return exactly that request, and while IN_PROGRESS it MUST carry a ProgressStep.",
			[]string{"lifecycle", "sdk"}, Progress{})
	})
}

// Needs implements engine.Kind.
func (Progress) Needs() engine.Needs {
	return engine.Needs{Evidence: []engine.Script{engine.Walk, engine.Watch}}
}

// Judge implements engine.Kind.
func (Progress) Judge(ev *engine.Evidence) engine.Verdict {
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
	described, running := 0, 0
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
				continue
			}
			if engine.Str(reqs[0]["Status"]) != "IN_PROGRESS" {
				continue
			}
			running++
			pr, _ := reqs[0]["Progress"].(map[string]any)
			if engine.Str(pr["ProgressStep"]) == "" {
				j.Problem(smp, "%q: request %s is IN_PROGRESS but its Progress has no ProgressStep: %s", smp.Name, p.id, show(pr))
			}
		}
	}
	switch {
	case j.Problems() > 0:
		return j.Verdict("the filtered describe does not show the request's progress")
	case described == 0:
		if v := walkBlocked(ev); v != nil {
			return *v
		}
		return engine.Skipf(nil, "no request was described")
	case running == 0:
		return engine.Skipf([]*engine.Sample{first}, "no request was seen IN_PROGRESS in %d describes (the target moved faster than the polls)", described)
	}
	return j.Verdict("", first)
}
