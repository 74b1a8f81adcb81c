package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dmsconform/dmsconform/record"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// JudgeOptions configures re-judging a recording offline.
type JudgeOptions struct {
	Recording       string // the recording folder
	LabelFilter     string
	Out             string // report folder; "" = a new folder under OutRoot
	OutRoot         string
	KnownDeviations string
	Baseline        string
	Strict          bool // count unmet SHOULDs as failures, as run --strict does
	Stdout          io.Writer
	Now             func() time.Time
}

// Judge re-judges a recording with this build's checks: no target, no network. The
// evidence is the recording's; a check whose evidence the recording lacks (a newer
// check, another label filter) is skipped with that reason.
func Judge(ctx context.Context, jo JudgeOptions) (*Result, error) {
	opts := Options{LabelFilter: jo.LabelFilter, Out: jo.Out, OutRoot: jo.OutRoot, KnownDeviations: jo.KnownDeviations,
		Baseline: jo.Baseline, Stdout: jo.Stdout, Now: jo.Now}
	opts.defaults()
	rec, err := record.Load(jo.Recording)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	p, err := prepare(opts, "judge")
	if err != nil {
		return nil, err
	}
	sess, err := offlineSession(rec)
	if err != nil {
		if p.fresh {
			os.RemoveAll(p.dir)
		}
		return nil, &UsageError{Err: fmt.Errorf("%s: %w", jo.Recording, err)}
	}
	started := opts.Now().UTC()
	res := engine.JudgeAll(ctx, sess, p.checks)
	run := &reports.Run{
		Mode:        reports.ModeTarget,
		Tool:        Tool(),
		Target:      reports.Target{TargetKind: rec.Meta.Target.TargetKind, Name: "recording " + jo.Recording, Region: rec.Meta.Target.Region, Project: rec.Meta.Target.Project},
		Model:       ModelInfo(),
		Started:     started,
		Duration:    opts.Now().UTC().Sub(started),
		LabelFilter: opts.LabelFilter,
		Checks:      res.Checks,
		Causes:      res.Causes,
		Strict:      jo.Strict,
	}
	out := &Result{Run: run, Dir: p.dir}
	if rec.Meta.Model.SHA256 != run.Model.SHA256 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the recording was made with model %s (sha256 %.12s), this build has %s (sha256 %.12s): the newer checks judge the old evidence",
			rec.Meta.Model.Version, rec.Meta.Model.SHA256, run.Model.Version, run.Model.SHA256))
	}
	out.Warnings = append(out.Warnings, reports.ApplyKnown(run, p.known, opts.Now())...)
	if p.baseline != nil {
		run.Baseline = reports.Compare(p.baseline, run, p.known, opts.Now())
	}
	reports.Finalize(run)
	if err := reports.WriteAll(p.dir, run); err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("writing the reports: %w", err)}
	}
	if p.fresh {
		linkLatest(opts.OutRoot, p.dir)
	}
	out.ExitCode = reports.ExitCode(run)
	printSummary(opts.Stdout, out, engine.Config{})
	return out, nil
}
