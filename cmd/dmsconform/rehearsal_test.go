package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/internal/motoserver"
	"github.com/dmsconform/dmsconform/reports"
)

// The rehearsal of the nightly: the step "Run the suites against DMS" of
// .github/workflows/nightly.yml, its own script run by bash with its job's environment
// (the cell's account guard, project, failing project and Start inputs: the workflow's
// ${{ matrix.cell.* }} filled in from a cell), `./bin/dmsconform` being this test
// binary acting as the CLI. `--target aws` takes its credentials from the SDK's default
// chain, STS is moto's server (AWS_ENDPOINT_URL_STS), DMS the standalone emulator in
// its real-DMS behaviour on the wall clock (AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE).
// Only the pace differs from a night: a lifecycle step of 300 ms and polls from 100 ms
// (DMSCONFORM_MIN_DELAY), so the test takes seconds.

const rehearsalAccount = "111122223333"

// nightlyStep runs the nightly's run step for cell in a fresh folder laid out as the
// job's checkout (bin/dmsconform, conformance/), with nothing of the test's AWS_* or
// DMSCONFORM_* variables: the job's env, then env. It returns the exit code, the
// output and the report.
func nightlyStep(t *testing.T, cell map[string]string, env ...string) (int, string, *reports.Run) {
	t.Helper()
	var wf struct {
		Jobs map[string]struct {
			Env   map[string]string `yaml:"env"`
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, ".github", "workflows", "nightly.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	job := wf.Jobs["conformance"]
	script := ""
	for _, st := range job.Steps {
		if st.Name == "Run the suites against DMS" {
			script = st.Run
		}
	}
	if script == "" {
		t.Fatal(`nightly.yml has no step "Run the suites against DMS" in its conformance job`)
	}
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs(repoRoot)
	for link, to := range map[string]string{"bin/dmsconform": self, "conformance": filepath.Join(root, "conformance")} {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(dir, link)), 0o755)
		if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script) // as GitHub runs a step
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "DMSCONFORM_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	matrix := regexp.MustCompile(`\$\{\{ *matrix\.cell\.([a-z_]+) *\}\}`)
	for k, v := range job.Env {
		v = matrix.ReplaceAllStringFunc(v, func(m string) string { return cell[matrix.FindStringSubmatch(m)[1]] })
		if strings.Contains(v, "${{") {
			t.Fatalf("nightly.yml's %s = %s: the rehearsal fills in only ${{ matrix.cell.* }}", k, job.Env[k])
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, envAsCLI+"=1", "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-credentials"), "AWS_EC2_METADATA_DISABLED=true",
		// the pace of the rehearsal (a night keeps the aws defaults: 1 s to 30 s, 5 calls a second)
		"DMSCONFORM_MIN_DELAY=100ms", "DMSCONFORM_MAX_DELAY=1s", "DMSCONFORM_MAX_RATE=100")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	run, err := reports.ReadJSON(filepath.Join(dir, "out", "report", reports.FileJSON))
	if err != nil {
		t.Fatalf("exit %d, no report: %v\n%s", code, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "recording", "recording.json")); err != nil {
		t.Errorf("no recording: %v", err)
	}
	return code, string(out), run
}

// rehearsalCell is a cell of DMSCONFORM_CELLS for the standalone emulator: its seeded
// project and failing project, and the repository's example Start inputs (selection
// rules of server dmsconform, the emulator's projects' source).
func rehearsalCell(account string) map[string]string {
	return map[string]string{"account": account, "region": "us-east-1", "project": emulator.DefaultProject,
		"failing_project": emulator.FailingProject, "start_inputs": "conformance/start-inputs.example.json"}
}

func writeRehearsalFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRehearseTheNightly: a shared config file with a default and a denied profile
// (static keys the emulator knows), STS answered by moto's server, DMS by the
// standalone emulator, the cell's Start inputs and failing project given: the run reads
// PASS with no failure, the cancel lifecycle and the ErrorDetails union judged in both
// families, the checks no real DMS can support listed as coverage.
func TestRehearseTheNightly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto's server and runs in real time")
	}
	sts := motoserver.Start(t)
	dms, _ := startEmulate(t, "--step", "300ms")
	config := writeRehearsalFile(t, t.TempDir(), "config", "[default]\nregion = us-east-1\naws_access_key_id = "+emulator.DefaultAccessKeyID+
		"\naws_secret_access_key = "+emulator.DefaultSecretAccessKey+"\n\n[profile denied]\nregion = us-east-1\naws_access_key_id = "+emulator.DeniedAccessKeyID+
		"\naws_secret_access_key = "+emulator.DeniedSecretAccessKey+"\n")
	// moto's STS answers GetCallerIdentity for long-term keys with its default account,
	// the emulator's too.
	code, out, run := nightlyStep(t, rehearsalCell(emulator.DefaultAccountID), "AWS_CONFIG_FILE="+config, "AWS_ENDPOINT_URL_STS="+sts,
		"AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE="+dms, "DMSCONFORM_DENIED_PROFILE=denied")
	status, text := reports.VerdictStatus(run)
	t.Logf("%s: %s", status, text)
	if code != reports.ExitOK || status != "PASS" {
		t.Errorf("exit %d, %s: %s\n%s", code, status, text, out)
	}
	byID := map[string]reports.Check{}
	for _, c := range run.Checks {
		byID[c.ID] = c
		if c.Outcome == reports.Fail || c.Outcome == reports.Error {
			t.Errorf("%s: %s: %s", c.ID, c.Outcome, c.Message)
		}
	}
	for _, op := range []string{"CancelMetadataModelConversion", "CancelMetadataModelCreation"} {
		for _, id := range []string{"lifecycle.cancel", "lifecycle.canceled", "lifecycle.terminal-stays", "union.ErrorDetails.single-member",
			"union.ErrorDetails.defaultErrorDetails.decodes", "shape.Request.Error.defaultErrorDetails.Message",
			"fault.InvalidResourceStateFault.wire", "fault.AccessDeniedFault.wire", "fault.AccessDeniedFault.sdk"} {
			if c := byID[op+"."+id]; c.Outcome != reports.Pass {
				t.Errorf("%s.%s: %s %s, want it judged (pass)", op, id, c.Outcome, c.Message)
			}
		}
	}
	if len(run.NotApplicable) == 0 || run.NotApplicable[0].Cause != "not-applicable/control" {
		t.Errorf("coverage: %+v, want the control surface's checks not applicable on aws", run.NotApplicable)
	}
	if strings.Contains(out, emulator.DefaultSecretAccessKey) || strings.Contains(out, emulator.DefaultAccountID) {
		t.Errorf("the output shows a secret or an account id:\n%s", out)
	}
}

// TestRehearseTheNightlyOIDC rehearses the nightly's credentials: GitHub's OIDC token in
// AWS_WEB_IDENTITY_TOKEN_FILE and the cell's role in AWS_ROLE_ARN, exchanged by the
// SDK's default chain for temporary credentials (AssumeRoleWithWebIdentity at moto's
// STS), whose account the guard checks; the emulator accepts any access key
// (--any-access-key), as real DMS accepts the role's. The emulator never saw the
// secret of those keys, so it cannot verify their signature: the bad-signature checks
// fail there, correctly. This rehearsal proves the credential chain (the role, the
// session token on every call, the account guard), not the verdict, which
// TestRehearseTheNightly proves.
func TestRehearseTheNightlyOIDC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto's server and runs in real time")
	}
	sts := motoserver.Start(t)
	dms, _ := startEmulate(t, "--step", "300ms", "--account", rehearsalAccount, "--any-access-key")
	dir := t.TempDir()
	token := writeRehearsalFile(t, dir, "token", "eyJhbGciOiJSUzI1NiIsImtpZCI6InJlaGVhcnNhbCJ9.eyJzdWIiOiJyZXBvOmRtc2NvbmZvcm0vZG1zY29uZm9ybSJ9.c2lnbmF0dXJl")
	config := writeRehearsalFile(t, dir, "config", "[default]\nregion = us-east-1\n\n[profile denied]\nregion = us-east-1\naws_access_key_id = "+emulator.DeniedAccessKeyID+
		"\naws_secret_access_key = "+emulator.DeniedSecretAccessKey+"\n")
	oidc := []string{"AWS_CONFIG_FILE=" + config, "AWS_ENDPOINT_URL_STS=" + sts, "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE=" + dms,
		"AWS_ROLE_ARN=arn:aws:iam::" + rehearsalAccount + ":role/dmsconform-nightly", "AWS_WEB_IDENTITY_TOKEN_FILE=" + token, "AWS_ROLE_SESSION_NAME=dmsconform-nightly-rehearsal",
		"DMSCONFORM_DENIED_PROFILE=denied"}

	// The account guard reads the role's account from STS: a cell of another account
	// is refused before anything is sent to DMS.
	self, _ := os.Executable()
	guard := exec.Command(self, "run", "--target", "aws", "--out", filepath.Join(dir, "refused"))
	guard.Env = append([]string{envAsCLI + "=1", "PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true", "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
		"AWS_REGION=us-east-1", "DMSCONFORM_PROJECT=" + emulator.DefaultProject, "DMSCONFORM_ALLOW_ACCOUNTS=444455556666"}, oidc...)
	refused, err := guard.CombinedOutput()
	if ee, _ := err.(*exec.ExitError); ee == nil || ee.ExitCode() != reports.ExitUsage || !strings.Contains(string(refused), "********3333") || !strings.Contains(string(refused), "not in --allow-account") {
		t.Errorf("another account: %v, want exit 2 naming the role's account:\n%s", err, refused)
	}

	code, out, run := nightlyStep(t, rehearsalCell(rehearsalAccount), oidc...)
	status, text := reports.VerdictStatus(run)
	t.Logf("%s: %s", status, text)
	var failing []string
	for _, c := range run.Checks {
		if c.Outcome == reports.Fail || c.Outcome == reports.Error {
			failing = append(failing, c.ID)
		}
	}
	want := []string{"CancelMetadataModelConversion.protocol.bad-signature-rejected", "CancelMetadataModelCreation.protocol.bad-signature-rejected"}
	if code != reports.ExitNonConform || strings.Join(failing, " ") != strings.Join(want, " ") {
		t.Errorf("exit %d, failing %v: want exit 1 and only the bad-signature checks failing (an emulator that accepts any key cannot verify a signature)\n%s", code, failing, out)
	}
	// Every call to DMS was signed with the role's temporary credentials and carries
	// their session token (the denied principal's calls aside: static keys).
	calls := 0
	for _, c := range run.Checks {
		if strings.Contains(c.ID, ".AccessDeniedFault.") {
			continue
		}
		for _, ex := range c.Exchanges {
			h := http.Header(ex.Request.Headers)
			if h.Get("X-Amz-Target") == "" || h.Get("Authorization") == "" {
				continue
			}
			calls++
			if h.Get("X-Amz-Security-Token") == "" {
				t.Errorf("%s: a call without the session token: %v", c.ID, ex.Request.Headers)
			}
		}
	}
	if calls == 0 {
		t.Error("no signed call to DMS in the report")
	}
}
