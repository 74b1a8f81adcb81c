package sdk

import (
	"fmt"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/spec"
)

// Fixtures (expected) and SDK adapters (observed) speak the canonical form of the
// model's values (spec.Canonical); they are compared by spec.Diff.

// Diff compares two canonical values of shape sh and returns the differences, one
// line each, with the JSON pointer where they are (spec.Diff: a member the service
// model gives a zero default may be absent on one side and zero on the other).
func Diff(sh *spec.Shape, want, got any) []string {
	var out []string
	for _, d := range spec.Diff(sh, want, got, nil) {
		switch d.Change {
		case jsonv.Removed:
			out = append(out, fmt.Sprintf("%s: expected %s, observed absent", d.Pointer, jsonv.Compact(d.Want)))
		case jsonv.Added:
			out = append(out, fmt.Sprintf("%s: expected absent, observed %s", d.Pointer, jsonv.Compact(d.Got)))
		default:
			out = append(out, fmt.Sprintf("%s: expected %s, observed %s", spec.OrRoot(d.Pointer), jsonv.Compact(d.Want), jsonv.Compact(d.Got)))
		}
	}
	return out
}
