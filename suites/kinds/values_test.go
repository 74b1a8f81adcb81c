package kinds

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func decode(t *testing.T, body string) any {
	t.Helper()
	v, err := jsonv.Decode([]byte(body))
	if err != nil {
		t.Fatalf("canned JSON %s: %v", body, err)
	}
	return v
}

func TestMapPath(t *testing.T) {
	ev := newEvidence()
	cancelOut, describeOut, startOut := ev.Cancel.Output, ev.Describe.Output, ev.Start.Output
	cases := []struct {
		name     string
		from, to *spec.Shape
		path     string
		want     string
		ok       bool
	}{
		{"the same shape keeps the path", cancelOut, cancelOut, "/Request/Progress/TotalObjects", "/Request/Progress/TotalObjects", true},
		{"the cancel's Request is the describe's Requests items", cancelOut, describeOut, "/Request/Status", "/Requests/*/Status", true},
		{"a deep member maps under the items", cancelOut, describeOut, "/Request/Progress/ProcessedObject/EndpointType", "/Requests/*/Progress/ProcessedObject/EndpointType", true},
		{"the Request itself maps to the items", cancelOut, describeOut, "/Request", "/Requests/*", true},
		{"an output without the shape has no such place", cancelOut, startOut, "/Request/Status", "", false},
		{"a member the cancel output lacks", cancelOut, describeOut, "/Requests/Status", "", false},
		{"the empty path", cancelOut, describeOut, "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := mapPath(c.from, c.to, c.path)
			if got != c.want || ok != c.ok {
				t.Errorf("mapPath(%s) = %q, %v; want %q, %v", c.path, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestValuesAt(t *testing.T) {
	describe := `{"Requests":[{"Status":"SUCCESS","Progress":{"ProgressStep":"FINISHED"}},{"Status":"CANCELED","Progress":null},{"Status":null}]}`
	cases := []struct {
		name string
		body string
		path string
		want map[string]any // pointer -> value
	}{
		{"a member of an object", `{"Request":{"Status":"CANCELING"}}`, "/Request/Status", map[string]any{"/Request/Status": "CANCELING"}},
		{"the root", `{"Request":{}}`, "", map[string]any{"": map[string]any{"Request": map[string]any{}}}},
		{"array items by index", describe, "/Requests/*/Status", map[string]any{"/Requests/0/Status": "SUCCESS", "/Requests/1/Status": "CANCELED", "/Requests/2/Status": nil}},
		{"a null leaf is returned with a nil value", `{"Request":{"Error":null}}`, "/Request/Error", map[string]any{"/Request/Error": nil}},
		{"nothing below a null member", describe, "/Requests/*/Progress/ProgressStep", map[string]any{"/Requests/0/Progress/ProgressStep": "FINISHED"}},
		{"an absent member", `{"Request":{"Status":"CANCELING"}}`, "/Request/Progress/ProgressStep", map[string]any{}},
		{"a * does not match an object", `{"Request":{"Status":"CANCELING"}}`, "/Request/*", map[string]any{}},
		{"a name does not match an array", `{"Request":[{"Status":"CANCELING"}]}`, "/Request/Status", map[string]any{}},
		{"a name does not match a string", `{"Request":"CANCELING"}`, "/Request/Status", map[string]any{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]any{}
			for _, l := range valuesAt(decode(t, c.body), c.path) {
				if _, dup := got[l.Pointer]; dup {
					t.Errorf("pointer %s found twice", l.Pointer)
				}
				got[l.Pointer] = l.Value
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("valuesAt(%s) = %v, want %v", c.path, got, c.want)
			}
		})
	}
}

func TestDiffWireSDK(t *testing.T) {
	m := loadModel()
	req := m.Shape("SchemaConversionRequest")
	if req == nil {
		t.Fatal("the model has no SchemaConversionRequest")
	}
	describeOut := m.Operation(describeOp).Output
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		name  string
		sh    *spec.Shape
		wire  string
		sdk   any
		wants []string // substrings, one per difference, in order ("" none)
	}{
		{"equal values", req, `{"Status":"CANCELING","Progress":{"TotalObjects":12,"ProgressPercent":42.5}}`,
			map[string]any{"Status": "CANCELING", "Progress": map[string]any{"TotalObjects": n("12"), "ProgressPercent": 42.5}}, nil},
		{"a string that differs", req, `{"Status":"CANCELING"}`, map[string]any{"Status": "CANCELED"},
			[]string{`/Status: the wire has "CANCELING", the SDK has "CANCELED"`}},
		{"an integer that differs beyond 2^53", req, `{"Progress":{"TotalObjects":9007199254740993}}`, map[string]any{"Progress": map[string]any{"TotalObjects": n("9007199254740992")}},
			[]string{"/Progress/TotalObjects: the wire has 9007199254740993, the SDK has 9007199254740992"}},
		// The value is the same integer (spec.Canonical reads a decimal string, as
		// fixtures carry a long); that the wire sends a string is member-type's finding.
		{"an integer written as a string", req, `{"Progress":{"TotalObjects":"12"}}`, map[string]any{"Progress": map[string]any{"TotalObjects": n("12")}}, nil},
		{"an integer written as 12.0", req, `{"Progress":{"TotalObjects":12.0}}`, map[string]any{"Progress": map[string]any{"TotalObjects": n("12")}}, nil},
		{"a double the SDK has in its shortest form", req, `{"Progress":{"ProgressPercent":0.10000000000000001}}`, map[string]any{"Progress": map[string]any{"ProgressPercent": 0.1}}, nil},
		{"a double that differs", req, `{"Progress":{"ProgressPercent":42.5}}`, map[string]any{"Progress": map[string]any{"ProgressPercent": 42.0}},
			[]string{"/Progress/ProgressPercent: the wire has 42.5, the SDK has 42"}},
		{"NaN equals NaN", req, `{"Progress":{"ProgressPercent":"NaN"}}`, map[string]any{"Progress": map[string]any{"ProgressPercent": math.NaN()}}, nil},
		{"Infinity as a string equals +Inf", req, `{"Progress":{"ProgressPercent":"Infinity"}}`, map[string]any{"Progress": map[string]any{"ProgressPercent": math.Inf(1)}}, nil},
		{"absent on the wire, set in the SDK", req, `{}`, map[string]any{"Status": "CANCELING"},
			[]string{`/Status: absent on the wire, but the SDK has "CANCELING"`}},
		{"an absent non-pointer member is zero in the SDK", req, `{"Progress":{}}`, map[string]any{"Progress": map[string]any{"TotalObjects": n("0")}}, nil},
		{"an absent non-pointer member that is not zero", req, `{"Progress":{}}`, map[string]any{"Progress": map[string]any{"TotalObjects": n("7")}},
			[]string{"/Progress/TotalObjects: absent on the wire, but the SDK has"}},
		{"set on the wire, nothing in the SDK", req, `{"MigrationProjectArn":"` + projectARN + `"}`, map[string]any{},
			[]string{`/MigrationProjectArn: the wire has "arn:aws:dms:us-east-1:123456789012:migration-project:dmsconform-project", the SDK has nothing`}},
		{"a null wire member counts as unset", req, `{"Status":null,"Error":null}`, map[string]any{}, nil},
		{"undeclared wire members are ignored", req, `{"Status":"CANCELING","Future":{"x":1}}`, map[string]any{"Status": "CANCELING"}, nil},
		{"an object the SDK has as something else", req, `{"Progress":{"ProgressStep":"CONVERTING"}}`, map[string]any{"Progress": "CONVERTING"},
			[]string{`/Progress: the wire has {"ProgressStep":"CONVERTING"}, the SDK has "CONVERTING"`}},
		{"the known union member", req, `{"Error":{"defaultErrorDetails":{"Message":"m"}}}`,
			map[string]any{"Error": map[string]any{"defaultErrorDetails": map[string]any{"Message": "m"}}}, nil},
		{"the known union member decoded as unknown", req, `{"Error":{"defaultErrorDetails":{"Message":"m"}}}`,
			map[string]any{"Error": map[string]any{spec.UnknownTag: "futureDetails"}},
			[]string{`/Error: the wire sets union member defaultErrorDetails, the SDK decoded unknown member with tag "futureDetails"`}},
		{"a union carrying __type is left to the union checks", req, `{"Error":{"__type":"x","defaultErrorDetails":{"Message":"m"}}}`,
			map[string]any{"Error": map[string]any{spec.UnknownTag: "__type"}}, nil},
		{"a message inside the union member that differs", req, `{"Error":{"defaultErrorDetails":{"Message":"m"}}}`,
			map[string]any{"Error": map[string]any{"defaultErrorDetails": map[string]any{"Message": "other"}}},
			[]string{`/Error/defaultErrorDetails/Message: the wire has "m", the SDK has "other"`}},
		{"an unknown union member with its tag", req, `{"Error":{"futureDetails":{"x":1}}}`, map[string]any{"Error": map[string]any{spec.UnknownTag: "futureDetails"}}, nil},
		{"an unknown union member decoded as nothing", req, `{"Error":{"futureDetails":{"x":1}}}`, map[string]any{"Error": map[string]any{}},
			[]string{`/Error: the wire sets unknown union member futureDetails, the SDK decoded nothing (nil) (want an unknown member with tag "futureDetails")`}},
		{"a union with two members is left to the union checks", req, `{"Error":{"defaultErrorDetails":{"Message":"m"},"futureDetails":{}}}`,
			map[string]any{"Error": map[string]any{spec.UnknownTag: "futureDetails"}}, nil},
		{"a union with no member is left to the union checks", req, `{"Error":{}}`, map[string]any{"Error": map[string]any{}}, nil},
		{"arrays item by item", describeOut, `{"Requests":[{"Status":"SUCCESS"},{"Status":"FAILED"}]}`,
			map[string]any{"Requests": []any{map[string]any{"Status": "SUCCESS"}, map[string]any{"Status": "CANCELED"}}},
			[]string{`/Requests/1/Status: the wire has "FAILED", the SDK has "CANCELED"`}},
		{"arrays of different lengths", describeOut, `{"Requests":[{"Status":"SUCCESS"},{"Status":"FAILED"}]}`,
			map[string]any{"Requests": []any{map[string]any{"Status": "SUCCESS"}}},
			[]string{"/Requests: the wire has 2 items, the SDK has 1"}},
		{"the root differs", req, `{"Status":"CANCELING"}`, "CANCELING", []string{`/: the wire has {"Status":"CANCELING"}, the SDK has "CANCELING"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := diffWireSDK(c.sh, decode(t, c.wire), c.sdk, "")
			if len(got) != len(c.wants) {
				t.Fatalf("%d differences, want %d:\n%s", len(got), len(c.wants), strings.Join(got, "\n"))
			}
			for i, w := range c.wants {
				if !strings.Contains(got[i], w) {
					t.Errorf("difference %d is %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}

func TestHistories(t *testing.T) {
	cancel := cancelAnswer("cancel", request(reqID, "CANCELING", "Progress", progress("CONVERTING")))
	samples := []*engine.Sample{
		describeAnswer("d1", request(reqID, "IN_PROGRESS", "Progress", progress("ANALYZING")), request(watchID, "RECEIVED")),
		describeAnswer("d2", request(reqID, "IN_PROGRESS", "Progress", progress("ANALYZING"))),
		cancel,
		faultAnswer(cancelOp, "a fault is not read", 400, "InvalidResourceStateFault", "m"),
		raw(describeOp, "a body that is not JSON is not read", 200, "<html>"),
		describeAnswer("d3", request(reqID, "CANCELED", "Progress", "CONVERTING"), request("", "SUCCESS"), request(watchID, "IN_PROGRESS")),
		describeAnswer("d4", request(reqID, "IN_PROGRESS", "Progress", jsonNull)),
	}
	h := histories(samples)
	wantStatuses := map[string][]string{
		reqID:   {"IN_PROGRESS", "CANCELING", "CANCELED", "IN_PROGRESS"},
		watchID: {"RECEIVED", "IN_PROGRESS"},
	}
	if !reflect.DeepEqual(h.Statuses, wantStatuses) {
		t.Errorf("statuses %v, want %v", h.Statuses, wantStatuses)
	}
	wantSteps := map[string][]string{reqID: {"ANALYZING", "CONVERTING"}}
	if !reflect.DeepEqual(h.Steps, wantSteps) {
		t.Errorf("steps %v, want %v", h.Steps, wantSteps)
	}
	if h.First[reqID] != samples[0] || h.First[watchID] != samples[0] || len(h.First) != 2 {
		t.Errorf("first samples %v, want d1 for both requests", h.First)
	}
}
