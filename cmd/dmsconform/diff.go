package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/reports"
)

func init() {
	register("diff", "compare two report.json files and classify every check", runDiff)
}

const diffSynopsis = "[--known-deviations FILE] [--format text|json|markdown] OLD/report.json NEW/report.json"

// runDiff compares a baseline report with a newer one. Exit 1 when a check fails now
// that did not fail in the baseline (and no known deviation covers it), 2 for usage
// errors and unreadable reports, 0 otherwise.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", diffSynopsis, stderr)
	knownPath := fs.String("known-deviations", "", "YAML or JSON list of expected failures `FILE` ({check, target, reason, expires}); expired entries count again")
	format := fs.String("format", "text", "output `format`: text, json or markdown")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: dmsconform diff %s\n\n", diffSynopsis)
		fmt.Fprintln(stderr, "Compare two report.json files (a folder holding report.json works too) and classify every")
		fmt.Fprintln(stderr, "check of NEW: new-failure, fixed, still-failing, new-drift, new-check, known, removed,")
		fmt.Fprintln(stderr, "unchanged. Errors never count as regressions.")
		fmt.Fprintln(stderr, "\nExit codes: 0 no new failures, 1 new failures, 2 usage error or unreadable report.")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	paths, code, done := parseDiffArgs(fs, args)
	if done {
		return code
	}
	if len(paths) != 2 {
		fmt.Fprintf(stderr, "dmsconform diff: need two reports, got %d argument(s): pass the baseline first, then the new run, e.g.\n  dmsconform diff baseline/report.json reports/out/embedded/report.json\n", len(paths))
		return reports.ExitUsage
	}
	switch *format {
	case "text", "json", "markdown", "md":
	default:
		fmt.Fprintf(stderr, "dmsconform diff: --format %q: use text, json or markdown\n", *format)
		return reports.ExitUsage
	}
	var runs [2]*reports.Run
	for i, p := range paths {
		p = diffReportPath(p)
		run, err := reports.ReadJSON(p)
		if err != nil {
			which := "baseline (first argument)"
			if i == 1 {
				which = "new report (second argument)"
			}
			fmt.Fprintf(stderr, "dmsconform diff: %s: %v\n", which, err)
			return reports.ExitUsage
		}
		paths[i], runs[i] = p, run
	}
	var known []reports.KnownDeviation
	if *knownPath != "" {
		var err error
		if known, err = reports.LoadKnownDeviations(*knownPath); err != nil {
			fmt.Fprintf(stderr, "dmsconform diff: --known-deviations: %v\n", err)
			return reports.ExitUsage
		}
	}
	old, cur := runs[0], runs[1]
	warnBefore := len(cur.Warnings)
	cmp := reports.Compare(old, cur, known, time.Now())
	if old.Target.Kind != cur.Target.Kind || old.Target.Name != cur.Target.Name {
		fmt.Fprintf(stderr, "dmsconform diff: warning: comparing different targets (%s vs %s); differences may come from the targets, not from a change\n", diffTarget(old.Target), diffTarget(cur.Target))
	}
	if old.Model.SHA256 != "" && cur.Model.SHA256 != "" && old.Model.SHA256 != cur.Model.SHA256 {
		fmt.Fprintf(stderr, "dmsconform diff: note: the model changed between the reports (%.12s -> %.12s); new and removed checks may come from that\n", old.Model.SHA256, cur.Model.SHA256)
	}
	var err error
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(struct {
			Baseline    string              `json:"baseline"`
			Current     string              `json:"current"`
			NewFailures bool                `json:"newFailures"`
			Comparison  *reports.Comparison `json:"comparison"`
			Warnings    []string            `json:"warnings,omitempty"`
		}{paths[0], paths[1], cmp.HasNewFailures(), cmp, cur.Warnings})
	case "markdown", "md":
		err = reports.WriteComparisonMarkdown(stdout, cmp, cur)
	default:
		fmt.Fprintf(stdout, "baseline  %s  (%s, started %s, %d checks)\n", paths[0], diffTarget(old.Target), old.Started.UTC().Format(time.RFC3339), len(old.Checks))
		fmt.Fprintf(stdout, "current   %s  (%s, started %s, %d checks)\n\n", paths[1], diffTarget(cur.Target), cur.Started.UTC().Format(time.RFC3339), len(cur.Checks))
		err = reports.WriteComparisonText(stdout, cmp, cur)
	}
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform diff: write output: %v\n", err)
		return reports.ExitHarnessFail
	}
	if *format != "text" { // text output already lists the warnings
		for _, w := range cur.Warnings[warnBefore:] {
			fmt.Fprintf(stderr, "dmsconform diff: warning: %s\n", w)
		}
	}
	if cmp.HasNewFailures() {
		return reports.ExitNonConform
	}
	return reports.ExitOK
}

// parseDiffArgs parses flags that may come before, between or after the two
// positional paths (parseFlags rejects positional arguments). Everything after "--"
// is positional.
func parseDiffArgs(fs *flag.FlagSet, args []string) (paths []string, code int, done bool) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, reports.ExitOK, true
			}
			return nil, reports.ExitUsage, true
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return append(paths, tail...), 0, false
}

// diffReportPath accepts a report folder as well as its report.json.
func diffReportPath(p string) string {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return filepath.Join(p, reports.FileJSON)
	}
	return p
}

func diffTarget(t reports.Target) string {
	s := strings.TrimSpace(t.Kind + " " + t.Name)
	if s == "" {
		return "unknown target"
	}
	return s
}
