package sdk

import (
	"github.com/dmsconform/dmsconform/reports"
)

// Info is what a fixture's check states: the catalog entry of sdk.<operation>.<id>.
// Its source is the fixture's rule: the model and the Smithy awsJson 1.1 rules the
// expectation follows from.
func (f *Fixture) Info() reports.CheckInfo {
	return reports.CheckInfo{
		ID:          f.CheckID(),
		Title:       f.Description,
		Description: f.Requirement,
		Level:       f.Level,
		Labels:      []string{"sdk", "wire", f.Area},
		Pointer:     f.Pointer,
		Operation:   f.Operation,
		Source:      reports.Source{Origin: reports.SourceProtocol, Ref: "the AWS model and the Smithy awsJson 1.1 protocol, as the fixture's rule says", Quote: f.Rule},
	}
}
