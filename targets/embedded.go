package targets

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Embedded is the emulator in process, on a virtual clock that the harness advances
// instead of sleeping, with a control surface and a denied principal. Its requests
// ids are seeded, so a run (and its recording) is repeatable.
type Embedded struct {
	emu         emulator.Config
	project     string
	failing     string
	callTimeout time.Duration
	srv         *emulator.Server
}

// NewEmbedded builds the embedded target of cfg (its defect modes, and its model when
// cfg.Model is set). adjust, when not nil, changes the emulator's configuration before
// it starts (tests: weather, the wall clock).
func NewEmbedded(cfg engine.Config, adjust func(*emulator.Config)) (*Embedded, error) {
	cfg = cfg.Resolve()
	ec := emulator.Config{
		Clock:        emulator.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		StepDuration: emulator.DefaultStepDuration,
		Control:      true,
		Defects:      cfg.Defects,
		IDSeed:       1, // repeatable request ids: a recording of the embedded target is deterministic
		Model:        cfg.Model,
	}
	if adjust != nil {
		adjust(&ec)
	}
	project := cfg.Project
	if project == "" {
		project = emulator.DefaultProject // the emulator's seeded project
	}
	failing := cfg.FailingProject
	if failing == "" {
		// The emulator's seeded project whose requests fail (none when adjust seeded
		// projects without one).
		projects := ec.Projects
		if projects == nil {
			projects = emulator.DefaultProjects()
		}
		for _, p := range projects {
			if p.FailWith != "" {
				failing = p.Name
				break
			}
		}
	}
	return &Embedded{emu: ec, project: project, failing: failing, callTimeout: cfg.CallTimeout}, nil
}

// TargetKind implements engine.Target.
func (*Embedded) TargetKind() string { return engine.TargetEmbedded }

// Connect implements engine.Target: it starts the emulator (on a loopback port, for
// the control surface; API calls reach its handler in process).
func (e *Embedded) Connect(context.Context) (*engine.Connection, error) {
	srv, err := emulator.Start(e.emu)
	if err != nil {
		return nil, bad("starting the embedded emulator: %w", err)
	}
	e.srv = srv
	c := &engine.Connection{
		Endpoint: srv.URL, Region: srv.Region, Project: e.project,
		Transport:   inProcess{h: srv.Emulator},
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKeyID, srv.SecretAccessKey, ""),
		ProjectHint: fmt.Sprintf("; the dmsconform emulator seeds %q", emulator.DefaultProject),
		Capabilities: engine.Capabilities{
			Control:        newControl(srv.URL+emulator.ControlPrefix, e.callTimeout, false),
			Denied:         credentials.NewStaticCredentialsProvider(emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, ""),
			FailingProject: e.failing,
		},
		Close: srv.Close,
	}
	if srv.Clock != nil {
		c.Clock = engine.VirtualClock(srv.Clock)
	}
	return c, nil
}

// Server is the emulator Connect started (nil before).
func (e *Embedded) Server() *emulator.Server { return e.srv }
