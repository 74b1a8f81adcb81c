package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
)

const cancelOp = "CancelMetadataModelConversion"

// A throttle, a 429, a 5xx and a dropped connection are retried; every attempt is in
// the sample, numbered, and each retried one says why; the answer that ends the call
// (not transient) is the one judged.
func TestTransportRetriesTransientAnswersKeepingEveryAttempt(t *testing.T) {
	h := &scripted{answers: []answer{
		jsonError(400, "ThrottlingException"),
		{status: 429},
		jsonError(503, "ServiceUnavailable"),
		{drop: true},
		jsonOK(`{"Request":{"Status":"CANCELING"}}`),
	}}
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 10; c.RetryBudget = 100 })
	smp, err := cancelCall(t, s, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := h.hits.Load(); n != 5 {
		t.Errorf("the server saw %d attempts, want 5", n)
	}
	if len(smp.Attempts) != 5 {
		t.Fatalf("%d attempts in the sample, want 5", len(smp.Attempts))
	}
	wantRetried := []string{"throttled (ThrottlingException)", "HTTP 429", "HTTP 503 ServiceUnavailable", "no answer (", ""}
	for i, a := range smp.Attempts {
		if a.Attempt != i+1 {
			t.Errorf("attempt %d is numbered %d", i+1, a.Attempt)
		}
		if a.Script != "test" || a.Call == 0 || a.View != "wire" {
			t.Errorf("attempt %d: script %q call %d view %q", i+1, a.Script, a.Call, a.View)
		}
		w := wantRetried[i]
		if w == "" && a.Retried != "" || !strings.HasPrefix(a.Retried, w) {
			t.Errorf("attempt %d Retried = %q, want %q...", i+1, a.Retried, w)
		}
	}
	if smp.Attempts[3].Error == "" || smp.Attempts[3].Response.Status != 0 {
		t.Errorf("the dropped attempt: %+v", smp.Attempts[3])
	}
	if r := smp.Response(); r.Status != 200 || Str(requestOf(smp)["Status"]) != "CANCELING" {
		t.Errorf("the judged answer is %s", r.Summary())
	}
	if n := s.Calls()[cancelOp]; n != 5 {
		t.Errorf("Calls()[%s] = %d, want 5 (attempts count)", cancelOp, n)
	}
	if s.retriesLeft != 96 {
		t.Errorf("%d retries left of 100 after 4 retries", s.retriesLeft)
	}
	if s.breaker.Open() != nil {
		t.Errorf("one dropped connection opened the breaker: %v", s.breaker.Open())
	}
}

// A target that answers the same 5xx on every attempt has answered: after MaxAttempts
// the answer is returned to be judged (a check on its status then fails).
func TestTransportJudgesAConsistent5xx(t *testing.T) {
	h := &scripted{answers: []answer{jsonError(500, "InternalFailure")}}
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 4 })
	smp, err := cancelCall(t, s, context.Background())
	if err != nil {
		t.Fatalf("a consistent answer is an error: %v", err)
	}
	if h.hits.Load() != 4 || len(smp.Attempts) != 4 {
		t.Fatalf("%d hits, %d attempts; want 4 (MaxAttempts)", h.hits.Load(), len(smp.Attempts))
	}
	for i, a := range smp.Attempts[:3] {
		if !strings.HasPrefix(a.Retried, "HTTP 500 InternalFailure") {
			t.Errorf("attempt %d Retried = %q", i+1, a.Retried)
		}
	}
	if last := smp.Last(); last.Retried != "" || last.Response.Status != 500 {
		t.Errorf("last attempt: %+v", last)
	}
	if code := smp.Response().ErrorCode(); code != "InternalFailure" {
		t.Errorf("judged code %q", code)
	}
}

// Answers that change from attempt to attempt are weather that outlasted the retries:
// an *InfraError that names them, never an answer to judge. The transcript keeps them.
func TestTransportChangingAnswersAreAnInfraError(t *testing.T) {
	h := &scripted{answers: []answer{jsonError(500, "InternalFailure"), jsonError(503, "ServiceUnavailable")}, cycle: true}
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 4 })
	smp, err := cancelCall(t, s, context.Background())
	var ie *InfraError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an *InfraError", err)
	}
	for _, w := range []string{"changed from attempt to attempt", "HTTP 500 InternalFailure (json)", "HTTP 503 ServiceUnavailable (json)"} {
		if !strings.Contains(ie.Problem, w) {
			t.Errorf("%q does not say %q", ie.Problem, w)
		}
	}
	if ie.Attempts != 4 || ie.Call != "test: cancel" || ie.Endpoint != s.Endpoint {
		t.Errorf("InfraError %+v", ie)
	}
	if len(smp.Attempts) != 4 {
		t.Errorf("the sample keeps %d attempts, want 4", len(smp.Attempts))
	}
}

// An explicit "not implemented" is a final answer: one attempt, no retry.
func TestTransportDoesNotRetryNotImplemented(t *testing.T) {
	for name, a := range map[string]answer{
		"501":                        {status: 501, ctype: "text/plain", body: "not here"},
		"UnknownOperationException":  jsonError(500, "UnknownOperationException"),
		"moto's NotImplementedError": htmlAnswer(500, "<html>The action CancelMetadataModelConversion has not been implemented</html>"),
	} {
		t.Run(name, func(t *testing.T) {
			h := &scripted{answers: []answer{a}}
			s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 5 })
			smp, err := cancelCall(t, s, context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if h.hits.Load() != 1 || len(smp.Attempts) != 1 || smp.Last().Retried != "" {
				t.Errorf("%d hits, attempts %+v", h.hits.Load(), smp.Attempts)
			}
			if Unimplemented(smp.Response(), false) == "" {
				t.Errorf("%s is not recognised as unimplemented", smp.Response().Summary())
			}
		})
	}
}

// A call whose answer is itself under test (NoRetry) gets one attempt.
func TestTransportNoRetryCallsGetOneAttempt(t *testing.T) {
	h := &scripted{answers: []answer{jsonError(500, "InternalFailure")}}
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 5 })
	op := s.Model.Operation(cancelOp)
	smp, err := s.wire(context.Background(), "test", wireRequest{Name: "once", Op: op, Body: []byte(`{}`), NoRetry: true})
	if err != nil || h.hits.Load() != 1 || len(smp.Attempts) != 1 {
		t.Errorf("err %v, %d hits, %d attempts", err, h.hits.Load(), len(smp.Attempts))
	}
}

// The run's retry budget bounds retries across calls; once it is spent, a transient
// answer is an error (the --retry-budget help says so), not an answer to judge.
func TestTransportRetryBudgetStopsRetries(t *testing.T) {
	h := &scripted{answers: []answer{jsonError(500, "InternalFailure")}}
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 10; c.RetryBudget = 2 })
	smp, err := cancelCall(t, s, context.Background())
	if len(smp.Attempts) != 3 {
		t.Errorf("first call: %d attempts, want 3 (two retries)", len(smp.Attempts))
	}
	var ie *InfraError
	if !errors.As(err, &ie) || !strings.Contains(ie.Problem, "retry budget is spent") || !strings.Contains(ie.Problem, "HTTP 500 InternalFailure") {
		t.Errorf("first call: err = %v, want an *InfraError naming the answer and the spent budget", err)
	}
	smp, err = cancelCall(t, s, context.Background())
	if len(smp.Attempts) != 1 {
		t.Errorf("second call: %d attempts, want 1", len(smp.Attempts))
	}
	if !errors.As(err, &ie) || !strings.Contains(ie.Problem, "retry budget is spent") {
		t.Errorf("second call: err = %v, want an *InfraError", err)
	}
	if h.hits.Load() != 4 {
		t.Errorf("%d hits, want 4", h.hits.Load())
	}
	// A final answer needs no retry, so a spent budget does not touch it.
	h2 := &scripted{answers: []answer{jsonError(400, "ResourceNotFoundFault")}}
	s2 := openEndpoint(t, h2, nil)
	s2.retriesLeft = 0
	if smp, err := cancelCall(t, s2, context.Background()); err != nil || smp.Response().ErrorCode() != "ResourceNotFoundFault" {
		t.Errorf("a 400 with no budget: %v %v", smp.Response().Summary(), err)
	}
}

// A target that refuses connections (it never answered) trips the breaker after five
// attempts in a row get no answer; every later call fails at once without touching the
// network.
func TestTransportBreakerOpensOnRefusedConnections(t *testing.T) {
	s := openEndpointURL(t, closedPort(t), func(c *Config) { c.MaxAttempts = 10 }, true)
	smp, err := cancelCall(t, s, context.Background())
	var ie *InfraError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an *InfraError", err)
	}
	if len(smp.Attempts) != breakerNeverAnswered || ie.Attempts != breakerNeverAnswered {
		t.Errorf("%d attempts (InfraError says %d), want %d before the breaker opened", len(smp.Attempts), ie.Attempts, breakerNeverAnswered)
	}
	for _, a := range smp.Attempts {
		if !strings.Contains(a.Error, "refused") {
			t.Errorf("attempt %d: %q", a.Attempt, a.Error)
		}
	}
	if !errors.Is(err, ErrBreakerOpen) || !errors.Is(s.breaker.Open(), ErrBreakerOpen) {
		t.Errorf("err = %v, breaker %v: want ErrBreakerOpen", err, s.breaker.Open())
	}
	calls := s.Calls()[cancelOp]
	smp, err = cancelCall(t, s, context.Background())
	if !errors.Is(err, ErrBreakerOpen) || len(smp.Attempts) != 0 || s.Calls()[cancelOp] != calls {
		t.Errorf("a call after the breaker opened: err %v, %d attempts, calls %d -> %d", err, len(smp.Attempts), calls, s.Calls()[cancelOp])
	}
	// A script asked for afterwards is blocked by the breaker, said once.
	if _, c := s.gather(context.Background(), "conversion", NotFound); c == nil || c.ID != "breaker" || !strings.Contains(c.Title, "stopped answering") {
		t.Errorf("gather after the breaker opened: %+v", c)
	}
}

// Calls that reach a server but get no answer (dropped connections) count the same;
// once open, the server sees nothing more.
func TestTransportBreakerStopsTouchingTheNetwork(t *testing.T) {
	h := &scripted{answers: []answer{{drop: true}}}
	s := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 2 })
	for i := 0; i < 5; i++ {
		_, _ = cancelCall(t, s, context.Background())
	}
	if n := h.hits.Load(); n != breakerNeverAnswered {
		t.Errorf("the server saw %d attempts, want %d (then the breaker)", n, breakerNeverAnswered)
	}
	// A target that answered, then went silent (no answer within --call-timeout), opens
	// it after three attempts: no answer has come for a whole call timeout by then.
	s2 := openEmbeddedEmu(t, weather(emulator.Weather{SilentAfter: 1}), func(c *Config) {
		c.CallTimeout, c.MaxAttempts = 50*time.Millisecond, 5
	})
	if smp, err := cancelCall(t, s2, context.Background()); err != nil || smp.Response().Status != 400 {
		t.Fatalf("the first call is answered: %v", err)
	}
	smp, err := cancelCall(t, s2, context.Background())
	if !errors.Is(err, ErrBreakerOpen) || len(smp.Attempts) != breakerFailures || !strings.Contains(smp.Attempts[0].Error, "--call-timeout") {
		t.Errorf("err %v, attempts %+v", err, smp.Attempts)
	}
}

// The same non-JSON 5xx four times is an answer (a proxy whose backend is down, or how
// moto says "not implemented"): the transport stops there instead of using every attempt.
func TestTransportSettlesARepeatedNonJSON5xx(t *testing.T) {
	s := openEmbeddedEmu(t, weather(emulator.Weather{ProxyError: true}), func(c *Config) {
		c.MaxAttempts = 10
	})
	smp, err := cancelCall(t, s, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(smp.Attempts) != 4 || s.Calls()[cancelOp] != 4 {
		t.Errorf("%d attempts, %d calls: want 4", len(smp.Attempts), s.Calls()[cancelOp])
	}
	if r := smp.Response(); r.Status != 502 || r.JSONErr == nil {
		t.Errorf("judged: %s", r.Summary())
	}
	// A JSON 5xx is not settled early: it may be weather.
	h := &scripted{answers: []answer{jsonError(502, "BadGateway")}}
	s2 := openEndpoint(t, h, func(c *Config) { c.MaxAttempts = 6 })
	if smp, _ := cancelCall(t, s2, context.Background()); len(smp.Attempts) != 6 {
		t.Errorf("JSON 502: %d attempts, want 6", len(smp.Attempts))
	}
}

// On a virtual clock the backoff advances the clock (and the emulator's lifecycles)
// instead of sleeping: the emulator's clock moved by the three backoffs of four
// attempts, each between half and all of 100 ms doubling.
func TestTransportBackoffAdvancesTheVirtualClock(t *testing.T) {
	s := openEmbeddedEmu(t, weather(emulator.Weather{ThrottleEvery: 1}), func(c *Config) { c.MaxAttempts = 4 })
	before := emu(s).Clock.Now()
	smp, err := cancelCall(t, s, context.Background())
	if err != nil || len(smp.Attempts) != 4 {
		t.Fatalf("err %v, %d attempts", err, len(smp.Attempts))
	}
	moved := emu(s).Clock.Now().Sub(before)
	if lo, hi := 350*time.Millisecond, 700*time.Millisecond; moved < lo || moved > hi {
		t.Errorf("the emulator's clock moved %v, want the three backoffs (%v..%v)", moved, lo, hi)
	}
}

// The rate limiter spaces calls in real time; a virtual clock is never limited.
func TestRateLimiterIsNotAppliedOnVirtualClocks(t *testing.T) {
	// One call per 1000 s: a limited second call would wait that long.
	s := openEmbedded(t, func(c *Config) { c.MaxRate = 0.001 })
	for i := 0; i < 3; i++ {
		if _, err := cancelCall(t, s, context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if !s.limiter.next.IsZero() {
		t.Errorf("the limiter reserved a slot on a virtual clock: %v", s.limiter.next)
	}
	// On the wall clock the second call waits for its slot: cancelled, it is never sent.
	h := &scripted{answers: []answer{jsonOK(`{}`)}}
	srv := openEndpoint(t, h, func(c *Config) { c.MaxRate = 0.001 })
	srv.clock = wallClock{}
	if _, err := cancelCall(t, srv, context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cancelCall(t, srv, ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("the limited call: %v", err)
	}
	if h.hits.Load() != 1 {
		t.Errorf("%d hits, want 1", h.hits.Load())
	}
}
