package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// MemberType: a member of the cancel output has its modeled JSON type wherever it
// appears (in cancel answers, else in describe answers, which carry the same shape).
type MemberType struct {
	Path string // member path in the cancel output, e.g. /Request/Progress/TotalObjects
}

func init() {
	register(func(x *Expansion) {
		for _, mp := range x.Paths {
			sh := mp.Member.Shape
			x.Add("shape", mp.Dotted, "MUST", fromModel(memberRef(mp.Member)+", a JSON "+jsonTypeWords(sh)+" in awsJson 1.1"), mp.Member.Pointer,
				fmt.Sprintf("%s is %s", mp.Dotted, text.Article(sh.TypeLabel())),
				fmt.Sprintf("%s MUST be %s wherever it appears in a %s response.", mp.Dotted, jsonTypeWords(sh), x.Cancel.Name),
				[]string{"shape", "wire"}, MemberType{Path: mp.Path})
		}
	})
}

func jsonTypeWords(sh *spec.Shape) string {
	switch {
	case sh.Union != nil:
		return "a JSON object (the union " + sh.Name + ")"
	case sh.Type == spec.TypeObject:
		return "a JSON object (" + sh.Name + ")"
	case sh.Type == spec.TypeArray:
		return "a JSON array"
	case sh.Type == spec.TypeInteger:
		return "a JSON integer (" + sh.Format + ", no fraction or exponent)"
	case sh.Type == spec.TypeNumber:
		return "a JSON number (" + sh.Format + `; "NaN", "Infinity", "-Infinity" as strings)`
	case sh.MaxLength != nil:
		return fmt.Sprintf("a JSON string of at most %d characters", *sh.MaxLength)
	}
	return "a JSON " + sh.Type
}

// Needs implements engine.Kind.
func (MemberType) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (k MemberType) Judge(ev *engine.Evidence) engine.Verdict {
	sh := shapeAt(ev.Cancel.Output, k.Path)
	if sh == nil {
		return engine.Errorf("path %s is not in %s: regenerate the suites (make generate)", k.Path, ev.Cancel.Output.Name)
	}
	obs := ev.Observed()
	vals := values(ev, cancels(ev, obs), k.Path)
	via := ev.Cancel.Name
	if len(vals) == 0 {
		vals = values(ev, obs, k.Path)
		via = ev.Describe.Name + " (which returns the same shape)"
	}
	if len(vals) == 0 {
		if inUnion(ev.Cancel.Output, k.Path) {
			return noFailedRequest(ev, "%s never appeared in the %d answers observed: nothing to check (a target only sends it for a failed request)", k.Path, len(obs))
		}
		return nothingObserved(ev, "%s never appeared in the %d answers observed: nothing to check (a target that never sends it conforms)", k.Path, len(obs))
	}
	var j engine.Judgement
	bad := 0
	for _, l := range vals {
		if l.Value == nil {
			j.Drift(l.Sample, "%s is null in %q: awsJson 1.1 omits unset members", l.Pointer, l.Sample.Name)
			continue
		}
		for _, f := range spec.Validate(sh, l.Value) {
			if f.Pointer != "" || f.Severity != spec.Violation {
				continue // nested members have their own checks
			}
			switch f.Rule {
			case spec.RuleType, spec.RuleInteger, spec.RuleMaxLength:
			case spec.RuleRange:
				if sh.Minimum != nil || sh.Maximum != nil {
					continue // the range check reports documented bounds
				}
			default:
				continue
			}
			bad++
			j.Problem(l.Sample, "%s in %q (via %s): expected %s, got %s", l.Pointer, l.Sample.Name, via, f.Expected, f.Got)
		}
	}
	return j.Verdict(fmt.Sprintf("%s is not %s in %d of %d observed values", k.Path, sh.TypeLabel(), bad, len(vals)), vals[0].Sample)
}
