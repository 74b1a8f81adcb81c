package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestTerminalStays(t *testing.T) {
	k := TerminalStays{}
	again := func(now map[string]obj, changes ...func(*engine.Evidence)) *engine.Evidence {
		return walked(append([]func(*engine.Evidence){func(ev *engine.Evidence) { ev.Revisit = revisited(now) }}, changes...)...)
	}
	runJudgeCases(t, []judgeCase{
		{name: "ended requests keep their status", kind: k, ev: again(map[string]obj{reqID: request(reqID, "CANCELED"), watchID: request(watchID, "SUCCESS")}),
			outcome: reports.Pass, shows: []string{"revisit: describe " + reqID, "revisit: describe " + watchID}},
		{name: "a CANCELED request that runs again fails", kind: k, ev: again(map[string]obj{reqID: request(reqID, "IN_PROGRESS"), watchID: request(watchID, "SUCCESS")}),
			outcome: reports.Fail, shows: []string{"walk: the SDK's cancelled waiter", "revisit: describe " + reqID},
			message: []string{"1 of 2 ended requests did not keep their terminal status",
				`request ` + reqID + ` was CANCELED ("walk: the SDK's cancelled waiter") and is "IN_PROGRESS" when described again at the end of the run`}},
		{name: "a SUCCESS request without a Status fails", kind: k, ev: again(map[string]obj{watchID: request(watchID, "")}),
			outcome: reports.Fail, message: []string{`request ` + watchID + ` was SUCCESS ("watch: describe") and is without a Status`}},
		{name: "the failing project's FAILED request is held to FAILED", kind: k,
			ev:      again(map[string]obj{failingID: request(failingID, "SUCCESS")}, failingRun),
			outcome: reports.Fail, message: []string{`request ` + failingID + ` was FAILED ("failing: describe") and is "SUCCESS"`}},
		{name: "a request that ended before its cancel landed is held too", kind: k,
			ev: again(map[string]obj{reqID: request(reqID, "RECEIVED")}, func(ev *engine.Evidence) {
				unobservedWalk(ev)
				ev.Control = true
			}),
			outcome: reports.Fail, message: []string{`was SUCCESS ("walk: describe the refused request") and is "RECEIVED"`}},
		{name: "a request no longer listed is drift", kind: k, ev: again(map[string]obj{reqID: nil}),
			outcome: reports.Drift, message: []string{"request " + reqID + ", seen CANCELED (\"walk: the SDK's cancelled waiter\"), is no longer listed by DescribeMetadataModelConversions filtered by request-id"}},
		{name: "a describe refused at the end fails", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Revisit = &engine.RevisitEvidence{Requests: []*engine.RevisitedRequest{{ID: reqID, Project: project,
					Sample: faultAnswer(describeOp, "revisit: describe "+reqID, 400, "ResourceNotFoundFault", "no such request")}}}
			}),
			outcome: reports.Fail, message: []string{"could not be described again: HTTP 400 ResourceNotFoundFault: no such request"}},
		{name: "a request never seen ended is not judged", kind: k,
			ev:      again(map[string]obj{"c0ffee00-1111-4222-8333-0000000000ff": request("c0ffee00-1111-4222-8333-0000000000ff", "IN_PROGRESS")}, withControl),
			outcome: reports.Skipped, message: []string{"no request the run started was seen in a terminal status (1 described again at the end of the run)"}},
		{name: "a walk that saw no running request is the cause, when nothing ended", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				unobservedWalk(ev)
				ev.Walk.Misses = nil
				ev.Watch = &engine.WatchEvidence{Start: startAnswer("watch: start", watchID), RequestID: watchID}
				ev.Revisit = &engine.RevisitEvidence{}
			}),
			outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "an unimplemented describe is unimplemented", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Revisit = &engine.RevisitEvidence{Requests: []*engine.RevisitedRequest{{ID: reqID, Project: project, Sample: motoHTML500(describeOp, "revisit: describe")}}}
			}),
			outcome: reports.Unimplemented, cause: "unimplemented/" + describeOp},
	})
}
