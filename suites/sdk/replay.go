package sdk

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/fixtures"
	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// LoadDefault loads the fixtures embedded from fixtures/wire.
func LoadDefault() ([]*Fixture, error) { return LoadFS(fixtures.Wire, fixtures.WireRoot) }

// Options configure a replay.
type Options struct {
	Model    *spec.Model
	Fixtures []*Fixture
	Tool     reports.Tool
	// Now is the clock for Started (default time.Now).
	Now func() time.Time
}

// Replay runs every fixture through one SDK and returns its run (mode sdk, target =
// the SDK name, package and version), not yet finalized. An unavailable SDK gives a
// run whose checks are all skipped with the reason. The error is only for a broken
// setup (no model, the fixture server cannot listen); an SDK batch that breaks makes
// every check an error.
func Replay(ctx context.Context, sdk SDK, opts Options) (*reports.Run, error) {
	r, err := ReplaySDK(ctx, sdk, opts)
	if err != nil {
		return nil, err
	}
	return r.Run, nil
}

// SDKRun is one SDK's replay of the corpus: the run, and per check ID what the SDK
// decoded (one line; several decodings of a repeated fixture with their counts) and,
// for a failure, how that differs from the expectation, for the side-by-side page.
type SDKRun struct {
	Run         *reports.Run
	Observed    map[string]string
	Differences map[string]string
	// Decodings: per check ID, the distinct decodings the replays produced, sorted
	// (without their counts: what a behaviour is, for comparing SDK versions).
	Decodings map[string][]string
}

// ReplaySDK is Replay, keeping what the SDK decoded per check.
func ReplaySDK(ctx context.Context, sdk SDK, opts Options) (*SDKRun, error) {
	if opts.Model == nil {
		return nil, fmt.Errorf("sdk replay: no model")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	out := &SDKRun{Run: newRun(opts, start), Observed: map[string]string{}, Differences: map[string]string{}, Decodings: map[string][]string{}}
	run := out.Run
	setTarget(run, sdk)
	if reason := sdk.Unavailable(); reason != "" {
		for _, fx := range opts.Fixtures {
			c := newCheck(opts.Model, fx)
			c.Outcome = reports.Skipped
			c.Message = reason
			run.Checks = append(run.Checks, c)
		}
		run.Duration = now().Sub(start)
		return out, nil
	}
	srv, err := NewServer()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	run.Target.Endpoint = srv.URL

	slots, jobs := planJobs(opts, srv)
	batchStart := time.Now()
	obs, runErr := sdk.Run(ctx, opts.Model, jobs)
	perJob := time.Duration(0)
	if len(jobs) > 0 {
		perJob = time.Since(batchStart) / time.Duration(len(jobs))
	}
	setTarget(run, sdk) // the adapter may have reported the exact version it ran
	run.Target.Endpoint = srv.URL
	for _, s := range slots {
		c := newCheck(opts.Model, s.fx)
		c.Duration = perJob * time.Duration(len(s.keys))
		if runErr != nil {
			c.Outcome = reports.Error
			c.Message = runErr.Error()
			run.Checks = append(run.Checks, c)
			continue
		}
		replays := make([]replay, len(s.keys))
		for r, key := range s.keys {
			replays[r] = replay{obs: obs[s.idx[r]], exchanges: srv.Exchanges(key)}
		}
		out.Observed[c.ID], out.Differences[c.ID] = judge(opts.Model.Operation(s.fx.Operation), s.fx, replays, &c)
		out.Decodings[c.ID] = distinctDecodings(replays)
		run.Checks = append(run.Checks, c)
	}
	run.Duration = now().Sub(start)
	return out, nil
}

// newRun is an SDK-mode run of the model, started at start, with no target or checks yet.
func newRun(opts Options, start time.Time) *reports.Run {
	return &reports.Run{
		SchemaVersion: reports.SchemaVersion,
		Mode:          reports.ModeSDK,
		Tool:          opts.Tool,
		Model:         reports.ModelInfo{Version: opts.Model.Version, SHA256: opts.Model.SHA256, Source: opts.Model.Source},
		Started:       start.UTC(),
	}
}

// setTarget sets the run's target from what the SDK reports of itself (no endpoint).
func setTarget(run *reports.Run, sdk SDK) {
	info := sdk.Info()
	run.Target = reports.Target{TargetKind: info.Name, Name: info.Package, Version: info.Version, Region: Region}
}

// fixtureSlot is one fixture of a replay batch: per replay, its route key on the
// fixture server and the index of its job in the batch.
type fixtureSlot struct {
	fx   *Fixture
	keys []string
	idx  []int
}

// planJobs routes every replay of every fixture through srv and returns the batch of
// jobs for the SDK, with each fixture's slot (in fixture order) to find its replays.
func planJobs(opts Options, srv *Server) ([]*fixtureSlot, []Job) {
	slots := make([]*fixtureSlot, len(opts.Fixtures))
	var jobs []Job
	for i, fx := range opts.Fixtures {
		s := &fixtureSlot{fx: fx}
		input := fx.Input
		if input == nil {
			if op := opts.Model.Operation(fx.Operation); op != nil {
				input = DefaultInput(op)
			}
		}
		for r := 0; r < fx.Replays(); r++ {
			endpoint, key := srv.Route(fx)
			s.keys = append(s.keys, key)
			s.idx = append(s.idx, len(jobs))
			jobs = append(jobs, Job{Key: key, Endpoint: endpoint, Region: Region, Operation: fx.Operation, Input: input})
		}
		slots[i] = s
	}
	return slots, jobs
}

func newCheck(m *spec.Model, fx *Fixture) reports.Check {
	return reports.Check{CheckInfo: fx.Info()}
}

type replay struct {
	obs       Observation
	exchanges []reports.Exchange
}

// decodingGroup is one distinct decoding among a fixture's replays: how many replays
// decoded so, and how it differs from the expectation (nil when as expected).
type decodingGroup struct {
	obs   Observation
	count int
	diffs []string
}

// replayTally is what a fixture's replays amount to, before the verdict.
type replayTally struct {
	groups          []*decodingGroup // the distinct decodings, in the order first seen
	harness         []string         // per replay that reached no fixture server, why
	requestProblems []string         // per malformed request, what is wrong with it
	firstBad        int              // the first replay that went wrong (-1: none)
	retried         int              // replays that sent more than one request
}

// judge sets the outcome, message and exchanges of one fixture's check from its
// replays: error when the harness broke (no request reached the fixture server),
// fail when any replay sent a malformed request or decoded differently from the
// expectation, pass otherwise. It returns what the SDK decoded and, for a failure,
// how that differs from the expectation, each on one line.
func judge(op *spec.Operation, fx *Fixture, replays []replay, c *reports.Check) (observed, difference string) {
	n := len(replays)
	t := tallyReplays(op, fx, replays)
	addTranscripts(c, fx, replays, t.firstBad)
	var notes []string
	if t.retried > 0 {
		notes = append(notes, fmt.Sprintf("%d replay(s) sent more than one request although the client was configured for one attempt", t.retried))
	}
	if len(t.harness) > 0 {
		c.Outcome = reports.Error
		c.Message = fmt.Sprintf("fixture %s: %s (%d of %d replays); the harness or the transport broke, this says nothing about the SDK", fx.ID, t.harness[0], len(t.harness), n)
		return t.harness[0], ""
	}
	groups := t.groups
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].count > groups[j].count })
	if len(groups) == 1 {
		observed = groups[0].obs.String()
	} else {
		parts := make([]string, len(groups))
		for i, g := range groups {
			parts[i] = fmt.Sprintf("%dx %s", g.count, g.obs.String())
		}
		observed = strings.Join(parts, "; ")
	}
	var bad []*decodingGroup
	for _, g := range groups {
		if g.diffs != nil {
			bad = append(bad, g)
		}
	}
	if len(bad) == 0 && len(t.requestProblems) == 0 {
		c.Outcome = reports.Pass
		c.Message = fmt.Sprintf("decoded as expected (%s)", plural(n, "replay"))
		if len(groups) == 1 {
			c.Message += ": " + text.Truncate(groups[0].obs.String(), 400)
		}
		if len(notes) > 0 {
			c.Message += "; " + strings.Join(notes, "; ")
		}
		return observed, ""
	}
	c.Outcome = reports.Fail
	c.Message, difference = failure(fx, n, groups, bad, t.requestProblems, notes)
	return observed, difference
}

// tallyReplays groups a fixture's replays by what they decoded (each group evaluated
// against the expectation once) and notes the harness breaks, malformed requests and
// retries among them.
func tallyReplays(op *spec.Operation, fx *Fixture, replays []replay) replayTally {
	t := replayTally{firstBad: -1}
	byKey := map[string]*decodingGroup{}
	for r, rp := range replays {
		if len(rp.exchanges) == 0 {
			msg := "no request reached the fixture server"
			if rp.obs.Err != nil {
				msg += ": " + rp.obs.Err.Layer + " error: " + text.Truncate(rp.obs.Err.Message, 300)
			}
			t.harness = append(t.harness, msg)
			continue
		}
		if len(rp.exchanges) > 1 {
			t.retried++
		}
		if p := requestProblem(op, rp.exchanges[0]); p != "" {
			t.requestProblems = append(t.requestProblems, p)
			if t.firstBad < 0 {
				t.firstBad = r
			}
		}
		k := observationKey(rp.obs)
		g := byKey[k]
		if g == nil {
			g = &decodingGroup{obs: rp.obs}
			if op != nil {
				g.diffs = Evaluate(op, fx.Expect, rp.obs)
			} else {
				g.diffs = []string{"operation " + fx.Operation + " is not in the model"}
			}
			byKey[k] = g
			t.groups = append(t.groups, g)
		}
		g.count++
		if g.diffs != nil && t.firstBad < 0 {
			t.firstBad = r
		}
	}
	return t
}

// addTranscripts adds to the check the exchanges of the first replay and of the first
// one that went wrong (firstBad, -1 for none), each named by fixture, replay and attempt.
func addTranscripts(c *reports.Check, fx *Fixture, replays []replay, firstBad int) {
	for r, rp := range replays {
		if r != 0 && r != firstBad {
			continue
		}
		for i, ex := range rp.exchanges {
			ex.Name = fmt.Sprintf("fixture %s, replay %d of %d", fx.ID, r+1, len(replays))
			if len(rp.exchanges) > 1 {
				ex.Name += fmt.Sprintf(", attempt %d", i+1)
			}
			c.Exchanges = append(c.Exchanges, ex)
		}
	}
}

// failure writes a failed check's message and its one-line difference from the
// expectation, from the decoding groups (most frequent first), those among them that
// differ (bad) and the malformed requests, over n replays.
func failure(fx *Fixture, n int, groups, bad []*decodingGroup, requestProblems, notes []string) (message, difference string) {
	var b strings.Builder
	// The verdict first (the CLI summary shows the first line's start), then the
	// fixture, the expectation, every distinct observed decoding and the rule.
	if len(bad) > 0 {
		misdecoded := 0
		for _, g := range bad {
			misdecoded += g.count
		}
		if n > 1 {
			difference = fmt.Sprintf("%d of %d replays decoded otherwise: %s", misdecoded, n, strings.Join(bad[0].diffs, "; "))
		} else {
			difference = strings.Join(bad[0].diffs, "; ")
		}
		b.WriteString(difference + ". ")
	}
	if len(requestProblems) > 0 {
		fmt.Fprintf(&b, "Request: %s. ", requestProblems[0])
		if difference == "" {
			difference = "request: " + requestProblems[0]
		}
	}
	fmt.Fprintf(&b, "Fixture %s (%s). Expected %s. ", fx.ID, fx.File, fx.Expect.String())
	if len(groups) == 1 {
		fmt.Fprintf(&b, "Observed %s. ", text.Truncate(groups[0].obs.String(), 800))
	} else {
		parts := make([]string, len(groups))
		for i, g := range groups {
			verdict := "as expected"
			if g.diffs != nil {
				verdict = strings.Join(g.diffs, "; ")
			}
			parts[i] = fmt.Sprintf("%dx %s [%s]", g.count, text.Truncate(g.obs.String(), 600), verdict)
		}
		fmt.Fprintf(&b, "Observed decodings: %s. ", strings.Join(parts, "; "))
	}
	fmt.Fprintf(&b, "Rule: %s", fx.Rule)
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	return b.String(), difference
}

// distinctDecodings lists the distinct behaviours of a fixture's replays, sorted.
func distinctDecodings(replays []replay) []string {
	seen := map[string]bool{}
	var out []string
	for _, rp := range replays {
		if k := rp.obs.Behaviour(); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// requestProblem checks the request an SDK sent against the awsJson 1.1 rules: POST,
// X-Amz-Target of the operation, the protocol's Content-Type.
func requestProblem(op *spec.Operation, ex reports.Exchange) string {
	if op == nil {
		return ""
	}
	h := http.Header(ex.Request.Headers)
	var p []string
	if ex.Request.Method != http.MethodPost {
		p = append(p, fmt.Sprintf("method %s, want POST", ex.Request.Method))
	}
	if got := h.Get("X-Amz-Target"); got != op.Target {
		p = append(p, fmt.Sprintf("X-Amz-Target %q, want %q", got, op.Target))
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.1") {
		p = append(p, fmt.Sprintf("Content-Type %q, want application/x-amz-json-1.1", ct))
	}
	return strings.Join(p, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
