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
	observed, differences, decodings := map[string]string{}, map[string]string{}, map[string][]string{}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	run := &reports.Run{
		SchemaVersion: reports.SchemaVersion,
		Mode:          reports.ModeSDK,
		Tool:          opts.Tool,
		Model:         reports.ModelInfo{Version: opts.Model.Version, SHA256: opts.Model.SHA256, Source: opts.Model.Source},
		Started:       start.UTC(),
	}
	setTarget := func() {
		info := sdk.Info()
		run.Target = reports.Target{TargetKind: info.Name, Name: info.Package, Version: info.Version, Region: Region}
	}
	setTarget()
	if reason := sdk.Unavailable(); reason != "" {
		for _, fx := range opts.Fixtures {
			c := newCheck(opts.Model, fx)
			c.Outcome = reports.Skipped
			c.Message = reason
			run.Checks = append(run.Checks, c)
		}
		run.Duration = now().Sub(start)
		return &SDKRun{Run: run, Observed: observed, Differences: differences, Decodings: decodings}, nil
	}
	srv, err := NewServer()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	run.Target.Endpoint = srv.URL

	type slot struct {
		fx   *Fixture
		keys []string
		idx  []int
	}
	slots := make([]*slot, len(opts.Fixtures))
	var jobs []Job
	for i, fx := range opts.Fixtures {
		s := &slot{fx: fx}
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
	batchStart := time.Now()
	obs, runErr := sdk.Run(ctx, opts.Model, jobs)
	perJob := time.Duration(0)
	if len(jobs) > 0 {
		perJob = time.Since(batchStart) / time.Duration(len(jobs))
	}
	setTarget() // the adapter may have reported the exact version it ran
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
		observed[c.ID], differences[c.ID] = judge(opts.Model.Operation(s.fx.Operation), s.fx, replays, &c)
		decodings[c.ID] = distinctDecodings(replays)
		run.Checks = append(run.Checks, c)
	}
	run.Duration = now().Sub(start)
	return &SDKRun{Run: run, Observed: observed, Differences: differences, Decodings: decodings}, nil
}

func newCheck(m *spec.Model, fx *Fixture) reports.Check {
	return reports.Check{CheckInfo: fx.Info()}
}

type replay struct {
	obs       Observation
	exchanges []reports.Exchange
}

// judge sets the outcome, message and exchanges of one fixture's check from its
// replays: error when the harness broke (no request reached the fixture server),
// fail when any replay sent a malformed request or decoded differently from the
// expectation, pass otherwise. It returns what the SDK decoded and, for a failure,
// how that differs from the expectation, each on one line.
func judge(op *spec.Operation, fx *Fixture, replays []replay, c *reports.Check) (observed, difference string) {
	n := len(replays)
	type group struct {
		obs   Observation
		count int
		diffs []string
	}
	var groups []*group
	byKey := map[string]*group{}
	var harness, requestProblems []string
	firstBad := -1
	retried := 0
	for r, rp := range replays {
		if len(rp.exchanges) == 0 {
			msg := "no request reached the fixture server"
			if rp.obs.Err != nil {
				msg += ": " + rp.obs.Err.Layer + " error: " + text.Truncate(rp.obs.Err.Message, 300)
			}
			harness = append(harness, msg)
			continue
		}
		if len(rp.exchanges) > 1 {
			retried++
		}
		if p := requestProblem(op, rp.exchanges[0]); p != "" {
			requestProblems = append(requestProblems, p)
			if firstBad < 0 {
				firstBad = r
			}
		}
		k := observationKey(rp.obs)
		g := byKey[k]
		if g == nil {
			g = &group{obs: rp.obs}
			if op != nil {
				g.diffs = Evaluate(op, fx.Expect, rp.obs)
			} else {
				g.diffs = []string{"operation " + fx.Operation + " is not in the model"}
			}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.count++
		if g.diffs != nil && firstBad < 0 {
			firstBad = r
		}
	}
	// Transcripts: the first replay, and the first one that went wrong.
	for r, rp := range replays {
		if r != 0 && r != firstBad {
			continue
		}
		for i, ex := range rp.exchanges {
			ex.Name = fmt.Sprintf("fixture %s, replay %d of %d", fx.ID, r+1, n)
			if len(rp.exchanges) > 1 {
				ex.Name += fmt.Sprintf(", attempt %d", i+1)
			}
			c.Exchanges = append(c.Exchanges, ex)
		}
	}
	var notes []string
	if retried > 0 {
		notes = append(notes, fmt.Sprintf("%d replay(s) sent more than one request although the client was configured for one attempt", retried))
	}
	if len(harness) > 0 {
		c.Outcome = reports.Error
		c.Message = fmt.Sprintf("fixture %s: %s (%d of %d replays); the harness or the transport broke, this says nothing about the SDK", fx.ID, harness[0], len(harness), n)
		return harness[0], ""
	}
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
	var bad []*group
	for _, g := range groups {
		if g.diffs != nil {
			bad = append(bad, g)
		}
	}
	if len(bad) == 0 && len(requestProblems) == 0 {
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
	c.Message = b.String()
	return observed, difference
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
