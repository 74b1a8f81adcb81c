package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

// childEnv carries a child run's options; its presence makes MaybeChild run one.
const childEnv = "DMSCONFORM_RUNNER_CHILD"

type childOptions struct {
	Config          conformance.Config `json:"config"`
	LabelFilter     string             `json:"labelFilter"`
	Out             string             `json:"out"`
	Baseline        string             `json:"baseline"`
	KnownDeviations string             `json:"knownDeviations"`
	ResultFile      string             `json:"resultFile"`
	Verbose         bool               `json:"verbose"`
	Record          string             `json:"record,omitempty"`
}

type childResult struct {
	ExitCode int      `json:"exitCode"`
	Dir      string   `json:"dir"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// MaybeChild runs the child side of RunIsolated when this process was started as one
// and exits; otherwise it returns at once. Call it first in main and in TestMain.
func MaybeChild() {
	raw := os.Getenv(childEnv)
	if raw == "" {
		return
	}
	var co childOptions
	if err := json.Unmarshal([]byte(raw), &co); err != nil {
		fmt.Fprintf(os.Stderr, "dmsconform child: bad options: %v\n", err)
		os.Exit(ExitHarnessFail)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := Run(ctx, Options{Config: co.Config, LabelFilter: co.LabelFilter, Out: co.Out, Baseline: co.Baseline,
		KnownDeviations: co.KnownDeviations, Stdout: os.Stdout, Stderr: os.Stderr, Verbose: co.Verbose, Record: co.Record})
	cr := childResult{}
	if err != nil {
		cr.ExitCode, cr.Error = ExitCodeOf(err), err.Error()
	} else {
		cr.ExitCode, cr.Dir, cr.Warnings = res.ExitCode, res.Dir, res.Warnings
	}
	if b, err := json.Marshal(cr); err == nil && co.ResultFile != "" {
		_ = os.WriteFile(co.ResultFile, b, 0o600)
	}
	os.Exit(cr.ExitCode)
}

// RunIsolated runs the suites in a child process of this executable (which must call
// MaybeChild first), so one process can run them any number of times. opts.Out must be
// set; the child's progress goes to opts.Stdout/Stderr.
func RunIsolated(ctx context.Context, opts Options) (*Result, error) {
	opts.defaults()
	if opts.Out == "" {
		return nil, &UsageError{Err: errors.New("RunIsolated needs Options.Out")}
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, &UsageError{Err: err}
	}
	self, err := os.Executable()
	if err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("finding this executable to run the suites in a child: %w", err)}
	}
	resultFile := filepath.Join(opts.Out, ".child-result.json")
	co := childOptions{Config: opts.Config, LabelFilter: opts.LabelFilter, Out: opts.Out, Baseline: opts.Baseline,
		KnownDeviations: opts.KnownDeviations, ResultFile: resultFile, Verbose: opts.Verbose, Record: opts.Record}
	raw, err := json.Marshal(co)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.Stdout, cmd.Stderr = opts.Stdout, opts.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // let the child clean up
	runErr := cmd.Run()
	defer os.Remove(resultFile)
	data, err := os.ReadFile(resultFile)
	if err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("the child run ended (%v) without a result: %w", runErr, err)}
	}
	var cr childResult
	if err := json.Unmarshal(data, &cr); err != nil {
		return nil, &HarnessError{Err: fmt.Errorf("the child's result: %w", err)}
	}
	if cr.Error != "" {
		if cr.ExitCode == ExitUsage {
			return nil, &UsageError{Err: errors.New(cr.Error)}
		}
		return nil, &HarnessError{Err: errors.New(cr.Error)}
	}
	run, err := reports.ReadJSON(filepath.Join(cr.Dir, reports.FileJSON))
	if err != nil {
		return nil, &HarnessError{Err: err}
	}
	return &Result{Run: run, Dir: cr.Dir, ExitCode: cr.ExitCode, Warnings: cr.Warnings}, nil
}
