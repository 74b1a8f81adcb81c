package engine_test

import (
	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// The tests of package engine open real targets through these hooks (see
// helpers_test.go).
func init() {
	engine.NewTestTarget = func(cfg engine.Config, adjust func(*emulator.Config)) (engine.Target, error) {
		if cfg.Resolve().Target == engine.TargetEmbedded {
			return targets.NewEmbedded(cfg, adjust)
		}
		return targets.New(cfg)
	}
	engine.TestEmulator = func(t engine.Target) *emulator.Server {
		if e, ok := t.(*targets.Embedded); ok {
			return e.Server()
		}
		return nil
	}
}
