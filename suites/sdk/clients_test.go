package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/require"
	"github.com/dmsconform/dmsconform/spec"
)

// The SDK clients driven against the embedded emulator: boto3 through
// suites/sdk/botocore/client_check.py and aws-sdk-js-v3 through
// suites/sdk/js/client_check.mjs. Both take the same configuration on stdin and
// print the same report.

// clientReport is what a client_check script prints.
type clientReport struct {
	Error  string `json:"error"`
	Boto3  string `json:"boto3"`
	SDK    struct{ Name, Version string }
	Checks []struct {
		Name     string   `json:"name"`
		OK       bool     `json:"ok"`
		Problems []string `json:"problems"`
	} `json:"checks"`
	// Outputs: every output the JS client decoded, checked here against the model
	// (boto3 checks its outputs against botocore's own model in the script).
	Outputs []struct {
		Operation string          `json:"operation"`
		Check     string          `json:"check"`
		Output    json.RawMessage `json:"output"`
	} `json:"outputs"`
}

func (r *clientReport) problems() []string {
	var out []string
	for _, c := range r.Checks {
		for _, p := range c.Problems {
			out = append(out, c.Name+": "+p)
		}
	}
	return out
}

// clientScript is one SDK client: how to run its script, or why it cannot run here.
type clientScript struct {
	name    string
	runtime string // what DMSCONFORM_REQUIRE calls it (internal/require)
	command func(ctx context.Context) *exec.Cmd
	reason  string
}

var (
	boto3Client = sync.OnceValue(func() clientScript {
		c := clientScript{name: "boto3", runtime: require.Botocore}
		dir, err := FindBotocoreAdapter()
		if err != nil {
			c.reason = err.Error()
			return c
		}
		py := os.Getenv(BotocorePythonEnv)
		if py == "" {
			if py, err = exec.LookPath("python3"); err != nil {
				c.reason = "python3 not found on PATH: install Python 3.9+ and boto3 (python3 -m pip install boto3), or set " + BotocorePythonEnv
				return c
			}
		}
		probe := exec.Command(py, "-c", "import boto3")
		probe.Env = botocoreEnv()
		if out, err := probe.CombinedOutput(); err != nil {
			c.reason = "boto3 is not importable by " + py + " (" + strings.TrimSpace(string(out)) + "): install it with python3 -m pip install boto3"
			return c
		}
		c.command = func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, py, filepath.Join(dir, "client_check.py"))
			cmd.Env = botocoreEnv()
			return cmd
		}
		return c
	})
	jsClient = sync.OnceValue(func() clientScript {
		c := clientScript{name: "aws-sdk-js-v3", runtime: require.JS}
		js := NewJSSDK("", "")
		if r := js.Unavailable(); r != "" {
			c.reason = r
			return c
		}
		c.command = func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, js.Node, filepath.Join(js.Dir, "client_check.mjs"))
			cmd.Dir = js.Dir
			cmd.Env = botocoreEnv() // no AWS_* settings from the environment either
			return cmd
		}
		return c
	})
)

// runClients starts one emulator in process per entry of modes (virtual clock,
// control surface on, that entry's defect modes) and runs the client's script once
// against all of them, one after another (the interpreter and the SDK load once). It
// returns the report per emulator and whether each passed every check.
func runClients(t *testing.T, client clientScript, modes ...[]string) ([]*clientReport, []bool) {
	t.Helper()
	if client.reason != "" {
		require.Missing(t, client.runtime, client.name+": "+client.reason)
	}
	var cfgs []map[string]string
	for _, defects := range modes {
		srv, err := emulator.Start(emulator.Config{
			Clock:   emulator.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
			Control: true,
			Defects: defects,
		})
		if err != nil {
			t.Fatalf("start the emulator: %v", err)
		}
		t.Cleanup(func() { srv.Close() })
		cfgs = append(cfgs, map[string]string{
			"endpoint": srv.URL, "control": srv.ControlURL(), "region": srv.Region,
			"accessKeyId": emulator.DefaultAccessKeyID, "secretAccessKey": emulator.DefaultSecretAccessKey,
			"deniedAccessKeyId": emulator.DeniedAccessKeyID, "deniedSecretAccessKey": emulator.DeniedSecretAccessKey,
			"project": emulator.DefaultProject, "failingProject": emulator.FailingProject, "failMessage": emulator.DefaultFailMessage,
		})
	}
	in, _ := json.Marshal(cfgs)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := client.command(ctx)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run the %s client: %v", client.name, err)
	}
	lines := bytes.Split(bytes.TrimSpace(stdout.Bytes()), []byte("\n"))
	if code == 4 {
		var rep clientReport
		_ = json.Unmarshal(lines[0], &rep)
		require.Missing(t, client.runtime, client.name+": "+rep.Error)
	}
	if code != 0 && code != 1 {
		t.Fatalf("the %s client broke (exit %d)\nstdout: %s\nstderr: %s", client.name, code, stdout.String(), stderr.String())
	}
	if len(lines) != len(modes) {
		t.Fatalf("the %s client (exit %d) printed %d report(s) for %d emulators\nstdout: %s\nstderr: %s", client.name, code, len(lines), len(modes), stdout.String(), stderr.String())
	}
	reps, passed := make([]*clientReport, len(lines)), make([]bool, len(lines))
	for i, line := range lines {
		reps[i] = &clientReport{}
		if err := json.Unmarshal(line, reps[i]); err != nil {
			t.Fatalf("the %s client printed no report for emulator %d: %v\nstdout: %s\nstderr: %s", client.name, i, err, stdout.String(), stderr.String())
		}
		passed[i] = true
		for _, c := range reps[i].Checks {
			passed[i] = passed[i] && c.OK
		}
	}
	if all := !slices.Contains(passed, false); all != (code == 0) {
		t.Fatalf("the %s client exited %d, but its reports say every check passed: %v", client.name, code, all)
	}
	return reps, passed
}

// modelProblems checks the outputs a client decoded against the model: members and
// their JSON types, one member per union (an unknown member is named), and the
// documented values of Status, ProgressStep and EndpointType.
func modelProblems(m *spec.Model, rep *clientReport) []string {
	var out []string
	for _, o := range rep.Outputs {
		op := m.Operation(o.Operation)
		if op == nil {
			out = append(out, fmt.Sprintf("%s: operation %s is not in the model", o.Check, o.Operation))
			continue
		}
		v, err := jsonv.Decode(o.Output)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %s output is not JSON: %v", o.Check, o.Operation, err))
			continue
		}
		_, problems := spec.Canonical(op.Output, v, true)
		problems = append(problems, documentedValues(op.Output, v, "")...)
		for _, p := range problems {
			out = append(out, fmt.Sprintf("%s: %s output does not fit the model: %s", o.Check, o.Operation, p))
		}
	}
	return out
}

func documentedValues(sh *spec.Shape, v any, ptr string) []string {
	if sh == nil || v == nil {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if sh.Union != nil {
			if tag, ok := x[spec.UnknownTag].(string); ok {
				out = append(out, fmt.Sprintf("%s: an unknown %s member %q (the model knows %s)", spec.OrRoot(ptr), sh.Name, tag, strings.Join(sh.Union.Members, ", ")))
			}
		}
		for k, val := range x {
			if mb := sh.Member(k); mb != nil {
				out = append(out, documentedValues(mb.Shape, val, ptr+"/"+k)...)
			}
		}
	case []any:
		for i, item := range x {
			out = append(out, documentedValues(sh.Items, item, fmt.Sprintf("%s/%d", ptr, i))...)
		}
	case string:
		if sh.Values != nil && !sh.Values.Contains(x) {
			out = append(out, fmt.Sprintf("%s: %q is not a documented %s value (%s)", ptr, x, sh.Values.Name, strings.Join(sh.Values.Strings(), ", ")))
		}
	}
	return out
}

// clientProblems is every problem of a run: the script's and, for outputs the
// script printed, the model's.
func clientProblems(t *testing.T, rep *clientReport) []string {
	return append(rep.problems(), modelProblems(spec.MustLoad(), rep)...)
}

// The clients the tests drive, with what each must have checked.
var clientCases = []struct {
	client func() clientScript
	want   []string
}{
	{boto3Client, []string{"waiter metadata_model_conversion_cancelled", "waiter metadata_model_creation_cancelled",
		"AccessDeniedFault", "InvalidResourceStateFault", "ResourceNotFoundFault", "paginator", "Filters status", "FAILED request's Error"}},
	{jsClient, []string{"waiter waitUntilMetadataModelConversionCancelled", "waiter waitUntilMetadataModelCreationCancelled",
		"AccessDeniedFault", "InvalidResourceStateFault", "ResourceNotFoundFault", "paginator", "Filters status", "FAILED request's Error"}},
}

// TestSDKClientsAgainstEmulator drives both families through boto3 and through
// aws-sdk-js-v3 against the embedded emulator: start, describe with filters, the
// creations paginator, cancel, the SDK's own waiters, the second cancel, unknown
// request and project, the denied principal and a failed request's Error. Every
// fault must arrive as its modeled exception class and every output must fit the
// output shape (botocore's model for boto3, spec/dms.openapi.yaml for JS).
func TestSDKClientsAgainstEmulator(t *testing.T) {
	t.Parallel()
	for _, tc := range clientCases {
		tc := tc
		client := tc.client()
		t.Run(client.name, func(t *testing.T) {
			t.Parallel()
			reps, passed := runClients(t, client, nil)
			rep := reps[0]
			for _, p := range clientProblems(t, rep) {
				t.Errorf("%s: %s", client.name, p)
			}
			if !passed[0] {
				t.Errorf("the %s client failed a check against the defect-free emulator", client.name)
			}
			names := ""
			for _, c := range rep.Checks {
				names += c.Name + "\n"
			}
			for _, w := range tc.want {
				if !strings.Contains(names, w) {
					t.Errorf("no check about %q; checks:\n%s", w, names)
				}
			}
			if len(rep.Checks) < 20 {
				t.Errorf("%d checks, want both families covered (20+)", len(rep.Checks))
			}
		})
	}
}

// TestSDKClientsCatchDefects: each client fails against the emulator defect modes a
// client can see, naming the problem (want: boto3's words, then the JS client's; ""
// where that SDK hides the defect from its user).
func TestSDKClientsCatchDefects(t *testing.T) {
	t.Parallel()
	cases := []struct{ mode, boto3, js string }{
		{emulator.DefectFaultWrongName, "not client.exceptions.ResourceNotFoundFault", "not an instance of ResourceNotFoundFault"},
		{emulator.DefectCancelUnknown, "cancel of an unknown request: succeeded", "cancel of an unknown request: succeeded"},
		{emulator.DefectStatusDoubleL, "'CANCELLING' is not a documented Status", `"CANCELLING" is not a documented`},
		{emulator.DefectFaultStatus500, "HTTP status 500, want 400", "HTTP status 500, want 400"},
		{emulator.DefectDeniedAllowed, "cancel by the denied principal: succeeded", "cancel by the denied principal: succeeded"},
		{emulator.DefectDescribeIgnoreFilters, "with Filters request-id=", "with Filters request-id="},
		{emulator.DefectNoRequestID, "no request id", "no request id"},
		{emulator.DefectUnionUnknownMember, "an unknown ErrorDetails member 'futureErrorDetails'", `an unknown ErrorDetails member "futureErrorDetails"`},
		{emulator.DefectUnionTwoMembers, "one member set", ""},
		{emulator.DefectPercentAsString, "ProgressPercent: str", "ProgressPercent"},
		{emulator.DefectStartNoIdentifier, "returned no RequestIdentifier", "returned no RequestIdentifier"},
		{emulator.DefectRequestIDMismatch, "want the cancelled", "want the cancelled"},
		{emulator.DefectCancelStuck, "metadata_model_conversion_cancelled", "MetadataModelConversionCancelled"},
	}
	for _, cc := range clientCases {
		client := cc.client()
		t.Run(client.name, func(t *testing.T) {
			t.Parallel()
			var modes [][]string
			for _, tc := range cases {
				modes = append(modes, []string{tc.mode})
			}
			reps, passed := runClients(t, client, modes...)
			for i, tc := range cases {
				want := tc.boto3
				if client.name != "boto3" {
					want = tc.js
				}
				t.Run(tc.mode, func(t *testing.T) {
					if want == "" {
						t.Skipf("%s hides the defect %s from its user: it keeps the known member of a union with two members set (its SDK finding sdk.CancelMetadataModelConversion.union-two-members)", client.name, tc.mode)
					}
					problems := clientProblems(t, reps[i])
					if passed[i] && len(problems) == 0 {
						t.Fatalf("defect %s: every check passed and no problem was reported; the %s client must fail against it", tc.mode, client.name)
					}
					joined := strings.Join(problems, "\n")
					if !strings.Contains(joined, want) {
						t.Errorf("defect %s: no problem says %q:\n%s", tc.mode, want, joined)
					}
					t.Logf("defect %s: %d problem(s), e.g. %s", tc.mode, len(problems), problems[0])
				})
			}
		})
	}
}
