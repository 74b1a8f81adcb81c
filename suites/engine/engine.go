package engine

import (
	"context"
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
	"github.com/dmsconform/dmsconform/suites/gosdk"
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

// causeInterrupted decides the checks a run did not get to.
var causeInterrupted = &Cause{ID: "interrupted", Outcome: reports.Skipped, Title: "not run: the run was interrupted (SIGINT/SIGTERM)"}

// capable reports whether the target (and, for a script that calls the SDK itself,
// aws-sdk-go-v2) offers what a family's script needs, and why not.
func (s *Session) capable(family string, sc Script) *Cause {
	def := scriptOf(sc)
	for _, c := range def.needs {
		if cause := s.lacks(c); cause != nil {
			return cause
		}
	}
	if def.sdk {
		return s.sdkLacks(family)
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
	if c := s.capable(family, sc); c != nil {
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
	return scriptOf(sc).run(ctx, g)
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
		Project: s.Project, Facts: s.Facts(), Control: s.Offers(CapControl), Denied: s.Offers(CapDenied),
		FailingProject: s.Offers(CapFailingProject), StartInputs: s.Offers(CapStartInputs)}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, g := range s.memo {
		if key.family != family || g.cause != nil || !closed(g.done) || g.ev == nil {
			continue
		}
		scriptOf(key.script).attach(ev, g.ev)
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
	if cause := s.unmet(c.Family, n); cause != nil {
		return By(cause)
	}
	for _, sc := range n.Evidence {
		if _, cause := s.gather(ctx, c.Family, sc); cause != nil {
			return By(cause)
		}
	}
	for _, sc := range n.Optional {
		if s.capable(c.Family, sc) == nil {
			s.gather(ctx, c.Family, sc)
		}
	}
	return judge(c, s.Evidence(c.Family))
}

// unmet is the cause of a family's check whose needs the target (or, for a check of
// the SDK's view, aws-sdk-go-v2) cannot meet; nil when they can.
func (s *Session) unmet(family string, n Needs) *Cause {
	for _, c := range n.Capabilities() {
		if cause := s.lacks(c); cause != nil {
			return cause
		}
	}
	if n.SDK {
		return s.sdkLacks(family)
	}
	return nil
}

// sdkLacks is the cause of the checks of the SDK's view of a family whose operations
// aws-sdk-go-v2 lacks (a model newer than the SDK): one cause per family, skipped,
// naming the SDK's version and the operations it lacks. The family's calls go on the
// wire, so every wire check runs all the same. nil when the SDK has them all.
func (s *Session) sdkLacks(family string) *Cause {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.sdkGaps[family]; ok {
		return c
	}
	var missing []string
	for _, role := range []string{spec.RoleStart, spec.RoleDescribe, spec.RoleCancel} {
		if op := s.Model.FamilyOperation(family, role); op != nil && !gosdk.Has(op.Name) {
			missing = append(missing, op.Name)
		}
	}
	var c *Cause
	if len(missing) > 0 {
		c = &Cause{ID: CauseSDKLacks + family, Outcome: reports.Skipped,
			Title: fmt.Sprintf("aws-sdk-go-v2 (%s %s) has no %s: the checks of the SDK's view of the %s family cannot run (its wire checks do)",
				gosdk.Module, gosdk.Version(), strings.Join(missing, ", "), family)}
	}
	if s.sdkGaps == nil {
		s.sdkGaps = map[string]*Cause{}
	}
	s.sdkGaps[family] = c
	return c
}

// CauseSDKLacks starts the cause ID of a family whose operations aws-sdk-go-v2 lacks.
const CauseSDKLacks = "sdk-lacks/"

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
		if s.unmet(c.Family, n) != nil {
			continue
		}
		if !contains(families, c.Family) {
			families = append(families, c.Family)
		}
		for _, sc := range n.All() {
			if s.capable(c.Family, sc) == nil {
				want[scriptKey{c.Family, sc}] = true
			}
		}
	}
	var p Plan
	for _, f := range families {
		for _, d := range scriptTable {
			if k := (scriptKey{f, d.name}); want[k] {
				p.Keys = append(p.Keys, k)
				p.Starts += d.starts
				p.Spare += d.spare
			}
		}
	}
	return p
}

// Budget is the start budget of a plan on this target: what the scripts declare, plus
// replacements for walks whose request ends before the cancel lands (one per walk on
// aws, where starts cost, two elsewhere).
func (s *Session) Budget(p Plan) int {
	if s.startsCost {
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
	// Notes are what the run says at once (a poll waiting on a Status the
	// documentation does not list), oldest first: a display shows each new one.
	Notes []string
}

// Prepare sets the start budget for the checks and gathers their evidence: the
// scripts run Cfg.Parallel at a time (1 on virtual-clock targets, where the order is
// part of what makes a run repeatable), then the scripts that run last (the end-of-run
// re-describe). progress, when not nil, is called as scripts start and finish and as
// the run says something at once (Progress.Notes).
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
		progress(Progress{Running: names, Done: done, Total: len(p.Keys), Calls: calls, Notes: s.Notes()})
	}
	s.mu.Lock()
	s.onNote = func() {
		mu.Lock()
		defer mu.Unlock()
		report()
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.onNote = nil
		s.mu.Unlock()
	}()
	gatherAll := func(keys []scriptKey, parallel int) {
		sem := make(chan struct{}, max(1, parallel))
		var wg sync.WaitGroup
		for _, k := range keys {
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
	var first, last []scriptKey
	for _, k := range p.Keys {
		if scriptOf(k.script).last {
			last = append(last, k)
		} else {
			first = append(first, k)
		}
	}
	gatherAll(first, s.Cfg.Parallel)
	gatherAll(last, 1)
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
				reported := v.Cause.Reported()
				rc2 = &reported
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
			if s.Lost != nil { // what the describes after a lost answer showed
				out = append(out, exchangesOf(s.Lost.Describes)...)
			}
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

// Describe lists a plan for messages: "conversion/walk, conversion/watch, ...".
func (p Plan) Describe() string {
	var names []string
	for _, k := range p.Keys {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}
