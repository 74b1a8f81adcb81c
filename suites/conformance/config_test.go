package conformance

import (
	"strings"
	"testing"
)

func TestConfigValidateSaysHowToFix(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Target: TargetEndpoint, Project: "p"}, "--endpoint is required for --target endpoint"},
		{Config{Target: TargetEndpoint, Endpoint: "127.0.0.1:4566", Project: "p"}, "is not an http(s) URL"},
		{Config{Target: TargetEndpoint, Endpoint: "http://x", Project: "p", AccessKeyID: "k"}, "go together"},
		{Config{Target: TargetEndpoint, Endpoint: "http://x"}, "--project is required for --target endpoint"},
		{Config{Target: TargetAWS}, "--project is required for --target aws: pass the migration project name or ARN"},
		{Config{Target: TargetAWS, Project: "p"}, "--allow-account is required"},
		{Config{Target: TargetAWS, Project: "p", AllowAccounts: []string{"1"}, Defects: []string{"x"}}, "only in the embedded emulator"},
		{Config{Target: TargetEmbedded, Endpoint: "http://x"}, "only for --target endpoint"},
		{Config{Target: "replay"}, "replay:DIR"},
		{Config{Target: "moon"}, "unknown target"},
	}
	for _, c := range cases {
		err := c.cfg.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.cfg, err, c.want)
		}
	}
	if err := (Config{}).WithDefaults().Validate(); err != nil {
		t.Errorf("the default (embedded) config must be valid: %v", err)
	}
	if c := (Config{Target: "replay:/tmp/rec"}).WithDefaults(); c.Target != TargetReplay || c.Endpoint != "/tmp/rec" {
		t.Errorf("replay:DIR parses to %+v", c)
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvTarget, "endpoint")
	t.Setenv(EnvEndpoint, "http://127.0.0.1:4566")
	t.Setenv(EnvAllowAccounts, " 111122223333, 444455556666 ,")
	c := FromEnv()
	if c.Target != TargetEndpoint || c.Endpoint != "http://127.0.0.1:4566" || len(c.AllowAccounts) != 2 || c.AllowAccounts[1] != "444455556666" {
		t.Fatalf("FromEnv: %+v", c)
	}
}
