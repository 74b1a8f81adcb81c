package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/internal/hostile"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// Issue 22 items 1 and 7: the requests a run starts, on a network that loses answers and
// a target that goes silent. Each test runs the harness against the standalone emulator
// behind the hostile proxy and asks the emulator's control surface which requests exist.

// requestsThatExist asks srv's control surface for every request it holds.
func requestsThatExist(t *testing.T, srv *emulator.Server) []emulator.RequestState {
	t.Helper()
	resp, err := http.Get(srv.URL + emulator.ControlPrefix + "state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Requests []emulator.RequestState `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Requests
}

// running lists the requests that have not ended (real status, as the emulator knows it).
func running(reqs []emulator.RequestState) []string {
	var out []string
	for _, r := range reqs {
		if r.Status != emulator.StatusSuccess && r.Status != emulator.StatusFailed && r.Status != emulator.StatusCanceled {
			out = append(out, r.ID)
		}
	}
	return out
}

// startsAreTheRequests checks that the run counts as its starts exactly the requests the
// target holds.
func startsAreTheRequests(t *testing.T, res *Result, srv *emulator.Server) {
	t.Helper()
	if exist := requestsThatExist(t, srv); res.Run.Starts != len(exist) {
		t.Errorf("the report counts %d starts, the target holds %d requests", res.Run.Starts, len(exist))
	}
}

// noFailNoError: a lost answer is never a failure, nor an error.
func noFailNoError(t *testing.T, res *Result) {
	t.Helper()
	for _, c := range res.Run.Checks {
		if c.Outcome == reports.Fail || c.Outcome == reports.Error {
			t.Errorf("%s: %s: %s (cause %s)", c.ID, c.Outcome, c.Message, c.Cause)
		}
	}
	if res.ExitCode != reports.ExitOK {
		t.Errorf("exit %d, want 0", res.ExitCode)
	}
}

// sameOutcomes checks that other judged every check of res alike.
func sameOutcomes(t *testing.T, what string, res, other *Result) {
	t.Helper()
	got := byID(other.Run)
	for _, c := range res.Run.Checks {
		if o := got[c.ID]; o.Outcome != c.Outcome || o.Cause != c.Cause {
			t.Errorf("%s: %s is %s (cause %q), live %s (cause %q): %s", what, c.ID, o.Outcome, o.Cause, c.Outcome, c.Cause, o.Message)
		}
	}
}

// firstOf picks the first call of op about a request the run started in its project
// (not a probe's unknown request or missing one, nor the failing project's request),
// once.
func firstOf(op string) func(*hostile.Call) bool {
	var done atomic.Bool
	return func(c *hostile.Call) bool {
		body := string(c.Body)
		about := strings.HasPrefix(op, "Start") || strings.Contains(body, `"RequestIdentifier":"`) && !strings.Contains(body, engine.UnknownRequestID)
		return c.Op() == op && about && !strings.Contains(body, emulator.FailingProject) && done.CompareAndSwap(false, true)
	}
}

// TestLostAnswersAreNeverFailures (item 1): the first Start, or the first Cancel, of the
// run is applied by the target and its answer then lost: no answer (the client times
// out), a 503, or a reset connection. No check fails; a lost Cancel's answer is not
// judged (lifecycle.cancel is skipped with what the describe showed), and the request
// it cancelled is judged as cancelled; a lost Start's request is found, counted and
// reported. The run's starts are the requests the target holds.
func TestLostAnswersAreNeverFailures(t *testing.T) {
	lose := []struct {
		name  string
		fault hostile.Fault
	}{
		{"no answer", hostile.Hang()},
		{"503", hostile.AWSError(503, "ServiceUnavailable", "Service Unavailable")},
		{"reset", hostile.Reset()},
	}
	for _, op := range []string{"CancelMetadataModelConversion", "StartMetadataModelConversion"} {
		for _, l := range lose {
			t.Run(op+"/"+l.name, func(t *testing.T) {
				t.Parallel()
				// 150 ms steps: the walk's cancel must land before its request's last step (where
				// a cancel need not take effect) also on a loaded machine: the case is a lost
				// answer of a cancel that took effect.
				srv := wallEmulator(t, 150*time.Millisecond)
				p := behind(t, srv, hostile.When(firstOf(op), hostile.Applied(l.fault)))
				cfg := proxied(srv, p)
				// The walk cancels its request at once, the scenario runs only once it holds
				// at a step: the first Cancel of a request is the walk's.
				cfg.CallTimeout = time.Second
				rec := filepath.Join(t.TempDir(), "rec")
				res, err := run(t, Options{Config: cfg, Record: rec})
				if err != nil {
					t.Fatal(err)
				}
				noFailNoError(t, res)
				startsAreTheRequests(t, res, srv)
				// The recording keeps what the describes found: judged offline, and served
				// back, it gives the same outcomes.
				judged, err := Judge(context.Background(), JudgeOptions{Recording: rec, Out: t.TempDir(), Stdout: io.Discard})
				if err != nil {
					t.Fatal(err)
				}
				sameOutcomes(t, "judged offline", res, judged)
				replayed, err := run(t, Options{Config: engine.Config{Target: engine.TargetReplay + ":" + rec}})
				if err != nil {
					t.Fatal(err)
				}
				sameOutcomes(t, "replayed", res, replayed)
				var lost *reports.LostAnswer
				for i, la := range res.Run.LostAnswers {
					if la.Operation == op && la.Applied {
						lost = &res.Run.LostAnswers[i]
					}
				}
				if lost == nil || lost.RequestID == "" {
					t.Fatalf("no lost answer of %s reported as applied: %+v", op, res.Run.LostAnswers)
				}
				checks := byID(res.Run)
				if op == "CancelMetadataModelConversion" && strings.HasPrefix(lost.Call, "conversion/walk:") {
					c := checks[op+".lifecycle.cancel"]
					if c.Outcome != reports.Skipped || c.Cause != "conversion/cancel-answer-lost" {
						t.Errorf("lifecycle.cancel: %s (cause %q): %s", c.Outcome, c.Cause, c.Message)
					}
					if c := checks[op+".lifecycle.canceled"]; c.Outcome != reports.Pass {
						t.Errorf("the request the lost cancel cancelled is not judged cancelled: %s %s", c.Outcome, c.Message)
					}
				} else if op == "CancelMetadataModelConversion" {
					t.Logf("the lost cancel was not the walk's but %q's", lost.Call) // a slow machine
				} else if c := checks["CancelMetadataModelConversion.lifecycle.start"]; c.Outcome != reports.Pass {
					t.Errorf("lifecycle.start: %s %s", c.Outcome, c.Message)
				}
				md, _ := os.ReadFile(filepath.Join(res.Dir, reports.FileMarkdown))
				if !strings.Contains(string(md), "Lost answers") || !strings.Contains(string(md), lost.RequestID) {
					t.Errorf("summary.md does not report the lost answer about %s", lost.RequestID)
				}
			})
		}
	}
}

// TestRandomResetsLoseNoVerdict (item 1): one connection in five is reset, half of them
// before the target sees the call and half after it ran it, with several calls in
// flight. Three runs in real time: no failure, no error, exit 0, and the starts the
// report counts are the requests the target holds.
func TestRandomResetsLoseNoVerdict(t *testing.T) {
	t.Parallel() // waits on real-time targets (or is CPU-bound on the virtual clock): overlaps the waiting of others
	if testing.Short() {
		t.Skip("real-time runs")
	}
	for i := range 3 {
		t.Run(fmt.Sprint("run ", i+1), func(t *testing.T) {
			srv := wallEmulator(t, 50*time.Millisecond)
			var n atomic.Int64
			either := func(c *hostile.Call) {
				if n.Add(1)%2 == 0 {
					c.Reset()
					return
				}
				hostile.Applied(hostile.Reset())(c)
			}
			p := behind(t, srv, hostile.Sometimes(0.2, uint64(time.Now().UnixNano()), either))
			cfg := proxied(srv, p)
			cfg.Parallel = 16
			res, err := run(t, Options{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			noFailNoError(t, res)
			startsAreTheRequests(t, res, srv)
			if n.Load() == 0 {
				t.Error("the proxy reset nothing")
			}
		})
	}
}

// onLine is a console that calls fn, before it returns, on every line holding marker.
type onLine struct {
	mu     sync.Mutex
	all    strings.Builder
	marker string
	fn     func()
}

func (o *onLine) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all.Write(p)
	if strings.Contains(string(p), o.marker) {
		o.fn()
	}
	return len(p), nil
}

func (o *onLine) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.all.String()
}

// cleanupNames checks that clean-up named every request it worked on, with its id, in
// the console, report.json and summary.md, each with one of the outcomes want.
func cleanupNames(t *testing.T, res *Result, console string, want ...reports.CleanupOutcome) {
	t.Helper()
	cl := res.Run.Cleanup
	if cl == nil || len(cl.Requests) == 0 {
		t.Fatal("the report says nothing of clean-up")
	}
	for _, r := range cl.Requests {
		if !slices.Contains(want, r.Outcome) {
			t.Errorf("clean-up: request %s %s (%s), want %v", r.ID, r.Outcome, r.Detail, want)
		}
	}
	js, _ := os.ReadFile(filepath.Join(res.Dir, reports.FileJSON))
	md, _ := os.ReadFile(filepath.Join(res.Dir, reports.FileMarkdown))
	for _, r := range cl.Requests {
		for name, text := range map[string]string{"the console": console, "report.json": string(js), "summary.md": string(md)} {
			if !strings.Contains(text, r.ID) {
				t.Errorf("%s does not name %s", name, r.ID)
			}
		}
	}
	if !strings.Contains(console, "clean-up: ") || !strings.Contains(string(md), "Clean-up") {
		t.Error("the console or summary.md has no clean-up section")
	}
}

// TestCleanupAfterTheBreakerOpened (item 7): the target goes silent in the middle of the
// run, so the circuit breaker ends it (exit 3). Clean-up still sends its cancels, on
// its own budget, and says exactly what it did: when the target answers again, every
// request it started is cancelled and named; when it stays silent, every one is named
// as not reached (and may still be running), within clean-up's own bound; when the
// credentials are refused from the middle of the run, the same.
func TestCleanupAfterTheBreakerOpened(t *testing.T) {
	t.Run("the target comes back for clean-up", cleanupWhenTheTargetComesBack)
	for _, tc := range []struct {
		name  string
		fault hostile.Fault
		cause string
		says  string
	}{
		{"the target stays silent", hostile.From(60, hostile.Reset()), "breaker", "connection reset"},
		{"the credentials are refused", hostile.From(60, hostile.When(func(c *hostile.Call) bool { return c.AccessKey() == emulator.DefaultAccessKeyID },
			hostile.AWSError(400, "ExpiredTokenException", "The security token included in the request is expired"))), "credentials", "ExpiredTokenException"},
	} {
		t.Run(tc.name, func(t *testing.T) { cleanupNotReached(t, tc.fault, tc.cause, tc.says) })
	}
}

// cleanupWhenTheTargetComesBack: the breaker opened on a silent target, which answers
// again when clean-up begins; clean-up cancels what the run left running.
func cleanupWhenTheTargetComesBack(t *testing.T) {
	t.Parallel()
	srv := wallEmulator(t, 50*time.Millisecond)
	var silent atomic.Bool
	silent.Store(true)
	p := behind(t, srv, hostile.From(60, hostile.When(func(*hostile.Call) bool { return silent.Load() }, hostile.Reset())))
	cfg := proxied(srv, p)
	cfg.CallTimeout = time.Second
	out := &onLine{marker: "clean-up: cancelling", fn: func() { silent.Store(false) }}
	res, err := run(t, Options{Config: cfg, Stdout: out, Stderr: out})
	if err != nil {
		t.Fatal(err)
	}
	blockedBy(t, res, "breaker")
	if silent.Load() {
		t.Fatal("clean-up never said it was cancelling")
	}
	cleanupNames(t, res, out.String(), reports.CleanupCancelled, reports.CleanupEnded)
	if len(res.Run.Cleanup.With(reports.CleanupCancelled)) == 0 {
		t.Error("clean-up cancelled nothing")
	}
	if left := running(requestsThatExist(t, srv)); len(left) > 0 {
		t.Errorf("requests still running after clean-up: %v", left)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}
}

// cleanupNotReached: the target stays unreachable (fault) through clean-up, which keeps
// to its own bound and names every request it could not reach (its note says says).
func cleanupNotReached(t *testing.T, fault hostile.Fault, cause, says string) {
	t.Parallel()
	srv := wallEmulator(t, 50*time.Millisecond)
	var cleanupStarted atomic.Int64 // proxy calls when clean-up started
	var began time.Time
	p := behind(t, srv, fault)
	cfg := proxied(srv, p)
	cfg.CallTimeout = time.Second
	out := &onLine{marker: "clean-up: cancelling", fn: func() { cleanupStarted.Store(int64(p.Calls())); began = time.Now() }}
	res, err := run(t, Options{Config: cfg, Stdout: out, Stderr: out})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	blockedBy(t, res, cause)
	if began.IsZero() {
		t.Fatal("clean-up never said it was cancelling")
	}
	cleanupNames(t, res, out.String(), reports.CleanupNotReached)
	cl := res.Run.Cleanup
	if !strings.Contains(cl.Requests[0].Detail, says) || cl.Note == "" {
		t.Errorf("clean-up's note %q; the first request: %q", cl.Note, cl.Requests[0].Detail)
	}
	// Its own bound: two requests' cancels, three attempts each, and a look for
	// the requests lost Starts made in each family; then no more.
	if sent := p.Calls() - int(cleanupStarted.Load()); sent > 2*3+2*3 || took > 10*time.Second {
		t.Errorf("clean-up made %d calls in %s", sent, took)
	}
	var named []string
	for _, r := range cl.Requests {
		named = append(named, r.ID)
	}
	for _, id := range running(requestsThatExist(t, srv)) {
		if !slices.Contains(named, id) {
			t.Errorf("request %s is still running and clean-up does not name it", id)
		}
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "could not be reached and may still be running") }) {
		t.Errorf("no warning says what clean-up left: %v", res.Warnings)
	}
}
