package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/text"
)

// Severity says how bad a finding is.
type Severity string

const (
	// Violation: the value does not conform to the model.
	Violation Severity = "violation"
	// Drift: allowed by the model's open semantics but worth a look (an undeclared
	// member, an unknown union member, an undocumented value of an open set).
	Drift Severity = "drift"
)

// Rules name what a finding is about; checks select findings by rule.
const (
	RuleJSON        = "json"        // not a JSON document
	RuleType        = "type"        // wrong JSON type
	RuleInteger     = "integer"     // an integer member with a fraction or exponent
	RuleRange       = "range"       // outside minimum/maximum or the integer format
	RuleMaxLength   = "maxLength"   // string longer than maxLength
	RuleRequired    = "required"    // required member missing
	RuleUndeclared  = "undeclared"  // member the model does not declare
	RuleNull        = "null"        // member present as null (awsJson omits unset members)
	RuleValue       = "value"       // value outside a documented set
	RuleUnionCount  = "union-count" // union with no member or several members set
	RuleUnionType   = "union-type"  // __type inside a union
	RuleUnionMember = "union-unknown"
)

// Finding is one difference between a JSON value and the model.
type Finding struct {
	Pointer  string   `json:"pointer"`  // JSON pointer into the instance ("" is the root)
	Rule     string   `json:"rule"`     // one of the Rule* constants
	Severity Severity `json:"severity"` // violation or drift
	Expected string   `json:"expected"`
	Got      string   `json:"got"`
	Schema   string   `json:"schema"` // JSON pointer of the schema in the model
}

func (f Finding) String() string {
	ptr := f.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Sprintf("%s %s: %s: expected %s, got %s", f.Severity, ptr, f.Rule, f.Expected, f.Got)
}

// FormatFindings renders findings one per line, sorted.
func FormatFindings(fs []Finding) string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.String()
	}
	return strings.Join(lines, "\n")
}

// Violations returns the findings of severity Violation.
func Violations(fs []Finding) []Finding { return filterSeverity(fs, Violation) }

// Drifts returns the findings of severity Drift.
func Drifts(fs []Finding) []Finding { return filterSeverity(fs, Drift) }

func filterSeverity(fs []Finding, s Severity) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// ValidateJSON validates a JSON body against a shape. A body that is not JSON gives a
// single RuleJSON violation.
func ValidateJSON(sh *Shape, body []byte) []Finding {
	v, err := jsonv.Decode(body)
	if err != nil {
		return []Finding{{Rule: RuleJSON, Severity: Violation, Expected: "a JSON object", Got: err.Error(), Schema: sh.Pointer}}
	}
	return Validate(sh, v)
}

// Validate checks a decoded JSON value (from jsonv.Decode) against a shape and returns
// the findings sorted by pointer and rule.
func Validate(sh *Shape, v any) []Finding {
	var fs []Finding
	validate(sh, v, "", &fs)
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Pointer != fs[j].Pointer {
			return fs[i].Pointer < fs[j].Pointer
		}
		return fs[i].Rule < fs[j].Rule
	})
	return fs
}

// Non-finite doubles are sent as these strings in awsJson 1.1.
var nonFinite = map[string]float64{"NaN": math.NaN(), "Infinity": math.Inf(1), "-Infinity": math.Inf(-1)}

// ParseDouble reads a double member as awsJson 1.1 encodes it: a JSON number or one
// of the strings NaN, Infinity, -Infinity.
func ParseDouble(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		f, ok := nonFinite[x]
		return f, ok
	}
	return 0, false
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string " + strconv.Quote(text.Truncate(x, 60))
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case json.Number:
		return "number " + x.String()
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprintf("%T", v)
}

func validate(sh *Shape, v any, ptr string, fs *[]Finding) {
	if sh == nil {
		return
	}
	add := func(rule string, sev Severity, expected, got string) {
		*fs = append(*fs, Finding{Pointer: ptr, Rule: rule, Severity: sev, Expected: expected, Got: got, Schema: sh.Pointer})
	}
	switch sh.Type {
	case TypeObject:
		validateObject(sh, v, ptr, fs, add)
	case TypeArray:
		arr, ok := v.([]any)
		if !ok {
			add(RuleType, Violation, sh.TypeLabel(), jsonType(v))
			return
		}
		for i, item := range arr {
			validate(sh.Items, item, fmt.Sprintf("%s/%d", ptr, i), fs)
		}
	case TypeString:
		validateString(sh, v, add)
	case TypeInteger:
		validateInteger(sh, v, add)
	case TypeNumber:
		validateNumber(sh, v, add)
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			add(RuleType, Violation, "boolean", jsonType(v))
		}
	}
}

// addFinding adds a finding at the place being validated.
type addFinding func(rule string, sev Severity, expected, got string)

// validateObject validates an object (or a union) and its members: required ones
// present, none null, none undeclared.
func validateObject(sh *Shape, v any, ptr string, fs *[]Finding, add addFinding) {
	obj, ok := v.(map[string]any)
	if !ok {
		add(RuleType, Violation, sh.TypeLabel(), jsonType(v))
		return
	}
	if sh.Union != nil {
		validateUnion(sh, obj, ptr, fs)
		return
	}
	for _, mb := range sh.Members {
		val, present := obj[mb.Name]
		if !present {
			if mb.Required {
				*fs = append(*fs, Finding{Pointer: ptr + "/" + escapePointer(mb.Name), Rule: RuleRequired, Severity: Violation,
					Expected: "required member " + mb.Name + " (" + mb.Shape.TypeLabel() + ")", Got: "absent", Schema: mb.Pointer})
			}
			continue
		}
		mptr := ptr + "/" + escapePointer(mb.Name)
		if val == nil {
			sev := Drift
			if mb.Required {
				sev = Violation
			}
			*fs = append(*fs, Finding{Pointer: mptr, Rule: RuleNull, Severity: sev,
				Expected: mb.Shape.TypeLabel() + " or the member omitted", Got: "null", Schema: mb.Pointer})
			continue
		}
		validate(mb.Shape, val, mptr, fs)
	}
	for _, k := range sortedObjectKeys(obj) {
		if sh.Member(k) == nil {
			*fs = append(*fs, Finding{Pointer: ptr + "/" + escapePointer(k), Rule: RuleUndeclared, Severity: Drift,
				Expected: "only the members of " + sh.Name, Got: "undeclared member " + k + " (" + jsonType(obj[k]) + ")", Schema: sh.Pointer})
		}
	}
}

// validateString validates a string: its length and, for a documented value set,
// its value.
func validateString(sh *Shape, v any, add addFinding) {
	s, ok := v.(string)
	if !ok {
		add(RuleType, Violation, "string", jsonType(v))
		return
	}
	if sh.MaxLength != nil && int64(utf8.RuneCountInString(s)) > *sh.MaxLength {
		add(RuleMaxLength, Violation, fmt.Sprintf("at most %d characters", *sh.MaxLength), fmt.Sprintf("%d characters", utf8.RuneCountInString(s)))
	}
	if vs := sh.Values; vs != nil && !vs.Contains(s) {
		sev := Violation
		if vs.Open {
			sev = Drift
		}
		add(RuleValue, sev, "one of the documented "+vs.Name+" values "+strings.Join(vs.Strings(), ", "), strconv.Quote(s))
	}
}

// validateInteger validates an integer: written as one, within its format's range and
// the shape's bounds.
func validateInteger(sh *Shape, v any, add addFinding) {
	var n json.Number
	switch x := v.(type) {
	case json.Number:
		n = x
	case float64:
		// A value from encoding/json without UseNumber: judge the number, not
		// the Go type it was decoded into.
		n = json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	default:
		add(RuleType, Violation, sh.TypeLabel(), jsonType(v))
		return
	}
	bi, ok := new(big.Int).SetString(n.String(), 10)
	if !ok {
		add(RuleInteger, Violation, sh.TypeLabel()+" written as an integer", "number "+n.String())
		return
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if sh.Format == "int32" {
		lo, hi = math.MinInt32, math.MaxInt32
	}
	if !bi.IsInt64() || bi.Int64() < lo || bi.Int64() > hi {
		add(RuleRange, Violation, fmt.Sprintf("%s within %d..%d", sh.TypeLabel(), lo, hi), n.String())
		return
	}
	checkBounds(sh, float64(bi.Int64()), n.String(), add)
}

// validateNumber validates a double: a JSON number a double holds, or an awsJson
// non-finite string, within the shape's bounds.
func validateNumber(sh *Shape, v any, add addFinding) {
	f, ok := ParseDouble(v)
	if n, isNum := v.(json.Number); !ok && isNum {
		// A JSON number a double cannot hold (1e400): the SDKs fail to decode it.
		// Reported as a type violation (the value is not a double), which the
		// suites' member-type check relies on.
		add(RuleType, Violation, sh.TypeLabel()+" (a JSON number within the range of a double)", "number "+n.String())
		return
	}
	if !ok {
		add(RuleType, Violation, sh.TypeLabel()+" (a JSON number, or \"NaN\", \"Infinity\", \"-Infinity\")", jsonType(v))
		return
	}
	checkBounds(sh, f, jsonType(v), add)
}

func checkBounds(sh *Shape, f float64, got string, add addFinding) {
	if sh.Minimum == nil && sh.Maximum == nil {
		return
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	if sh.Minimum != nil {
		lo = *sh.Minimum
	}
	if sh.Maximum != nil {
		hi = *sh.Maximum
	}
	if math.IsNaN(f) || f < lo || f > hi {
		add(RuleRange, Violation, fmt.Sprintf("a value within %g..%g", lo, hi), got)
	}
}

func validateUnion(sh *Shape, obj map[string]any, ptr string, fs *[]Finding) {
	var known, unknown []string
	for _, k := range sortedObjectKeys(obj) {
		switch {
		case k == "__type":
			*fs = append(*fs, Finding{Pointer: ptr + "/__type", Rule: RuleUnionType, Severity: Drift,
				Expected: "only union members (clients must ignore __type in a union, not every SDK does)", Got: "__type " + jsonType(obj[k]), Schema: sh.Pointer})
		case obj[k] == nil:
			// A null member is not set (the SDKs decode it as absent), but awsJson
			// omits unset members, so say so.
			*fs = append(*fs, Finding{Pointer: ptr + "/" + escapePointer(k), Rule: RuleNull, Severity: Drift,
				Expected: "union member " + k + " omitted when unset", Got: "null", Schema: sh.Pointer})
		case sh.Member(k) != nil:
			known = append(known, k)
		default:
			unknown = append(unknown, k)
		}
	}
	set := len(known) + len(unknown)
	if set != 1 {
		got := "no member set"
		if set > 1 {
			got = fmt.Sprintf("%d members set: %s", set, strings.Join(append(known, unknown...), ", "))
		}
		*fs = append(*fs, Finding{Pointer: ptr, Rule: RuleUnionCount, Severity: Violation,
			Expected: "exactly one member of union " + sh.Name + " (" + strings.Join(sh.Union.Members, ", ") + ")", Got: got, Schema: sh.Pointer})
	}
	for _, k := range unknown {
		sev := Drift
		if !sh.Union.Open {
			sev = Violation
		}
		*fs = append(*fs, Finding{Pointer: ptr + "/" + escapePointer(k), Rule: RuleUnionMember, Severity: sev,
			Expected: "a known member of union " + sh.Name + " (" + strings.Join(sh.Union.Members, ", ") + ")", Got: "unknown member " + k, Schema: sh.Pointer})
	}
	for _, k := range known {
		mb := sh.Member(k)
		validate(mb.Shape, obj[k], ptr+"/"+escapePointer(k), fs)
	}
}

func sortedObjectKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
