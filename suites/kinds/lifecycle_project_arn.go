package kinds

import (
	"regexp"
	"strings"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// ProjectARN: the cancel answer names the ARN of the request's migration project.
type ProjectARN struct{}

func init() {
	register(func(x *Expansion) {
		x.Add("lifecycle", "project-arn", "MUST", fromDocs("the "+x.Cancel.Name+" documentation ("+docBotocore+"): SchemaConversionRequest.MigrationProjectArn", "The migration project ARN."), x.Cancel.Pointer, "the cancel response names the project's ARN",
			"The "+x.Cancel.Name+" response's Request.MigrationProjectArn MUST be the ARN of the request's migration project.",
			[]string{"lifecycle", "wire"}, ProjectARN{})
	})
}

// arnRe matches a migration project ARN; the account may be a redaction or recording
// placeholder (<account-1>, <account:1>).
var arnRe = regexp.MustCompile(`^arn:aws[a-z-]*:dms:[a-z0-9-]+:(\d{12}|<account[-:]\d+>):migration-project:[A-Za-z0-9-]+$`)

// Needs implements engine.Kind.
func (ProjectARN) Needs() engine.Needs { return walkNeeds }

// Judge implements engine.Kind.
func (ProjectARN) Judge(ev *engine.Evidence) engine.Verdict {
	if v := answerBlocked(ev); v != nil {
		return *v
	}
	show := []*engine.Sample{ev.Walk.Cancel}
	req := cancelledRequest(ev)
	got := engine.Str(req["MigrationProjectArn"])
	described := ""
	for _, smp := range ev.Walk.Describes {
		if r := engine.RequestIn(smp, ev.Walk.RequestID); r != nil {
			described = engine.Str(r["MigrationProjectArn"])
		}
	}
	switch {
	case got == "":
		return engine.Failf(show, "the cancel response has no Request.MigrationProjectArn")
	case !arnRe.MatchString(got):
		return engine.Failf(show, "Request.MigrationProjectArn %q is not a migration project ARN (arn:aws:dms:<region>:<account>:migration-project:<id>)", got)
	case strings.HasPrefix(ev.Project, "arn:") && got != ev.Project:
		return engine.Failf(show, "Request.MigrationProjectArn is %q, but the request was made in project %q", got, ev.Project)
	case ev.Facts.ProjectARN != "" && got != ev.Facts.ProjectARN:
		return engine.Failf(show, "Request.MigrationProjectArn is %q, but the target's control surface says project %q has ARN %q", got, ev.Project, ev.Facts.ProjectARN)
	case described != "" && got != described:
		return engine.Failf(show, "Request.MigrationProjectArn is %q, but %s says the request belongs to %q", got, ev.Describe.Name, described)
	}
	return engine.Pass(show...)
}
