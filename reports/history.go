package reports

import (
	"fmt"
	"sort"
	"time"
)

// HistorySchemaVersion identifies the report.json of a history (dmsconform history).
const HistorySchemaVersion = "dmsconform.history/v1"

// History is many runs of one target over time (a nightly's reports): per check its
// outcome run by run, when it last passed and since when it fails, how often it
// flipped; per run its verdict, duration and API calls. It is what
// `dmsconform history` writes: report.json (this struct), report.html, summary.md.
type History struct {
	SchemaVersion string       `json:"schemaVersion"`
	Tool          Tool         `json:"tool"`
	Target        Target       `json:"target"` // the newest run's
	Label         string       `json:"label"`
	Runs          []HistoryRun `json:"runs"` // oldest first
	// Checks: failing now first (longest failing first), then flaky, then the checks
	// the newest run changed, then the rest, each group by ID.
	Checks []HistoryCheck `json:"checks"`
	// Counts of Checks: failing now; flaky and not failing now (a failing check that
	// flipped is counted as failing); changed by the newest run.
	Failing  int      `json:"failing"`
	Flaky    int      `json:"flaky"`
	Changed  int      `json:"changed"`
	Warnings []string `json:"warnings,omitempty"`
}

// HistoryRun is one run of a history.
type HistoryRun struct {
	Source      string        `json:"source,omitempty"` // the folder it was read from
	Report      string        `json:"report,omitempty"` // its report.html relative to the history's folder
	Started     time.Time     `json:"started"`
	Duration    time.Duration `json:"durationNs"`
	Calls       int64         `json:"calls,omitempty"`
	Starts      int           `json:"starts,omitempty"`
	Status      string        `json:"status"`
	ExitCode    int           `json:"exitCode"`
	Totals      Totals        `json:"totals"`
	ToolVersion string        `json:"toolVersion,omitempty"`
	ModelSHA256 string        `json:"modelSha256,omitempty"`
	Interrupted bool          `json:"interrupted,omitempty"`
}

// HistoryCheck is one check over the runs of a history.
type HistoryCheck struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	Level string `json:"level,omitempty"`
	// Outcomes has one entry per run, in the runs' order: "" where the run did not
	// have the check.
	Outcomes []Outcome `json:"outcomes"`
	Now      Outcome   `json:"now,omitempty"` // the newest run's outcome
	Message  string    `json:"message,omitempty"`
	// Class is the newest run against the run before it (Classify; the same classes
	// as --baseline, no-longer-judged and newly-judged included).
	Class Class `json:"class,omitempty"`
	// LastPassed is the newest run in which the check passed (or drifted, which the
	// model allows); nil when it never did in these runs.
	LastPassed *time.Time `json:"lastPassed,omitempty"`
	// FailingSince is when the current failure began: the first run of the newest
	// stretch of failures (runs in which the check could not be judged do not end a
	// stretch: they cannot show the failure is gone). Nil when it does not fail now.
	FailingSince *time.Time `json:"failingSince,omitempty"`
	// FailingRuns counts the runs of that stretch that failed.
	FailingRuns int `json:"failingRuns,omitempty"`
	// Flips counts the changes of outcome between consecutive runs that have the
	// check; Flaky is two or more (it went and came back).
	Flips int  `json:"flips"`
	Flaky bool `json:"flaky,omitempty"`
}

// HistoryInput is one run of a history and where it came from.
type HistoryInput struct {
	Run    *Run
	Source string
	Report string
}

// NewHistory orders the runs by start time (then by source) and follows every check
// through them. Runs of another target than the newest are kept, with a warning.
func NewHistory(inputs []HistoryInput, tool Tool) *History {
	in := append([]HistoryInput(nil), inputs...)
	sort.SliceStable(in, func(i, j int) bool {
		if !in[i].Run.Started.Equal(in[j].Run.Started) {
			return in[i].Run.Started.Before(in[j].Run.Started)
		}
		return in[i].Source < in[j].Source
	})
	h := &History{SchemaVersion: HistorySchemaVersion, Tool: tool, Runs: []HistoryRun{}, Checks: []HistoryCheck{}}
	if len(in) == 0 {
		return h
	}
	newest := in[len(in)-1].Run
	h.Target, h.Label = newest.Target, TargetLabel(newest.Target)
	for _, x := range in {
		r := x.Run
		Finalize(r)
		hr := HistoryRun{Source: x.Source, Report: x.Report, Started: r.Started, Duration: r.Duration, Calls: callsOf(r),
			Starts: r.Starts, ExitCode: ExitCode(r), Totals: ComputeTotals(r.Checks), ToolVersion: r.Tool.Version,
			ModelSHA256: r.Model.SHA256, Interrupted: r.Interrupted}
		hr.Status, _ = VerdictStatus(r)
		h.Runs = append(h.Runs, hr)
		if t := r.Target; t.TargetKind != newest.Target.TargetKind || t.Region != newest.Target.Region || t.Project != newest.Target.Project || t.Name != newest.Target.Name {
			h.Warnings = append(h.Warnings, fmt.Sprintf("the run of %s (%s) is of another target than the newest (%s): a history follows one target; its outcomes may differ for that reason",
				r.Started.UTC().Format(time.RFC3339), TargetLabel(t), h.Label))
		}
	}
	byID := map[string]*HistoryCheck{}
	var ids []string
	for i, x := range in {
		for _, c := range x.Run.Checks {
			hc := byID[c.ID]
			if hc == nil {
				hc = &HistoryCheck{ID: c.ID, Outcomes: make([]Outcome, len(in))}
				byID[c.ID] = hc
				ids = append(ids, c.ID)
			}
			hc.Title, hc.Level = c.Title, c.Level // the newest run's words
			hc.Outcomes[i] = c.Outcome
			if i == len(in)-1 {
				hc.Message = OneLine(c.Message, 300)
			}
		}
	}
	for _, id := range ids {
		hc := byID[id]
		follow(hc, h.Runs)
		h.Checks = append(h.Checks, *hc)
		if hc.FailingSince != nil {
			h.Failing++
		}
		if hc.Flaky && hc.FailingSince == nil {
			h.Flaky++
		}
		if changed(hc.Class) {
			h.Changed++
		}
	}
	sort.SliceStable(h.Checks, func(i, j int) bool {
		a, b := h.Checks[i], h.Checks[j]
		if ga, gb := historyGroup(a), historyGroup(b); ga != gb {
			return ga < gb
		}
		if a.FailingSince != nil && b.FailingSince != nil && !a.FailingSince.Equal(*b.FailingSince) {
			return a.FailingSince.Before(*b.FailingSince)
		}
		return a.ID < b.ID
	})
	return h
}

// follow computes a check's last pass, its failing stretch, its flips and the newest
// run's class.
func follow(hc *HistoryCheck, runs []HistoryRun) {
	last := len(runs) - 1
	hc.Now = hc.Outcomes[last]
	var prev Outcome
	havePrev := false
	for i, o := range hc.Outcomes {
		if o == "" {
			continue
		}
		if o == Pass || o == Drift {
			t := runs[i].Started
			hc.LastPassed = &t
		}
		if havePrev && o != prev {
			hc.Flips++
		}
		prev, havePrev = o, true
	}
	hc.Flaky = hc.Flips >= 2
	if hc.Now == Fail {
		for i := last; i >= 0; i-- {
			o := hc.Outcomes[i]
			if o == Fail {
				t := runs[i].Started
				hc.FailingSince = &t
				hc.FailingRuns++
				continue
			}
			if o == Pass || o == Drift {
				break
			}
		}
	}
	if last > 0 {
		switch before := hc.Outcomes[last-1]; {
		case hc.Now != "":
			hc.Class = Classify(before, before != "", hc.Now, false)
		case before != "":
			hc.Class = RemovedCheck
		}
	}
}

// historyGroup: 0 failing now, 1 flaky, 2 changed by the newest run, 3 the rest.
func historyGroup(c HistoryCheck) int {
	switch {
	case c.FailingSince != nil:
		return 0
	case c.Flaky:
		return 1
	case changed(c.Class):
		return 2
	}
	return 3
}

// changed reports whether a class says the newest run changed something: not
// unchanged, and not a failure that was there the run before (still failing, known).
func changed(c Class) bool {
	return c != "" && c != Unchanged && c != StillFailing && c != KnownFailure
}

// Verdict is the history's one line: the newest run's status and what the history
// adds to it.
func (h *History) Verdict() string {
	if len(h.Runs) == 0 {
		return "no runs"
	}
	first, last := h.Runs[0], h.Runs[len(h.Runs)-1]
	return fmt.Sprintf("%d run(s) of %s from %s to %s; the newest is %s: %d check(s) failing, %d flaky, %d changed since the run before",
		len(h.Runs), h.Label, first.Started.UTC().Format(time.DateOnly), last.Started.UTC().Format(time.DateOnly), last.Status, h.Failing, h.Flaky, h.Changed)
}

// Redact replaces secrets and account ids in every text of the history.
func (h *History) Redact(r *Redactor) { redactValue(r, h) }
