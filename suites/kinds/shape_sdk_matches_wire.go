package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// SDKMatchesWire: the SDK's typed result of a cancel answer equals the wire value,
// member by member.
type SDKMatchesWire struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("shape", "sdk-matches-wire", "MUST", fromModel(x.Cancel.Output.Name+", the output shape aws-sdk-go-v2 is generated from"), x.Cancel.Output.Pointer, "the SDK's typed result equals the wire",
			"The typed aws-sdk-go-v2 result of a "+x.Cancel.Name+" response MUST equal the wire value member by member.",
			[]string{"shape", "sdk", "wire"}, SDKMatchesWire{})
	})
}

// Needs implements engine.Kind.
func (SDKMatchesWire) Needs() engine.Needs { return sdkView(observedNeeds) }

// Judge implements engine.Kind.
func (SDKMatchesWire) Judge(ev *engine.Evidence) engine.Verdict {
	cs := cancels(ev, ev.Observed())
	if len(cs) == 0 {
		return nothingObserved(ev, "no successful %s answer was observed", ev.Cancel.Name)
	}
	var j engine.Judgement
	for _, smp := range cs {
		canon, ok := sdkCanon(ev, smp)
		if !ok {
			continue // sdk-decodes reports it
		}
		wire := smp.Response().Decoded
		if wire == nil {
			wire = map[string]any{} // an empty or null body sets no member, like the SDK's empty output
		}
		for _, d := range diffWireSDK(ev.Cancel.Output, wire, canon, "") {
			j.Problem(smp, "%q %s", smp.Name, d)
		}
	}
	return j.Verdict(fmt.Sprintf("the SDK's typed result differs from the wire"), cs[0])
}
