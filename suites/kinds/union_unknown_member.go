package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// UnionUnknown: an unknown union member surfaces as the SDK's unknown-member type with
// its tag; a target sending one unasked is drift.
type UnionUnknown struct {
	Path string // the union's member path, e.g. /Request/Error
}

func init() {
	register(func(x *Expansion) {
		for _, mp := range unionPaths(x) {
			u := mp.Member.Shape
			x.Add("union", u.Name+".unknown-member", "MUST", fromModel(u.Name+" is a union, which AWS may extend with new members; aws-sdk-go-v2 generates types.UnknownUnionMember for a member it does not know"), u.Pointer, "an unknown "+u.Name+" member surfaces as unknown",
				fmt.Sprintf("An unknown member of %s MUST surface as the SDK's unknown-member type with its tag; a target sending one unasked is drift.", u.Name),
				[]string{"union", "sdk"}, UnionUnknown{Path: mp.Path})
		}
	})
}

// Needs implements engine.Kind.
func (UnionUnknown) Needs() engine.Needs { return sdkView(observedNeeds) }

// Judge implements engine.Kind.
func (k UnionUnknown) Judge(ev *engine.Evidence) engine.Verdict {
	sh, vals := unionValues(ev, k.Path)
	if sh == nil {
		return engine.Errorf("path %s of %s is not a union: regenerate the suites", k.Path, ev.Cancel.Output.Name)
	}
	var j engine.Judgement
	n := 0
	for _, l := range vals {
		obj, _ := l.Value.(map[string]any)
		set := setMembers(obj)
		for _, m := range set {
			if sh.Member(m) != nil {
				continue
			}
			n++
			j.Show(l.Sample)
			if !l.Sample.Solicits(l.Value) {
				j.Drift(l.Sample, "%s in %q carries %s, a member the model does not know (the union is open: update the model if the service added it)", l.Pointer, l.Sample.Name, m)
			}
			if len(set) != 1 {
				continue // an SDK surfaces one member of several at most: single-member reports the union
			}
			if _, typed := obj["__type"]; typed {
				continue // how the SDK reads __type beside the member is type-key-ignored's to judge
			}
			got, problem := sdkAt(ev, l)
			if problem != "" {
				j.Problem(l.Sample, "%s (want its unknown-member type)", problem)
				continue
			}
			if gm, _ := got.(map[string]any); gm[spec.UnknownTag] != m {
				j.Problem(l.Sample, "%s in %q: the SDK decoded %s, want its unknown-member type with tag %q", l.Pointer, l.Sample.Name, sdkUnionMember(got), m)
			}
		}
	}
	if n == 0 {
		return engine.Skipf(nil, "no observed %s carried an unknown member (a control surface can solicit one)", sh.Name)
	}
	return j.Verdict(fmt.Sprintf("unknown members of %s are not surfaced as the SDK's unknown-member type", sh.Name))
}
