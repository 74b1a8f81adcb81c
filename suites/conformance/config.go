// Package conformance is the hand-written support the generated suites call: the
// target configuration, the two clients of every exchange (aws-sdk-go-v2 and the raw
// signed wire), exchange capture, observation of the lifecycle, the check
// implementations and the Gomega matchers. Generated code never lives here.
package conformance

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Target kinds.
const (
	TargetEmbedded = "embedded"
	TargetEndpoint = "endpoint"
	TargetAWS      = "aws"
	// TargetReplay serves a recording (dmsconform run --record DIR) back; the CLI spells
	// it --target replay:DIR, and Config.Endpoint holds DIR.
	TargetReplay = "replay"
)

// Config is the one explicit description of what to test, filled from flags and the
// environment (DMSCONFORM_* variables; see FromEnv).
type Config struct {
	Target   string // embedded (default), endpoint or aws
	Endpoint string // endpoint targets: the URL speaking the DMS JSON protocol
	Region   string // default us-east-1 (embedded, endpoint) or the SDK's (aws)
	Profile  string // aws: shared config profile ("" = the default chain)

	// Credentials for endpoint targets (aws uses the SDK's default chain).
	AccessKeyID, SecretAccessKey, SessionToken string

	Project string // migration project name or ARN (required for aws and endpoint)

	// A principal the target denies the cancel operations, for the AccessDeniedFault
	// checks: static keys (endpoint) or a profile (aws). Unset: those checks skip.
	DeniedAccessKeyID, DeniedSecretAccessKey, DeniedProfile string

	// Control is the base URL of an emulator control surface (dmsconform emulate
	// --control); embedded targets always have one. Scenario-driven checks skip without it.
	Control string

	// AllowAccounts: aws only; the run refuses to start unless the caller's account is listed.
	AllowAccounts []string

	CallTimeout      time.Duration // per API call; default 30s
	LifecycleTimeout time.Duration // start → terminal; default 2m (embedded: virtual time)
	MinDelay         time.Duration // waiter and poll delays; default 5ms embedded, 2s otherwise
	MaxDelay         time.Duration
	MaxStarts        int // requests the run may start; default 40 (aws 6)
	// MaxPolls bounds the describes of one wait (0 = only the lifecycle timeout). The
	// embedded target sets it: its virtual clock advances per request, so a lifecycle
	// is a number of requests, not an amount of wall time.
	MaxPolls int

	// Defects are emulator defect modes for the embedded target (the mutation self-test).
	Defects []string
}

// Env variable names, one per field users set.
const (
	EnvTarget          = "DMSCONFORM_TARGET"
	EnvEndpoint        = "DMSCONFORM_ENDPOINT"
	EnvRegion          = "DMSCONFORM_REGION"
	EnvProfile         = "DMSCONFORM_PROFILE"
	EnvAccessKeyID     = "DMSCONFORM_ACCESS_KEY_ID"
	EnvSecretAccessKey = "DMSCONFORM_SECRET_ACCESS_KEY"
	EnvSessionToken    = "DMSCONFORM_SESSION_TOKEN"
	EnvProject         = "DMSCONFORM_PROJECT"
	EnvDeniedKeyID     = "DMSCONFORM_DENIED_ACCESS_KEY_ID"
	EnvDeniedSecret    = "DMSCONFORM_DENIED_SECRET_ACCESS_KEY"
	EnvDeniedProfile   = "DMSCONFORM_DENIED_PROFILE"
	EnvControl         = "DMSCONFORM_CONTROL"
	EnvAllowAccounts   = "DMSCONFORM_ALLOW_ACCOUNTS"
	EnvDefects         = "DMSCONFORM_DEFECTS"
)

// FromEnv returns a Config filled from DMSCONFORM_* variables over the defaults.
func FromEnv() Config {
	c := Config{
		Target:                os.Getenv(EnvTarget),
		Endpoint:              os.Getenv(EnvEndpoint),
		Region:                os.Getenv(EnvRegion),
		Profile:               os.Getenv(EnvProfile),
		AccessKeyID:           os.Getenv(EnvAccessKeyID),
		SecretAccessKey:       os.Getenv(EnvSecretAccessKey),
		SessionToken:          os.Getenv(EnvSessionToken),
		Project:               os.Getenv(EnvProject),
		DeniedAccessKeyID:     os.Getenv(EnvDeniedKeyID),
		DeniedSecretAccessKey: os.Getenv(EnvDeniedSecret),
		DeniedProfile:         os.Getenv(EnvDeniedProfile),
		Control:               os.Getenv(EnvControl),
		AllowAccounts:         splitList(os.Getenv(EnvAllowAccounts)),
		Defects:               splitList(os.Getenv(EnvDefects)),
	}
	return c.WithDefaults()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// WithDefaults fills unset fields.
func (c Config) WithDefaults() Config {
	if c.Target == "" {
		c.Target = TargetEmbedded
	}
	if dir, ok := strings.CutPrefix(c.Target, TargetReplay+":"); ok {
		c.Target, c.Endpoint = TargetReplay, dir
	}
	if c.Region == "" && c.Target != TargetAWS {
		c.Region = "us-east-1"
	}
	if c.CallTimeout == 0 {
		c.CallTimeout = 30 * time.Second
	}
	if c.LifecycleTimeout == 0 {
		c.LifecycleTimeout = 2 * time.Minute
		if c.Target == TargetAWS {
			c.LifecycleTimeout = 15 * time.Minute
		}
	}
	if c.MinDelay == 0 {
		c.MinDelay = 2 * time.Second
		if c.Target == TargetEmbedded {
			c.MinDelay = time.Millisecond
		}
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = 10 * c.MinDelay
		if c.Target == TargetAWS {
			c.MaxDelay = 30 * time.Second
		}
	}
	if c.MaxStarts == 0 {
		// Per family the observation starts 1 request (9 with a control surface), the
		// fault checks 1 and the lifecycle 1.
		c.MaxStarts = 40
		if c.Target == TargetAWS {
			c.MaxStarts = 6
		}
	}
	return c
}

// Validate says what is missing or inconsistent, and how to fix it.
func (c Config) Validate() error {
	switch c.Target {
	case TargetEmbedded:
		if c.Endpoint != "" {
			return fmt.Errorf("--endpoint is only for --target endpoint: drop it, or pass --target endpoint")
		}
	case TargetEndpoint:
		if c.Endpoint == "" {
			return fmt.Errorf("--endpoint is required for --target endpoint: pass the URL of the DMS-compatible endpoint, e.g. http://127.0.0.1:4566")
		}
		if !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://") {
			return fmt.Errorf("--endpoint %q is not an http(s) URL: pass e.g. http://127.0.0.1:4566", c.Endpoint)
		}
		if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
			return fmt.Errorf("--access-key-id and --secret-access-key go together: pass both, or neither for the emulator's default test keys")
		}
		if c.Project == "" {
			return fmt.Errorf("--project is required for --target endpoint: pass the migration project name or ARN the endpoint knows (the dmsconform emulator seeds %q)", "dmsconform-project")
		}
	case TargetReplay:
		if c.Endpoint == "" {
			return fmt.Errorf("--target replay needs a recording folder: pass --target replay:DIR (a folder written by dmsconform run --record DIR)")
		}
	case TargetAWS:
		if c.Project == "" {
			return fmt.Errorf("--project is required for --target aws: pass the migration project name or ARN")
		}
		if len(c.AllowAccounts) == 0 {
			return fmt.Errorf("--allow-account is required for --target aws: pass the sandbox account id(s) this run may touch (or set %s)", EnvAllowAccounts)
		}
		if c.AccessKeyID != "" {
			return fmt.Errorf("--access-key-id is for endpoint targets: real AWS uses the SDK's default credential chain (use --profile or the AWS_* environment)")
		}
		if len(c.Defects) > 0 {
			return fmt.Errorf("defect modes exist only in the embedded emulator: drop them for --target aws")
		}
	default:
		return fmt.Errorf("unknown target %q: pass --target embedded, endpoint, aws or replay:DIR", c.Target)
	}
	return nil
}
