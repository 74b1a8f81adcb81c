package spec

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/dmsconform/dmsconform/internal/jsonv"
)

// The canonical form of a value of a model shape: what the SDK fixtures expect, what
// SDK adapters report, what aws-sdk-go-v2's typed result becomes (suites/gosdk), and
// what every comparison of the wire with an SDK reads. Built from JSON values as
// jsonv.Decode returns them:
//
//   - object: map of model member name to value; a member that is absent or null is
//     not set and does not appear;
//   - union: {"<member>": value} for a known member, {"$unknown": "<tag>"} for an
//     unknown one;
//   - integer/long: json.Number, the exact integer in decimal (read from a JSON
//     number, or a decimal string: how fixtures and the JS and Python adapters carry a
//     long beyond 2^53, which their numbers cannot hold);
//   - double: json.Number in Go's shortest form of the double the value denotes, or
//     the strings "NaN", "Infinity", "-Infinity" (the awsJson 1.1 encodings of
//     non-finite doubles);
//   - string, boolean, array: as is.
//
// Values compare by jsonv's number rule (exact decimals), so a long beyond 2^53 and
// 1.0 against 1 are decided as everywhere else.

// UnknownTag is the key of an unknown union member in the canonical form.
const UnknownTag = "$unknown"

// Canonical converts a decoded JSON value to the canonical form of shape sh. With
// strict (expected outputs in fixtures) every departure from the model is a problem:
// undeclared members, wrong JSON types, a union without exactly one member. Without
// strict (observed outputs) nothing is dropped or rejected: what does not fit the
// model is kept as it is, so the comparison shows it.
func Canonical(sh *Shape, v any, strict bool) (any, []string) {
	c := canonicaliser{strict: strict}
	out := c.value(sh, v, "")
	return out, c.problems
}

type canonicaliser struct {
	strict   bool
	problems []string
}

func (c *canonicaliser) bad(ptr, format string, args ...any) {
	if c.strict {
		c.problems = append(c.problems, fmt.Sprintf("%s: %s", OrRoot(ptr), fmt.Sprintf(format, args...)))
	}
}

func (c *canonicaliser) value(sh *Shape, v any, ptr string) any {
	if sh == nil {
		return Generic(v)
	}
	if v == nil {
		return nil
	}
	switch sh.Type {
	case TypeObject:
		return c.object(sh, v, ptr)
	case TypeArray:
		arr, ok := v.([]any)
		if !ok {
			c.bad(ptr, "want %s, have %s", sh.TypeLabel(), jsonType(v))
			return Generic(v)
		}
		out := make([]any, len(arr))
		for i, item := range arr {
			out[i] = c.value(sh.Items, item, fmt.Sprintf("%s/%d", ptr, i))
		}
		return out
	case TypeString:
		if _, ok := v.(string); !ok {
			c.bad(ptr, "want a string, have %s", jsonType(v))
			return Generic(v)
		}
		return v
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			c.bad(ptr, "want a boolean, have %s", jsonType(v))
		}
		return Generic(v)
	case TypeInteger:
		if n, ok := ParseInteger(v); ok {
			return json.Number(n.String())
		}
		c.bad(ptr, "want an integer (a JSON number, or a decimal string beyond 2^53), have %s", jsonType(v))
		return Generic(v)
	case TypeNumber:
		f, ok := ParseDouble(v)
		if !ok {
			c.bad(ptr, "want a double (a JSON number or \"NaN\", \"Infinity\", \"-Infinity\"), have %s", jsonType(v))
			return Generic(v)
		}
		return CanonicalDouble(f)
	}
	return Generic(v)
}

func (c *canonicaliser) object(sh *Shape, v any, ptr string) any {
	obj, ok := v.(map[string]any)
	if !ok {
		c.bad(ptr, "want %s, have %s", sh.TypeLabel(), jsonType(v))
		return Generic(v)
	}
	out := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		val := obj[k]
		if val == nil {
			continue // null: the member is not set
		}
		if sh.Union != nil && k == UnknownTag {
			if s, ok := val.(string); ok {
				out[k] = s
			} else {
				c.bad(ptr, "%s must be the tag (a string) of the unknown member", UnknownTag)
				out[k] = Generic(val)
			}
			continue
		}
		mb := sh.Member(k)
		if mb == nil {
			c.bad(ptr, "%s is not a member of %s", k, sh.Name)
			out[k] = Generic(val)
			continue
		}
		out[k] = c.value(mb.Shape, val, ptr+"/"+k)
	}
	if sh.Union != nil && len(out) != 1 {
		c.bad(ptr, "a union value has exactly one member ({\"<member>\": ...} or {\"%s\": \"<tag>\"}), have %d", UnknownTag, len(out))
	}
	return out
}

// OrRoot is a JSON pointer for messages: "/" for the root ("").
func OrRoot(ptr string) string {
	if ptr == "" {
		return "/"
	}
	return ptr
}

// ParseInteger reads an integer from a JSON number or a decimal string. A number with
// an exponent or a fraction counts when it is integral (1e+21, 9.007199254740992e15,
// 3.0): by the number rule it is that integer (jsonv.Integer).
func ParseInteger(v any) (*big.Int, bool) {
	if s, ok := v.(string); ok {
		return new(big.Int).SetString(s, 10)
	}
	n, ok := jsonv.Number(v)
	if !ok {
		return nil, false
	}
	return jsonv.Integer(n)
}

// CanonicalDouble is the canonical form of a double.
func CanonicalDouble(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// Generic canonicalises a value outside the model: nulls in objects are dropped,
// float64 values become canonical doubles.
func Generic(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if val != nil {
				out[k] = Generic(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = Generic(item)
		}
		return out
	case float64:
		return CanonicalDouble(x)
	}
	return v
}

// At is the shape of the value at a concrete JSON pointer below a value of shape s
// (/Requests/3/Error: an index steps into an array's items), or nil when the model
// has no such place.
func (s *Shape) At(ptr string) *Shape {
	sh := s
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if ptr == "" || sh == nil {
			break
		}
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		if sh.Type == TypeArray {
			if _, err := strconv.Atoi(seg); err != nil {
				return nil
			}
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

// Diff compares two canonical values of shape sh (jsonv.Diff, arrays of different
// lengths as one change). A member whose shape is SDKNonPointer (the service model
// gives it a zero default, x-dms-sdk-nonpointer) may be absent on one side and zero on
// the other: through the Go SDK the two look the same. skip, when set, leaves out
// more places.
func Diff(sh *Shape, want, got any, skip func(p jsonv.Place) bool) []jsonv.Difference {
	return jsonv.Diff(want, got, jsonv.Options{Arrays: jsonv.Whole, Skip: func(p jsonv.Place) bool {
		if skip != nil && skip(p) {
			return true
		}
		if p.HasWant == p.HasGot {
			return false
		}
		ms := sh.At(p.Pointer)
		return ms != nil && ms.SDKNonPointer && (isZero(p.Want) || isZero(p.Got))
	}})
}

// isZero: a number that is zero (by the number rule).
func isZero(v any) bool {
	n, ok := jsonv.Number(v)
	return ok && jsonv.NumbersEqual(n, "0")
}
