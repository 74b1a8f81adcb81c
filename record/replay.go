package record

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/suites/conformance"
)

// ReplayMismatch is the error code (X-Amzn-ErrorType and __type) of a request the
// recording cannot answer: beyond the check's recorded exchanges, or for another
// operation than the one recorded at that sequence.
const ReplayMismatch = "DmsconformReplayMismatch"

// replayEpoch is the base of the times a replay invents for <timestamp:N>: N seconds
// after it, so times keep the order of their first appearance.
var replayEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Replayer is an http.Handler that serves a recording back: each request carries the
// running check's ID (conformance.CheckHeader) and gets that check's next recorded
// response. Placeholders become valid synthetic values (<account:1> is 000000000001,
// <uuid:N> and <request-id:N> are UUIDs derived from N, <timestamp:N> is a fixed time
// N seconds after 2026-01-01T00:00:00Z in the recorded format), except those a request
// supplied: when the recorded request had <request-id:3> where the live request has
// an id, responses echo that id, so checks comparing echoes still hold.
type Replayer struct {
	rec *Recording

	mu     sync.Mutex
	next   map[string]int    // check ID -> sequence numbers served
	bound  map[string]string // placeholder -> value a request supplied
	served map[int]bool      // indexes of _setup.json exchanges served
}

// NewReplayer returns a handler serving rec.
func NewReplayer(rec *Recording) *Replayer {
	return &Replayer{rec: rec, next: map[string]int{}, bound: map[string]string{}}
}

// StartReplay loads the recording in dir and serves it on a loopback port. It is the
// replay starter of `--target replay:DIR` (conformance.SetReplayStarter).
func StartReplay(dir string) (*conformance.ReplayServer, error) {
	rec, err := Load(dir)
	if err != nil {
		return nil, err
	}
	rp := NewReplayer(rec)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on a loopback port for the replay: %w", err)
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	rs := &conformance.ReplayServer{
		URL:     base,
		Region:  rec.Meta.Target.Region,
		Denied:  rec.Meta.DeniedPrincipal,
		Project: rp.Denormalise(rec.Meta.Target.Project),
		Close: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(ctx)
		},
	}
	if rec.HasControl() {
		rs.Control = base + controlMarker
	}
	return rs, nil
}

// ServeHTTP answers one request with the next recorded response of its check.
func (rp *Replayer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	check := r.Header.Get(conformance.CheckHeader)
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	op := operationOf("", r.Header.Get("X-Amz-Target"), r.Method, r.URL.EscapedPath())

	rp.mu.Lock()
	rp.next[check]++
	seq := rp.next[check]
	cf := rp.rec.Checks[check]
	label := check
	if label == SetupCheck {
		label = "(outside any check)"
	}
	if cf == nil || seq > len(cf.Exchanges) {
		n := 0
		if cf != nil {
			n = len(cf.Exchanges)
		}
		rp.mu.Unlock()
		rp.refuse(w, fmt.Sprintf("replay of %s: check %s made request #%d (%s), but the recording holds %d exchange(s) for it: this run diverged from the recorded one (other checks, another label filter, a principal or control surface the recording lacks, or another harness version); run the same checks, or re-record",
			rp.rec.Dir, label, seq, op, n))
		return
	}
	idx := seq - 1
	if check == SetupCheck {
		// Clean-up runs in the order the families ran, which Ginkgo may shuffle: serve
		// outside-check calls by operation, in order.
		idx = rp.nextOfOperation(cf, op)
	}
	if idx < 0 {
		rp.mu.Unlock()
		rp.refuse(w, fmt.Sprintf("replay of %s: request #%d outside any check is %s, and the recording has no unserved %s call outside checks: this run diverged from the recorded one; re-record",
			rp.rec.Dir, seq, op, op))
		return
	}
	ex := cf.Exchanges[idx]
	if want := ex.Operation(); want != op {
		rp.mu.Unlock()
		rp.refuse(w, fmt.Sprintf("replay of %s: check %s request #%d is %s, but the recording has %s at that sequence: this run diverged from the recorded one; run the same checks with the same harness version, or re-record",
			rp.rec.Dir, label, seq, op, want))
		return
	}
	rp.bind(ex.Request, r.URL.EscapedPath(), r.URL.RawQuery, body)
	resp := rp.denormaliseMessage(ex.Response)
	rp.mu.Unlock()

	if ex.Error != "" && ex.Response.Status == 0 {
		// The recorded call got no response: end the connection without one.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		http.Error(w, "replay: the recorded call failed without a response: "+ex.Error, http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	var out []byte
	switch {
	case resp.Body != nil:
		out, _ = compact(resp.Body)
	case resp.BodyText != "":
		out = []byte(resp.BodyText)
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// nextOfOperation returns the index of the first exchange of op in cf not served yet
// (-1 if none) and marks it served. rp.mu held.
func (rp *Replayer) nextOfOperation(cf *CheckFile, op string) int {
	if rp.served == nil {
		rp.served = map[int]bool{}
	}
	for i := range cf.Exchanges {
		if !rp.served[i] && cf.Exchanges[i].Operation() == op {
			rp.served[i] = true
			return i
		}
	}
	return -1
}

// refuse answers a request the recording cannot serve with an awsJson error naming
// the check and sequence, so the replayed check visibly fails.
func (rp *Replayer) refuse(w http.ResponseWriter, msg string) {
	b, _ := compact(map[string]any{"__type": ReplayMismatch, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", ReplayMismatch)
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(b)
}

func compact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// bind learns placeholder values from a live request: where the recorded request had
// a placeholder and the live one has a value in the same place. rp.mu held.
func (rp *Replayer) bind(rec Message, path, rawQuery string, body []byte) {
	if rec.Path != "" {
		p := path
		if rawQuery != "" {
			p += "?" + rawQuery
		}
		rp.bindString(rec.Path, p)
	}
	if rec.Body != nil {
		if v, ok := parseJSON(string(body)); ok {
			rp.bindValue(rec.Body, v)
		}
	} else if rec.BodyText != "" {
		rp.bindString(rec.BodyText, string(body))
	}
}

func (rp *Replayer) bindValue(rec, live any) {
	switch x := rec.(type) {
	case map[string]any:
		if l, ok := live.(map[string]any); ok {
			for k, v := range x {
				if lv, ok := l[k]; ok {
					rp.bindValue(v, lv)
				}
			}
		}
	case []any:
		if l, ok := live.([]any); ok {
			for i := 0; i < len(x) && i < len(l); i++ {
				rp.bindValue(x[i], l[i])
			}
		}
	case string:
		if l, ok := live.(string); ok {
			rp.bindString(x, l)
		}
	}
}

// bindString matches a recorded string with placeholders against a live one.
func (rp *Replayer) bindString(rec, live string) {
	locs := placeholder.FindAllStringIndex(rec, -1)
	if len(locs) == 0 {
		return
	}
	var pat strings.Builder
	pat.WriteString("^")
	var names []string
	last := 0
	for _, l := range locs {
		pat.WriteString(regexp.QuoteMeta(rec[last:l[0]]))
		pat.WriteString("(.+?)")
		names = append(names, rec[l[0]:l[1]])
		last = l[1]
	}
	pat.WriteString(regexp.QuoteMeta(rec[last:]))
	pat.WriteString("$")
	re, err := regexp.Compile(pat.String())
	if err != nil {
		return
	}
	m := re.FindStringSubmatch(live)
	if m == nil {
		return
	}
	for i, name := range names {
		rp.bound[name] = m[i+1]
	}
}

func (rp *Replayer) denormaliseMessage(m Message) Message {
	out := Message{Status: m.Status, Method: m.Method, Target: m.Target, Path: rp.denormalise(m.Path)}
	if m.Headers != nil {
		out.Headers = make(map[string]string, len(m.Headers))
		for k, v := range m.Headers {
			out.Headers[k] = rp.denormalise(v)
		}
	}
	if m.Body != nil {
		out.Body = rp.denormaliseValue(m.Body)
	}
	out.BodyText = rp.denormalise(m.BodyText)
	return out
}

func (rp *Replayer) denormaliseValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = rp.denormaliseValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rp.denormaliseValue(e)
		}
		return out
	case string:
		return rp.denormalise(x)
	}
	return v
}

// Denormalise replaces every placeholder in s by its value: the one a request bound
// it to, or a valid synthetic value.
func (rp *Replayer) Denormalise(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(ph string) string {
		if v, ok := rp.bound[ph]; ok {
			return v
		}
		return Synthetic(ph, rp.rec.Meta.Placeholders[ph].Shape)
	})
}

func (rp *Replayer) denormalise(s string) string { return rp.Denormalise(s) }

// Synthetic returns the stand-in a replay serves for a placeholder of the given shape
// ("" = the kind's usual shape).
func Synthetic(ph, shape string) string {
	m := placeholder.FindStringSubmatch(ph)
	if m == nil {
		return ph
	}
	n, _ := strconv.ParseInt(m[2], 10, 64)
	switch m[1] {
	case KindAccount:
		return fmt.Sprintf("%012d", n)
	case KindUUID:
		return fmt.Sprintf("00000000-0000-4000-8000-%012x", n)
	case KindRequestID:
		if shape == ShapeOpaque {
			return fmt.Sprintf("REPLAYREQUEST%011d", n)
		}
		return fmt.Sprintf("00000000-0000-4000-a000-%012x", n)
	case KindTimestamp:
		t := replayEpoch.Add(time.Duration(n) * time.Second)
		switch shape {
		case ShapeHTTPDate:
			return t.Format(http.TimeFormat)
		case ShapeAmzDate:
			return t.Format("20060102T150405Z")
		}
		return t.Format(time.RFC3339)
	}
	return ph
}
