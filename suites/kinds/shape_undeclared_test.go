package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestUndeclaredMembers(t *testing.T) {
	k := UndeclaredMembers{}
	runJudgeCases(t, []judgeCase{
		{name: "only declared members pass", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "an undeclared top-level member is drift", kind: k,
			ev:      answering(raw(cancelOp, "walk: cancel", 200, mustJSON(obj{"Request": request(reqID, "CANCELING"), "NextToken": "abc"}))),
			outcome: reports.Drift, message: []string{`/NextToken in "walk: cancel": undeclared member NextToken (string "abc")`}, shows: []string{"walk: cancel"}},
		{name: "an undeclared nested member is drift", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("CONVERTING", "EstimatedSeconds", 30)))),
			outcome: reports.Drift, message: []string{"/Request/Progress/EstimatedSeconds", "undeclared member EstimatedSeconds"}},
		{name: "__type in a 200 is drift", kind: k,
			ev:      answering(raw(cancelOp, "walk: cancel", 200, `{"__type":"ResourceNotFoundFault","message":"Migration project has no such request"}`)),
			outcome: reports.Drift, message: []string{"/__type", "/message"}},
		{name: "a scenario's cancel answer is judged too", kind: k,
			ev: scenario(walked(), "held at ANALYZING", &engine.Solicitation{},
				cancelAnswer("scenario held at ANALYZING: cancel", request(reqID, "CANCELING", "Owner", "dmsconform"))),
			outcome: reports.Drift, message: []string{"/Request/Owner in \"scenario held at ANALYZING: cancel\""}, shows: []string{"scenario held at ANALYZING: cancel"}},
		{name: "a cancel answer that is not JSON is left to sdk-decodes", kind: k,
			ev: answering(raw(cancelOp, "walk: cancel", 200, `{"Request":{"Status":"CANCELING",`)), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "describe answers are not judged", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING")), raw(describeOp, "walk: describe", 200, mustJSON(obj{"Requests": []any{}, "Marker": "m", "Extra": 1}))),
			outcome: reports.Pass},
		{name: "no successful cancel answer is skipped", kind: k, ev: walked(failedCancelWalk),
			outcome: reports.Skipped, message: []string{"no successful CancelMetadataModelConversion answer was observed"}},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "blocked by a walk with no cancelled request", kind: k, ev: walked(emptyWalk), outcome: reports.Skipped, cause: causeWalkStopped},
	})
}
