package kinds

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// located is a value found at a concrete JSON pointer of a sample's answer.
type located struct {
	Sample  *engine.Sample
	Pointer string // concrete, e.g. /Requests/3/Error
	Value   any
}

// shapeAt follows a member path (/Request/Progress/TotalObjects) from a shape.
func shapeAt(sh *spec.Shape, path string) *spec.Shape {
	for _, seg := range splitPath(path) {
		if sh == nil {
			return nil
		}
		if seg == "*" {
			sh = sh.Items
			continue
		}
		mb := sh.Member(seg)
		if mb == nil {
			return nil
		}
		sh = mb.Shape
	}
	return sh
}

func splitPath(path string) []string {
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// mapPath translates a member path of the cancel output into the same place in
// another operation's output that carries the same shape: /Request/X becomes
// /Requests/*/X for the describe output. ok is false when the shape does not occur.
func mapPath(from, to *spec.Shape, path string) (string, bool) {
	if from == to {
		return path, true
	}
	segs := splitPath(path)
	if len(segs) == 0 {
		return "", false
	}
	first := from.Member(segs[0])
	if first == nil {
		return "", false
	}
	rest := strings.Join(segs[1:], "/")
	for _, mb := range to.Members {
		prefix := ""
		switch {
		case mb.Shape == first.Shape:
			prefix = "/" + mb.Name
		case mb.Shape.Items == first.Shape:
			prefix = "/" + mb.Name + "/*"
		default:
			continue
		}
		if rest == "" {
			return prefix, true
		}
		return prefix + "/" + rest, true
	}
	return "", false
}

// valuesAt returns the values at a member path ("*" expands arrays); present-but-null
// members are returned with a nil Value.
func valuesAt(root any, path string) []located {
	var out []located
	var walk func(v any, segs []string, ptr string)
	walk = func(v any, segs []string, ptr string) {
		if len(segs) == 0 {
			out = append(out, located{Pointer: ptr, Value: v})
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if segs[0] == "*" {
				return
			}
			child, ok := x[segs[0]]
			if !ok || child == nil && len(segs) > 1 {
				return
			}
			walk(child, segs[1:], ptr+"/"+segs[0])
		case []any:
			if segs[0] != "*" {
				return
			}
			for i, item := range x {
				walk(item, segs[1:], fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	walk(root, splitPath(path), "")
	return out
}

// valueAtPointer follows a concrete pointer (/Requests/3/Error) in a canonical value.
func valueAtPointer(root any, ptr string) (any, bool) {
	v := root
	for _, seg := range splitPath(ptr) {
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[seg]
			if !ok {
				return nil, false
			}
			v = c
		case []any:
			var i int
			if _, err := fmt.Sscanf(seg, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// values returns the values at a cancel-output member path across the successful
// answers of samples, mapping the path into each sample's own output shape.
func values(ev *engine.Evidence, samples []*engine.Sample, path string) []located {
	var out []located
	for _, smp := range samples {
		r := smp.Response()
		if r.Status != 200 || r.Decoded == nil {
			continue
		}
		op := ev.Model.Operation(smp.Op)
		if op == nil {
			continue
		}
		p, ok := mapPath(ev.Cancel.Output, op.Output, path)
		if !ok {
			continue
		}
		for _, l := range valuesAt(r.Decoded, p) {
			l.Sample = smp
			out = append(out, l)
		}
	}
	return out
}

// cancels keeps the samples of the cancel operation.
func cancels(ev *engine.Evidence, samples []*engine.Sample) []*engine.Sample {
	var out []*engine.Sample
	for _, s := range samples {
		if s.Op == ev.Cancel.Name && s.Response().Status == 200 {
			out = append(out, s)
		}
	}
	return out
}

// sdkCanon is the canonical SDK view of a sample's answer; ok is false when the SDK
// returned no output. An SDK value that does not fit the model differs from any wire
// value, naming the disagreement.
func sdkCanon(ev *engine.Evidence, smp *engine.Sample) (any, bool) {
	op := ev.Model.Operation(smp.Op)
	out, _ := smp.SDK(op)
	if out == nil {
		return nil, false
	}
	v, err := gosdk.Canon(op.Output, reflect.ValueOf(out))
	if err != nil {
		return map[string]any{"<SDK value does not fit the model: " + err.Error() + ">": true}, true
	}
	return v, true
}

// sdkRedecodes is how often a judge decodes an answer again whose SDK view may
// depend on Go's map order: aws-sdk-go-v2 (v1.64) reads a union's keys in map order
// and keeps the first, so a union carrying __type beside its member decodes to the
// member or to an unknown member "__type" at random. A decoding that is wrong at all
// is then seen in any run (not only in some), so the verdict is the same every time.
var sdkRedecodes = 64

// sdkAtAgain decodes l's answer afresh (not the sample's memoised view) and returns the
// SDK's canonical value at l's pointer; ok is false when the SDK returned no output.
func sdkAtAgain(ev *engine.Evidence, l located) (any, bool) {
	op := ev.Model.Operation(l.Sample.Op)
	r := l.Sample.Response()
	out, _ := gosdk.Decode(context.Background(), op, gosdk.Response{Status: r.Status, Header: r.Header, Body: r.Body})
	if out == nil {
		return nil, false
	}
	v, err := gosdk.Canon(op.Output, reflect.ValueOf(out))
	if err != nil {
		return nil, false
	}
	got, _ := valueAtPointer(v, l.Pointer)
	return got, true
}

// sdkAt returns the SDK's canonical value at the place the wire value was found, or a
// problem when the SDK returned no output for that answer.
func sdkAt(ev *engine.Evidence, l located) (any, string) {
	canon, ok := sdkCanon(ev, l.Sample)
	if !ok {
		_, err := l.Sample.SDK(ev.Model.Operation(l.Sample.Op))
		return nil, fmt.Sprintf("%s in %q: the SDK returned no output: %v", l.Pointer, l.Sample.Name, err)
	}
	got, _ := valueAtPointer(canon, l.Pointer)
	return got, ""
}

// setMembers lists a union object's set members (null members and __type are not).
func setMembers(obj map[string]any) []string {
	var set []string
	for k, v := range obj {
		if v != nil && k != "__type" {
			set = append(set, k)
		}
	}
	sort.Strings(set)
	return set
}

// sdkUnionMember describes what the SDK produced for a union.
func sdkUnionMember(v any) string {
	cv, ok := v.(map[string]any)
	if !ok || len(cv) == 0 {
		return "nothing (nil)"
	}
	for k, x := range cv {
		if k == spec.UnknownTag {
			return fmt.Sprintf("unknown member with tag %q", x)
		}
		return "member " + k
	}
	return ""
}

// diffWireSDK compares a wire value (from jsonv.Decode) with the canonical SDK value
// of the same shape and lists the differences at JSON pointers below ptr. Both are
// read in the canonical form (spec.Canonical: null members count as unset) and
// compared by spec.Diff (the one number rule; a member the SDK cannot tell from zero
// may be absent on the wire). Undeclared wire members are ignored (the shape checks
// report them); a union with other than one member, or carrying __type, is left to
// the union checks.
func diffWireSDK(sh *spec.Shape, wire, sdk any, ptr string) []string {
	w, _ := spec.Canonical(sh, wire, false)
	s, _ := spec.Canonical(sh, sdk, false)
	var out []string
	add := func(at, format string, args ...any) {
		out = append(out, spec.OrRoot(ptr+at)+": "+fmt.Sprintf(format, args...))
	}
	skip := func(p jsonv.Place) bool {
		at := sh.At(p.Pointer)
		if at == nil {
			return true // undeclared: the shape checks report it
		}
		if at.Union == nil || !p.HasWant || !p.HasGot {
			return false
		}
		wu, ok1 := p.Want.(map[string]any)
		su, ok2 := p.Got.(map[string]any)
		if !ok1 || !ok2 {
			return false
		}
		set := setMembers(wu)
		if _, typed := wu["__type"]; len(set) != 1 || typed {
			return true // the union checks judge it
		}
		k := set[0]
		if at.Member(k) == nil {
			if su[spec.UnknownTag] != k {
				add(p.Pointer, "the wire sets unknown union member %s, the SDK decoded %s (want an unknown member with tag %q)", k, sdkUnionMember(su), k)
			}
			return true
		}
		if _, has := su[k]; !has {
			add(p.Pointer, "the wire sets union member %s, the SDK decoded %s", k, sdkUnionMember(su))
			return true
		}
		return false
	}
	for _, d := range spec.Diff(sh, w, s, skip) {
		wa, ok1 := d.Want.([]any)
		sa, ok2 := d.Got.([]any)
		switch {
		case d.Change == jsonv.Removed:
			add(d.Pointer, "the wire has %s, the SDK has nothing", show(d.Want))
		case d.Change == jsonv.Added:
			add(d.Pointer, "absent on the wire, but the SDK has %s", show(d.Got))
		case ok1 && ok2:
			add(d.Pointer, "the wire has %d items, the SDK has %d", len(wa), len(sa))
		default:
			add(d.Pointer, "the wire has %s, the SDK has %s", show(d.Want), show(d.Got))
		}
	}
	sort.Strings(out)
	return out
}

func show(v any) string {
	return text.Truncate(jsonv.Compact(v), 200)
}

// history is the sequence of distinct Status and ProgressStep values each request
// showed across samples (describes and cancels), in order.
type history struct {
	Statuses map[string][]string
	Steps    map[string][]string
	// First and Last sample of each request, for transcripts.
	First, Last map[string]*engine.Sample
}

func histories(samples []*engine.Sample) history {
	h := history{Statuses: map[string][]string{}, Steps: map[string][]string{}, First: map[string]*engine.Sample{}, Last: map[string]*engine.Sample{}}
	note := func(smp *engine.Sample, r map[string]any) {
		id := engine.Str(r["RequestIdentifier"])
		if id == "" {
			return
		}
		if h.First[id] == nil {
			h.First[id] = smp
		}
		h.Last[id] = smp
		if st := engine.Str(r["Status"]); st != "" {
			if l := h.Statuses[id]; len(l) == 0 || l[len(l)-1] != st {
				h.Statuses[id] = append(l, st)
			}
		}
		if p, ok := r["Progress"].(map[string]any); ok {
			if step := engine.Str(p["ProgressStep"]); step != "" {
				if l := h.Steps[id]; len(l) == 0 || l[len(l)-1] != step {
					h.Steps[id] = append(l, step)
				}
			}
		}
	}
	for _, smp := range samples {
		r := smp.Response()
		if r.Status != 200 {
			continue
		}
		obj := r.Object()
		if req, ok := obj["Request"].(map[string]any); ok {
			note(smp, req)
		}
		for _, req := range engine.RequestsOf(obj) {
			note(smp, req)
		}
	}
	return h
}
