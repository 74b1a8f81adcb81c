package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

type scriptKey struct {
	family string
	script Script
}

func (k scriptKey) String() string { return k.family + "/" + string(k.script) }

// gathering is one script's evidence for one family, gathered once per session.
type gathering struct {
	done  chan struct{}
	ev    any
	cause *Cause
	took  time.Duration
}

// Capability causes: checks that need what the target lacks are skipped with one
// reason, said once.
var (
	causeNoControl = &Cause{ID: "needs/control", Outcome: reports.Skipped,
		Title: "needs an emulator control surface, and the target has none: run the emulator with `dmsconform emulate --control` and pass --control URL (real DMS has none: these checks stay skipped there)"}
	causeNoDenied = &Cause{ID: "needs/denied", Outcome: reports.Skipped,
		Title: "needs a principal the target denies the cancel operations: pass --denied-access-key-id/--denied-secret-access-key (endpoint) or --denied-profile (aws)"}
	causeInterrupted = &Cause{ID: "interrupted", Outcome: reports.Skipped, Title: "not run: the run was interrupted (SIGINT/SIGTERM)"}
)

// capable reports whether the target offers what a script needs, and why not.
func (s *Session) capable(sc Script) *Cause {
	def := scripts[sc]
	switch {
	case def.control && !s.HasControl:
		return causeNoControl
	case def.denied && !s.HasDenied:
		return causeNoDenied
	}
	return nil
}

// gather returns the family's evidence of one script, running the script the first
// time it is asked for (concurrent askers wait for that run).
func (s *Session) gather(ctx context.Context, family string, sc Script) (any, *Cause) {
	key := scriptKey{family, sc}
	s.mu.Lock()
	g, running := s.memo[key]
	if !running {
		g = &gathering{done: make(chan struct{})}
		s.memo[key] = g
	}
	offline := s.offline
	s.mu.Unlock()
	if running {
		select {
		case <-g.done:
			return g.ev, g.cause
		case <-ctx.Done():
			return nil, causeInterrupted
		}
	}
	defer close(g.done)
	if offline {
		g.cause = &Cause{ID: "not-recorded/" + key.String(), Outcome: reports.Skipped,
			Title: fmt.Sprintf("the recording holds no evidence of %s for the %s family (recorded by another harness version or label filter)", sc.Describe(), family)}
		return nil, g.cause
	}
	if c := s.capable(sc); c != nil {
		g.cause = c
		return nil, c
	}
	if err := s.breaker.Open(); err != nil {
		g.cause = s.breakerCause(err)
		return nil, g.cause
	}
	fam := s.familyOps(family)
	start := time.Now()
	ev, err := runScript(ctx, sc, &gather{s: s, family: family, key: key.String(), start: fam.start, describe: fam.describe, cancel: fam.cancel})
	g.ev, g.took = ev, time.Since(start)
	g.cause = s.causeOf(key, ev, err)
	return g.ev, g.cause
}

// runScript runs a script, turning a panic (a harness bug) into an error.
func runScript(ctx context.Context, sc Script, g *gather) (ev any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s panicked (a dmsconform bug, please report it): %v\n%s", sc.Describe(), r, debug.Stack())
		}
	}()
	return scripts[sc].run(ctx, g)
}

func (s *Session) breakerCause(err error) *Cause {
	if c := transportCause(err); c != nil {
		return c
	}
	return &Cause{ID: "breaker", Outcome: reports.Error, Title: err.Error(),
		Message: "the circuit breaker stops every further call, so the run ends in seconds instead of waiting out every timeout: check that the target is up and reachable"}
}

// causeOf turns a script's error into the cause its checks share.
func (s *Session) causeOf(key scriptKey, ev any, err error) *Cause {
	if err == nil {
		return nil
	}
	var c *Cause
	if errors.As(err, &c) {
		return c
	}
	if c := transportCause(err); c != nil {
		return c
	}
	if berr := s.breaker.Open(); berr != nil {
		return s.breakerCause(berr)
	}
	if errors.Is(err, context.Canceled) {
		return causeInterrupted
	}
	samples := samplesIn(ev)
	if len(samples) > 3 {
		samples = samples[len(samples)-3:]
	}
	return &Cause{ID: key.String(), Outcome: reports.Error, Samples: samples,
		Title: fmt.Sprintf("%s of the %s family could not be gathered: %v", key.script.Describe(), key.family, err)}
}

type familyOps struct{ start, describe, cancel *spec.Operation }

func (s *Session) familyOps(family string) familyOps {
	return familyOps{
		start:    s.Model.FamilyOperation(family, spec.RoleStart),
		describe: s.Model.FamilyOperation(family, spec.RoleDescribe),
		cancel:   s.Model.FamilyOperation(family, spec.RoleCancel),
	}
}

// Evidence assembles what has been gathered for a family (nil fields: not gathered,
// or failed).
func (s *Session) Evidence(family string) *Evidence {
	fam := s.familyOps(family)
	ev := &Evidence{Model: s.Model, Family: family, Cancel: fam.cancel, Describe: fam.describe, Start: fam.start,
		Project: s.Project, Facts: s.Facts(), Control: s.HasControl, Denied: s.HasDenied}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, g := range s.memo {
		if key.family != family || g.cause != nil || !closed(g.done) {
			continue
		}
		switch x := g.ev.(type) {
		case *WalkEvidence:
			ev.Walk = x
		case *WatchEvidence:
			ev.Watch = x
		case *ScenarioEvidence:
			ev.Scenarios = x
		case *SDKValidationEvidence:
			ev.SDKValidation = x
		case *ProbeEvidence:
			switch key.script {
			case NotFound:
				ev.NotFound = x
			case Denied:
				ev.DeniedProbe = x
			case Inputs:
				ev.Inputs = x
			case Protocol:
				ev.Protocol = x
			}
		}
	}
	return ev
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Verdict judges one check: it skips checks whose needs the target cannot meet,
// gathers the evidence the check reads (memoised), and calls its judge. A failed
// gathering decides the verdict through its cause; the judge is never asked about
// evidence that is not there.
func (s *Session) Verdict(ctx context.Context, c Check) Verdict {
	n := c.Kind.Needs()
	if n.Control && !s.HasControl {
		return By(causeNoControl)
	}
	if n.Denied && !s.HasDenied {
		return By(causeNoDenied)
	}
	for _, sc := range n.Evidence {
		if _, cause := s.gather(ctx, c.Family, sc); cause != nil {
			return By(cause)
		}
	}
	for _, sc := range n.Optional {
		if s.capable(sc) == nil {
			s.gather(ctx, c.Family, sc)
		}
	}
	return judge(c, s.Evidence(c.Family))
}

// judge calls a kind's judge, turning a panic (a harness bug) into an error verdict.
func judge(c Check, ev *Evidence) (v Verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = Errorf("the judge of %s panicked (a dmsconform bug, please report it): %v", c.ID, r)
		}
	}()
	return c.Kind.Judge(ev)
}

// Plan is what a selection of checks needs: the scripts to gather per family and the
// requests they start.
type Plan struct {
	Keys   []scriptKey
	Starts int // requests the scripts declare
	Spare  int // replacements the walks may start
}

// PlanFor lists the scripts the checks need that the target can run, in gathering
// order (family order of the catalog, then Scripts order).
func (s *Session) PlanFor(checks []Check) Plan {
	want := map[scriptKey]bool{}
	var families []string
	for _, c := range checks {
		n := c.Kind.Needs()
		if n.Control && !s.HasControl || n.Denied && !s.HasDenied {
			continue
		}
		if !contains(families, c.Family) {
			families = append(families, c.Family)
		}
		for _, sc := range n.All() {
			if s.capable(sc) == nil {
				want[scriptKey{c.Family, sc}] = true
			}
		}
	}
	var p Plan
	for _, f := range families {
		for _, sc := range Scripts {
			if k := (scriptKey{f, sc}); want[k] {
				p.Keys = append(p.Keys, k)
				p.Starts += scripts[sc].starts
				if sc == Walk {
					p.Spare += walkSpare
				}
			}
		}
	}
	return p
}

// Budget is the start budget of a plan on this target: what the scripts declare, plus
// replacements for walks whose request ends before the cancel lands (one per walk on
// aws, where starts cost, two elsewhere).
func (s *Session) Budget(p Plan) int {
	if s.Kind == TargetAWS {
		return p.Starts + p.Spare/walkSpare
	}
	return p.Starts + p.Spare
}

// Progress is what a long run reports while it gathers.
type Progress struct {
	Running []string // scripts running now (family/script)
	Done    int      // scripts finished
	Total   int      // scripts planned
	Calls   int      // API calls so far
}

// Prepare sets the start budget for the checks and gathers their evidence: the
// scripts run Cfg.Parallel at a time (1 on virtual-clock targets, where the order is
// part of what makes a run repeatable). progress, when not nil, is called as scripts
// start and finish.
func (s *Session) Prepare(ctx context.Context, checks []Check, progress func(Progress)) {
	p := s.PlanFor(checks)
	s.SetStartBudget(s.Budget(p))
	var (
		mu      sync.Mutex
		running = map[string]bool{}
		done    int
	)
	report := func() {
		if progress == nil {
			return
		}
		var names []string
		for k := range running {
			names = append(names, k)
		}
		sort.Strings(names)
		calls := 0
		for _, n := range s.Calls() {
			calls += n
		}
		progress(Progress{Running: names, Done: done, Total: len(p.Keys), Calls: calls})
	}
	sem := make(chan struct{}, max(1, s.Cfg.Parallel))
	var wg sync.WaitGroup
	for _, k := range p.Keys {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			mu.Lock()
			running[k.String()] = true
			report()
			mu.Unlock()
			s.gather(ctx, k.family, k.script)
			mu.Lock()
			delete(running, k.String())
			done++
			report()
			mu.Unlock()
		}()
	}
	wg.Wait()
}

// Result is a judged run.
type Result struct {
	Checks      []reports.Check
	Causes      []reports.Cause
	Calls       map[string]int
	Starts      int
	StartBudget int
	Interrupted bool
	Gather      time.Duration
	Judge       time.Duration
}

// Run gathers the evidence the checks need and judges every check.
func Run(ctx context.Context, s *Session, checks []Check, progress func(Progress)) *Result {
	t0 := time.Now()
	s.Prepare(ctx, checks, progress)
	t1 := time.Now()
	res := JudgeAll(ctx, s, checks)
	res.Gather, res.Judge = t1.Sub(t0), time.Since(t1)
	res.Interrupted = ctx.Err() != nil
	return res
}

// JudgeAll judges every check with the evidence at hand (gathering what is missing)
// and turns the verdicts into report checks and causes.
func JudgeAll(ctx context.Context, s *Session, checks []Check) *Result {
	res := &Result{Calls: s.Calls()}
	res.Starts, res.StartBudget = s.Starts()
	causes := map[string]*reports.Cause{}
	var order []string
	for _, c := range checks {
		t := time.Now()
		v := s.Verdict(ctx, c)
		rc := reports.Check{CheckInfo: c.CheckInfo, Outcome: v.Outcome, Message: v.Message, Duration: time.Since(t),
			Exchanges: exchangesOf(v.Samples)}
		rc.Needs = c.Kind.Needs().Words()
		// The result owns its data: the catalog is shared by every run of the process,
		// and a report is redacted in place.
		rc.Labels = append([]string(nil), c.Labels...)
		if v.Cause != nil {
			rc.Cause = v.Cause.ID
			rc.Exchanges = nil
			rc2, ok := causes[v.Cause.ID]
			if !ok {
				rc2 = &reports.Cause{ID: v.Cause.ID, Outcome: v.Cause.Outcome, Title: v.Cause.Title, Message: v.Cause.Message,
					Exchanges: exchangesOf(v.Cause.Samples)}
				causes[v.Cause.ID] = rc2
				order = append(order, v.Cause.ID)
			}
			rc2.Checks++
		}
		res.Checks = append(res.Checks, rc)
	}
	for _, id := range order {
		res.Causes = append(res.Causes, *causes[id])
	}
	return res
}

func exchangesOf(samples []*Sample) []reports.Exchange {
	var out []reports.Exchange
	for _, s := range samples {
		if s != nil {
			out = append(out, s.Attempts...)
		}
	}
	return out
}

// samplesIn finds every *Sample in an evidence value, in field order.
func samplesIn(v any) []*Sample {
	var out []*Sample
	var walk func(reflect.Value)
	sampleType := reflect.TypeOf(&Sample{})
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			if v.Type() == sampleType {
				out = append(out, v.Interface().(*Sample))
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	if v != nil {
		walk(reflect.ValueOf(v))
	}
	return out
}

// ScriptRecord is one script's evidence as a recording stores it.
type ScriptRecord struct {
	Family   string          `json:"family"`
	Script   Script          `json:"script"`
	Evidence json.RawMessage `json:"evidence,omitempty"`
	Cause    *CauseRecord    `json:"cause,omitempty"`
}

// CauseRecord is a cause as a recording stores it.
type CauseRecord struct {
	ID      string          `json:"id"`
	Outcome reports.Outcome `json:"outcome"`
	Title   string          `json:"title"`
	Message string          `json:"message,omitempty"`
	Samples []*Sample       `json:"samples,omitempty"`
}

// Records returns the evidence gathered so far, one record per family and script,
// families in name order, then Scripts order (the order a recording's files list).
func (s *Session) Records() []ScriptRecord {
	s.mu.Lock()
	var keys []scriptKey
	done := map[scriptKey]*gathering{} // read under the lock: scripts may still be gathering
	for k, g := range s.memo {
		if closed(g.done) {
			keys = append(keys, k)
			done[k] = g
		}
	}
	s.mu.Unlock()
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].family != keys[j].family {
			return keys[i].family < keys[j].family
		}
		return scriptIndex(keys[i].script) < scriptIndex(keys[j].script)
	})
	var out []ScriptRecord
	for _, k := range keys {
		g := done[k]
		r := ScriptRecord{Family: k.family, Script: k.script}
		if g.ev != nil && !reflect.ValueOf(g.ev).IsNil() {
			r.Evidence, _ = json.Marshal(g.ev)
		}
		if c := g.cause; c != nil {
			r.Cause = &CauseRecord{ID: c.ID, Outcome: c.Outcome, Title: c.Title, Message: c.Message, Samples: c.Samples}
		}
		out = append(out, r)
	}
	return out
}

func scriptIndex(sc Script) int {
	for i, x := range Scripts {
		if x == sc {
			return i
		}
	}
	return len(Scripts)
}

// newEvidence returns an empty evidence value of a script's type.
func newEvidence(sc Script) (any, error) {
	switch sc {
	case Walk:
		return &WalkEvidence{}, nil
	case Watch:
		return &WatchEvidence{}, nil
	case Scenarios:
		return &ScenarioEvidence{}, nil
	case NotFound, Denied, Inputs, Protocol:
		return &ProbeEvidence{}, nil
	case SDKValidation:
		return &SDKValidationEvidence{}, nil
	}
	return nil, fmt.Errorf("unknown evidence script %q (recorded by a newer dmsconform?)", sc)
}

// Offline is what re-judging a recording needs to know of the recorded target.
type Offline struct {
	Project string
	Control bool
	Denied  bool
	Facts   Facts
}

// OpenOffline returns a session over recorded evidence: no target, no network.
// Checks whose evidence the recording lacks are skipped with that reason.
func OpenOffline(info Offline, records []ScriptRecord) (*Session, error) {
	m, err := spec.Load()
	if err != nil {
		return nil, err
	}
	s := &Session{Model: m, Kind: "recording", Project: info.Project, HasControl: info.Control, HasDenied: info.Denied,
		offline: true, facts: info.Facts, breaker: newBreaker(time.Second), memo: map[scriptKey]*gathering{}, calls: map[string]int{}}
	for _, r := range records {
		g := &gathering{done: make(chan struct{})}
		close(g.done)
		if r.Cause != nil {
			g.cause = &Cause{ID: r.Cause.ID, Outcome: r.Cause.Outcome, Title: r.Cause.Title, Message: r.Cause.Message, Samples: r.Cause.Samples}
		}
		if len(r.Evidence) > 0 && string(r.Evidence) != "null" {
			ev, err := newEvidence(r.Script)
			if err != nil {
				return nil, err
			}
			if err := json.Unmarshal(r.Evidence, ev); err != nil {
				return nil, fmt.Errorf("evidence of %s/%s: %w", r.Family, r.Script, err)
			}
			g.ev = ev
		}
		s.memo[scriptKey{r.Family, r.Script}] = g
	}
	return s, nil
}

// Describe lists a plan for messages: "conversion/walk, conversion/watch, ...".
func (p Plan) Describe() string {
	var names []string
	for _, k := range p.Keys {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}
