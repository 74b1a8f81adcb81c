package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// starter starts requests of a family the way the scripts do.
func starter(s *Session, family string) *gather {
	fam := s.familyOps(family)
	return &gather{s: s, family: family, key: family + "/test", start: fam.start, describe: fam.describe, cancel: fam.cancel}
}

func startN(t *testing.T, s *Session, n int) []string {
	t.Helper()
	g := starter(s, "conversion")
	var ids []string
	for i := 0; i < n; i++ {
		id, smp, err := g.startRequest(context.Background(), "start", "")
		if err != nil || id == "" {
			t.Fatalf("start: %v %s", err, smp.Response().Summary())
		}
		ids = append(ids, id)
	}
	return ids
}

func cleanupCancels(s *Session) []string {
	var out []string
	for _, smp := range s.Setup() {
		if id, ok := strings.CutPrefix(smp.Name, "clean-up: cancel "); ok {
			out = append(out, id)
		}
	}
	return out
}

// Clean-up sends one cancel to every started request not known to have ended, and
// waits for them to end; requests the scripts saw end are left alone.
func TestCleanupCancelsWhatIsStillRunning(t *testing.T) {
	s := openEmbedded(t, nil)
	s.SetStartBudget(3)
	ids := startN(t, s, 3)
	s.settled(ids[0]) // a script saw it end
	if err := s.Cleanup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := cleanupCancels(s); !slices.Equal(got, ids[1:]) {
		t.Errorf("clean-up cancelled %v, want %v", got, ids[1:])
	}
	if n := s.Calls()[cancelOp]; n != 2 {
		t.Errorf("%d cancel calls, want 2", n)
	}
	status := map[string]string{}
	for _, rs := range emu(s).Emulator.State() {
		status[rs.ID] = rs.Status
	}
	if status[ids[1]] != emulator.StatusCanceled || status[ids[2]] != emulator.StatusCanceled || status[ids[0]] == emulator.StatusCanceled {
		t.Errorf("statuses %v", status)
	}
	// Confirmed: a second clean-up has nothing to do.
	n := len(s.Setup())
	if err := s.Cleanup(context.Background()); err != nil || len(s.Setup()) != n {
		t.Errorf("second clean-up: %v, %d more calls", err, len(s.Setup())-n)
	}
}

// Requests whose end clean-up cannot confirm within --cleanup-timeout are named; each
// got exactly one cancel, and the wait stayed within the timeout.
func TestCleanupNamesWhatItCouldNotConfirm(t *testing.T) {
	s := openEmbedded(t, func(c *Config) {
		c.Defects = []string{emulator.DefectCancelStuck}
		c.CleanupTimeout = 3 * time.Second
	})
	s.SetStartBudget(2)
	ids := startN(t, s, 2)
	before := emu(s).Clock.Now()
	err := s.Cleanup(context.Background())
	if err == nil {
		t.Fatal("clean-up confirmed requests stuck in CANCELING")
	}
	for _, w := range []string{ids[0] + " (conversion)", ids[1] + " (conversion)", "within 3s (--cleanup-timeout)"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
	if got := cleanupCancels(s); !slices.Equal(got, ids) {
		t.Errorf("cancels %v, want one each for %v", got, ids)
	}
	if moved := emu(s).Clock.Now().Sub(before); moved > 3*time.Second {
		t.Errorf("clean-up waited %v, past --cleanup-timeout 3s", moved)
	}
	for _, id := range ids {
		s.settled(id) // let Close end quietly
	}
}

// fakeTarget is a Target that connects to what it was given.
type fakeTarget struct {
	conn   Connection
	err    error
	closed *bool
}

func (fakeTarget) TargetKind() string { return "fake" }

func (f fakeTarget) Connect(context.Context) (*Connection, error) {
	if f.err != nil {
		return nil, f.err
	}
	c := f.conn
	return &c, nil
}

// Open takes what the target's connection says: where and how to call, the project,
// the clock, what it offers, and what to close; it sends nothing.
func TestOpenTakesWhatTheTargetOffers(t *testing.T) {
	ctx := context.Background()
	closed := false
	ctl := &struct{ Control }{}
	tg := fakeTarget{conn: Connection{Endpoint: "http://127.0.0.1:1", Region: "eu-west-1", Project: "theirs",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		Clock:        VirtualClock(emulator.NewVirtualClock(time.Time{})),
		StartsCost:   true,
		Capabilities: Capabilities{Control: ctl, Denied: credentials.NewStaticCredentialsProvider("DENY", "dsecret", ""), Never: []Capability{CapControl}},
		Close:        func() error { closed = true; return nil }}}
	s, err := Open(ctx, Config{Project: "mine"}, tg)
	if err != nil {
		t.Fatal(err)
	}
	if s.TargetKind != "fake" || s.Endpoint != "http://127.0.0.1:1" || s.Region != "eu-west-1" || s.Project != "theirs" || !s.startsCost ||
		!s.Offers(CapControl) || !s.Offers(CapDenied) || s.control != ctl || len(s.Calls()) != 0 {
		t.Errorf("session %+v", s)
	}
	if _, virtual := s.clock.(virtualClock); !virtual {
		t.Errorf("clock %T", s.clock)
	}
	if sec := s.Secrets(ctx); !slices.Equal(sec, []string{"AKID", "secret", "DENY", "dsecret"}) {
		t.Errorf("secrets %v", sec)
	}
	if err := s.Close(ctx); err != nil || !closed {
		t.Errorf("Close: %v, target closed %v", err, closed)
	}

	// What it does not offer: not configured, or (Never) not applicable to the kind.
	s, err = Open(ctx, Config{Project: "mine"}, fakeTarget{conn: Connection{Capabilities: Capabilities{Never: []Capability{CapControl}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, wall := s.clock.(wallClock); !wall || s.Project != "mine" || s.startsCost {
		t.Errorf("defaults: clock %T, project %q", s.clock, s.Project)
	}
	if c := s.lacks(CapControl); c == nil || c.ID != "not-applicable/control" || c.Outcome != reports.Skipped || !strings.Contains(c.Title, "never") {
		t.Errorf("control on a kind that never has one: %+v", c)
	}
	if c := s.lacks(CapDenied); c == nil || c.ID != "needs/denied" || !strings.Contains(c.Title, "--denied-profile") {
		t.Errorf("a denied principal not configured: %+v", c)
	}

	// A wrong configuration is refused before the target is asked; the target's own
	// refusal is passed on.
	for _, tc := range []struct {
		cfg  Config
		err  error
		says string
	}{
		{Config{MaxAttempts: 21}, nil, "--max-attempts 21"},
		{Config{}, &ConfigError{Err: errors.New("starting the embedded emulator: no")}, "starting the embedded emulator"},
	} {
		_, err := Open(ctx, tc.cfg, fakeTarget{err: tc.err})
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Open(%+v) = %v, want a *ConfigError saying %q", tc.cfg, err, tc.says)
		}
	}
}

// harnessError keeps what is not the target's answer and lets the SDK's reading of an
// answer through as evidence.
func TestHarnessError(t *testing.T) {
	s := &Session{}
	ie := &InfraError{Problem: "x"}
	for _, tc := range []struct {
		err  error
		keep bool
	}{
		{nil, false},
		{fmt.Errorf("operation error: %w", ie), true},
		{context.Canceled, true},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), true},
		{fmt.Errorf("%w: no method", gosdk.ErrHarness), true},
		{errors.New("api error ResourceNotFoundFault: no such request"), false},
	} {
		if got := s.harnessError(tc.err, true); (got != nil) != tc.keep {
			t.Errorf("harnessError(%v) = %v, keep %v", tc.err, got, tc.keep)
		}
	}
}

// The preflight finds a usable target in a few calls, and what it learns is evidence.
func TestPreflightOnTheEmbeddedTarget(t *testing.T) {
	s := openEmbedded(t, nil)
	if err := s.Preflight(context.Background(), []string{"conversion", "creation"}); err != nil {
		t.Fatal(err)
	}
	f := s.Facts()
	if !f.ServiceJSON || f.ProjectARN == "" || f.ProjectARN != emu(s).Emulator.ProjectARN(emulator.DefaultProject) {
		t.Errorf("facts %+v", f)
	}
	var names []string
	for _, smp := range s.Setup() {
		names = append(names, smp.Name)
		for _, a := range smp.Attempts {
			if a.Script != SetupScript {
				t.Errorf("%s: script %q", smp.Name, a.Script)
			}
		}
	}
	want := []string{"preflight: is this a DMS endpoint?", "preflight: does project dmsconform-project exist?", "preflight: does project dmsconform-project exist?",
		"preflight: does project dmsconform-failing exist?", "preflight: does project dmsconform-failing exist?", "preflight: the control surface"}
	if !slices.Equal(names, want) {
		t.Errorf("setup calls %v", names)
	}
}

// A wrong configuration or an unusable target is found by the preflight, with how to
// fix it, before anything starts.
func TestPreflightRefusesWhatCannotRun(t *testing.T) {
	ctx := context.Background()
	families := []string{"conversion"}

	s := openEmbedded(t, func(c *Config) { c.Project = "no-such-project" })
	err := s.Preflight(ctx, families)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `--project "no-such-project"`) || !strings.Contains(err.Error(), `seeds "dmsconform-project"`) {
		t.Errorf("unknown project: %v", err)
	}

	s = openEmbeddedEmu(t, weather(emulator.Weather{ProxyError: true}), nil)
	err = s.Preflight(ctx, families)
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "does not speak the DMS JSON protocol") || s.Calls()["DescribeReplicationInstances"] != 4 {
		t.Errorf("a proxy error page: %v (%v calls)", err, s.Calls())
	}

	s = openEndpointURL(t, closedPort(t), nil, true)
	if err := s.Preflight(ctx, families); !errors.As(err, &ue) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("nothing listening: %v", err)
	}

	s = openEndpoint(t, emulatorHandler(t), func(c *Config) { c.AccessKeyID, c.SecretAccessKey = "AKIDUNKNOWN", "secret" })
	var cre *CredentialError
	if err := s.Preflight(ctx, families); !errors.As(err, &cre) || cre.Code != "UnrecognizedClientException" {
		t.Errorf("unknown keys: %v", err)
	}

	hs := httptest.NewServer(emulatorHandler(t))
	t.Cleanup(hs.Close)
	srv := openEndpointURL(t, hs.URL, func(c *Config) { c.Control = hs.URL + "/_nothing_here/" }, true)
	if err := srv.Preflight(ctx, families); !errors.As(err, &ce) || !strings.Contains(err.Error(), "--control") {
		t.Errorf("a wrong --control: %v", err)
	}
}

// A target that speaks the protocol but answers one operation with a non-JSON 500
// (moto's way to say "not implemented") reads unimplemented, said once per
// operation; after that, the same answer is not waited out again.
func TestUnimplementedIsSaidOncePerOperation(t *testing.T) {
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".DescribeReplicationInstances") {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write([]byte(`{"ReplicationInstances":[]}`))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(500)
		_, _ = w.Write([]byte("<html><body>Internal Server Error</body></html>"))
	})
	h := &counting{h: mux}
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts, c.Parallel = 10, 1 })
	if err := s.Preflight(context.Background(), []string{"conversion"}); err != nil {
		t.Fatalf("preflight: %v", err)
	}
	if _, known := s.unimpl["DescribeMetadataModelConversions"]; !known {
		t.Fatalf("the preflight's describe did not make it unimplemented: %v", s.unimpl)
	}
	walkK := kind{needs: Needs{Evidence: []Script{Walk}}}
	watchK := kind{needs: Needs{Evidence: []Script{Watch}}}
	res := Run(context.Background(), s, []Check{check("conversion", "lifecycle.a", walkK), check("conversion", "lifecycle.b", watchK)}, nil)
	for _, c := range res.Checks {
		if c.Outcome != reports.Unimplemented || c.Cause != "unimplemented/StartMetadataModelConversion" {
			t.Errorf("%s: %s %q %q", c.ID, c.Outcome, c.Cause, c.Message)
		}
	}
	if len(res.Causes) != 1 || res.Causes[0].Checks != 2 || !strings.Contains(res.Causes[0].Title, "moto answers actions it does not implement this way") {
		t.Errorf("causes %+v", res.Causes)
	}
	// The walk's start was waited out (4 identical non-JSON answers); the watch's start
	// repeats a known answer, so it is not retried.
	if n := s.Calls()["StartMetadataModelConversion"]; n != 5 {
		t.Errorf("%d start calls, want 4 + 1", n)
	}
}
