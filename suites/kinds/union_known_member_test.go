package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestUnionKnown(t *testing.T) {
	k := UnionKnown{Path: "/Request/Error", Member: "defaultErrorDetails"}
	failed := func(errorDetails any, kv ...any) *engine.Evidence {
		return answering(cancelAnswer("walk: cancel", request(reqID, "FAILED", append([]any{"Error", errorDetails}, kv...)...)))
	}
	typeInside := func() (*engine.Evidence, *engine.Sample) {
		c := cancelAnswer("walk: cancel", request(reqID, "FAILED", "Error", obj{"__type": "com.amazonaws.dms#ErrorDetails", "defaultErrorDetails": obj{"Message": "conversion failed"}}))
		return answering(c), c
	}
	runJudgeCases(t, []judgeCase{
		{name: "the known member decodes to the typed member", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": "conversion failed"}}),
			outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "an empty known member decodes", kind: k, ev: failed(obj{"defaultErrorDetails": obj{}}), outcome: reports.Pass},
		{name: "a failed request seen by the watch", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Watch.Describes = append(ev.Watch.Describes, describeAnswer("watch: describe a failed request", request(watchID, "FAILED", "Error", obj{"defaultErrorDetails": obj{"Message": "m"}})))
			}),
			outcome: reports.Pass, shows: []string{"watch: describe a failed request"}},
		{name: "__type beside the member is left to type-key-ignored, however the SDK decoded it", kind: k,
			ev: decodedAs(t, typeInside, func(c any) bool { return sdkMember(c, "/Request/Error") == spec.UnknownTag+":__type" }), outcome: reports.Skipped,
			message: []string{"every observed ErrorDetails carrying member defaultErrorDetails also carried __type, which ErrorDetails.type-key-ignored judges"}},
		{name: "an answer the SDK cannot decode fails", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": "m"}}, "Status", 5),
			outcome: reports.Fail, shows: []string{"walk: cancel"}, message: []string{`/Request/Error in "walk: cancel": the SDK returned no output`, "deserialization failed"}},
		{name: "a message that is not a string fails", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": 42}}),
			outcome: reports.Fail, message: []string{"the SDK returned no output"}},
		{name: "another member is not this check's", kind: k, ev: failed(obj{"sqlErrorDetails": obj{}}), outcome: reports.Skipped,
			message: []string{"no observed ErrorDetails carried member defaultErrorDetails"}},
		{name: "two members are left to single-member", kind: k, ev: failed(obj{"defaultErrorDetails": obj{}, "sqlErrorDetails": obj{}}), outcome: reports.Skipped},
		{name: "no failed request with a control surface is skipped", kind: k, ev: walked(withControl), outcome: reports.Skipped,
			message: []string{"a target only sends it for failed requests"}},
		{name: "no failed request, and nothing could make one fail: the failing project the user could pass", kind: k, ev: walked(),
			outcome: reports.Skipped, cause: causeNeedsFailing},
		{name: "the failing project's Error decodes", kind: k, ev: walked(failingRun), outcome: reports.Pass, shows: []string{"failing: describe"}},
		{name: "a member the model lacks is a harness error", kind: UnionKnown{Path: "/Request/Error", Member: "sqlErrorDetails"}, ev: walked(),
			outcome: reports.Error, message: []string{"has no union member sqlErrorDetails"}},
		{name: "a path that is not a union is a harness error", kind: UnionKnown{Path: "/Request/Progress", Member: "defaultErrorDetails"}, ev: walked(),
			outcome: reports.Error},
	})
}
