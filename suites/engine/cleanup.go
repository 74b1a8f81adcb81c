package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// Clean-up's own budget. Clean-up often runs because the run could not go on: the
// circuit breaker opened, the retry budget was spent, the credentials were refused, a
// signal came. So its calls bypass the breaker and the run's retry budget and are
// bounded on their own: a few attempts per call, each short, and once the cancels of
// cleanupUnreached requests in a row did not get through (no answer, credentials
// refused), no more are sent (those requests are named as not reached). The whole of it is bounded by --cleanup-timeout (and the caller's context).
const (
	cleanupAttempts    = 3               // attempts per call
	cleanupCallTimeout = 5 * time.Second // per attempt (--call-timeout when shorter)
	cleanupUnreached   = 2               // cancels in a row that did not get through: send no more
)

type cleanupKey struct{}

// inCleanup says whether calls made with ctx are clean-up's (on its own budget).
func inCleanup(ctx context.Context) bool {
	b, _ := ctx.Value(cleanupKey{}).(bool)
	return b
}

// cleanupItem is one request clean-up works on.
type cleanupItem struct {
	st        startedRequest
	out       reports.CleanupRequest
	accepted  bool   // the cancel was answered with success
	waiting   bool   // a describe is to tell how it ended
	refusal   string // the cancel's refusal (InvalidResourceStateFault: ended already, or CANCELING)
	describes string // why the last describe told nothing
}

func (it *cleanupItem) settle(o reports.CleanupOutcome, detail string) {
	it.waiting = false
	it.out.Outcome, it.out.Detail = o, detail
}

// Cleanup cancels every request the run started that is not known to have ended, then
// waits up to --cleanup-timeout for them to end. It is what an interrupted run calls. It
// first looks once more for requests that Starts whose answer was lost may have created
// (sweepLostStarts). Its calls go on clean-up's own budget, so an open circuit breaker
// does not stop it. A request is settled once clean-up sees it in a documented terminal
// state, or, after its cancel was accepted, in the Status a scenario holds it at (which
// never changes). What it did to each request is kept for the report (CleanupReport);
// the error names the requests it may have left running, with their ids.
func (s *Session) Cleanup(ctx context.Context) error {
	ctx = context.WithValue(ctx, cleanupKey{}, true)
	s.sweepLostStarts(ctx)
	s.mu.Lock()
	var todo []startedRequest
	for _, st := range s.starts {
		if st.id != "" && !st.done {
			todo = append(todo, st)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	rep := &reports.Cleanup{}
	if err := s.breaker.Open(); err != nil {
		rep.Note = fmt.Sprintf("the run had stopped calling the target (%s); clean-up sent its calls all the same, on its own budget: %d attempts of at most %s per call, and no more cancels once %d in a row did not get through",
			reports.OneLine(err.Error(), 240), cleanupAttempts, min(s.Cfg.CallTimeout, cleanupCallTimeout), cleanupUnreached)
	}
	deadline := s.clock.Now().Add(s.Cfg.CleanupTimeout)
	items := make([]*cleanupItem, len(todo))
	unreached := 0
	for i, st := range todo {
		it := &cleanupItem{st: st, out: reports.CleanupRequest{ID: st.id, Family: st.family}}
		items[i] = it
		switch {
		case ctx.Err() != nil:
			it.settle(reports.CleanupNotReached, "not sent: clean-up was stopped ("+ctx.Err().Error()+")")
			continue
		case unreached >= cleanupUnreached:
			it.settle(reports.CleanupNotReached, fmt.Sprintf("not sent: the cancels of the %d requests before it did not get through, so clean-up sent no more", unreached))
			continue
		}
		cancel := s.Model.FamilyOperation(st.family, spec.RoleCancel)
		body, _ := json.Marshal(map[string]string{"MigrationProjectIdentifier": st.project, "RequestIdentifier": st.id})
		smp, err := s.wire(ctx, "", wireRequest{Name: "clean-up: cancel " + st.id, Op: cancel, Body: body})
		s.addSetup(smp)
		if err != nil {
			unreached++
			it.settle(reports.CleanupNotReached, "the cancel did not get through: "+briefErr(err))
			continue
		}
		unreached = 0
		r := smp.Response()
		switch {
		case r.OK():
			it.accepted, it.waiting = true, true
			if req, ok := r.Object()["Request"].(map[string]any); ok {
				it.out.Status = Str(req["Status"])
			}
		case faultIs(r, "InvalidResourceStateFault"):
			it.waiting, it.refusal = true, r.Summary() // ended already, or cancelled before: a describe tells
		default:
			it.settle(reports.CleanupRefused, "the target refused the cancel: "+r.Summary())
		}
	}
	s.waitCleanup(ctx, items, deadline)
	for _, it := range items {
		if it.waiting {
			why := it.describes
			if why == "" {
				why = "last seen " + orWord(it.out.Status, "without a Status")
			}
			if !it.accepted {
				why = "the cancel was refused (" + it.refusal + "); " + why
			}
			it.settle(reports.CleanupUnconfirmed, fmt.Sprintf("not seen ending within %s (--cleanup-timeout): %s", s.Cfg.CleanupTimeout, why))
		}
		if it.out.Outcome == reports.CleanupCancelled || it.out.Outcome == reports.CleanupEnded {
			s.settled(it.st.id)
		}
		rep.Requests = append(rep.Requests, it.out)
	}
	s.mu.Lock()
	s.cleanup = rep
	s.mu.Unlock()
	return cleanupError(rep, s.Cfg.CleanupTimeout)
}

// waitCleanup describes the requests clean-up waits for, in rounds (fast first, then
// backing off), until each has settled or the deadline passes.
func (s *Session) waitCleanup(ctx context.Context, items []*cleanupItem, deadline time.Time) {
	for delay := s.Cfg.MinDelay; ; delay = min(delay*2, s.Cfg.MaxDelay) {
		waiting := 0
		for _, it := range items {
			if !it.waiting || ctx.Err() != nil {
				continue
			}
			d, err := s.describeIn(ctx, "", "clean-up: describe "+it.st.id, it.st.family, it.st.project, it.st.id)
			if d != nil {
				s.addSetup(d)
			}
			r := RequestIn(d, it.st.id)
			switch {
			case err != nil:
				it.describes = "describing it got no answer: " + briefErr(err)
			case r == nil:
				it.describes = "a describe does not list it: " + d.Response().Summary()
			default:
				it.describes, it.out.Status = "", Str(r["Status"])
			}
			st := it.out.Status
			switch {
			case it.describes != "":
			case spec.IsTerminalStatus(st) && it.accepted:
				it.settle(reports.CleanupCancelled, "")
				continue
			case spec.IsTerminalStatus(st):
				it.settle(reports.CleanupEnded, fmt.Sprintf("the cancel was refused (%s): it had ended", it.refusal))
				continue
			case st != "" && st == it.st.held && it.accepted:
				it.settle(reports.CleanupCancelled, fmt.Sprintf("a scenario holds it at Status %s, which never changes", st))
				continue
			case st != "" && st == it.st.held:
				it.settle(reports.CleanupEnded, fmt.Sprintf("the cancel was refused (%s), and a scenario holds it at Status %s, which never changes", it.refusal, st))
				continue
			}
			waiting++
		}
		if waiting == 0 || ctx.Err() != nil || !s.clock.Now().Add(delay).Before(deadline) || s.clock.Sleep(ctx, delay) != nil {
			return
		}
	}
}

// cleanupError names, with their ids, the requests clean-up may have left running (nil
// when it left none).
func cleanupError(rep *reports.Cleanup, timeout time.Duration) error {
	var parts []string
	add := func(o reports.CleanupOutcome, format string) {
		if rs := rep.With(o); len(rs) > 0 {
			parts = append(parts, fmt.Sprintf(format, len(rs), plural(len(rs)), cleanupIDs(rs)))
		}
	}
	add(reports.CleanupNotReached, "%d request%s the run started could not be reached and may still be running (cancel them yourself): %s")
	add(reports.CleanupRefused, "the target refused to cancel %d request%s that had not ended: %s")
	add(reports.CleanupUnconfirmed, "clean-up could not confirm within "+timeout.String()+" (--cleanup-timeout) that %d request%s ended: %s")
	if len(parts) == 0 {
		return nil
	}
	return errors.New(strings.Join(parts, "; "))
}

func cleanupIDs(rs []reports.CleanupRequest) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = fmt.Sprintf("%s (%s)", r.ID, r.Family)
	}
	return strings.Join(ids, ", ")
}

// CleanupReport is what clean-up did (nil when it had nothing to do).
func (s *Session) CleanupReport() *reports.Cleanup {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cleanup
}

// sweepLostStarts looks once more for the requests that Starts whose answer was lost may
// have created without a describe then listing them (not visible yet): each the project
// lists that the run does not know is counted as a start, and cancelled with the others.
func (s *Session) sweepLostStarts(ctx context.Context) {
	s.mu.Lock()
	var lanes []lane
	for l := range s.unsure {
		lanes = append(lanes, l)
	}
	s.unsure = nil
	s.mu.Unlock()
	slices.SortFunc(lanes, func(a, b lane) int { return strings.Compare(a.family+"\x00"+a.project, b.family+"\x00"+b.project) })
	for _, l := range lanes {
		f := l.family
		name := "clean-up: look for requests lost Starts created"
		smp, reqs, err := s.listRequests(ctx, "", name, f, l.project)
		if smp != nil {
			s.addSetup(smp)
		}
		if err != nil {
			s.mu.Lock()
			s.lost = append(s.lost, reports.LostAnswer{Call: name, Operation: s.Model.FamilyOperation(f, spec.RoleDescribe).Name,
				Found: "describing the project got no answer (" + briefErr(err) + "): a request a lost Start created may be left running"})
			s.mu.Unlock()
			continue
		}
		s.foundStarts(l, name, s.strangers(l, reqs))
	}
}
