package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestInputRejected(t *testing.T) {
	missing := InputRejected{Probe: "missing", Member: "RequestIdentifier"}
	wrongType := InputRejected{Probe: "wrong-type", Member: "MigrationProjectIdentifier"}
	maxLength := InputRejected{Probe: "max-length", Member: "MigrationProjectIdentifier"}
	const noID = "cancel without RequestIdentifier"
	noMember := func(status int, body string, hs ...hdr) *engine.Evidence {
		return probed(setInputs, "missing/RequestIdentifier", raw(cancelOp, noID, status, body, hs...))
	}
	validation := `{"__type":"ValidationException","message":"1 validation error detected: Value null at 'requestIdentifier' failed to satisfy constraint: Member must not be null"}`
	runJudgeCases(t, []judgeCase{
		{name: "a validation error passes", kind: missing, ev: noMember(400, validation), outcome: reports.Pass, shows: []string{noID}},
		{name: "an error code in X-Amzn-ErrorType only passes", kind: missing, ev: noMember(400, `{"message":"missing"}`, with("X-Amzn-ErrorType", "ValidationException")),
			outcome: reports.Pass},
		{name: "an error code under code passes", kind: missing, ev: noMember(400, `{"code":"InvalidParameterValueException","message":"m"}`), outcome: reports.Pass},
		{name: "a number for a string answered SerializationException passes", kind: wrongType,
			ev:      probed(setInputs, "wrong-type/MigrationProjectIdentifier", faultAnswer(cancelOp, "cancel with MigrationProjectIdentifier as a number", 400, "SerializationException", "")),
			outcome: reports.Pass, shows: []string{"cancel with MigrationProjectIdentifier as a number"}},
		{name: "a request without the member accepted fails", kind: missing, ev: noMember(200, mustJSON(obj{"Request": request("", "CANCELING")})),
			outcome: reports.Fail, shows: []string{noID},
			message: []string{noID + " was accepted (HTTP 200): RequestIdentifier is required, so it must be rejected with a client error"}},
		{name: "a number for a string accepted fails", kind: wrongType,
			ev:      probed(setInputs, "wrong-type/MigrationProjectIdentifier", cancelAnswer("cancel with MigrationProjectIdentifier as a number", request(reqID, "CANCELING"))),
			outcome: reports.Fail, message: []string{"MigrationProjectIdentifier is a string"}},
		{name: "a member over its maximum length looked up instead is drift", kind: maxLength,
			ev:      probed(setInputs, "max-length/MigrationProjectIdentifier", faultAnswer(cancelOp, "cancel with a 256-character MigrationProjectIdentifier", 400, "ResourceNotFoundFault", "no such project")),
			outcome: reports.Drift, message: []string{"got ResourceNotFoundFault, a fault of CancelMetadataModelConversion itself"}},
		{name: "a member over its maximum length accepted fails", kind: maxLength,
			ev:      probed(setInputs, "max-length/MigrationProjectIdentifier", cancelAnswer("cancel with a 256-character MigrationProjectIdentifier", request(reqID, "CANCELING"))),
			outcome: reports.Fail, message: []string{"MigrationProjectIdentifier is longer than its maximum length, so it must be rejected"}},
		{name: "a server error fails", kind: missing, ev: noMember(500, `{"__type":"InternalFailure","message":"NullPointerException"}`),
			outcome: reports.Fail, message: []string{noID + " got HTTP 500 InternalFailure: a server error, want a 4xx client error (RequestIdentifier is required)"}},
		{name: "an HTML 500 from a target not known to speak JSON fails", kind: missing,
			ev: func() *engine.Evidence {
				ev := probed(setInputs, "missing/RequestIdentifier", motoHTML500(cancelOp, noID))
				ev.Facts.ServiceJSON = false
				return ev
			}(),
			outcome: reports.Fail, message: []string{"got HTTP 500", "a server error"}},
		{name: "a redirect fails", kind: missing, ev: noMember(302, "", with("Location", "https://example.invalid/"), without("Content-Type")),
			outcome: reports.Fail, message: []string{noID + " got HTTP 302, want a 4xx client error"}},
		{name: "a 400 without an error code fails", kind: missing, ev: noMember(400, `{"message":"RequestIdentifier is required"}`),
			outcome: reports.Fail, message: []string{"got HTTP 400 without an error code (no X-Amzn-ErrorType, __type or code): clients cannot tell what went wrong"}},
		{name: "a fault of the operation itself is drift", kind: missing, ev: noMember(400, `{"__type":"ResourceNotFoundFault","message":"no conversion request"}`),
			outcome: reports.Drift, shows: []string{noID},
			message: []string{noID + " got ResourceNotFoundFault, a fault of CancelMetadataModelConversion itself: the target looked the request up instead of rejecting the invalid input"}},
		{name: "moto's HTML 500 is unimplemented", kind: missing, ev: probed(setInputs, "missing/RequestIdentifier", motoHTML500(cancelOp, noID)),
			outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "a probe missing from the evidence is a harness error", kind: missing, ev: probed(setInputs, "missing/MigrationProjectIdentifier", raw(cancelOp, "x", 400, validation)),
			outcome: reports.Error, message: []string{"no missing probe of RequestIdentifier in the evidence"}},
	})
}
