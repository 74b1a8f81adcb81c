package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// UnknownKey marks an SDK's unknown union member in canonical values.
const UnknownKey = "$unknown"

const unknownKey = UnknownKey

// Canon converts an SDK value (struct, pointer, union interface) into the canonical
// JSON-like form of the model shape: maps keyed by model member names, strings,
// json.Number for integers, float64 for doubles, []any for lists, and
// {"$unknown": tag} for an SDK's unknown union member. It walks the model: member M
// of a structure is the exported field M (first letter upper case), a union is an
// interface holding *<Union>Member<Member>{Value} or *types.UnknownUnionMember{Tag}.
// An unset value is nil; an SDK value that does not fit the model is an error naming
// the shape, so model/SDK disagreements never pass silently.
func Canon(sh *spec.Shape, v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, nil
		}
		if v.Kind() == reflect.Interface && sh != nil && sh.Union != nil {
			return canonUnion(sh, v.Elem())
		}
		v = v.Elem()
	}
	if sh == nil {
		return nil, fmt.Errorf("no model shape for the SDK value of type %s", v.Type())
	}
	switch sh.Type {
	case spec.TypeObject:
		if v.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%s: want a struct, have %s", sh.Name, v.Type())
		}
		m := map[string]any{}
		for _, mb := range sh.Members {
			f := v.FieldByName(sdkFieldName(mb.Name))
			if !f.IsValid() {
				return nil, fmt.Errorf("%s: SDK type %s has no field %s for member %s: the model and the SDK disagree", sh.Name, v.Type(), sdkFieldName(mb.Name), mb.Name)
			}
			cv, err := Canon(mb.Shape, f)
			if err != nil {
				return nil, err
			}
			if cv != nil {
				m[mb.Name] = cv
			}
		}
		return m, nil
	case spec.TypeArray:
		if v.Kind() != reflect.Slice {
			return nil, fmt.Errorf("%s: want a slice, have %s", sh.Name, v.Type())
		}
		if v.IsNil() {
			return nil, nil
		}
		arr := make([]any, v.Len())
		for i := range arr {
			cv, err := Canon(sh.Items, v.Index(i))
			if err != nil {
				return nil, err
			}
			arr[i] = cv
		}
		return arr, nil
	case spec.TypeString:
		if v.Kind() == reflect.String {
			return v.String(), nil
		}
	case spec.TypeInteger:
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return json.Number(strconv.FormatInt(v.Int(), 10)), nil
		}
	case spec.TypeNumber:
		if v.Kind() == reflect.Float64 || v.Kind() == reflect.Float32 {
			return v.Float(), nil
		}
	case spec.TypeBoolean:
		if v.Kind() == reflect.Bool {
			return v.Bool(), nil
		}
	}
	return nil, fmt.Errorf("%s: want %s, have SDK type %s", sh.Name, sh.TypeLabel(), v.Type())
}

func sdkFieldName(member string) string {
	if member == "" {
		return member
	}
	return strings.ToUpper(member[:1]) + member[1:]
}

func canonUnion(sh *spec.Shape, v reflect.Value) (any, error) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	t := v.Type().Name()
	if t == "UnknownUnionMember" {
		return map[string]any{unknownKey: v.FieldByName("Tag").String()}, nil
	}
	prefix := sh.Name + "Member"
	for _, name := range sh.Union.Members {
		if strings.EqualFold(t, prefix+name) {
			f := v.FieldByName("Value")
			if !f.IsValid() {
				return nil, fmt.Errorf("%s: union member type %s has no Value field", sh.Name, v.Type())
			}
			val, err := Canon(sh.Member(name).Shape, f)
			if err != nil {
				return nil, err
			}
			if val == nil {
				val = map[string]any{}
			}
			return map[string]any{name: val}, nil
		}
	}
	return nil, fmt.Errorf("%s: SDK union member type %s matches no member of the model (%s)", sh.Name, v.Type(), strings.Join(sh.Union.Members, ", "))
}

// SDKUnionMember describes what the SDK produced for a union: the member name, the
// unknown tag, or the Go type when it is neither.
func SDKUnionMember(sh *spec.Shape, v any) string {
	cv, ok := v.(map[string]any)
	if !ok || len(cv) == 0 {
		return "nothing (nil)"
	}
	for k, x := range cv {
		if k == unknownKey {
			return fmt.Sprintf("unknown member with tag %q", x)
		}
		return "member " + k
	}
	return ""
}

// Diff compares a wire value (from spec.DecodeJSON) with the canonical SDK value of
// the same shape and lists the differences at JSON pointers. Undeclared wire members
// are ignored (the shape checks report them); null wire members count as unset;
// unions with other than one member are compared by the union checks, not here.
func Diff(sh *spec.Shape, wire, sdk any, ptr string) []string {
	var out []string
	diff(sh, wire, sdk, ptr, &out)
	sort.Strings(out)
	return out
}

func diff(sh *spec.Shape, wire, sdk any, ptr string, out *[]string) {
	at := ptr
	if at == "" {
		at = "/"
	}
	add := func(format string, args ...any) { *out = append(*out, at+": "+fmt.Sprintf(format, args...)) }
	if wire == nil {
		if sdk != nil && !(sh.SDKNonPointer && isZero(sdk)) {
			add("absent on the wire, but the SDK has %s", show(sdk))
		}
		return
	}
	if sdk == nil {
		add("the wire has %s, the SDK has nothing", show(wire))
		return
	}
	switch sh.Type {
	case spec.TypeObject:
		w, ok1 := wire.(map[string]any)
		s, ok2 := sdk.(map[string]any)
		if !ok1 || !ok2 {
			add("the wire has %s, the SDK has %s", show(wire), show(sdk))
			return
		}
		if sh.Union != nil {
			var set []string
			for k, v := range w {
				if v != nil && k != "__type" {
					set = append(set, k)
				}
			}
			if len(set) != 1 {
				return
			}
			k := set[0]
			if mb := sh.Member(k); mb != nil {
				sv, has := s[k]
				if !has {
					add("the wire sets union member %s, the SDK decoded %s", k, SDKUnionMember(sh, s))
					return
				}
				diff(mb.Shape, w[k], sv, ptr+"/"+k, out)
				return
			}
			if s[unknownKey] != k {
				add("the wire sets unknown union member %s, the SDK decoded %s (want an unknown member with tag %q)", k, SDKUnionMember(sh, s), k)
			}
			return
		}
		for _, mb := range sh.Members {
			diff(mb.Shape, w[mb.Name], s[mb.Name], ptr+"/"+mb.Name, out)
		}
	case spec.TypeArray:
		w, ok1 := wire.([]any)
		s, ok2 := sdk.([]any)
		if !ok1 || !ok2 {
			add("the wire has %s, the SDK has %s", show(wire), show(sdk))
			return
		}
		if len(w) != len(s) {
			add("the wire has %d items, the SDK has %d", len(w), len(s))
			return
		}
		for i := range w {
			diff(sh.Items, w[i], s[i], fmt.Sprintf("%s/%d", ptr, i), out)
		}
	case spec.TypeInteger:
		wn, ok := wire.(json.Number)
		sn, ok2 := sdk.(json.Number)
		if !ok || !ok2 {
			add("the wire has %s, the SDK has %s", show(wire), show(sdk))
			return
		}
		wb, okw := new(big.Int).SetString(wn.String(), 10)
		sb, _ := new(big.Int).SetString(sn.String(), 10)
		if !okw || sb == nil || wb.Cmp(sb) != 0 {
			add("the wire has %s, the SDK has %s", wn, sn)
		}
	case spec.TypeNumber:
		wf, ok := spec.ParseDouble(wire)
		sf, ok2 := sdk.(float64)
		if !ok || !ok2 {
			add("the wire has %s, the SDK has %s", show(wire), show(sdk))
			return
		}
		if !(wf == sf || math.IsNaN(wf) && math.IsNaN(sf)) {
			add("the wire has %s, the SDK has %v", show(wire), sf)
		}
	default:
		if !reflect.DeepEqual(wire, sdk) {
			add("the wire has %s, the SDK has %s", show(wire), show(sdk))
		}
	}
}

func isZero(v any) bool {
	switch x := v.(type) {
	case json.Number:
		return x.String() == "0"
	case float64:
		return x == 0
	}
	return false
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return truncate(string(b), 200)
}
