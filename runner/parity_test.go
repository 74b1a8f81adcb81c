package runner

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

const parityFixture = "../fixtures/recorded/embedded"

// serverHeader puts a proxy in front of an emulator that names its server software
// in every answer, as moto's (Werkzeug) and most real servers do.
func serverHeader(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(r *http.Response) error {
		r.Header.Set("Server", "Werkzeug/3.1.3 Python/3.11.2")
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	return front.URL
}

// TestParityOfTheSameEmulatorInRealTime: the standalone emulator in real time, behind
// a server that adds a Server header, answers like the embedded emulator's recording
// on its virtual clock: what differs is transport and pace, which parity does not
// score. With a label filter only the scripts both runs made are compared.
func TestParityOfTheSameEmulatorInRealTime(t *testing.T) {
	srv := wallEmulator(t, 20*time.Millisecond)
	front := serverHeader(t, srv)
	cfg := endpointConfig(srv)
	cfg.Endpoint, cfg.Control = front, front+emulator.ControlPrefix
	res, err := Parity(t.Context(), ParityOptions{Config: cfg, Recorded: parityFixture, Out: filepath.Join(t.TempDir(), "parity")})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Parity
	if !p.Perfect() {
		var b strings.Builder
		_ = p.WriteText(&b)
		t.Errorf("parity %.2f%%, want 100%%:\n%s", p.Score, b.String())
	}
	if p.Exchanges < 80 || len(p.NotCompared) != 0 {
		t.Errorf("%d exchanges compared, not compared %v", p.Exchanges, p.NotCompared)
	}

	cfg.Control = "" // no control surface: the scenario scripts are not compared
	res, err = Parity(t.Context(), ParityOptions{Config: cfg, Recorded: parityFixture, LabelFilter: "fault", Out: filepath.Join(t.TempDir(), "parity")})
	if err != nil {
		t.Fatal(err)
	}
	p = res.Parity
	if !p.Perfect() || len(p.NotCompared) == 0 {
		var b strings.Builder
		_ = p.WriteText(&b)
		t.Errorf("with --label-filter fault: %.2f%%, not compared %v:\n%s", p.Score, p.NotCompared, b.String())
	}
	for _, sp := range p.Scripts {
		if !strings.Contains(sp.Key, "not-found") && !strings.Contains(sp.Key, "access-denied") && sp.Key != "setup" && !strings.Contains(sp.Key, "walk") && !strings.Contains(sp.Key, "inputs") {
			t.Logf("compared %s", sp.Key)
		}
	}
	if res.Run.LabelFilter != "fault" {
		t.Errorf("the run ignored the label filter: %q", res.Run.LabelFilter)
	}
	skipped := 0
	rep, err := ReadReport(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if c.Outcome == reports.Skipped && strings.HasPrefix(c.Message, "not compared") {
			skipped++
		}
	}
	if skipped != len(p.NotCompared) {
		t.Errorf("the parity report skips %d scripts, not compared %d", skipped, len(p.NotCompared))
	}
}

// TestParityStillSeesBehaviour: what parity forgives (pace, weather, transport) is
// not what a broken target does: each of these defects still differs from the
// recording.
func TestParityStillSeesBehaviour(t *testing.T) {
	t.Parallel() // waits on real-time targets (or is CPU-bound on the virtual clock): overlaps the waiting of others
	for _, mode := range []string{"status-lowercase", "cancel-stuck-canceling", "undocumented-step", "wrong-content-type", "cancel-no-effect", "step-backwards", "missing-project-arn"} {
		t.Run(mode, func(t *testing.T) {
			res, err := Parity(t.Context(), ParityOptions{Config: engine.Config{Defects: []string{mode}}, Recorded: parityFixture, Out: filepath.Join(t.TempDir(), "parity")})
			if err != nil {
				t.Fatal(err)
			}
			if res.Parity.Perfect() {
				t.Errorf("the defect %s reads 100%% parity", mode)
			}
		})
	}
}
