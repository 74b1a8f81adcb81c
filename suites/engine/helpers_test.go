package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// answer is one canned HTTP answer of a scripted test server.
type answer struct {
	status int
	ctype  string
	body   string
	header map[string]string
	drop   bool // close the connection without an answer
}

// jsonError is an awsJson 1.1 error answer.
func jsonError(status int, code string) answer {
	return answer{status: status, ctype: "application/x-amz-json-1.1",
		body: fmt.Sprintf(`{"__type":%q,"message":"canned %s"}`, code, code)}
}

func jsonOK(body string) answer {
	return answer{status: 200, ctype: "application/x-amz-json-1.1", body: body}
}

func htmlAnswer(status int, page string) answer {
	return answer{status: status, ctype: "text/html", body: page}
}

// scripted answers the nth request with answers[n-1]; once they are used up it
// cycles through them again (cycle) or repeats the last.
type scripted struct {
	answers []answer
	cycle   bool
	hits    atomic.Int32
}

func (h *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(h.hits.Add(1))
	a := h.answers[len(h.answers)-1]
	switch {
	case n <= len(h.answers):
		a = h.answers[n-1]
	case h.cycle:
		a = h.answers[(n-1)%len(h.answers)]
	}
	if a.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	if a.ctype != "" {
		w.Header().Set("Content-Type", a.ctype)
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

// counting counts the AWS-surface requests (not the control surface) that reach h.
type counting struct {
	h    http.Handler
	hits atomic.Int32
	// gate, when set, holds the first request until it is closed; entered is closed
	// when that request arrives.
	gate, entered chan struct{}
	once          sync.Once
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, emulator.ControlPrefix) {
		if c.hits.Add(1) == 1 && c.gate != nil {
			c.once.Do(func() { close(c.entered) })
			<-c.gate
		}
	}
	c.h.ServeHTTP(w, r)
}

// Tests of this package open real targets (package targets) through these hooks,
// which targets_test.go (package engine_test, which may import targets) sets: a test
// of package engine cannot import targets, which imports engine.
var (
	// NewTestTarget builds cfg's target; adjust changes an embedded emulator's
	// configuration before it starts.
	NewTestTarget func(cfg Config, adjust func(*emulator.Config)) (Target, error)
	// TestEmulator is the emulator an embedded target started (nil for other kinds).
	TestEmulator func(Target) *emulator.Server
)

// emulators remembers the emulator of each embedded session a test opened.
var emulators sync.Map // *Session -> *emulator.Server

// emu is the emulator of a session opened by openEmbedded.
func emu(s *Session) *emulator.Server {
	e, _ := emulators.Load(s)
	return e.(*emulator.Server)
}

// open builds cfg's target through the hook and opens a session on it.
func open(t *testing.T, cfg Config, adjust func(*emulator.Config)) (*Session, error) {
	t.Helper()
	tg, err := NewTestTarget(cfg, adjust)
	if err != nil {
		return nil, err
	}
	s, err := Open(context.Background(), cfg, tg)
	if err == nil {
		if e := TestEmulator(tg); e != nil {
			emulators.Store(s, e)
		}
	}
	return s, err
}

// openEndpoint opens an endpoint session against h served on 127.0.0.1. The session
// waits on a virtual clock (so backoff costs no real time); MaxAttempts is 3 unless
// edit changes it.
func openEndpoint(t *testing.T, h http.Handler, edit func(*Config)) *Session {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return openEndpointURL(t, srv.URL, edit, true)
}

func openEndpointURL(t *testing.T, url string, edit func(*Config), virtual bool) *Session {
	t.Helper()
	cfg := Config{Target: TargetEndpoint, Endpoint: url, Project: emulator.DefaultProject, MaxAttempts: 3}
	if edit != nil {
		edit(&cfg)
	}
	s, err := open(t, cfg, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if virtual {
		s.clock = virtualClock{emulator.NewVirtualClock(time.Time{})}
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// openEmbedded opens the embedded target (the configuration of engine.Config{},
// changed by edit).
func openEmbedded(t *testing.T, edit func(*Config)) *Session {
	t.Helper()
	return openEmbeddedEmu(t, nil, edit)
}

// openEmbeddedEmu is openEmbedded with the emulator's configuration changed by adjust.
func openEmbeddedEmu(t *testing.T, adjust func(*emulator.Config), edit func(*Config)) *Session {
	t.Helper()
	var cfg Config
	if edit != nil {
		edit(&cfg)
	}
	s, err := open(t, cfg, adjust)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
		emulators.Delete(s)
	})
	return s
}

// weather sets the embedded emulator's weather.
func weather(w emulator.Weather) func(*emulator.Config) {
	return func(c *emulator.Config) { c.Weather = w }
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	return url
}

// cancelCall sends one raw cancel through the session's transport.
func cancelCall(t *testing.T, s *Session, ctx context.Context) (*Sample, error) {
	t.Helper()
	op := s.Model.FamilyOperation("conversion", spec.RoleCancel)
	body := []byte(`{"MigrationProjectIdentifier":"` + s.Project + `","RequestIdentifier":"` + UnknownRequestID + `"}`)
	return s.wire(ctx, "test", wireRequest{Name: "test: cancel", Op: op, Body: body})
}

// kind is a tiny check kind for the engine's tests: it declares needs and passes,
// counting how often it was judged.
type kind struct {
	needs  Needs
	judged *atomic.Int32
	judge  func(*Evidence) Verdict
}

func (k kind) Needs() Needs { return k.needs }

func (k kind) Judge(ev *Evidence) Verdict {
	if k.judged != nil {
		k.judged.Add(1)
	}
	if k.judge != nil {
		return k.judge(ev)
	}
	return Pass()
}

func check(family, id string, k Kind, labels ...string) Check {
	op := map[string]string{"conversion": "CancelMetadataModelConversion", "creation": "CancelMetadataModelCreation"}[family]
	return Check{CheckInfo: reports.CheckInfo{ID: op + "." + id, Operation: op, Labels: labels, Level: "MUST"}, Family: family, Kind: k}
}

// requestOf returns the Request object of a cancel answer.
func requestOf(smp *Sample) map[string]any {
	r, _ := smp.Response().Object()["Request"].(map[string]any)
	return r
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// UseVirtualClock puts a session on c (a standalone emulator's virtual clock, shared
// with the session, so waiting advances the emulator's lifecycles).
func UseVirtualClock(s *Session, c Advancer) { s.clock = virtualClock{c} }
