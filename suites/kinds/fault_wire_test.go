package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestFaultWireResourceNotFound(t *testing.T) {
	k := FaultWire{Fault: "ResourceNotFoundFault"}
	rnf := func(status int, body string, hs ...hdr) *engine.Evidence {
		return notFound(unknownRequestAnswer(status, body, hs...), unknownProjectFault())
	}
	const body = `{"__type":"ResourceNotFoundFault","message":"no such request"}`
	runJudgeCases(t, []judgeCase{
		{name: "both provocations answered as modeled pass", kind: k, ev: notFound(unknownRequestFault(), unknownProjectFault()),
			outcome: reports.Pass, shows: []string{"cancel an unknown request", "cancel in an unknown project"}},
		{name: "a namespaced __type passes", kind: k, ev: rnf(400, `{"__type":"com.amazonaws.dms#ResourceNotFoundFault","message":"m"}`), outcome: reports.Pass},
		{name: "a __type with a URI suffix passes", kind: k, ev: rnf(400, `{"__type":"ResourceNotFoundFault:http://internal.amazon.com/coral/com.amazonaws.dms/","message":"m"}`), outcome: reports.Pass},
		{name: "a matching X-Amzn-ErrorType passes", kind: k, ev: rnf(400, body, with("X-Amzn-ErrorType", "ResourceNotFoundFault:http://internal.amazon.com/coral/com.amazonaws.dms/")), outcome: reports.Pass},
		{name: "Content-Type with a charset passes", kind: k, ev: rnf(400, body, with("Content-Type", jsonCT+"; charset=utf-8")), outcome: reports.Pass},
		{name: "the request id under X-Amz-Requestid passes", kind: k, ev: rnf(400, body, without("X-Amzn-Requestid"), with("X-Amz-Requestid", "r-1")), outcome: reports.Pass},
		{name: "only the last attempt counts", kind: k,
			ev:      notFound(retried(unknownRequestFault(), exchange(cancelOp, 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)), unknownProjectFault()),
			outcome: reports.Pass},
		{name: "a success fails", kind: k, ev: rnf(200, mustJSON(obj{"Request": request("dmsconform-00000000", "CANCELING")})),
			outcome: reports.Fail, shows: []string{"cancel an unknown request"},
			message: []string{"the wire does not carry ResourceNotFoundFault as modeled", "cancel an unknown request: HTTP 200 success, want ResourceNotFoundFault (HTTP 400)"}},
		{name: "HTTP 404 fails", kind: k, ev: rnf(404, body), outcome: reports.Fail,
			message: []string{"cancel an unknown request: HTTP status is 404, the model says ResourceNotFoundFault is 400"}},
		{name: "HTTP 500 with the fault's body fails", kind: k, ev: rnf(500, body), outcome: reports.Fail, message: []string{"HTTP status is 500"}},
		{name: "a body that is not JSON fails", kind: k, ev: rnf(400, "Resource not found", with("X-Amzn-ErrorType", "ResourceNotFoundFault")),
			outcome: reports.Fail, message: []string{"the body is not JSON", `"Resource not found"`}},
		{name: "the fault only in X-Amzn-ErrorType is drift (the protocol allows it, recommends __type)", kind: k, ev: rnf(400, `{"message":"no such request"}`, with("X-Amzn-ErrorType", "ResourceNotFoundFault")),
			outcome: reports.Drift, message: []string{"the body has no __type (the error type is only in X-Amzn-ErrorType)", "clients that read only the body (botocore) cannot tell the fault is ResourceNotFoundFault"}},
		{name: "the fault under code instead of __type is drift", kind: k, ev: rnf(400, `{"code":"ResourceNotFoundFault","message":"m"}`),
			outcome: reports.Drift, message: []string{"the body has no __type (the error type is only in the body's code)"}},
		{name: "no error type at all fails", kind: k, ev: rnf(400, `{"message":"m"}`),
			outcome: reports.Fail, message: []string{"no error type at all (no X-Amzn-ErrorType, no __type, no code)"}},
		{name: "another fault under code fails", kind: k, ev: rnf(400, `{"code":"InvalidResourceStateFault","message":"m"}`),
			outcome: reports.Fail, message: []string{`the error type "InvalidResourceStateFault" sanitises to "InvalidResourceStateFault", want "ResourceNotFoundFault"`}},
		{name: "another fault's __type fails", kind: k, ev: rnf(400, `{"__type":"InvalidResourceStateFault","message":"m"}`),
			outcome: reports.Fail, message: []string{`__type "InvalidResourceStateFault" sanitises to "InvalidResourceStateFault", want "ResourceNotFoundFault"`}},
		{name: "an exception name instead of the fault fails", kind: k, ev: rnf(400, `{"__type":"com.amazonaws.dms#ResourceNotFoundException","message":"m"}`),
			outcome: reports.Fail, message: []string{`sanitises to "ResourceNotFoundException"`}},
		{name: "X-Amzn-ErrorType that disagrees with the body fails", kind: k, ev: rnf(400, body, with("X-Amzn-ErrorType", "InvalidResourceStateFault")),
			outcome: reports.Fail, message: []string{`X-Amzn-ErrorType "InvalidResourceStateFault" disagrees with the fault ResourceNotFoundFault (Go resolves the header first, botocore the body)`}},
		{name: "no message fails", kind: k, ev: rnf(400, `{"__type":"ResourceNotFoundFault"}`),
			outcome: reports.Fail, message: []string{`the body has no "message" (nor "Message") string`}},
		{name: "a message that is not a string fails", kind: k, ev: rnf(400, `{"__type":"ResourceNotFoundFault","message":{"text":"m"}}`),
			outcome: reports.Fail, message: []string{`no "message" (nor "Message") string`}},
		{name: "Content-Type application/json fails", kind: k, ev: rnf(400, body, with("Content-Type", "application/json")),
			outcome: reports.Fail, message: []string{`Content-Type is "application/json", want application/x-amz-json-1.1`}},
		{name: "no Content-Type fails", kind: k, ev: rnf(400, body, without("Content-Type")), outcome: reports.Fail, message: []string{`Content-Type is ""`}},
		{name: "no request id is drift (the protocol does not require one)", kind: k, ev: rnf(400, body, without("X-Amzn-Requestid")),
			outcome: reports.Drift, message: []string{"no x-amzn-RequestId header"}},
		{name: "every difference is listed", kind: k, ev: rnf(404, `{"Message":"m"}`, with("Content-Type", "application/json"), without("X-Amzn-Requestid")),
			outcome: reports.Fail, message: []string{"HTTP status is 404", "no error type at all", "Content-Type is"}},
		{name: "the unknown project is judged too", kind: k,
			ev:      notFound(unknownRequestFault(), raw(cancelOp, "cancel in an unknown project", 400, `{"__type":"ValidationException","message":"bad project"}`)),
			outcome: reports.Fail, shows: []string{"cancel in an unknown project"}, message: []string{`cancel in an unknown project: __type "ValidationException"`}},
		{name: "the message under Message is drift", kind: k, ev: rnf(400, `{"__type":"ResourceNotFoundFault","Message":"no such request"}`),
			outcome: reports.Drift, shows: []string{"cancel an unknown request"},
			message: []string{`cancel an unknown request: the message is under "Message"; the model's member is "message" (clients accept both)`}},
		{name: "moto's HTML 500 is unimplemented", kind: k, ev: notFound(motoHTML500(cancelOp, "cancel an unknown request"), motoHTML500(cancelOp, "cancel in an unknown project")),
			outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "a missing provocation is a harness error", kind: k,
			ev: func() *engine.Evidence {
				ev := notFound(unknownRequestFault(), unknownProjectFault())
				ev.NotFound.Probes = ev.NotFound.Probes[:1]
				return ev
			}(),
			outcome: reports.Error, message: []string{"the ResourceNotFoundFault provocation is missing from the evidence"}},
		{name: "a fault the model lacks is a harness error", kind: FaultWire{Fault: "NoSuchFault"}, ev: walked(), outcome: reports.Error},
		{name: "a fault no script provokes is skipped", kind: FaultWire{Fault: "KMSKeyNotAccessibleFault"}, ev: walked(), outcome: reports.Skipped,
			message: []string{"this harness knows no way to provoke KMSKeyNotAccessibleFault from CancelMetadataModelConversion"}},
	})
}

func TestFaultWireInvalidResourceState(t *testing.T) {
	k := FaultWire{Fault: "InvalidResourceStateFault"}
	second := func(smp *engine.Sample) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { ev.Walk.SecondCancel = smp })
	}
	noSecond := func(change func(*engine.WalkEvidence)) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { ev.Walk.SecondCancel, ev.Walk.Waiter = nil, nil; change(ev.Walk) })
	}
	runJudgeCases(t, []judgeCase{
		{name: "the second cancel refused as modeled passes", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel again"}},
		{name: "a second cancel answered CANCELED is lifecycle.second-cancel's (an inference)", kind: k, ev: second(cancelAnswer("walk: cancel again", request(reqID, "CANCELED"))),
			outcome: reports.Skipped, shows: []string{"walk: cancel again"},
			message: []string{"no cancel of an ended request was refused with InvalidResourceStateFault (walk: cancel again of request " + reqID + ": HTTP 200): lifecycle.second-cancel (a SHOULD, inferred) reports it"}},
		{name: "a second cancel refused with another fault is lifecycle.second-cancel's", kind: k,
			ev:      second(faultAnswer(cancelOp, "walk: cancel again", 400, "ValidationException", "nope")),
			outcome: reports.Skipped, message: []string{"was refused with InvalidResourceStateFault (walk: cancel again of request " + reqID + ": HTTP 400 ValidationException: nope)"}},
		{name: "the failing project's ended request is a second provocation", kind: k, ev: walked(failingRun),
			outcome: reports.Pass, shows: []string{"walk: cancel again", "failing: cancel the ended request"}},
		{name: "the failing project's cancel is judged when the walk's was accepted", kind: k,
			ev: walked(failingRun, func(ev *engine.Evidence) {
				ev.Walk.SecondCancel = cancelAnswer("walk: cancel again", request(reqID, "CANCELED"))
			}),
			outcome: reports.Pass, shows: []string{"failing: cancel the ended request"}},
		{name: "the failing project's cancel is judged when the walk has none", kind: k,
			ev:      walked(failingRun, func(ev *engine.Evidence) { ev.Walk.SecondCancel = nil }),
			outcome: reports.Pass, shows: []string{"failing: cancel the ended request"}},
		{name: "the failing project's cancel with HTTP 200 and the fault fails", kind: k,
			ev: walked(failingRun, func(ev *engine.Evidence) {
				ev.Failing.Cancel = faultAnswer(cancelOp, "failing: cancel the ended request", 200, "InvalidResourceStateFault", "already FAILED")
			}),
			outcome: reports.Fail, message: []string{"failing: cancel the ended request", "HTTP status is 200"}},
		{name: "a failing project's request that did not end says why", kind: k,
			ev: walked(failingRun, func(ev *engine.Evidence) {
				ev.Walk.SecondCancel = nil
				ev.Failing.Cancel, ev.Failing.TimedOut, ev.Failing.Final, ev.Failing.Undocumented = nil, true, "CANCELLED", "CANCELLED"
			}),
			outcome: reports.Skipped, message: []string{`the failing project: request ` + failingID + ` did not end within the lifecycle timeout (last seen "CANCELLED"; it waited on Status "CANCELLED", which the documentation does not list)`}},
		{name: "the fault sent with HTTP 200 fails", kind: k,
			ev:      second(faultAnswer(cancelOp, "walk: cancel again", 200, "InvalidResourceStateFault", "already CANCELED")),
			outcome: reports.Fail, message: []string{"HTTP status is 200, the model says InvalidResourceStateFault is 400"}},
		{name: "a second cancel answered 409 fails", kind: k,
			ev:      second(faultAnswer(cancelOp, "walk: cancel again", 409, "InvalidResourceStateFault", "already CANCELED")),
			outcome: reports.Fail, message: []string{"HTTP status is 409"}},
		{name: "the second cancel of moto is unimplemented", kind: k, ev: second(motoHTML500(cancelOp, "walk: cancel again")),
			outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "no second cancel after a walk that stopped is skipped", kind: k,
			ev: noSecond(func(w *engine.WalkEvidence) {
				w.Stopped = "DescribeMetadataModelConversions of request x failed: HTTP 500"
			}),
			outcome: reports.Skipped, message: []string{"no request reached a terminal state to cancel again (the walk: DescribeMetadataModelConversions of request x failed"}},
		{name: "no second cancel after a walk that saw no running request is skipped", kind: k, ev: blocked(unobservedWalk),
			outcome: reports.Skipped, message: []string{"before its cancel landed"}},
		{name: "no second cancel after a failed cancel is skipped", kind: k, ev: blocked(failedCancelWalk),
			outcome: reports.Skipped, message: []string{"the cancel of the running request failed (HTTP 400 ResourceNotFoundFault: no conversion request"}},
		{name: "no second cancel after a timeout is skipped", kind: k,
			ev:      noSecond(func(w *engine.WalkEvidence) { w.TimedOut, w.Timeout, w.Final = true, "10m0s", "CANCELING" }),
			outcome: reports.Skipped, message: []string{`the cancelled request did not reach a documented terminal status (last seen "CANCELING")`}},
		{name: "no second cancel and no reason is skipped", kind: k, ev: noSecond(func(*engine.WalkEvidence) {}),
			outcome: reports.Skipped, message: []string{"the walk ended early"}},
	})
}

func TestFaultWireAccessDenied(t *testing.T) {
	k := FaultWire{Fault: "AccessDeniedFault"}
	const msg = "User: arn:aws:iam::123456789012:user/dmsconform-denied is not authorized to perform: dms:CancelMetadataModelConversion"
	runJudgeCases(t, []judgeCase{
		{name: "the denied principal refused as modeled passes", kind: k,
			ev:      deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 400, "AccessDeniedFault", msg)),
			outcome: reports.Pass, shows: []string{"cancel as a denied principal"},
			message: []string{"the target answered the denied caller with the modelled AccessDeniedFault"}},
		{name: "IAM's AccessDeniedException passes, and the verdict says so", kind: k,
			ev:      deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 400, "AccessDeniedException", msg)),
			outcome: reports.Pass, message: []string{"the target answered the denied caller with AccessDeniedException (IAM's denial of the caller"}},
		{name: "AccessDeniedException with a URI suffix in the header passes", kind: k,
			ev: deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 400, "AccessDeniedException", msg,
				with("X-Amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/"))),
			outcome: reports.Pass},
		{name: "another denial code fails", kind: k,
			ev:      deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 400, "UnauthorizedOperation", msg)),
			outcome: reports.Fail, message: []string{`__type "UnauthorizedOperation" sanitises to "UnauthorizedOperation", want "AccessDeniedFault" or "AccessDeniedException"`}},
		{name: "a 403 fails", kind: k,
			ev:      deniedBy(faultAnswer(cancelOp, "cancel as a denied principal", 403, "AccessDeniedFault", msg)),
			outcome: reports.Fail, message: []string{"HTTP status is 403, the model says AccessDeniedFault is 400"}},
		{name: "the denied principal's cancel accepted fails", kind: k,
			ev:      deniedBy(cancelAnswer("cancel as a denied principal", request(reqID, "CANCELING"))),
			outcome: reports.Fail, message: []string{"HTTP 200 success, want AccessDeniedFault or AccessDeniedException"}},
	})
}
