package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
)

// TestEmulateServesAndStops starts the command on 127.0.0.1:0, reads the printed
// endpoint, drives it with the SDK and the control surface, and stops it with SIGINT.
func TestEmulateServesAndStops(t *testing.T) {
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := runEmulate([]string{"--addr", "127.0.0.1:0", "--control", "--virtual-clock", "--step", "1s", "--defects", "no-request-id"}, pw, &stderr)
		pw.Close()
		done <- code
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	url, printed := readStartup(t, lines, &stderr)
	for _, want := range []string{"http://127.0.0.1:", "region:            us-east-1", emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey,
		emulator.DeniedAccessKeyID, emulator.DefaultProject, emulator.FailingProject, "control surface:   " + url + emulator.ControlPrefix, "no-request-id"} {
		if !strings.Contains(printed, want) {
			t.Errorf("output lacks %q:\n%s", want, printed)
		}
	}
	if strings.HasSuffix(url, ":0") {
		t.Fatalf("printed the requested port 0, not the real one: %s", url)
	}

	c := dms.New(dms.Options{BaseEndpoint: aws.String(url), Region: emulator.DefaultRegion, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")})
	ctx := context.Background()
	out, err := c.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(emulator.DefaultProject), SelectionRules: aws.String("{}")})
	if err != nil {
		t.Fatalf("Start through the standalone emulator: %v", err)
	}
	resp, err := http.Post(url+emulator.ControlPrefix+"clock/advance", "application/json", strings.NewReader(`{"duration":"1s"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("control advance: %v %v", err, resp)
	}
	resp.Body.Close()
	desc, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(emulator.DefaultProject)})
	if err != nil || len(desc.Requests) != 1 || desc.Requests[0].Progress == nil || aws.ToString(desc.Requests[0].Progress.ProgressStep) != "LOADING_METADATA" {
		t.Fatalf("after advancing one step: %v %+v", err, desc)
	}
	cancel, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(emulator.DefaultProject), RequestIdentifier: out.RequestIdentifier})
	if err != nil || aws.ToString(cancel.Request.Status) != "CANCELING" || cancel.Request.Progress != nil {
		t.Fatalf("Cancel: %v %+v, want CANCELING without Progress", err, cancel)
	}

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines {
		}
	}()
	select {
	case code := <-done:
		if code != reports.ExitOK {
			t.Fatalf("exit code %d after SIGINT; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop within 10s of SIGINT")
	}
	if _, err := http.Get(url + emulator.ControlPrefix + "info"); err == nil {
		t.Fatal("still serving after stop")
	}
}

func TestEmulateFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--addr", "0.0.0.0:4566"}, reports.ExitUsage, "--allow-remote"},
		{[]string{"--addr", ":4566"}, reports.ExitUsage, "all interfaces"},
		{[]string{"--addr", "nonsense"}, reports.ExitUsage, "HOST:PORT"},
		{[]string{"--defects", "no-request-id,bogus"}, reports.ExitUsage, `"bogus"`},
		{[]string{"--account", "42"}, reports.ExitUsage, "12 digits"},
		{[]string{"--step", "0s"}, reports.ExitUsage, "--step"},
		{[]string{"--auto-advance", "1s"}, reports.ExitUsage, "--virtual-clock"},
		{[]string{"extra"}, reports.ExitUsage, "unexpected argument"},
		{[]string{"--help"}, reports.ExitOK, "--allow-remote"},
		{[]string{"--throttle-every", "-1"}, reports.ExitUsage, "--throttle-every must not be negative"},
		{[]string{"--fail-every", "-2"}, reports.ExitUsage, "--fail-every"},
		{[]string{"--unavailable-every", "-1"}, reports.ExitUsage, "--unavailable-every"},
		{[]string{"--silent-after", "-1"}, reports.ExitUsage, "--silent-after"},
		{[]string{"--latency", "-1ms"}, reports.ExitUsage, "--latency"},
		{[]string{"--consistency-window", "-1s"}, reports.ExitUsage, "--consistency-window"},
		{[]string{"--latency", "soon"}, reports.ExitUsage, "invalid value"},
	} {
		var stdout, stderr bytes.Buffer
		code := runEmulate(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("emulate %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
	var stdout bytes.Buffer
	if code := runEmulate([]string{"--defects", "list"}, &stdout, io.Discard); code != reports.ExitOK || !strings.Contains(stdout.String(), "fault-wrong-name") {
		t.Errorf("--defects list: %d %s", code, stdout.String())
	}
	if _, ok := commands["emulate"]; !ok {
		t.Error("emulate is not registered")
	}
}

// TestEmulateHelpDocumentsEveryFlag: --help names every flag, the weather ones
// included.
func TestEmulateHelpDocumentsEveryFlag(t *testing.T) {
	var stderr bytes.Buffer
	if code := runEmulate([]string{"--help"}, io.Discard, &stderr); code != reports.ExitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, f := range []string{"addr", "allow-remote", "region", "account", "project", "failing-project", "step", "control", "virtual-clock",
		"auto-advance", "defects", "throttle-every", "fail-every", "unavailable-every", "latency", "consistency-window", "silent-after", "proxy-error"} {
		if !strings.Contains(stderr.String(), "  -"+f+" ") && !strings.Contains(stderr.String(), "  -"+f+"\n") {
			t.Errorf("--help does not document -%s:\n%s", f, stderr.String())
		}
	}
}

// startEmulate runs the command with args on 127.0.0.1:0 until the test ends and
// returns the endpoint and everything it printed at startup.
func startEmulate(t *testing.T, args ...string) (url, printed string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := emulate(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), pw, &stderr)
		pw.Close()
		done <- code
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	t.Cleanup(func() {
		cancel()
		go func() {
			for range lines {
			}
		}()
		select {
		case code := <-done:
			if code != reports.ExitOK {
				t.Errorf("exit code %d when the context ended; stderr: %s", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("the command did not stop within 10s of its context ending")
		}
	})
	return readStartup(t, lines, &stderr)
}

// readStartup reads the lines emulate prints at startup, up to "Stop with", and
// returns the endpoint it names and everything printed.
func readStartup(t *testing.T, lines <-chan string, stderr *bytes.Buffer) (url, printed string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for url == "" || !strings.Contains(printed, "Stop with") {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("command ended before printing the endpoint; stderr: %s", stderr.String())
			}
			printed += l + "\n"
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "endpoint:"); ok {
				url = strings.TrimSpace(v)
			}
		case <-timeout:
			t.Fatalf("no endpoint printed within 10s: %q", printed)
		}
	}
	return url, printed
}

// TestEmulatePrintsKeysAndRunCommand: both key pairs are printed, and one line is
// a complete dmsconform run command whose flags the run command knows.
func TestEmulatePrintsKeysAndRunCommand(t *testing.T) {
	url, printed := startEmulate(t, "--control")
	if strings.Contains(printed, "weather:") {
		t.Errorf("clear sky printed a weather line:\n%s", printed)
	}
	for _, want := range []string{"access key id:     " + emulator.DefaultAccessKeyID, "secret access key: " + emulator.DefaultSecretAccessKey,
		"denied key id:     " + emulator.DeniedAccessKeyID, "denied secret key: " + emulator.DeniedSecretAccessKey} {
		if !strings.Contains(printed, want) {
			t.Errorf("output lacks %q:\n%s", want, printed)
		}
	}
	var cmd string
	for l := range strings.SplitSeq(printed, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "dmsconform run ") {
			if cmd != "" {
				t.Fatalf("two run command lines:\n%s", printed)
			}
			cmd = l
		}
	}
	want := "dmsconform run --target endpoint --endpoint " + url + " --region " + emulator.DefaultRegion + " --project " + emulator.DefaultProject +
		" --access-key-id " + emulator.DefaultAccessKeyID + " --secret-access-key " + emulator.DefaultSecretAccessKey +
		" --failing-project " + emulator.FailingProject +
		" --denied-access-key-id " + emulator.DeniedAccessKeyID + " --denied-secret-access-key " + emulator.DeniedSecretAccessKey +
		" --control " + url + emulator.ControlPrefix
	if cmd != want {
		t.Fatalf("run command line:\n got %s\nwant %s", cmd, want)
	}
	// every flag of the line is one the run command documents
	var help bytes.Buffer
	commands["run"].run([]string{"--help"}, io.Discard, &help)
	for f := range strings.SplitSeq(cmd, " ") {
		if name, ok := strings.CutPrefix(f, "--"); ok && !strings.Contains(help.String(), "  -"+name+" ") {
			t.Errorf("dmsconform run does not know --%s:\n%s", name, help.String())
		}
	}
}

// TestEmulateWeather: the weather flags reach the emulator, the startup lines say
// so, and the control surface can change it.
func TestEmulateWeather(t *testing.T) {
	url, printed := startEmulate(t, "--control", "--step", "50ms", "--throttle-every", "2", "--fail-every", "7", "--unavailable-every", "11",
		"--latency", "1ms", "--consistency-window", "10ms", "--silent-after", "1000")
	if !strings.Contains(printed, "weather:           throttleEvery=2 failEvery=7 unavailableEvery=11 latency=1ms consistencyWindow=10ms silentAfter=1000\n") {
		t.Fatalf("no weather line:\n%s", printed)
	}
	if !strings.Contains(printed, "(wall clock)") {
		t.Errorf("emulate is not on the wall clock by default:\n%s", printed)
	}
	c := dms.New(dms.Options{BaseEndpoint: aws.String(url), Region: emulator.DefaultRegion, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")})
	describe := func() error {
		_, err := c.DescribeMetadataModelConversions(context.Background(), &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(emulator.DefaultProject)})
		return err
	}
	if err := describe(); err != nil {
		t.Fatalf("call 1: %v", err)
	}
	var ae smithy.APIError
	if err := describe(); !errors.As(err, &ae) || ae.ErrorCode() != emulator.CodeThrottling {
		t.Fatalf("call 2: %v, want ThrottlingException", err)
	}
	resp, err := http.Get(url + emulator.ControlPrefix + "weather")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"throttleEvery":2`) || !strings.Contains(string(b), `"consistencyWindow":"10ms"`) {
		t.Fatalf("GET weather: %s", b)
	}
	req, _ := http.NewRequest(http.MethodPut, url+emulator.ControlPrefix+"weather", strings.NewReader(`{"proxyError":true}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("PUT weather: %v %v", err, resp)
	}
	var re *awshttp.ResponseError
	if err := describe(); !errors.As(err, &re) || re.HTTPStatusCode() != 502 {
		t.Fatalf("after PUT proxyError: %v, want 502", err)
	}
}

func TestEmulateProxyErrorFlag(t *testing.T) {
	url, printed := startEmulate(t, "--proxy-error")
	if !strings.Contains(printed, "weather:           proxyError=true\n") {
		t.Fatalf("no weather line:\n%s", printed)
	}
	resp, err := http.Post(url+"/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "text/html" {
		t.Fatalf("--proxy-error: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestEmulateAnyAccessKeyFlag: --any-access-key accepts a key the emulator never saw
// (temporary credentials from an STS, with their session token) and says so at start.
func TestEmulateAnyAccessKeyFlag(t *testing.T) {
	url, printed := startEmulate(t, "--any-access-key")
	if !strings.Contains(printed, "other access keys: accepted") {
		t.Fatalf("no line for --any-access-key:\n%s", printed)
	}
	c := dms.New(dms.Options{BaseEndpoint: aws.String(url), Region: emulator.DefaultRegion, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("ASIAEXAMPLESTSKEY001", "a-secret-the-emulator-never-saw", "FQoGZXIvYXdzEXAMPLE")})
	if _, err := c.DescribeMetadataModelConversions(context.Background(), &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(emulator.DefaultProject)}); err != nil {
		t.Fatalf("a temporary key through --any-access-key: %v", err)
	}
}

// TestEmulateStartFaultProjectUsage: --start-fault-project takes NAME=FAULT, and FAULT
// must be a modelled fault of a Start operation.
func TestEmulateStartFaultProjectUsage(t *testing.T) {
	for arg, want := range map[string]string{
		"no-bucket":                     "write NAME=FAULT",
		"no-bucket=ThrottlingException": `start fault "ThrottlingException" is not a modelled fault of any Start* operation`,
	} {
		var stdout, stderr bytes.Buffer
		if code := dispatch([]string{"emulate", "--addr", "127.0.0.1:0", "--start-fault-project", arg}, &stdout, &stderr); code != reports.ExitUsage || !strings.Contains(stderr.String(), want) {
			t.Errorf("--start-fault-project %s: exit %d, stderr %q; want %d saying %q", arg, code, stderr.String(), reports.ExitUsage, want)
		}
	}
}
