package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/all"
)

// cmdChildEnv makes the test binary act as the dmsconform binary: the run command can
// run the suites only once per process, so each run gets a process of its own.
const cmdChildEnv = "DMSCONFORM_CMD_CHILD_ARGS"

func TestMain(m *testing.M) {
	runner.MaybeChild()
	if raw := os.Getenv(cmdChildEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			panic(err)
		}
		os.Exit(dispatch(args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// dmsconform runs the CLI in a child process and returns its exit code and output.
func dmsconform(t *testing.T, args ...string) (int, string) {
	t.Helper()
	raw, _ := json.Marshal(args)
	self, _ := os.Executable()
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), cmdChildEnv+"="+string(raw))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"conformant", []string{"run", "--out", filepath.Join(dir, "ok"), "--label-filter", "fault || protocol"}, 0, "PASS"},
		{"non-conformant", []string{"run", "--out", filepath.Join(dir, "bad"), "--defects", "fault-status-500", "--label-filter", "fault"}, 1, "fault.ResourceNotFoundFault.wire"},
		{"usage", []string{"run", "--target", "endpoint"}, 2, "--endpoint is required"},
		{"unknown flag", []string{"run", "--nope"}, 2, "flag provided but not defined"},
		{"unreachable", []string{"run", "--target", "endpoint", "--endpoint", "http://127.0.0.1:1", "--project", "p"}, 3, "unreachable"},
		{"help", []string{"run", "--help"}, 0, "--known-deviations"},
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
	code, out := dmsconform(t, "run", "--label-filter", "protocol")
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
		Checks []struct{ ID string } `json:"checks"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Checks) != len(all.Checks()) {
		t.Fatalf("json: %v, %d checks, want %d", err, len(doc.Checks), len(all.Checks()))
	}
	out.Reset()
	if code := dispatch([]string{"checks", "--label", "union"}, &out, &errb); code != 0 || strings.Contains(out.String(), ".fault.") || !strings.Contains(out.String(), ".union.") {
		t.Fatalf("--label union:\n%s", out.String())
	}
	if code := dispatch([]string{"checks", "--format", "yaml"}, &out, &errb); code != 2 {
		t.Fatalf("an unknown format must exit 2, got %d", code)
	}
}
