package runner

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/internal/hostile"
	"github.com/dmsconform/dmsconform/reports"
)

// firstScenarioTag is the tag of the conversion family's first scenario in a Start's
// SelectionRules (not the tenth's).
var firstScenarioTag = regexp.MustCompile(`dmsconform-scenario-conversion-1\b`)

// heldCancelsThrottled answers ThrottlingException to the first n cancels (n < 0: to
// every cancel) of the request that the conversion family's first scenario holds at a
// step; every other call passes. It is what a deterministic "1 call in 3 throttled"
// did by chance to a cancel whose attempts kept landing on the throttled calls.
func heldCancelsThrottled(n int) (hostile.Fault, func() string) {
	var mu sync.Mutex
	held, throttled := "", 0
	fault := func(c *hostile.Call) {
		switch c.Op() {
		case "StartMetadataModelConversion":
			if !firstScenarioTag.Match(c.Body) {
				c.Pass()
				return
			}
			a, err := c.Forward()
			if err != nil {
				c.Reset()
				return
			}
			var out struct{ RequestIdentifier string }
			_ = json.Unmarshal(a.Body, &out)
			mu.Lock()
			held = out.RequestIdentifier
			mu.Unlock()
			c.Write(a)
		case "CancelMetadataModelConversion":
			mu.Lock()
			hit := held != "" && bytes.Contains(c.Body, []byte(held)) && (n < 0 || throttled < n)
			if hit {
				throttled++
			}
			mu.Unlock()
			if hit {
				hostile.AWSError(400, "ThrottlingException", "Rate exceeded")(c)
				return
			}
			c.Pass()
		default:
			c.Pass()
		}
	}
	return fault, func() string { mu.Lock(); defer mu.Unlock(); return held }
}

// A held request whose cancel is throttled through all its retries is cancelled by
// the next cancel: it must not hold the project's queue (every later request of the
// run waited behind it, until each poll's lifecycle timeout: a run of minutes).
func TestAHeldRequestIsCancelledAfterItsCancelWasThrottled(t *testing.T) {
	t.Parallel()
	srv := wallEmulator(t, 50*time.Millisecond)
	fault, held := heldCancelsThrottled(3)
	p := behind(t, srv, fault)
	cfg := proxied(srv, p)
	cfg.MaxAttempts = 3 // the first cancel's three attempts are all throttled
	res, err := run(t, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	mustConform(t, res)
	if held() == "" {
		t.Fatal("the proxy never saw the held request's start")
	}
	for _, r := range requestsThatExist(t, srv) {
		if r.ID == held() && r.Status != "CANCELED" {
			t.Errorf("the held request is %s, want CANCELED", r.Status)
		}
	}
}

// A held request that cannot be cancelled (every cancel throttled) ends the scenario
// runs of both families and the polls of the project's other requests at once: they
// would only wait behind it. The run ends as an error whose causes name the held
// request, no check fails, and clean-up says the request may still be running.
func TestAHeldRequestThatCannotBeCancelledEndsTheScenarios(t *testing.T) {
	t.Parallel()
	srv := wallEmulator(t, 50*time.Millisecond)
	fault, held := heldCancelsThrottled(-1)
	p := behind(t, srv, fault)
	cfg := proxied(srv, p)
	cfg.MaxAttempts = 3
	began := time.Now()
	res, err := run(t, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	noFail(t, res.Run)
	if res.ExitCode != reports.ExitHarnessFail {
		t.Errorf("exit %d, want 3", res.ExitCode)
	}
	var said bool
	for _, c := range res.Run.Causes {
		// Three cancels, each with its three attempts, as the README says.
		if c.Outcome == reports.Error && strings.Contains(c.Title, held()) && strings.Contains(c.Title, "after 3 cancels") && strings.Contains(c.Title, "holds the project's queue") {
			said = true
		}
	}
	if !said {
		t.Errorf("no error cause names the held request %s: %v", held(), causeIDs(res.Run))
	}
	// Clean-up tries once more and says the request may still be running.
	named := false
	if cl := res.Run.Cleanup; cl != nil {
		for _, r := range cl.Requests {
			named = named || r.ID == held() && r.Outcome == reports.CleanupRefused
		}
	}
	if !named {
		t.Errorf("clean-up does not name the held request %s as refused: %+v", held(), res.Run.Cleanup)
	}
	if took > 60*time.Second {
		t.Errorf("the run took %s: the scenario runs waited behind the held request", took)
	}
	t.Logf("%v in %s; causes %v", res.Run.Totals, took.Round(time.Millisecond), causeIDs(res.Run))
}
