package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/dmsconform/dmsconform/reports"
)

// MergeOptions configures `dmsconform merge`: several reports side by side.
type MergeOptions struct {
	Reports []string // report folders (or their report.json)
	// Labels names the columns, in the order of Reports; "" (or a missing entry)
	// keeps the target's own label.
	Labels  []string
	Out     string // "" = a new folder under OutRoot
	OutRoot string
	Stdout  io.Writer
	Now     func() time.Time
}

// MergeResult is what a merge wrote and its exit code (the worst column's).
type MergeResult struct {
	Merge    *reports.Merge
	Dir      string
	ExitCode int
}

// Merge reads every report and writes them side by side into one folder: report.json,
// report.html, summary.md and junit.xml. Its exit code is the worst report's by the
// rules of run (see reports.WorstExitCode).
func Merge(opts MergeOptions) (*MergeResult, error) {
	o := Options{Out: opts.Out, OutRoot: opts.OutRoot, Stdout: opts.Stdout, Now: opts.Now}
	o.defaults()
	if len(opts.Reports) == 0 {
		return nil, &UsageError{Err: errors.New("no reports: pass the report folders to merge, e.g. dmsconform merge cells/*/")}
	}
	if len(opts.Labels) > len(opts.Reports) {
		return nil, &UsageError{Err: fmt.Errorf("%d labels for %d reports: pass one --label per report, in the order of the reports", len(opts.Labels), len(opts.Reports))}
	}
	runs, err := readReports(opts.Reports)
	if err != nil {
		return nil, err
	}
	dir, fresh, err := outDir(o, "merge")
	if err != nil {
		return nil, err
	}
	var in []reports.MergeInput
	for i, r := range runs {
		mi := reports.MergeInput{Run: r.run, Source: r.dir, Report: relReport(dir, r.dir)}
		if i < len(opts.Labels) {
			mi.Label = opts.Labels[i]
		}
		in = append(in, mi)
	}
	m := reports.NewMerge(in, Tool())
	if err := reports.WriteMerge(dir, m); err != nil {
		return nil, &HarnessError{Err: err}
	}
	if fresh {
		linkLatest(o.OutRoot, dir)
	}
	w := reports.NewConsole(o.Stdout, nil)
	defer w.Flush()
	for _, wn := range m.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	for _, c := range m.Columns {
		fmt.Fprintf(w, "  %-8s %s (exit %d)\n", c.Status, c.Label, c.ExitCode)
	}
	fmt.Fprintf(w, "  reports: %s (open %s)\n  verdict: %s: %s (exit %d)\n", dir, filepath.Join(dir, reports.FileHTML), m.Status, m.Verdict(), m.ExitCode)
	return &MergeResult{Merge: m, Dir: dir, ExitCode: m.ExitCode}, nil
}

// HistoryOptions configures `dmsconform history`: many runs of one target over time.
type HistoryOptions struct {
	// Reports are report folders (or their report.json), or folders whose
	// subfolders are report folders (a nightly's kept reports), in any order.
	Reports []string
	Keep    int    // use only the newest Keep runs; 0 = all
	Out     string // "" = a new folder under OutRoot
	OutRoot string
	Stdout  io.Writer
	Now     func() time.Time
}

// HistoryResult is what a history wrote.
type HistoryResult struct {
	History *reports.History
	Dir     string
}

// History reads the runs and writes the trend page: report.json, report.html and
// summary.md.
func History(opts HistoryOptions) (*HistoryResult, error) {
	o := Options{Out: opts.Out, OutRoot: opts.OutRoot, Stdout: opts.Stdout, Now: opts.Now}
	o.defaults()
	if opts.Keep < 0 {
		return nil, &UsageError{Err: fmt.Errorf("--keep %d: pass the number of newest runs to keep (0 keeps all)", opts.Keep)}
	}
	paths, err := expandReportDirs(opts.Reports)
	if err != nil {
		return nil, err
	}
	runs, err := readReports(paths)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].run.Started.Before(runs[j].run.Started) })
	if opts.Keep > 0 && len(runs) > opts.Keep {
		runs = runs[len(runs)-opts.Keep:]
	}
	dir, fresh, err := outDir(o, "history")
	if err != nil {
		return nil, err
	}
	var in []reports.HistoryInput
	for _, r := range runs {
		in = append(in, reports.HistoryInput{Run: r.run, Source: r.dir, Report: relReport(dir, r.dir)})
	}
	h := reports.NewHistory(in, Tool())
	if err := reports.WriteHistory(dir, h); err != nil {
		return nil, &HarnessError{Err: err}
	}
	if fresh {
		linkLatest(o.OutRoot, dir)
	}
	w := reports.NewConsole(o.Stdout, nil)
	defer w.Flush()
	for _, wn := range h.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	fmt.Fprintf(w, "  reports: %s (open %s)\n  %s\n", dir, filepath.Join(dir, reports.FileHTML), h.Verdict())
	return &HistoryResult{History: h, Dir: dir}, nil
}

type readRun struct {
	dir string // the report's folder
	run *reports.Run
}

// readReports reads report.json of every path (a folder or the file), saying which
// argument could not be read and, for a merged or history report, what to pass instead.
func readReports(paths []string) ([]readRun, error) {
	if len(paths) == 0 {
		return nil, &UsageError{Err: errors.New("no reports: pass report folders (each holding the report.json a dmsconform run wrote)")}
	}
	var out []readRun
	for _, p := range paths {
		file := reportPath(p)
		if page := pageOfRuns(file); page != "" {
			return nil, &UsageError{Err: fmt.Errorf("%s is a %s, not the report of a run: pass the report folders it was made from", p, page)}
		}
		run, err := reports.ReadJSON(file)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		out = append(out, readRun{dir: filepath.Dir(file), run: run})
	}
	return out, nil
}

// pageOfRuns names a report.json made of several runs: a merged report or a history
// ("" for anything else).
func pageOfRuns(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	var probe struct {
		SchemaVersion string `json:"schemaVersion"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return ""
	}
	switch probe.SchemaVersion {
	case reports.MergeSchemaVersion:
		return "merged report (dmsconform merge)"
	case reports.HistorySchemaVersion:
		return "history (dmsconform history)"
	}
	return ""
}

// expandReportDirs replaces a folder that holds no report.json by its subfolders that
// do (the folder a nightly keeps its reports in), in name order.
func expandReportDirs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p)
			continue
		}
		if _, err := os.Stat(filepath.Join(p, reports.FileJSON)); err == nil {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("read %s: %w", p, err)}
		}
		n := 0
		for _, e := range entries {
			sub := filepath.Join(p, e.Name())
			if _, err := os.Stat(filepath.Join(sub, reports.FileJSON)); e.IsDir() && err == nil {
				out = append(out, sub)
				n++
			}
		}
		if n == 0 {
			return nil, &UsageError{Err: fmt.Errorf("%s holds no report.json, nor do its subfolders: pass report folders written by dmsconform run", p)}
		}
	}
	return out, nil
}

// outDir is the folder a merge or history writes into: --out (checked), or a new
// folder under the out root.
func outDir(o Options, kind string) (dir string, fresh bool, err error) {
	if o.Out != "" {
		if err := writableDir(o.Out); err != nil {
			return "", false, &UsageError{Err: fmt.Errorf("--out %s: %w", o.Out, err)}
		}
		return o.Out, false, nil
	}
	dir, err = newRunDir(o.OutRoot, kind, o.Now().UTC())
	if err != nil {
		return "", false, &UsageError{Err: fmt.Errorf("the report folder: %w (pass --out DIR)", err)}
	}
	return dir, true, nil
}

// relReport is the link from a page in dir to the report.html in reportDir, "" when
// there is none.
func relReport(dir, reportDir string) string {
	page := filepath.Join(reportDir, reports.FileHTML)
	if _, err := os.Stat(page); err != nil {
		return ""
	}
	absDir, err1 := filepath.Abs(dir)
	absPage, err2 := filepath.Abs(page)
	if err1 != nil || err2 != nil {
		return ""
	}
	rel, err := filepath.Rel(absDir, absPage)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(rel)
}
