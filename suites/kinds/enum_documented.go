package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// EnumDocumented: values of a documented value set are one of the documented values;
// the sets are open, so another value is drift (a closed set's would fail).
type EnumDocumented struct {
	Set   string   // the value set, e.g. RequestStatus
	Paths []string // the cancel output's members that carry it
}

// valueSet is one documented value set and the members that carry it.
type valueSet struct {
	vs    *spec.ValueSet
	paths []string
}

// valueSets lists the documented value sets of the cancel output, in document order.
func valueSets(x *Expansion) []valueSet {
	var out []valueSet
	index := map[string]int{}
	for _, mp := range x.Paths {
		vs := mp.Member.Shape.Values
		if vs == nil {
			continue
		}
		i, ok := index[vs.Name]
		if !ok {
			i = len(out)
			index[vs.Name] = i
			out = append(out, valueSet{vs: vs})
		}
		out[i].paths = append(out[i].paths, mp.Path)
	}
	return out
}

func init() {
	register(func(x *Expansion) {
		for _, s := range valueSets(x) {
			x.Add("enum", s.vs.Name+".documented", "SHOULD", fromDocs(docBotocore+": "+s.paths[0], strings.Join(s.vs.Strings(), ", ")), s.vs.Pointer, s.vs.Name+" values are documented",
				fmt.Sprintf("%s values SHOULD be one of the documented %s (an open set: another value is drift).", s.vs.Name, strings.Join(s.vs.Strings(), ", ")),
				[]string{"enum", "wire"}, EnumDocumented{Set: s.vs.Name, Paths: s.paths})
		}
	})
}

// enumValues returns the value set and its string values across the observed answers.
func enumValues(ev *engine.Evidence, set string, paths []string) (*spec.ValueSet, []located) {
	vs := ev.Model.ValueSets[set]
	if vs == nil {
		return nil, nil
	}
	var vals []located
	obs := ev.Observed()
	for _, p := range paths {
		for _, l := range values(ev, obs, p) {
			if _, ok := l.Value.(string); ok {
				vals = append(vals, l)
			}
		}
	}
	return vs, vals
}

// Needs implements engine.Kind.
func (EnumDocumented) Needs() engine.Needs { return observedNeeds }

// Judge implements engine.Kind.
func (k EnumDocumented) Judge(ev *engine.Evidence) engine.Verdict {
	vs, vals := enumValues(ev, k.Set, k.Paths)
	if vs == nil {
		return engine.Errorf("the model has no value set %s: regenerate the suites", k.Set)
	}
	var j engine.Judgement
	seen := map[string]bool{}
	n := 0
	for _, l := range vals {
		if l.Sample.Solicits(l.Value) {
			continue
		}
		n++
		s := l.Value.(string)
		if vs.Contains(s) || seen[s] {
			continue
		}
		seen[s] = true
		msg := fmt.Sprintf("%s = %q in %q is not a documented %s value (%s)", l.Pointer, s, l.Sample.Name, vs.Name, strings.Join(vs.Strings(), ", "))
		if vs.Open {
			j.Drift(l.Sample, "%s", msg)
		} else {
			j.Problem(l.Sample, "%s", msg)
		}
	}
	if n == 0 {
		return nothingObserved(ev, "no %s value was observed", vs.Name)
	}
	return j.Verdict(vs.Name+" is a closed set", vals[0].Sample)
}
