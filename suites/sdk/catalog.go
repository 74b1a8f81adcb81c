package sdkconform

import (
	"github.com/dmsconform/dmsconform/reports"
)

// Info is what a fixture's check states: the catalog entry of sdk.<operation>.<id>.
func (f *Fixture) Info() reports.CheckInfo {
	return reports.CheckInfo{
		ID:          f.CheckID(),
		Title:       f.Description,
		Description: f.Requirement,
		Level:       f.Level,
		Labels:      []string{"sdk", "wire", f.Area},
		Pointer:     f.Pointer,
		Operation:   f.Operation,
	}
}
