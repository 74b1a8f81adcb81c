package engine

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/spec"
)

// Target kinds.
const (
	TargetEmbedded = "embedded" // the emulator in process, on a virtual clock
	TargetEndpoint = "endpoint" // any URL speaking the DMS JSON protocol
	TargetAWS      = "aws"      // real DMS through the SDK's default credential chain
	// TargetReplay serves a recording back (--target replay:DIR); Config.Endpoint holds DIR.
	TargetReplay = "replay"
)

// Config is what to test and how. Every field users set is declared once in Settings
// (flag name, environment variable, help, per-target default); Resolve fills the
// defaults of the chosen target.
type Config struct {
	Target   string
	Endpoint string
	Region   string
	Profile  string

	// Credentials of endpoint targets (aws uses the SDK's default chain).
	AccessKeyID, SecretAccessKey, SessionToken string

	Project string // migration project name or ARN

	// A principal the target denies the cancel operations (AccessDeniedFault checks):
	// static keys (endpoint) or a profile (aws).
	DeniedAccessKeyID, DeniedSecretAccessKey, DeniedProfile string

	Control string // base URL of an emulator control surface
	// StartInputs is a JSON or YAML file of the members the Start requests send, by
	// operation (the project is filled in): real DMS runs only requests whose selection
	// rules select objects of the project's source.
	StartInputs string
	// FailingProject is a project whose requests fail: the failing script starts one
	// there to judge Error and the ErrorDetails union on real answers.
	FailingProject string
	AllowAccounts  []string // aws: the accounts the run may touch
	Defects        []string // embedded: emulator defect modes (the mutation self-test)

	CallTimeout      time.Duration // one attempt of one API call
	LifecycleTimeout time.Duration // a request from start to a terminal status
	ConsistencyGrace time.Duration // how long a new request may stay invisible
	CleanupTimeout   time.Duration // how long clean-up waits for cancels to land
	MinDelay         time.Duration // first delay between polls (doubles up to MaxDelay)
	MaxDelay         time.Duration
	MaxStarts        int     // requests the run may start (0: what the selected checks need)
	MaxRate          float64 // API calls per second at most (0: no limit)
	MaxAttempts      int     // attempts of one call when the answer is transient
	RetryBudget      int     // retries in the whole run
	Parallel         int     // evidence scripts gathered at once

	// Model is the model the checks are judged against (nil: the embedded
	// spec/dms.openapi.yaml); tests use another (a family no SDK has).
	Model *spec.Model `json:"-"`

	// explicit holds the flags whose value was set (by flag or environment), so a
	// deliberate 0 ("--max-rate 0": no limit) is not replaced by the target's default.
	explicit map[string]bool
}

// Explicit reports whether the setting with this flag was set by flag or environment.
func (c Config) Explicit(flagName string) bool { return c.explicit[flagName] }

// Secrets are the configured credential strings, for the redaction boundary (the
// session adds what the SDK's credential chain resolves).
func (c Config) Secrets() []string {
	return []string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.DeniedAccessKeyID, c.DeniedSecretAccessKey}
}

// markExplicit records that a setting was set.
func (c *Config) markExplicit(flagName string) {
	if c.explicit == nil {
		c.explicit = map[string]bool{}
	}
	c.explicit[flagName] = true
}

// Setting is one user-settable field of Config: its flag, its environment variable,
// its help and its defaults per target ("*" for every target).
type Setting struct {
	Flag     string
	Env      string
	Usage    string
	Defaults map[string]string
	// Targets lists the targets the setting applies to (nil: all).
	Targets []string
	field   func(*Config) any // pointer to the Config field
}

// Value returns the flag.Value that sets this setting on c.
func (s Setting) Value(c *Config) flag.Value {
	return value{p: s.field(c), set: func() { c.markExplicit(s.Flag) }}
}

// Help is the flag's usage: the text, its defaults and its environment variable.
func (s Setting) Help() string {
	h := s.Usage
	if d := s.defaultWords(); d != "" {
		h += " (default " + d + ")"
	}
	return h + " [env " + s.Env + "]"
}

func (s Setting) defaultWords() string {
	if len(s.Defaults) == 0 {
		return ""
	}
	var parts []string
	if d, ok := s.Defaults["*"]; ok {
		parts = append(parts, d)
	}
	var ts []string
	for t := range s.Defaults {
		if t != "*" {
			ts = append(ts, t)
		}
	}
	sort.Strings(ts)
	for _, t := range ts {
		parts = append(parts, t+" "+s.Defaults[t])
	}
	return strings.Join(parts, "; ")
}

// Settings declares every user-settable field once.
var Settings = []Setting{
	{Flag: "target", Env: "DMSCONFORM_TARGET", Usage: "what to test: embedded (the built-in emulator), endpoint (any URL speaking the DMS JSON protocol), aws (real DMS) or replay:DIR (a recording served back offline)",
		Defaults: map[string]string{"*": TargetEmbedded}, field: func(c *Config) any { return &c.Target }},
	{Flag: "endpoint", Env: "DMSCONFORM_ENDPOINT", Usage: "`URL` of the endpoint target, e.g. http://127.0.0.1:4566",
		Targets: []string{TargetEndpoint, TargetReplay}, field: func(c *Config) any { return &c.Endpoint }},
	{Flag: "region", Env: "DMSCONFORM_REGION", Usage: "AWS `region`",
		Defaults: map[string]string{TargetEmbedded: "us-east-1", TargetEndpoint: "us-east-1", TargetAWS: "the SDK's (AWS_REGION, profile)"}, field: func(c *Config) any { return &c.Region }},
	{Flag: "profile", Env: "DMSCONFORM_PROFILE", Usage: "aws: shared config `profile` (default: the SDK's default chain)",
		Targets: []string{TargetAWS}, field: func(c *Config) any { return &c.Profile }},
	{Flag: "access-key-id", Env: "DMSCONFORM_ACCESS_KEY_ID", Usage: "endpoint: access key `id` (default: the emulator's test key)",
		Targets: []string{TargetEndpoint}, field: func(c *Config) any { return &c.AccessKeyID }},
	{Flag: "secret-access-key", Env: "DMSCONFORM_SECRET_ACCESS_KEY", Usage: "endpoint: secret access `key`",
		Targets: []string{TargetEndpoint}, field: func(c *Config) any { return &c.SecretAccessKey }},
	{Flag: "session-token", Env: "DMSCONFORM_SESSION_TOKEN", Usage: "endpoint: session `token` of temporary credentials",
		Targets: []string{TargetEndpoint}, field: func(c *Config) any { return &c.SessionToken }},
	{Flag: "project", Env: "DMSCONFORM_PROJECT", Usage: "migration project `name or ARN` (required for endpoint and aws)",
		Defaults: map[string]string{TargetEmbedded: "the emulator's seeded project"}, field: func(c *Config) any { return &c.Project }},
	{Flag: "start-inputs", Env: "DMSCONFORM_START_INPUTS", Usage: "JSON or YAML `file` of the members the Start requests send, by operation, e.g. {\"StartMetadataModelConversion\": {\"SelectionRules\": \"...\"}} (the project is filled in; checked against the model before anything runs): real DMS runs only requests whose selection rules select objects of the project's source (default: selection rules of server dmsconform, which the dmsconform emulator runs)",
		Targets: []string{TargetEmbedded, TargetEndpoint, TargetAWS}, field: func(c *Config) any { return &c.StartInputs }},
	{Flag: "failing-project", Env: "DMSCONFORM_FAILING_PROJECT", Usage: "migration project `name or ARN` set up so that its requests fail (e.g. its source data provider's host is unreachable): one request is started there and watched to FAILED, to judge Error and the ErrorDetails union on real answers",
		Defaults: map[string]string{TargetEmbedded: "the emulator's seeded dmsconform-failing"}, Targets: []string{TargetEmbedded, TargetEndpoint, TargetAWS}, field: func(c *Config) any { return &c.FailingProject }},
	{Flag: "denied-access-key-id", Env: "DMSCONFORM_DENIED_ACCESS_KEY_ID", Usage: "endpoint: access key `id` of a principal the target denies the cancel operations (AccessDeniedFault checks)",
		Targets: []string{TargetEndpoint}, field: func(c *Config) any { return &c.DeniedAccessKeyID }},
	{Flag: "denied-secret-access-key", Env: "DMSCONFORM_DENIED_SECRET_ACCESS_KEY", Usage: "endpoint: that principal's secret `key`",
		Targets: []string{TargetEndpoint}, field: func(c *Config) any { return &c.DeniedSecretAccessKey }},
	{Flag: "denied-profile", Env: "DMSCONFORM_DENIED_PROFILE", Usage: "aws: `profile` of a principal denied the cancel operations (AccessDeniedFault checks)",
		Targets: []string{TargetAWS}, field: func(c *Config) any { return &c.DeniedProfile }},
	{Flag: "control", Env: "DMSCONFORM_CONTROL", Usage: "endpoint: `URL` of a dmsconform emulator control surface (e.g. http://127.0.0.1:4566/_dmsconform/v1/) for the scenario-driven checks",
		Targets: []string{TargetEndpoint}, field: func(c *Config) any { return &c.Control }},
	{Flag: "allow-account", Env: "DMSCONFORM_ALLOW_ACCOUNTS", Usage: "aws: 12-digit account `ids` (comma-separated) the run may touch; it refuses any other",
		Targets: []string{TargetAWS}, field: func(c *Config) any { return &c.AllowAccounts }},
	{Flag: "defects", Env: "DMSCONFORM_DEFECTS", Usage: "embedded: emulator defect `modes` to switch on (comma-separated; dmsconform mutate --list shows them)",
		Targets: []string{TargetEmbedded}, field: func(c *Config) any { return &c.Defects }},
	{Flag: "call-timeout", Env: "DMSCONFORM_CALL_TIMEOUT", Usage: "timeout of one attempt of one API call",
		Defaults: map[string]string{"*": "10s"}, field: func(c *Config) any { return &c.CallTimeout }},
	{Flag: "lifecycle-timeout", Env: "DMSCONFORM_LIFECYCLE_TIMEOUT", Usage: "how long a request may take to reach a terminal status (virtual time on embedded)",
		Defaults: map[string]string{"*": "2m", TargetAWS: "15m"}, field: func(c *Config) any { return &c.LifecycleTimeout }},
	{Flag: "consistency-grace", Env: "DMSCONFORM_CONSISTENCY_GRACE", Usage: "how long a request just started may be unknown to Describe and Cancel before it counts as missing",
		Defaults: map[string]string{"*": "10s", TargetAWS: "30s"}, field: func(c *Config) any { return &c.ConsistencyGrace }},
	{Flag: "cleanup-timeout", Env: "DMSCONFORM_CLEANUP_TIMEOUT", Usage: "how long clean-up (also after SIGINT/SIGTERM) waits for the cancels of started requests to land",
		Defaults: map[string]string{"*": "10s", TargetAWS: "30s"}, field: func(c *Config) any { return &c.CleanupTimeout }},
	{Flag: "min-delay", Env: "DMSCONFORM_MIN_DELAY", Usage: "first delay between polls; it doubles up to --max-delay",
		Defaults: map[string]string{"*": "50ms", TargetEmbedded: "250ms (virtual)", TargetReplay: "250ms (virtual)", TargetAWS: "1s"}, field: func(c *Config) any { return &c.MinDelay }},
	{Flag: "max-delay", Env: "DMSCONFORM_MAX_DELAY", Usage: "largest delay between polls",
		Defaults: map[string]string{"*": "2s", TargetEmbedded: "2s (virtual)", TargetReplay: "2s (virtual)", TargetAWS: "30s"}, field: func(c *Config) any { return &c.MaxDelay }},
	{Flag: "max-starts", Env: "DMSCONFORM_MAX_STARTS", Usage: "at most this many requests are started",
		Defaults: map[string]string{"*": "what the selected checks declare, plus 2 replacements per lifecycle walk", TargetAWS: "what the selected checks declare, plus 1 replacement per lifecycle walk"}, field: func(c *Config) any { return &c.MaxStarts }},
	{Flag: "max-rate", Env: "DMSCONFORM_MAX_RATE", Usage: "at most this many API calls per second (0: no limit)",
		Defaults: map[string]string{"*": "0", TargetAWS: "5"}, field: func(c *Config) any { return &c.MaxRate }},
	{Flag: "max-attempts", Env: "DMSCONFORM_MAX_ATTEMPTS", Usage: "attempts of one call whose answer is transient (a throttle, a 5xx, a reset); the answer is judged only when every attempt gave the same one",
		Defaults: map[string]string{"*": "10"}, field: func(c *Config) any { return &c.MaxAttempts }},
	{Flag: "retry-budget", Env: "DMSCONFORM_RETRY_BUDGET", Usage: "retries in the whole run; when spent, a transient answer is an error",
		Defaults: map[string]string{"*": "500"}, field: func(c *Config) any { return &c.RetryBudget }},
	{Flag: "parallel", Env: "DMSCONFORM_PARALLEL", Usage: "evidence scripts gathered at once (the families, and the requests within a family, are watched side by side)",
		Defaults: map[string]string{"*": "16", TargetEmbedded: "1 (deterministic)", TargetReplay: "1 (deterministic)"}, field: func(c *Config) any { return &c.Parallel }},
}

// Setting returns the setting with this flag name (panics when there is none: a
// programming error).
func SettingOf(flagName string) Setting {
	for _, s := range Settings {
		if s.Flag == flagName {
			return s
		}
	}
	panic("engine: no setting " + flagName)
}

// ConfigFromEnv fills a Config from the DMSCONFORM_* environment (getenv: os.Getenv
// when nil). A malformed value is a configuration error naming the variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var c Config
	var errs []error
	for _, s := range Settings {
		if v := getenv(s.Env); v != "" {
			if err := s.Value(&c).Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", s.Env, v, err))
			}
		}
	}
	return c, errors.Join(errs...)
}

// Resolve returns the configuration with the chosen target's defaults filled in, from
// the one table of Settings. Embedded and replay targets run on a virtual clock: their
// durations are virtual, so a lifecycle takes milliseconds.
func (c Config) Resolve() Config {
	if c.Target == "" {
		c.Target = TargetEmbedded
	}
	if dir, ok := strings.CutPrefix(c.Target, TargetReplay+":"); ok {
		c.Target, c.Endpoint = TargetReplay, dir
	}
	for _, s := range Settings {
		def, ok := s.Defaults[c.Target]
		if !ok {
			def, ok = s.Defaults["*"]
		}
		if !ok || !isZero(s.field(&c)) || c.Explicit(s.Flag) {
			continue
		}
		// A default is a value, optionally followed by a note in parentheses ("250ms
		// (virtual)"); a sentence ("the SDK's (AWS_REGION, profile)") is computed
		// elsewhere, even when its first word would parse as a string.
		f := strings.Fields(def)
		if len(f) > 0 && parses(s, f[0]) && (len(f) == 1 || strings.HasPrefix(f[1], "(")) {
			_ = value{p: s.field(&c)}.Set(f[0]) // a default: not marked as set
		}
	}
	return c
}

// parses reports whether a default's first word is a value of the setting's type
// (defaults such as "what the selected checks declare" are computed elsewhere).
func parses(s Setting, v string) bool {
	var probe Config
	return value{p: s.field(&probe)}.Set(v) == nil
}

func isZero(p any) bool {
	switch x := p.(type) {
	case *string:
		return *x == ""
	case *[]string:
		return len(*x) == 0
	case *time.Duration:
		return *x == 0
	case *int:
		return *x == 0
	case *float64:
		return *x == 0
	}
	return false
}

// Validate says what is missing or inconsistent in the settings every target shares,
// and how to fix it (a ConfigError: exit 2). What one target kind needs (an endpoint's
// URL, the aws allowlist) its constructor in package targets checks.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error { return &ConfigError{Err: fmt.Errorf(format, args...)} }
	for _, s := range Settings {
		if s.Targets != nil && !isZero(s.field(&c)) && !contains(s.Targets, c.Target) {
			return bad("--%s is for --target %s only: drop it, or pass --target %s", s.Flag, strings.Join(s.Targets, "/"), s.Targets[0])
		}
	}
	if !contains([]string{TargetEmbedded, TargetEndpoint, TargetAWS, TargetReplay}, c.Target) {
		return bad("unknown target %q: pass --target embedded, endpoint, aws or replay:DIR", c.Target)
	}
	for _, f := range []struct {
		flag string
		d    time.Duration
	}{{"call-timeout", c.CallTimeout}, {"lifecycle-timeout", c.LifecycleTimeout}, {"min-delay", c.MinDelay}, {"max-delay", c.MaxDelay}} {
		if f.d == 0 && c.Explicit(f.flag) {
			return bad("--%s 0: pass a positive duration such as 1s, or leave it out for the default", f.flag)
		}
	}
	for _, s := range Settings {
		if negative(s.field(&c)) {
			return bad("--%s %s is negative: pass 0 or more, or leave it out for the default", s.Flag, s.Value(&c))
		}
	}
	if c.MaxAttempts > 20 {
		return bad("--max-attempts %d: pass 1 (no retries) to 20", c.MaxAttempts)
	}
	return nil
}

func negative(p any) bool {
	switch x := p.(type) {
	case *time.Duration:
		return *x < 0
	case *int:
		return *x < 0
	case *float64:
		return *x < 0
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ConfigError is a usage or configuration problem (exit code 2).
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// value adapts a Config field to flag.Value.
type value struct {
	p   any
	set func() // records that the setting was set
}

func (v value) String() string {
	switch x := v.p.(type) {
	case *string:
		return *x
	case *[]string:
		return strings.Join(*x, ",")
	case *time.Duration:
		if *x == 0 {
			return ""
		}
		return x.String()
	case *int:
		if *x == 0 {
			return ""
		}
		return strconv.Itoa(*x)
	case *float64:
		if *x == 0 {
			return ""
		}
		return strconv.FormatFloat(*x, 'g', -1, 64)
	}
	return ""
}

func (v value) Set(s string) error {
	if v.set != nil {
		v.set()
	}
	switch x := v.p.(type) {
	case *string:
		*x = s
	case *[]string:
		*x = nil
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				*x = append(*x, p)
			}
		}
	case *time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", s)
		}
		*x = d
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		*x = n
	case *float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*x = f
	default:
		return fmt.Errorf("unsupported setting type %T", v.p)
	}
	return nil
}
