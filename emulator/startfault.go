package emulator

import (
	"slices"

	"github.com/dmsconform/dmsconform/spec"
)

// Start faults: a project configured with Project.StartFault refuses Start* with one
// of the Start operation's modelled faults, the way DMS refuses a migration project
// it cannot run requests for (its S3 bucket is missing, its role is denied the bucket
// or the KMS key). That is the project's configuration, not a lifecycle: the harness
// reports it as such (skipped, with the fault and what to fix), never as a failure.

// startFaults lists the faults modelled by any Start* operation, sorted.
func startFaults(m *spec.Model) []string {
	var out []string
	for _, op := range m.Operations {
		if op.Role != spec.RoleStart {
			continue
		}
		for _, f := range op.Faults {
			if !slices.Contains(out, f.Name) {
				out = append(out, f.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func startFaultModelled(m *spec.Model, code string) bool {
	return slices.Contains(startFaults(m), code)
}

// refuseStart is the fault a Start* of op in project p answers with (nil: start).
func refuseStart(op *spec.Operation, p *project) *apiError {
	if p.startFault == "" {
		return nil
	}
	for _, f := range op.Faults {
		if f.Name == p.startFault {
			return newFault(f.Code, "%s (migration project %s: the emulator's project configuration refuses %s with %s)", f.Doc, p.name, op.Name, f.Code)
		}
	}
	return nil
}
