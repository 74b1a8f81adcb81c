package engine

import (
	"context"
	"fmt"

	"github.com/onsi/ginkgo/v2"

	"github.com/dmsconform/dmsconform/reports"
)

// EntryOutcome is the Ginkgo report entry that carries a check's outcome (Ginkgo's own
// states cannot tell drift from pass, or unimplemented from skipped).
const EntryOutcome = "dmsconform.outcome"

// OutcomeEntry is the value of EntryOutcome.
type OutcomeEntry struct {
	Outcome reports.Outcome `json:"outcome"`
	Message string          `json:"message"`
}

// Suite builds a family's Ginkgo tree: Describe(operation, Label(family, operation)) >
// Describe(group) > It(check ID, Label(check labels)), each It asking the engine for
// its check's verdict. session returns the session the suite's BeforeSuite opened.
func Suite(f Family, session func() *Session) bool {
	return ginkgo.Describe(f.Operation, ginkgo.Label(f.Name, f.Operation), func() {
		for _, g := range Groups {
			var cs []Check
			for _, c := range f.Checks {
				if c.Group() == g {
					cs = append(cs, c)
				}
			}
			if len(cs) == 0 {
				continue
			}
			ginkgo.Describe(g, func() {
				for _, c := range cs {
					ginkgo.It(c.ID, ginkgo.Label(c.Labels...), func(ctx ginkgo.SpecContext) {
						Verify(ctx, session(), c)
					})
				}
			})
		}
	})
}

// Verify judges one check inside a Ginkgo spec and tells Ginkgo: pass and drift pass
// (drift is printed), fail and error fail, skipped and unimplemented skip.
func Verify(ctx context.Context, s *Session, c Check) {
	if s == nil {
		ginkgo.Fail("harness error: no session (BeforeSuite did not open the target)")
	}
	v := s.Verdict(ctx, c)
	ginkgo.AddReportEntry(EntryOutcome, OutcomeEntry{Outcome: v.Outcome, Message: v.Message}, ginkgo.ReportEntryVisibilityNever)
	switch v.Outcome {
	case reports.Pass:
	case reports.Drift:
		fmt.Fprintf(ginkgo.GinkgoWriter, "drift: %s\n", v.Message)
	case reports.Fail:
		ginkgo.Fail(v.Message)
	case reports.Unimplemented:
		ginkgo.Skip("unimplemented: " + v.Message)
	case reports.Skipped:
		ginkgo.Skip(v.Message)
	default:
		ginkgo.Fail("harness error: " + v.Message)
	}
}

// OpenSuite opens the target the DMSCONFORM_* environment describes (default: the
// embedded emulator), built by newTarget (targets.New, as the CLI builds it), runs the
// preflight and gathers the evidence of the checks Ginkgo's label filter selects, in
// the CLI's order, so `go test ./suites/...` and `dmsconform run` judge the same
// evidence.
func OpenSuite(ctx context.Context, newTarget func(Config) (Target, error), fams ...Family) (*Session, error) {
	cfg, err := ConfigFromEnv(nil)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	cfg = cfg.Resolve()
	t, err := newTarget(cfg)
	if err != nil {
		return nil, err
	}
	s, err := Open(ctx, cfg, t)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range fams {
		names = append(names, f.Name)
	}
	if err := s.Preflight(ctx, names); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	checks, err := Select(fams, ginkgo.GinkgoLabelFilter())
	if err != nil {
		_ = s.Close(ctx)
		return nil, &ConfigError{Err: err}
	}
	s.Prepare(ctx, checks, nil)
	return s, nil
}
