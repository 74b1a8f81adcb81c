package kinds

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// EnumOrder: within one request, an ordered value set (ProgressStep) never goes back
// to an earlier documented value. Judged on the values seen: nothing depends on
// seeing every step.
type EnumOrder struct {
	Set string // the ordered value set, e.g. ProgressStep
}

func init() {
	register(func(x *Expansion) {
		for _, s := range valueSets(x) {
			if s.vs.Ordered {
				x.Add("enum", s.vs.Name+".order", "SHOULD", inferred("the order the documentation lists "+s.vs.Name+" in; it says nothing about their order", ""), s.vs.Pointer, s.vs.Name+" never goes backwards",
					fmt.Sprintf("Within one request, %s SHOULD NOT go back to an earlier documented value (%s; the order is inferred from the documentation's list).", s.vs.Name, strings.Join(s.vs.Strings(), " < ")),
					[]string{"enum", "lifecycle"}, EnumOrder{Set: s.vs.Name})
			}
		}
	})
}

// Needs implements engine.Kind.
func (EnumOrder) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (k EnumOrder) Judge(ev *engine.Evidence) engine.Verdict {
	vs := ev.Model.ValueSets[k.Set]
	if vs == nil {
		return engine.Errorf("the model has no value set %s: regenerate the suites", k.Set)
	}
	h := histories(ev.Observed())
	var j engine.Judgement
	checked := 0
	for _, id := range slices.Sorted(maps.Keys(h.Steps)) {
		steps := h.Steps[id]
		last, lastVal, documented := -1, "", 0
		for _, s := range steps {
			i := vs.Index(s)
			if i < 0 {
				continue
			}
			documented++
			if i < last {
				j.Problem(h.First[id], "request %s went back from %s to %s (observed %s)", id, lastVal, s, strings.Join(steps, " -> "))
				break
			}
			last, lastVal = i, s
		}
		if documented >= 2 {
			checked++
			j.Show(h.First[id])
		}
	}
	if checked == 0 {
		return nothingObserved(ev, "no request was observed at two or more documented %s values (the target moved faster than the polls)", vs.Name)
	}
	return j.Verdict(vs.Name + " must not go backwards within one request")
}
