package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
)

// syncBuffer is an output both the run and its signal handler write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRun runs `dmsconform run` against srv in this process; signals sent to the
// process reach it (the test holds its own subscription, so a signal never kills the
// test binary).
func startRun(t *testing.T, srv *emulator.Server, args ...string) (done <-chan int, stdout, stderr *syncBuffer, out string) {
	t.Helper()
	guard := make(chan os.Signal, 8)
	signal.Notify(guard, syscall.SIGINT, syscall.SIGTERM)
	t.Cleanup(func() { signal.Stop(guard) })
	out = filepath.Join(t.TempDir(), "out")
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	ch := make(chan int, 1)
	args = append([]string{"--target", "endpoint", "--endpoint", srv.URL, "--project", emulator.DefaultProject,
		"--out", out, "--progress", "off", "--min-delay", "5ms"}, args...)
	go func() { ch <- runRun(args, stdout, stderr) }()
	return ch, stdout, stderr, out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 20s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// The first SIGINT stops the run, which says that clean-up runs; the second ends
// clean-up at once, and the run names the requests it left running: exit 130.
func TestSecondSIGINTEndsCleanUp(t *testing.T) {
	// Cancels never land: without the second signal clean-up would wait a minute.
	srv, err := emulator.Start(emulator.Config{StepDuration: time.Second, Defects: []string{"cancel-stuck-canceling"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	done, stdout, stderr, _ := startRun(t, srv, "--cleanup-timeout", "1m")
	waitFor(t, "request in progress", func() bool {
		for _, s := range srv.Emulator.State() {
			if s.Status == "IN_PROGRESS" {
				return true
			}
		}
		return false
	})
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "clean-up line", func() bool { return strings.Contains(stderr.String(), "clean-up: cancelling") })
	start := time.Now()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != reports.ExitInterrupted {
			t.Errorf("exit %d, want 130", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the run did not end within 15s of the second SIGINT")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the run ended %s after the second SIGINT", took)
	}
	for _, want := range []string{"interrupt again to stop it at once", "stopping clean-up now"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "clean-up was stopped by a second interrupt") || !strings.Contains(stdout.String(), "(conversion)") {
		t.Errorf("the run does not name what it left running:\n%s", stdout.String())
	}
}

// A SIGTERM within the first 50 ms leaves no check an error: what it interrupted was
// not run. Exit 130.
func TestEarlySIGTERMIsNoError(t *testing.T) {
	srv, err := emulator.Start(emulator.Config{StepDuration: 50 * time.Millisecond, Weather: emulator.Weather{Latency: 3 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	done, stdout, stderr, out := startRun(t, srv, "--cleanup-timeout", "1s")
	time.Sleep(30 * time.Millisecond)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var code int
	select {
	case code = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not end within 20s of SIGTERM")
	}
	if code != reports.ExitInterrupted {
		t.Fatalf("exit %d, want 130\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, reports.FileJSON))
	if err != nil {
		return // interrupted within the preflight: nothing to report, exit 130 said it
	}
	var run reports.Run
	if err := json.Unmarshal(data, &run); err != nil {
		t.Fatal(err)
	}
	if n := run.Totals[reports.Error]; n != 0 || !run.Interrupted {
		t.Errorf("%d error checks after an early SIGTERM (interrupted %v):\n%s", n, run.Interrupted, stdout)
	}
}
