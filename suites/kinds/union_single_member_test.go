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
		{name: "a null union is not a union value", kind: k, ev: walked(withControl, func(ev *engine.Evidence) {
			ev.Walk.Cancel = cancelAnswer("walk: cancel", request(reqID, "FAILED", "Error", jsonNull))
		}), outcome: reports.Skipped, message: []string{"no observed answer carried /Request/Error"}},
		{name: "no Error observed with a control surface is skipped", kind: k, ev: walked(withControl), outcome: reports.Skipped,
			message: []string{"no observed answer carried /Request/Error (a target only sends it for failed requests)"}},
		{name: "no Error observed, and nothing could make a request fail: the failing project the user could pass", kind: k, ev: walked(),
			outcome: reports.Skipped, cause: causeNeedsFailing, message: []string{"--failing-project NAME_OR_ARN"}},
		{name: "the failing project's Error is judged", kind: k, ev: walked(failingRun), outcome: reports.Pass, shows: []string{"failing: describe"}},
		{name: "a failing project whose request succeeded says so", kind: k,
			ev: walked(failingRun, func(ev *engine.Evidence) {
				ev.Failing.Describes = ev.Failing.Describes[:2]
				ev.Failing.Describes = append(ev.Failing.Describes, describeAnswer("failing: describe", request(failingID, "SUCCESS")))
				ev.Failing.Final = "SUCCESS"
			}),
			outcome: reports.Skipped, cause: family + "/failing-unobserved",
			message: []string{"no failed request to judge in the failing project dmsconform-failing (--failing-project): its request " + failingID + " ended SUCCESS"}},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(withControl, unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "a path that is not a union is a harness error", kind: UnionSingle{Path: "/Request/Status"}, ev: walked(), outcome: reports.Error,
			message: []string{"is not a union"}},
	})
}
