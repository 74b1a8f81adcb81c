package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestMemberType(t *testing.T) {
	runJudgeCases(t, append(memberTypeValues(), memberTypeSources()...))
}

var (
	statusType  = MemberType{Path: "/Request/Status"}
	totalType   = MemberType{Path: "/Request/Progress/TotalObjects"}
	percentType = MemberType{Path: "/Request/Progress/ProgressPercent"}
)

// cancellingWith is the walk's cancel answer: the request CANCELING with members kv.
func cancellingWith(kv ...any) *engine.Sample {
	return cancelAnswer("walk: cancel", request(reqID, "CANCELING", kv...))
}

// memberTypeValues: the values a member's type is judged on, and those it leaves to
// other checks.
func memberTypeValues() []judgeCase {
	status, total, percent, cancelling := statusType, totalType, percentType, cancellingWith
	return []judgeCase{
		{name: "a string member of the cancel answer passes", kind: status, ev: walked(),
			outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "a member only describe answers carry is judged there", kind: MemberType{Path: "/Request/Progress/ProcessedObject/EndpointType"}, ev: walked(),
			outcome: reports.Pass, shows: []string{"watch: describe"}},
		{name: "an integer and a double pass", kind: total, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "the union passes as an object", kind: MemberType{Path: "/Request/Error"},
			ev:      answering(cancelling("Error", obj{"defaultErrorDetails": obj{"Message": "conversion failed"}})),
			outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "only the last attempt counts", kind: status,
			ev: answering(retried(cancelling(),
				exchange(cancelOp, 400, `{"__type":"ThrottlingException","Status":3}`),
				exchange(cancelOp, 503, `<html>Service Unavailable</html>`, with("Content-Type", "text/html")))),
			outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "Status as a number fails", kind: status, ev: answering(cancelling("Status", 3)),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"/Request/Status is not string in 1 of 1 observed values", `/Request/Status in "walk: cancel" (via CancelMetadataModelConversion): expected string, got number 3`}},
		{name: "Request as a list fails", kind: MemberType{Path: "/Request"},
			ev:      answering(raw(cancelOp, "walk: cancel", 200, mustJSON(obj{"Request": []any{request(reqID, "CANCELING")}}))),
			outcome: reports.Fail, message: []string{"/Request in \"walk: cancel\"", "expected object SchemaConversionRequest, got array"}, shows: []string{"walk: cancel"}},
		{name: "Progress as a string fails", kind: MemberType{Path: "/Request/Progress"}, ev: answering(cancelling("Progress", "50%")),
			outcome: reports.Fail, message: []string{"expected object Progress", `got string "50%"`}},
		{name: "the union as a string fails", kind: MemberType{Path: "/Request/Error"}, ev: answering(cancelling("Error", "conversion failed")),
			outcome: reports.Fail, message: []string{"expected union ErrorDetails", `got string "conversion failed"`}},
		{name: "TotalObjects with a fraction fails", kind: total, ev: answering(cancelling("Progress", progress("CONVERTING", "TotalObjects", 12.5))),
			outcome: reports.Fail, message: []string{"/Request/Progress/TotalObjects", "written as an integer", "number 12.5"}},
		{name: "TotalObjects with an exponent fails", kind: total, ev: answering(cancelling("Progress", progress("CONVERTING", "TotalObjects", rawJSON("1.2e3")))),
			outcome: reports.Fail, message: []string{"written as an integer", "number 1.2e3"}},
		{name: "TotalObjects beyond int64 fails", kind: total, ev: answering(cancelling("Progress", progress("CONVERTING", "TotalObjects", rawJSON("9223372036854775808")))),
			outcome: reports.Fail, message: []string{"integer(int64) within", "9223372036854775808"}},
		{name: "TotalObjects as a string fails", kind: total, ev: answering(cancelling("Progress", progress("CONVERTING", "TotalObjects", "12"))),
			outcome: reports.Fail, message: []string{"expected integer(int64)", `got string "12"`}},
		{name: "ProgressPercent as a numeric string fails", kind: percent, ev: answering(cancelling("Progress", progress("CONVERTING", "ProgressPercent", "50"))),
			outcome: reports.Fail, message: []string{"/Request/Progress/ProgressPercent", `got string "50"`}},
		{name: "ProgressPercent beyond a double fails", kind: percent, ev: answering(cancelling("Progress", progress("CONVERTING", "ProgressPercent", rawJSON("1e400")))),
			outcome: reports.Fail, message: []string{"within the range of a double", "number 1e400"}},
		{name: "ProgressPercent as NaN is a double", kind: percent, ev: answering(cancelling("Progress", progress("CONVERTING", "ProgressPercent", "NaN"))),
			outcome: reports.Pass},
		{name: "ProgressPercent over its documented maximum is left to the range check", kind: percent,
			ev: answering(cancelling("Progress", progress("CONVERTING", "ProgressPercent", 150))), outcome: reports.Pass},
		{name: "an empty union is left to the union checks", kind: MemberType{Path: "/Request/Error"}, ev: answering(cancelling("Error", obj{})),
			outcome: reports.Pass},
		{name: "a nested member's type is left to its own check", kind: MemberType{Path: "/Request"}, ev: answering(cancelling("Status", 3)),
			outcome: reports.Pass},
	}
}

// memberTypeSources: which answers a member's type is judged in, and why a member no
// answer carried is skipped.
func memberTypeSources() []judgeCase {
	status, cancelling := statusType, cancellingWith
	return []judgeCase{
		{name: "a describe answer is judged when no cancel answer carries the member", kind: MemberType{Path: "/Request/Error"},
			ev:      answering(cancelling(), describeAnswer("walk: describe", request(reqID, "FAILED", "Error", "conversion failed"))),
			outcome: reports.Fail, shows: []string{"walk: describe"},
			message: []string{`/Requests/0/Error in "walk: describe" (via DescribeMetadataModelConversions (which returns the same shape))`}},
		{name: "describe answers are not consulted when a cancel answer carries the member", kind: status,
			ev:      answering(cancelling("Status", 3), describeAnswer("walk: describe", request(reqID, "CANCELED"))),
			outcome: reports.Fail, message: []string{"in 1 of 1 observed values"}},
		{name: "a null member is drift", kind: MemberType{Path: "/Request/Error"}, ev: answering(cancelling("Error", jsonNull)),
			outcome: reports.Drift, message: []string{`/Request/Error is null in "walk: cancel": awsJson 1.1 omits unset members`}, shows: []string{"walk: cancel"}},
		{name: "a fault answer is not a cancel answer", kind: status,
			ev: answering(faultAnswer(cancelOp, "walk: cancel", 400, "ResourceNotFoundFault", "no such request"),
				describeAnswer("walk: describe", request(reqID, "CANCELED"))),
			outcome: reports.Pass, shows: []string{"walk: describe"}},
		{name: "a member never sent is skipped", kind: MemberType{Path: "/Request/ExportSqlDetails/S3ObjectKey"}, ev: walked(),
			outcome: reports.Skipped, message: []string{"/Request/ExportSqlDetails/S3ObjectKey never appeared in the 9 answers observed"}},
		{name: "an Error member never sent without a failing project: the failing project the user could pass", kind: MemberType{Path: "/Request/Error/defaultErrorDetails/Message"},
			ev: walked(), outcome: reports.Skipped, cause: causeNeedsFailing},
		{name: "an Error member never sent with a control surface is skipped", kind: MemberType{Path: "/Request/Error"},
			ev: walked(withControl), outcome: reports.Skipped, message: []string{"/Request/Error never appeared in the 9 answers observed: nothing to check (a target only sends it for a failed request)"}},
		{name: "the failing project's Error is judged", kind: MemberType{Path: "/Request/Error/defaultErrorDetails/Message"},
			ev: walked(failingRun), outcome: reports.Pass, shows: []string{"failing: describe"}},
		{name: "nothing observed because the walk saw no running request", kind: MemberType{Path: "/Request/ExportSqlDetails"}, ev: walked(unobservedWalk),
			outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "nothing observed because the walk could not start", kind: MemberType{Path: "/Request/ExportSqlDetails"}, ev: walked(refusedStartWalk),
			outcome: reports.Skipped, cause: causeWalkStopped},
		{name: "nothing observed because the watch could not start", kind: MemberType{Path: "/Request/ExportSqlDetails"}, ev: walked(stoppedWatch),
			outcome: reports.Skipped, cause: causeWatchStopped},
		{name: "a path the model lacks is a harness error", kind: MemberType{Path: "/Request/Nope"}, ev: walked(),
			outcome: reports.Error, message: []string{"regenerate the suites"}},
	}
}
