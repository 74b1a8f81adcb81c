package reports

import (
	"regexp"
	"sort"
	"strings"
)

// CauseNotApplicable starts the ID of a cause that decides the checks a target kind can
// never support ("not-applicable/control": real DMS, and any endpoint that is not a
// dmsconform emulator, never has its control surface). Those checks are coverage: every
// report lists them apart (NotApplicable), skipped with the reason, and they do not
// make a run PARTIAL, since nothing the user could configure would judge them there.
const CauseNotApplicable = "not-applicable/"

// IsNotApplicable reports whether a check was decided by a not-applicable cause.
func IsNotApplicable(c Check) bool { return strings.HasPrefix(c.Cause, CauseNotApplicable) }

// MustUnjudged lists the MUST checks of a run that could not be judged for a reason
// the user could change: unimplemented by the target, or skipped for a cause (a
// capability the target lacks but could offer, evidence that could not be observed).
// They make a run without failures PARTIAL, and summary.md lists exactly these, so the
// count in the verdict and the list agree. A MUST check its own judge skipped because
// what it judges never arose is not among them, nor a check not applicable to the
// target kind (NotApplicable).
func MustUnjudged(run *Run) []Check {
	var out []Check
	for _, c := range run.Checks {
		if c.Level == "MUST" && (c.Outcome == Unimplemented || c.Outcome == Skipped && c.Cause != "" && !IsNotApplicable(c)) {
			out = append(out, c)
		}
	}
	return out
}

// NotApplicable groups the checks the run's target kind can never support, by cause,
// the largest group first: the coverage section of every report.
func NotApplicable(run *Run) []UnjudgedGroup {
	return groupByCause(run, checksWith(run, func(c Check) bool { return c.Outcome == Skipped && IsNotApplicable(c) }))
}

// CauseNeeds starts the ID of a cause that decides the checks needing something the
// run was not given and the user could supply (a denied principal, a failing project,
// Start inputs): its title names the flag.
const CauseNeeds = "needs/"

var flagRe = regexp.MustCompile(`--[a-z][a-z-]+[a-z]`)

// suppliable lists the flags the titles of the run's needs/ causes name, and how many
// MUST checks not judged those causes decided: what would judge them.
func suppliable(run *Run) (flags []string, n int) {
	titles := map[string]string{}
	for _, c := range run.Causes {
		titles[c.ID] = c.Title
	}
	seen := map[string]bool{}
	for _, c := range MustUnjudged(run) {
		if !strings.HasPrefix(c.Cause, CauseNeeds) {
			continue
		}
		n++
		for _, f := range flagRe.FindAllString(titles[c.Cause], -1) {
			if !seen[f] {
				seen[f] = true
				flags = append(flags, f)
			}
		}
	}
	return flags, n
}

// Coverage is one group of checks the target kind can never support, as report.json
// lists them (Run.NotApplicable): the cause, its title (what the checks need and why
// this target never has it) and the checks.
type Coverage struct {
	Cause  string   `json:"cause"`
	Title  string   `json:"title"`
	Checks []string `json:"checks"`
}

// coverageOf is the run's NotApplicable groups as report.json lists them.
func coverageOf(run *Run) []Coverage {
	var out []Coverage
	for _, g := range NotApplicable(run) {
		out = append(out, Coverage{Cause: g.Cause, Title: g.Title, Checks: g.IDs})
	}
	return out
}

// notApplicableCount is how many checks the target kind can never support.
func notApplicableCount(run *Run) int {
	n := 0
	for _, g := range NotApplicable(run) {
		n += len(g.IDs)
	}
	return n
}

// UnjudgedGroup is the MUST checks not judged for one reason: a cause, or (for a
// check no cause decided) its outcome.
type UnjudgedGroup struct {
	Outcome Outcome
	Cause   string // the cause's ID, "" when none decided the checks
	Title   string // the cause's title, or the first check's message
	IDs     []string
}

// MustUnjudgedGroups groups MustUnjudged by what decided them, the largest group
// first; their IDs add up to MustUnjudged's count.
func MustUnjudgedGroups(run *Run) []UnjudgedGroup { return groupByCause(run, MustUnjudged(run)) }

// groupByCause groups checks by what decided them, the largest group first.
func groupByCause(run *Run, checks []Check) []UnjudgedGroup {
	titles := map[string]string{}
	for _, c := range run.Causes {
		if _, ok := titles[c.ID]; !ok {
			titles[c.ID] = c.Title
		}
	}
	var out []UnjudgedGroup
	at := map[string]int{}
	for _, c := range checks {
		key := string(c.Outcome) + "\x00" + c.Cause
		i, ok := at[key]
		if !ok {
			title := titles[c.Cause]
			if title == "" {
				title = OneLine(c.Message, 200)
			}
			i = len(out)
			at[key] = i
			out = append(out, UnjudgedGroup{Outcome: c.Outcome, Cause: c.Cause, Title: title})
		}
		out[i].IDs = append(out[i].IDs, c.ID)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].IDs) > len(out[j].IDs) })
	return out
}
