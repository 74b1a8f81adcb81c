package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestCancelRunning(t *testing.T) {
	k := CancelRunning{}
	cancel := func(smp *engine.Sample) *engine.Evidence {
		return walked(func(ev *engine.Evidence) { ev.Walk.Cancel = smp })
	}
	runJudgeCases(t, []judgeCase{
		{name: "the cancel answers CANCELING", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "the cancel answers CANCELED", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "CANCELED"))), outcome: reports.Pass},
		{name: "a cancel retried after a throttle passes", kind: k,
			ev:      cancel(retried(cancelAnswer("walk: cancel", request(reqID, "CANCELING")), exchange(cancelOp, 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`))),
			outcome: reports.Pass},
		{name: "a refused cancel fails", kind: k, ev: walked(failedCancelWalk), outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"cancelling running request " + reqID + " failed: HTTP 400 ResourceNotFoundFault: no conversion request"}},
		{name: "a cancel refused as already ended fails", kind: k,
			ev:      cancel(faultAnswer(cancelOp, "walk: cancel", 400, "InvalidResourceStateFault", "Request is IN_PROGRESS and cannot be cancelled")),
			outcome: reports.Fail, message: []string{"failed: HTTP 400 InvalidResourceStateFault"}},
		{name: "a server error fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 500, `{"__type":"InternalFailure","message":"boom"}`)),
			outcome: reports.Fail, message: []string{"failed: HTTP 500 InternalFailure: boom"}},
		{name: "an answer the SDK cannot read fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "", "Status", 2))),
			outcome: reports.Fail, message: []string{"cancelling running request " + reqID + ": aws-sdk-go-v2 could not read the answer"}},
		{name: "a body that is not JSON fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, "OK", with("Content-Type", "text/plain"))),
			outcome: reports.Fail, message: []string{"aws-sdk-go-v2 could not read the answer"}},
		{name: "an empty object fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, "{}")),
			outcome: reports.Fail, message: []string{"the cancel of a running request answered without a Request object: {}"}},
		{name: "a null Request fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, `{"Request":null}`)),
			outcome: reports.Fail, message: []string{"without a Request object"}},
		{name: "an empty body fails", kind: k, ev: cancel(raw(cancelOp, "walk: cancel", 200, "")),
			outcome: reports.Fail, message: []string{"without a Request object"}},
		{name: "IN_PROGRESS fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "IN_PROGRESS"))),
			outcome: reports.Fail, message: []string{`the cancel of a running request (` + reqID + `) answered Status "IN_PROGRESS", want CANCELING (or CANCELED)`}},
		{name: "SUCCESS fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "SUCCESS"))), outcome: reports.Fail, message: []string{`Status "SUCCESS"`}},
		{name: "lower-case canceling is drift (undocumented)", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "canceling"))),
			outcome: reports.Drift, message: []string{`answered the undocumented Status "canceling" (documented: CANCELING): drift`}},
		{name: "CANCEL_RECEIVED is drift (undocumented)", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "CANCEL_RECEIVED"))),
			outcome: reports.Drift, message: []string{`"CANCEL_RECEIVED"`}},
		{name: "CANCELING without Progress passes", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, "CANCELING"))), outcome: reports.Pass},
		{name: "no Status fails", kind: k, ev: cancel(cancelAnswer("walk: cancel", request(reqID, ""))), outcome: reports.Fail, message: []string{`Status ""`}},
		{name: "moto's HTML 500 is unimplemented", kind: k, ev: walked(unimplementedCancelWalk), outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "blocked by a walk that saw no running request", kind: k, ev: walked(unobservedWalk), outcome: reports.Skipped, cause: causeWalkUnobserved},
		{name: "blocked by a walk that could not start", kind: k, ev: walked(refusedStartWalk), outcome: reports.Skipped, cause: causeWalkStopped},
		{name: "blocked by a walk with no cancelled request", kind: k, ev: walked(emptyWalk), outcome: reports.Skipped, cause: causeWalkStopped},
	})
}

// TestBlockedWalkCauses: a walk that could not cancel a running request is one cause,
// with the samples that show why.
func TestBlockedWalkCauses(t *testing.T) {
	cases := []struct {
		name   string
		change func(*engine.Evidence)
		id     string
		title  string
		shows  string
	}{
		{"the walk stopped", refusedStartWalk, causeWalkStopped, "the lifecycle walk stopped: StartMetadataModelConversion refused to start a request", "walk: start"},
		{"the project refused the start (a modelled Start fault)", misconfiguredWalk, causeStartRefused,
			"StartMetadataModelConversion refused to start a request with S3AccessDeniedFault, one of its modelled faults", "walk: start"},
		{"no running request observed", unobservedWalk, causeWalkUnobserved, "no running request could be observed: each of the 3 requests", "walk: describe the refused request"},
		{"no cancelled request", emptyWalk, causeWalkStopped, "the lifecycle walk has no cancelled request", ""},
		{"the cancel failed", failedCancelWalk, causeCancelFailed, "the cancel of the running request failed (HTTP 400 ResourceNotFoundFault: no conversion request", "walk: cancel"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := cancelBlocked(walked(c.change))
			if v == nil || v.Cause == nil {
				t.Fatalf("not blocked: %+v", v)
			}
			checkVerdict(t, *v, judgeCase{outcome: reports.Skipped, cause: c.id, message: []string{c.title}})
			if c.shows != "" && !shows(engine.Verdict{Samples: v.Cause.Samples}, c.shows) {
				t.Errorf("the cause shows %s, want %q", sampleNames(v.Cause.Samples), c.shows)
			}
		})
	}
	if v := cancelBlocked(walked()); v != nil {
		t.Errorf("a walk that cancelled a running request is blocked: %+v", v)
	}
}
