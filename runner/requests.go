package runner

import (
	"fmt"
	"io"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
)

// printRequests says on the console what the run did to its requests beyond the checks:
// the Starts and Cancels whose answer was lost (and what a describe showed they did),
// and what clean-up did, every request by id.
func printRequests(w io.Writer, run *reports.Run) {
	if len(run.LostAnswers) > 0 {
		fmt.Fprintf(w, "  lost answers (a describe found out what each call had done; a lost answer is not judged):\n")
		for _, l := range run.LostAnswers {
			fmt.Fprintf(w, "    %s (%s): %s\n", reports.Inline(l.Call), l.Operation, reports.Inline(l.Found))
		}
	}
	c := run.Cleanup
	if c == nil || len(c.Requests) == 0 {
		return
	}
	var counts []string
	for _, o := range reports.CleanupOutcomes {
		if n := len(c.With(o)); n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, o))
		}
	}
	fmt.Fprintf(w, "  clean-up: %s\n", strings.Join(counts, ", "))
	if c.Note != "" {
		fmt.Fprintf(w, "    %s\n", reports.Inline(c.Note))
	}
	for _, o := range reports.CleanupOutcomes {
		rs := c.With(o)
		if len(rs) == 0 {
			continue
		}
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = fmt.Sprintf("%s (%s)", r.ID, r.Family)
		}
		line := fmt.Sprintf("    %s: %s", reports.CleanupHeading(o), strings.Join(ids, ", "))
		if o != reports.CleanupCancelled && o != reports.CleanupEnded && rs[0].Detail != "" {
			line += "; " + rs[0].Detail
		}
		fmt.Fprintln(w, reports.Inline(line))
	}
}
