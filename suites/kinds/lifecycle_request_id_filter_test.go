package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestRequestIDFilter(t *testing.T) {
	k := RequestIDFilter{}
	// watching is the evidence of a watch whose polls were answered describes.
	watching := func(describes ...*engine.Sample) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { ev.Watch.Describes = describes })
	}
	running := func(kv ...any) *engine.Sample {
		return describeAnswer("watch: describe", request(watchID, "IN_PROGRESS", kv...))
	}
	runJudgeCases(t, []judgeCase{
		{name: "every filtered describe returns the request", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: describe"}},
		{name: "a queued request without Progress passes", kind: k, ev: watching(running()), outcome: reports.Pass},
		{name: "a request seen by the walk alone passes", kind: k,
			ev: walked(func(ev *engine.Evidence) { ev.Watch = &engine.WatchEvidence{} }), outcome: reports.Pass},
		{name: "a describe listing other requests too fails", kind: k,
			ev:      watching(describeAnswer("watch: describe", request(watchID, "IN_PROGRESS", "Progress", progress("ANALYZING")), request(reqID, "CANCELED"))),
			outcome: reports.Fail, shows: []string{"watch: describe"},
			message: []string{"the describe filtered by request-id does not return exactly that request",
				`"watch: describe": filtered by request-id=` + watchID + `, DescribeMetadataModelConversions returned 2 requests [` + watchID + " " + reqID + `], want exactly that one`}},
		{name: "a describe listing another request fails", kind: k, ev: watching(describeAnswer("watch: describe", request(reqID, "IN_PROGRESS"))),
			outcome: reports.Fail, message: []string{"returned 1 requests [" + reqID + "]"}},
		{name: "a describe listing nothing fails", kind: k, ev: watching(running("Progress", progress("ANALYZING")), describeAnswer("watch: describe")),
			outcome: reports.Fail, message: []string{"returned 0 requests []"}},
		{name: "a describe whose body is not JSON fails", kind: k, ev: watching(raw(describeOp, "watch: describe", 200, "<Requests/>")),
			outcome: reports.Fail, message: []string{"returned 0 requests"}},
		{name: "a failed describe is not judged", kind: k,
			ev:      watching(faultAnswer(describeOp, "watch: describe", 400, "ThrottlingException", "Rate exceeded"), running("Progress", progress("CONVERTING"))),
			outcome: reports.Pass},
		{name: "no describe is skipped", kind: k,
			ev:      walked(func(ev *engine.Evidence) { ev.Walk.Describes, ev.Watch.Describes = nil, nil }),
			outcome: reports.Skipped, message: []string{"no request was described"}},
		{name: "blocked by a walk that saw no running request", kind: k, ev: blocked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
	})
}
