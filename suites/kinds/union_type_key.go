package kinds

import (
	"fmt"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// UnionTypeKey: a __type key inside a union is ignored by clients (awsJson 1.1); a
// target sending it is drift.
type UnionTypeKey struct {
	Path string // the union's member path, e.g. /Request/Error
}

func init() {
	register(func(x *Expansion) {
		for _, mp := range unionPaths(x) {
			u := mp.Member.Shape
			x.Add("union", u.Name+".type-key-ignored", "MUST", fromProtocol("the compliance test AwsJson11DeserializeIgnoreType (Smithy 1.38.0: \"JSON-based AWS protocols ignore the __type field when deserializing unions\"); the compliance tests \"SHALL be considered a normative reference\"", ""), u.Pointer, "__type inside "+u.Name+" is ignored",
				fmt.Sprintf("A __type key inside %s MUST be ignored by clients (awsJson 1.1); a target sending it is drift.", u.Name),
				[]string{"union", "sdk"}, UnionTypeKey{Path: mp.Path})
		}
	})
}

// Needs implements engine.Kind.
func (UnionTypeKey) Needs() engine.Needs { return sdkView(observedNeeds) }

// Judge implements engine.Kind.
func (k UnionTypeKey) Judge(ev *engine.Evidence) engine.Verdict {
	sh, vals := unionValues(ev, k.Path)
	if sh == nil {
		return engine.Errorf("path %s of %s is not a union: regenerate the suites", k.Path, ev.Cancel.Output.Name)
	}
	var j engine.Judgement
	n := 0
	for _, l := range vals {
		obj, _ := l.Value.(map[string]any)
		if _, has := obj["__type"]; !has {
			continue
		}
		n++
		j.Drift(l.Sample, "%s in %q carries __type inside the union", l.Pointer, l.Sample.Name)
		set := setMembers(obj)
		if len(set) != 1 {
			continue // single-member reports it
		}
		got, problem := sdkAt(ev, l)
		if problem != "" {
			j.Problem(l.Sample, "%s", problem)
			continue
		}
		want := set[0]
		right := func(got any) bool {
			gm, _ := got.(map[string]any)
			if sh.Member(want) == nil {
				return gm[spec.UnknownTag] == want
			}
			_, has := gm[want]
			return has
		}
		// The SDK may read the union's keys in map order: decode again until a wrong
		// decoding shows, so that the verdict does not depend on one draw.
		tries := 1
		for ; right(got) && tries < sdkRedecodes; tries++ {
			again, ok := sdkAtAgain(ev, l)
			if !ok {
				break
			}
			got = again
		}
		if right(got) {
			continue
		}
		odds := ""
		if tries > 1 {
			odds = fmt.Sprintf(" in decoding %d of the same answer (aws-sdk-go-v2 reads a union's keys in map order)", tries)
		}
		if sh.Member(want) == nil {
			j.Problem(l.Sample, "%s in %q: the SDK decoded %s%s, want unknown member %q (__type must be ignored)", l.Pointer, l.Sample.Name, sdkUnionMember(got), odds, want)
			continue
		}
		j.Problem(l.Sample, "%s in %q: the SDK decoded %s%s, want member %s: clients must ignore __type inside a union (Smithy protocol test AwsJson11DeserializeIgnoreType)", l.Pointer, l.Sample.Name, sdkUnionMember(got), odds, want)
	}
	if n == 0 {
		return engine.Skipf(nil, "no observed %s carried __type (nothing to check)", sh.Name)
	}
	return j.Verdict("__type inside " + sh.Name + " was not ignored by the SDK")
}
