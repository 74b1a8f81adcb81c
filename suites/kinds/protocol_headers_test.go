package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestResponseHeader(t *testing.T) {
	ct := ResponseHeader{Header: "content-type"}
	rid := ResponseHeader{Header: "request-id"}
	conforming := func(change ...func(*engine.Evidence)) *engine.Evidence {
		ev := notFound(unknownRequestFault(), unknownProjectFault())
		for _, c := range change {
			c(ev)
		}
		return ev
	}
	cancelWith := func(hs ...hdr) func(*engine.Evidence) {
		return func(ev *engine.Evidence) {
			ev.Walk.Cancel = cancelAnswer("walk: cancel", request(reqID, "CANCELING"), hs...)
		}
	}
	allUnimplemented := func(ev *engine.Evidence) {
		unimplementedCancelWalk(ev)
		ev.Watch = &engine.WatchEvidence{Start: startAnswer("watch: start", watchID), RequestID: watchID}
		ev.NotFound = &engine.ProbeEvidence{Probes: []*engine.Probe{
			{Key: "unknown-request", Sample: motoHTML500(cancelOp, "cancel an unknown request")},
			{Key: "unknown-project", Sample: motoHTML500(cancelOp, "cancel in an unknown project")}}}
	}
	runJudgeCases(t, []judgeCase{
		{name: "every answer carries the protocol's Content-Type", kind: ct, ev: conforming(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "Content-Type with a charset passes", kind: ct, ev: conforming(cancelWith(with("Content-Type", jsonCT+"; charset=UTF-8"))), outcome: reports.Pass},
		{name: "a cancel answer in application/json fails", kind: ct, ev: conforming(cancelWith(with("Content-Type", "application/json"))),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"responses must carry the protocol's Content-Type", `"walk: cancel" HTTP 200: Content-Type "application/json", want application/x-amz-json-1.1`}},
		{name: "a cancel answer without Content-Type fails", kind: ct, ev: conforming(cancelWith(without("Content-Type"))),
			outcome: reports.Fail, message: []string{`Content-Type "", want`}},
		{name: "a fault without the protocol's Content-Type fails", kind: ct,
			ev: conforming(func(ev *engine.Evidence) {
				ev.NotFound.Probes[1].Sample = faultAnswer(cancelOp, "cancel in an unknown project", 400, "ResourceNotFoundFault", "m", with("Content-Type", "text/plain"))
			}),
			outcome: reports.Fail, shows: []string{"cancel in an unknown project"}, message: []string{`"cancel in an unknown project" HTTP 400: Content-Type "text/plain"`}},
		{name: "every answer carries a request id", kind: rid, ev: conforming(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "X-Amz-Requestid is a request id", kind: rid, ev: conforming(cancelWith(without("X-Amzn-Requestid"), with("X-Amz-Requestid", "r-1"))), outcome: reports.Pass},
		{name: "a cancel answer without a request id fails", kind: rid, ev: conforming(cancelWith(without("X-Amzn-Requestid"))),
			outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"every response must carry a request id", `"walk: cancel" HTTP 200: no x-amzn-RequestId header`}},
		{name: "a describe answer without a request id fails", kind: rid,
			ev: conforming(func(ev *engine.Evidence) {
				ev.Watch.Describes[0] = raw(describeOp, "watch: describe", 200, mustJSON(obj{"Requests": []any{request(watchID, "RECEIVED")}}), without("X-Amzn-Requestid"))
			}),
			outcome: reports.Fail, message: []string{`"watch: describe" HTTP 200: no x-amzn-RequestId header`}},
		{name: "answers of an unimplemented operation are not judged", kind: ct,
			ev: conforming(func(ev *engine.Evidence) {
				ev.NotFound.Probes[0].Sample = motoHTML500(cancelOp, "cancel an unknown request")
			}),
			outcome: reports.Pass},
		{name: "only unimplemented answers is skipped", kind: rid, ev: conforming(allUnimplemented), outcome: reports.Skipped,
			message: []string{"no answer of an implemented operation was observed"}},
		{name: "nothing implemented answered and the walk could not start: blocked", kind: ct,
			ev:      conforming(allUnimplemented, refusedStartWalk),
			outcome: reports.Skipped, cause: causeWalkStopped},
		{name: "a header this kind does not know is a harness error", kind: ResponseHeader{Header: "server"}, ev: conforming(), outcome: reports.Error},
	})
}
