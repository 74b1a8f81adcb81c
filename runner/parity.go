package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Files parity writes into its folder, besides the four report files.
const (
	ParityJSON = "parity.json"
	ParityText = "parity.txt"
	ParityRun  = "run"       // the current run's own reports
	ParityRec  = "recording" // the current run's recording
)

// ParityOptions configures `dmsconform parity`.
type ParityOptions struct {
	Config   engine.Config
	Recorded string // the recording folder to compare with
	// LabelFilter selects the checks to run ("" = the recording's own filter); only
	// the evidence scripts both runs made are compared.
	LabelFilter    string
	Out            string // "" = reports/out/parity-<UTC timestamp>
	Format         string // what Stdout gets: "text" (the default) or "json" (parity.json)
	Stdout, Stderr io.Writer
}

// ParityResult is the comparison, the run it made, the folder it wrote and the exit
// code: 0 when every exchange matches (100% parity), else 1.
type ParityResult struct {
	Parity   *record.Parity
	Run      *reports.Run
	Dir      string
	ExitCode int
}

// Parity runs the checks against the configured target, records that run, compares
// it exchange by exchange with the recording and writes parity.json, parity.txt, the
// four report files (one check per compared script), run/ and recording/.
func Parity(ctx context.Context, po ParityOptions) (*ParityResult, error) {
	opts := Options{Out: po.Out, Stdout: po.Stdout, Stderr: po.Stderr}
	opts.defaults()
	if po.Format != "" && po.Format != "text" && po.Format != "json" {
		return nil, &UsageError{Err: fmt.Errorf("--format %q: use text or json", po.Format)}
	}
	if po.Recorded == "" {
		return nil, &UsageError{Err: fmt.Errorf("--recorded is required: pass a folder written by dmsconform run --record DIR (e.g. fixtures/recorded/embedded)")}
	}
	rec, err := record.Load(po.Recorded)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("--recorded: %w", err)}
	}
	filter := po.LabelFilter
	if filter == "" {
		filter = rec.Meta.LabelFilter
	}
	dir := po.Out
	if dir == "" {
		dir = filepath.Join(opts.OutRoot, "parity-"+opts.Now().UTC().Format("20060102T150405Z"))
	}
	if abs, err := filepath.Abs(dir); err == nil {
		if rabs, err := filepath.Abs(po.Recorded); err == nil && (abs == rabs || strings.HasPrefix(rabs, abs+string(filepath.Separator))) {
			return nil, &UsageError{Err: fmt.Errorf("--out %s would overwrite the recording %s: pass another folder", dir, po.Recorded)}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &UsageError{Err: fmt.Errorf("--out: %w", err)}
	}
	curDir := filepath.Join(dir, ParityRec)
	res, err := Run(ctx, Options{Config: po.Config, LabelFilter: filter, Out: filepath.Join(dir, ParityRun),
		Record: curDir, Stdout: io.Discard, Stderr: opts.Stderr, Quiet: true})
	if err != nil {
		return nil, fmt.Errorf("running the checks against %s: %w", po.Config.Target, err)
	}
	cur, err := record.Load(curDir)
	if err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("reading the run's recording: %w", err)}
	}
	p := record.Compare(rec, cur)
	data, err := record.MarshalParity(p)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, ParityJSON), data, 0o644)
	}
	if err == nil {
		var b strings.Builder
		_ = p.WriteText(&b)
		err = os.WriteFile(filepath.Join(dir, ParityText), []byte(b.String()), 0o644)
	}
	if err == nil {
		err = reports.WriteAll(dir, parityReport(p, res.Run))
	}
	if err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("writing the parity report: %w", err)}
	}
	out := &ParityResult{Parity: p, Run: res.Run, Dir: dir, ExitCode: reports.ExitOK}
	if !p.Perfect() {
		out.ExitCode = reports.ExitNonConform
	}
	if po.Format == "json" {
		_, _ = opts.Stdout.Write(data)
		return out, nil
	}
	_ = p.WriteText(opts.Stdout)
	if n := res.Run.Totals[reports.Error]; n > 0 {
		fmt.Fprintf(opts.Stdout, "\nwarning: %d check(s) ended in error against %s (see %s)\n", n, po.Config.Target, filepath.Join(dir, ParityRun))
	}
	verdict := "PARITY"
	if !p.Perfect() {
		verdict = fmt.Sprintf("DIFFERENCES: %d exchange(s) differ", p.Exchanges-p.Matching)
	}
	fmt.Fprintf(opts.Stdout, "\n  reports: %s\n  verdict: %s, %.2f%% of %d exchanges match\n", dir, verdict, p.Score, p.Exchanges)
	return out, nil
}

// parityReport turns a parity result into a report in the formats of `run`: one check
// per compared evidence script, pass when its exchanges all match the recording, fail
// with the differences otherwise; a script only one side made is skipped with the
// reason.
func parityReport(p *record.Parity, cur *reports.Run) *reports.Run {
	run := &reports.Run{
		Mode:        reports.ModeParity,
		Tool:        cur.Tool,
		Target:      cur.Target,
		Model:       cur.Model,
		Started:     cur.Started,
		Duration:    cur.Duration,
		LabelFilter: cur.LabelFilter,
		Warnings: []string{fmt.Sprintf("parity with the recording %s (%s %s): %d of %d exchanges match (%.2f%%)",
			p.RecordedDir, p.Recorded.TargetKind, p.Recorded.Region, p.Matching, p.Exchanges, p.Score)},
	}
	check := func(key string) reports.Check {
		return reports.Check{CheckInfo: reports.CheckInfo{ID: "parity." + strings.ReplaceAll(key, "/", "."),
			Title:       "the exchanges of " + key + " match the recording",
			Description: "Every exchange of the evidence script " + key + " SHOULD answer like the recording: status, fault code, headers and body structure.",
			Level:       "SHOULD", Labels: []string{"parity"}}}
	}
	for _, sp := range p.Scripts {
		c := check(sp.Key)
		if sp.Matching == sp.Total {
			c.Outcome = reports.Pass
		} else {
			var b strings.Builder
			fmt.Fprintf(&b, "%d of %d exchanges differ from the recording", sp.Total-sp.Matching, sp.Total)
			for _, e := range sp.Exchanges {
				for _, d := range e.Differences {
					fmt.Fprintf(&b, "\n#%d %s: %s %s", max(e.Seq, e.CurrentSeq), e.Operation, d.Change, d.Pointer)
				}
			}
			c.Outcome, c.Message = reports.Fail, b.String()
		}
		run.Checks = append(run.Checks, c)
	}
	for _, nc := range p.NotCompared {
		c := check(nc.Key)
		c.Outcome, c.Message = reports.Skipped, "not compared: "+nc.Reason
		run.Checks = append(run.Checks, c)
	}
	reports.Finalize(run)
	return run
}
