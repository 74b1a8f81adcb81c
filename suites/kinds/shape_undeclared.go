package kinds

import (
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// UndeclaredMembers: a cancel answer carries only the members the model declares;
// another member is drift.
type UndeclaredMembers struct{}

func init() {
	register(func(x *Expansion) {
		out := x.Cancel.Output
		x.Add("shape", "undeclared-members", "SHOULD", fromModel(out.Name+" declares its members (AWS adds members over time: clients ignore unknown ones)"), out.Pointer, "no undeclared members",
			"A "+x.Cancel.Name+" response SHOULD carry only the members "+out.Name+" declares; an undeclared member is drift.",
			[]string{"shape", "wire"}, UndeclaredMembers{})
	})
}

// Needs implements engine.Kind.
func (UndeclaredMembers) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (UndeclaredMembers) Judge(ev *engine.Evidence) engine.Verdict {
	cs := cancels(ev, ev.Observed())
	if len(cs) == 0 {
		return nothingObserved(ev, "no successful %s answer was observed", ev.Cancel.Name)
	}
	var j engine.Judgement
	for _, smp := range cs {
		for _, f := range spec.ValidateJSON(ev.Cancel.Output, smp.Response().Body) {
			if f.Rule == spec.RuleUndeclared {
				j.Drift(smp, "%s in %q: %s", f.Pointer, smp.Name, f.Got)
			}
		}
	}
	return j.Verdict("", cs[0])
}
