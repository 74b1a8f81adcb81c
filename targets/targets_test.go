package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// New refuses what cannot run (the settings every target shares, then the target
// kind's own), naming the flag and how to fix it; the error is a *ConfigError (exit 2).
func TestNewRefusesWhatCannotRunNamingTheFlagAndTheFix(t *testing.T) {
	ep := func(edit func(*engine.Config)) engine.Config {
		c := engine.Config{Target: engine.TargetEndpoint, Endpoint: "http://127.0.0.1:4566", Project: "p"}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	aws := func(accounts ...string) engine.Config {
		return engine.Config{Target: engine.TargetAWS, Project: "p", AllowAccounts: accounts}
	}
	for _, tc := range []struct {
		name string
		cfg  engine.Config
		want []string // every one is in the message
	}{
		{"endpoint without --endpoint", engine.Config{Target: engine.TargetEndpoint, Project: "p"}, []string{"--endpoint is required", "pass the URL"}},
		{"endpoint not a URL", ep(func(c *engine.Config) { c.Endpoint = "127.0.0.1:4566" }), []string{"--endpoint", "not an http(s) URL", "http://127.0.0.1:4566"}},
		{"endpoint without --project", ep(func(c *engine.Config) { c.Project = "" }), []string{"--project is required", emulator.DefaultProject}},
		{"half a key pair", ep(func(c *engine.Config) { c.AccessKeyID = "AKID" }), []string{"--access-key-id and --secret-access-key go together"}},
		{"half a denied key pair", ep(func(c *engine.Config) { c.DeniedSecretAccessKey = "x" }), []string{"--denied-access-key-id", "pass both"}},
		{"aws without --allow-account", aws(), []string{"--allow-account is required", "DMSCONFORM_ALLOW_ACCOUNTS"}},
		{"--allow-account of 5 digits", aws("12345"), []string{`--allow-account "12345"`, "12 digits", "123456789012"}},
		{"--allow-account with letters", aws("123456789012", "12345678901a"), []string{`"12345678901a"`, "12 digits"}},
		{"aws without --project", engine.Config{Target: engine.TargetAWS, AllowAccounts: []string{"123456789012"}}, []string{"--project is required for --target aws"}},
		{"a flag of aws on embedded", engine.Config{Profile: "sandbox"}, []string{"--profile is for --target aws only", "drop it"}},
		{"a flag of endpoint on aws", engine.Config{Target: engine.TargetAWS, Project: "p", AllowAccounts: []string{"123456789012"}, Control: "http://x/"}, []string{"--control is for --target endpoint only"}},
		{"a flag of embedded on endpoint", ep(func(c *engine.Config) { c.Defects = []string{"union-empty"} }), []string{"--defects is for --target embedded only"}},
		{"replay without a folder", engine.Config{Target: engine.TargetReplay}, []string{"replay:DIR"}},
		{"unknown target", engine.Config{Target: "moto"}, []string{`unknown target "moto"`, "embedded, endpoint, aws or replay:DIR"}},
		{"negative call timeout", ep(func(c *engine.Config) { c.CallTimeout = -time.Second }), []string{"--call-timeout -1s is negative", "pass 0 or more"}},
		{"negative lifecycle timeout", engine.Config{LifecycleTimeout: -time.Second}, []string{"--lifecycle-timeout", "negative"}},
		{"negative grace", engine.Config{ConsistencyGrace: -time.Second}, []string{"--consistency-grace", "negative"}},
		{"negative cleanup timeout", engine.Config{CleanupTimeout: -time.Second}, []string{"--cleanup-timeout", "negative"}},
		{"negative min delay", engine.Config{MinDelay: -time.Second}, []string{"--min-delay", "negative"}},
		{"negative max starts", engine.Config{MaxStarts: -1}, []string{"--max-starts -1", "negative"}},
		{"negative max rate", engine.Config{MaxRate: -1}, []string{"--max-rate -1", "negative"}},
		{"negative retry budget", engine.Config{RetryBudget: -1}, []string{"--retry-budget -1", "negative"}},
		{"negative parallel", engine.Config{Parallel: -2}, []string{"--parallel -2", "negative"}},
		{"too many attempts", engine.Config{MaxAttempts: 21}, []string{"--max-attempts 21", "1 (no retries) to 20"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			var ce *engine.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("New = %v, want a *engine.ConfigError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	for _, ok := range []engine.Config{{}, ep(nil), aws("123456789012", "210987654321"), {Target: "replay:/tmp/x"}, {Defects: []string{"union-empty"}}} {
		if _, err := New(ok); err != nil {
			t.Errorf("New(%+v) = %v, want nil", ok, err)
		}
	}
}

// The embedded target starts the emulator and offers what it has: a control surface
// that answers, a denied principal, the seeded project, a virtual clock.
func TestEmbeddedConnects(t *testing.T) {
	ctx := context.Background()
	e, err := NewEmbedded(engine.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := e.Server()
	if e.TargetKind() != engine.TargetEmbedded || c.Endpoint != srv.URL || c.Region != "us-east-1" || c.Project != emulator.DefaultProject ||
		c.Transport == nil || c.Clock == nil || c.Credentials == nil || c.Capabilities.Denied == nil || c.Capabilities.Control == nil {
		t.Fatalf("connection %+v", c)
	}
	before := srv.Clock.Now()
	_ = c.Clock.Sleep(ctx, time.Minute)
	if moved := srv.Clock.Now().Sub(before); moved != time.Minute {
		t.Errorf("waiting a minute moved the emulator's clock %v", moved)
	}
	projects, ex, err := c.Capabilities.Control.Projects(ctx, "setup")
	if err != nil || len(projects) == 0 || projects[0].Name != emulator.DefaultProject || projects[0].ARN != srv.Emulator.ProjectARN(emulator.DefaultProject) {
		t.Errorf("projects %+v: %v", projects, err)
	}
	if ex.View != "control" || ex.Script != "setup" || ex.Response.Status != 200 {
		t.Errorf("control exchange %+v", ex)
	}
	if _, err := c.Capabilities.Control.AddScenario(ctx, "conversion/scenarios", engine.Scenario{HoldAtStep: "NO_SUCH_STEP"}); err == nil || !strings.Contains(err.Error(), "holdAtStep") {
		t.Errorf("a scenario the emulator refuses: %v", err)
	}
	e2, _ := NewEmbedded(engine.Config{Project: emulator.FailingProject}, nil)
	c2, err := e2.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if c2.Project != emulator.FailingProject {
		t.Errorf("a configured project is kept: %q", c2.Project)
	}
	e3, _ := NewEmbedded(engine.Config{Defects: []string{"no-such-defect"}}, nil)
	var ce *engine.ConfigError
	if _, err := e3.Connect(ctx); !errors.As(err, &ce) || !strings.Contains(err.Error(), "starting the embedded emulator") {
		t.Errorf("an unknown defect: %v", err)
	}
}

// The endpoint target sends nothing while connecting, signs with the configured keys
// (or the emulator's test key) and offers what was configured.
func TestEndpointConnects(t *testing.T) {
	ctx := context.Background()
	tg, err := New(engine.Config{Target: engine.TargetEndpoint, Endpoint: "http://127.0.0.1:1", Project: "p",
		AccessKeyID: "AKID", SecretAccessKey: "secret", DeniedAccessKeyID: "DENY", DeniedSecretAccessKey: "dsecret", Control: "http://127.0.0.1:1/ctl"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tg.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := c.Credentials.Retrieve(ctx)
	if tg.TargetKind() != engine.TargetEndpoint || c.Endpoint != "http://127.0.0.1:1" || creds.AccessKeyID != "AKID" || c.Capabilities.Denied == nil ||
		c.Capabilities.Control.(*control).base != "http://127.0.0.1:1/ctl/" || c.Clock != nil || c.Transport != nil || c.ProjectHint == "" {
		t.Errorf("connection %+v", c)
	}
	tg, _ = New(engine.Config{Target: engine.TargetEndpoint, Endpoint: "http://127.0.0.1:1", Project: "p"})
	c, _ = tg.Connect(ctx)
	creds, _ = c.Credentials.Retrieve(ctx)
	if creds.AccessKeyID != emulator.DefaultAccessKeyID || c.Capabilities.Control != nil || c.Capabilities.Denied != nil || c.ProjectHint != "" {
		t.Errorf("without keys, control or a denied principal: %+v", c)
	}
}

// A replay of a folder that holds no recording is a configuration error at Connect.
func TestReplayOfNothingIsAConfigError(t *testing.T) {
	tg, err := New(engine.Config{Target: "replay:" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var ce *engine.ConfigError
	if _, err := tg.Connect(context.Background()); !errors.As(err, &ce) || !strings.Contains(err.Error(), "--target replay:") {
		t.Errorf("Connect = %v", err)
	}
}

// What a kind can never offer: real DMS has no control surface, nor has an endpoint
// without --control (only a dmsconform emulator has one, reached with --control); the
// others could.
func TestNever(t *testing.T) {
	for _, k := range []string{engine.TargetAWS, engine.TargetEndpoint} {
		if n := Never(k); len(n) != 1 || n[0] != engine.CapControl {
			t.Errorf("%s: %v", k, n)
		}
	}
	for _, k := range []string{engine.TargetEmbedded, engine.TargetReplay} {
		if n := Never(k); n != nil {
			t.Errorf("%s: %v", k, n)
		}
	}
}

// Every field of the engine's scenario reaches the emulator's.
func TestScenarioOfMapsEveryField(t *testing.T) {
	var sc engine.Scenario
	v := reflect.ValueOf(&sc).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString(fmt.Sprintf("value-%d", i))
		}
	}
	sc.ExportSQL = &engine.ExportSQL{S3ObjectKey: "key", ObjectURL: "url"}
	b, _ := json.Marshal(scenarioOf(sc))
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).Kind() == reflect.String && !strings.Contains(string(b), fmt.Sprintf(`"value-%d"`, i)) {
			t.Errorf("Scenario.%s does not reach the emulator: %s", v.Type().Field(i).Name, b)
		}
	}
	if !strings.Contains(string(b), `"S3ObjectKey":"key"`) || !strings.Contains(string(b), `"ObjectURL":"url"`) {
		t.Errorf("ExportSQL: %s", b)
	}
}
