package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"
)

// Check is the structured description of one conformance check. The generator emits
// one per check into the suites' catalog; Verify runs it.
type Check struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Description string            `json:"description"` // one sentence, RFC 2119 words
	Level       string            `json:"level"`       // MUST or SHOULD
	Labels      []string          `json:"labels"`
	Pointer     string            `json:"pointer"` // JSON pointer into the model
	Operation   string            `json:"operation"`
	Family      string            `json:"family"`
	Kind        string            `json:"kind"` // the implementation that runs it
	Params      map[string]string `json:"params,omitempty"`
}

// Report entry names the runner reads back from Ginkgo's report.
const (
	EntryCheck     = "dmsconform.check"
	EntryOutcome   = "dmsconform.outcome"
	EntryExchanges = "dmsconform.exchanges"
)

// Outcomes recorded by checks (the runner maps Ginkgo states with them).
const (
	OutcomeDrift         = "drift"
	OutcomeUnimplemented = "unimplemented"
	OutcomeError         = "error"
	OutcomeSkipped       = "skipped"
	OutcomeFail          = "fail"
)

// OutcomeEntry is the value of the EntryOutcome report entry.
type OutcomeEntry struct {
	Outcome string `json:"outcome"`
	Message string `json:"message"`
}

// C is the running check: it collects exchanges and the outcome.
type C struct {
	Check     Check
	Ctx       context.Context
	S         *Session
	exchanges []Exchange
	drifts    []string
	outcome   *OutcomeEntry
	flushed   bool
}

type kindFunc func(c *C)

var kinds = map[string]kindFunc{}

func registerKind(name string, f kindFunc) {
	if _, dup := kinds[name]; dup {
		panic("conformance: duplicate check kind " + name)
	}
	kinds[name] = f
}

// Kinds lists the check kinds this package implements (the generator verifies that
// every check it emits has one).
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	currentMu  sync.Mutex
	configured *Config
	current    *Session
	currentErr error
)

// Configure sets the configuration the next session is opened with (the runner calls
// it before running the suites; go test falls back to FromEnv). It forgets a session
// opened (or refused) earlier in this process, closing it, so one process can
// configure several runs that stop before the suites run.
func Configure(cfg Config) {
	currentMu.Lock()
	prev := current
	configured, current, currentErr = &cfg, nil, nil
	currentMu.Unlock()
	if prev != nil {
		_ = prev.Close(context.Background())
	}
}

// Current returns the session, opening it on first use.
func Current(ctx context.Context) (*Session, error) {
	currentMu.Lock()
	defer currentMu.Unlock()
	if current == nil && currentErr == nil {
		cfg := FromEnv()
		if configured != nil {
			cfg = *configured
		}
		current, currentErr = Open(ctx, cfg)
	}
	return current, currentErr
}

// Shutdown closes the current session (cleaning up what the run started) and forgets it.
func Shutdown(ctx context.Context) error {
	currentMu.Lock()
	s := current
	current, currentErr = nil, nil
	currentMu.Unlock()
	if s == nil {
		return nil
	}
	return s.Close(ctx)
}

// Verify runs one check inside a Ginkgo spec: it records the check, runs its
// implementation, attaches the exchanges and outcome as report entries and tells Ginkgo
// whether it passed, failed or was skipped.
func Verify(ctx context.Context, chk Check) {
	c := &C{Check: chk, Ctx: ctx}
	ginkgo.AddReportEntry(EntryCheck, chk, ginkgo.ReportEntryVisibilityNever)
	setRunning(chk.ID)
	defer c.finish()
	s, err := Current(ctx)
	if err != nil {
		c.Fatal(fmt.Errorf("opening the target: %w", err))
	}
	c.S = s
	impl, ok := kinds[chk.Kind]
	if !ok {
		c.Errorf("check %s has kind %q, which this build does not implement: regenerate the suites (make generate)", chk.ID, chk.Kind)
	}
	impl(c)
}

// flush writes the exchanges and the outcome as report entries, once.
func (c *C) flush() {
	if c.flushed {
		return
	}
	c.flushed = true
	if len(c.exchanges) > 0 {
		ginkgo.AddReportEntry(EntryExchanges, c.exchanges, ginkgo.ReportEntryVisibilityNever)
	}
	if c.outcome == nil && len(c.drifts) > 0 {
		c.outcome = &OutcomeEntry{Outcome: OutcomeDrift, Message: strings.Join(c.drifts, "\n")}
		fmt.Fprintf(ginkgo.GinkgoWriter, "drift: %s\n", c.outcome.Message)
	}
	if c.outcome != nil {
		ginkgo.AddReportEntry(EntryOutcome, *c.outcome, ginkgo.ReportEntryVisibilityNever)
	}
}

func (c *C) finish() {
	r := recover()
	setRunning("")
	c.flush()
	if r != nil {
		panic(r) // Ginkgo's own fail/skip panic, a Gomega failure or a real panic
	}
}

// helperFrames is how many frames of this package's helpers sit between a check
// implementation and end, so Ginkgo reports the check's own line.
func helperFrames() int {
	for i := 1; i < 12; i++ {
		_, file, _, ok := runtime.Caller(i + 1)
		if !ok {
			break
		}
		if !strings.HasSuffix(file, "/conformance/check.go") && !strings.HasSuffix(file, "/conformance/matchers.go") {
			return i
		}
	}
	return 1
}

// Attach adds exchanges to the check's transcript.
func (c *C) Attach(ex ...Exchange) { c.exchanges = append(c.exchanges, ex...) }

func (c *C) end(outcome, format string, args ...any) {
	if c.outcome == nil {
		c.outcome = &OutcomeEntry{Outcome: outcome, Message: fmt.Sprintf(format, args...)}
	}
	c.flush()
	skip := helperFrames()
	msg := c.outcome.Message
	switch c.outcome.Outcome {
	case OutcomeFail:
		ginkgo.Fail(msg, skip)
	case OutcomeError:
		ginkgo.Fail("harness error: "+msg, skip)
	case OutcomeUnimplemented:
		ginkgo.Skip("unimplemented: "+msg, skip)
	default:
		ginkgo.Skip(msg, skip)
	}
}

// Failf ends the check: the target does not conform.
func (c *C) Failf(format string, args ...any) { c.end(OutcomeFail, format, args...) }

// Skipf ends the check as skipped, with the reason.
func (c *C) Skipf(format string, args ...any) { c.end(OutcomeSkipped, format, args...) }

// Unimplementedf ends the check: the target says it does not implement the operation.
func (c *C) Unimplementedf(format string, args ...any) { c.end(OutcomeUnimplemented, format, args...) }

// Errorf ends the check: the harness or the infrastructure broke.
func (c *C) Errorf(format string, args ...any) { c.end(OutcomeError, format, args...) }

// Driftf notes something allowed by open semantics but worth a look; the check goes on.
func (c *C) Driftf(format string, args ...any) {
	c.drifts = append(c.drifts, fmt.Sprintf(format, args...))
}

// FailIf ends the check as failed when problems is not empty, listing them.
func (c *C) FailIf(problems []string, header string) {
	if len(problems) == 0 {
		return
	}
	c.Failf("%s:\n- %s", header, strings.Join(problems, "\n- "))
}

// Fatal turns an error of the harness into the right outcome: unimplemented,
// error (transport, configuration), or a failure for anything else.
func (c *C) Fatal(err error) {
	var u *UnimplementedError
	var te *TransportError
	var ce *ConfigError
	var cr *CredentialError
	switch {
	case errors.As(err, &u):
		c.Unimplementedf("%s", u.Error())
	case errors.As(err, &te), errors.As(err, &ce), errors.As(err, &cr), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		c.Errorf("%v", err)
	case isSDKTransportError(err):
		c.Errorf("%v", err)
	}
	c.Failf("%v", err)
}

// Param returns a generated parameter, or ends the check as a harness error.
func (c *C) Param(name string) string {
	v, ok := c.Check.Params[name]
	if !ok {
		c.Errorf("check %s lacks parameter %q: regenerate the suites (make generate)", c.Check.ID, name)
	}
	return v
}
