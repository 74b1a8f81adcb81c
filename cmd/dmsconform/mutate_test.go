package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
)

// TestMutateCommand: dmsconform mutate with one mode, one virtual-clock run and no
// real-time run (runner's self-test runs three) writes the four reports and the Markdown tables, and says what it
// judged; with a subset of the modes it does not ask every check to be proven.
func TestMutateCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mutation")
	md := filepath.Join(t.TempDir(), "matrix.md")
	code, stdout, stderr := sdkRunCLI(t, "mutate", "--modes", "wrong-content-type", "--repeats", "1", "--real-time", "0", "--out", out, "--markdown", md)
	if code != reports.ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"1 modes, kill rate 100%", "1 identical virtual-clock runs", "0 real-time runs"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the console lacks %q:\n%s", want, stdout)
		}
	}
	run, err := reports.ReadJSON(filepath.Join(out, reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if run.Matrix == nil || len(run.Matrix.Proofs) == 0 || run.Matrix.Coverage.Checks != len(run.Matrix.Proofs) {
		t.Fatalf("report.json has no proofs: %+v", run.Matrix)
	}
	table, err := os.ReadFile(md)
	if err != nil || !strings.Contains(string(table), "| `wrong-content-type` |") || !strings.Contains(string(table), "| check kind | checks |") {
		t.Errorf("--markdown: %v\n%s", err, table)
	}
}
