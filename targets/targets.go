// Package targets builds what dmsconform runs against, one file per kind: the embedded
// emulator (embedded.go), any endpoint speaking the DMS JSON protocol (endpoint.go),
// real DMS (aws.go) and a recording served back (replay.go). Each is an engine.Target
// value: it validates its part of the configuration when it is built, and Connect
// makes it ready and says what it offers (a control surface, control.go; a denied
// principal). The engine asks for capabilities and never names the emulator; this
// package is the one place that does.
package targets

import (
	"context"
	"fmt"

	"github.com/dmsconform/dmsconform/suites/engine"
)

// New builds the target cfg names (cfg.Target; Config.Resolve is applied first),
// validating the settings every target shares and then the kind's own. A
// configuration the target cannot run with is a *engine.ConfigError (exit 2), found
// before anything is started or sent.
func New(cfg engine.Config) (engine.Target, error) {
	cfg = cfg.Resolve()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch cfg.Target {
	case engine.TargetEmbedded:
		return NewEmbedded(cfg, nil)
	case engine.TargetEndpoint:
		return NewEndpoint(cfg)
	case engine.TargetAWS:
		return NewAWS(cfg)
	case engine.TargetReplay:
		return NewReplay(cfg)
	}
	return nil, bad("unknown target %q: pass --target embedded, endpoint, aws or replay:DIR", cfg.Target)
}

// Open builds cfg's target and opens a session on it.
func Open(ctx context.Context, cfg engine.Config) (*engine.Session, error) {
	t, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return engine.Open(ctx, cfg, t)
}

// Never is what a target of this kind can never offer (so a missing capability is not
// applicable there, rather than not configured). A recording judged offline is judged
// with its recorded kind's answer.
func Never(kind string) []engine.Capability {
	switch kind {
	case engine.TargetAWS:
		return awsNever
	case engine.TargetEndpoint:
		return endpointNever
	}
	return nil
}

func bad(format string, args ...any) error {
	return &engine.ConfigError{Err: fmt.Errorf(format, args...)}
}
