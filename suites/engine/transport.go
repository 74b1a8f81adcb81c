package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
)

// Clock is where the harness reads the time and waits. On embedded and replay targets
// it is virtual: waiting advances it (and the emulator's lifecycles) at once.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// virtualClock advances instead of sleeping.
type virtualClock struct{ c Advancer }

func (v virtualClock) Now() time.Time { return v.c.Now() }

func (v virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v.c.Advance(d)
	return nil
}

// InfraError is trouble that is not an answer of the target to judge: no answer at
// all (refused, reset, timed out), answers that changed from attempt to attempt, a
// spent retry budget or an open circuit breaker. Checks built on it are errors.
type InfraError struct {
	Call     string // what the call was for
	Endpoint string
	Attempts int
	Problem  string
	Err      error // what it wraps: ErrBreakerOpen once the circuit breaker is open
}

func (e *InfraError) Error() string {
	return fmt.Sprintf("%s: %s (%d attempt%s against %s)", e.Call, e.Problem, e.Attempts, plural(e.Attempts), e.Endpoint)
}

func (e *InfraError) Unwrap() error { return e.Err }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// callKey carries the *call an HTTP request belongs to.
type callKey struct{}

// call collects the attempts of one logical call. A probe (unsigned, a corrupted
// signature) is refused on purpose: an authentication refusal is its evidence. A
// denied call is signed by the denied principal: its refusals are evidence, except one
// of its credentials, which blocks the checks built on it without ending the run.
type call struct {
	name      string
	script    string // family/script, for replay routing
	seq       int    // the call's number within its script
	op        string
	view      string // "wire" for raw requests, "sdk" otherwise
	noRetry   bool
	probe     bool
	denied    bool
	mu        sync.Mutex
	exchanges []reports.Exchange

	// resolve is set on a call that changes state (a Start, a Cancel of a running
	// request): it finds out what an attempt whose answer was lost had done (lost.go).
	resolve resolver
	lost    *Resolution // what resolve found out (nil: it was not asked)
	unsure  bool        // resolve could not tell what a lost attempt did
	// cleanup: a clean-up call, on clean-up's own budget (cleanup.go).
	cleanup bool
}

// retried sets why the last attempt recorded was not the last.
func (c *call) retried(why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.exchanges); n > 0 {
		c.exchanges[n-1].Retried = why
	}
}

// maxAttempts is how many attempts the call may make.
func (c *call) maxAttempts(cfg Config) int {
	if c.cleanup {
		return min(cfg.MaxAttempts, cleanupAttempts)
	}
	return cfg.MaxAttempts
}

// timeout bounds each attempt of the call.
func (c *call) timeout(cfg Config) time.Duration {
	if c.cleanup {
		return min(cfg.CallTimeout, cleanupCallTimeout)
	}
	return cfg.CallTimeout
}

func (c *call) add(ex reports.Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exchanges = append(c.exchanges, ex)
}

func (c *call) all() []reports.Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]reports.Exchange(nil), c.exchanges...)
}

// ScriptHeader names the evidence script of a request to a replay target, which
// serves each script its recorded answers in order.
const ScriptHeader = "X-Dmsconform-Script"

// transport is the one way to the target: every API call of the SDK and of the raw wire
// client goes through it. It waits for the rate limit, refuses calls while the circuit
// breaker is open, records every attempt into the call's transcript, and retries
// transient answers (throttling, 5xx, reset connections, timeouts) with backoff and
// jitter within the per-call attempts and the run's retry budget. After the last
// attempt, an answer that was the same every time is returned to be judged; anything
// else is an *InfraError. A call that changes state is not resent after a lost answer
// before its resolver found out what the lost attempt did (lost.go); a clean-up call
// goes on its own budget, past an open breaker (cleanup.go).
type transport struct {
	s    *Session
	base http.RoundTripper

	kept      atomic.Int64 // answer bytes kept whole so far (bounded by maxKeptBodies)
	refreshMu sync.Mutex   // one credentials refresh at a time
}

var errNoAnswer = errors.New("no answer")

// callOf is the call req belongs to (a bare one named by its target header when the
// request came from outside a run's call) and the request's body, read once so every
// attempt can send it again.
func callOf(req *http.Request) (*call, []byte, error) {
	c, _ := req.Context().Value(callKey{}).(*call)
	if c == nil {
		c = &call{name: req.Header.Get("X-Amz-Target")}
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, nil, err
		}
		body = b
	}
	if c.op == "" {
		c.op = operationOf(req.Header.Get("X-Amz-Target"))
	}
	return c, body, nil
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	s := t.s
	c, body, err := callOf(req)
	if err != nil {
		return nil, err
	}
	op := operationOf(req.Header.Get("X-Amz-Target"))
	var answers []string
	refreshed := false
	for attempt := 1; ; attempt++ {
		if err := s.breaker.allow(); err != nil && !c.cleanup {
			return nil, &InfraError{Call: c.name, Endpoint: s.Endpoint, Attempts: attempt - 1, Problem: err.Error(), Err: err}
		}
		if err := s.limiter.wait(req.Context(), s.clock); err != nil {
			return nil, err
		}
		sent := time.Now()
		resp, ex, err := t.attempt(req, body, c, attempt)
		s.countCall(op)
		if cerr := req.Context().Err(); cerr != nil && resp == nil {
			// The run was interrupted (or its deadline passed) while the call was on its
			// way: no answer came, and that is no failure of the target's.
			c.add(ex)
			return nil, &InfraError{Call: c.name, Endpoint: s.Endpoint, Attempts: attempt, Problem: "interrupted: " + cerr.Error(), Err: cerr}
		}
		switch {
		case c.cleanup: // clean-up's calls say nothing about the run's target any more
		case resp != nil:
			s.breaker.success()
		default:
			s.breaker.failure(sent)
		}
		if stop := t.refusal(c, resp, ex); stop != nil {
			again, err := t.refused(&req, body, c, ex, stop, &refreshed, attempt)
			if again {
				continue
			}
			return nil, err
		}
		retry, why := s.transient(op, resp, ex, err)
		if resp != nil {
			answers = append(answers, answerKey(resp.StatusCode, ex))
		} else {
			answers = append(answers, "no answer: "+ex.Error)
		}
		// An open breaker ends the call here (not clean-up's: it runs on its own budget).
		last := !retry || attempt >= c.maxAttempts(s.Cfg) || c.noRetry || req.Context().Err() != nil ||
			!c.cleanup && s.breaker.Open() != nil || s.settledNonJSON(answers)
		budgetSpent := false
		if !last && !c.cleanup && !s.spendRetry() {
			last, budgetSpent = true, true
			why = why + "; the run's retry budget is spent"
		}
		if !last {
			ex.Retried = why
		}
		c.add(ex)
		if last {
			return t.lastAnswer(c, resp, err, ex, answers, retry, budgetSpent, why, attempt)
		}
		if err := s.clock.Sleep(req.Context(), s.backoff(attempt)); err != nil {
			return nil, err
		}
		if c.resolve != nil && (resp == nil || resp.StatusCode >= 500) {
			if err := t.resolveLost(req, c, why, attempt); err != nil {
				return nil, err
			}
		}
	}
}

// refused handles an answer no retry changes and no check may judge: a redirect, a
// body too large to judge, the credentials refused. It is said once for the run;
// refused credentials are tried once more when fresh ones can be had (again: *req is
// the request signed with them).
func (t *transport) refused(req **http.Request, body []byte, c *call, ex reports.Exchange, stop error, refreshed *bool, attempt int) (again bool, err error) {
	s := t.s
	var ce *CredentialError
	if errors.As(stop, &ce) && !*refreshed && !c.denied {
		if fresh, ok := t.refreshCredentials(*req); ok {
			ex.Retried = "the target refused the credentials (" + ce.Code + "): the refreshed credentials are tried"
			c.add(ex)
			*refreshed = true
			r, err := s.resign(*req, body, fresh)
			if err != nil {
				return false, err
			}
			*req = r
			return true, nil
		}
	}
	c.add(ex)
	if errors.As(stop, &ce) && !c.denied {
		s.breaker.trip(stop)
	}
	return false, &InfraError{Call: c.name, Endpoint: s.Endpoint, Attempts: attempt, Problem: stop.Error(), Err: stop}
}

// lastAnswer decides what the last attempt of a call makes of it: the answer to
// judge, or an InfraError when the retries (or their budget) ran out on transient
// trouble.
func (t *transport) lastAnswer(c *call, resp *http.Response, err error, ex reports.Exchange, answers []string, retry, budgetSpent bool, why string, attempt int) (*http.Response, error) {
	s := t.s
	if budgetSpent {
		// A transient answer that could not be retried is not an answer to judge.
		return nil, &InfraError{Call: c.name, Endpoint: s.Endpoint, Attempts: attempt, Problem: why + " (--retry-budget)"}
	}
	if err != nil && resp == nil {
		return nil, &InfraError{Call: c.name, Endpoint: s.Endpoint, Attempts: attempt, Problem: ex.Error, Err: s.breaker.Open()}
	}
	if retry && !allSame(answers) {
		return nil, &InfraError{Call: c.name, Endpoint: s.Endpoint, Attempts: attempt,
			Problem: "the answers changed from attempt to attempt (" + strings.Join(answers, "; ") + "): transient trouble that outlasted the retries"}
	}
	if c.unsure && resp.StatusCode >= 300 && !allSame(answers) {
		// Sent again after a lost answer that no describe could explain: a refusal
		// now may answer what the lost attempt did, not the request as sent.
		c.lost.Unjudgeable = true
		c.lost.Found = append(c.lost.Found, fmt.Sprintf("the call sent again was answered %s, which may answer what the lost attempt did rather than the request as sent: it is not judged", answers[len(answers)-1]))
	}
	return resp, nil
}

// resolveLost finds out, before a call whose answer was lost is sent again, whether
// the target applied it (lost.go); an InfraError when it cannot be sent again.
func (t *transport) resolveLost(req *http.Request, c *call, why string, attempt int) error {
	s := t.s
	// The answer was lost: the target may have applied the call. Find out before
	// sending it again (lost.go).
	f := c.resolve(req.Context())
	if c.lost == nil {
		c.lost = &Resolution{}
	}
	c.lost.note(f)
	c.unsure = c.unsure || f.outcome == lostUnknown
	switch f.outcome {
	case lostStop:
		c.retried("")
		c.lost.Unjudgeable = true
		return &InfraError{Call: c.name, Endpoint: s.Endpoint, Attempts: attempt, Problem: "the answer was lost (" + text.Truncate(why, 120) + "): " + f.found, Err: ErrAnswerLost}
	default:
		c.retried(why + "; " + f.found + ": sent again")
	}
	return nil
}

// attempt sends one attempt and records it. The response body is read to its end (the
// per-attempt timeout also covers a body that never ends), but only a bounded part of
// it is kept: see readBody.
func (t *transport) attempt(req *http.Request, body []byte, c *call, n int) (*http.Response, reports.Exchange, error) {
	s := t.s
	ctx, cancel := context.WithTimeout(req.Context(), c.timeout(s.Cfg))
	defer cancel()
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if s.replay {
		r.Header.Set(ScriptHeader, c.script)
	}
	view := c.view
	if view == "" {
		view = "sdk"
	}
	ex := reports.Exchange{Name: c.name, View: view, Attempt: n, Script: c.script, Call: c.seq,
		Request: reports.HTTPMessage{Method: r.Method, URL: r.URL.String(), Headers: cloneHeader(req.Header), Body: string(body)}}
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		rb, rerr := t.readBody(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			err = fmt.Errorf("reading the response: %w", rerr)
			resp = nil
		} else {
			resp.Body = io.NopCloser(bytes.NewReader(rb.kept))
			ex.Response = reports.HTTPMessage{Status: resp.StatusCode, Headers: cloneHeader(resp.Header), Body: string(rb.kept),
				BodySize: rb.size, BodySHA256: rb.sum, BodyUnended: !rb.ended}
			if rb.whole() {
				ex.Response.BodySize, ex.Response.BodySHA256 = 0, ""
			}
		}
	}
	ex.Duration = time.Since(start)
	if err != nil {
		ex.Error = describeTransportError(err, c.timeout(s.Cfg))
	}
	return resp, ex, err
}

func cloneHeader(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		out[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	return out
}

func describeTransportError(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s (--call-timeout): %v", timeout, err)
	}
	return err.Error()
}

// answerKey is what makes two answers the same: status, error code and whether the
// body is JSON.
func answerKey(status int, ex reports.Exchange) string {
	if status < 300 {
		return fmt.Sprintf("HTTP %d", status) // a success is never retried: no need to read it
	}
	r := parseResponse(&ex)
	kind := "json"
	if r.JSONErr != nil {
		kind = orWord(r.Header.Get("Content-Type"), "no content type")
	}
	return fmt.Sprintf("HTTP %d %s (%s)", status, r.ErrorCode(), kind)
}

func allSame(xs []string) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}

// throttlingCodes are the error codes AWS SDKs treat as throttling.
var throttlingCodes = map[string]bool{
	"throttling": true, "throttlingexception": true, "throttledexception": true, "requestthrottledexception": true,
	"toomanyrequestsexception": true, "provisionedthroughputexceededexception": true, "transactioninprogressexception": true,
	"requestlimitexceeded": true, "bandwidthlimitexceeded": true, "limitexceededexception": true, "requestthrottled": true,
	"slowdown": true, "priorrequestnotcomplete": true, "ec2throttledexception": true,
}

// transient decides whether an answer is worth another attempt, and why.
func (s *Session) transient(op string, resp *http.Response, ex reports.Exchange, err error) (bool, string) {
	if resp == nil {
		return true, "no answer (" + text.Truncate(ex.Error, 80) + ")"
	}
	if resp.StatusCode < 300 {
		return false, ""
	}
	r := parseResponse(&ex)
	if s.knownUnimplemented(op, r) || Unimplemented(r, false) != "" {
		// An explicit "not implemented" (HTTP 501, UnknownOperationException, moto's and
		// LocalStack's wording), or the answer that already made op unimplemented: a
		// final answer, not trouble to wait out.
		return false, ""
	}
	return transientAnswer(r)
}

// transientAnswer reports whether an answer is trouble to wait out (throttling, HTTP
// 429, a 5xx other than 501) and says which.
func transientAnswer(r *Response) (bool, string) {
	code := strings.ToLower(r.ErrorCode())
	switch {
	case throttlingCodes[code]:
		return true, "throttled (" + r.ErrorCode() + ")"
	case r.Status == http.StatusTooManyRequests:
		return true, "HTTP 429"
	case r.Status >= 500 && r.Status != http.StatusNotImplemented:
		return true, r.Summary()
	}
	return false, ""
}

// settledNonJSON: the same non-JSON 5xx four times in a row is an answer, not weather:
// a proxy whose backend is down (the preflight then ends the run), or a target that
// speaks the protocol answering one operation that way (how moto says an action is not
// implemented). Waiting through every attempt would only repeat it.
func (s *Session) settledNonJSON(answers []string) bool {
	const enough = 4
	if len(answers) < enough {
		return false
	}
	tail := answers[len(answers)-enough:]
	return allSame(tail) && strings.HasPrefix(tail[0], "HTTP 5") && !strings.HasSuffix(tail[0], "(json)")
}

// backoff is the wait before attempt n+1: exponential (100 ms doubling, at most 5 s)
// with jitter over its upper half. Ten attempts make a transient answer that comes
// one call in three outlast them once in 60,000 calls, while a target that answers
// the same every time is judged within about 20 s of waiting.
func (s *Session) backoff(n int) time.Duration {
	base, max := 100*time.Millisecond, 5*time.Second
	d := base << (n - 1)
	if d > max || d <= 0 {
		d = max
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return d/2 + time.Duration(s.rng.Int64N(int64(d/2)+1))
}

func (s *Session) spendRetry() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.retriesLeft <= 0 {
		return false
	}
	s.retriesLeft--
	return true
}

func (s *Session) countCall(op string) {
	if op == "" {
		op = "(unknown target)"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
}

// operationOf is the operation an X-Amz-Target names ("" when it names none).
func operationOf(target string) string {
	_, op, ok := strings.Cut(target, ".")
	if !ok {
		return ""
	}
	return op
}

// breaker ends a run against a target that stopped answering. It counts the attempts
// that got no answer over time, not in the order they complete: an attempt counts only
// when it was sent after the last answer came (attempts in flight together that fail
// together say nothing a later answer does not contradict), and the breaker opens only
// when three such attempts failed and no answer has come for a whole call timeout, so
// every call has had its retries by then. Before the target has answered at all, five
// attempts in a row without an answer open it (a target that is not there). Trip opens
// it for a cause that ends the run whatever the weather (credentials refused).
type breaker struct {
	mu         sync.Mutex
	timeout    time.Duration
	failures   int  // attempts without an answer, sent after the last answer came
	answered   bool // the target answered at least once
	lastAnswer time.Time
	open       error
}

// Breaker thresholds: attempts without an answer that open it.
const (
	breakerFailures      = 3 // once the target has answered, and with a call timeout of silence
	breakerNeverAnswered = 5 // before any answer
)

func newBreaker(timeout time.Duration) *breaker {
	return &breaker{timeout: timeout, lastAnswer: time.Now()}
}

// ErrBreakerOpen says the circuit breaker ended the run.
var ErrBreakerOpen = errors.New("the target stopped answering")

func (b *breaker) allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.answered, b.lastAnswer = 0, true, time.Now()
}

// failure counts an attempt sent at sent that got no answer.
func (b *breaker) failure(sent time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open != nil || b.answered && sent.Before(b.lastAnswer) {
		return
	}
	b.failures++
	silent := time.Since(b.lastAnswer)
	switch {
	case !b.answered && b.failures >= breakerNeverAnswered:
		b.open = fmt.Errorf("%w: none of the first %d attempts got an answer, none for %s (circuit breaker open: the run ends here)",
			ErrBreakerOpen, b.failures, silent.Round(100*time.Millisecond))
	case b.answered && b.failures >= breakerFailures && silent >= b.timeout:
		b.open = fmt.Errorf("%w: %d attempts in a row got no answer, and no answer came for %s, longer than --call-timeout %s (circuit breaker open: the run ends here)",
			ErrBreakerOpen, b.failures, silent.Round(100*time.Millisecond), b.timeout)
	}
}

// trip opens the breaker for a cause that ends the run (the first one wins).
func (b *breaker) trip(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		b.open = err
	}
}

// Open returns why the breaker is open (nil when it is closed).
func (b *breaker) Open() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}

// limiter spaces API calls to at most rate per second (real time; virtual clocks are
// not limited).
type limiter struct {
	mu   sync.Mutex
	gap  time.Duration
	next time.Time
}

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return &limiter{}
	}
	return &limiter{gap: time.Duration(float64(time.Second) / rate)}
}

func (l *limiter) wait(ctx context.Context, c Clock) error {
	if l.gap == 0 {
		return nil
	}
	if _, virtual := c.(virtualClock); virtual {
		return nil
	}
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.gap)
	l.mu.Unlock()
	return wallClock{}.Sleep(ctx, time.Until(at))
}

// newRand is the session's jitter source: seeded, so a virtual-clock run is repeatable.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
