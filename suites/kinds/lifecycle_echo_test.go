package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestEchoRequestID(t *testing.T) {
	k := EchoRequestID{}
	cancel := func(smp *engine.Sample) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { ev.Walk.Cancel = smp })
	}
	runJudgeCases(t, []judgeCase{
		{name: "the cancel names the cancelled request", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "another request's identifier fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(watchID, "CANCELING"))),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{`the cancel response's Request.RequestIdentifier is "` + watchID + `", want the cancelled request "` + reqID + `"`}},
		{name: "a request identifier in another case fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request("C0FFEE00-1111-4222-8333-44445555ABCD", "CANCELING"))),
			outcome: reports.Fail},
		{name: "no identifier fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "RequestIdentifier", nil))),
			outcome: reports.Fail, message: []string{`Request.RequestIdentifier is ""`}},
		{name: "a numeric identifier fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "RequestIdentifier", 7))),
			outcome: reports.Fail},
		{name: "no Request fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, `{}`)), outcome: reports.Fail,
			message: []string{"the cancel response has no Request object"}},
		{name: "a null Request fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, `{"Request":null}`)), outcome: reports.Fail,
			message: []string{"no Request object"}},
		{name: "a Request that is a list fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, mustJSON(obj{"Request": []any{request(reqID, "CANCELING")}}))),
			outcome: reports.Fail, message: []string{"no Request object"}},
		{name: "a body that is not JSON fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, `{"Request":`)), outcome: reports.Fail,
			message: []string{"no Request object"}},
		{name: "blocked by a failed cancel", kind: k, ev: walked(failedCancelWalk), outcome: reports.Skipped, cause: causeCancelFailed},
		{name: "blocked by an unimplemented cancel", kind: k, ev: walked(unimplementedCancelWalk), outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
	})
}
