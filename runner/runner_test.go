package runner

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

func TestMain(m *testing.M) {
	MaybeChild() // child runs of RunIsolated end here
	os.Exit(m.Run())
}

// isolated runs the suites in a child process (Ginkgo runs once per process).
func isolated(t *testing.T, opts Options) (*Result, error) {
	t.Helper()
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	var out strings.Builder
	opts.Stdout, opts.Stderr = &out, &out
	res, err := RunIsolated(context.Background(), opts)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("child output:\n%s", out.String())
		}
	})
	return res, err
}

func byID(run *reports.Run) map[string]reports.Check {
	m := map[string]reports.Check{}
	for _, c := range run.Checks {
		m[c.ID] = c
	}
	return m
}

func TestEmbeddedRunConformsAndWritesFourFiles(t *testing.T) {
	res, err := isolated(t, Options{Config: conformance.Config{Target: conformance.TargetEmbedded}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != ExitOK {
		t.Fatalf("exit %d, want 0; totals %v", res.ExitCode, res.Run.Totals)
	}
	run := res.Run
	if run.Totals[reports.Fail] != 0 || run.Totals[reports.Error] != 0 || run.Totals[reports.Drift] != 0 {
		t.Fatalf("the defect-free emulator must pass: totals %v", run.Totals)
	}
	if len(run.Checks) < 100 || run.Totals[reports.Pass] < len(run.Checks)-8 {
		t.Fatalf("expected the whole catalog to run and nearly all to pass: %d checks, totals %v", len(run.Checks), run.Totals)
	}
	for _, c := range run.Checks {
		if c.Outcome == reports.Skipped && c.Message == "" {
			t.Errorf("%s skipped without a reason", c.ID)
		}
		// The SDK-validation checks pass precisely because nothing was sent.
		if c.Outcome == reports.Pass && len(c.Exchanges) == 0 && !strings.HasSuffix(c.ID, ".missing.sdk") && !strings.Contains(c.ID, ".lifecycle.start") {
			t.Errorf("%s passed with no exchange attached: a check must show its evidence", c.ID)
		}
	}
	for _, f := range []string{reports.FileJSON, reports.FileJUnit, reports.FileHTML, reports.FileMarkdown} {
		if st, err := os.Stat(filepath.Join(res.Dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	var suite struct {
		Tests int `xml:"tests,attr"`
	}
	data, _ := os.ReadFile(filepath.Join(res.Dir, reports.FileJUnit))
	if err := xml.Unmarshal(data, &suite); err != nil || suite.Tests != len(run.Checks) {
		t.Errorf("junit.xml: %v, %d tests, want %d", err, suite.Tests, len(run.Checks))
	}
	// Redaction: no test credential and no account id in any file of the run.
	secrets := []string{emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, emulator.DefaultAccountID}
	_ = filepath.Walk(res.Dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains %q", p, s)
			}
		}
		return nil
	})
}

func TestDefectIsNonConformanceExit1(t *testing.T) {
	res, err := isolated(t, Options{Config: conformance.Config{Defects: []string{"fault-wrong-name"}}, LabelFilter: "fault"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != ExitNonConform {
		t.Fatalf("exit %d, want 1", res.ExitCode)
	}
	c := byID(res.Run)["CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire"]
	if c.Outcome != reports.Fail || !strings.Contains(c.Message, "ResourceNotFoundException") {
		t.Fatalf("the renamed fault must fail its wire check: %+v", c)
	}
	for _, ch := range res.Run.Checks {
		if !containsLabel(ch.Labels, "fault") {
			t.Errorf("--label-filter fault ran %s (labels %v)", ch.ID, ch.Labels)
		}
	}
}

func containsLabel(ls []string, l string) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func TestUsageErrorsExit2(t *testing.T) {
	cases := map[string]Options{
		"endpoint without URL":  {Config: conformance.Config{Target: conformance.TargetEndpoint, Project: "p"}},
		"aws without project":   {Config: conformance.Config{Target: conformance.TargetAWS}},
		"unknown target":        {Config: conformance.Config{Target: "moon"}},
		"bad label filter":      {LabelFilter: "fault &&"},
		"label selects nothing": {LabelFilter: "protocol"},
		"missing baseline":      {Baseline: filepath.Join(t.TempDir(), "nope.json")},
		"bad known deviations":  {KnownDeviations: writeFile(t, "known.yaml", "- check: x\n")},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), opts)
			var ue *UsageError
			if !errors.As(err, &ue) || ExitCodeOf(err) != ExitUsage {
				t.Fatalf("want a usage error (exit 2), got %v", err)
			}
		})
	}
}

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUnreachableTargetExit3(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := Run(context.Background(), Options{Config: conformance.Config{Target: conformance.TargetEndpoint, Endpoint: url, Project: "p"}})
	var he *HarnessError
	if !errors.As(err, &he) || ExitCodeOf(err) != ExitHarnessFail {
		t.Fatalf("want a harness error (exit 3), got %v", err)
	}
	if !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("the message must say the target is unreachable: %v", err)
	}
}

func TestBaselineClassifiesARegressionAndKnownDeviationsExpire(t *testing.T) {
	clean, err := isolated(t, Options{LabelFilter: "fault"})
	if err != nil || clean.ExitCode != ExitOK {
		t.Fatalf("clean run: %v, exit %v", err, clean)
	}
	base := filepath.Join(clean.Dir, reports.FileJSON)

	broken, err := isolated(t, Options{Config: conformance.Config{Defects: []string{"fault-no-type"}}, LabelFilter: "fault", Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	if broken.ExitCode != ExitNonConform || broken.Run.Baseline == nil || !broken.Run.Baseline.HasNewFailures() {
		t.Fatalf("a defect against a clean baseline must be a new failure (exit 1), got exit %d", broken.ExitCode)
	}
	if c := byID(broken.Run)["CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire"]; c.Class != reports.NewFailure {
		t.Fatalf("class %q, want new-failure", c.Class)
	}
	summary, _ := os.ReadFile(filepath.Join(broken.Dir, reports.FileMarkdown))
	if !strings.Contains(string(summary), "new-failure") && !strings.Contains(strings.ToLower(string(summary)), "new failure") {
		t.Errorf("summary.md does not show the regression:\n%s", summary)
	}

	// The same defect against its own report as baseline: still failing, no new failure.
	again, err := isolated(t, Options{Config: conformance.Config{Defects: []string{"fault-no-type"}}, LabelFilter: "fault", Baseline: filepath.Join(broken.Dir, reports.FileJSON)})
	if err != nil || again.ExitCode != ExitOK {
		t.Fatalf("still-failing checks are not new failures: %v exit %+v", err, again)
	}

	// Known deviations: an unexpired entry covering every failure makes the run pass;
	// an expired one counts again.
	tomorrow := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
	known := writeFile(t, "known.yaml", fmt.Sprintf("- check: \"*.fault.*\"\n  target: embedded\n  reason: emulator defect under test\n  expires: %s\n", tomorrow))
	covered, err := isolated(t, Options{Config: conformance.Config{Defects: []string{"fault-no-type"}}, LabelFilter: "fault", KnownDeviations: known})
	if err != nil || covered.ExitCode != ExitOK {
		t.Fatalf("known deviations must cover the failures: %v %+v", err, covered)
	}
	expired := writeFile(t, "expired.yaml", "- check: \"*.fault.*\"\n  target: embedded\n  reason: emulator defect under test\n  expires: 2020-01-01\n")
	counted, err := isolated(t, Options{Config: conformance.Config{Defects: []string{"fault-no-type"}}, LabelFilter: "fault", KnownDeviations: expired})
	if err != nil || counted.ExitCode != ExitNonConform {
		t.Fatalf("an expired deviation must count again (exit 1): %v %+v", err, counted)
	}
}

// fakeSTS answers GetCallerIdentity with the given account, standing in for STS.
func fakeSTS(t *testing.T, account string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::%[1]s:user/dmsconform</Arn><UserId>AIDADMSCONFORM</UserId><Account>%[1]s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, account)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// awsEnv points the SDK's default chain at the emulator and a fake STS.
func awsEnv(t *testing.T, emu *emulator.Server, sts string) {
	t.Setenv("AWS_ACCESS_KEY_ID", emu.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", emu.SecretAccessKey)
	t.Setenv("AWS_REGION", emu.Region)
	t.Setenv("AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE", emu.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", sts)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func wallEmulator(t *testing.T, step time.Duration) *emulator.Server {
	srv, err := emulator.Start(emulator.Config{StepDuration: step})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestAWSTargetRefusesAnAccountNotAllowed(t *testing.T) {
	emu := wallEmulator(t, 20*time.Millisecond)
	awsEnv(t, emu, fakeSTS(t, "999988887777"))
	_, err := Run(context.Background(), Options{Config: conformance.Config{Target: conformance.TargetAWS, Project: emulator.DefaultProject, AllowAccounts: []string{"111122223333"}}})
	var ae *conformance.AccountError
	if !errors.As(err, &ae) || ExitCodeOf(err) != ExitUsage {
		t.Fatalf("want a refusal (exit 2), got %v", err)
	}
	if !strings.Contains(err.Error(), "999988887777") || !strings.Contains(err.Error(), "--allow-account") {
		t.Fatalf("the refusal must name the account it saw and the flag: %v", err)
	}
	if n := len(emu.Emulator.State()); n != 0 {
		t.Fatalf("a refused run touched the target: %d requests", n)
	}
}

func TestAWSTargetRunsAndCleansUp(t *testing.T) {
	emu := wallEmulator(t, 30*time.Millisecond)
	awsEnv(t, emu, fakeSTS(t, emulator.DefaultAccountID))
	res, err := isolated(t, Options{Config: conformance.Config{Target: conformance.TargetAWS, Project: emulator.DefaultProject,
		AllowAccounts: []string{emulator.DefaultAccountID}, MinDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Totals[reports.Fail] != 0 || res.Run.Totals[reports.Error] != 0 {
		t.Fatalf("the emulator standing in for AWS must conform: %v", res.Run.Totals)
	}
	states := emu.Emulator.State()
	if len(states) == 0 || len(states) > 6 {
		t.Fatalf("the aws run must start between 1 and 6 requests (MaxStarts), started %d", len(states))
	}
	for _, s := range states {
		if s.Status != "CANCELED" && s.Status != "SUCCESS" && s.Status != "FAILED" {
			t.Errorf("request %s left %s: the run must cancel and wait for what it started", s.ID, s.Status)
		}
	}
}

func TestInterruptCancelsWhatTheRunStarted(t *testing.T) {
	emu := wallEmulator(t, 150*time.Millisecond)
	out := t.TempDir()
	co := fmt.Sprintf(`{"config":{"Target":"endpoint","Endpoint":%q,"Project":%q,"MinDelay":5000000,"MaxDelay":20000000,"LifecycleTimeout":30000000000},"out":%q,"resultFile":%q}`,
		emu.URL, emulator.DefaultProject, out, filepath.Join(out, "result.json"))
	self, _ := os.Executable()
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+co)
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the run has started a request that is still running, then interrupt.
	deadline := time.Now().Add(20 * time.Second)
	for {
		running := false
		for _, s := range emu.Emulator.State() {
			if s.Status == "RECEIVED" || s.Status == "IN_PROGRESS" {
				running = true
			}
		}
		if running {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the run never started a request:\n%s", buf.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitHarnessFail {
		t.Fatalf("an interrupted run must exit 3, got %v\n%s", err, buf.String())
	}
	for _, s := range emu.Emulator.State() {
		if s.Status == "RECEIVED" || s.Status == "IN_PROGRESS" {
			t.Errorf("request %s still %s after the interrupted run: clean-up must cancel it\n%s", s.ID, s.Status, buf.String())
		}
	}
	if _, err := os.Stat(filepath.Join(out, reports.FileJSON)); err != nil {
		t.Errorf("an interrupted run must still write its reports: %v", err)
	}
	if !strings.Contains(buf.String(), "interrupted") {
		t.Errorf("the run's output does not say it was interrupted:\n%s", buf.String())
	}
}

// notImplemented answers every request the way emulators that lack the operations do.
func notImplemented(t *testing.T, status int, contentType, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestUnimplementedTargetsAreReportedUnimplementedNotFailed(t *testing.T) {
	targets := map[string]string{
		"localstack 501": notImplemented(t, 501, "application/json", `{"__type":"InternalFailure","message":"API action 'StartMetadataModelConversion' for service 'dms' not yet implemented or pro feature"}`),
		"moto":           notImplemented(t, 500, "application/json", `{"__type":"NotImplementedError","message":"The start_metadata_model_conversion action has not been implemented"}`),
		"unknown op":     notImplemented(t, 400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException","message":"unknown operation"}`),
	}
	for name, url := range targets {
		t.Run(name, func(t *testing.T) {
			res, err := isolated(t, Options{Config: conformance.Config{Target: conformance.TargetEndpoint, Endpoint: url, Project: "p",
				MinDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			tot := res.Run.Totals
			if tot[reports.Fail] != 0 || tot[reports.Error] != 0 {
				for _, c := range res.Run.Checks {
					if c.Outcome == reports.Fail || c.Outcome == reports.Error {
						t.Errorf("%s: %s: %s", c.ID, c.Outcome, c.Message)
					}
				}
			}
			if tot[reports.Unimplemented] < 50 {
				t.Errorf("want most checks unimplemented, totals %v", tot)
			}
			if c := byID(res.Run)["CancelMetadataModelConversion.lifecycle.start"]; c.Outcome != reports.Unimplemented {
				t.Errorf("lifecycle.start: %s %s", c.Outcome, c.Message)
			}
			if res.ExitCode != ExitOK {
				t.Errorf("an unimplemented target is not non-conformant: exit %d", res.ExitCode)
			}
		})
	}
}

func TestRejectedCredentialsAreAHarnessErrorNotAFailure(t *testing.T) {
	url := notImplemented(t, 400, "application/x-amz-json-1.1", `{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}`)
	_, err := Run(context.Background(), Options{Config: conformance.Config{Target: conformance.TargetEndpoint, Endpoint: url, Project: "p"}})
	var he *HarnessError
	if !errors.As(err, &he) || ExitCodeOf(err) != ExitHarnessFail || !strings.Contains(err.Error(), "refresh") {
		t.Fatalf("want a harness error (exit 3) that says to refresh the credentials, got %v", err)
	}
}
