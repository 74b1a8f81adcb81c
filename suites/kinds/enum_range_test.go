package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestRange(t *testing.T) {
	k := Range{Path: "/Request/Progress/ProgressPercent"}
	at := func(percent any) *engine.Evidence {
		return answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING", "Progress", progress("CONVERTING", "ProgressPercent", percent))))
	}
	runJudgeCases(t, []judgeCase{
		{name: "percentages within 0..100 pass", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "0 passes", kind: k, ev: at(0), outcome: reports.Pass},
		{name: "100 passes", kind: k, ev: at(rawJSON("100.0")), outcome: reports.Pass},
		{name: "an exponent within the range passes", kind: k, ev: at(rawJSON("4.25e1")), outcome: reports.Pass},
		{name: "150 fails", kind: k, ev: at(150), outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"/Request/Progress/ProgressPercent is out of its documented range", `/Request/Progress/ProgressPercent = 150 in "walk: cancel": expected a value within 0..100`}},
		{name: "a fraction over 100 fails", kind: k, ev: at(100.5), outcome: reports.Fail, message: []string{"= 100.5"}},
		{name: "a negative percentage fails", kind: k, ev: at(-1), outcome: reports.Fail, message: []string{"= -1"}},
		{name: "Infinity fails", kind: k, ev: at("Infinity"), outcome: reports.Fail, message: []string{"= +Inf"}},
		{name: "NaN fails", kind: k, ev: at("NaN"), outcome: reports.Fail, message: []string{"= NaN"}},
		{name: "a describe answer out of range fails", kind: k,
			ev: walked(func(ev *engine.Evidence) {
				ev.Watch.Describes[2] = describeAnswer("watch: describe at 250", request(watchID, "IN_PROGRESS", "Progress", progress("CONVERTING", "ProgressPercent", 250)))
			}),
			outcome: reports.Fail, shows: []string{"watch: describe at 250"}, message: []string{`/Requests/0/Progress/ProgressPercent = 250 in "watch: describe at 250"`}},
		{name: "a string that is not a number is left to the member-type check", kind: k, ev: at("50%"), outcome: reports.Skipped,
			message: []string{"/Request/Progress/ProgressPercent was never observed"}},
		{name: "never observed is skipped", kind: k, ev: answering(cancelAnswer("walk: cancel", request(reqID, "CANCELING"))), outcome: reports.Skipped},
		{name: "blocked by a walk with no cancelled request", kind: k, ev: blocked(emptyWalk), outcome: reports.Skipped, cause: causeWalkStopped},
		{name: "a path the model lacks is a harness error", kind: Range{Path: "/Request/Progress/Nope"}, ev: walked(), outcome: reports.Error},
	})
}
