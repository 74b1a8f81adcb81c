package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestEnumOrder(t *testing.T) {
	k := EnumOrder{Set: "ProgressStep"}
	// steps is a watch that saw the request at these steps, in order.
	steps := func(ss ...string) *engine.Evidence {
		ev := answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING")))
		ev.Watch = progressWatch()
		ev.Watch.Describes = nil
		for _, s := range ss {
			ev.Watch.Describes = append(ev.Watch.Describes, describeAnswer("watch: describe", request(watchID, "IN_PROGRESS", "Progress", progress(s))))
		}
		return ev
	}
	runJudgeCases(t, []judgeCase{
		{name: "steps that go forwards pass", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"watch: describe"}},
		{name: "a step seen twice in a row passes", kind: k, ev: steps("ANALYZING", "ANALYZING", "CONVERTING"), outcome: reports.Pass},
		{name: "skipping steps passes", kind: k, ev: steps("IN_PROGRESS", "FINISHED"), outcome: reports.Pass},
		{name: "undocumented steps are not ordered", kind: k, ev: steps("ANALYZING", "VALIDATING", "CONVERTING"), outcome: reports.Pass},
		{name: "going back a step fails", kind: k, ev: steps("LOADING_METADATA", "CONVERTING", "ANALYZING"),
			outcome: reports.Fail, shows: []string{"watch: describe"},
			message: []string{"ProgressStep must not go backwards within one request", "request " + watchID + " went back from CONVERTING to ANALYZING (observed LOADING_METADATA -> CONVERTING -> ANALYZING)"}},
		{name: "going back across an undocumented step fails", kind: k, ev: steps("CONVERTING", "VALIDATING", "LOADING_METADATA"),
			outcome: reports.Fail, message: []string{"went back from CONVERTING to LOADING_METADATA"}},
		{name: "from FINISHED back to the start fails", kind: k, ev: steps("FINISHED", "IN_PROGRESS"), outcome: reports.Fail},
		{name: "the cancel answer and the polls are one history", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("APPLYING"))),
				describeAnswer("walk: describe", request(reqID, "CANCELED", "Progress", progress("CONVERTING")))),
			outcome: reports.Fail, shows: []string{"walk: cancel"}, message: []string{"request " + reqID + " went back from APPLYING to CONVERTING"}},
		{name: "each request is its own history", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("APPLYING"))),
				describeAnswer("walk: describe", request(reqID, "CANCELED", "Progress", progress("FINISHED")), request(watchID, "IN_PROGRESS", "Progress", progress("LOADING_METADATA")))),
			outcome: reports.Pass},
		{name: "one documented step is not an order", kind: k, ev: steps("ANALYZING"), outcome: reports.Skipped,
			message: []string{"no request was observed at two or more documented ProgressStep values"}},
		{name: "a Progress without a step is skipped", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", obj{"ProgressPercent": 5}))), outcome: reports.Skipped},
		{name: "blocked by a walk that could not start", kind: k, ev: blocked(refusedStartWalk), outcome: reports.Skipped, cause: causeWalkStopped},
		{name: "a set the model lacks is a harness error", kind: EnumOrder{Set: "Nope"}, ev: walked(), outcome: reports.Error},
	})
}
