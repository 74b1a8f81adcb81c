package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/reports"
)

// diffTestReport writes a report with the given outcomes and returns its folder.
func diffTestReport(t *testing.T, outcomes map[string]reports.Outcome) string {
	t.Helper()
	run := &reports.Run{Mode: reports.ModeTarget, Target: reports.Target{TargetKind: "embedded"}, Started: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}
	for id, o := range outcomes {
		run.Checks = append(run.Checks, reports.Check{CheckInfo: reports.CheckInfo{ID: id, Title: id}, Outcome: o, Message: "message of " + id})
	}
	dir := t.TempDir()
	if err := reports.WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runDiffCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := dispatch(append([]string{"diff"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDiffExitCodes(t *testing.T) {
	old := diffTestReport(t, map[string]reports.Outcome{"op.a": reports.Pass, "op.b": reports.Fail, "op.c": reports.Pass})
	same := diffTestReport(t, map[string]reports.Outcome{"op.a": reports.Pass, "op.b": reports.Pass, "op.c": reports.Error})
	worse := diffTestReport(t, map[string]reports.Outcome{"op.a": reports.Fail, "op.b": reports.Fail, "op.d": reports.Drift})

	code, out, errs := runDiffCmd(filepath.Join(old, "report.json"), filepath.Join(same, "report.json"))
	if code != reports.ExitOK {
		t.Errorf("fixed + error: exit %d, want 0\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "fixed") || !strings.Contains(out, "op.b") || !strings.Contains(out, "OK: no new failures") {
		t.Errorf("text output:\n%s", out)
	}

	code, out, _ = runDiffCmd(old, worse) // folders work too
	if code != reports.ExitNonConform {
		t.Errorf("new failure: exit %d, want 1", code)
	}
	for _, want := range []string{"new-failure       1", "op.a", "pass -> fail", "message of op.a", "removed", "op.c", "new-check", "FAIL: 1 new failure(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "unchanged     op.b") {
		t.Errorf("unchanged check listed:\n%s", out)
	}

	// A known deviation turns the new failure into known: exit 0.
	known := filepath.Join(t.TempDir(), "known.yaml")
	os.WriteFile(known, []byte("- {check: op.a, target: embedded, reason: 'tracked in #1', expires: 2999-01-01}\n- {check: op.b, target: '*', reason: old, expires: 2000-01-01}\n"), 0o644)
	code, out, errs = runDiffCmd("--known-deviations", known, "--format", "json", old, worse)
	if code != reports.ExitOK {
		t.Errorf("known deviation: exit %d, want 0\n%s%s", code, out, errs)
	}
	var doc struct {
		NewFailures bool
		Comparison  reports.Comparison
		Warnings    []string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--format json: %v\n%s", err, out)
	}
	if doc.NewFailures || doc.Comparison.Counts[reports.KnownFailure] != 1 || len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "expired") {
		t.Errorf("json doc %+v", doc)
	}
	if !strings.Contains(errs, "expired") {
		t.Errorf("expired warning not printed to stderr: %q", errs)
	}

	// Flags after the paths, markdown.
	code, out, _ = runDiffCmd(old, worse, "--format", "markdown")
	if code != reports.ExitNonConform || !strings.HasPrefix(out, "### dmsconform diff: ❌") || !strings.Contains(out, "| new-failure | `op.a` | pass → fail |") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
}

func TestDiffUsageErrors(t *testing.T) {
	good := diffTestReport(t, map[string]reports.Outcome{"op.a": reports.Pass})
	bad := filepath.Join(t.TempDir(), "report.json")
	os.WriteFile(bad, []byte(`{"schemaVersion":"dmsconform.report/v0"}`), 0o644)
	badKnown := filepath.Join(t.TempDir(), "k.yaml")
	os.WriteFile(badKnown, []byte("- check: op.a\n"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"--help"}, reports.ExitOK, "Usage: dmsconform diff"},
		{"no args", nil, reports.ExitUsage, "need two reports, got 0"},
		{"one arg", []string{good}, reports.ExitUsage, "pass the baseline first"},
		{"three args", []string{good, good, good}, reports.ExitUsage, "got 3"},
		{"missing", []string{good, filepath.Join(good, "nope.json")}, reports.ExitUsage, "new report (second argument)"},
		{"old schema", []string{bad, good}, reports.ExitUsage, `"dmsconform.report/v0"`},
		{"bad flag", []string{"--nope", good, good}, reports.ExitUsage, "flag provided but not defined"},
		{"bad format", []string{"--format", "xml", good, good}, reports.ExitUsage, "use text, json or markdown"},
		{"bad known", []string{"--known-deviations", badKnown, good, good}, reports.ExitUsage, "entry 1, field target"},
		{"same file", []string{good, good}, reports.ExitOK, "OK: no new failures"},
		{"dash dash", []string{"--", good, good}, reports.ExitOK, ""},
	}
	for _, c := range cases {
		code, out, errs := runDiffCmd(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%s: exit %d (want %d), output lacks %q:\n%s%s", c.name, code, c.code, c.want, out, errs)
		}
	}
}
