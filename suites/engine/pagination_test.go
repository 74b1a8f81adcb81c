package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/emulator"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/suites/engine"
)

// pager is a proxy in front of an emulator that pages the harness's filtered
// describes the way the model allows: "empty-first" answers the first page with no
// request and a Marker, and the next page with what the emulator said; "loop" answers
// every page empty, its Markers going round (a, b, a, ...); "endless" answers every
// page empty with a new Marker. Every other call passes
// through, and so do the SDK's own (its cancelled waiter reads one page: it does not
// follow Marker).
type pager struct {
	mode          string
	backend       string // the emulator's URL
	mu            sync.Mutex
	held          map[string]*http.Response // marker -> the emulator's answer kept for that page
	bodies        map[string][]byte
	pages, firsts int
}

func (p *pager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		Filters []any
		Marker  string
	}
	_ = json.Unmarshal(body, &in)
	if p.mode == "" || !strings.Contains(r.Header.Get("X-Amz-Target"), ".DescribeMetadataModel") || len(in.Filters) == 0 ||
		strings.Contains(r.Header.Get("User-Agent"), "aws-sdk-go-v2") {
		p.forward(w, r, body)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages++
	if in.Marker == "" {
		p.firsts++
	}
	switch {
	case p.mode == "loop":
		next := map[string]string{"": "loop-a", "loop-a": "loop-b", "loop-b": "loop-a"}[in.Marker]
		page(w, fmt.Sprintf(`{"Requests":[],"Marker":%q}`, next))
	case p.mode == "endless":
		page(w, fmt.Sprintf(`{"Requests":[],"Marker":"page-%d"}`, p.pages))
	case in.Marker == "":
		resp, data := p.send(r, body)
		marker := fmt.Sprintf("proxy-page-%d", p.pages)
		p.held[marker], p.bodies[marker] = resp, data
		page(w, fmt.Sprintf(`{"Requests":[],"Marker":%q}`, marker))
	default:
		resp := p.held[in.Marker]
		if resp == nil {
			w.WriteHeader(400)
			return
		}
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(p.bodies[in.Marker])
	}
}

// page answers one describe page as the emulator would.
func page(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "dmsconform-proxy-page")
	_, _ = w.Write([]byte(body))
}

// send passes a request to the emulator unchanged (the Host it was signed for too).
func (p *pager) send(r *http.Request, body []byte) (*http.Response, []byte) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.backend+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	req.Host = r.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &http.Response{StatusCode: 502, Header: http.Header{}}, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func (p *pager) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	resp, data := p.send(r, body)
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(data)
}

// runThroughPager judges every check against a standalone emulator (virtual clock,
// shared with the session) behind a pager in mode ("" passes everything through).
func runThroughPager(t *testing.T, mode string) (*engine.Session, *engine.Result, *pager) {
	t.Helper()
	srv, err := emulator.Start(emulator.Config{Clock: emulator.NewVirtualClock(time.Time{}), Control: true, IDSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	p := &pager{mode: mode, backend: srv.URL, held: map[string]*http.Response{}, bodies: map[string][]byte{}}
	proxy := httptest.NewServer(p)
	t.Cleanup(proxy.Close)
	cfg := engine.Config{Target: engine.TargetEndpoint, Endpoint: proxy.URL, Project: emulator.DefaultProject,
		DeniedAccessKeyID: emulator.DeniedAccessKeyID, DeniedSecretAccessKey: emulator.DeniedSecretAccessKey,
		Control: srv.URL + emulator.ControlPrefix, Parallel: 1, MinDelay: 250 * time.Millisecond}
	s, _, res := run(t, cfg, func(s *engine.Session) { engine.UseVirtualClock(s, srv.Clock) })
	return s, res, p
}

// describePages is the cause a paged run ended its describes with (nil: none).
func describePages(res *engine.Result) *reports.Cause {
	for i, c := range res.Causes {
		if strings.HasPrefix(c.ID, "describe-pages/") {
			return &res.Causes[i]
		}
	}
	return nil
}

// An empty first page with a Marker (the model allows it) is followed: every check
// ends as it does without the paging, none "returned 0 requests"; the transcript shows
// the empty page, marked as followed, before the page judged.
func TestDescribeFollowsAnEmptyFirstPage(t *testing.T) {
	_, plain, _ := runThroughPager(t, "")
	s, paged, p := runThroughPager(t, "empty-first")
	if p.firsts == 0 || p.pages != 2*p.firsts {
		t.Fatalf("%d pages in %d describes, want 2 each", p.pages, p.firsts)
	}
	for i, c := range paged.Checks {
		if want := plain.Checks[i]; c.Outcome != want.Outcome || c.Outcome == reports.Fail || c.Outcome == reports.Error {
			t.Errorf("%s: %s %q; without paging %s", c.ID, c.Outcome, c.Message, want.Outcome)
		}
	}
	w := s.Evidence("conversion").Walk
	if w == nil || w.Final != "CANCELED" || len(w.Describes) == 0 {
		t.Fatalf("the walk %+v", w)
	}
	d := w.Describes[0]
	first, last := d.Attempts[0], d.Last()
	if len(d.Attempts) != 2 || !strings.Contains(first.Response.Body, `"Requests":[]`) || !strings.Contains(first.Retried, "page 1 does not list request") ||
		!strings.Contains(last.Request.Body, `"Marker":"proxy-page-`) || !strings.Contains(last.Response.Body, w.RequestID) {
		t.Errorf("the first describe: %+v", d.Attempts)
	}
}

// Markers that go round end the describe at the first one seen again, with one cause
// (an error, never a failure), instead of paging forever.
func TestDescribeStopsAtAMarkerSeenBefore(t *testing.T) {
	_, res, p := runThroughPager(t, "loop")
	loop := describePages(res)
	if loop == nil || loop.Outcome != reports.Error || !strings.Contains(loop.Title, `page 3 with the Marker of page 1 ("loop-a")`) || !strings.Contains(loop.Title, "loop") {
		t.Fatalf("causes %+v", res.Causes)
	}
	for _, c := range res.Checks {
		if c.Outcome == reports.Fail {
			t.Errorf("%s failed: %s", c.ID, c.Message)
		}
	}
	if p.firsts == 0 || p.pages != 3*p.firsts { // a, b, then a again
		t.Errorf("%d pages asked for in %d describes, want 3 each", p.pages, p.firsts)
	}
}

// Pages that never end (a new Marker each time) are followed up to a bound, then the
// describe ends with one cause.
func TestDescribeFollowsAtMostTwentyPages(t *testing.T) {
	_, res, p := runThroughPager(t, "endless")
	bound := describePages(res)
	if bound == nil || bound.Outcome != reports.Error || !strings.Contains(bound.Title, "answered 20 pages, each with a Marker") {
		t.Fatalf("causes %+v", res.Causes)
	}
	if p.firsts == 0 || p.pages != 20*p.firsts {
		t.Errorf("%d pages asked for in %d describes, want 20 each", p.pages, p.firsts)
	}
}
