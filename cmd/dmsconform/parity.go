package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
)

func init() {
	register("parity", "run the checks against a target and compare every exchange with a recording", runParity)
}

// Files the parity command writes into --out, besides the reports of every run.
const (
	parityJSON = "parity.json"
	parityText = "parity.txt"
	parityRun  = "run"       // the current run's own reports
	parityRec  = "recording" // the current run's recording
)

const paritySynopsis = "--recorded DIR [--target embedded|endpoint|...] [target flags] [--label-filter EXPR] [--out DIR] [--format text|json]"

func runParity(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("parity", paritySynopsis, stderr)
	cfg, envErr := bindTargetFlags(fs)
	recorded := fs.String("recorded", "", "`folder` of a recording (dmsconform run --record DIR), e.g. fixtures/recorded/embedded or a nightly AWS recording")
	labels := fs.String("label-filter", "", "Ginkgo label `expression` selecting checks (default: the recording's own filter, so the same checks run)")
	out := fs.String("out", "", "output `folder` (default reports/out/parity-<UTC timestamp>): parity.json, parity.txt, report.json/junit.xml/report.html/summary.md, run/ (the run's reports) and recording/ (its recording)")
	format := fs.String("format", "text", "stdout `format`: text or json")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dmsconform parity %s\n\n", paritySynopsis)
		fmt.Fprintln(w, "Run the same checks against a target (default: the embedded emulator), record the run, and")
		fmt.Fprintln(w, "compare every exchange with the recording: status, fault code, headers and the body's")
		fmt.Fprintln(w, "structure (members added, removed or changed, type changes) at JSON pointers. Values that")
		fmt.Fprintln(w, "normalisation marked volatile (ids, times, progress) are not compared. Prints the parity")
		fmt.Fprintln(w, "score per operation and every difference.")
		fmt.Fprintln(w, "\nExample: an emulator author checks parity with the nightly AWS recording:")
		fmt.Fprintln(w, "  dmsconform parity --recorded evidence/aws --target endpoint --endpoint http://127.0.0.1:4566 --project my-project")
		fmt.Fprintln(w, "\nExit codes: 0 every exchange matches (100% parity), 1 differences, 2 usage error or unreadable")
		fmt.Fprintln(w, "recording, 3 the target could not be run (unreachable, harness error).")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if envErr != nil {
		fmt.Fprintf(stderr, "dmsconform parity: %v\n", envErr)
		return exitUsage
	}
	if *recorded == "" {
		fmt.Fprintln(stderr, "dmsconform parity: --recorded is required: pass a folder written by dmsconform run --record DIR (e.g. fixtures/recorded/embedded)")
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "dmsconform parity: --format %q: use text or json\n", *format)
		return exitUsage
	}
	rec, err := record.Load(*recorded)
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform parity: --recorded: %v\n", err)
		return exitUsage
	}
	filter := *labels
	if filter == "" {
		filter = rec.Meta.LabelFilter
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("reports", "out", "parity-"+time.Now().UTC().Format("20060102T150405Z"))
	}
	if abs, err := filepath.Abs(dir); err == nil {
		if rabs, err := filepath.Abs(*recorded); err == nil && (abs == rabs || strings.HasPrefix(rabs, abs+string(filepath.Separator))) {
			fmt.Fprintf(stderr, "dmsconform parity: --out %s would overwrite the recording %s: pass another folder\n", dir, *recorded)
			return exitUsage
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "dmsconform parity: --out: %v\n", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	curDir := filepath.Join(dir, parityRec)
	res, err := runner.Run(ctx, runner.Options{Config: *cfg, LabelFilter: filter, Out: filepath.Join(dir, parityRun),
		Record: curDir, Stdout: io.Discard, Stderr: stderr, Quiet: true})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform parity: running the checks against %s: %v\n", cfg.Target, err)
		return runner.ExitCodeOf(err)
	}
	cur, err := record.Load(curDir)
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform parity: reading the run's recording: %v\n", err)
		return exitHarnessFail
	}
	p := record.Compare(rec, cur)

	data, err := record.MarshalParity(p)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, parityJSON), data, 0o644)
	}
	if err == nil {
		var b strings.Builder
		_ = p.WriteText(&b)
		err = os.WriteFile(filepath.Join(dir, parityText), []byte(b.String()), 0o644)
	}
	if err == nil {
		err = reports.WriteAll(dir, parityReport(p, res.Run))
	}
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform parity: writing the parity report: %v\n", err)
		return exitHarnessFail
	}
	if *format == "json" {
		_, _ = stdout.Write(data)
	} else {
		_ = p.WriteText(stdout)
		if n := res.Run.Totals[reports.Error]; n > 0 {
			fmt.Fprintf(stdout, "\nwarning: %d check(s) ended in error against %s (see %s)\n", n, cfg.Target, filepath.Join(dir, parityRun))
		}
		verdict := "PARITY"
		if !p.Perfect() {
			verdict = fmt.Sprintf("DIFFERENCES: %d exchange(s) differ", p.Exchanges-p.Matching)
		}
		fmt.Fprintf(stdout, "\n  reports: %s\n  verdict: %s, %.2f%% of %d exchanges match\n", dir, verdict, p.Score, p.Exchanges)
	}
	if p.Perfect() {
		return exitOK
	}
	return exitNonConform
}

// parityReport turns a parity result into a report in the formats of `run`: one check
// per evidence script, pass when its exchanges all match the recording, fail with the
// differences otherwise.
func parityReport(p *record.Parity, cur *reports.Run) *reports.Run {
	run := &reports.Run{
		Kind:        reports.KindParity,
		Tool:        cur.Tool,
		Target:      cur.Target,
		Model:       cur.Model,
		Started:     cur.Started,
		Duration:    cur.Duration,
		LabelFilter: cur.LabelFilter,
		Warnings: []string{fmt.Sprintf("parity with the recording %s (%s %s): %d of %d exchanges match (%.2f%%)",
			p.RecordedDir, p.Recorded.Kind, p.Recorded.Region, p.Matching, p.Exchanges, p.Score)},
	}
	for _, sp := range p.Scripts {
		c := reports.Check{CheckInfo: reports.CheckInfo{ID: "parity." + strings.ReplaceAll(sp.Key, "/", "."),
			Title:       "the exchanges of " + sp.Key + " match the recording",
			Description: "Every exchange of the evidence script " + sp.Key + " SHOULD answer like the recording: status, fault code, headers and body structure.",
			Level:       "SHOULD", Labels: []string{"parity"}}}
		if sp.Matching == sp.Total {
			c.Outcome = reports.Pass
		} else {
			var b strings.Builder
			fmt.Fprintf(&b, "%d of %d exchanges differ from the recording", sp.Total-sp.Matching, sp.Total)
			for _, e := range sp.Exchanges {
				for _, d := range e.Differences {
					fmt.Fprintf(&b, "\n#%d %s: %s %s", max(e.Seq, e.CurrentSeq), e.Operation, d.Kind, d.Pointer)
				}
			}
			c.Outcome, c.Message = reports.Fail, b.String()
		}
		run.Checks = append(run.Checks, c)
	}
	reports.Finalize(run)
	return run
}
