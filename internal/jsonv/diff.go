package jsonv

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Change says how a place differs.
type Change string

// Changes.
const (
	Added   Change = "added"   // only got has the member or item
	Removed Change = "removed" // only want has the member or item
	Changed Change = "changed" // both have it, with other values of the same JSON type
	Type    Change = "type"    // both have it, with different JSON types
)

// Difference is one place where two values differ, at a JSON pointer (RFC 6901) below
// the pointer Diff started at. Want or Got is nil where that side lacks the place.
type Difference struct {
	Pointer string
	Change  Change
	Want    any
	Got     any
}

// Place is where Diff stands: a member or item on either side or both, and the
// objects or arrays holding it (nil at the root).
type Place struct {
	Pointer         string
	Key             string // the member name or item index ending Pointer ("" at the root)
	Want, Got       any
	HasWant, HasGot bool
	WantIn, GotIn   any // the objects or arrays holding the place
}

// Arrays says how Diff compares two arrays.
type Arrays int

const (
	// ItemByItem compares items at the same index; extra items are added or removed.
	ItemByItem Arrays = iota
	// Whole compares arrays of the same length item by item and reports arrays of
	// different lengths as one change at the array.
	Whole
	// Presence compares no items: two arrays are alike whatever they hold.
	Presence
)

// Options tune Diff. The zero value compares everything, strings by ==.
type Options struct {
	// Skip, when set, is asked at every place before it is compared: true leaves the
	// place (and what is below it) out.
	Skip func(p Place) bool
	// Strings, when set, decides whether two strings are equal.
	Strings func(a, b string) bool
	Arrays  Arrays
}

// Diff lists the places where got differs from want, objects' members in sorted
// order, numbers compared by NumbersEqual. ptr is the pointer of want and got
// themselves ("" for the root).
func Diff(want, got any, o Options) []Difference {
	return DiffAt("", want, got, o)
}

// DiffAt is Diff of values found at ptr.
func DiffAt(ptr string, want, got any, o Options) []Difference {
	d := differ{Options: o}
	d.place(Place{Pointer: ptr, Want: want, Got: got, HasWant: true, HasGot: true})
	return d.out
}

type differ struct {
	Options
	out []Difference
}

func (d *differ) add(p Place, c Change) {
	diff := Difference{Pointer: p.Pointer, Change: c}
	if p.HasWant {
		diff.Want = p.Want
	}
	if p.HasGot {
		diff.Got = p.Got
	}
	d.out = append(d.out, diff)
}

func (d *differ) place(p Place) {
	if d.Skip != nil && d.Skip(p) {
		return
	}
	switch {
	case !p.HasGot:
		d.add(p, Removed)
		return
	case !p.HasWant:
		d.add(p, Added)
		return
	}
	wt, gt := TypeName(p.Want), TypeName(p.Got)
	if wt != gt {
		d.add(p, Type)
		return
	}
	switch w := p.Want.(type) {
	case map[string]any:
		d.object(p, w, p.Got.(map[string]any))
	case []any:
		d.array(p, w, p.Got.([]any))
	default:
		if !d.scalarEqual(p.Want, p.Got) {
			d.add(p, Changed)
		}
	}
}

func (d *differ) object(p Place, w, g map[string]any) {
	keys := slices.Sorted(maps.Keys(w))
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		wv, win := w[k]
		gv, gin := g[k]
		d.place(Place{Pointer: p.Pointer + "/" + EscapePointer(k), Key: k, Want: wv, Got: gv, HasWant: win, HasGot: gin, WantIn: w, GotIn: g})
	}
}

func (d *differ) array(p Place, w, g []any) {
	switch {
	case d.Arrays == Presence:
		return
	case d.Arrays == Whole && len(w) != len(g):
		d.add(p, Changed)
		return
	}
	for i := 0; i < len(w) || i < len(g); i++ {
		q := Place{Pointer: p.Pointer + "/" + strconv.Itoa(i), Key: strconv.Itoa(i), WantIn: w, GotIn: g, HasWant: i < len(w), HasGot: i < len(g)}
		if q.HasWant {
			q.Want = w[i]
		}
		if q.HasGot {
			q.Got = g[i]
		}
		d.place(q)
	}
}

func (d *differ) scalarEqual(a, b any) bool {
	if x, ok := a.(string); ok {
		y := b.(string)
		if d.Strings != nil {
			return d.Strings(x, y)
		}
		return x == y
	}
	if x, ok := Number(a); ok {
		y, _ := Number(b)
		return NumbersEqual(x, y)
	}
	if x, ok := a.(float64); ok && math.IsNaN(x) {
		y, ok := b.(float64)
		return ok && math.IsNaN(y)
	}
	return a == b
}

// EscapePointer escapes one JSON pointer reference token (RFC 6901).
func EscapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
