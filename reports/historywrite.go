package reports

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// WriteHistory writes a history into dir: report.json (the History), report.html
// and summary.md, redacted (secrets as for WriteAll), each file whole or not at all.
func WriteHistory(dir string, h *History, secrets ...string) error {
	if h == nil {
		return fmt.Errorf("write the history to %s: no history", dir)
	}
	h.Redact(NewRedactor(secrets...))
	return writeFiles(dir, "the history", []pageFile{
		{FileJSON, func(w io.Writer) error { return encodeIndented(w, h) }},
		{FileHTML, func(w io.Writer) error { return WriteHistoryHTML(w, h) }},
		{FileMarkdown, func(w io.Writer) error { return WriteHistoryMarkdown(w, h) }},
	})
}

// mdHistoryRuns is how many of the newest runs summary.md shows one by one.
const mdHistoryRuns = 14

// WriteHistoryMarkdown writes summary.md of a history: the verdict, the newest runs
// (verdict, totals, API calls, time), the checks failing now with the date the
// failure began and the last pass, the flaky checks with their outcomes run by run,
// and what the newest run changed.
func WriteHistoryMarkdown(w io.Writer, h *History) error {
	var b strings.Builder
	status := "?"
	if len(h.Runs) > 0 {
		status = h.Runs[len(h.Runs)-1].Status
	}
	fmt.Fprintf(&b, "### dmsconform history: %s %s\n\n", statusIcon(status), mdEscape(h.Verdict()))
	for _, wn := range h.Warnings {
		fmt.Fprintf(&b, "- ⚠️ %s\n", mdEscape(wn))
	}
	if len(h.Warnings) > 0 {
		b.WriteString("\n")
	}
	runs := h.Runs
	if len(runs) > mdHistoryRuns {
		fmt.Fprintf(&b, "The newest %d of %d runs (report.html has them all):\n\n", mdHistoryRuns, len(runs))
		runs = runs[len(runs)-mdHistoryRuns:]
	}
	b.WriteString("| started | verdict |")
	for _, o := range Outcomes {
		fmt.Fprintf(&b, " %s |", outcomeIcon(o))
	}
	b.WriteString(" API calls | took |\n|---|---|" + strings.Repeat("---:|", len(Outcomes)) + "---:|---:|\n")
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		fmt.Fprintf(&b, "| %s | %s %s |", r.Started.UTC().Format("2006-01-02 15:04"), statusIcon(r.Status), r.Status)
		for _, o := range Outcomes {
			fmt.Fprintf(&b, " %d |", r.Totals[o])
		}
		fmt.Fprintf(&b, " %d | %s |\n", r.Calls, r.Duration.Round(time.Millisecond))
	}
	b.WriteString("\n")
	failing, flaky, changed := historyGroups(h)
	fmt.Fprintf(&b, "#### Failing now (%d)\n\n", len(failing))
	if len(failing) == 0 {
		b.WriteString("No check fails in the newest run.\n\n")
	} else {
		b.WriteString("| check | failing since | failing runs | last passed |\n|---|---|---:|---|\n")
		for i, c := range failing {
			if i == mdMaxListed {
				fmt.Fprintf(&b, "| … %d more (see report.html) | | | |\n", len(failing)-i)
				break
			}
			fmt.Fprintf(&b, "| `%s` | %s | %d | %s |\n", mdCode(c.ID), datePtr(c.FailingSince), c.FailingRuns, datePtr(c.LastPassed))
		}
		b.WriteString("\n")
	}
	if len(flaky) > 0 {
		fmt.Fprintf(&b, "#### Flaky: outcomes that flip (%d)\n\n| check | flips | oldest → newest |\n|---|---:|---|\n", len(flaky))
		for i, c := range flaky {
			if i == mdMaxListed {
				fmt.Fprintf(&b, "| … %d more (see report.html) | | |\n", len(flaky)-i)
				break
			}
			fmt.Fprintf(&b, "| `%s` | %d | %s |\n", mdCode(c.ID), c.Flips, mdStrip(c.Outcomes))
		}
		b.WriteString("\n")
	}
	if len(changed) > 0 {
		fmt.Fprintf(&b, "#### Changed by the newest run (%d)\n\n", len(changed))
		for i, c := range changed {
			if i == mdMaxListed {
				fmt.Fprintf(&b, "- … and %d more (see report.html)\n", len(changed)-i)
				break
			}
			before := Outcome("")
			if n := len(c.Outcomes); n > 1 {
				before = c.Outcomes[n-2]
			}
			fmt.Fprintf(&b, "- **%s** `%s` %s → %s\n", c.Class, mdCode(c.ID), orDefault(string(before), "(absent)"), orDefault(string(c.Now), "(absent)"))
		}
		b.WriteString("\n")
	}
	b.WriteString("Every check run by run, and the duration and API calls over time: `report.html` in the history folder.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// historyGroups splits the checks the page names: failing now, flaky (not failing
// now), changed by the newest run (see changed).
func historyGroups(h *History) (failing, flaky, moved []HistoryCheck) {
	for _, c := range h.Checks {
		switch {
		case c.FailingSince != nil:
			failing = append(failing, c)
		case c.Flaky:
			flaky = append(flaky, c)
		}
		if changed(c.Class) {
			moved = append(moved, c)
		}
	}
	return failing, flaky, moved
}

func mdStrip(os []Outcome) string {
	var b strings.Builder
	for _, o := range os {
		if o == "" {
			b.WriteString("·")
			continue
		}
		b.WriteString(outcomeIcon(o))
	}
	return b.String()
}

type historyView struct {
	*History
	Status                          string
	Failing, Flaky, Changed         []HistoryCheck
	Durations, CallsChart, Outcomes template.HTML
	Newest                          []HistoryRun // newest first
}

// WriteHistoryHTML writes report.html of a history: one self-contained page (inline
// CSS and SVG, no scripts) with the verdict, the duration, API calls and outcomes of
// every run as charts, the checks failing now (since when, last passed), the flaky
// ones, what the newest run changed, and every check run by run.
func WriteHistoryHTML(w io.Writer, h *History) error {
	v := historyView{History: h, Status: "?"}
	if n := len(h.Runs); n > 0 {
		v.Status = h.Runs[n-1].Status
	}
	v.Failing, v.Flaky, v.Changed = historyGroups(h)
	v.Durations = barChart("Duration per run", "s", h.Runs, func(r HistoryRun) float64 { return r.Duration.Seconds() }, trimFloat)
	v.CallsChart = barChart("API calls per run (retries included)", "", h.Runs, func(r HistoryRun) float64 { return float64(r.Calls) }, func(f float64) string { return fmt.Sprintf("%.0f", f) })
	v.Outcomes = outcomeChart(h.Runs)
	for i := len(h.Runs) - 1; i >= 0; i-- {
		v.Newest = append(v.Newest, h.Runs[i])
	}
	return executePage(w, "history", v)
}

func trimFloat(f float64) string {
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 1:
		return fmt.Sprintf("%.1f", f)
	}
	return fmt.Sprintf("%.3f", f)
}
