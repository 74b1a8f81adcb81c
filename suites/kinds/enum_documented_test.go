package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestEnumDocumented(t *testing.T) {
	status := EnumDocumented{Set: "RequestStatus", Paths: []string{"/Request/Status"}}
	step := EnumDocumented{Set: "ProgressStep", Paths: []string{"/Request/Progress/ProgressStep"}}
	endpoint := EnumDocumented{Set: "EndpointType", Paths: []string{"/Request/Progress/ProcessedObject/EndpointType"}}
	cancelling := func(status string, kv ...any) *engine.Evidence {
		return answering(cancelAnswer("walk: cancel", request(reqID, status, kv...)),
			describeAnswer("walk: describe", request(reqID, "CANCELED")))
	}
	runJudgeCases(t, []judgeCase{
		{name: "documented statuses pass", kind: status, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "documented steps pass", kind: step, ev: walked(), outcome: reports.Pass},
		{name: "a documented EndpointType in a describe answer passes", kind: endpoint, ev: walked(), outcome: reports.Pass, shows: []string{"watch: describe"}},
		{name: "an undocumented status is drift in an open set", kind: status, ev: cancelling("STOPPING"),
			outcome: reports.Drift, shows: []string{"walk: cancel"},
			message: []string{`/Request/Status = "STOPPING" in "walk: cancel" is not a documented RequestStatus value (RECEIVED, IN_PROGRESS, SUCCESS, FAILED, CANCELING, CANCELED)`}},
		{name: "a lower-case status is drift", kind: status, ev: cancelling("canceling"), outcome: reports.Drift, message: []string{`"canceling"`}},
		{name: "an undocumented step in a describe answer is drift", kind: step,
			ev: walked(func(ev *engine.Evidence) {
				ev.Watch.Describes[1] = describeAnswer("watch: describe", request(watchID, "IN_PROGRESS", "Progress", progress("VALIDATING")))
			}),
			outcome: reports.Drift, shows: []string{"watch: describe"}, message: []string{`/Requests/0/Progress/ProgressStep = "VALIDATING" in "watch: describe"`}},
		{name: "an undocumented value is said once", kind: status,
			ev:      answering(cancelAnswer("walk: cancel", request(reqID, "STOPPING")), describeAnswer("walk: describe", request(reqID, "STOPPING"))),
			outcome: reports.Drift, message: []string{`"STOPPING" in "walk: cancel"`}},
		{name: "an undocumented status fails in a closed set", kind: status, ev: closedSet(cancelling("STOPPING"), "RequestStatus"),
			outcome: reports.Fail, shows: []string{"walk: cancel"}, message: []string{"RequestStatus is a closed set", `"STOPPING" in "walk: cancel" is not a documented RequestStatus value`}},
		{name: "a solicited undocumented status is expected", kind: status,
			ev: scenario(walked(), "an undocumented Status", &engine.Solicitation{Status: "DMSCONFORM_UNDOCUMENTED_STATUS"},
				describeAnswer("scenario an undocumented Status: describe", request(reqID, "DMSCONFORM_UNDOCUMENTED_STATUS"))),
			outcome: reports.Pass},
		{name: "a status that is not a string is left to the member-type check", kind: status, ev: cancelling("CANCELING", "Status", 3),
			outcome: reports.Pass, shows: []string{"walk: describe"}},
		{name: "no EndpointType observed is skipped", kind: endpoint, ev: cancelling("CANCELING"), outcome: reports.Skipped,
			message: []string{"no EndpointType value was observed"}},
		{name: "only solicited values observed is skipped", kind: endpoint,
			ev: scenario(cancelling("CANCELING"), "an undocumented EndpointType", &engine.Solicitation{EndpointType: "DMSCONFORM_UNDOCUMENTED_ENDPOINT_TYPE"},
				describeAnswer("scenario: describe", request(reqID, "IN_PROGRESS", "Progress", progress("ANALYZING", "ProcessedObject", obj{"EndpointType": "DMSCONFORM_UNDOCUMENTED_ENDPOINT_TYPE"})))),
			outcome: reports.Skipped},
		{name: "blocked by a walk that saw no running request", kind: status, ev: blocked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "blocked by a watch that could not start", kind: endpoint, ev: walked(stoppedWatch), outcome: reports.Skipped, cause: causeWatchStopped},
		{name: "a set the model lacks is a harness error", kind: EnumDocumented{Set: "Nope", Paths: []string{"/Request/Status"}}, ev: walked(), outcome: reports.Error},
	})
}
