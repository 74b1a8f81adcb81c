package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestSDKDecodes(t *testing.T) {
	k := SDKDecodes{}
	runJudgeCases(t, []judgeCase{
		{name: "a conforming cancel answer decodes", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "an empty 200 decodes to an empty output", kind: k, ev: answering(raw(cancelOp, "walk: cancel", 200, "")), outcome: reports.Pass},
		{name: "an unknown union member decodes", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Error", obj{"sqlErrorDetails": obj{"SqlState": "42P01"}}))), outcome: reports.Pass},
		{name: "truncated JSON fails", kind: k, ev: answering(raw(cancelOp, "walk: cancel", 200, `{"Request":{"Status":"CANCELING",`)),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"aws-sdk-go-v2 could not decode answers", `"walk: cancel": HTTP 200 decoded to an error`, "unexpected EOF"}},
		{name: "Status as a number fails", kind: k, ev: answering(cancelAnswer("walk: cancel", request(reqID, "", "Status", 3))),
			outcome: reports.Fail, message: []string{"HTTP 200 decoded to an error", "expected String to be of type string"}},
		{name: "TotalObjects beyond int64 fails", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("CONVERTING", "TotalObjects", rawJSON("9223372036854775808"))))),
			outcome: reports.Fail, message: []string{"HTTP 200 decoded to an error"}},
		{name: "a scenario's cancel that does not decode fails", kind: k,
			ev: scenario(walked(), "held at CONVERTING", &engine.Solicitation{},
				cancelAnswer("scenario held at CONVERTING: cancel", request(reqID, "CANCELING", "Progress", "CONVERTING"))),
			outcome: reports.Fail, shows: []string{"scenario held at CONVERTING: cancel"}, message: []string{`"scenario held at CONVERTING: cancel": HTTP 200 decoded to an error`}},
		{name: "no successful cancel answer is skipped", kind: k, ev: walked(failedCancelWalk), outcome: reports.Skipped,
			message: []string{"no successful CancelMetadataModelConversion answer"}},
		{name: "blocked by a walk that could not start", kind: k, ev: walked(refusedStartWalk), outcome: reports.Skipped, cause: causeWalkStopped},
	})
}
