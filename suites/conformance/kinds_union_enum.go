package conformance

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

func init() {
	registerKind("union-single-member", checkUnionSingle)
	registerKind("union-known-member", checkUnionKnown)
	registerKind("union-unknown-member", checkUnionUnknown)
	registerKind("union-type-key", checkUnionTypeKey)
	registerKind("enum-documented", checkEnumDocumented)
	registerKind("enum-passthrough", checkEnumPassthrough)
	registerKind("enum-order", checkEnumOrder)
	registerKind("range", checkRange)
}

// unionValues returns the non-null union values at the check's path in every sample.
func (c *C) unionValues() (*spec.Shape, []located) {
	op, o := c.op(), c.observe()
	path := c.Param("path")
	sh := shapeAt(op.Output, path)
	if sh == nil || sh.Union == nil {
		c.Errorf("path %s of %s is not a union: regenerate the suites", path, op.Output.Name)
	}
	var vals []located
	for _, l := range gather(op.Output, o.All(), path) {
		if l.Value != nil {
			vals = append(vals, l)
		}
	}
	return sh, vals
}

func checkUnionSingle(c *C) {
	sh, vals := c.unionValues()
	if len(vals) == 0 {
		c.Skipf("no observed response carried %s (a target only sends it for failed requests)", c.Param("path"))
	}
	var problems []string
	m := HaveExactlyOneUnionMember(sh)
	for _, l := range vals {
		if ok, _ := m.Match(l.Value); !ok {
			problems = append(problems, fmt.Sprintf("%s in %q: %s", l.Pointer, l.Sample.Name, strings.TrimPrefix(m.FailureMessage(l.Value), "expected ")))
			c.Attach(l.Sample.Wire.Exchange)
		}
	}
	if len(c.exchanges) == 0 {
		c.Attach(vals[0].Sample.Wire.Exchange)
	}
	c.FailIf(problems, fmt.Sprintf("union %s must carry exactly one member", sh.Name))
}

// sdkAt returns the SDK's canonical value at the place the wire value was found, or a
// problem when the SDK returned no output for that response.
func sdkAt(l located) (any, string) {
	canon, ok := sdkCanon(l.Sample)
	if !ok {
		return nil, fmt.Sprintf("%s in %q: the SDK returned no output: %v", l.Pointer, l.Sample.Name, l.Sample.SDKErr)
	}
	got, _ := valueAtPointer(canon, l.Pointer)
	return got, ""
}

func setMembers(obj map[string]any) []string {
	var set []string
	for k, v := range obj {
		if v != nil && k != "__type" {
			set = append(set, k)
		}
	}
	return sortedStrings(set)
}

func checkUnionKnown(c *C) {
	sh, vals := c.unionValues()
	member := c.Param("member")
	mb := sh.Member(member)
	n := 0
	var problems []string
	for _, l := range vals {
		obj, _ := l.Value.(map[string]any)
		if set := setMembers(obj); len(set) != 1 || set[0] != member {
			continue
		}
		n++
		if n == 1 {
			c.Attach(l.Sample.Wire.Exchange)
		}
		got, problem := sdkAt(l)
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		gm, _ := got.(map[string]any)
		sv, has := gm[member]
		if !has {
			problems = append(problems, fmt.Sprintf("%s in %q: the wire sets %s, the SDK decoded %s (want the typed member %sMember%s)", l.Pointer, l.Sample.Name, member, SDKUnionMember(sh, got), sh.Name, sdkFieldName(member)))
			c.Attach(l.Sample.Wire.Exchange)
			continue
		}
		for _, d := range Diff(mb.Shape, obj[member], sv, l.Pointer+"/"+member) {
			problems = append(problems, fmt.Sprintf("%q %s", l.Sample.Name, d))
		}
	}
	if n == 0 {
		c.Skipf("no observed %s carried member %s", sh.Name, member)
	}
	c.FailIf(problems, fmt.Sprintf("%s.%s does not decode to the SDK's typed member", sh.Name, member))
}

func checkUnionUnknown(c *C) {
	sh, vals := c.unionValues()
	n := 0
	var problems []string
	for _, l := range vals {
		obj, _ := l.Value.(map[string]any)
		for _, k := range setMembers(obj) {
			if sh.Member(k) != nil {
				continue
			}
			n++
			c.Attach(l.Sample.Wire.Exchange)
			if !solicited(l.Sample, l.Value) {
				c.Driftf("%s in %q carries %s, a member the model does not know (the union is open: update the model if the service added it)", l.Pointer, l.Sample.Name, k)
			}
			got, problem := sdkAt(l)
			if problem != "" {
				problems = append(problems, problem+" (want its unknown-member type)")
				continue
			}
			if gm, _ := got.(map[string]any); gm[unknownKey] != k {
				problems = append(problems, fmt.Sprintf("%s in %q: the SDK decoded %s, want its unknown-member type with tag %q", l.Pointer, l.Sample.Name, SDKUnionMember(sh, got), k))
			}
		}
	}
	if n == 0 {
		c.Skipf("no observed %s carried an unknown member (a control surface can solicit one)", sh.Name)
	}
	c.FailIf(problems, fmt.Sprintf("unknown members of %s are not surfaced as the SDK's unknown-member type", sh.Name))
}

func checkUnionTypeKey(c *C) {
	sh, vals := c.unionValues()
	n := 0
	var problems []string
	for _, l := range vals {
		obj, _ := l.Value.(map[string]any)
		if _, has := obj["__type"]; !has {
			continue
		}
		n++
		c.Attach(l.Sample.Wire.Exchange)
		c.Driftf("%s in %q carries __type inside the union", l.Pointer, l.Sample.Name)
		set := setMembers(obj)
		if len(set) != 1 {
			continue // union-single-member reports it
		}
		got, problem := sdkAt(l)
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		gm, _ := got.(map[string]any)
		want := set[0]
		if sh.Member(want) == nil {
			if gm[unknownKey] != want {
				problems = append(problems, fmt.Sprintf("%s in %q: the SDK decoded %s, want unknown member %q (__type must be ignored)", l.Pointer, l.Sample.Name, SDKUnionMember(sh, got), want))
			}
			continue
		}
		if _, has := gm[want]; !has {
			problems = append(problems, fmt.Sprintf("%s in %q: the SDK decoded %s, want member %s: clients must ignore __type inside a union (Smithy protocol test AwsJson11DeserializeIgnoreType)", l.Pointer, l.Sample.Name, SDKUnionMember(sh, got), want))
		}
	}
	if n == 0 {
		c.Skipf("no observed %s carried __type (nothing to check)", sh.Name)
	}
	c.FailIf(problems, "__type inside "+sh.Name+" was not ignored by the SDK")
}

// enumValues returns the string values of the check's value set across all samples.
func (c *C) enumValues() (*spec.ValueSet, []located) {
	op, o := c.op(), c.observe()
	vs := c.S.Model.ValueSets[c.Param("set")]
	if vs == nil {
		c.Errorf("the model has no value set %s: regenerate the suites", c.Param("set"))
	}
	var vals []located
	for _, p := range strings.Split(c.Param("paths"), ",") {
		for _, l := range gather(op.Output, o.All(), p) {
			if _, ok := l.Value.(string); ok {
				vals = append(vals, l)
			}
		}
	}
	return vs, vals
}

func checkEnumDocumented(c *C) {
	vs, vals := c.enumValues()
	seen := map[string]bool{}
	n := 0
	var problems []string
	for _, l := range vals {
		if solicited(l.Sample, l.Value) {
			continue
		}
		n++
		s := l.Value.(string)
		if vs.Contains(s) || seen[s] {
			continue
		}
		seen[s] = true
		c.Attach(l.Sample.Wire.Exchange)
		msg := fmt.Sprintf("%s = %q in %q is not a documented %s value (%s)", l.Pointer, s, l.Sample.Name, vs.Name, strings.Join(vs.Strings(), ", "))
		if vs.Open {
			c.Driftf("%s", msg)
		} else {
			problems = append(problems, msg)
		}
	}
	if n == 0 {
		c.Skipf("no %s value was observed", vs.Name)
	}
	if len(c.exchanges) == 0 {
		c.Attach(vals[0].Sample.Wire.Exchange)
	}
	c.FailIf(problems, vs.Name+" is a closed set")
}

func checkEnumPassthrough(c *C) {
	vs, vals := c.enumValues()
	n := 0
	var problems []string
	for _, l := range vals {
		s := l.Value.(string)
		if vs.Contains(s) || !solicited(l.Sample, s) {
			continue
		}
		n++
		c.Attach(l.Sample.Wire.Exchange)
		got, problem := sdkAt(l)
		if problem != "" {
			problems = append(problems, problem+" (want "+strconv.Quote(s)+" passed through)")
			continue
		}
		if got != s {
			problems = append(problems, fmt.Sprintf("%s = %q in %q: the SDK has %s", l.Pointer, s, l.Sample.Name, show(got)))
		}
	}
	if n == 0 {
		c.Skipf("no undocumented %s value was solicited (needs a target with a control surface)", vs.Name)
	}
	c.FailIf(problems, "an undocumented "+vs.Name+" value was not passed through unchanged")
}

func checkEnumOrder(c *C) {
	_, o := c.op(), c.observe()
	vs := c.S.Model.ValueSets[c.Param("set")]
	if vs == nil {
		c.Errorf("the model has no value set %s", c.Param("set"))
	}
	checked := 0
	var problems []string
	for id, steps := range o.Steps {
		last, lastVal := -1, ""
		documented := 0
		for _, s := range steps {
			i := vs.Index(s)
			if i < 0 {
				continue
			}
			documented++
			if i < last {
				problems = append(problems, fmt.Sprintf("request %s went back from %s to %s (observed %s)", id, lastVal, s, strings.Join(steps, " -> ")))
				break
			}
			last, lastVal = i, s
		}
		if documented >= 2 {
			checked++
		}
	}
	if checked == 0 {
		c.Skipf("no request was observed at two or more documented %s values", vs.Name)
	}
	for _, smp := range o.Describes[:min(1, len(o.Describes))] {
		c.Attach(smp.Wire.Exchange)
	}
	c.FailIf(sortedStrings(problems), vs.Name+" must not go backwards within one request")
}

func checkRange(c *C) {
	op, o := c.op(), c.observe()
	path := c.Param("path")
	sh := shapeAt(op.Output, path)
	n := 0
	var problems []string
	for _, l := range gather(op.Output, o.All(), path) {
		f, ok := spec.ParseDouble(l.Value)
		if !ok {
			continue // the member-type check reports non-numbers
		}
		n++
		if n == 1 {
			c.Attach(l.Sample.Wire.Exchange)
		}
		for _, fd := range spec.Validate(sh, l.Value) {
			if fd.Rule == spec.RuleRange {
				problems = append(problems, fmt.Sprintf("%s = %v in %q: expected %s", l.Pointer, f, l.Sample.Name, fd.Expected))
				c.Attach(l.Sample.Wire.Exchange)
			}
		}
	}
	if n == 0 {
		c.Skipf("%s was never observed", path)
	}
	c.FailIf(problems, path+" is out of its documented range")
}
