package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestCanceledEarly(t *testing.T) {
	k := CanceledEarly{}
	ended := func(status string) *engine.Evidence {
		return walked(func(ev *engine.Evidence) {
			w := ev.Walk
			w.Describes[1] = describeAnswer("walk: describe", request(reqID, status))
			w.Final, w.Waiter, w.SecondCancel = status, nil, faultAnswer(cancelOp, "walk: cancel again", 400, "InvalidResourceStateFault", "already "+status)
		})
	}
	runJudgeCases(t, []judgeCase{
		{name: "a request cancelled at once ends CANCELED", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel", "walk: describe"}},
		{name: "a request cancelled at once that still succeeds falls short", kind: k, ev: ended("SUCCESS"), outcome: reports.Fail,
			message: []string{"request " + reqID + " was cancelled while it had not begun its work (RECEIVED just before the cancel) and ended SUCCESS (statuses seen: CANCELING -> SUCCESS): the cancel did not take effect"}},
		{name: "a request cancelled at once that still fails falls short", kind: k, ev: ended("FAILED"), outcome: reports.Fail, message: []string{"ended FAILED"}},
		{name: "a cancel that landed only after retries may have been late: skipped", kind: k,
			ev: func() *engine.Evidence {
				ev := ended("SUCCESS")
				retried(ev.Walk.Cancel, exchange(cancelOp, 500, `{"__type":"InternalFailure","message":"boom"}`))
				return ev
			}(),
			outcome: reports.Skipped, message: []string{"ended SUCCESS after its cancel, but the cancel landed only at attempt 2 (transient)"}},
		{name: "a request queued when cancelled (IN_PROGRESS without Progress) that still succeeds falls short", kind: k,
			ev: func() *engine.Evidence {
				ev := ended("SUCCESS")
				ev.Walk.Before = describeAnswer("walk: describe before the cancel", request(reqID, "IN_PROGRESS"))
				return ev
			}(),
			outcome: reports.Fail, message: []string{"(IN_PROGRESS without Progress (queued) just before the cancel) and ended SUCCESS"}},
		{name: "a request already at work when cancelled may finish: skipped", kind: k,
			ev: func() *engine.Evidence {
				ev := ended("SUCCESS")
				ev.Walk.Before = describeAnswer("walk: describe before the cancel", request(reqID, "IN_PROGRESS", "Progress", progress("CONVERTING", "ProgressPercent", 90)))
				return ev
			}(),
			outcome: reports.Skipped, message: []string{"it was already IN_PROGRESS at CONVERTING when the cancel was sent: a cancel need not take effect once the work began"}},
		{name: "a request not listed yet before the cancel: its state is unknown, skipped", kind: k,
			ev: func() *engine.Evidence {
				ev := ended("SUCCESS")
				ev.Walk.Before = describeAnswer("walk: describe before the cancel")
				return ev
			}(),
			outcome: reports.Skipped, message: []string{"did not list it yet"}},
		{name: "a cancel that landed long after the describe, for this target's pace: skipped", kind: k,
			ev: func() *engine.Evidence {
				ev := ended("SUCCESS")
				ev.Walk.BeforeGap, ev.Watch.ShortestStep = "240ms", "50ms"
				return ev
			}(),
			outcome: reports.Skipped, message: []string{"the cancel's answer came 240ms after the describe that showed the request not yet at work, and this target moves on in as little as 50ms"}},
		{name: "a run that did not see the target's pace cannot tell: skipped", kind: k,
			ev: func() *engine.Evidence {
				ev := ended("SUCCESS")
				ev.Watch.ShortestStep = ""
				return ev
			}(),
			outcome: reports.Skipped, message: []string{"the run did not see the target's pace"}},
		{name: "an older recording without the describe before the cancel: skipped", kind: k,
			ev: func() *engine.Evidence {
				ev := ended("SUCCESS")
				ev.Walk.Before = nil
				return ev
			}(),
			outcome: reports.Skipped, message: []string{"was not observed"}},
		{name: "a cancel retried and then CANCELED passes", kind: k,
			ev: func() *engine.Evidence {
				ev := walked()
				retried(ev.Walk.Cancel, exchange(cancelOp, 500, `{"__type":"InternalFailure","message":"boom"}`))
				return ev
			}(),
			outcome: reports.Pass},
		{name: "a request that never ended is lifecycle.canceled's", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Walk.Describes = ev.Walk.Describes[:1]
				ev.Walk.Final, ev.Walk.TimedOut, ev.Walk.Waiter, ev.Walk.SecondCancel = "CANCELING", true, nil, nil
			}),
			outcome: reports.Skipped, message: []string{"lifecycle.canceled reports it"}},
		{name: "blocked by a failed cancel", kind: k, ev: walked(failedCancelWalk), outcome: reports.Skipped, cause: causeCancelFailed},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
	})
}
