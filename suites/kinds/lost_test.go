package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Lost answers (engine/lost.go): a Start or Cancel whose answer was lost on the way is
// never judged on that answer; what the describes showed it did is.

const causeCancelAnswerLost = family + "/cancel-answer-lost"

// lostAnswer is a call of op whose attempts got no answer, or a 503, with what the
// describes found out.
func lostAnswer(op, name string, r engine.Resolution, last reports.Exchange) *engine.Sample {
	smp := raw(op, name, 0, "")
	smp.Attempts = []reports.Exchange{last}
	smp.Attempts[0].Name = name
	smp.Lost = &r
	return smp
}

// lostCancelWalk: the walk's cancel was applied and its answer lost (a 503 without a
// request id, which the request-id check must not see); the request then reached
// CANCELED.
func lostCancelWalk(ev *engine.Evidence) {
	ev.Walk.Cancel = lostAnswer(cancelOp, "walk: cancel", engine.Resolution{Unjudgeable: true, Applied: true, RequestID: reqID, Status: "CANCELING",
		Found:     []string{"a describe shows request " + reqID + " CANCELING: the cancel had been applied"},
		Describes: []*engine.Sample{describeAnswer("walk: cancel: describe after a lost answer", request(reqID, "CANCELING"))}},
		exchange(cancelOp, 503, `{"__type":"ServiceUnavailable","message":"lost"}`, without("X-Amzn-Requestid")))
}

// unsureCancelWalk: the walk's cancel lost an answer no describe could explain, and the
// cancel sent again was refused: whether the request was cancelled is unknown.
func unsureCancelWalk(ev *engine.Evidence) {
	ev.Walk.Cancel = lostAnswer(cancelOp, "walk: cancel", engine.Resolution{Unjudgeable: true, RequestID: reqID,
		Found: []string{"describing request " + reqID + " to find out got no answer", "the call sent again was answered HTTP 400 InvalidResourceStateFault (json), which may answer what the lost attempt did"}},
		exchange(cancelOp, 400, `{"__type":"InvalidResourceStateFault","message":"is CANCELING"}`))
	ev.Walk.Describes, ev.Walk.Final, ev.Walk.Waiter, ev.Walk.SecondCancel = nil, "", nil, nil
}

// lostStartWalk: the walk's start was applied and its answer lost; a describe of the
// project found the request it made.
func lostStartWalk(ev *engine.Evidence) {
	ev.Walk.Starts = []*engine.Sample{lostAnswer(startOp, "walk: start", engine.Resolution{Unjudgeable: true, Applied: true, RequestID: reqID,
		Found: []string{"describing the project lists request " + reqID + ", which no answer of this run had named"}},
		exchange(startOp, 0, ""))}
}

func TestLostAnswersAreNotJudged(t *testing.T) {
	runJudgeCases(t, []judgeCase{
		{name: "lifecycle.cancel skips a cancel whose answer was lost", kind: CancelRunning{}, ev: walked(lostCancelWalk),
			outcome: reports.Skipped, cause: causeCancelAnswerLost, message: []string{"has no answer to judge", "the cancel had been applied"}},
		{name: "lifecycle.cancel skips a refusal after an answer no describe explained", kind: CancelRunning{}, ev: walked(unsureCancelWalk),
			outcome: reports.Skipped, cause: causeCancelAnswerLost, message: []string{"may answer what the lost attempt did"}},
		{name: "the echo of a lost answer is not judged", kind: EchoRequestID{}, ev: walked(lostCancelWalk), outcome: reports.Skipped, cause: causeCancelAnswerLost},
		{name: "the ARN of a lost answer is not judged", kind: ProjectARN{}, ev: walked(lostCancelWalk), outcome: reports.Skipped, cause: causeCancelAnswerLost},
		{name: "a request whose lost cancel was applied is judged CANCELED", kind: Canceled{}, ev: walked(lostCancelWalk), outcome: reports.Pass},
		{name: "and refused a second cancel", kind: SecondCancel{}, ev: walked(lostCancelWalk), outcome: reports.Pass},
		{name: "a request whose cancel may not have been applied is not judged CANCELED", kind: Canceled{}, ev: walked(unsureCancelWalk),
			outcome: reports.Skipped, cause: causeCancelAnswerLost},
		{name: "a lost 503 without a request id is not an answer of the target's", kind: ResponseHeader{Header: "request-id"}, ev: walked(lostCancelWalk), outcome: reports.Pass},
		{name: "a lost start is not judged, the others are", kind: Start{}, ev: walked(lostStartWalk, func(ev *engine.Evidence) {
			ev.Walk.Starts = append(ev.Walk.Starts, startAnswer("walk: start", reqID))
		}), outcome: reports.Pass},
		{name: "a run whose every start lost its answer has no start to judge", kind: Start{}, ev: walked(lostStartWalk, func(ev *engine.Evidence) { ev.Watch = nil }),
			outcome: reports.Skipped, message: []string{"the answer of every start was lost"}},
	})
}
