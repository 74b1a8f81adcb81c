package reports

import (
	"sort"
	"time"
)

// Classes lists every class in report order.
var Classes = []Class{NewFailure, Fixed, StillFailing, NewDrift, NoLongerJudged, NewlyJudged, NewCheck, KnownFailure, RemovedCheck, Unchanged}

// notEvaluated outcomes say nothing about conformance: the check did not get an answer
// from the target it could judge.
func notEvaluated(o Outcome) bool {
	return o == Error || o == Skipped || o == Unimplemented
}

// Classify decides the class of one check from its outcome in the baseline (before;
// inBaseline false when the check is new) and now (after), and whether an unexpired
// known deviation covers it. The rules, in order:
//
//   - fail now and covered by a known deviation: known.
//   - not in the baseline: fail → new-failure; anything else → new-check.
//   - fail now: fail before → still-failing; anything else (pass, drift, skipped,
//     unimplemented, error) → new-failure. An error before hid the answer, so nothing
//     in the baseline vouches for this failure.
//   - fail before, now pass or drift → fixed (drift is allowed by the model).
//   - fail before, now error, skipped or unimplemented → still-failing: a check that
//     did not run cannot show the failure is gone (and it is no regression either).
//   - drift now, not drift before → new-drift (also after an error, skip or
//     unimplemented: the drift is new information).
//   - pass or drift before, now error, skipped or unimplemented → no-longer-judged:
//     the target lost coverage (an emulator change that turns passing checks into
//     skips must not read "unchanged"). Never a regression: it does not make a run
//     exit 1, since an error or a skip proves no violation.
//   - error, skipped or unimplemented before, now pass → newly-judged (recovering
//     from an error fixes no failure, but the check is judged again).
//   - everything else → unchanged (pass→pass, and a check that stays unjudged, e.g.
//     skipped→error).
func Classify(before Outcome, inBaseline bool, after Outcome, known bool) Class {
	switch {
	case after == Fail && known:
		return KnownFailure
	case !inBaseline && after == Fail:
		return NewFailure
	case !inBaseline:
		return NewCheck
	case after == Fail && before == Fail:
		return StillFailing
	case after == Fail:
		return NewFailure
	case before == Fail && (after == Pass || after == Drift):
		return Fixed
	case before == Fail && notEvaluated(after):
		return StillFailing
	case after == Drift && before != Drift:
		return NewDrift
	case !notEvaluated(before) && notEvaluated(after):
		return NoLongerJudged
	case notEvaluated(before) && after == Pass:
		return NewlyJudged
	}
	return Unchanged
}

// Judged reports whether an outcome is a judgement of the target's answer (pass,
// fail, drift); skipped, unimplemented and error are not.
func Judged(o Outcome) bool {
	return o == Pass || o == Fail || o == Drift
}

// Compare classifies every check of current against baseline (see Classify), after
// applying the known deviations to current (ApplyKnown, so Check.Known and
// current.Warnings are set). It sets Check.Class on every check of current and
// current.Baseline to the result. Checks only in the baseline are listed as removed.
// baseline may be nil: then every check is new (new-check or new-failure).
func Compare(baseline, current *Run, known []KnownDeviation, now time.Time) *Comparison {
	cmp := &Comparison{Counts: map[Class]int{}, Entries: []ComparisonEntry{}}
	for _, c := range Classes {
		cmp.Counts[c] = 0
	}
	if current == nil {
		return cmp
	}
	ApplyKnown(current, known, now)
	before := map[string]Outcome{}
	if baseline != nil {
		cmp.BaselineStarted = baseline.Started
		cmp.BaselineTarget = baseline.Target
		for _, c := range baseline.Checks {
			before[c.ID] = c.Outcome
		}
	}
	seen := map[string]bool{}
	for i := range current.Checks {
		c := &current.Checks[i]
		seen[c.ID] = true
		b, ok := before[c.ID]
		c.Class = Classify(b, ok, c.Outcome, c.Known != nil)
		cmp.Counts[c.Class]++
		if c.Class != Unchanged {
			cmp.Entries = append(cmp.Entries, ComparisonEntry{ID: c.ID, Class: c.Class, Before: b, After: c.Outcome})
		}
	}
	if baseline != nil {
		for _, c := range baseline.Checks {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			cmp.Counts[RemovedCheck]++
			cmp.Entries = append(cmp.Entries, ComparisonEntry{ID: c.ID, Class: RemovedCheck, Before: c.Outcome})
		}
	}
	sort.SliceStable(cmp.Entries, func(i, j int) bool { return cmp.Entries[i].ID < cmp.Entries[j].ID })
	current.Baseline = cmp
	return cmp
}

// HasNewFailures reports whether any check is a new failure (the only class that
// makes a run with a baseline exit non-zero).
func (c *Comparison) HasNewFailures() bool {
	return c != nil && c.Counts[NewFailure] > 0
}

// EntriesOf returns the entries of one class, sorted by ID.
func (c *Comparison) EntriesOf(class Class) []ComparisonEntry {
	if c == nil {
		return nil
	}
	var out []ComparisonEntry
	for _, e := range c.Entries {
		if e.Class == class {
			out = append(out, e)
		}
	}
	return out
}
