package reports

// The verdict rules for levels (DESIGN.md): only a MUST failure is non-conformance
// (exit 1, verdict FAIL). A SHOULD that fails is unmet: every writer lists it, none
// hides it, and it changes neither the exit code nor the verdict unless the run is
// strict (--strict), which counts it as a failure. A check without a level (an older
// report) counts as a MUST.

// counts reports whether a failing check counts toward the verdict and the exit code.
func counts(c Check, strict bool) bool {
	return c.Outcome == Fail && c.Known == nil && (c.Level != "SHOULD" || strict)
}

// Unmet reports whether a check is an unmet SHOULD: a SHOULD that failed, not covered
// by a known deviation.
func Unmet(c Check) bool { return c.Level == "SHOULD" && c.Outcome == Fail && c.Known == nil }

// UnmetShoulds returns the run's unmet SHOULDs, in the run's order.
func UnmetShoulds(run *Run) []Check {
	if run == nil {
		return nil
	}
	return checksWith(run, Unmet)
}

// NewConformanceFailures counts the baseline's new failures that count (MUST, or any
// level with Strict): with a baseline, only these make a run FAIL (exit 1).
func NewConformanceFailures(run *Run) int {
	if run == nil || run.Baseline == nil {
		return 0
	}
	byID := map[string]Check{}
	for _, c := range run.Checks {
		byID[c.ID] = c
	}
	n := 0
	for _, e := range run.Baseline.Entries {
		if c, ok := byID[e.ID]; e.Class == NewFailure && (!ok || counts(c, run.Strict)) {
			n++
		}
	}
	return n
}

// levelWords says how a check's failure counts, for the writers: "" for a MUST,
// "SHOULD, unmet" or "SHOULD, counted by --strict".
func levelWords(c Check, strict bool) string {
	if !Unmet(c) {
		return ""
	}
	if strict {
		return "SHOULD, counted by --strict"
	}
	return "SHOULD, unmet: not counted toward the verdict (--strict counts it)"
}
