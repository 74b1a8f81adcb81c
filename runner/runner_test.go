package runner

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/targets"
)

// run runs in this process (a session is a value: runs need no process of their own)
// and keeps the output for a failing test.
func run(t *testing.T, opts Options) (*Result, error) {
	t.Helper()
	if opts.Out == "" && opts.OutRoot == "" {
		opts.Out = filepath.Join(t.TempDir(), "out")
	}
	var out strings.Builder
	if opts.Stdout == nil {
		opts.Stdout, opts.Stderr = &out, &out
	}
	res, err := Run(context.Background(), opts)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("run output:\n%s", out.String())
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
	res, err := run(t, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != reports.ExitOK {
		t.Fatalf("exit %d, want 0; totals %v", res.ExitCode, res.Run.Totals)
	}
	run := res.Run
	if run.Totals[reports.Fail] != 0 || run.Totals[reports.Error] != 0 || run.Totals[reports.Drift] != 0 {
		t.Fatalf("the defect-free emulator must pass: totals %v", run.Totals)
	}
	if len(run.Checks) != len(all.Checks()) || run.Totals[reports.Pass]+run.Totals[reports.Skipped] != len(run.Checks) {
		t.Fatalf("expected the whole catalog (%d checks) to run and pass or be skipped with a reason: %d checks, totals %v", len(all.Checks()), len(run.Checks), run.Totals)
	}
	for _, c := range run.Checks {
		if c.Outcome == reports.Skipped && c.Message == "" {
			t.Errorf("%s skipped without a reason", c.ID)
		}
		// The SDK-validation checks pass precisely because nothing was sent.
		if c.Outcome == reports.Pass && len(c.Exchanges) == 0 && !strings.HasSuffix(c.ID, ".missing.sdk") {
			t.Errorf("%s passed with no exchange attached: a check must show its evidence", c.ID)
		}
	}
	if run.Calls["CancelMetadataModelConversion"] == 0 || run.Starts == 0 || run.Starts > run.StartBudget {
		t.Errorf("the report must count calls per operation and starts within the budget: calls %v, starts %d of %d", run.Calls, run.Starts, run.StartBudget)
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
	noSecrets(t, res.Dir)
}

// noSecrets fails when a file below dir holds a test credential or the account id.
func noSecrets(t *testing.T, dir string) {
	t.Helper()
	filesLack(t, dir, emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, emulator.DeniedAccessKeyID, emulator.DeniedSecretAccessKey, emulator.DefaultAccountID)
}

func TestDefectIsNonConformanceExit1(t *testing.T) {
	res, err := run(t, Options{Config: engine.Config{Defects: []string{"fault-wrong-name"}}, LabelFilter: "fault"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != reports.ExitNonConform {
		t.Fatalf("exit %d, want 1", res.ExitCode)
	}
	c := byID(res.Run)["CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire"]
	if c.Outcome != reports.Fail || !strings.Contains(c.Message, "ResourceNotFoundException") {
		t.Fatalf("the renamed fault must fail its wire check: %+v", c)
	}
	for _, ch := range res.Run.Checks {
		if !contains(ch.Labels, "fault") {
			t.Errorf("--label-filter fault ran %s (labels %v)", ch.ID, ch.Labels)
		}
	}
}

// TestLabelFiltersPullInTheEvidenceTheyNeed: a filter selects checks, not evidence.
// The lifecycle checks under `fault` and `lifecycle && sdk` are judged on the walk they
// need, not skipped because another check did not run first, and a run whose checks
// are all skipped is never reported as a pass.
func TestLabelFiltersPullInTheEvidenceTheyNeed(t *testing.T) {
	res, err := run(t, Options{LabelFilter: "fault"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"CancelMetadataModelConversion.lifecycle.second-cancel", "CancelMetadataModelCreation.lifecycle.second-cancel"} {
		if c := byID(res.Run)[id]; c.Outcome != reports.Pass {
			t.Errorf("%s under --label-filter fault: %s %q, want pass", id, c.Outcome, c.Message)
		}
	}
	res, err = run(t, Options{LabelFilter: "lifecycle && sdk"})
	if err != nil {
		t.Fatal(err)
	}
	selected, _ := engine.Select(all.Families, "lifecycle && sdk")
	if n := len(res.Run.Checks); n != len(selected) || n == 0 {
		t.Fatalf("'lifecycle && sdk' ran %d checks, the catalog selects %d", n, len(selected))
	}
	if p := res.Run.Totals[reports.Pass]; p != len(selected) {
		t.Errorf("'lifecycle && sdk': %d of %d pass, want all: %v", p, len(selected), res.Run.Totals)
	}
	status, _ := reports.VerdictStatus(res.Run)
	if status != "PASS" {
		t.Errorf("verdict %s, want PASS", status)
	}
	// Every check skipped is never a PASS.
	skipped := &reports.Run{Checks: []reports.Check{{CheckInfo: reports.CheckInfo{ID: "a", Level: "MUST"}, Outcome: reports.Skipped, Cause: "conversion/walk-unobserved"}}}
	reports.Finalize(skipped)
	if status, text := reports.VerdictStatus(skipped); status != "PARTIAL" {
		t.Errorf("a run whose one MUST check was skipped: %s %q, want PARTIAL", status, text)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	file := writeFile(t, "afile", "x")
	cases := map[string]Options{
		"endpoint without URL":   {Config: engine.Config{Target: engine.TargetEndpoint, Project: "p"}},
		"aws without project":    {Config: engine.Config{Target: engine.TargetAWS}},
		"unknown target":         {Config: engine.Config{Target: "moon"}},
		"bad label filter":       {LabelFilter: "fault &&"},
		"label selects nothing":  {LabelFilter: "parity"},
		"missing baseline":       {Baseline: filepath.Join(t.TempDir(), "nope.json")},
		"bad known deviations":   {KnownDeviations: writeFile(t, "known.yaml", "- check: x\n")},
		"out is a file":          {Out: file},
		"out's parent missing":   {Out: filepath.Join(t.TempDir(), "no", "such", "dir")},
		"record's parent gone":   {Record: filepath.Join(t.TempDir(), "no", "rec")},
		"record is foreign":      {Record: filepath.Dir(file)},
		"a short account id":     {Config: engine.Config{Target: engine.TargetAWS, Project: "p", AllowAccounts: []string{"1111"}}},
		"an unknown project":     {Config: engine.Config{Project: "no-such-project"}},
		"a flag of another kind": {Config: engine.Config{Endpoint: "http://127.0.0.1:1"}},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := run(t, opts)
			var ue *UsageError
			if !errors.As(err, &ue) || ExitCodeOf(err) != reports.ExitUsage {
				t.Fatalf("want a usage error (exit 2), got %v", err)
			}
		})
	}
}

// TestOutIsRefusedBeforeAnythingRuns: an unusable --out costs nothing: no request is
// started on the target.
func TestOutIsRefusedBeforeAnythingRuns(t *testing.T) {
	emu := wallEmulator(t, time.Second)
	file := writeFile(t, "afile", "x")
	_, err := run(t, Options{Out: file, Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: emu.URL, Project: emulator.DefaultProject}})
	if ExitCodeOf(err) != reports.ExitUsage || !strings.Contains(err.Error(), "--out") {
		t.Fatalf("want exit 2 naming --out, got %v", err)
	}
	if n := len(emu.Emulator.State()); n != 0 {
		t.Fatalf("the refused run started %d requests", n)
	}
}

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEveryRunGetsItsOwnFolder: two runs in the same second never share a folder, and
// latest points at the run that made it last.
func TestEveryRunGetsItsOwnFolder(t *testing.T) {
	root := t.TempDir()
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	a, err := run(t, Options{OutRoot: root, Now: now, LabelFilter: "wire"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := run(t, Options{OutRoot: root, Now: now, LabelFilter: "wire", Config: engine.Config{Defects: []string{"ignore-target"}}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Dir == b.Dir {
		t.Fatalf("two runs in the same second share %s", a.Dir)
	}
	ra, _ := ReadReport(a.Dir)
	if ra.Totals[reports.Fail] != 0 {
		t.Errorf("the first run's report was overwritten by the second: %v", ra.Totals)
	}
	link, err := os.Readlink(filepath.Join(root, "latest"))
	if err != nil || link != filepath.Base(b.Dir) {
		t.Errorf("latest -> %q (%v), want %q", link, err, filepath.Base(b.Dir))
	}
}

func TestUnreachableTargetExit3(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := run(t, Options{Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: url, Project: "p", MaxAttempts: 2}})
	var he *HarnessError
	if !errors.As(err, &he) || ExitCodeOf(err) != reports.ExitHarnessFail {
		t.Fatalf("want a harness error (exit 3), got %v", err)
	}
	if !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("the message must say the target is unreachable: %v", err)
	}
}

func TestBaselineClassifiesARegressionAndKnownDeviationsExpire(t *testing.T) {
	clean, err := run(t, Options{LabelFilter: "fault"})
	if err != nil || clean.ExitCode != reports.ExitOK {
		t.Fatalf("clean run: %v, exit %v", err, clean)
	}
	// A baseline may be the report folder, as diff accepts.
	broken, err := run(t, Options{Config: engine.Config{Defects: []string{"fault-message-key"}}, LabelFilter: "fault", Baseline: clean.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if broken.ExitCode != reports.ExitNonConform || broken.Run.Baseline == nil || !broken.Run.Baseline.HasNewFailures() {
		t.Fatalf("a defect against a clean baseline must be a new failure (exit 1), got exit %d", broken.ExitCode)
	}
	if c := byID(broken.Run)["CancelMetadataModelConversion.fault.ResourceNotFoundFault.wire"]; c.Class != reports.NewFailure {
		t.Fatalf("class %q, want new-failure", c.Class)
	}
	summary, _ := os.ReadFile(filepath.Join(broken.Dir, reports.FileMarkdown))
	if !strings.Contains(string(summary), "new-failure") && !strings.Contains(strings.ToLower(string(summary)), "new failure") {
		t.Errorf("summary.md does not show the regression:\n%s", summary)
	}
	again, err := run(t, Options{Config: engine.Config{Defects: []string{"fault-message-key"}}, LabelFilter: "fault", Baseline: filepath.Join(broken.Dir, reports.FileJSON)})
	if err != nil || again.ExitCode != reports.ExitOK {
		t.Fatalf("still-failing checks are not new failures: %v exit %+v", err, again)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
	known := writeFile(t, "known.yaml", fmt.Sprintf("- check: \"*.fault.*\"\n  target: embedded\n  reason: emulator defect under test\n  expires: %s\n", tomorrow))
	covered, err := run(t, Options{Config: engine.Config{Defects: []string{"fault-message-key"}}, LabelFilter: "fault", KnownDeviations: known})
	if err != nil || covered.ExitCode != reports.ExitOK {
		t.Fatalf("known deviations must cover the failures: %v %+v", err, covered)
	}
	expired := writeFile(t, "expired.yaml", "- check: \"*.fault.*\"\n  target: embedded\n  reason: emulator defect under test\n  expires: 2020-01-01\n")
	counted, err := run(t, Options{Config: engine.Config{Defects: []string{"fault-message-key"}}, LabelFilter: "fault", KnownDeviations: expired})
	if err != nil || counted.ExitCode != reports.ExitNonConform {
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

// wallEmulator serves the emulator in real time on a loopback port.
// embedded is the embedded target of cfg with the emulator's configuration changed by
// adjust (its weather, its clock).
func embedded(t *testing.T, cfg engine.Config, adjust func(*emulator.Config)) engine.Target {
	t.Helper()
	tg, err := targets.NewEmbedded(cfg, adjust)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func wallEmulator(t *testing.T, step time.Duration, mods ...func(*emulator.Config)) *emulator.Server {
	cfg := emulator.Config{StepDuration: step, Control: true}
	for _, m := range mods {
		m(&cfg)
	}
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestAWSTargetRefusesAnAccountNotAllowed(t *testing.T) {
	emu := wallEmulator(t, 20*time.Millisecond)
	awsEnv(t, emu, fakeSTS(t, "999988887777"))
	_, err := run(t, Options{Config: engine.Config{Target: engine.TargetAWS, Project: emulator.DefaultProject, AllowAccounts: []string{"111122223333"}}})
	var ae *targets.AccountError
	if !errors.As(err, &ae) || ExitCodeOf(err) != reports.ExitUsage {
		t.Fatalf("want a refusal (exit 2), got %v", err)
	}
	if !strings.Contains(err.Error(), "********7777") || !strings.Contains(err.Error(), "********3333") || !strings.Contains(err.Error(), "--allow-account") {
		t.Fatalf("the refusal must name the account it saw and the allowed one (by their last digits) and the flag: %v", err)
	}
	if strings.Contains(err.Error(), "999988887777") {
		t.Fatalf("the refusal prints a whole account id: %v", err)
	}
	if n := len(emu.Emulator.State()); n != 0 {
		t.Fatalf("a refused run touched the target: %d requests", n)
	}
}

// TestAWSTargetRunsAndCleansUp: the aws target starts only what the selected checks
// declare (plus one replacement per walk), and leaves nothing running.
func TestAWSTargetRunsAndCleansUp(t *testing.T) {
	emu := wallEmulator(t, 30*time.Millisecond)
	awsEnv(t, emu, fakeSTS(t, emulator.DefaultAccountID))
	res, err := run(t, Options{Config: engine.Config{Target: engine.TargetAWS, Project: emulator.DefaultProject,
		AllowAccounts: []string{emulator.DefaultAccountID}, MinDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond, MaxRate: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Totals[reports.Fail] != 0 || res.Run.Totals[reports.Error] != 0 {
		for _, c := range res.Run.Checks {
			if c.Outcome == reports.Fail || c.Outcome == reports.Error {
				t.Errorf("%s: %s %s", c.ID, c.Outcome, c.Message)
			}
		}
		t.Fatalf("the emulator standing in for AWS must conform: %v", res.Run.Totals)
	}
	if res.Run.StartBudget != 6 {
		t.Errorf("aws start budget %d, want 6: walk and watch per family, plus one replacement per walk", res.Run.StartBudget)
	}
	states := emu.Emulator.State()
	if len(states) == 0 || len(states) > res.Run.StartBudget {
		t.Fatalf("the aws run started %d requests, budget %d", len(states), res.Run.StartBudget)
	}
	for _, s := range states {
		if s.Status != "CANCELED" && s.Status != "SUCCESS" && s.Status != "FAILED" {
			t.Errorf("request %s left %s: the run must cancel and wait for what it started", s.ID, s.Status)
		}
	}
}

// TestInterruptCancelsWhatTheRunStartedAndSaysSo: an interrupted run cancels what it
// started, exits 130, and its reports say it was interrupted and list every check,
// those it did not judge as skipped with the cause "interrupted".
func TestInterruptCancelsWhatTheRunStartedAndSaysSo(t *testing.T) {
	emu := wallEmulator(t, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			for _, s := range emu.Emulator.State() {
				if s.Status == "IN_PROGRESS" {
					cancel()
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var out strings.Builder
	res, err := Run(ctx, Options{Out: t.TempDir(), Stdout: &out, Stderr: &out, Config: engine.Config{Target: engine.TargetEndpoint,
		Endpoint: emu.URL, Project: emulator.DefaultProject, MinDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, CleanupTimeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != reports.ExitInterrupted || !res.Run.Interrupted {
		t.Fatalf("exit %d, interrupted %v: want 130 and the report's flag", res.ExitCode, res.Run.Interrupted)
	}
	if n, want := len(res.Run.Checks), len(all.Checks()); n != want {
		t.Errorf("the report lists %d checks, want all %d (those not judged as skipped)", n, want)
	}
	notRun := 0
	for _, c := range res.Run.Checks {
		if c.Cause == "interrupted" {
			notRun++
			if c.Outcome != reports.Skipped {
				t.Errorf("%s not run but %s", c.ID, c.Outcome)
			}
		}
	}
	if notRun == 0 {
		t.Error("no check is marked as not run by the interrupt")
	}
	for _, s := range emu.Emulator.State() {
		if s.Status == "RECEIVED" || s.Status == "IN_PROGRESS" {
			t.Errorf("request %s still %s after the interrupted run: clean-up must cancel it\n%s", s.ID, s.Status, out.String())
		}
	}
	summary, _ := os.ReadFile(filepath.Join(res.Dir, reports.FileMarkdown))
	html, _ := os.ReadFile(filepath.Join(res.Dir, reports.FileHTML))
	for name, text := range map[string]string{"console": out.String(), "summary.md": string(summary), "report.html": string(html)} {
		if !strings.Contains(strings.ToLower(text), "interrupted") {
			t.Errorf("%s does not say the run was interrupted", name)
		}
	}
}

// answering answers every request the same way.
func answering(t *testing.T, status int, contentType, body string) string {
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
		"localstack 501": answering(t, 501, "application/json", `{"__type":"InternalFailure","message":"API action 'StartMetadataModelConversion' for service 'dms' not yet implemented or pro feature"}`),
		"moto wording":   answering(t, 500, "application/json", `{"__type":"NotImplementedError","message":"The start_metadata_model_conversion action has not been implemented"}`),
		"unknown op":     answering(t, 400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException","message":"unknown operation"}`),
	}
	for name, url := range targets {
		t.Run(name, func(t *testing.T) {
			res, err := run(t, Options{Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: url, Project: "p",
				MinDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			tot := res.Run.Totals
			if tot[reports.Error] != 0 {
				for _, c := range res.Run.Checks {
					if c.Outcome == reports.Error {
						t.Errorf("%s: %s: %s", c.ID, c.Outcome, c.Message)
					}
				}
			}
			if tot[reports.Unimplemented] < 80 {
				t.Errorf("want most checks unimplemented, totals %v", tot)
			}
			if c := byID(res.Run)["CancelMetadataModelConversion.lifecycle.start"]; c.Outcome != reports.Unimplemented {
				t.Errorf("lifecycle.start: %s %s", c.Outcome, c.Message)
			}
			ops := 0
			for _, c := range res.Run.Causes {
				if strings.HasPrefix(c.ID, "unimplemented/") {
					ops++
				}
			}
			if ops == 0 || ops > 6 {
				t.Errorf("unimplemented must be said once per operation: %d causes %+v", ops, res.Run.Causes)
			}
		})
	}
}

func TestRejectedCredentialsAreAHarnessErrorNotAFailure(t *testing.T) {
	url := answering(t, 400, "application/x-amz-json-1.1", `{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}`)
	_, err := run(t, Options{Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: url, Project: "p"}})
	var he *HarnessError
	if !errors.As(err, &he) || ExitCodeOf(err) != reports.ExitHarnessFail || !strings.Contains(err.Error(), "refresh") {
		t.Fatalf("want a harness error (exit 3) that says to refresh the credentials, got %v", err)
	}
}

// TestConsoleIsRedactedLikeTheReports: what the run prints passes the same redaction
// as its files: no account id, no key.
func TestConsoleIsRedactedLikeTheReports(t *testing.T) {
	emu := wallEmulator(t, 20*time.Millisecond)
	var out strings.Builder
	res, err := Run(context.Background(), Options{Out: t.TempDir(), Stdout: &out, Stderr: &out, LabelFilter: "lifecycle",
		Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: emu.URL, MinDelay: 5 * time.Millisecond,
			Project: "arn:aws:dms:us-east-1:" + emulator.DefaultAccountID + ":migration-project:" + projectID(t, emu)}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<account-1>") {
		t.Errorf("the console shows the project ARN without its placeholder:\n%s", out.String())
	}
	for _, s := range []string{emulator.DefaultAccountID, emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey} {
		if strings.Contains(out.String(), s) {
			t.Errorf("the console prints %q", s)
		}
	}
	noSecrets(t, res.Dir)
}

// TestErrorsAreRedactedLikeTheReports: the error a run ends with is console output
// too. An unknown project's message quotes the target's "not found in account
// 123456789012"; it must reach the user as <account-1>, and a configured secret never.
func TestErrorsAreRedactedLikeTheReports(t *testing.T) {
	emu := wallEmulator(t, 20*time.Millisecond)
	_, err := run(t, Options{Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: emu.URL, Project: "no-such-project",
		AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey}})
	if ExitCodeOf(err) != reports.ExitUsage {
		t.Fatalf("want a configuration error, got %v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "no-such-project") || !strings.Contains(msg, "<account-1>") {
		t.Errorf("the error must name the project and the account's placeholder: %s", msg)
	}
	for _, s := range []string{emulator.DefaultAccountID, emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey} {
		if strings.Contains(msg, s) {
			t.Errorf("the error prints %q: %s", s, msg)
		}
	}
}

func projectID(t *testing.T, emu *emulator.Server) string {
	arn := emu.Emulator.ProjectARN(emulator.DefaultProject)
	return arn[strings.LastIndex(arn, ":")+1:]
}

// TestAControlSurfaceLeavesNoControlSkip: with --control every scenario-driven check is
// judged; no skip tells the user to get a control surface they already gave.
func TestAControlSurfaceLeavesNoControlSkip(t *testing.T) {
	emu := wallEmulator(t, 20*time.Millisecond)
	res, err := run(t, Options{LabelFilter: "enum", Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: emu.URL,
		Project: emulator.DefaultProject, Control: emu.URL + emulator.ControlPrefix, MinDelay: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Run.Checks {
		if c.Outcome == reports.Skipped && strings.Contains(c.Message, "control surface") {
			t.Errorf("%s skipped for a control surface the run has: %s", c.ID, c.Message)
		}
	}
	if c := byID(res.Run)["CancelMetadataModelConversion.enum.EndpointType.sdk-passthrough"]; c.Outcome != reports.Pass {
		t.Errorf("EndpointType passthrough with a control surface: %s %q", c.Outcome, c.Message)
	}
}

// TestMissingCredentialsAreConfiguration: an aws run without usable credentials, or
// with a profile that does not exist, is a configuration error (exit 2) saying how to
// give them, found before any call.
func TestMissingCredentialsAreConfiguration(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"no credentials at all": {},
		"a missing profile":     {"AWS_PROFILE": "dmsconform-no-such-profile"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
				t.Setenv(k, "")
			}
			t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			t.Setenv("AWS_REGION", "us-east-1")
			for k, v := range env {
				t.Setenv(k, v)
			}
			_, err := run(t, Options{Config: engine.Config{Target: engine.TargetAWS, Project: "p", AllowAccounts: []string{"123456789012"}}})
			if ExitCodeOf(err) != reports.ExitUsage {
				t.Fatalf("want exit 2, got %v", err)
			}
		})
	}
}

// TestProgressLinesInALog: a run that is not on a terminal prints plain progress lines
// (CI logs), each saying what is running and how many calls were made.
func TestProgressLinesInALog(t *testing.T) {
	emu := wallEmulator(t, 100*time.Millisecond)
	var out strings.Builder
	_, err := Run(context.Background(), Options{Out: t.TempDir(), Stdout: &out, Stderr: &out, Progress: "lines", ProgressEvery: 50 * time.Millisecond,
		LabelFilter: "lifecycle", Config: engine.Config{Target: engine.TargetEndpoint, Endpoint: emu.URL, Project: emulator.DefaultProject}})
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "progress: ") && strings.Contains(l, "API calls") && strings.Contains(l, "running: ") {
			lines++
		}
	}
	if lines < 2 || strings.Contains(out.String(), "\x1b[") {
		t.Errorf("%d progress lines (want several, without terminal codes):\n%s", lines, out.String())
	}
}

// TestOnlyMustFailuresFailARun: a target whose only deviations are from SHOULDs (a
// cancel that never takes effect early, a second cancel accepted) passes with exit 0,
// and the console names every unmet SHOULD; --strict makes the same run FAIL (exit 1).
func TestOnlyMustFailuresFailARun(t *testing.T) {
	defects := []string{emulator.DefectCancelAnyway, emulator.DefectCancelTerminal}
	var out strings.Builder
	res, err := run(t, Options{Config: engine.Config{Defects: defects}, Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	unmet := reports.UnmetShoulds(res.Run)
	if res.ExitCode != reports.ExitOK || len(unmet) == 0 || res.Run.Totals[reports.Fail] != len(unmet) {
		t.Fatalf("exit %d, %d unmet SHOULDs, totals %v: want exit 0 and every failure a SHOULD", res.ExitCode, len(unmet), res.Run.Totals)
	}
	for _, c := range unmet {
		if !strings.Contains(out.String(), c.ID+" (SHOULD") {
			t.Errorf("the console does not list the unmet SHOULD %s", c.ID)
		}
	}
	if !strings.Contains(out.String(), "unmet SHOULD (") || !strings.Contains(out.String(), "verdict: ✅ PASS") {
		t.Errorf("console:\n%s", out.String())
	}
	strict, err := run(t, Options{Config: engine.Config{Defects: defects}, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if strict.ExitCode != reports.ExitNonConform || !strict.Run.Strict {
		t.Errorf("--strict: exit %d, want 1", strict.ExitCode)
	}
}
