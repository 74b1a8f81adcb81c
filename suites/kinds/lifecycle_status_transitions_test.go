package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestStatusTransitions(t *testing.T) {
	k := StatusTransitions{Set: "RequestStatus"}
	// seen is a watch that saw its request at these statuses, in order.
	seen := func(statuses ...string) *engine.Evidence {
		return walked(func(ev *engine.Evidence) {
			ev.Watch.Describes = nil
			for _, s := range statuses {
				ev.Watch.Describes = append(ev.Watch.Describes, describeAnswer("watch: describe", request(watchID, s)))
			}
		})
	}
	runJudgeCases(t, []judgeCase{
		{name: "the documented lifecycle passes", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"watch: describe"}},
		{name: "RECEIVED straight to SUCCESS passes", kind: k, ev: seen("RECEIVED", "SUCCESS"), outcome: reports.Pass},
		{name: "IN_PROGRESS to FAILED passes", kind: k, ev: seen("IN_PROGRESS", "FAILED"), outcome: reports.Pass},
		{name: "RECEIVED straight to CANCELED passes", kind: k, ev: seen("RECEIVED", "CANCELED"), outcome: reports.Pass},
		{name: "undocumented statuses are left to enum.documented", kind: k, ev: seen("IN_PROGRESS", "VALIDATING", "SUCCESS"), outcome: reports.Pass},
		{name: "back to IN_PROGRESS after CANCELING fails", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Walk.Describes[0] = describeAnswer("walk: describe", request(reqID, "IN_PROGRESS"))
			}),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"status transitions outside the documented lifecycle", "request " + reqID + " went CANCELING -> IN_PROGRESS (observed CANCELING -> IN_PROGRESS -> CANCELED)"}},
		{name: "a terminal status that changes fails", kind: k, ev: seen("SUCCESS", "FAILED"), outcome: reports.Fail,
			message: []string{"request " + watchID + " went SUCCESS -> FAILED"}},
		{name: "CANCELING that ends SUCCESS conforms (\"might still succeed or fail\")", kind: k, ev: seen("IN_PROGRESS", "CANCELING", "SUCCESS"), outcome: reports.Pass},
		{name: "CANCELING that ends FAILED conforms", kind: k, ev: seen("RECEIVED", "CANCELING", "FAILED"), outcome: reports.Pass},
		{name: "CANCELING back to IN_PROGRESS falls short", kind: k, ev: seen("IN_PROGRESS", "CANCELING", "IN_PROGRESS"), outcome: reports.Fail,
			message: []string{"went CANCELING -> IN_PROGRESS"}},
		{name: "IN_PROGRESS back to RECEIVED fails", kind: k, ev: seen("RECEIVED", "IN_PROGRESS", "RECEIVED"), outcome: reports.Fail,
			message: []string{"went IN_PROGRESS -> RECEIVED"}},
		{name: "a transition across an undocumented status fails", kind: k, ev: seen("CANCELED", "VALIDATING", "IN_PROGRESS"), outcome: reports.Fail,
			message: []string{"went CANCELED -> IN_PROGRESS"}},
		{name: "a scenario's request is judged too", kind: k,
			ev: scenario(walked(), "failed on purpose", &engine.Solicitation{},
				describeAnswer("scenario failed on purpose: describe", request("c0ffee00-1111-4222-8333-0000000000f1", "FAILED")),
				describeAnswer("scenario failed on purpose: describe", request("c0ffee00-1111-4222-8333-0000000000f1", "IN_PROGRESS"))),
			outcome: reports.Fail, shows: []string{"scenario failed on purpose: describe"}, message: []string{"went FAILED -> IN_PROGRESS"}},
		{name: "no status change seen is skipped", kind: k,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING")), describeAnswer("walk: describe", request(reqID, "CANCELING"))),
			outcome: reports.Skipped, message: []string{"no request was seen change status"}},
		{name: "blocked by a walk that saw no running request", kind: k, ev: blocked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "a set the model lacks is a harness error", kind: StatusTransitions{Set: "Nope"}, ev: walked(), outcome: reports.Error},
	})
}
