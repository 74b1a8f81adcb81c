package kinds

import (
	"github.com/dmsconform/dmsconform/suites/engine"
)

// SDKDecodes: every successful cancel answer decodes through aws-sdk-go-v2.
type SDKDecodes struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("shape", "sdk-decodes", "MUST", fromModel(x.Cancel.Output.Name+", the output shape aws-sdk-go-v2 is generated from"), x.Cancel.Output.Pointer, "aws-sdk-go-v2 decodes the response",
			"Every successful "+x.Cancel.Name+" response MUST decode through aws-sdk-go-v2 without error.",
			[]string{"shape", "sdk"}, SDKDecodes{})
	})
}

// Needs implements engine.Kind.
func (SDKDecodes) Needs() engine.Needs { return sdkView(observedNeeds) }

// Judge implements engine.Kind.
func (SDKDecodes) Judge(ev *engine.Evidence) engine.Verdict {
	cs := cancels(ev, ev.Observed())
	if len(cs) == 0 {
		return nothingObserved(ev, "no successful %s answer was observed", ev.Cancel.Name)
	}
	var j engine.Judgement
	for _, smp := range cs {
		out, err := smp.SDK(ev.Cancel)
		switch {
		case err != nil:
			j.Problem(smp, "%q: HTTP %d decoded to an error: %v", smp.Name, smp.Response().Status, err)
		case out == nil:
			j.Problem(smp, "%q: the SDK returned neither output nor error", smp.Name)
		}
	}
	return j.Verdict("aws-sdk-go-v2 could not decode answers", cs[0])
}
