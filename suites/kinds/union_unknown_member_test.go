package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestUnionUnknown(t *testing.T) {
	k := UnionUnknown{Path: "/Request/Error"}
	const future = "dmsconformFutureErrorDetails"
	asked := &engine.Solicitation{UnknownUnionMember: future}
	// The scenario run that asks the emulator for an unknown Error member.
	solicited := func(errorDetails any, kv ...any) *engine.Evidence {
		return scenario(walked(), "an unknown Error member", asked,
			describeAnswer("scenario an unknown Error member: describe", request(reqID, "FAILED", append([]any{"Error", errorDetails}, kv...)...)))
	}
	failed := func(errorDetails any) *engine.Evidence {
		return answering(cancelAnswer("walk: cancel", request(reqID, "FAILED", "Error", errorDetails)))
	}
	typeBeside := func() (*engine.Evidence, *engine.Sample) {
		ev := solicited(obj{"__type": "com.amazonaws.dms#ErrorDetails", future: obj{"Detail": "x"}})
		return ev, ev.Scenarios.Runs[0].Samples[0]
	}
	runJudgeCases(t, []judgeCase{
		{name: "a solicited unknown member surfaces with its tag", kind: k, ev: solicited(obj{future: obj{"Detail": "x"}}),
			outcome: reports.Pass, shows: []string{"scenario an unknown Error member: describe"}},
		{name: "an unknown member with a scalar value surfaces with its tag", kind: k, ev: solicited(obj{future: "x"}), outcome: reports.Pass},
		{name: "an unknown member nobody asked for is drift", kind: k, ev: failed(obj{"sqlErrorDetails": obj{"SqlState": "42P01"}}),
			outcome: reports.Drift, shows: []string{"walk: cancel"},
			message: []string{`/Request/Error in "walk: cancel" carries sqlErrorDetails, a member the model does not know`}},
		{name: "an answer the SDK cannot decode fails", kind: k, ev: solicited(obj{future: obj{}}, "Progress", progress("ANALYZING", "TotalObjects", "12")),
			outcome: reports.Fail, shows: []string{"scenario an unknown Error member: describe"},
			message: []string{"unknown members of ErrorDetails are not surfaced as the SDK's unknown-member type", "the SDK returned no output", "(want its unknown-member type)"}},
		{name: "__type beside the unknown member is left to type-key-ignored, however the SDK decoded it", kind: k,
			ev:      decodedAs(t, typeBeside, func(c any) bool { return sdkMember(c, "/Requests/0/Error") == spec.UnknownTag+":__type" }),
			outcome: reports.Pass},
		{name: "two unknown members are drift, and left to single-member", kind: k, ev: failed(obj{"aDetails": obj{}, "bDetails": obj{}}),
			outcome: reports.Drift, message: []string{"carries aDetails", "carries bDetails"}},
		{name: "an unknown member beside a known one is drift, and left to single-member", kind: k,
			ev: failed(obj{"defaultErrorDetails": obj{"Message": "m"}, "sqlErrorDetails": obj{}}), outcome: reports.Drift, message: []string{"carries sqlErrorDetails"}},
		{name: "a known member is not this check's", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": "m"}}), outcome: reports.Skipped,
			message: []string{"no observed ErrorDetails carried an unknown member"}},
		{name: "no Error is skipped", kind: k, ev: walked(), outcome: reports.Skipped, message: []string{"a control surface can solicit one"}},
		{name: "a path that is not a union is a harness error", kind: UnionUnknown{Path: "/Request/Status"}, ev: walked(), outcome: reports.Error},
	})
}
