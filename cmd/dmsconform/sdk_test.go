package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
)

func sdkRunCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestSDKCommandGo: the Go SDK has real findings (union handling), so the run exits 1
// and writes every report file.
func TestSDKCommandGo(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "go", "--out", out)
	if code != exitNonConform {
		t.Fatalf("exit %d, want %d (the Go SDK's union findings fail)\nstdout:\n%s\nstderr:\n%s", code, exitNonConform, stdout, stderr)
	}
	for _, f := range []string{reports.FileJSON, reports.FileJUnit, reports.FileHTML, reports.FileMarkdown} {
		if _, err := os.Stat(filepath.Join(out, "go", f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "js")); err == nil {
		t.Error("--sdk go wrote a js report")
	}
	run, err := reports.ReadJSON(filepath.Join(out, "go", reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if run.Kind != reports.KindSDK || run.Target.Kind != "aws-sdk-go-v2" || run.Target.Version == "" {
		t.Errorf("run kind %q target %+v", run.Kind, run.Target)
	}
	if run.Totals[reports.Fail] == 0 || run.Totals[reports.Pass] == 0 {
		t.Errorf("totals %v", run.Totals)
	}
	if !strings.Contains(stdout, "FAIL  sdk.CancelMetadataModelConversion.union-type-inside") {
		t.Errorf("summary does not list the union-type-inside finding:\n%s", stdout)
	}
	raw, _ := os.ReadFile(filepath.Join(out, "go", reports.FileJSON))
	if bytes.Contains(raw, []byte("dmsconform-sdk-secret")) || bytes.Contains(raw, []byte("AKIDDMSCONFORMSDK")) {
		t.Error("report.json contains the replay credentials")
	}
}

// TestSDKCommandKnownDeviations: the shipped known-deviations file covers every
// current Go finding, so the run exits 0 and reports them as known.
func TestSDKCommandKnownDeviations(t *testing.T) {
	out := t.TempDir()
	known := filepath.Join("..", "..", "fixtures", "known-deviations.sdk.yaml")
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "go", "--out", out, "--known-deviations", known)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var run struct {
		Checks []struct {
			ID      string          `json:"id"`
			Outcome string          `json:"outcome"`
			Known   json.RawMessage `json:"known"`
		} `json:"checks"`
	}
	raw, err := os.ReadFile(filepath.Join(out, "go", reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &run); err != nil {
		t.Fatal(err)
	}
	for _, c := range run.Checks {
		if c.Outcome == "fail" && len(c.Known) == 0 {
			t.Errorf("%s fails without a known deviation", c.ID)
		}
	}
}

// TestSDKCommandJSWithoutNode: no Node.js means the JS column is skipped with the
// reason, and skipping is not a failure.
func TestSDKCommandJSWithoutNode(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "js", "--out", out, "--node", filepath.Join(t.TempDir(), "no-node"))
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "skipped:") {
		t.Errorf("no skip reason in the summary:\n%s", stdout)
	}
	run, err := reports.ReadJSON(filepath.Join(out, "js", reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if run.Totals[reports.Skipped] != len(run.Checks) || len(run.Checks) == 0 {
		t.Errorf("totals %v for %d checks: want all skipped", run.Totals, len(run.Checks))
	}
}

func TestSDKCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"sdk", "--sdk", "python"},
		{"sdk", "--bogus"},
		{"sdk", "extra"},
		{"sdk", "--known-deviations", "/no/such/file.yaml"},
		{"sdk", "--fixtures", "/no/such/dir"},
	} {
		if code, _, stderr := sdkRunCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %s)", args, code, exitUsage, stderr)
		}
	}
	if code, _, _ := sdkRunCLI(t, "sdk", "--help"); code != exitOK {
		t.Errorf("--help: exit %d", code)
	}
}
