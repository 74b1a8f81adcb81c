package kinds

import (
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

func TestProjectARN(t *testing.T) {
	k := ProjectARN{}
	const otherARN = "arn:aws:dms:us-east-1:123456789012:migration-project:other-project"
	cancelARN := func(arn any) func(*engine.Evidence) {
		return func(ev *engine.Evidence) {
			ev.Walk.Cancel = cancelAnswer("walk: cancel", request(reqID, "CANCELING", "MigrationProjectArn", arn))
		}
	}
	madeIn := func(p string) func(*engine.Evidence) { return func(ev *engine.Evidence) { ev.Project = p } }
	controlARN := func(arn string) func(*engine.Evidence) {
		return func(ev *engine.Evidence) { ev.Facts.ProjectARN = arn }
	}
	runJudgeCases(t, []judgeCase{
		{name: "the project's ARN passes", kind: k, ev: walked(), outcome: reports.Pass, shows: []string{"walk: cancel"}},
		{name: "the ARN the run was given passes", kind: k, ev: walked(madeIn(projectARN)), outcome: reports.Pass},
		{name: "the ARN the control surface reports passes", kind: k, ev: walked(controlARN(projectARN)), outcome: reports.Pass},
		{name: "a recording's placeholder account passes", kind: k,
			ev: walked(cancelARN("arn:aws:dms:us-east-1:<account-1>:migration-project:dmsconform-project"), func(ev *engine.Evidence) { ev.Walk.Describes = nil }), outcome: reports.Pass},
		{name: "another partition passes", kind: k,
			ev: walked(cancelARN("arn:aws-cn:dms:cn-north-1:123456789012:migration-project:ABCDEFGHIJ"), func(ev *engine.Evidence) { ev.Walk.Describes = nil }), outcome: reports.Pass},
		{name: "no ARN fails", kind: k, ev: walked(cancelARN(nil)), outcome: reports.Fail, shows: []string{"walk: cancel"},
			message: []string{"the cancel response has no Request.MigrationProjectArn"}},
		{name: "no Request fails", kind: k, ev: walked(func(ev *engine.Evidence) { ev.Walk.Cancel = raw(cancelOp, "walk: cancel", 200, `{"Request":null}`) }),
			outcome: reports.Fail, message: []string{"has no Request.MigrationProjectArn"}},
		{name: "the project's name instead of its ARN fails", kind: k, ev: walked(cancelARN(project)), outcome: reports.Fail,
			message: []string{`Request.MigrationProjectArn "dmsconform-project" is not a migration project ARN`}},
		{name: "another resource's ARN fails", kind: k, ev: walked(cancelARN("arn:aws:dms:us-east-1:123456789012:rep:ABCDEFG")), outcome: reports.Fail,
			message: []string{"is not a migration project ARN"}},
		{name: "a truncated account fails", kind: k, ev: walked(cancelARN("arn:aws:dms:us-east-1:12345:migration-project:dmsconform-project")), outcome: reports.Fail,
			message: []string{"is not a migration project ARN"}},
		{name: "another project than the run's fails", kind: k, ev: walked(cancelARN(otherARN), madeIn(projectARN)), outcome: reports.Fail,
			message: []string{`Request.MigrationProjectArn is "` + otherARN + `", but the request was made in project "` + projectARN + `"`}},
		{name: "another project than the control surface's fails", kind: k, ev: walked(cancelARN(otherARN), controlARN(projectARN)), outcome: reports.Fail,
			message: []string{`but the target's control surface says project "dmsconform-project" has ARN "` + projectARN + `"`}},
		{name: "another project than the describe's fails", kind: k, ev: walked(cancelARN(otherARN)), outcome: reports.Fail,
			message: []string{`Request.MigrationProjectArn is "` + otherARN + `", but DescribeMetadataModelConversions says the request belongs to "` + projectARN + `"`}},
		{name: "blocked by a failed cancel", kind: k, ev: walked(failedCancelWalk), outcome: reports.Skipped, cause: causeCancelFailed},
		{name: "blocked by an unimplemented cancel", kind: k, ev: walked(unimplementedCancelWalk), outcome: reports.Unimplemented, cause: causeUnimplCancel},
		{name: "blocked by a walk that could not start", kind: k, ev: walked(refusedStartWalk), outcome: reports.Skipped, cause: causeWalkStopped},
	})
}
