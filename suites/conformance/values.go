package conformance

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// located is a value found at a concrete JSON pointer of a sample.
type located struct {
	Sample  *Sample
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
			if !ok {
				return
			}
			if child == nil && len(segs) > 1 {
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

// gather returns the values at a cancel-output member path across samples, mapping
// the path into each sample's own output shape.
func gather(cancelOut *spec.Shape, samples []*Sample, path string) []located {
	var out []located
	for _, smp := range samples {
		if smp.Wire == nil || smp.Wire.Decoded == nil || smp.Wire.Status != 200 {
			continue
		}
		p, ok := mapPath(cancelOut, smp.Op.Output, path)
		if !ok {
			continue
		}
		for _, l := range valuesAt(smp.Wire.Decoded, p) {
			l.Sample = smp
			out = append(out, l)
		}
	}
	return out
}

// sdkCanon returns the canonical SDK view of a sample's output; ok is false when the
// SDK returned no output. An SDK value that does not fit the model is returned as a
// value that differs from any wire value, naming the disagreement.
func sdkCanon(smp *Sample) (any, bool) {
	if smp.SDKOut == nil {
		return nil, false
	}
	v, err := Canon(smp.Op.Output, reflect.ValueOf(smp.SDKOut))
	if err != nil {
		return map[string]any{"<SDK value does not fit the model: " + err.Error() + ">": true}, true
	}
	return v, true
}

var numSeg = regexp.MustCompile(`/\d+(/|$)`)

// genericPointer replaces array indices with * (/Requests/3/Error -> /Requests/*/Error).
func genericPointer(p string) string {
	for numSeg.MatchString(p) {
		p = numSeg.ReplaceAllString(p, "/*$1")
	}
	return p
}

// solicited reports whether a value was asked for by the sample's scenario.
func solicited(smp *Sample, value any) bool {
	sc := smp.Solicited
	if sc == nil {
		return false
	}
	s, _ := value.(string)
	switch {
	case s != "" && (s == sc.Status || s == sc.ProgressStep):
		return true
	}
	if obj, ok := value.(map[string]any); ok && sc.UnknownUnionMember != "" {
		_, has := obj[sc.UnknownUnionMember]
		return has
	}
	return false
}
