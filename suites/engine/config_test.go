package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every setting is declared once: a unique flag, a unique DMSCONFORM_* variable, and
// its own Config field; every user-settable Config field has a setting.
func TestSettingsAreDeclaredOnce(t *testing.T) {
	flags, envs := map[string]bool{}, map[string]bool{}
	fields := map[any]string{}
	var c Config
	for _, s := range Settings {
		if s.Flag == "" || flags[s.Flag] {
			t.Errorf("flag %q is empty or declared twice", s.Flag)
		}
		if !strings.HasPrefix(s.Env, "DMSCONFORM_") || envs[s.Env] {
			t.Errorf("--%s: env %q is not DMSCONFORM_* or declared twice", s.Flag, s.Env)
		}
		flags[s.Flag], envs[s.Env] = true, true
		p := s.field(&c)
		if other, dup := fields[p]; dup {
			t.Errorf("--%s and --%s set the same Config field", s.Flag, other)
		}
		fields[p] = s.Flag
		if s.Usage == "" {
			t.Errorf("--%s has no usage", s.Flag)
		}
		for _, tg := range s.Targets {
			if !contains([]string{TargetEmbedded, TargetEndpoint, TargetAWS, TargetReplay}, tg) {
				t.Errorf("--%s: unknown target %q", s.Flag, tg)
			}
		}
	}
	// Every exported Config field but Model (the model under test, not a flag) is a
	// setting.
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Name == "Model" || !f.IsExported() {
			continue
		}
		if _, ok := fields[v.Field(i).Addr().Interface()]; !ok {
			t.Errorf("Config.%s has no Setting (no flag, no env)", f.Name)
		}
	}
}

func TestResolveFillsPerTargetDefaults(t *testing.T) {
	for _, tc := range []struct {
		in   Config
		want Config
	}{
		{Config{}, Config{Target: TargetEmbedded, Region: "us-east-1",
			CallTimeout: 10 * time.Second, LifecycleTimeout: 2 * time.Minute, ConsistencyGrace: 10 * time.Second, CleanupTimeout: 10 * time.Second,
			MinDelay: 250 * time.Millisecond, MaxDelay: 2 * time.Second, MaxAttempts: 10, RetryBudget: 500, Parallel: 1}},
		{Config{Target: TargetEndpoint, Endpoint: "http://127.0.0.1:4566"}, Config{Target: TargetEndpoint, Endpoint: "http://127.0.0.1:4566", Region: "us-east-1",
			CallTimeout: 10 * time.Second, LifecycleTimeout: 2 * time.Minute, ConsistencyGrace: 10 * time.Second, CleanupTimeout: 10 * time.Second,
			MinDelay: 50 * time.Millisecond, MaxDelay: 2 * time.Second, MaxAttempts: 10, RetryBudget: 500, Parallel: 16}},
		// aws: the region is the SDK's (left empty here), starts cost, calls are rate limited.
		{Config{Target: TargetAWS}, Config{Target: TargetAWS,
			CallTimeout: 10 * time.Second, LifecycleTimeout: 15 * time.Minute, ConsistencyGrace: 30 * time.Second, CleanupTimeout: 30 * time.Second,
			MinDelay: time.Second, MaxDelay: 30 * time.Second, MaxRate: 5, MaxAttempts: 10, RetryBudget: 500, Parallel: 16}},
		{Config{Target: "replay:/tmp/rec"}, Config{Target: TargetReplay, Endpoint: "/tmp/rec",
			CallTimeout: 10 * time.Second, LifecycleTimeout: 2 * time.Minute, ConsistencyGrace: 10 * time.Second, CleanupTimeout: 10 * time.Second,
			MinDelay: 250 * time.Millisecond, MaxDelay: 2 * time.Second, MaxAttempts: 10, RetryBudget: 500, Parallel: 1}},
		// What the user set is kept.
		{Config{Target: TargetAWS, Region: "eu-west-1", MaxRate: 2, Parallel: 3, MinDelay: time.Millisecond}, Config{Target: TargetAWS, Region: "eu-west-1",
			CallTimeout: 10 * time.Second, LifecycleTimeout: 15 * time.Minute, ConsistencyGrace: 30 * time.Second, CleanupTimeout: 30 * time.Second,
			MinDelay: time.Millisecond, MaxDelay: 30 * time.Second, MaxRate: 2, MaxAttempts: 10, RetryBudget: 500, Parallel: 3}},
	} {
		got := tc.in.Resolve()
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Resolve(%+v)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
		if err := got.Validate(); err != nil && got.Target == TargetEmbedded {
			t.Errorf("the defaults of %s do not validate: %v", got.Target, err)
		}
	}
}

// ConfigFromEnv reads every DMSCONFORM_* variable into its field.
func TestConfigFromEnvReadsEverySetting(t *testing.T) {
	sample := func(p any) string {
		switch p.(type) {
		case *string:
			return "v-" + strings.Repeat("x", 3)
		case *[]string:
			return "a,b"
		case *time.Duration:
			return "3s"
		case *int:
			return "7"
		case *float64:
			return "2.5"
		}
		t.Fatalf("a setting of type %T", p)
		return ""
	}
	env := map[string]string{}
	var probe Config
	for _, s := range Settings {
		env[s.Env] = sample(s.field(&probe))
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		if got := s.Value(&c).String(); got != env[s.Env] {
			t.Errorf("%s=%q gave --%s %q", s.Env, env[s.Env], s.Flag, got)
		}
	}
	if c.CallTimeout != 3*time.Second || c.MaxRate != 2.5 || !reflect.DeepEqual(c.AllowAccounts, []string{"a", "b"}) {
		t.Errorf("typed values: %+v", c)
	}
	// Unset variables leave the zero value (Resolve fills the target's defaults).
	c, err = ConfigFromEnv(func(string) string { return "" })
	if err != nil || !reflect.DeepEqual(c, Config{}) {
		t.Errorf("empty environment: %+v, %v", c, err)
	}
}

// A malformed variable is refused, named with its value and what is expected; every
// malformed one is named, not only the first.
func TestConfigFromEnvRefusesMalformedValuesNamingThem(t *testing.T) {
	env := map[string]string{
		"DMSCONFORM_CALL_TIMEOUT": "ten seconds",
		"DMSCONFORM_MAX_STARTS":   "3.5",
		"DMSCONFORM_MAX_RATE":     "fast",
		"DMSCONFORM_PROJECT":      "fine",
	}
	_, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{`DMSCONFORM_CALL_TIMEOUT="ten seconds"`, "not a duration such as 30s",
		`DMSCONFORM_MAX_STARTS="3.5"`, "not a whole number", `DMSCONFORM_MAX_RATE="fast"`, "not a number"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "DMSCONFORM_PROJECT") {
		t.Errorf("a well-formed variable is named: %v", err)
	}
}

// Help shows the usage, the defaults (every target's) and the environment variable.
func TestSettingHelpShowsDefaultsAndEnv(t *testing.T) {
	h := SettingOf("min-delay").Help()
	for _, w := range []string{"first delay between polls", "(default 50ms; aws 1s; embedded 250ms (virtual); replay 250ms (virtual))", "[env DMSCONFORM_MIN_DELAY]"} {
		if !strings.Contains(h, w) {
			t.Errorf("Help %q does not say %q", h, w)
		}
	}
	if h := SettingOf("endpoint").Help(); strings.Contains(h, "(default") || !strings.HasSuffix(h, "[env DMSCONFORM_ENDPOINT]") {
		t.Errorf("a setting without defaults: %q", h)
	}
	for _, s := range Settings {
		if !strings.Contains(s.Help(), "[env "+s.Env+"]") {
			t.Errorf("--%s: help %q does not name %s", s.Flag, s.Help(), s.Env)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("SettingOf of an unknown flag does not panic")
		}
	}()
	SettingOf("no-such-flag")
}

// A flag.Value round trip: what Set takes, String gives back; zero numbers print empty
// (so flag's "default" column stays the table's).
func TestSettingValueRoundTrip(t *testing.T) {
	var c Config
	for flagName, in := range map[string]string{"max-attempts": "4", "max-rate": "0.5", "call-timeout": "1m30s", "allow-account": "123456789012,210987654321", "target": "aws"} {
		v := SettingOf(flagName).Value(&c)
		if err := v.Set(in); err != nil {
			t.Fatalf("--%s %s: %v", flagName, in, err)
		}
		if v.String() != in {
			t.Errorf("--%s: Set(%q) then String() = %q", flagName, in, v.String())
		}
	}
	var zero Config
	if s := SettingOf("max-attempts").Value(&zero).String(); s != "" {
		t.Errorf("zero int prints %q", s)
	}
	if err := SettingOf("allow-account").Value(&c).Set(" 1 , ,2 "); err != nil || !reflect.DeepEqual(c.AllowAccounts, []string{"1", "2"}) {
		t.Errorf("list: %v %v", c.AllowAccounts, err)
	}
}

// TestAnExplicitZeroIsKept: a 0 the user set means what the help says ("--max-rate 0:
// no limit"), not "use the target's default"; a 0 that would make no sense (a call
// timeout, a poll delay) is refused naming the flag.
func TestAnExplicitZeroIsKept(t *testing.T) {
	var c Config
	for flag, v := range map[string]string{"target": "aws", "max-rate": "0", "retry-budget": "0"} {
		if err := SettingOf(flag).Value(&c).Set(v); err != nil {
			t.Fatal(err)
		}
	}
	r := c.Resolve()
	if r.MaxRate != 0 || r.RetryBudget != 0 {
		t.Errorf("explicit zeros replaced by defaults: max-rate %v, retry-budget %d", r.MaxRate, r.RetryBudget)
	}
	if r.LifecycleTimeout != 15*time.Minute {
		t.Errorf("unset settings still get the target's default: lifecycle-timeout %v", r.LifecycleTimeout)
	}
	var d Config
	_ = SettingOf("call-timeout").Value(&d).Set("0s")
	err := d.Resolve().Validate()
	if err == nil || !strings.Contains(err.Error(), "--call-timeout 0") {
		t.Errorf("--call-timeout 0: %v, want it refused naming the flag", err)
	}
}
