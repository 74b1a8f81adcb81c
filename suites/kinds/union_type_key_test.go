package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestUnionTypeKey(t *testing.T) {
	k := UnionTypeKey{Path: "/Request/Error"}
	const typ = "com.amazonaws.dms#ErrorDetails"
	failed := func(errorDetails any, kv ...any) *engine.Evidence {
		return answering(cancelAnswer("walk: cancel", request(reqID, "FAILED", append([]any{"Error", errorDetails}, kv...)...)))
	}
	beside := func(member string) func() (*engine.Evidence, *engine.Sample) {
		return func() (*engine.Evidence, *engine.Sample) {
			ev := failed(obj{"__type": typ, member: obj{"Message": "conversion failed"}})
			return ev, ev.Walk.Cancel
		}
	}
	decodedTo := func(want string) func(any) bool {
		return func(c any) bool { return sdkMember(c, "/Request/Error") == want }
	}
	runJudgeCases(t, []judgeCase{
		{name: "__type beside the known member, decoded right once and wrong when decoded again, fails", kind: k,
			ev:      decodedAs(t, beside("defaultErrorDetails"), decodedTo("defaultErrorDetails")),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"the SDK decoded unknown member with tag \"__type\" in decoding ", "aws-sdk-go-v2 reads a union's keys in map order"}},
		{name: "__type beside the known member, decoded as a member __type, fails", kind: k,
			ev:      decodedAs(t, beside("defaultErrorDetails"), decodedTo(spec.UnknownTag+":__type")),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"__type inside ErrorDetails was not ignored by the SDK",
				`the SDK decoded unknown member with tag "__type", want member defaultErrorDetails: clients must ignore __type inside a union (Smithy protocol test AwsJson11DeserializeIgnoreType)`}},
		{name: "__type beside an unknown member, decoded as a member __type, fails", kind: k,
			ev:      decodedAs(t, beside("sqlErrorDetails"), decodedTo(spec.UnknownTag+":__type")),
			outcome: reports.Fail, message: []string{`the SDK decoded unknown member with tag "__type", want unknown member "sqlErrorDetails" (__type must be ignored)`}},
		{name: "__type in an answer the SDK cannot decode fails", kind: k,
			ev:      failed(obj{"__type": typ, "defaultErrorDetails": obj{"Message": "m"}}, "RequestIdentifier", 7),
			outcome: reports.Fail, message: []string{`/Request/Error in "walk: cancel": the SDK returned no output`}},
		{name: "__type alone is drift, the empty union left to single-member", kind: k, ev: failed(obj{"__type": typ}),
			outcome: reports.Drift, shows: []string{"walk: cancel"}, message: []string{"carries __type inside the union"}},
		{name: "__type beside two members is drift, the union left to single-member", kind: k,
			ev: failed(obj{"__type": typ, "defaultErrorDetails": obj{}, "sqlErrorDetails": obj{}}), outcome: reports.Drift},
		{name: "a union without __type is skipped", kind: k, ev: failed(obj{"defaultErrorDetails": obj{"Message": "m"}}), outcome: reports.Skipped,
			message: []string{"no observed ErrorDetails carried __type"}},
		{name: "no Error is skipped", kind: k, ev: walked(), outcome: reports.Skipped},
		{name: "a path that is not a union is a harness error", kind: UnionTypeKey{Path: "/Request/Status"}, ev: walked(), outcome: reports.Error},
	})
	// An SDK that ignores __type: aws-sdk-go-v2 v1.64 does at random, so the cases
	// judge one decoding (the one decodedAs picked), not sdkRedecodes of them.
	defer func(n int) { sdkRedecodes = n }(sdkRedecodes)
	sdkRedecodes = 1
	runJudgeCases(t, []judgeCase{
		{name: "__type beside the known member, ignored by the SDK, is drift", kind: k,
			ev:      decodedAs(t, beside("defaultErrorDetails"), decodedTo("defaultErrorDetails")),
			outcome: reports.Drift, shows: []string{"walk: cancel"}, message: []string{`/Request/Error in "walk: cancel" carries __type inside the union`}},
		{name: "__type beside an unknown member, ignored by the SDK, is drift", kind: k,
			ev:      decodedAs(t, beside("sqlErrorDetails"), decodedTo(spec.UnknownTag+":sqlErrorDetails")),
			outcome: reports.Drift},
	})
}
