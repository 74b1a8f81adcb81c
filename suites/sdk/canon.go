package sdkconform

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// The canonical decoded form, shared by fixtures (expected) and SDK adapters
// (observed), built from JSON values as spec.DecodeJSON returns them:
//
//   - object: map of model member name to value; a member that is absent or null is
//     not set and does not appear;
//   - union: {"<member>": value} for a known member, {"$unknown": "<tag>"} for an
//     unknown one;
//   - double: json.Number in Go's shortest form ('g'), or the strings "NaN",
//     "Infinity", "-Infinity" (the awsJson 1.1 encodings of non-finite doubles);
//   - integer/long: json.Number when |v| <= 2^53, else the decimal string (exactly
//     representable in every SDK language's JSON);
//   - string, boolean, array: as is.
//
// UnknownTag is the key of an unknown union member.
const UnknownTag = "$unknown"

var maxSafe = new(big.Int).SetInt64(1 << 53)

// Canonical converts a decoded JSON value to the canonical form of shape sh. With
// strict (expected outputs in fixtures) every departure from the model is a problem:
// undeclared members, wrong JSON types, a union without exactly one member. Without
// strict (observed outputs) nothing is dropped or rejected: what does not fit the
// model is kept as it is, so the comparison shows it.
func Canonical(sh *spec.Shape, v any, strict bool) (any, []string) {
	var problems []string
	out := canonical(sh, v, "", strict, &problems)
	return out, problems
}

func canonical(sh *spec.Shape, v any, ptr string, strict bool, problems *[]string) any {
	bad := func(format string, args ...any) {
		if strict {
			*problems = append(*problems, fmt.Sprintf("%s: %s", orRoot(ptr), fmt.Sprintf(format, args...)))
		}
	}
	if sh == nil {
		return generic(v)
	}
	if v == nil {
		return nil
	}
	switch sh.Type {
	case spec.TypeObject:
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want %s, have %s", sh.TypeLabel(), kindOf(v))
			return generic(v)
		}
		out := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			val := obj[k]
			if val == nil {
				continue // null: the member is not set
			}
			mptr := ptr + "/" + k
			if sh.Union != nil && k == UnknownTag {
				if s, ok := val.(string); ok {
					out[k] = s
				} else {
					bad("%s must be the tag (a string) of the unknown member", UnknownTag)
					out[k] = generic(val)
				}
				continue
			}
			mb := sh.Member(k)
			if mb == nil {
				bad("%s is not a member of %s", k, sh.Name)
				out[k] = generic(val)
				continue
			}
			out[k] = canonical(mb.Shape, val, mptr, strict, problems)
		}
		if sh.Union != nil && len(out) != 1 {
			bad("a union value has exactly one member ({\"<member>\": ...} or {\"%s\": \"<tag>\"}), have %d", UnknownTag, len(out))
		}
		return out
	case spec.TypeArray:
		arr, ok := v.([]any)
		if !ok {
			bad("want %s, have %s", sh.TypeLabel(), kindOf(v))
			return generic(v)
		}
		out := make([]any, len(arr))
		for i, item := range arr {
			out[i] = canonical(sh.Items, item, fmt.Sprintf("%s/%d", ptr, i), strict, problems)
		}
		return out
	case spec.TypeString:
		if _, ok := v.(string); !ok {
			bad("want a string, have %s", kindOf(v))
			return generic(v)
		}
		return v
	case spec.TypeBoolean:
		if _, ok := v.(bool); !ok {
			bad("want a boolean, have %s", kindOf(v))
		}
		return generic(v)
	case spec.TypeInteger:
		if n, ok := integer(v); ok {
			return canonicalInt(n)
		}
		bad("want an integer (a JSON number, or a decimal string beyond 2^53), have %s", kindOf(v))
		return generic(v)
	case spec.TypeNumber:
		f, ok := spec.ParseDouble(v)
		if !ok {
			bad("want a double (a JSON number or \"NaN\", \"Infinity\", \"-Infinity\"), have %s", kindOf(v))
			return generic(v)
		}
		return canonicalDouble(f)
	}
	return generic(v)
}

func orRoot(ptr string) string {
	if ptr == "" {
		return "/"
	}
	return ptr
}

// integer reads an integer from a JSON number or a decimal string.
func integer(v any) (*big.Int, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, false
	}
	if n, ok := new(big.Int).SetString(s, 10); ok {
		return n, true
	}
	// 1e+21, 9.007199254740992e15: accept a number with an exponent when it is integral.
	f, ok := new(big.Float).SetPrec(200).SetString(s)
	if !ok || !f.IsInt() {
		return nil, false
	}
	n, _ := f.Int(nil)
	return n, true
}

func canonicalInt(n *big.Int) any {
	if new(big.Int).Abs(n).Cmp(maxSafe) <= 0 {
		return json.Number(n.String())
	}
	return n.String()
}

func canonicalDouble(f float64) any {
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

// generic canonicalises a value outside the model: nulls in objects are dropped.
func generic(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if val != nil {
				out[k] = generic(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = generic(item)
		}
		return out
	case float64:
		return canonicalDouble(x)
	}
	return v
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "the string " + strconv.Quote(x)
	case json.Number:
		return "the number " + x.String()
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// Diff compares two canonical values of shape sh and returns the differences, one
// line each, with the JSON pointer where they are. A member whose shape is
// SDKNonPointer (the service model gives it a zero default, x-dms-sdk-nonpointer) may
// be absent on one side and zero on the other.
func Diff(sh *spec.Shape, want, got any) []string {
	var out []string
	diff(sh, want, got, "", &out)
	return out
}

func diff(sh *spec.Shape, want, got any, ptr string, out *[]string) {
	wo, wok := want.(map[string]any)
	gobj, gok := got.(map[string]any)
	if wok && gok {
		keys := map[string]bool{}
		for k := range wo {
			keys[k] = true
		}
		for k := range gobj {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			var msh *spec.Shape
			nonPointer := false
			if sh != nil {
				if mb := sh.Member(k); mb != nil {
					msh = mb.Shape
					nonPointer = mb.Shape != nil && mb.Shape.SDKNonPointer
				}
			}
			wv, win := wo[k]
			gv, gin := gobj[k]
			mptr := ptr + "/" + k
			switch {
			case win && gin:
				diff(msh, wv, gv, mptr, out)
			case win && !gin:
				if nonPointer && isZero(wv) {
					continue
				}
				*out = append(*out, fmt.Sprintf("%s: expected %s, observed absent", mptr, Compact(wv)))
			case !win && gin:
				if nonPointer && isZero(gv) {
					continue
				}
				*out = append(*out, fmt.Sprintf("%s: expected absent, observed %s", mptr, Compact(gv)))
			}
		}
		return
	}
	wa, waok := want.([]any)
	ga, gaok := got.([]any)
	if waok && gaok && len(wa) == len(ga) {
		var items *spec.Shape
		if sh != nil {
			items = sh.Items
		}
		for i := range wa {
			diff(items, wa[i], ga[i], fmt.Sprintf("%s/%d", ptr, i), out)
		}
		return
	}
	if !reflect.DeepEqual(want, got) {
		*out = append(*out, fmt.Sprintf("%s: expected %s, observed %s", orRoot(ptr), Compact(want), Compact(got)))
	}
}

func isZero(v any) bool {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case string:
		return x == "0"
	}
	return false
}

// Compact renders a canonical value as compact JSON (keys sorted).
func Compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// truncate shortens s for one-line messages.
func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
