package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestUnionSingle(t *testing.T) {
	k := UnionSingle{Path: "/Request/Error"}
	failed := func(errorDetails any) *engine.Evidence {
		return answering(cancelAnswer("walk: cancel", request(reqID, "FAILED", "Error", errorDetails)))
	}
	runJudgeCases(t, []judgeCase{
		{name: "one known member passes", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": "conversion failed"}}),
			outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "one unknown member passes", kind: k, ev: failed(obj{"sqlErrorDetails": obj{"SqlState": "42P01"}}), outcome: reports.Pass},
		{name: "a null member beside the one set is not set", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": "m"}, "sqlErrorDetails": jsonNull}),
			outcome: reports.Pass},
		{name: "a describe answer's union is judged", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING")),
				describeAnswer("walk: describe", request(reqID, "FAILED", "Error", obj{}))),
			outcome: reports.Fail, shows: []string{"walk: describe"}, message: []string{`/Requests/0/Error in "walk: describe": no member is set`}},
		{name: "an empty union fails", kind: k, ev: failed(obj{}), outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"union ErrorDetails must carry exactly one member", `/Request/Error in "walk: cancel": no member is set ({})`, "omit ErrorDetails instead of sending it empty"}},
		{name: "a union of only __type fails", kind: k, ev: failed(obj{"__type": "com.amazonaws.dms#ErrorDetails"}), outcome: reports.Fail,
			message: []string{"no member is set"}},
		{name: "a union of only null members fails", kind: k, ev: failed(obj{"defaultErrorDetails": jsonNull}), outcome: reports.Fail,
			message: []string{"no member is set"}},
		{name: "two members fail", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": "m"}, "sqlErrorDetails": obj{"SqlState": "42P01"}}),
			outcome: reports.Fail, message: []string{"2 members are set (defaultErrorDetails, sqlErrorDetails): clients cannot tell which one holds"}},
		{name: "a union sent as a string fails", kind: k, ev: failed("conversion failed"), outcome: reports.Fail,
			message: []string{`the union is "conversion failed", not a JSON object`}},
		{name: "a null union is not a union value", kind: k, ev: failed(jsonNull), outcome: reports.Skipped,
			message: []string{"no observed answer carried /Request/Error"}},
		{name: "no Error observed is skipped", kind: k, ev: walked(), outcome: reports.Skipped,
			message: []string{"no observed answer carried /Request/Error (a target only sends it for failed requests)"}},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "a path that is not a union is a harness error", kind: UnionSingle{Path: "/Request/Status"}, ev: walked(), outcome: reports.Error,
			message: []string{"is not a union"}},
	})
}
