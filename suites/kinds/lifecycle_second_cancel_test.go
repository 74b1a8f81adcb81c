package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestSecondCancel(t *testing.T) {
	k := SecondCancel{}
	const again = "walk: cancel again"
	second := func(smp *engine.Sample) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { ev.Walk.SecondCancel = smp })
	}
	runJudgeCases(t, []judgeCase{
		{name: "the second cancel is refused with InvalidResourceStateFault", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{again}},
		{name: "the fault in X-Amzn-ErrorType only is refused as modeled", kind: k,
			ev: second(raw(cancelOp, again, 400, `{"message":"already CANCELED"}`, with("X-Amzn-ErrorType", "InvalidResourceStateFault"))), outcome: reports.Pass},
		{name: "a second cancel that succeeds fails", kind: k, ev: second(cancelAnswer(again, request(reqID, "CANCELED"))),
			outcome: reports.Fail, shows: []string{again},
			message: []string{"cancelling the CANCELED request " + reqID + " was accepted (HTTP 200, Status \"CANCELED\")", "want InvalidResourceStateFault"}},
		{name: "another fault fails", kind: k, ev: second(faultAnswer(cancelOp, again, 400, "ResourceNotFoundFault", "no conversion request")),
			outcome: reports.Fail, message: []string{`cancelling the CANCELED request ` + reqID + ` gave ResourceNotFoundFault ("no conversion request"), want InvalidResourceStateFault`}},
		{name: "a validation error fails", kind: k, ev: second(faultAnswer(cancelOp, again, 400, "ValidationException", "Request is already in a final state")),
			outcome: reports.Fail, message: []string{"gave ValidationException"}},
		{name: "a fault whose body is not JSON fails", kind: k, ev: second(raw(cancelOp, again, 400, "InvalidResourceStateFault", with("Content-Type", "text/plain"))),
			outcome: reports.Fail, message: []string{"gave HTTP 400", "deserialization failed", "want InvalidResourceStateFault"}},
		{name: "moto's HTML 500 is unimplemented", kind: k, ev: second(motoHTML500(cancelOp, again)), outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "a request that ended SUCCESS after its cancel is judged too", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Walk.Final, ev.Walk.Waiter = "SUCCESS", nil
			}),
			outcome: reports.Pass},
		{name: "a SUCCESS request whose second cancel is accepted falls short", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Walk.Final, ev.Walk.Waiter = "SUCCESS", nil
				ev.Walk.SecondCancel = cancelAnswer(again, request(reqID, "SUCCESS"))
			}),
			outcome: reports.Fail, message: []string{"cancelling the SUCCESS request " + reqID}},
		{name: "a request still CANCELING at the timeout is skipped", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Walk.Final, ev.Walk.TimedOut, ev.Walk.Waiter, ev.Walk.SecondCancel = "CANCELING", true, nil, nil
			}),
			outcome: reports.Skipped, message: []string{`did not reach a documented terminal status (last seen "CANCELING")`}},
		{name: "blocked by a failed cancel", kind: k, ev: walked(failedCancelWalk), outcome: reports.Skipped, cause: causeCancelFailed},
		{name: "blocked by an unimplemented cancel", kind: k, ev: walked(unimplementedCancelWalk), outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "blocked by a walk with no cancelled request", kind: k, ev: walked(emptyWalk), outcome: reports.Skipped, cause: causeWalkStopped},
	})
}
