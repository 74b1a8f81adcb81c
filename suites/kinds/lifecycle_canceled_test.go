package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestCanceled(t *testing.T) {
	k := Canceled{}
	walk := func(change func(*engine.WalkEvidence)) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { change(ev.Walk) })
	}
	endedAs := func(status string) func(*engine.WalkEvidence) {
		return func(w *engine.WalkEvidence) {
			w.Describes[1] = describeAnswer("walk: describe", request(reqID, status))
			w.Final, w.Waiter, w.SecondCancel = status, nil, faultAnswer(cancelOp, "walk: cancel again", 400, "InvalidResourceStateFault", "already "+status)
		}
	}
	runJudgeCases(t, []judgeCase{
		{name: "the request reaches CANCELED and the waiter accepts it", kind: k, ev: walked(), outcome: reports.Pass,
			shows: []string{"walk: describe", "walk: the SDK's cancelled waiter"}},
		{name: "a timeout while CANCELING fails", kind: k,
			ev: walk(func(w *engine.WalkEvidence) {
				w.Describes = w.Describes[:1]
				w.Final, w.TimedOut, w.Timeout, w.Waiter, w.SecondCancel = "CANCELING", true, "10m0s", nil, nil
			}),
			outcome: reports.Fail, shows: []string{"walk: describe"},
			message: []string{"request " + reqID + " did not reach a terminal status within the lifecycle timeout (10m0s); statuses seen: CANCELING"}},
		{name: "a timeout on an undocumented status is drift", kind: k,
			ev: walk(func(w *engine.WalkEvidence) {
				w.Describes = []*engine.Sample{describeAnswer("walk: describe", request(reqID, "CANCELLED"))}
				w.Final, w.TimedOut, w.Timeout, w.Waiter, w.SecondCancel = "CANCELLED", true, "10m0s", nil, nil
			}),
			outcome: reports.Drift, message: []string{`it ended on the undocumented Status "CANCELLED" (statuses seen: CANCELING -> CANCELLED)`}},
		{name: "a cancelled request that still succeeds conforms, and says so", kind: k, ev: walk(endedAs("SUCCESS")), outcome: reports.Pass, shows: []string{"walk: describe"},
			message: []string{"request " + reqID + " ended SUCCESS after it was cancelled (statuses seen: CANCELING -> SUCCESS): conforming, CANCELING \"might still succeed or fail before cancellation takes effect\""}},
		{name: "a cancelled request that still fails conforms", kind: k, ev: walk(endedAs("FAILED")), outcome: reports.Pass, message: []string{"ended FAILED after it was cancelled"}},
		{name: "the waiter refusing CANCELED fails", kind: k,
			ev: walk(func(w *engine.WalkEvidence) {
				w.Waiter.Err = "exceeded max wait time for MetadataModelConversionCancelled waiter"
			}),
			outcome: reports.Fail, shows: []string{"walk: the SDK's cancelled waiter"},
			message: []string{"request " + reqID + " is CANCELED, but the SDK's cancelled waiter on DescribeMetadataModelConversions did not accept it: exceeded max wait time"}},
		{name: "a family without an SDK waiter is judged on the describes", kind: k, ev: walk(func(w *engine.WalkEvidence) { w.Waiter = nil }), outcome: reports.Pass},
		{name: "blocked by polls that stopped", kind: k,
			ev: walk(func(w *engine.WalkEvidence) {
				w.Describes = []*engine.Sample{raw(describeOp, "walk: describe", 500, `{"__type":"InternalFailure","message":"boom"}`)}
				w.Stopped = "DescribeMetadataModelConversions of request " + reqID + " failed: HTTP 500 InternalFailure: boom"
				w.Final, w.Waiter, w.SecondCancel = "", nil, nil
			}),
			outcome: reports.Skipped, cause: causeWalkStopped, message: []string{"the lifecycle walk stopped: DescribeMetadataModelConversions of request"}},
		{name: "blocked by a failed cancel", kind: k, ev: walked(failedCancelWalk), outcome: reports.Skipped, cause: causeCancelFailed},
		{name: "blocked by an unimplemented cancel", kind: k, ev: walked(unimplementedCancelWalk), outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
	})
}
