package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/suites/all"
	sdk "github.com/dmsconform/dmsconform/suites/sdk"
)

// dmsconform runs the CLI in this process (a run is a value: nothing global stays
// behind) and returns its exit code and output.
func dmsconform(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := dispatch(args, &out, &out)
	return code, out.String()
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"conformant", []string{"run", "--out", filepath.Join(dir, "ok"), "--label-filter", "fault || input"}, 0, "PASS"},
		{"non-conformant", []string{"run", "--out", filepath.Join(dir, "bad"), "--defects", "fault-status-500", "--label-filter", "fault"}, 1, "fault.ResourceNotFoundFault.wire"},
		{"usage", []string{"run", "--target", "endpoint"}, 2, "--endpoint is required"},
		{"unknown flag", []string{"run", "--nope"}, 2, "flag provided but not defined"},
		{"label selecting nothing", []string{"run", "--label-filter", "parity"}, 2, fmt.Sprintf("selects none of the %d checks: the labels are", len(all.Checks()))},
		{"unreachable", []string{"run", "--out", filepath.Join(dir, "unreachable"), "--target", "endpoint", "--endpoint", "http://127.0.0.1:1", "--project", "p", "--max-attempts", "2"}, 3, "unreachable"},
		{"help", []string{"run", "--help"}, 0, "--known-deviations"},
		{"help lists exit codes", []string{"run", "--help"}, 0, "130 interrupted"},
		{"short account id", []string{"run", "--target", "aws", "--project", "p", "--allow-account", "1111"}, 2, "exactly 12 digits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := dmsconform(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s", code, tc.code, tc.want, out)
			}
		})
	}
}

func TestRunWritesLatestLink(t *testing.T) {
	root := t.TempDir()
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	code, out := dmsconform(t, "run", "--label-filter", "input")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	target, err := os.Readlink(filepath.Join(root, "reports", "out", "latest"))
	if err != nil || !strings.HasPrefix(target, "embedded-") {
		t.Fatalf("reports/out/latest: %q %v", target, err)
	}
	if _, err := os.Stat(filepath.Join(root, "reports", "out", "latest", "report.html")); err != nil {
		t.Fatal(err)
	}
}

func TestChecksFormats(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"checks", "--format", "markdown"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "suites", "CHECKS.md"))
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(committed) {
		t.Fatalf("dmsconform checks --format markdown differs from the committed suites/CHECKS.md: run make generate")
	}
	out.Reset()
	if code := dispatch([]string{"checks", "--format", "json"}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	var doc struct {
		Checks    []struct{ ID string } `json:"checks"`
		SDKChecks []struct{ ID string } `json:"sdkChecks"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Checks) != len(all.Checks()) {
		t.Fatalf("json: %v, %d checks, want %d", err, len(doc.Checks), len(all.Checks()))
	}
	if fixtures, err := sdk.LoadDefault(); err != nil || len(doc.SDKChecks) != len(fixtures) {
		t.Fatalf("%d SDK fixture checks for %d fixtures (%v)", len(doc.SDKChecks), len(fixtures), err)
	}
	out.Reset()
	out.Reset()
	if code := dispatch([]string{"checks", "--label-filter", "union"}, &out, &errb); code != 0 || strings.Contains(out.String(), ".fault.") || !strings.Contains(out.String(), ".union.") {
		t.Fatalf("--label-filter union:\n%s", out.String())
	}
	out.Reset()
	errb.Reset()
	if code := dispatch([]string{"checks", "--label-filter", "bogus"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "the labels are") {
		t.Fatalf("--label-filter bogus: exit %d, want 2 with the label list:\n%s%s", code, out.String(), errb.String())
	}
	if code := dispatch([]string{"checks", "--format", "yaml"}, &out, &errb); code != 2 {
		t.Fatalf("an unknown format must exit 2, got %d", code)
	}
}

// Two real runs, the second with an emulator defect: dmsconform diff shows the
// regression and exits 1; the same report against itself exits 0.
func TestDiffOfTwoRunsShowsTheRegression(t *testing.T) {
	dir := t.TempDir()
	before, after := filepath.Join(dir, "before"), filepath.Join(dir, "after")
	if code, out := dmsconform(t, "run", "--out", before, "--label-filter", "lifecycle"); code != 0 {
		t.Fatalf("clean run: exit %d\n%s", code, out)
	}
	if code, out := dmsconform(t, "run", "--out", after, "--label-filter", "lifecycle", "--defects", "request-id-mismatch"); code != 1 {
		t.Fatalf("defect run: exit %d\n%s", code, out)
	}
	var out, errb bytes.Buffer
	code := dispatch([]string{"diff", filepath.Join(before, "report.json"), filepath.Join(after, "report.json")}, &out, &errb)
	if code != 1 || !strings.Contains(out.String(), "new-failure") || !strings.Contains(out.String(), "lifecycle.echo-request-identifier") {
		t.Fatalf("exit %d, want 1 naming the new failure:\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := dispatch([]string{"diff", filepath.Join(after, "report.json"), filepath.Join(after, "report.json")}, &out, &errb); code != 0 {
		t.Fatalf("a report against itself has no new failures, exit %d:\n%s", code, out.String())
	}
}

// TestPaperCuts: the version, a wrong flag answered in one line, not the whole help.
func TestPaperCuts(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out := dmsconform(t, args...)
		if code != 0 || !strings.HasPrefix(out, "dmsconform ") || !strings.Contains(out, "model ") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
	code, out := dmsconform(t, "run", "--nope")
	if code != 2 || strings.Count(out, "\n") > 3 || !strings.Contains(out, "run 'dmsconform run --help'") {
		t.Errorf("an unknown flag: exit %d, want 2 and two lines (the error, where help is):\n%s", code, out)
	}
	code, out = dmsconform(t, "run", "--label-filter", "fault &&")
	if code != 2 || strings.Contains(out, "\x1b[") {
		t.Errorf("a label-filter error must carry no terminal colour codes: exit %d %q", code, out)
	}
}
