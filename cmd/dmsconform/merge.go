package main

import (
	"fmt"
	"io"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("merge", "put several runs' reports side by side: one column per target, differences first", runMerge)
	register("history", "follow many runs of one target over time: failing since, last passed, flaky checks, cost", runHistory)
}

const mergeSynopsis = "[--out DIR] [--label NAME]... REPORT_DIR..."

func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", mergeSynopsis, stderr)
	out := fs.String("out", "", "output `folder` (default a new folder reports/out/merge-<UTC timestamp>): report.json, report.html, summary.md, junit.xml")
	var labels listFlag
	fs.Var(&labels, "label", "a column's `name`, once per report in the order of the reports, or a comma list (default: each report's target; targets that look alike get their folder's name)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dmsconform merge %s\n\n%s.\n\n", mergeSynopsis, commands["merge"].summary)
		fmt.Fprintln(w, "Each REPORT_DIR is the folder of a run (dmsconform run, judge or sdk: it holds report.json),")
		fmt.Fprintln(w, "e.g. one per account and region of a nightly matrix, or one per emulator. The merged folder")
		fmt.Fprintln(w, "has the checks side by side, the rows whose outcomes differ first; summary.md fits a CI step")
		fmt.Fprintln(w, "summary; junit.xml has one testsuite per target and one testcase per check and target.")
		fmt.Fprintln(w, "\nExample: dmsconform merge --label eu --label us out/eu-west-1 out/us-east-1 --out out/merged")
		fmt.Fprintln(w, "\nExit codes: the worst report's by the rules of run (1 non-conformance or new failures against")
		fmt.Fprintln(w, "a report's baseline, over 3 errors, over 130 interrupted, over 0); 2 usage error or unreadable report.")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	flagArgs, rest := splitPositional(args)
	if code, done := parseFlags(fs, flagArgs); done {
		return code
	}
	res, err := runner.Merge(runner.MergeOptions{Reports: rest, Labels: labels, Out: *out, Stdout: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform merge: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}

const historySynopsis = "[--out DIR] [--keep N] REPORT_DIR..."

func runHistory(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("history", historySynopsis, stderr)
	out := fs.String("out", "", "output `folder` (default a new folder reports/out/history-<UTC timestamp>): report.json, report.html, summary.md")
	keep := fs.Int("keep", 0, "use only the newest `N` runs (0: all)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dmsconform history %s\n\n%s.\n\n", historySynopsis, commands["history"].summary)
		fmt.Fprintln(w, "Each REPORT_DIR is the folder of a run of the same target (a folder whose subfolders are")
		fmt.Fprintln(w, "report folders works too: the reports a nightly keeps), in any order: the runs are put in")
		fmt.Fprintln(w, "the order they started. The page shows every check's outcome run by run, since when the")
		fmt.Fprintln(w, "checks failing now fail and when they last passed, the checks that flip (flaky), what the")
		fmt.Fprintln(w, "newest run changed (the classes of --baseline, no-longer-judged included), and each run's")
		fmt.Fprintln(w, "verdict, duration and API calls over time.")
		fmt.Fprintln(w, "\nExample: dmsconform history --keep 30 nightly/eu-west-1 --out site/history/eu-west-1")
		fmt.Fprintln(w, "\nExit codes: 0 written, 2 usage error or unreadable report, 3 the pages could not be written.")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	flagArgs, rest := splitPositional(args)
	if code, done := parseFlags(fs, flagArgs); done {
		return code
	}
	if _, err := runner.History(runner.HistoryOptions{Reports: rest, Keep: *keep, Out: *out, Stdout: stdout}); err != nil {
		fmt.Fprintf(stderr, "dmsconform history: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return reports.ExitOK
}
