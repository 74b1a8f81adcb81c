package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// UnionSingle: a union carries exactly one member when present: not {}, not several.
type UnionSingle struct {
	Path string // the union's member path in the cancel output, e.g. /Request/Error
}

func init() {
	register(func(x *Expansion) {
		for _, mp := range unionPaths(x) {
			u := mp.Member.Shape
			x.Add("union", u.Name+".single-member", "MUST", fromProtocol("shape serialization of unions", quoteUnion), u.Pointer, u.Name+" carries exactly one member",
				fmt.Sprintf("%s (%s) MUST carry exactly one member when present: not {}, not several.", mp.Dotted, u.Name),
				[]string{"union", "wire"}, UnionSingle{Path: mp.Path})
		}
	})
}

// unionPaths lists the cancel output's members that are unions.
func unionPaths(x *Expansion) []MemberPath {
	var out []MemberPath
	for _, mp := range x.Paths {
		if mp.Member.Shape != nil && mp.Member.Shape.Union != nil {
			out = append(out, mp)
		}
	}
	return out
}

// unionValues returns the union's shape and its non-null values in every observed answer.
func unionValues(ev *engine.Evidence, path string) (*spec.Shape, []located) {
	sh := shapeAt(ev.Cancel.Output, path)
	if sh == nil || sh.Union == nil {
		return nil, nil
	}
	var vals []located
	for _, l := range values(ev, ev.Observed(), path) {
		if l.Value != nil {
			vals = append(vals, l)
		}
	}
	return sh, vals
}

// Needs implements engine.Kind.
func (UnionSingle) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (k UnionSingle) Judge(ev *engine.Evidence) engine.Verdict {
	sh, vals := unionValues(ev, k.Path)
	if sh == nil {
		return engine.Errorf("path %s of %s is not a union: regenerate the suites", k.Path, ev.Cancel.Output.Name)
	}
	if len(vals) == 0 {
		return noFailedRequest(ev, "no observed answer carried %s (a target only sends it for failed requests)", k.Path)
	}
	var j engine.Judgement
	for _, l := range vals {
		if p := oneMemberProblem(sh, l.Value); p != "" {
			j.Problem(l.Sample, "%s in %q: %s", l.Pointer, l.Sample.Name, p)
		}
	}
	return j.Verdict(fmt.Sprintf("union %s must carry exactly one member", sh.Name), vals[0].Sample)
}

// oneMemberProblem says how a union value is not exactly one member ("" when it is).
func oneMemberProblem(sh *spec.Shape, v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("the union is %s, not a JSON object", show(v))
	}
	switch set := setMembers(obj); len(set) {
	case 1:
		return ""
	case 0:
		return fmt.Sprintf("no member is set (%s): a union must carry exactly one of %s; omit %s instead of sending it empty", show(v), strings.Join(sh.Union.Members, ", "), sh.Name)
	default:
		return fmt.Sprintf("%d members are set (%s): clients cannot tell which one holds; send only one", len(set), strings.Join(set, ", "))
	}
}
