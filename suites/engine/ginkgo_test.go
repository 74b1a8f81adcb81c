package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// OpenSuite opens the target the DMSCONFORM_* environment describes, runs the
// preflight and gathers what the selected checks need; a malformed variable or a wrong
// project is a *ConfigError before anything is gathered.
func TestOpenSuiteFromTheEnvironment(t *testing.T) {
	ctx := context.Background()
	newTarget := func(cfg Config) (Target, error) { return NewTestTarget(cfg, nil) }
	fam := Family{Name: "conversion", Operation: cancelOp, Checks: []Check{
		check("conversion", "fault.a", kind{needs: Needs{Evidence: []Script{NotFound}}}, "fault"),
	}}

	for _, st := range Settings {
		t.Setenv(st.Env, "") // whatever the caller's environment says
	}
	t.Setenv("DMSCONFORM_CALL_TIMEOUT", "soon")
	_, err := OpenSuite(ctx, newTarget, fam)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `DMSCONFORM_CALL_TIMEOUT="soon"`) {
		t.Errorf("a malformed variable: %v", err)
	}

	t.Setenv("DMSCONFORM_CALL_TIMEOUT", "")
	t.Setenv("DMSCONFORM_PROJECT", "no-such-project")
	if _, err := OpenSuite(ctx, newTarget, fam); !errors.As(err, &ce) || !strings.Contains(err.Error(), `--project "no-such-project"`) {
		t.Errorf("an unknown project: %v", err)
	}

	t.Setenv("DMSCONFORM_PROJECT", "")
	t.Setenv("DMSCONFORM_MAX_ATTEMPTS", "2")
	s, err := OpenSuite(ctx, newTarget, fam)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if s.TargetKind != TargetEmbedded || s.Cfg.MaxAttempts != 2 || !s.Facts().ServiceJSON {
		t.Errorf("session %s, max attempts %d, facts %+v", s.TargetKind, s.Cfg.MaxAttempts, s.Facts())
	}
	if ev := s.Evidence("conversion"); ev.NotFound == nil {
		t.Error("OpenSuite did not gather the selected checks' evidence")
	}
}
