package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/reports"
)

// DiffOptions configures `dmsconform diff`.
type DiffOptions struct {
	Baseline, Current string // report.json files, or the folders holding them
	KnownDeviations   string // a known-deviations file ("" none)
	Format            string // text, json or markdown (md)
	Stdout, Stderr    io.Writer
	Now               func() time.Time // for known-deviation expiry
}

// DiffResult is the comparison and its exit code: 1 when a check fails now that did
// not fail in the baseline (and no known deviation covers it), else 0.
type DiffResult struct {
	Comparison *reports.Comparison
	ExitCode   int
}

// Diff compares a baseline report with a newer one, classifies every check and writes
// the comparison to Stdout in the format asked for (warnings to Stderr). An
// unreadable report or a wrong option is a UsageError.
func Diff(opts DiffOptions) (*DiffResult, error) {
	o := Options{Stdout: opts.Stdout, Stderr: opts.Stderr, Now: opts.Now}
	o.defaults()
	switch opts.Format {
	case "text", "json", "markdown", "md":
	default:
		return nil, &UsageError{Err: fmt.Errorf("--format %q: use text, json or markdown", opts.Format)}
	}
	paths := [2]string{reportPath(opts.Baseline), reportPath(opts.Current)}
	var runs [2]*reports.Run
	for i, p := range paths {
		run, err := reports.ReadJSON(p)
		if err != nil {
			which := "baseline (first argument)"
			if i == 1 {
				which = "new report (second argument)"
			}
			return nil, &UsageError{Err: fmt.Errorf("%s: %w", which, err)}
		}
		runs[i] = run
	}
	var known []reports.KnownDeviation
	if opts.KnownDeviations != "" {
		var err error
		if known, err = reports.LoadKnownDeviations(opts.KnownDeviations); err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--known-deviations: %w", err)}
		}
	}
	old, cur := runs[0], runs[1]
	warnBefore := len(cur.Warnings)
	cmp := reports.Compare(old, cur, known, o.Now())
	if old.Target.TargetKind != cur.Target.TargetKind || old.Target.Name != cur.Target.Name {
		fmt.Fprintf(o.Stderr, "dmsconform diff: warning: comparing different targets (%s vs %s); differences may come from the targets, not from a change\n", diffTarget(old.Target), diffTarget(cur.Target))
	}
	if old.Model.SHA256 != "" && cur.Model.SHA256 != "" && old.Model.SHA256 != cur.Model.SHA256 {
		fmt.Fprintf(o.Stderr, "dmsconform diff: note: the model changed between the reports (%.12s -> %.12s); new and removed checks may come from that\n", old.Model.SHA256, cur.Model.SHA256)
	}
	if err := writeComparison(o.Stdout, opts.Format, paths, old, cur, cmp); err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("write output: %w", err)}
	}
	if opts.Format != "text" { // text output already lists the warnings
		for _, w := range cur.Warnings[warnBefore:] {
			fmt.Fprintf(o.Stderr, "dmsconform diff: warning: %s\n", w)
		}
	}
	res := &DiffResult{Comparison: cmp, ExitCode: reports.ExitOK}
	if cmp.HasNewFailures() {
		res.ExitCode = reports.ExitNonConform
	}
	return res, nil
}

func writeComparison(w io.Writer, format string, paths [2]string, old, cur *reports.Run, cmp *reports.Comparison) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Baseline    string              `json:"baseline"`
			Current     string              `json:"current"`
			NewFailures bool                `json:"newFailures"`
			Comparison  *reports.Comparison `json:"comparison"`
			Warnings    []string            `json:"warnings,omitempty"`
		}{paths[0], paths[1], cmp.HasNewFailures(), cmp, cur.Warnings})
	case "markdown", "md":
		return reports.WriteComparisonMarkdown(w, cmp, cur)
	}
	fmt.Fprintf(w, "baseline  %s  (%s, started %s, %d checks)\n", paths[0], diffTarget(old.Target), old.Started.UTC().Format(time.RFC3339), len(old.Checks))
	fmt.Fprintf(w, "current   %s  (%s, started %s, %d checks)\n\n", paths[1], diffTarget(cur.Target), cur.Started.UTC().Format(time.RFC3339), len(cur.Checks))
	return reports.WriteComparisonText(w, cmp, cur)
}

// reportPath accepts a report folder as well as its report.json.
func reportPath(p string) string {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return filepath.Join(p, reports.FileJSON)
	}
	return p
}

func diffTarget(t reports.Target) string {
	s := strings.TrimSpace(t.TargetKind + " " + t.Name)
	if s == "" {
		return "unknown target"
	}
	return s
}
