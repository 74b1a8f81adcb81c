package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Range: a number with documented bounds (ProgressPercent 0..100) stays within them.
type Range struct {
	Path string // member path in the cancel output
}

func init() {
	register(func(x *Expansion) {
		for _, mp := range x.Paths {
			sh := mp.Member.Shape
			if sh.Minimum == nil && sh.Maximum == nil {
				continue
			}
			x.Add("enum", mp.Dotted+".range", "SHOULD", inferred("the member's documentation; the AWS model gives it no bounds", mp.Member.Shape.Doc), mp.Member.Pointer,
				fmt.Sprintf("%s is within %s", mp.Dotted, rangeWords(sh)),
				fmt.Sprintf("%s SHOULD be within %s (inferred: the model gives no bounds).", mp.Dotted, rangeWords(sh)),
				[]string{"enum", "wire"}, Range{Path: mp.Path})
		}
	})
}

func rangeWords(sh *spec.Shape) string {
	lo, hi := "-inf", "+inf"
	if sh.Minimum != nil {
		lo = fmt.Sprint(*sh.Minimum)
	}
	if sh.Maximum != nil {
		hi = fmt.Sprint(*sh.Maximum)
	}
	return lo + ".." + hi
}

// Needs implements engine.Kind.
func (Range) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (k Range) Judge(ev *engine.Evidence) engine.Verdict {
	sh := shapeAt(ev.Cancel.Output, k.Path)
	if sh == nil {
		return engine.Errorf("path %s is not in %s: regenerate the suites", k.Path, ev.Cancel.Output.Name)
	}
	var j engine.Judgement
	var first *engine.Sample
	n := 0
	for _, l := range values(ev, ev.Observed(), k.Path) {
		f, ok := spec.ParseDouble(l.Value)
		if !ok {
			continue // the member-type check reports non-numbers
		}
		n++
		if first == nil {
			first = l.Sample
		}
		for _, fd := range spec.Validate(sh, l.Value) {
			if fd.Rule == spec.RuleRange {
				j.Problem(l.Sample, "%s = %v in %q: expected %s", l.Pointer, f, l.Sample.Name, fd.Expected)
			}
		}
	}
	if n == 0 {
		return nothingObserved(ev, "%s was never observed", k.Path)
	}
	return j.Verdict(k.Path+" is out of its documented range", first)
}
