package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/sdk"
)

func sdkRunCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestSDKCommandGo: the Go SDK has real findings (union handling), so without the
// known deviations the run exits 1, and it writes every report file.
func TestSDKCommandGo(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "go", "--out", out, "--known-deviations", "none")
	if code != reports.ExitNonConform {
		t.Fatalf("exit %d, want %d (the Go SDK's union findings fail)\nstdout:\n%s\nstderr:\n%s", code, reports.ExitNonConform, stdout, stderr)
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
	if run.Mode != reports.ModeSDK || run.Target.TargetKind != "aws-sdk-go-v2" || run.Target.Version == "" {
		t.Errorf("run kind %q target %+v", run.Mode, run.Target)
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
	if code != reports.ExitOK {
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
	if code != reports.ExitOK {
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
		{"sdk", "--sdk", "rust"},
		{"sdk", "--sdk", "go,rust"},
		{"sdk", "--bogus"},
		{"sdk", "extra"},
		{"sdk", "--known-deviations", "/no/such/file.yaml"},
		{"sdk", "--fixtures", "/no/such/dir"},
	} {
		if code, _, stderr := sdkRunCLI(t, args...); code != reports.ExitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %s)", args, code, reports.ExitUsage, stderr)
		}
	}
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--help")
	if code != reports.ExitOK {
		t.Errorf("--help: exit %d", code)
	}
	help := stdout + stderr
	for _, e := range sdk.Registry {
		if !strings.Contains(help, "  "+e.Name+" ") || !strings.Contains(help, e.Target) {
			t.Errorf("--help does not list the SDK %s (%s):\n%s", e.Name, e.Target, help)
		}
		for _, o := range e.Options {
			if !strings.Contains(help, "-"+o.Flag) {
				t.Errorf("--help does not list the flag --%s of %s", o.Flag, e.Name)
			}
		}
	}
	for _, want := range []string{"all", runner.DefaultSDKKnownDeviations, "matrix.html"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help does not mention %q:\n%s", want, help)
		}
	}
}

// TestSDKCommandDefaultKnownDeviations: without --known-deviations the repository's
// fixtures/known-deviations.sdk.yaml applies (found from the working directory up),
// so the shipped findings are known and the run exits 0; --known-deviations none
// turns it off, and a custom --fixtures folder does not get it.
func TestSDKCommandDefaultKnownDeviations(t *testing.T) {
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "go", "--out", t.TempDir())
	if code != reports.ExitOK {
		t.Fatalf("exit %d, want 0 (the default known deviations cover the Go findings)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "known-deviations.sdk.yaml (default)") || !strings.Contains(stdout, "  known sdk.") {
		t.Errorf("the summary does not say the default file was used:\n%s", stdout)
	}
	if code, stdout, _ := sdkRunCLI(t, "sdk", "--sdk", "go", "--out", t.TempDir(), "--known-deviations="); code != reports.ExitNonConform || strings.Contains(stdout, "(default)") {
		t.Errorf("--known-deviations= : exit %d, want %d without any file\n%s", code, reports.ExitNonConform, stdout)
	}
}

// TestSDKCommandAll: every registered SDK gets its report folder; the side-by-side
// page is written next to them, linked from the console, with one row per fixture
// and one column per SDK. The SDKs that are not installed here are skipped, not failed.
func TestSDKCommandAll(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "all", "--out", out)
	if code != reports.ExitOK {
		t.Fatalf("exit %d, want 0 (every finding is a known deviation)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	fixtures, err := sdk.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sdk.Registry {
		run, err := reports.ReadJSON(filepath.Join(out, e.Name, reports.FileJSON))
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if run.Target.TargetKind != e.Target || len(run.Checks) != len(fixtures) {
			t.Errorf("%s: target %q with %d checks, want %q with %d", e.Name, run.Target.TargetKind, len(run.Checks), e.Target, len(fixtures))
		}
		if !strings.Contains(stdout, e.Target+" ") {
			t.Errorf("no summary line for %s:\n%s", e.Target, stdout)
		}
	}
	page := filepath.Join(out, reports.FileSDKMatrixHTML)
	if !strings.Contains(stdout, "side by side: "+page) {
		t.Errorf("the console does not link the side-by-side page %s:\n%s", page, stdout)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, reports.FileSDKMatrixMarkdown))
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range fixtures {
		if !bytes.Contains(md, []byte("| `"+fx.ID+"` ")) {
			t.Errorf("matrix.md has no row for %s", fx.ID)
		}
	}
	for _, e := range sdk.Registry {
		if !bytes.Contains(html, []byte(`href="`+e.Name+`/report.html"`)) {
			t.Errorf("matrix.html does not link %s/report.html", e.Name)
		}
	}
	if bytes.Contains(html, []byte("<script")) || bytes.Contains(html, []byte("dmsconform-sdk-secret")) {
		t.Error("matrix.html has a script or the replay secret")
	}
}

// TestSDKCommandBotocoreWithoutPython: no Python means the botocore column is
// skipped with the reason, and skipping is not a failure.
func TestSDKCommandBotocoreWithoutPython(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "boto3", "--out", out, "--python", filepath.Join(t.TempDir(), "no-python"))
	if code != reports.ExitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "skipped:") || !strings.Contains(stdout, "pip install botocore") {
		t.Errorf("no skip reason with the install hint in the summary:\n%s", stdout)
	}
	run, err := reports.ReadJSON(filepath.Join(out, "botocore", reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if run.Totals[reports.Skipped] != len(run.Checks) || len(run.Checks) == 0 {
		t.Errorf("totals %v for %d checks: want all skipped", run.Totals, len(run.Checks))
	}
}

// TestSDKVersionsUsage: --versions takes a list or nothing; a bad list, or one that
// --sdk leaves empty, is a usage error before anything is built.
func TestSDKVersionsUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sdk", "--versions=rust@1"}, `--versions: version "rust@1": unknown SDK "rust"`},
		{[]string{"sdk", "--versions=go@1.64.0"}, "is not a Go module version"},
		{[]string{"sdk", "--sdk", "js", "--versions=go@v1.64.0,botocore"}, "names no version of the SDKs --sdk js selects"},
	} {
		code, _, stderr := sdkRunCLI(t, tc.args...)
		if code != reports.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", tc.args, code, stderr, reports.ExitUsage, tc.want)
		}
	}
	_, stdout, stderr := sdkRunCLI(t, "sdk", "--help")
	if help := stdout + stderr; !strings.Contains(help, "--versions[=SDK@VERSION,...]") || !strings.Contains(help, sdk.VersionsDirEnv) {
		t.Errorf("--help does not document --versions:\n%s", help)
	}
}
