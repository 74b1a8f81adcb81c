package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// UnreachableError says the target cannot be tested at all: it does not answer, does
// not speak the DMS JSON protocol, or rejects the credentials (exit 3).
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// serviceProbe is a cheap, read-only DMS call every DMS implementation has (moto
// implements it too): a JSON answer of any status shows the target speaks the protocol.
const serviceProbe = "DescribeReplicationInstances"

// Preflight checks, before any check runs, that the run can be made: the target
// answers and speaks the DMS JSON protocol, accepts the credentials, knows the project
// (in every family selected), and its control surface (if any) answers. A wrong
// configuration is a *ConfigError (exit 2); an unreachable target or rejected
// credentials an *UnreachableError or *CredentialError (exit 3). Both come in seconds,
// before anything is started.
func (s *Session) Preflight(ctx context.Context, families []string) error {
	body := []byte(`{"MaxRecords":20}`)
	smp, err := s.wire(ctx, "", wireRequest{Name: "preflight: is this a DMS endpoint?", Target: s.Model.Service.TargetPrefix + "." + serviceProbe, Body: body})
	if smp != nil {
		s.addSetup(smp)
	}
	if err != nil {
		if te := s.targetRefusal(err); te != nil {
			return te
		}
		return &UnreachableError{Err: fmt.Errorf("the target at %s is unreachable: %w (is it running? check --endpoint, --region and the network)", s.Endpoint, err)}
	}
	r := smp.Response()
	if err := CredentialProblem("preflight", r); err != nil {
		return err
	}
	if r.JSONErr != nil {
		return &UnreachableError{Err: fmt.Errorf("the target at %s does not speak the DMS JSON protocol: it answered %s (every attempt alike): is --endpoint the DMS endpoint, not a proxy or a web page?", s.Endpoint, r.Summary())}
	}
	s.mu.Lock()
	s.facts.ServiceJSON = true
	s.mu.Unlock()

	// The project, and the failing project, in every family selected.
	type probe struct{ family, project, flag string }
	var probes []probe
	for _, f := range families {
		probes = append(probes, probe{f, s.Project, "project"})
	}
	if s.failing != "" {
		for _, f := range families {
			probes = append(probes, probe{f, s.failing, "failing-project"})
		}
	}
	errs := make([]error, len(probes))
	samples := make([]*Sample, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples[i], errs[i] = s.checkProject(ctx, p.family, p.project, p.flag)
		}()
	}
	wg.Wait()
	for _, smp := range samples { // in family order, however the calls interleaved
		if smp != nil {
			s.addSetup(smp)
		}
	}
	if err := errors.Join(errs...); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			return ce
		}
		return err
	}
	if s.control != nil {
		c := s.newCall(SetupScript, "preflight: the control surface")
		projects, ex, err := s.control.Projects(ctx, c.script)
		ex.Call = c.seq
		s.addSetup(&Sample{Name: c.name, Attempts: []reports.Exchange{ex}})
		if err != nil {
			return &ConfigError{Err: fmt.Errorf("--control: %w", err)}
		}
		for _, p := range projects {
			if p.Name == s.Project || p.ARN == s.Project {
				s.mu.Lock()
				s.facts.ProjectARN = p.ARN
				s.mu.Unlock()
			}
		}
	}
	return nil
}

// checkProject describes the family's requests of a project (--project, or the flag
// named): an unknown project is a configuration error, found before anything starts.
func (s *Session) checkProject(ctx context.Context, family, project, flag string) (*Sample, error) {
	op := s.Model.FamilyOperation(family, spec.RoleDescribe)
	in := map[string]any{"MigrationProjectIdentifier": project, "MaxRecords": 20}
	smp, err := s.call(ctx, "", "preflight: does project "+project+" exist?", op, in, false)
	if err != nil {
		if te := s.targetRefusal(err); te != nil {
			return smp, te
		}
		return smp, &UnreachableError{Err: fmt.Errorf("the target at %s gave no usable answer during the preflight: %w", s.Endpoint, err)}
	}
	s.noteUnimplemented(smp)
	s.noteExisting(lane{family, project}, smp) // what a describe after a lost Start must not take for its request
	r := smp.Response()
	if err := CredentialProblem(op.Name, r); err != nil {
		return smp, err
	}
	switch {
	case faultIs(r, "ResourceNotFoundFault"):
		msg, _ := r.Message()
		hint := s.projectHint
		if flag == "failing-project" && hint != "" {
			hint = "; the dmsconform emulator seeds " + seededFailingProject + " for requests that fail"
		}
		return smp, &ConfigError{Err: fmt.Errorf("--%s %q: %s answers ResourceNotFoundFault (%s): pass a migration project that exists in region %s (name or ARN)%s",
			flag, project, op.Name, text.Truncate(msg, 160), s.Region, hint)}
	case faultIs(r, "AccessDeniedFault"), strings.EqualFold(r.ErrorCode(), "AccessDeniedException"):
		msg, _ := r.Message()
		return smp, &ConfigError{Err: fmt.Errorf("the credentials may not call %s on project %q (%s): grant dms:%s and the other permissions listed in the README", op.Name, project, text.Truncate(msg, 160), op.Name)}
	}
	return smp, nil
}
