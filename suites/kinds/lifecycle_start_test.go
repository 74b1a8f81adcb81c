package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestStart(t *testing.T) {
	k := Start{}
	starts := func(ss ...*engine.Sample) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { ev.Walk.Starts, ev.Watch = ss, nil })
	}
	runJudgeCases(t, []judgeCase{
		{name: "the walk's and the watch's starts pass", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: start"}},
		{name: "the walk's starts alone pass", kind: k, ev: starts(startAnswer("walk: start", reqID)), outcome: reports.Pass},
		{name: "replacement starts pass", kind: k, ev: starts(startAnswer("walk: start", "r-1"), startAnswer("walk: start", "r-2"), startAnswer("walk: start", reqID)),
			outcome: reports.Pass},
		{name: "a throttled start retried passes", kind: k,
			ev:      starts(retried(startAnswer("walk: start", reqID), exchange(startOp, 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`))),
			outcome: reports.Pass},
		{name: "a refused start fails", kind: k, ev: walked(refusedStartWalk), outcome: reports.Fail, shows: []string{"walk: start"},
			message: []string{"StartMetadataModelConversion did not start requests", `"walk: start": StartMetadataModelConversion refused to start a request with a valid input: HTTP 400 ValidationException: no such project`}},
		{name: "a start refused with a modelled Start fault is the project's configuration: skipped, one cause", kind: k, ev: walked(misconfiguredWalk, misconfiguredWatch),
			outcome: reports.Skipped, cause: causeStartRefused,
			message: []string{"S3AccessDeniedFault, one of its modelled faults (Insufficient privileges are preventing access to an Amazon S3 object.)", "not the target's non-conformance",
				"to fix: let the role of the project's instance profile read and write the project's S3 bucket"}},
		{name: "a modelled refusal beside a malformed start still fails", kind: k,
			ev:      walked(misconfiguredWalk, func(ev *engine.Evidence) { ev.Watch.Start = raw(startOp, "watch: start", 200, `{}`) }),
			outcome: reports.Fail, message: []string{`"watch: start": HTTP 200 without a RequestIdentifier`}},
		{name: "a start whose body is not JSON fails", kind: k, ev: starts(raw(startOp, "walk: start", 200, `RequestIdentifier=abc`)),
			outcome: reports.Fail, message: []string{`"walk: start": HTTP 200, but the body is not valid JSON`}},
		{name: "an empty start fails", kind: k, ev: starts(raw(startOp, "walk: start", 200, "")),
			outcome: reports.Fail, message: []string{"the body is not valid JSON (empty body)"}},
		{name: "a start without a RequestIdentifier fails", kind: k, ev: starts(raw(startOp, "walk: start", 200, `{"RequestId":"abc"}`)),
			outcome: reports.Fail, message: []string{`"walk: start": HTTP 200 without a RequestIdentifier: {"RequestId":"abc"}`}},
		{name: "a RequestIdentifier that is not a string fails", kind: k, ev: starts(raw(startOp, "walk: start", 200, `{"RequestIdentifier":12}`)),
			outcome: reports.Fail, message: []string{"without a RequestIdentifier"}},
		{name: "a bad replacement start fails", kind: k,
			ev:      starts(startAnswer("walk: start", "r-1"), raw(startOp, "walk: start again", 200, `{}`), startAnswer("walk: start", reqID)),
			outcome: reports.Fail, shows: []string{"walk: start again"}},
		{name: "the watch's refused start fails", kind: k, ev: walked(stoppedWatch), outcome: reports.Fail, shows: []string{"watch: start"},
			message: []string{`"watch: start": StartMetadataModelConversion refused to start a request with a valid input`}},
		{name: "moto's HTML 500 is unimplemented", kind: k, ev: starts(motoHTML500(startOp, "walk: start")),
			outcome: reports.Unimplemented, cause: causeUnimplStart},
		{name: "no start made is skipped", kind: k, ev: starts(), outcome: reports.Skipped, message: []string{"no start was made"}},
	})
}
