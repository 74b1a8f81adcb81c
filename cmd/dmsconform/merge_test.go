package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
)

// TestMergeAndHistoryCommands: the CLI maps the runner's results to exit codes: a
// merge exits with its worst report's code, a history 0, usage errors 2; flags may
// stand before or after the folders.
func TestMergeAndHistoryCommands(t *testing.T) {
	good := diffTestReport(t, map[string]reports.Outcome{"op.a": reports.Pass, "op.b": reports.Pass})
	bad := diffTestReport(t, map[string]reports.Outcome{"op.a": reports.Pass, "op.b": reports.Fail})
	out := filepath.Join(t.TempDir(), "merged")
	cases := []struct {
		args []string
		want int
		says string
	}{
		{[]string{"merge", "--out", out, good, bad, "--label", "one,two"}, reports.ExitNonConform, "verdict: FAIL"},
		{[]string{"merge", "--out", t.TempDir(), good}, reports.ExitOK, "verdict: PASS"},
		{[]string{"merge"}, reports.ExitUsage, "no reports"},
		{[]string{"merge", "--label", "a", "--label", "b", good}, reports.ExitUsage, "2 labels for 1 reports"},
		{[]string{"merge", filepath.Join(t.TempDir(), "nothing")}, reports.ExitUsage, "does not exist"},
		{[]string{"merge", out, good}, reports.ExitUsage, "is a merged report"},
		{[]string{"history", "--out", t.TempDir(), good, bad, "--keep", "5"}, reports.ExitOK, "2 run(s) of embedded"},
		{[]string{"history", "--keep", "-1", good}, reports.ExitUsage, "--keep -1"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := dispatch(c.args, &stdout, &stderr); code != c.want || !strings.Contains(stdout.String()+stderr.String(), c.says) {
			t.Errorf("dmsconform %s: exit %d (want %d), output lacks %q:\n%s%s", strings.Join(c.args, " "), code, c.want, c.says, stdout.String(), stderr.String())
		}
	}
	md, err := os.ReadFile(filepath.Join(out, reports.FileMarkdown))
	if err != nil || !strings.Contains(string(md), "| **one** |") || !strings.Contains(string(md), "| **two** |") {
		t.Errorf("summary.md of the merge (labels from --label): %v\n%s", err, md)
	}
}
