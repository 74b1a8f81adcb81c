package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"

	"github.com/dmsconform/dmsconform/emulator"
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
	var url, printed string
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
	cancel, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(emulator.DefaultProject), RequestIdentifier: out.RequestIdentifier})
	if err != nil || aws.ToString(cancel.Request.Status) != "CANCELING" {
		t.Fatalf("Cancel: %v", err)
	}
	if step := aws.ToString(cancel.Request.Progress.ProgressStep); step != "LOADING_METADATA" {
		t.Fatalf("after advancing one step: %s", step)
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
		if code != exitOK {
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
		{[]string{"--addr", "0.0.0.0:4566"}, exitUsage, "--allow-remote"},
		{[]string{"--addr", ":4566"}, exitUsage, "all interfaces"},
		{[]string{"--addr", "nonsense"}, exitUsage, "HOST:PORT"},
		{[]string{"--defects", "no-request-id,bogus"}, exitUsage, `"bogus"`},
		{[]string{"--account", "42"}, exitUsage, "12 digits"},
		{[]string{"--step", "0s"}, exitUsage, "--step"},
		{[]string{"--auto-advance", "1s"}, exitUsage, "--virtual-clock"},
		{[]string{"extra"}, exitUsage, "unexpected argument"},
		{[]string{"--help"}, exitOK, "--allow-remote"},
	} {
		var stdout, stderr bytes.Buffer
		code := runEmulate(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("emulate %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
	var stdout bytes.Buffer
	if code := runEmulate([]string{"--defects", "list"}, &stdout, io.Discard); code != exitOK || !strings.Contains(stdout.String(), "fault-wrong-name") {
		t.Errorf("--defects list: %d %s", code, stdout.String())
	}
	if _, ok := commands["emulate"]; !ok {
		t.Error("emulate is not registered")
	}
}
