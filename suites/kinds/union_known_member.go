package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// UnionKnown: a union carrying a known member decodes to the SDK's typed member with
// the same value.
type UnionKnown struct {
	Path   string // the union's member path, e.g. /Request/Error
	Member string // the known member, e.g. defaultErrorDetails
}

func init() {
	register(func(x *Expansion) {
		for _, mp := range unionPaths(x) {
			u := mp.Member.Shape
			for _, name := range u.Union.Members {
				x.Add("union", u.Name+"."+name+".decodes", "MUST", fromModel(u.Name+" is a union with the member "+name), u.Member(name).Pointer,
					fmt.Sprintf("%s.%s decodes to the SDK's typed member", u.Name, name),
					fmt.Sprintf("A %s carrying %s MUST decode to the SDK's typed member %sMember%s with the same value.", u.Name, name, u.Name, text.UpperFirst(name)),
					[]string{"union", "sdk"}, UnionKnown{Path: mp.Path, Member: name})
			}
		}
	})
}

// Needs implements engine.Kind.
func (UnionKnown) Needs() engine.Needs { return sdkView(observedNeeds) }

// Judge implements engine.Kind.
func (k UnionKnown) Judge(ev *engine.Evidence) engine.Verdict {
	sh, vals := unionValues(ev, k.Path)
	if sh == nil || sh.Member(k.Member) == nil {
		return engine.Errorf("%s has no union member %s: regenerate the suites", k.Path, k.Member)
	}
	mb := sh.Member(k.Member)
	var j engine.Judgement
	n, typed := 0, 0
	for _, l := range vals {
		obj, _ := l.Value.(map[string]any)
		if set := setMembers(obj); len(set) != 1 || set[0] != k.Member {
			continue
		}
		if _, has := obj["__type"]; has {
			typed++ // how the SDK reads __type beside the member is type-key-ignored's to judge
			continue
		}
		n++
		j.Show(l.Sample)
		got, problem := sdkAt(ev, l)
		if problem != "" {
			j.Problem(l.Sample, "%s", problem)
			continue
		}
		gm, _ := got.(map[string]any)
		sv, has := gm[k.Member]
		if !has {
			j.Problem(l.Sample, "%s in %q: the wire sets %s, the SDK decoded %s (want the typed member %sMember%s)", l.Pointer, l.Sample.Name, k.Member, sdkUnionMember(got), sh.Name, text.UpperFirst(k.Member))
			continue
		}
		for _, d := range diffWireSDK(mb.Shape, obj[k.Member], sv, l.Pointer+"/"+k.Member) {
			j.Problem(l.Sample, "%q %s", l.Sample.Name, d)
		}
	}
	if len(vals) == 0 {
		return noFailedRequest(ev, "no observed answer carried %s (a target only sends it for failed requests)", k.Path)
	}
	if n == 0 && typed > 0 {
		return engine.Skipf(nil, "every observed %s carrying member %s also carried __type, which %s.type-key-ignored judges", sh.Name, k.Member, sh.Name)
	}
	if n == 0 {
		return engine.Skipf(nil, "no observed %s carried member %s (a failed request's Error does; a control surface can make one fail)", sh.Name, k.Member)
	}
	return j.Verdict(fmt.Sprintf("%s.%s does not decode to the SDK's typed member", sh.Name, k.Member))
}
