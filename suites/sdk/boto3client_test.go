package sdkconform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
)

// boto3Report is what suites/sdk/botocore/client_check.py prints.
type boto3Report struct {
	Error    string `json:"error"`
	Boto3    string `json:"boto3"`
	Botocore string `json:"botocore"`
	Checks   []struct {
		Name     string   `json:"name"`
		OK       bool     `json:"ok"`
		Problems []string `json:"problems"`
	} `json:"checks"`
}

func (r *boto3Report) problems() []string {
	var out []string
	for _, c := range r.Checks {
		for _, p := range c.Problems {
			out = append(out, c.Name+": "+p)
		}
	}
	return out
}

var boto3Probe = sync.OnceValues(func() (string, string) {
	dir, err := FindBotocoreAdapter()
	if err != nil {
		return "", err.Error()
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", "python3 not found on PATH: install Python 3.9+ and boto3 (python3 -m pip install boto3)"
	}
	cmd := exec.Command(py, "-c", "import boto3")
	cmd.Env = botocoreEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "boto3 is not importable by " + py + " (" + strings.TrimSpace(string(out)) + "): install it with python3 -m pip install boto3"
	}
	return filepath.Join(dir, "client_check.py"), ""
})

// runBoto3Client starts the emulator in process (virtual clock, control surface on,
// the given defect modes) and runs the boto3 client script against it.
func runBoto3Client(t *testing.T, defects ...string) (*boto3Report, int) {
	t.Helper()
	script, reason := boto3Probe()
	if reason != "" {
		t.Skipf("boto3 not available: %s", reason)
	}
	srv, err := emulator.Start(emulator.Config{
		Clock:   emulator.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Control: true,
		Defects: defects,
	})
	if err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	cfg := map[string]string{
		"endpoint": srv.URL, "control": srv.ControlURL(), "region": srv.Region,
		"accessKeyId": emulator.DefaultAccessKeyID, "secretAccessKey": emulator.DefaultSecretAccessKey,
		"deniedAccessKeyId": emulator.DeniedAccessKeyID, "deniedSecretAccessKey": emulator.DeniedSecretAccessKey,
		"project": emulator.DefaultProject, "failingProject": emulator.FailingProject, "failMessage": emulator.DefaultFailMessage,
	}
	in, _ := json.Marshal(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", script)
	cmd.Env = botocoreEnv()
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s: %v", script, err)
	}
	var rep boto3Report
	if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &rep); jerr != nil {
		t.Fatalf("%s (exit %d) printed no report: %v\nstdout: %s\nstderr: %s", script, code, jerr, stdout.String(), stderr.String())
	}
	if code == 4 {
		t.Skipf("boto3 not available: %s", rep.Error)
	}
	if code != 0 && code != 1 {
		t.Fatalf("%s broke (exit %d): %s\nstderr: %s", script, code, rep.Error, stderr.String())
	}
	return &rep, code
}

// TestBoto3ClientAgainstEmulator drives both families through boto3 against the
// embedded emulator: start, describe with filters, the creations paginator, cancel,
// botocore's waiters, the second cancel, unknown request and project, the denied
// principal and a failed request's Error. Every fault must arrive as its
// client.exceptions class and every output must fit botocore's output shape.
func TestBoto3ClientAgainstEmulator(t *testing.T) {
	t.Parallel()
	rep, code := runBoto3Client(t)
	for _, p := range rep.problems() {
		t.Errorf("boto3 %s: %s", rep.Boto3, p)
	}
	if code != 0 {
		t.Errorf("client_check.py exit %d, want 0", code)
	}
	want := []string{"waiter metadata_model_conversion_cancelled", "waiter metadata_model_creation_cancelled",
		"AccessDeniedFault", "InvalidResourceStateFault", "ResourceNotFoundFault", "paginator", "Filters status", "FAILED request's Error"}
	names := ""
	for _, c := range rep.Checks {
		names += c.Name + "\n"
	}
	for _, w := range want {
		if !strings.Contains(names, w) {
			t.Errorf("no check about %q; checks:\n%s", w, names)
		}
	}
	if len(rep.Checks) < 20 {
		t.Errorf("%d checks, want both families covered (20+)", len(rep.Checks))
	}
}

// TestBoto3ClientCatchesDefects: the boto3 client fails against the emulator defect
// modes a client can see, naming the problem.
func TestBoto3ClientCatchesDefects(t *testing.T) {
	t.Parallel()
	cases := []struct{ mode, want string }{
		{emulator.DefectFaultWrongName, "not client.exceptions.ResourceNotFoundFault"},
		{emulator.DefectCancelUnknown, "cancel of an unknown request: succeeded"},
		{emulator.DefectStatusDoubleL, "'CANCELLING' is not a documented Status"},
		{emulator.DefectFaultStatus500, "HTTP status 500, want 400"},
		{emulator.DefectDeniedAllowed, "cancel by the denied principal: succeeded"},
		{emulator.DefectDescribeIgnoreFilters, "with Filters request-id="},
		{emulator.DefectNoRequestID, "no request id"},
		{emulator.DefectUnionUnknownMember, "an unknown ErrorDetails member 'futureErrorDetails'"},
		{emulator.DefectUnionTwoMembers, "one member set"},
		{emulator.DefectPercentAsString, "ProgressPercent: str"},
		{emulator.DefectStartNoIdentifier, "returned no RequestIdentifier"},
		{emulator.DefectRequestIDMismatch, "want the cancelled"},
		{emulator.DefectCancelStuck, "metadata_model_conversion_cancelled"},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			rep, code := runBoto3Client(t, tc.mode)
			problems := rep.problems()
			if code != 1 || len(problems) == 0 {
				t.Fatalf("defect %s: exit %d with no problem reported; the boto3 client must fail against it", tc.mode, code)
			}
			joined := strings.Join(problems, "\n")
			if !strings.Contains(joined, tc.want) {
				t.Errorf("defect %s: no problem says %q:\n%s", tc.mode, tc.want, joined)
			}
			t.Logf("defect %s: %d problem(s), e.g. %s", tc.mode, len(problems), problems[0])
		})
	}
}
