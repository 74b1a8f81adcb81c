package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
)

func TestProgress(t *testing.T) {
	k := Progress{}
	queued := request(reqID, "IN_PROGRESS") // IN_PROGRESS without Progress: queued
	runJudgeCases(t, []judgeCase{
		{name: "every Progress names its step", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "a queued request without Progress is conforming", kind: k,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING")),
				describeAnswer("walk: describe", queued), describeAnswer("walk: describe", request(reqID, "IN_PROGRESS", "Progress", progress("LOADING_METADATA")))),
			outcome: reports.Pass, shows: []string{"walk: describe"}},
		{name: "a Progress without a step fails", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING")), describeAnswer("walk: describe", request(reqID, "IN_PROGRESS", "Progress", obj{"ProgressPercent": 5}))),
			outcome: reports.Fail, shows: []string{"walk: describe"},
			message: []string{"a Progress does not name its step", `/Requests/0/Progress in "walk: describe": Progress without a ProgressStep: {"ProgressPercent":5}`}},
		{name: "an empty step fails", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("")))),
			outcome: reports.Fail, message: []string{"/Request/Progress"}},
		{name: "a null Progress is left to the member-type check", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", jsonNull)), describeAnswer("walk: describe", queued)),
			outcome: reports.Skipped, message: []string{"no answer carried a Progress"}},
		{name: "no Progress anywhere is skipped", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING")), describeAnswer("walk: describe", request(reqID, "CANCELED"))),
			outcome: reports.Skipped, message: []string{"no answer carried a Progress (the requests were seen queued or ended only)"}},
		{name: "blocked by a walk that saw no running request", kind: k, ev: blocked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
	})
}
