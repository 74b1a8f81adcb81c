package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
)

// Verdict is a judge's decision: an outcome, why, and the samples that show it.
type Verdict struct {
	Outcome reports.Outcome
	Message string
	Samples []*Sample
	// Cause is set when a shared root cause decided the outcome (an operation the
	// target does not implement, evidence that could not be gathered): the run reports
	// it once.
	Cause *Cause
}

// Cause is a root cause shared by checks: the one cause type of the engine, and what a
// recording stores of it (ScriptRecord.Cause, as it is). A report says it as a
// reports.Cause (Reported): its samples' exchanges, redacted, and how many checks it
// decided.
type Cause struct {
	ID      string          `json:"id"` // stable: "unimplemented/<Operation>", "<family>/<script>", "interrupted"
	Outcome reports.Outcome `json:"outcome"`
	Title   string          `json:"title"` // one line
	Message string          `json:"message,omitempty"`
	Samples []*Sample       `json:"samples,omitempty"`
}

func (c *Cause) Error() string { return c.Title }

// Reported is the cause as a report says it (reports.Cause), before it counts the
// checks it decided.
func (c *Cause) Reported() reports.Cause {
	return reports.Cause{ID: c.ID, Outcome: c.Outcome, Title: c.Title, Message: c.Message, Exchanges: exchangesOf(c.Samples)}
}

// Pass is a passing verdict showing samples.
func Pass(samples ...*Sample) Verdict { return Verdict{Outcome: reports.Pass, Samples: samples} }

// Failf is a failing verdict: the target does not conform.
func Failf(samples []*Sample, format string, args ...any) Verdict {
	return Verdict{Outcome: reports.Fail, Message: fmt.Sprintf(format, args...), Samples: samples}
}

// Skipf is a skipped verdict: the evidence holds nothing to judge, with the reason.
func Skipf(samples []*Sample, format string, args ...any) Verdict {
	return Verdict{Outcome: reports.Skipped, Message: fmt.Sprintf(format, args...), Samples: samples}
}

// Errorf is an error verdict: the harness could not judge (a broken canned value, an
// internal inconsistency); never a failure of the target.
func Errorf(format string, args ...any) Verdict {
	return Verdict{Outcome: reports.Error, Message: fmt.Sprintf(format, args...)}
}

// By is the verdict a cause decides: its outcome, and a message that names it ("blocked
// by: <title>"; an unimplemented operation's title says it all).
func By(c *Cause) Verdict {
	msg := "blocked by: " + c.Title
	if c.Outcome == "unimplemented" {
		msg = c.Title
	}
	return Verdict{Outcome: c.Outcome, Message: msg, Cause: c}
}

// Judgement accumulates what a judge found across many samples: problems (failures),
// drift, and the samples worth showing (each once).
type Judgement struct {
	problems []string
	drifts   []string
	samples  []*Sample
	seen     map[*Sample]bool
}

// Show adds samples to the transcript (each sample once).
func (j *Judgement) Show(samples ...*Sample) {
	if j.seen == nil {
		j.seen = map[*Sample]bool{}
	}
	for _, s := range samples {
		if s != nil && !j.seen[s] {
			j.seen[s] = true
			j.samples = append(j.samples, s)
		}
	}
}

// Problem records a failure and shows the sample.
func (j *Judgement) Problem(s *Sample, format string, args ...any) {
	j.problems = append(j.problems, fmt.Sprintf(format, args...))
	j.Show(s)
}

// Drift records something allowed by open semantics but worth a look.
func (j *Judgement) Drift(s *Sample, format string, args ...any) {
	j.drifts = append(j.drifts, fmt.Sprintf(format, args...))
	j.Show(s)
}

// Problems is how many problems were found.
func (j *Judgement) Problems() int { return len(j.problems) }

// Verdict is fail (with header and the problems) when there are problems, drift
// when there is drift, pass otherwise. fallback is shown when nothing else was.
func (j *Judgement) Verdict(header string, fallback ...*Sample) Verdict {
	if len(j.samples) == 0 {
		j.Show(fallback...)
	}
	switch {
	case len(j.problems) > 0:
		return Verdict{Outcome: reports.Fail, Message: header + ":\n- " + strings.Join(listed(j.problems), "\n- "), Samples: j.samples}
	case len(j.drifts) > 0:
		return Verdict{Outcome: reports.Drift, Message: strings.Join(listed(j.drifts), "\n"), Samples: j.samples}
	}
	return Verdict{Outcome: reports.Pass, Samples: j.samples}
}

// listed sorts and de-duplicates lines and keeps the first ten.
func listed(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("... and %d more", len(out)-10))
	}
	return out
}
