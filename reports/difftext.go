package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// displayEntries orders entries for people: by class (Classes order), then ID.
func displayEntries(cmp *Comparison) []ComparisonEntry {
	rank := map[Class]int{}
	for i, c := range Classes {
		rank[c] = i
	}
	es := append([]ComparisonEntry(nil), cmp.Entries...)
	sort.SliceStable(es, func(i, j int) bool {
		if rank[es[i].Class] != rank[es[j].Class] {
			return rank[es[i].Class] < rank[es[j].Class]
		}
		return es[i].ID < es[j].ID
	})
	return es
}

func messages(run *Run) map[string]string {
	m := map[string]string{}
	if run != nil {
		for _, c := range run.Checks {
			m[c.ID] = c.Message
		}
	}
	return m
}

// WriteComparisonText writes a comparison as plain text: the count per class, then
// every check that is not unchanged with its outcome before and now and the first
// line of its current message. current (may be nil) supplies messages and warnings.
func WriteComparisonText(w io.Writer, cmp *Comparison, current *Run) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLASS\tCHECKS")
	for _, c := range Classes {
		fmt.Fprintf(tw, "%s\t%d\n", c, cmp.Counts[c])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	es := displayEntries(cmp)
	if len(es) > 0 {
		fmt.Fprintln(w)
		msgs := messages(current)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CLASS\tCHECK\tBEFORE -> NOW\tMESSAGE")
		for _, e := range es {
			fmt.Fprintf(tw, "%s\t%s\t%s -> %s\t%s\n", e.Class, e.ID, orDefault(string(e.Before), "-"), orDefault(string(e.After), "-"), OneLine(msgs[e.ID], 120))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if current != nil {
		for _, wn := range current.Warnings {
			fmt.Fprintf(w, "\nwarning: %s", wn)
		}
		if len(current.Warnings) > 0 {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, comparisonVerdict(cmp))
	return err
}

func comparisonVerdict(cmp *Comparison) string {
	if cmp.HasNewFailures() {
		return fmt.Sprintf("FAIL: %d new failure(s) against the baseline", cmp.Counts[NewFailure])
	}
	return fmt.Sprintf("OK: no new failures (%d fixed, %d still failing, %d known%s)", cmp.Counts[Fixed], cmp.Counts[StillFailing], cmp.Counts[KnownFailure], coverageChange(cmp))
}

// coverageChange is what a comparison says of coverage, for a verdict line:
// ", 12 no longer judged, 1 newly judged", or "" when coverage did not change.
func coverageChange(cmp *Comparison) string {
	s := ""
	if n := cmp.Counts[NoLongerJudged]; n > 0 {
		s += fmt.Sprintf(", %d no longer judged", n)
	}
	if n := cmp.Counts[NewlyJudged]; n > 0 {
		s += fmt.Sprintf(", %d newly judged", n)
	}
	return s
}

// WriteComparisonMarkdown writes a comparison as Markdown (for a PR comment or step
// summary).
func WriteComparisonMarkdown(w io.Writer, cmp *Comparison, current *Run) error {
	var b strings.Builder
	icon := "✅"
	if cmp.HasNewFailures() {
		icon = "❌"
	}
	fmt.Fprintf(&b, "### dmsconform diff: %s %s\n\n", icon, comparisonVerdict(cmp))
	fmt.Fprintf(&b, "Baseline: %s, started %s.\n\n", mdEscape(TargetLabel(cmp.BaselineTarget)), cmp.BaselineStarted.UTC().Format(time.RFC3339))
	b.WriteString("| class | checks |\n|---|---:|\n")
	for _, c := range Classes {
		fmt.Fprintf(&b, "| %s | %d |\n", c, cmp.Counts[c])
	}
	es := displayEntries(cmp)
	if len(es) > 0 {
		msgs := messages(current)
		b.WriteString("\n| class | check | before → now | message |\n|---|---|---|---|\n")
		for i, e := range es {
			if i == mdMaxListed*4 {
				fmt.Fprintf(&b, "| … | %d more | | |\n", len(es)-i)
				break
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s → %s | %s |\n", e.Class, e.ID, orDefault(string(e.Before), "–"), orDefault(string(e.After), "–"), mdEscape(OneLine(msgs[e.ID], 160)))
		}
	}
	if current != nil && len(current.Warnings) > 0 {
		b.WriteString("\n")
		for _, wn := range current.Warnings {
			fmt.Fprintf(&b, "- ⚠️ %s\n", mdEscape(wn))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
