// Package kinds holds dmsconform's check kinds, one file each. A kind is one type
// whose fields are its parameters, and everything about it is in its file: how it
// expands over the model into checks (the sentence each states, level, labels), what
// it needs (Needs), and its judge (Judge), a pure function of the evidence.
//
// The generator (suites/gen) calls Expand for every family; the generated catalog
// (suites/<family>/checks.gen.go) lists the checks as data, each with its typed kind
// value, so a parameter typo does not compile. Adding a kind: one file here (type,
// expander registered in init with each check's level and source (sources.go: a MUST
// rests on the model, the documentation or the protocol; an inference is a SHOULD),
// Needs, Judge, and table tests from canned exchanges in its _test file) plus an
// emulator defect that makes it fail, or, where no defect of a target can reach the
// check, a TableTestsOnly method saying why (engine.TableTested; the mutation
// self-test holds every check to one of the two).
package kinds

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Expansion is what an expander sees of one family, and where it adds checks.
type Expansion struct {
	Model    *spec.Model
	Family   string
	Cancel   *spec.Operation
	Describe *spec.Operation
	Start    *spec.Operation
	// Paths are the member paths of the cancel output, depth first, in document order.
	Paths  []MemberPath
	checks []engine.Check
	errs   []error
}

// MemberPath is one member of the cancel output.
type MemberPath struct {
	Path   string // /Request/Progress/TotalObjects ("*" for array items)
	Dotted string // Request.Progress.TotalObjects
	Member *spec.Member
}

// Add appends a check: ID <cancel operation>.<group>.<name>, at level (MUST or SHOULD)
// on its source (a MUST rests on the model, the documentation or the protocol; an
// inferred check is a SHOULD and carries the label "inferred").
func (x *Expansion) Add(group, name, level string, src reports.Source, pointer, title, description string, labels []string, k engine.Kind) {
	id := x.Cancel.Name + "." + group + "." + name
	if err := checkSource(id, level, src); err != nil {
		x.errs = append(x.errs, err)
	}
	if src.Inferred() {
		labels = append(labels, LabelInferred)
	}
	x.checks = append(x.checks, engine.Check{
		CheckInfo: reports.CheckInfo{
			ID: id, Title: title, Description: description, Level: level,
			Labels: labels, Pointer: pointer, Operation: x.Cancel.Name, Needs: k.Needs().Words(), Source: src,
		},
		Family: x.Family, Kind: k,
	})
}

// LabelInferred marks the checks that rest on an inference (all SHOULD):
// --label-filter '!inferred' leaves them out.
const LabelInferred = "inferred"

var expanders []func(*Expansion)

// register adds a kind's expander (each kind file calls it from init).
func register(f func(*Expansion)) { expanders = append(expanders, f) }

// Register adds the expander of a kind defined outside this package (a test's: the
// README's recipe for a new kind, done by a test) and returns a function that removes
// it again. The kinds of this package register from their init.
func Register(f func(*Expansion)) (unregister func()) {
	n := len(expanders)
	expanders = append(expanders[:n:n], f)
	return func() { expanders = expanders[:n:n] }
}

// Expand derives every check of a family from the model, ordered by group (shape,
// union, enum, fault, input, protocol, lifecycle) and, within a group, by kind.
func Expand(m *spec.Model, family string) ([]engine.Check, error) {
	x := &Expansion{Model: m, Family: family,
		Cancel:   m.FamilyOperation(family, spec.RoleCancel),
		Describe: m.FamilyOperation(family, spec.RoleDescribe),
		Start:    m.FamilyOperation(family, spec.RoleStart)}
	switch {
	case x.Cancel == nil:
		return nil, fmt.Errorf("family %s has no cancel operation (x-dms-role: cancel)", family)
	case x.Describe == nil:
		return nil, fmt.Errorf("family %s has no describe operation (x-dms-role: describe)", family)
	case x.Start == nil:
		return nil, fmt.Errorf("family %s has no start operation (x-dms-role: start)", family)
	}
	walk(x.Cancel.Output, "", "", map[*spec.Shape]bool{}, &x.Paths)
	for _, e := range expanders {
		e(x)
	}
	if len(x.errs) > 0 {
		return nil, errors.Join(x.errs...)
	}
	sort.SliceStable(x.checks, func(i, j int) bool {
		return engine.GroupIndex(x.checks[i].Group()) < engine.GroupIndex(x.checks[j].Group())
	})
	return x.checks, nil
}

// walk lists the member paths of a shape, depth first, in document order; it does not
// descend into a shape already on the path.
func walk(sh *spec.Shape, prefix, dotted string, onPath map[*spec.Shape]bool, out *[]MemberPath) {
	if sh == nil || onPath[sh] {
		return
	}
	onPath[sh] = true
	defer delete(onPath, sh)
	for _, mb := range sh.Members {
		p, d := prefix+"/"+mb.Name, strings.TrimPrefix(dotted+"."+mb.Name, ".")
		*out = append(*out, MemberPath{Path: p, Dotted: d, Member: mb})
		child := mb.Shape
		if child != nil && child.Type == spec.TypeArray {
			p, d, child = p+"/*", d+"[]", child.Items
		}
		walk(child, p, d, onPath, out)
	}
}

// Words used by several kinds.

// the evidence every shape, union and enum check judges: the walk, the watch and,
// where the target has a control surface, the scenario runs, and where it has a
// failing project, that project's request.
var observedNeeds = engine.Needs{Evidence: []engine.Script{engine.Walk, engine.Watch}, Optional: []engine.Script{engine.Scenarios, engine.Failing}}

// sdkView marks needs as those of a check of aws-sdk-go-v2's view (engine.Needs.SDK).
func sdkView(n engine.Needs) engine.Needs {
	n.SDK = true
	return n
}
