package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
)

// Limits of summary.md: GitHub caps a step summary at 1 MiB, and a wall of messages
// helps nobody; report.html has everything.
const (
	mdMaxListed  = 50  // checks listed per section
	mdMaxMessage = 600 // characters of a failure message
)

// Verdict is the one-line result of a run with a status icon (for Markdown); see
// VerdictStatus for the parts without the icon.
func Verdict(run *Run) string {
	status, text := VerdictStatus(run)
	icon := map[string]string{"PASS": "✅", "FAIL": "❌", "ERROR": "⚠️", "PARTIAL": "🟡"}[status]
	return icon + " " + status + ": " + text
}

// VerdictStatus is the result of a run: a status and one line of text. The status is
// FAIL when a MUST check fails that no known deviation covers (or, with a baseline,
// when there are new MUST failures); an unmet SHOULD is said in the text and counts
// only with Run.Strict (--strict); ERROR when nothing failed but the harness or the
// infrastructure broke (an error outcome); PARTIAL when nothing failed or broke but
// MUST checks could not be judged: unimplemented, or skipped for a cause (a capability
// the target lacks, evidence that could not be observed), so a target that implements
// nothing, or a filter whose checks could not be observed, is never shown as passing;
// otherwise PASS. A MUST check skipped by its own judge because what it judges never
// arose (no failed request carried an Error) leaves a run PASS. An interrupted run
// says so.
func VerdictStatus(run *Run) (status, text string) {
	fails := ConformanceExitFailures(run)
	t := ComputeTotals(run.Checks)
	total := len(run.Checks)
	target := TargetLabel(run.Target)
	extra := ""
	if n := t[Error]; n > 0 {
		extra += fmt.Sprintf(", %d error(s)", n)
	}
	if n := t[Drift]; n > 0 {
		extra += fmt.Sprintf(", %d drift", n)
	}
	na := notApplicableCount(run)
	if n := t[Skipped] - na; n > 0 {
		extra += fmt.Sprintf(", %d skipped", n)
	}
	if na > 0 {
		extra += fmt.Sprintf(", %d not applicable here", na)
	}
	if n := t[Unimplemented]; n > 0 {
		extra += fmt.Sprintf(", %d unimplemented", n)
	}
	if n := len(UnmetShoulds(run)); n > 0 {
		if run.Strict {
			extra += fmt.Sprintf(", %d SHOULD unmet (counted: --strict)", n)
		} else {
			extra += fmt.Sprintf(", %d SHOULD unmet (not counted; --strict counts them)", n)
		}
	}
	judged := extra // what the ERROR of an interrupted run adds: it says "interrupted" itself
	if run.Interrupted {
		extra += ", interrupted: the checks not judged are skipped"
	}
	unjudged := MustUnjudged(run)
	mustUnjudged, mustUnimplemented := len(unjudged), 0
	for _, c := range unjudged {
		if c.Outcome == Unimplemented {
			mustUnimplemented++
		}
	}
	if b := run.Baseline; b != nil {
		if n := NewConformanceFailures(run); n > 0 {
			return "FAIL", fmt.Sprintf("%d new failure(s) against the baseline (%d failing in all) on %s%s", n, t[Fail], target, extra)
		}
		return "PASS", fmt.Sprintf("no new failures against the baseline on %s (%d of %d checks failing, %d fixed%s)%s", target, t[Fail], total, b.Counts[Fixed], coverageChange(b), extra)
	}
	switch {
	case fails > 0:
		return "FAIL", fmt.Sprintf("%d of %d checks fail on %s%s", fails, total, target, extra)
	case t[Error] > 0 || run.Interrupted:
		if t[Error] == 0 {
			return "ERROR", fmt.Sprintf("no check failed, but the run on %s was interrupted (the checks not judged are skipped)%s", target, judged)
		}
		return "ERROR", fmt.Sprintf("no check failed, but the harness or the infrastructure broke on %s%s", target, extra)
	case mustUnjudged > 0:
		supply := ""
		if flags, n := suppliable(run); n > 0 && len(flags) > 0 {
			supply = fmt.Sprintf("; %d of them need what you could supply (%s)", n, strings.Join(flags, ", "))
		}
		return "PARTIAL", fmt.Sprintf("no check failed on %s, but %d MUST check(s) could not be judged (%d unimplemented, %d skipped for a cause)%s; %d of %d pass%s", target, mustUnjudged, mustUnimplemented, mustUnjudged-mustUnimplemented, supply, t[Pass], total, extra)
	}
	return "PASS", fmt.Sprintf("%d of %d checks pass on %s%s", t[Pass], total, target, extra)
}

// WriteMarkdown writes summary.md for a CI step summary: verdict (and a line when the
// run was interrupted), what the run cost, totals, the causes (each once, with the
// number of checks it decided; those checks are not listed one by one), failures with
// their (truncated) messages, harness errors, drift, baseline changes, warnings, and a
// pointer to report.html. One-line messages are OneLine's form.
func WriteMarkdown(w io.Writer, run *Run) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### dmsconform: %s\n\n", Verdict(run))
	causes := causeViews(run)
	writeMDInterrupted(&b, run, causes)
	fmt.Fprintf(&b, "Target **%s** · model %s (sha256 `%s`) · %s %s · started %s · took %s\n\n",
		mdEscape(TargetLabel(run.Target)), mdEscape(orDefault(run.Model.Version, "?")), short(run.Model.SHA256, 12),
		mdEscape(orDefault(run.Tool.Name, "dmsconform")), mdEscape(run.Tool.Version), run.Started.UTC().Format(time.RFC3339), run.Duration.Round(time.Millisecond))
	if cost := mdCost(run); cost != "" {
		b.WriteString(cost + "\n\n")
	}
	t := ComputeTotals(run.Checks)
	b.WriteString("| outcome | checks |\n|---|---:|\n")
	for _, o := range Outcomes {
		fmt.Fprintf(&b, "| %s %s | %d |\n", outcomeIcon(o), o, t[o])
	}
	fmt.Fprintf(&b, "| **total** | **%d** |\n\n", len(run.Checks))

	writeMDCauses(&b, causes)
	writeMDUnjudged(&b, run)
	if groups := NotApplicable(run); len(groups) > 0 {
		fmt.Fprintf(&b, "#### Not applicable here (%d)\n\nCoverage: checks this kind of target can never support. They are skipped with the reason and count neither as failures nor toward PARTIAL.\n\n", notApplicableCount(run))
		for _, g := range groups {
			fmt.Fprintf(&b, "- ⚪ **%d** check(s): %s (cause `%s`)\n", len(g.IDs), mdEscape(OneLine(g.Title, 300)), mdCode(g.Cause))
		}
		b.WriteString("\n")
	}
	writeMDRequests(&b, run)
	if len(run.Warnings) > 0 {
		b.WriteString("#### Warnings\n\n")
		for _, wn := range run.Warnings {
			fmt.Fprintf(&b, "- ⚠️ %s\n", mdEscape(wn))
		}
		b.WriteString("\n")
	}
	writeMDBaseline(&b, run.Baseline)
	failing := checksWith(run, func(c Check) bool { return counts(c, run.Strict) })
	writeMDChecks(&b, "Failures", failing, true)
	if !run.Strict {
		writeMDChecks(&b, "Unmet SHOULDs (not counted toward the verdict; --strict counts them)", UnmetShoulds(run), true)
	}
	writeMDChecks(&b, "Harness errors", checksWith(run, func(c Check) bool { return c.Outcome == Error && c.Cause == "" }), true)
	writeMDChecks(&b, "Known deviations (expected failures)", checksWith(run, func(c Check) bool { return c.Outcome == Fail && c.Known != nil }), false)
	writeMDChecks(&b, "Drift", checksWith(run, func(c Check) bool { return c.Outcome == Drift }), false)
	writeMDMatrix(&b, run.Matrix)
	b.WriteString("Full report with request/response transcripts: `report.html` in the report folder (upload it as a build artifact); machine-readable: `report.json`, `junit.xml`.\n")
	// Text a target sent (a request id, a message) may hold escape sequences: shown
	// escaped, like everything else that is not printable.
	_, err := io.WriteString(w, Printable(b.String()))
	return err
}

// writeMDInterrupted says that a signal ended the run early, and what it left unjudged.
func writeMDInterrupted(b *strings.Builder, run *Run, causes []*htmlCause) {
	if !run.Interrupted {
		return
	}
	notRun := 0
	for _, c := range causes {
		if c.ID == CauseInterrupted {
			notRun = c.Count
		}
	}
	if notRun > 0 {
		fmt.Fprintf(b, "> ⏹️ **Interrupted**: a signal ended the run early; %d check(s) were not run and are listed as skipped (cause `%s`). The verdict covers only what ran.\n\n", notRun, CauseInterrupted)
	} else {
		b.WriteString("> ⏹️ **Interrupted**: a signal ended the run early; every check was judged, but clean-up or reports may be incomplete.\n\n")
	}
}

// writeMDCauses lists the causes that decided checks at once (not-applicable ones are
// coverage, listed apart).
func writeMDCauses(b *strings.Builder, causes []*htmlCause) {
	causes = slices.DeleteFunc(causes, func(c *htmlCause) bool { return strings.HasPrefix(c.ID, CauseNotApplicable) })
	if len(causes) == 0 {
		return
	}
	fmt.Fprintf(b, "#### Causes (%d)\n\nEach decided one or more checks at once; those checks are not listed one by one here (report.html links each to its cause).\n\n", len(causes))
	for i, c := range causes {
		if i == mdMaxListed {
			fmt.Fprintf(b, "- … and %d more (see report.html)\n", len(causes)-i)
			break
		}
		fmt.Fprintf(b, "- %s **%s** · %d check(s): %s (`%s`)", outcomeIcon(c.Outcome), c.Outcome, c.Count, mdEscape(OneLine(c.Title, 300)), mdCode(c.ID))
		if m := OneLine(c.Message, 200); m != "" {
			fmt.Fprintf(b, " — %s", mdEscape(m))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// writeMDBaseline writes the comparison with the baseline: the count per class, then
// the checks of the classes that matter.
func writeMDBaseline(b *strings.Builder, cmp *Comparison) {
	if cmp == nil {
		return
	}
	fmt.Fprintf(b, "#### Against the baseline (%s, started %s)\n\n", mdEscape(TargetLabel(cmp.BaselineTarget)), cmp.BaselineStarted.UTC().Format(time.RFC3339))
	b.WriteString("| class | checks |\n|---|---:|\n")
	for _, c := range Classes {
		if c == Unchanged || cmp.Counts[c] > 0 {
			fmt.Fprintf(b, "| %s | %d |\n", c, cmp.Counts[c])
		}
	}
	b.WriteString("\n")
	for _, sec := range []struct {
		class Class
		title string
	}{{NewFailure, "New failures"}, {Fixed, "Fixed"}, {NewDrift, "New drift"}, {NoLongerJudged, "No longer judged (passed in the baseline, now skipped, unimplemented or an error)"},
		{NewlyJudged, "Newly judged (not judged in the baseline, now pass)"}, {RemovedCheck, "Removed checks"}} {
		es := cmp.EntriesOf(sec.class)
		if len(es) == 0 {
			continue
		}
		fmt.Fprintf(b, "**%s (%d)**\n\n", sec.title, len(es))
		for i, e := range es {
			if i == mdMaxListed {
				fmt.Fprintf(b, "- … and %d more (see report.html)\n", len(es)-i)
				break
			}
			fmt.Fprintf(b, "- `%s` %s → %s\n", e.ID, orDefault(string(e.Before), "(new)"), orDefault(string(e.After), "(gone)"))
		}
		b.WriteString("\n")
	}
}

// writeMDMatrix writes a mutation run's kill matrix: the rate, the proofs, and what
// survived, failed falsely or is unproven.
func writeMDMatrix(b *strings.Builder, m *KillMatrix) {
	if m == nil {
		return
	}
	fmt.Fprintf(b, "#### Kill matrix\n\nKill rate **%.0f%%** (%d modes); false positives: %d\n\n", m.KillRate*100, len(m.Modes), len(m.FalsePositives))
	writeMDProofs(b, m)
	for _, mode := range m.Modes {
		if len(m.Killed[mode]) == 0 {
			fmt.Fprintf(b, "- survived: `%s`\n", mode)
		}
	}
	for _, id := range m.FalsePositives {
		fmt.Fprintf(b, "- false positive: `%s`\n", id)
	}
	for _, p := range m.Proofs {
		switch p.Status() {
		case ProofUnproven:
			fmt.Fprintf(b, "- unproven (no defect mode makes it fail, and its kind does not say why none can): `%s`\n", p.ID)
		case ProofStale:
			fmt.Fprintf(b, "- declared proven by its table tests only, yet killed by %s: `%s`\n", strings.Join(p.KilledBy, ", "), p.ID)
		}
	}
	b.WriteString("\n")
}

// writeMDProofs writes the proof coverage of a mutation run: the catalog's, then per
// check kind.
func writeMDProofs(b *strings.Builder, m *KillMatrix) {
	if len(m.Proofs) == 0 {
		return
	}
	c := m.Coverage
	fmt.Fprintf(b, "Checks: **%d** killed by a defect mode, **%d** proven by their table tests only, **%d** unproven", c.Killed, c.TableTestsOnly, c.Unproven)
	if c.Stale > 0 {
		fmt.Fprintf(b, ", **%d** declared table-tests-only yet killed", c.Stale)
	}
	if c.NotJudged > 0 {
		fmt.Fprintf(b, ", **%d** not judged in this build (the defect-free run skipped them for a cause)", c.NotJudged)
	}
	fmt.Fprintf(b, ", of %d\n\n", c.Checks)
	b.WriteString("| check kind | checks | killed | table tests only | unproven |\n|---|---:|---:|---|---:|\n")
	for _, k := range m.Kinds {
		tt := "–"
		if k.TableTestsOnly > 0 {
			tt = fmt.Sprintf("%d: %s", k.TableTestsOnly, mdEscape(k.Reason))
		}
		fmt.Fprintf(b, "| `%s` | %d | %d | %s | %d |\n", k.Kind, k.Checks, k.Killed, tt, k.Unproven+k.Stale)
	}
	b.WriteString("\n")
}

// writeMDUnjudged lists, for a PARTIAL run, the MUST checks that could not be judged
// (what makes it PARTIAL), grouped by what decided them, with how many each; the
// heading's count is the verdict's. Checks a cause decided are counted under it, not
// listed one by one.
func writeMDUnjudged(b *strings.Builder, run *Run) {
	if status, _ := VerdictStatus(run); status != "PARTIAL" {
		return // a failing or broken run's causes say the same, and its verdict counts no such checks
	}
	groups := MustUnjudgedGroups(run)
	if len(groups) == 0 {
		return
	}
	n := 0
	for _, g := range groups {
		n += len(g.IDs)
	}
	fmt.Fprintf(b, "#### MUST checks not judged (%d)\n\n", n)
	for _, g := range groups {
		fmt.Fprintf(b, "- %s **%d** %s: %s", outcomeIcon(g.Outcome), len(g.IDs), g.Outcome, mdEscape(OneLine(g.Title, 200)))
		if g.Cause != "" { // its checks are not listed one by one (report.html links them)
			fmt.Fprintf(b, " (cause `%s`)\n", mdCode(g.Cause))
			continue
		}
		b.WriteString(":")
		for i, id := range g.IDs {
			if i == 20 {
				fmt.Fprintf(b, " … and %d more", len(g.IDs)-i)
				break
			}
			fmt.Fprintf(b, " `%s`", mdCode(id))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func writeMDChecks(b *strings.Builder, title string, cs []Check, withMessage bool) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(b, "#### %s (%d)\n\n", title, len(cs))
	for i, c := range cs {
		if i == mdMaxListed {
			fmt.Fprintf(b, "- … and %d more (see report.html)\n", len(cs)-i)
			break
		}
		fmt.Fprintf(b, "- `%s` %s", c.ID, mdEscape(c.Title))
		if c.Level == "SHOULD" && (c.Outcome == Fail || c.Outcome == Drift) {
			fmt.Fprintf(b, " (SHOULD%s)", map[bool]string{true: ", inferred", false: ""}[c.Source.Inferred()])
		}
		if c.Known != nil {
			fmt.Fprintf(b, " — known until %s: %s", c.Known.Expires.UTC().Format(time.DateOnly), mdEscape(c.Known.Reason))
		}
		if !withMessage {
			if m := OneLine(c.Message, 200); m != "" {
				fmt.Fprintf(b, ": %s", mdEscape(m))
			}
			b.WriteString("\n")
			continue
		}
		b.WriteString("\n")
		if msg := strings.TrimSpace(c.Message); msg != "" {
			msg = text.Truncate(msg, mdMaxMessage)
			fence := "```"
			for strings.Contains(msg, fence) {
				fence += "`"
			}
			fmt.Fprintf(b, "  %s\n  %s\n  %s\n", fence, strings.ReplaceAll(msg, "\n", "\n  "), fence)
		}
		if Unmet(c) && c.Source.Origin != "" {
			fmt.Fprintf(b, "  Source: %s\n", mdEscape(OneLine(c.Source.String(), 400)))
		}
	}
	b.WriteString("\n")
}

// mdCost is one line of what the run cost: API calls (per operation), starts of the
// budget, and where the time went; "" when the run counted nothing.
func mdCost(run *Run) string {
	c := costView(run)
	if c == nil {
		return ""
	}
	var parts []string
	if c.CallsTotal > 0 {
		p := fmt.Sprintf("**%d** API call(s)", c.CallsTotal)
		if len(c.Calls) > 0 {
			var ops []string
			for _, op := range c.Calls {
				ops = append(ops, fmt.Sprintf("%s %d", mdEscape(op.Name), op.Count))
			}
			p += " (" + strings.Join(ops, ", ") + ")"
		}
		parts = append(parts, p)
	}
	if c.Starts > 0 || c.StartBudget > 0 {
		p := fmt.Sprintf("**%d** start(s)", c.Starts)
		if c.StartBudget > 0 {
			p = fmt.Sprintf("**%d** of %d starts", c.Starts, c.StartBudget)
		}
		parts = append(parts, p)
	}
	if len(c.Phases) > 0 {
		var ps []string
		for _, ph := range c.Phases {
			ps = append(ps, fmt.Sprintf("%s %s", mdEscape(ph.Name), roundDuration(ph.Duration)))
		}
		parts = append(parts, strings.Join(ps, ", "))
	}
	return "Cost: " + strings.Join(parts, " · ")
}

func checksWith(run *Run, keep func(Check) bool) []Check {
	var out []Check
	for _, c := range run.Checks {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// mdEscape neutralises Markdown and HTML in inline text (GitHub renders both).
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`)
	return r.Replace(s)
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func outcomeIcon(o Outcome) string {
	switch o {
	case Pass:
		return "✅"
	case Fail:
		return "❌"
	case Drift:
		return "🟡"
	case Unimplemented:
		return "🚫"
	case Skipped:
		return "⏭️"
	case Error:
		return "⚠️"
	}
	return "❔"
}
