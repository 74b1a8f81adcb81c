package engine

import (
	"fmt"

	"github.com/dmsconform/dmsconform/spec"
)

// A Start refused with one of its own modelled faults (the project's S3 bucket is
// missing or denied, its KMS key unreachable, its quota spent, ...) says the migration
// project cannot run requests as configured. That is the user's configuration, not the
// target's non-conformance: the walk and the watch stop with one cause that names the
// fault and what to fix, and the checks that needed a request are skipped with it.

// startFixes says what to fix for each fault a Start* models.
var startFixes = map[string]string{
	"S3ResourceNotFoundFault":    "create the S3 bucket (or folder) the migration project's settings name, or point the project at an existing one",
	"S3AccessDeniedFault":        "let the role of the project's instance profile read and write the project's S3 bucket",
	"KMSKeyNotAccessibleFault":   "let DMS use the project's KMS key (its key policy and the role's permissions)",
	"AccessDeniedFault":          "let the role DMS uses for the project's data providers reach them (DMS's own role was denied, not the caller)",
	"ResourceQuotaExceededFault": "let the project's earlier requests finish (or cancel them), or raise the account's quota",
	"ResourceAlreadyExistsFault": "let the project's earlier request with the same inputs finish, or cancel it",
	"InvalidResourceStateFault":  "bring the project, its instance profile and data providers to a usable state",
}

// StartRefusal is the modelled fault of op (a Start* operation) that smp's answer
// carries, or nil when smp is not a start refused with one.
func StartRefusal(op *spec.Operation, smp *Sample) *spec.Fault {
	if op == nil || smp == nil {
		return nil
	}
	r := smp.Response()
	if r.OK() {
		return nil
	}
	code := spec.SanitizeErrorCode(r.ErrorCode())
	for _, f := range op.Faults {
		if f.Code == code {
			return f
		}
	}
	return nil
}

// startRefusedWhy says why a start refused with fault f leaves nothing to judge.
func startRefusedWhy(op *spec.Operation, f *spec.Fault, smp *Sample) string {
	fix := "pass an existing migration project with --project (name or ARN)"
	if f.Name != "ResourceNotFoundFault" {
		fix = startFixes[f.Name]
		if fix == "" {
			fix = "fix the migration project's configuration"
		}
		fix += ", or pass another --project"
	}
	return fmt.Sprintf("%s refused to start a request with %s, one of its modelled faults (%s): the migration project is not set up to run requests, which is its configuration, not the target's non-conformance; to fix: %s (%s)",
		op.Name, f.Code, f.Doc, fix, smp.Response().Summary())
}

// StartRefused is the one cause of a family whose start was refused with one of the
// Start operation's modelled faults: the last such sample among starts decides (nil
// when none is).
func (ev *Evidence) StartRefused(starts ...*Sample) *Cause {
	for i := len(starts) - 1; i >= 0; i-- {
		if f := StartRefusal(ev.Start, starts[i]); f != nil {
			return &Cause{ID: ev.Family + "/start-refused", Outcome: "skipped", Title: startRefusedWhy(ev.Start, f, starts[i]), Samples: []*Sample{starts[i]}}
		}
	}
	return nil
}
