package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestEnumPassthrough(t *testing.T) {
	status := EnumPassthrough{Set: "RequestStatus", Paths: []string{"/Request/Status"}}
	step := EnumPassthrough{Set: "ProgressStep", Paths: []string{"/Request/Progress/ProgressStep"}}
	const undocStatus, undocStep = "DMSCONFORM_UNDOCUMENTED_STATUS", "DMSCONFORM_UNDOCUMENTED_STEP"
	askStatus := &engine.Solicitation{Status: undocStatus}
	runJudgeCases(t, []judgeCase{
		{name: "a solicited undocumented status reaches the SDK unchanged", kind: status,
			ev: scenario(walked(), "an undocumented Status", askStatus,
				describeAnswer("scenario an undocumented Status: describe", request(reqID, undocStatus, "Progress", progress("ANALYZING")))),
			outcome: reports.Pass, shows: []string{"scenario an undocumented Status: describe"}},
		{name: "a solicited undocumented step in the scenario's cancel answer", kind: step,
			ev: scenario(walked(), "an undocumented ProgressStep", &engine.Solicitation{ProgressStep: undocStep},
				cancelAnswer("scenario an undocumented ProgressStep: cancel", request(reqID, "CANCELING", "Progress", progress(undocStep)))),
			outcome: reports.Pass, shows: []string{"scenario an undocumented ProgressStep: cancel"}},
		{name: "an answer the SDK cannot decode fails", kind: status,
			ev: scenario(walked(), "an undocumented Status", askStatus,
				describeAnswer("scenario an undocumented Status: describe", request(reqID, undocStatus, "Progress", progress("ANALYZING", "TotalObjects", "12")))),
			outcome: reports.Fail, shows: []string{"scenario an undocumented Status: describe"},
			message: []string{"an undocumented RequestStatus value was not passed through unchanged", "the SDK returned no output", `(want "` + undocStatus + `" passed through)`}},
		{name: "the target did not send the value asked for", kind: status,
			ev:      scenario(walked(), "an undocumented Status", askStatus, describeAnswer("scenario an undocumented Status: describe", request(reqID, "IN_PROGRESS"))),
			outcome: reports.Skipped, message: []string{"the target sent no undocumented RequestStatus value, though the scenario runs asked for one"}},
		{name: "an undocumented value nobody asked for is enum.documented's", kind: status,
			ev: answering(cancelAnswer("walk: cancel", request(reqID, "STOPPING"))), outcome: reports.Skipped},
		{name: "no scenario ran", kind: status, ev: walked(), outcome: reports.Skipped},
		{name: "a set the model lacks is a harness error", kind: EnumPassthrough{Set: "Nope"}, ev: walked(), outcome: reports.Error},
	})
}
