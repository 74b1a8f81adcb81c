package jsonv

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestNumbersEqual(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"1", "1", true},
		{"1", "1.0", true},
		{"1", "1e0", true},
		{"1", "10e-1", true},
		{"1", "0.1e1", true},
		{"100", "1E2", true},
		{"100", "1e+2", true},
		{"0", "-0", true},
		{"0", "0.000", true},
		{"0", "0e99", true},
		{"-1.50", "-1.5", true},
		{"1", "-1", false},
		{"1", "2", false},
		{"0.1", "0.10000000000000001", false}, // the same float64, not the same decimal
		{"9007199254740993", "9007199254740992", false},
		{"9007199254740993", "9007199254740993.0", true},
		{"123456789012345678901234567890", "1.2345678901234567890123456789e29", true},
		{"1e400", "10e399", true},
		{"1e400", "1e401", false},
		{"1e99999999999999999999", "1e99999999999999999999", true}, // same text: equal
		{"1e99999999999999999999", "1e99999999999999999998", false},
		{"x", "x", true},
		{"x", "y", false},
		{"1x", "1", false},
		{"01", "1", true}, // not JSON's grammar, but the same decimal
	}
	for _, c := range cases {
		if got := NumbersEqual(json.Number(c.a), json.Number(c.b)); got != c.want {
			t.Errorf("NumbersEqual(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := NumbersEqual(json.Number(c.b), json.Number(c.a)); got != c.want {
			t.Errorf("NumbersEqual(%s, %s) = %v, want %v (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestDecode(t *testing.T) {
	v, err := Decode([]byte(` {"a": 9007199254740993, "b": [1.0, null]} `))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": json.Number("9007199254740993"), "b": []any{json.Number("1.0"), nil}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("Decode = %#v, want %#v", v, want)
	}
	for _, bad := range []string{``, `{`, `{} {}`, `1 2`, `{"a":1}x`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) has no error", bad)
		}
	}
}

func TestHasDuplicateKeys(t *testing.T) {
	cases := map[string]bool{
		`{"a":1,"b":2}`:                   false,
		`{"a":1,"a":2}`:                   true,
		`{"a":{"b":1},"b":{"b":1}}`:       false,
		`{"a":{"b":1,"b":2}}`:             true,
		`[{"a":1},{"a":1}]`:               false,
		`{"a":[{"x":1,"y":[1,{"x":2}]}]}`: false,
		`{"a":[1,{"k":1,"k":1}]}`:         true,
		`not json`:                        false,
	}
	for in, want := range cases {
		if got := HasDuplicateKeys([]byte(in)); got != want {
			t.Errorf("HasDuplicateKeys(%s) = %v, want %v", in, got, want)
		}
	}
}

func TestCompact(t *testing.T) {
	got := Compact(map[string]any{"b": "<uuid:1>", "a": []any{json.Number("1.0"), true, nil}})
	if want := `{"a":[1.0,true,null],"b":"<uuid:1>"}`; got != want {
		t.Errorf("Compact = %s, want %s", got, want)
	}
	if got := Compact(math.NaN()); got != "NaN" {
		t.Errorf("Compact(NaN) = %s, want NaN (written with %%v)", got)
	}
}

func TestTypeName(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, "null"}, {map[string]any{}, "object"}, {[]any{}, "array"}, {"", "string"}, {false, "boolean"},
		{json.Number("1"), "number"}, {1.5, "number"}, {7, "number"}, {int64(7), "number"}, {math.NaN(), "float64"},
	}
	for _, c := range cases {
		if got := TypeName(c.v); got != c.want {
			t.Errorf("TypeName(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func TestDiff(t *testing.T) {
	cases := []struct {
		name       string
		want, got  string
		o          Options
		difference []string // pointer change, in order
	}{
		{"equal", `{"a":[1,{"b":"x"}],"c":null}`, `{"c":null,"a":[1.0,{"b":"x"}]}`, Options{}, nil},
		{"a long beyond 2^53", `{"n":9007199254740993}`, `{"n":9007199254740992}`, Options{}, []string{"/n changed"}},
		{"1.0 is 1", `[1.0, 1e2]`, `[1, 100]`, Options{}, nil},
		{"a member only in want", `{"a":1,"b":2}`, `{"a":1}`, Options{}, []string{"/b removed"}},
		{"a member only in got", `{"a":1}`, `{"a":1,"b":2}`, Options{}, []string{"/b added"}},
		{"null is a value", `{"a":null}`, `{}`, Options{}, []string{"/a removed"}},
		{"another type", `{"a":"1"}`, `{"a":1}`, Options{}, []string{"/a type"}},
		{"members in sorted order, escaped", `{"z":1,"a/b":1,"m~":1}`, `{"z":2,"a/b":2,"m~":2}`, Options{}, []string{"/a~1b changed", "/m~0 changed", "/z changed"}},
		{"items by index", `[1,2,3]`, `[1,5]`, Options{}, []string{"/1 changed", "/2 removed"}},
		{"extra items", `[1]`, `[1,2]`, Options{}, []string{"/1 added"}},
		{"whole arrays of other lengths", `{"a":[1,2,3]}`, `{"a":[1,5]}`, Options{Arrays: Whole}, []string{"/a changed"}},
		{"whole arrays of one length", `{"a":[1,2]}`, `{"a":[1,5]}`, Options{Arrays: Whole}, []string{"/a/1 changed"}},
		{"arrays by presence", `{"a":[1,2]}`, `{"a":[]}`, Options{Arrays: Presence}, nil},
		{"the root", `1`, `"1"`, Options{}, []string{" type"}},
		{"strings by a rule", `{"a":"<uuid:1>"}`, `{"a":"<uuid:7>"}`, Options{Strings: func(a, b string) bool { return a[:5] == b[:5] }}, nil},
		{"a skipped place", `{"a":{"x":1},"b":1}`, `{"a":{"x":2},"b":2}`, Options{Skip: func(p Place) bool { return p.Pointer == "/a" }}, []string{"/b changed"}},
		{"skip sees both sides", `{"a":1}`, `{"b":1}`, Options{Skip: func(p Place) bool { return p.HasWant && !p.HasGot }}, []string{"/b added"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, d := range Diff(decode(t, c.want), decode(t, c.got), c.o) {
				got = append(got, d.Pointer+" "+string(d.Change))
			}
			if strings.Join(got, "; ") != strings.Join(c.difference, "; ") {
				t.Errorf("Diff = %q, want %q", got, c.difference)
			}
		})
	}
}

func TestDiffValues(t *testing.T) {
	ds := Diff(map[string]any{"a": json.Number("1"), "b": "x"}, map[string]any{"a": 2.5, "c": true}, Options{})
	want := []Difference{
		{Pointer: "/a", Change: Changed, Want: json.Number("1"), Got: 2.5},
		{Pointer: "/b", Change: Removed, Want: "x"},
		{Pointer: "/c", Change: Added, Got: true},
	}
	if !reflect.DeepEqual(ds, want) {
		t.Errorf("Diff = %#v, want %#v", ds, want)
	}
	if !Equal(map[string]any{"n": 3}, map[string]any{"n": json.Number("3.0")}) {
		t.Error("a Go int and the JSON number 3.0 differ")
	}
	if !Equal(math.NaN(), math.NaN()) {
		t.Error("a NaN float differs from itself")
	}
	if Equal(json.Number("0.1"), 0.10000000000000001) != true {
		t.Error("the float64 0.1 (shortest form 0.1) differs from the JSON number 0.1")
	}
}

func TestInteger(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" not an integer
	}{
		{"3", "3"}, {"-3", "-3"}, {"3.0", "3"}, {"3e0", "3"}, {"0.3e1", "3"}, {"-0", "0"}, {"0.0", "0"},
		{"1e+21", "1000000000000000000000"}, {"9.007199254740992e15", "9007199254740992"},
		{"9007199254740993", "9007199254740993"}, {"3.5", ""}, {"1e-1", ""}, {"x", ""},
		{"1e399", "1" + strings.Repeat("0", 399)}, {"1e400", ""}, {"1e999999999", ""},
	}
	for _, c := range cases {
		i, ok := Integer(json.Number(c.in))
		got := ""
		if ok {
			got = i.String()
		}
		if got != c.want {
			t.Errorf("Integer(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}
