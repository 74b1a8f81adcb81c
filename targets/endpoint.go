package targets

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Endpoint is any URL speaking the DMS JSON protocol (moto, LocalStack, the standalone
// emulator, your own). It offers a control surface with --control (without it, it never
// has one: the checks that need one are not applicable), a denied principal with
// --denied-access-key-id and a failing project with --failing-project; without
// --access-key-id it signs with the dmsconform emulator's published test key.
type Endpoint struct {
	cfg engine.Config
}

// endpointNever: only a dmsconform emulator has the control surface, and --control is
// how a run reaches it; an endpoint without it (moto, LocalStack, an emulator of your
// own) never has one, so the checks that need it are coverage there, not a gap.
var endpointNever = []engine.Capability{engine.CapControl}

// NewEndpoint builds the endpoint target of cfg, refusing what cannot run.
func NewEndpoint(cfg engine.Config) (*Endpoint, error) {
	c := cfg.Resolve()
	switch {
	case c.Endpoint == "":
		return nil, bad("--endpoint is required for --target endpoint: pass the URL of the DMS-compatible endpoint, e.g. http://127.0.0.1:4566")
	case !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://"):
		return nil, bad("--endpoint %q is not an http(s) URL: pass e.g. http://127.0.0.1:4566", c.Endpoint)
	case (c.AccessKeyID == "") != (c.SecretAccessKey == ""):
		return nil, bad("--access-key-id and --secret-access-key go together: pass both, or neither for the emulator's test keys")
	case (c.DeniedAccessKeyID == "") != (c.DeniedSecretAccessKey == ""):
		return nil, bad("--denied-access-key-id and --denied-secret-access-key go together: pass both, or neither to skip the AccessDeniedFault checks")
	case c.Project == "":
		return nil, bad("--project is required for --target endpoint: pass the migration project name or ARN the endpoint knows (the dmsconform emulator seeds %q)", emulator.DefaultProject)
	}
	return &Endpoint{cfg: c}, nil
}

// TargetKind implements engine.Target.
func (*Endpoint) TargetKind() string { return engine.TargetEndpoint }

// Connect implements engine.Target. It sends nothing: the preflight is the first call.
func (e *Endpoint) Connect(context.Context) (*engine.Connection, error) {
	c := e.cfg
	id, secret := c.AccessKeyID, c.SecretAccessKey
	if id == "" {
		id, secret = emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey
	}
	conn := &engine.Connection{Endpoint: c.Endpoint, Region: c.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, c.SessionToken),
		Capabilities: engine.Capabilities{FailingProject: c.FailingProject, Never: endpointNever}}
	if c.DeniedAccessKeyID != "" {
		conn.Capabilities.Denied = credentials.NewStaticCredentialsProvider(c.DeniedAccessKeyID, c.DeniedSecretAccessKey, "")
	}
	if c.Control != "" {
		conn.Capabilities.Control = newControl(c.Control, c.CallTimeout, false)
		conn.ProjectHint = fmt.Sprintf("; the dmsconform emulator seeds %q", emulator.DefaultProject)
	}
	return conn, nil
}
