package kinds

import (
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Shared by the lifecycle kinds: what blocks them when the walk could not cancel a
// running request. Each reason is one cause, reported once for every check it blocks.

// walkBlocked returns the verdict of a check that needs a request the walk started
// (nil when the walk has one).
func walkBlocked(ev *engine.Evidence) *engine.Verdict {
	w := ev.Walk
	var c *engine.Cause
	switch {
	case w.Stopped != "" && w.RequestID == "" && ev.StartRefused(w.Starts...) != nil:
		c = ev.StartRefused(w.Starts...) // the project's configuration: one cause with the watch's
	case w.Stopped != "" && w.RequestID == "":
		c = &engine.Cause{ID: ev.Family + "/walk-stopped", Outcome: "skipped", Title: "the lifecycle walk stopped: " + w.Stopped, Samples: w.Starts}
	case w.Unobserved != "" && w.FailedWith != "":
		c = inputsFailed(ev)
	case w.Unobserved != "":
		c = &engine.Cause{ID: ev.Family + "/walk-unobserved", Outcome: "skipped", Title: "no running request could be observed: " + w.Unobserved, Samples: w.Misses}
	case w.Cancel == nil:
		c = &engine.Cause{ID: ev.Family + "/walk-stopped", Outcome: "skipped", Title: "the lifecycle walk has no cancelled request"}
	}
	if c == nil {
		return nil
	}
	v := engine.By(c)
	return &v
}

// inputsFailed is the cause of a walk whose requests the target failed before their
// cancel landed: with the harness's own Start inputs, the Start inputs the user could
// supply (needs/start-inputs, one cause for every family: it names the flag); with the
// user's, the family's own cause, asking to check them. Both quote the target's Error.
func inputsFailed(ev *engine.Evidence) *engine.Cause {
	w := ev.Walk
	if !ev.StartInputs {
		c := engine.CapabilityCause(engine.CapStartInputs, false)
		c.Title = fmt.Sprintf("the requests the walk started with the harness's own Start inputs ended FAILED before their cancel landed (the target's Error: %q): pass --start-inputs FILE with selection rules that select objects of the project's source data provider (the README says how)",
			w.FailedWith)
		c.Samples = w.Misses
		return c
	}
	return &engine.Cause{ID: ev.Family + "/walk-unobserved", Outcome: "skipped", Samples: w.Misses,
		Title: fmt.Sprintf("the requests the walk started with the --start-inputs given ended FAILED before their cancel landed (the target's Error: %q): check that their %s selection rules select objects of the project's source data provider", w.FailedWith, ev.Start.Name)}
}

// cancelBlocked is walkBlocked, and also blocks when the cancel of the running request
// did not succeed (lifecycle.cancel reports that failure; the checks that read the
// cancel's answer are skipped with it as their cause).
func cancelBlocked(ev *engine.Evidence) *engine.Verdict {
	if v := walkBlocked(ev); v != nil {
		return v
	}
	if c := ev.Unimplemented(ev.Walk.Cancel); c != nil {
		v := engine.By(c)
		return &v
	}
	if lost := ev.Walk.Cancel.AnswerLost(); lost != "" {
		if ev.Walk.Cancel.Lost.Applied {
			return nil // cancelled; only its answer was lost (see answerBlocked)
		}
		return answerLost(ev)
	}
	r := ev.Walk.Cancel.Response()
	if !r.OK() {
		v := engine.By(&engine.Cause{ID: ev.Family + "/cancel-failed", Outcome: "skipped",
			Title: "the cancel of the running request failed (" + r.Summary() + "), see lifecycle.cancel", Samples: []*engine.Sample{ev.Walk.Cancel}})
		return &v
	}
	return nil
}

// answerBlocked is cancelBlocked for a check that reads the cancel's answer: it also
// blocks when that answer was lost (the cancel may have been applied all the same).
func answerBlocked(ev *engine.Evidence) *engine.Verdict {
	if v := cancelBlocked(ev); v != nil {
		return v
	}
	return answerLost(ev)
}

// answerLost is the verdict of a check of the cancel's answer when that answer was lost
// on the way (nil when it was not): skipped, with what describes showed, said once.
func answerLost(ev *engine.Evidence) *engine.Verdict {
	lost := ev.Walk.Cancel.AnswerLost()
	if lost == "" {
		return nil
	}
	v := engine.By(&engine.Cause{ID: ev.Family + "/cancel-answer-lost", Outcome: "skipped",
		Title: "the cancel of the running request has no answer to judge: " + lost, Samples: []*engine.Sample{ev.Walk.Cancel}})
	return &v
}

// cancelledRequest is the Request object of the walk's cancel answer (nil if none).
func cancelledRequest(ev *engine.Evidence) map[string]any {
	req, _ := ev.Walk.Cancel.Response().Object()["Request"].(map[string]any)
	return req
}

var walkNeeds = engine.Needs{Evidence: []engine.Script{engine.Walk}}

// noFailedRequest is the verdict of a check of a failed request's Error (the union and
// its members) that found no Error to judge. A target only sends one for a failed
// request: without a failing project or a control surface nothing made a request fail,
// which the user could change (the cause needs/failing-project names the flag); a
// failing project whose request did not end FAILED says so; otherwise the check is
// skipped with its own reason (or the walk's cause, as nothingObserved).
func noFailedRequest(ev *engine.Evidence, format string, args ...any) engine.Verdict {
	f := ev.Failing
	switch {
	case !ev.FailingProject && !ev.Control:
		return engine.By(engine.CapabilityCause(engine.CapFailingProject, false))
	case f != nil && f.Final != "FAILED":
		why := fmt.Sprintf("its request %s ended %s", f.RequestID, f.Final)
		switch {
		case f.Stopped != "":
			why = f.Stopped
		case f.TimedOut || f.Final == "":
			why = failingGap(f)
		}
		samples := append([]*engine.Sample{f.Start}, tail(f.Describes, 1)...)
		return engine.By(&engine.Cause{ID: ev.Family + "/failing-unobserved", Outcome: "skipped", Samples: samples,
			Title: fmt.Sprintf("no failed request to judge in the failing project %s (--failing-project): %s; set the project up so that its requests fail (the README says how)", f.Project, why)})
	}
	return nothingObserved(ev, format, args...)
}

// inUnion reports whether a member path of the cancel output lies in a union (the
// union itself or one of its members): an Error, which only a failed request carries.
func inUnion(root *spec.Shape, path string) bool {
	segs := splitPath(path)
	for i := range segs {
		if sh := shapeAt(root, "/"+strings.Join(segs[:i+1], "/")); sh != nil && sh.Union != nil {
			return true
		}
	}
	return false
}

// nothingObserved is the verdict of a check that found nothing to judge: when the walk
// or the watch could not run a request, that is the cause (said once for all the checks
// it leaves without evidence); otherwise the check is skipped with its own reason.
func nothingObserved(ev *engine.Evidence, format string, args ...any) engine.Verdict {
	if ev.Walk != nil {
		if v := walkBlocked(ev); v != nil {
			return *v
		}
	}
	if w := ev.Watch; w != nil && w.Stopped != "" && len(w.Describes) == 0 {
		if c := ev.StartRefused(w.Start); c != nil {
			return engine.By(c)
		}
		return engine.By(&engine.Cause{ID: ev.Family + "/watch-stopped", Outcome: "skipped", Title: "the progress watch stopped: " + w.Stopped, Samples: []*engine.Sample{w.Start}})
	}
	return engine.Skipf(nil, format, args...)
}
