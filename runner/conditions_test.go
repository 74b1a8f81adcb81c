package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/internal/motoserver"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// preflightCalls is how many calls the preflight of endpointConfig's run makes: the
// service probe, then the project and the failing project described once per family.
const preflightCalls = 5

// endpointConfig is the endpoint target of a standalone emulator with everything a
// run can use: the control surface, the denied principal and the failing project.
func endpointConfig(srv *emulator.Server) engine.Config {
	return engine.Config{Target: engine.TargetEndpoint, Endpoint: srv.URL, Project: emulator.DefaultProject,
		Control: srv.URL + emulator.ControlPrefix, DeniedAccessKeyID: emulator.DeniedAccessKeyID, DeniedSecretAccessKey: emulator.DeniedSecretAccessKey,
		FailingProject: emulator.FailingProject}
}

// mustConform fails the test when a conforming target got anything but pass and
// honest skips: a fail, a drift or an error is a false alarm.
func mustConform(t *testing.T, res *Result) {
	t.Helper()
	for _, c := range res.Run.Checks {
		if c.Outcome == reports.Fail || c.Outcome == reports.Drift || c.Outcome == reports.Error {
			t.Errorf("%s: %s: %s", c.ID, c.Outcome, c.Message)
		}
	}
	if res.ExitCode != reports.ExitOK {
		t.Errorf("exit %d, want 0 (totals %v)", res.ExitCode, res.Run.Totals)
	}
}

// TestConformingTargetUnderWeather runs every check against a conforming DMS on bad
// days and good: fast and slow lifecycles, throttling, transient 5xx, latency, a
// consistency window, and mixes of them, in real time over HTTP and on the embedded
// emulator's virtual clock. Every run must end with no fail, no drift, no error, exit 0.
func TestConformingTargetUnderWeather(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time runs")
	}
	cases := []struct {
		name string
		step time.Duration // per lifecycle step, in real time and on the virtual clock
		// virtualStep, when set, is the embedded run's step instead: a slower lifecycle
		// costs nothing on the virtual clock. (DMS runs a project's requests one at a
		// time, so a real-time run waits for every request's five steps in turn.)
		virtualStep time.Duration
		weather     emulator.Weather
	}{
		{"fast lifecycle (a 100 ms conversion)", 20 * time.Millisecond, 0, emulator.Weather{}},
		{"slow lifecycle (a 2.5 s conversion; 5 min on the virtual clock)", 500 * time.Millisecond, time.Minute, emulator.Weather{}},
		{"1 call in 3 throttled", 50 * time.Millisecond, 0, emulator.Weather{ThrottleEvery: 3}},
		{"1 call in 5 answered 500", 50 * time.Millisecond, 0, emulator.Weather{FailEvery: 5}},
		{"1 call in 4 answered 503", 50 * time.Millisecond, 0, emulator.Weather{UnavailableEvery: 4}},
		{"30 ms latency", 50 * time.Millisecond, 0, emulator.Weather{Latency: 30 * time.Millisecond}},
		{"new requests invisible for 300 ms", 100 * time.Millisecond, 0, emulator.Weather{ConsistencyWindow: 300 * time.Millisecond}},
		// About one call in four answered with trouble, on top of latency and a window.
		{"all at once", 60 * time.Millisecond, 0, emulator.Weather{ThrottleEvery: 8, FailEvery: 11, UnavailableEvery: 17, Latency: 5 * time.Millisecond, ConsistencyWindow: 150 * time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run("real time: "+tc.name, func(t *testing.T) {
			t.Parallel()
			srv := wallEmulator(t, tc.step, func(c *emulator.Config) { c.Weather = tc.weather })
			res, err := run(t, Options{Config: endpointConfig(srv)})
			if err != nil {
				t.Fatal(err)
			}
			mustConform(t, res)
		})
		t.Run("embedded: "+tc.name, func(t *testing.T) {
			t.Parallel()
			w := tc.weather
			w.Latency = 0 // real wall time: the real-time runs cover it
			step := tc.step
			if tc.virtualStep > 0 {
				step = tc.virtualStep
			}
			res, err := run(t, Options{Target: embedded(t, engine.Config{}, func(c *emulator.Config) { c.Weather, c.StepDuration = w, step })})
			if err != nil {
				t.Fatal(err)
			}
			mustConform(t, res)
		})
	}
}

// TestRetriesKeepEveryAttempt: a throttled call is retried, the answer judged is the
// last one, and the transcript keeps every attempt with the reason it was retried.
func TestRetriesKeepEveryAttempt(t *testing.T) {
	res, err := run(t, Options{LabelFilter: "fault", Target: embedded(t, engine.Config{}, func(c *emulator.Config) {
		c.Weather = emulator.Weather{ThrottleEvery: 2}
	})})
	if err != nil {
		t.Fatal(err)
	}
	mustConform(t, res)
	retried := 0
	for _, c := range res.Run.Checks {
		for _, ex := range c.Exchanges {
			if ex.Retried != "" {
				retried++
				if !strings.Contains(ex.Retried, "Throttling") || ex.Response.Status != 400 {
					t.Errorf("%s: attempt %d retried for %q with HTTP %d", c.ID, ex.Attempt, ex.Retried, ex.Response.Status)
				}
			}
		}
	}
	if retried == 0 {
		t.Error("no transcript shows a retried attempt")
	}
}

// TestConsistentAnswersAreJudgedInconsistentOnesAreNot: a fault sent as HTTP 500 every
// time is the target's answer and fails the fault checks; the same transient trouble
// that outlasts the retries with changing answers is an error, never a failure.
func TestConsistentAnswersAreJudgedInconsistentOnesAreNot(t *testing.T) {
	res, err := run(t, Options{LabelFilter: "fault", Config: engine.Config{Defects: []string{"fault-status-500"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := byID(res.Run)["CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire"]; c.Outcome != reports.Fail || !strings.Contains(c.Message, "500") {
		t.Errorf("a fault sent as 500 on every attempt must fail: %s %s", c.Outcome, c.Message)
	}
	cfg := engine.Config{MaxAttempts: 2}
	res, err = run(t, Options{LabelFilter: "fault", Config: cfg, Target: embedded(t, cfg, func(c *emulator.Config) {
		c.Weather = emulator.Weather{ThrottleEvery: 2, FailEvery: 3}
	})})
	if err != nil {
		// The preflight already saw the trouble outlast its retries: exit 3, not 1.
		if ExitCodeOf(err) != reports.ExitHarnessFail {
			t.Fatalf("want exit 3, got %v", err)
		}
		return
	}
	errors := 0
	for _, c := range res.Run.Checks {
		if c.Outcome == reports.Fail {
			t.Errorf("%s failed under transient trouble: %s", c.ID, c.Message)
		}
		if c.Outcome == reports.Error {
			errors++
		}
	}
	if errors == 0 || res.ExitCode != reports.ExitHarnessFail {
		t.Errorf("transient trouble that outlasts the retries is an error (exit 3): %d errors, exit %d", errors, res.ExitCode)
	}
}

// TestBrokenInfrastructureEndsTheRunHonestly: a proxy answering 502 with an HTML page
// is exit 3 (not a hundred failures); a project the target does not know is exit 2
// before anything starts; a target that goes silent after the preflight trips the
// circuit breaker (exit 3) instead of waiting out every timeout.
func TestBrokenInfrastructureEndsTheRunHonestly(t *testing.T) {
	t.Parallel() // waits on real-time targets (or is CPU-bound on the virtual clock): overlaps the waiting of others
	t.Run("a 502 proxy", func(t *testing.T) {
		srv := wallEmulator(t, 50*time.Millisecond, func(c *emulator.Config) { c.Weather = emulator.Weather{ProxyError: true} })
		cfg := endpointConfig(srv)
		cfg.MaxAttempts = 2
		_, err := run(t, Options{Config: cfg})
		if ExitCodeOf(err) != reports.ExitHarnessFail || err == nil || !strings.Contains(err.Error(), "does not speak the DMS JSON protocol") || !strings.Contains(err.Error(), "502") {
			t.Fatalf("want exit 3 saying the target answers 502 HTML, got %v", err)
		}
	})
	t.Run("an unknown project", func(t *testing.T) {
		srv := wallEmulator(t, 50*time.Millisecond)
		cfg := endpointConfig(srv)
		cfg.Project = "no-such-project"
		_, err := run(t, Options{Config: cfg})
		if ExitCodeOf(err) != reports.ExitUsage || !strings.Contains(err.Error(), "--project \"no-such-project\"") {
			t.Fatalf("want exit 2 naming --project, got %v", err)
		}
		if n := len(srv.Emulator.State()); n != 0 {
			t.Errorf("the refused run started %d requests", n)
		}
	})
	t.Run("a target that goes silent", func(t *testing.T) {
		srv := wallEmulator(t, 50*time.Millisecond, func(c *emulator.Config) { c.Weather = emulator.Weather{SilentAfter: preflightCalls} })
		cfg := endpointConfig(srv)
		cfg.CallTimeout = 300 * time.Millisecond
		res, err := run(t, Options{Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != reports.ExitHarnessFail || res.Run.Totals[reports.Fail] != 0 {
			t.Fatalf("exit %d, totals %v: want 3 and no failure", res.ExitCode, res.Run.Totals)
		}
		breaker := false
		for _, c := range res.Run.Causes {
			if c.ID == "breaker" && strings.Contains(c.Title, "stopped answering") {
				breaker = true
			}
		}
		if !breaker {
			t.Errorf("no circuit-breaker cause: %+v", res.Run.Causes)
		}
		if n := res.Run.ExchangeCount; n > 40 {
			t.Errorf("%d calls against a silent target: the breaker must stop them early", n)
		}
	})
}

// TestNeverTerminalStatusIsJudgedWithinTheLifecycleTimeout: a target whose statuses
// are never a documented terminal one (lower case) is judged once the lifecycle
// timeout passes, that timeout is reported (an undocumented status is drift, wherever
// it appears), and clean-up does not wait it out again: it names the requests it
// could not confirm.
func TestNeverTerminalStatusIsJudgedWithinTheLifecycleTimeout(t *testing.T) {
	srv := wallEmulator(t, 20*time.Millisecond, func(c *emulator.Config) { c.Defects = []string{"status-lowercase"} })
	cfg := endpointConfig(srv)
	cfg.LifecycleTimeout, cfg.CleanupTimeout = 500*time.Millisecond, 300*time.Millisecond
	res, err := run(t, Options{Config: cfg, LabelFilter: "lifecycle"})
	if err != nil {
		t.Fatal(err)
	}
	c := byID(res.Run)["CancelMetadataModelConversion.lifecycle.canceled"]
	if c.Outcome != reports.Drift || !strings.Contains(c.Message, "lifecycle timeout (500ms)") || !strings.Contains(c.Message, `undocumented Status "canceled"`) {
		t.Errorf("lifecycle.canceled: %s %q", c.Outcome, c.Message)
	}
	cleanup := false
	for _, w := range res.Warnings {
		if strings.Contains(w, "could not confirm") {
			cleanup = true
		}
	}
	if !cleanup {
		t.Errorf("clean-up must say which requests it could not confirm: %v", res.Warnings)
	}
}

// TestMotoIsUnimplementedNotFailing runs every check against moto's server (moto
// 5.2.1 comes with the machine's Python), which implements none of these operations
// and answers them with an HTML 500. Its operations must read unimplemented, said
// once each, and its real protocol defects (an unsigned request accepted, an unknown
// X-Amz-Target answered 500) still reported. The outcomes must equal the committed
// reference report fixtures/reports/moto-5.2.1/report.json (make reference-reports
// rewrites it).
func TestMotoIsUnimplementedNotFailing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto's server")
	}
	url := motoserver.Start(t)
	dir := filepath.Join(t.TempDir(), "moto")
	res, err := run(t, Options{Out: dir, Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: url, Project: emulator.DefaultProject}})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for _, c := range res.Run.Causes {
		if op, ok := strings.CutPrefix(c.ID, "unimplemented/"); ok {
			if ops[op] {
				t.Errorf("%s is said to be unimplemented twice", op)
			}
			ops[op] = true
		}
	}
	for _, op := range []string{"StartMetadataModelConversion", "StartMetadataModelCreation"} {
		if !ops[op] {
			t.Errorf("moto's missing %s is not reported unimplemented: causes %+v", op, res.Run.Causes)
		}
	}
	byid := byID(res.Run)
	for _, id := range []string{"CancelMetadataModelConversion.lifecycle.cancel", "CancelMetadataModelConversion.shape.Request.Status", "CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire"} {
		if c := byid[id]; c.Outcome != reports.Unimplemented {
			t.Errorf("%s: %s %s, want unimplemented", id, c.Outcome, c.Message)
		}
	}
	if c := byid["CancelMetadataModelConversion.protocol.unsigned-rejected"]; c.Outcome != reports.Fail {
		t.Errorf("moto accepts unsigned requests (it routes them to S3): %s %s, want fail", c.Outcome, c.Message)
	}
	checkReference(t, referenceMoto, res.Run)
}

// envReferenceReports makes the reference-report tests rewrite the committed reports
// (make reference-reports).
const envReferenceReports = "DMSCONFORM_REFERENCE_REPORTS"

// The committed reference reports (fixtures/reports/<name>/reference.json) and the
// labels they are shown under side by side.
const (
	referenceEmbedded = "embedded"
	referenceMoto     = "moto-5.2.1"
	referenceWeather  = "standalone-weather"
)

var referenceLabels = map[string]string{
	referenceEmbedded: "embedded emulator",
	referenceWeather:  "standalone emulator, real time, weather on",
	referenceMoto:     "moto 5.2.1",
}

func referencePath(name string) string {
	return filepath.Join("..", "fixtures", "reports", name, reports.FileReference)
}

// TestEmbeddedReferenceReport: the embedded emulator's outcomes equal its committed
// reference report fixtures/reports/embedded/reference.json.
func TestEmbeddedReferenceReport(t *testing.T) {
	res, err := run(t, Options{Out: filepath.Join(t.TempDir(), "embedded")})
	if err != nil {
		t.Fatal(err)
	}
	checkReference(t, referenceEmbedded, res.Run)
}

// checkReference fails for every difference between run and the committed reference
// name (the verdict, the causes, each check's outcome and cause), or rewrites the
// reference with DMSCONFORM_REFERENCE_REPORTS=1.
func checkReference(t *testing.T, name string, run *reports.Run) {
	t.Helper()
	path := referencePath(name)
	if os.Getenv(envReferenceReports) == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := reports.WriteReference(path, reports.NewReference(referenceLabels[name], run)); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", path)
		return
	}
	ref, err := reports.ReadReference(path)
	if err != nil {
		t.Fatalf("the reference report: %v (make reference-reports writes it)", err)
	}
	for _, d := range ref.Differences(run) {
		t.Errorf("%s: %s (if the harness or the target changed on purpose, run make reference-reports)", path, d)
	}
}
