package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestSDKMatchesWire(t *testing.T) {
	k := SDKMatchesWire{}
	// A failed request's Error carrying __type beside its member: the Go SDK does not
	// skip __type (a known deviation) and decodes the union by map order.
	typeInside := func() (*engine.Evidence, *engine.Sample) {
		c := cancelAnswer("walk: cancel", request(reqID, "FAILED", "Error", obj{"__type": "com.amazonaws.dms#ErrorDetails", "defaultErrorDetails": obj{"Message": "conversion failed"}}))
		return answering(c), c
	}
	runJudgeCases(t, []judgeCase{
		{name: "a conforming cancel answer matches", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "every member set matches", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING",
				"Progress", progress("CONVERTING", "ProgressPercent", 42.5, "TotalObjects", rawJSON("9007199254740993"),
					"ProcessedObject", obj{"Name": "HR.EMPLOYEES", "Type": "TABLE", "EndpointType": "SOURCE"}),
				"ExportSqlDetails", obj{"S3ObjectKey": "k", "ObjectURL": "https://example.invalid/k"}))),
			outcome: reports.Pass},
		{name: "an absent TotalObjects is the SDK's zero", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("CONVERTING")))), outcome: reports.Pass},
		{name: "a known union member matches", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "FAILED", "Error", obj{"defaultErrorDetails": obj{"Message": "conversion failed"}}))), outcome: reports.Pass},
		{name: "an unknown union member matches the SDK's unknown member", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "FAILED", "Error", obj{"sqlErrorDetails": obj{"SqlState": "42P01"}}))), outcome: reports.Pass},
		{name: "NaN as a string matches", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("CONVERTING", "ProgressPercent", "NaN")))), outcome: reports.Pass},
		{name: "an empty 200 matches the SDK's empty output", kind: k, ev: answering(raw(cancelOp, "walk: cancel", 200, "")), outcome: reports.Pass},
		{name: "a null body matches the SDK's empty output", kind: k, ev: answering(raw(cancelOp, "walk: cancel", 200, "null")), outcome: reports.Pass},
		{name: "a null Request matches", kind: k, ev: answering(raw(cancelOp, "walk: cancel", 200, `{"Request":null}`)), outcome: reports.Pass},
		{name: "an answer the SDK cannot decode is left to sdk-decodes", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "", "Status", 3))), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "__type inside the union is left to the union checks, however the SDK decoded it", kind: k,
			ev:      decodedAs(t, typeInside, func(c any) bool { return sdkMember(c, "/Request/Error") == spec.UnknownTag+":__type" }),
			outcome: reports.Pass},
		{name: "no successful cancel answer is skipped", kind: k, ev: walked(failedCancelWalk), outcome: reports.Skipped,
			message: []string{"no successful CancelMetadataModelConversion answer"}},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
	})
}
