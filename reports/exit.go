package reports

import "slices"

// Exit codes of every dmsconform command (the CLI contract), declared here once:
// cmd/dmsconform maps its commands' results to them, the runner's results carry
// them, and a merge ranks them.
const (
	ExitOK          = 0   // conformant (with a baseline: no new failures)
	ExitNonConform  = 1   // non-conformance or new failures
	ExitUsage       = 2   // usage or configuration error (found before anything runs)
	ExitHarnessFail = 3   // target unreachable, credentials rejected, or harness error
	ExitInterrupted = 130 // SIGINT/SIGTERM: the run stopped early (reports say so)
)

// ExitCode is the exit code `dmsconform run` gives a run: 130 interrupted; 1 for
// non-conformance (MUST failures no known deviation covers, or with a baseline new MUST
// failures; SHOULD failures too with --strict); 3 when a check ended in error; 0
// otherwise. An unmet SHOULD alone is exit 0.
func ExitCode(run *Run) int {
	switch {
	case run.Interrupted:
		return ExitInterrupted
	case run.Baseline != nil && NewConformanceFailures(run) > 0:
		return ExitNonConform
	case run.Baseline == nil && ConformanceExitFailures(run) > 0:
		return ExitNonConform
	case ComputeTotals(run.Checks)[Error] > 0:
		return ExitHarnessFail
	}
	return ExitOK
}

// exitSeverity orders the exit codes from harmless to worst, for WorstExitCode: a
// non-conformance (1) pages a person; a broken harness or target (3) says nothing was
// judged; an interrupted run (130) judged less than it should. Any other non-zero
// code ranks as an error.
var exitSeverity = []int{ExitOK, ExitInterrupted, ExitHarnessFail, ExitNonConform}

func exitRank(code int) int {
	if i := slices.Index(exitSeverity, code); i >= 0 {
		return i
	}
	return slices.Index(exitSeverity, ExitHarnessFail)
}

// WorstExitCode is the worst of several runs' exit codes: 1 over 3 over 130 over 0.
func WorstExitCode(codes ...int) int {
	worst := ExitOK
	for _, c := range codes {
		if exitRank(c) > exitRank(worst) {
			worst = c
		}
	}
	return worst
}
