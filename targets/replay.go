package targets

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Replay is a recording (dmsconform run --record DIR) served back on a loopback port
// (--target replay:DIR): each request is answered with what the target said at that
// point of that script. It offers what the recorded run had (a control surface, a
// denied principal), with the recorded project, region and facts, on a virtual clock.
type Replay struct {
	dir         string
	callTimeout time.Duration
}

// NewReplay builds the replay target of cfg (the folder is in cfg.Endpoint after
// Resolve).
func NewReplay(cfg engine.Config) (*Replay, error) {
	c := cfg.Resolve()
	if c.Endpoint == "" {
		return nil, bad("--target replay needs a recording folder: pass --target replay:DIR (a folder written by dmsconform run --record DIR)")
	}
	return &Replay{dir: c.Endpoint, callTimeout: c.CallTimeout}, nil
}

// TargetKind implements engine.Target.
func (*Replay) TargetKind() string { return engine.TargetReplay }

// Connect implements engine.Target: it loads the recording and serves it.
func (r *Replay) Connect(context.Context) (*engine.Connection, error) {
	srv, err := record.StartReplay(r.dir)
	if err != nil {
		return nil, bad("--target replay:%s: %w", r.dir, err)
	}
	var facts engine.Facts
	_ = json.Unmarshal(srv.Meta.Facts, &facts)
	conn := &engine.Connection{Endpoint: srv.URL, Region: srv.Region, Project: srv.Project, Replay: true, Facts: facts,
		Clock:       engine.VirtualClock(emulator.NewVirtualClock(time.Time{})),
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, ""),
		Close:       srv.Close}
	if srv.Denied {
		conn.Capabilities.Denied = credentials.NewStaticCredentialsProvider(emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, "")
	}
	if srv.Control != "" {
		conn.Capabilities.Control = newControl(srv.Control, r.callTimeout, true)
	}
	conn.Capabilities.FailingProject = srv.Meta.FailingProject
	return conn, nil
}
