package gosdk

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// Canon converts an SDK value (struct, pointer, union interface) into the canonical
// form of the model shape (spec.Canonical): maps keyed by model member names, strings,
// json.Number for integers and doubles (spec.CanonicalDouble), []any for lists, and
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
			f := v.FieldByName(FieldName(mb.Name))
			if !f.IsValid() {
				return nil, fmt.Errorf("%s: SDK type %s has no field %s for member %s: the model and the SDK disagree", sh.Name, v.Type(), FieldName(mb.Name), mb.Name)
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
			return spec.CanonicalDouble(v.Float()), nil
		}
	case spec.TypeBoolean:
		if v.Kind() == reflect.Bool {
			return v.Bool(), nil
		}
	}
	return nil, fmt.Errorf("%s: want %s, have SDK type %s", sh.Name, sh.TypeLabel(), v.Type())
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
		return map[string]any{spec.UnknownTag: v.FieldByName("Tag").String()}, nil
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
