package record

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/internal/jsonv"
)

// ReplayMismatch is the error code (X-Amzn-ErrorType and __type) of a request the
// recording cannot answer: beyond the stream's recorded exchanges, or for another
// operation than the one recorded at that place.
const ReplayMismatch = "DmsconformReplayMismatch"

// replayEpoch is the base of the times a replay invents for <timestamp:N>: N seconds
// after it, so times keep the order of their first appearance.
var replayEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ScriptHeader is the request header naming the stream a request belongs to (the
// engine sends it to replay targets: family/script, or family/script/run).
const ScriptHeader = "X-Dmsconform-Script"

// Replayer is an http.Handler that serves a recording back: each request names its
// stream (ScriptHeader) and gets that stream's next recorded answer; a request without
// one (another tool) gets the next unserved answer of its operation. Placeholders
// become valid synthetic values (<account:1> is 000000000001, <uuid:N> and
// <request-id:N> are UUIDs derived from N, <timestamp:N> is a fixed time N seconds
// after 2026-01-01T00:00:00Z in the recorded format), except those a request supplied:
// when the recorded request had <request-id:3> where the live request has an id,
// answers echo that id, so checks comparing echoes still hold.
type Replayer struct {
	rec *Recording

	mu     sync.Mutex
	next   map[string]int    // stream -> exchanges served
	bound  map[string]string // placeholder -> value a request supplied
	served map[*Exchange]bool
	byKey  map[string][]*Exchange // stream -> its exchanges in order
}

// NewReplayer returns a handler serving rec.
func NewReplayer(rec *Recording) *Replayer {
	rp := &Replayer{rec: rec, next: map[string]int{}, bound: map[string]string{}, served: map[*Exchange]bool{}, byKey: map[string][]*Exchange{}}
	for _, key := range rec.Keys() {
		sf := rec.Scripts[key]
		for i := range sf.Exchanges {
			ex := &sf.Exchanges[i]
			stream := ex.Stream
			if stream == "" {
				stream = key
			}
			rp.byKey[stream] = append(rp.byKey[stream], ex)
		}
	}
	return rp
}

// Server is a recording served on a loopback port.
type Server struct {
	URL     string // the AWS surface
	Control string // the control surface URL, "" if the recording has none
	Project string // the project the recording used (denormalised)
	Region  string
	Denied  bool // the recording had a denied principal
	Meta    Meta
	Close   func() error
}

// StartReplay loads the recording in dir and serves it on a loopback port
// (--target replay:DIR).
func StartReplay(dir string) (*Server, error) {
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
	rs := &Server{
		URL:     base,
		Region:  rec.Meta.Target.Region,
		Denied:  rec.Meta.DeniedPrincipal,
		Project: rp.Denormalise(rec.Meta.Target.Project),
		Meta:    rec.Meta,
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

// ServeHTTP answers one request with the next recorded answer of its stream.
func (rp *Replayer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stream := r.Header.Get(ScriptHeader)
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	op := operationOf("", r.Header.Get("X-Amz-Target"), r.Method, r.URL.EscapedPath())

	rp.mu.Lock()
	var ex *Exchange
	switch {
	case stream == "" || stream == SetupScript:
		// Another tool, or the preflight and clean-up (side by side, in any order):
		// the next unserved answer of the operation.
		ex = rp.nextOfOperation(stream, op)
		if ex == nil {
			rp.mu.Unlock()
			rp.refuse(w, fmt.Sprintf("replay of %s: no unserved %s call is left in the recording: this run made more calls than the recorded one; re-record", rp.rec.Dir, op))
			return
		}
	default:
		exs := rp.byKey[stream]
		n := rp.next[stream]
		if n >= len(exs) {
			rp.mu.Unlock()
			rp.refuse(w, fmt.Sprintf("replay of %s: %s made call #%d (%s), but the recording holds %d for it: this run diverged from the recorded one (other checks, another label filter, a principal or control surface the recording lacks, or another harness version); run the same checks, or re-record",
				rp.rec.Dir, stream, n+1, op, len(exs)))
			return
		}
		ex = exs[n]
		rp.next[stream] = n + 1
		rp.served[ex] = true
		if want := ex.Operation(); want != op {
			rp.mu.Unlock()
			rp.refuse(w, fmt.Sprintf("replay of %s: %s call #%d is %s, but the recording has %s there: this run diverged from the recorded one; run the same checks with the same harness version, or re-record",
				rp.rec.Dir, stream, n+1, op, want))
			return
		}
	}
	rp.bind(ex.Request, r.URL.EscapedPath(), r.URL.RawQuery, body)
	resp := rp.denormaliseMessage(ex.Response)
	rp.mu.Unlock()

	if ex.Error != "" && ex.Response.Status == 0 {
		// The recorded call got no answer: end the connection without one.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		http.Error(w, "replay: the recorded call failed without an answer: "+ex.Error, http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	var out []byte
	switch {
	case resp.Body != nil:
		out, _ = jsonv.CompactBytes(resp.Body)
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

// nextOfOperation returns the first unserved exchange of op (in the stream's own
// exchanges when it has any, else in every file) and marks it served. rp.mu held.
func (rp *Replayer) nextOfOperation(stream, op string) *Exchange {
	lists := [][]*Exchange{rp.byKey[stream]}
	if stream == "" {
		lists = nil
		for _, key := range rp.rec.Keys() {
			for i := range rp.rec.Scripts[key].Exchanges {
				lists = append(lists, []*Exchange{&rp.rec.Scripts[key].Exchanges[i]})
			}
		}
	}
	for _, l := range lists {
		for _, ex := range l {
			if !rp.served[ex] && ex.Operation() == op {
				rp.served[ex] = true
				return ex
			}
		}
	}
	return nil
}

// refuse answers a request the recording cannot serve with an awsJson error naming
// the stream and call, so the replayed run visibly fails.
func (rp *Replayer) refuse(w http.ResponseWriter, msg string) {
	b, _ := jsonv.CompactBytes(map[string]any{"__type": ReplayMismatch, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", ReplayMismatch)
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(b)
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
	case CategoryAccount:
		return fmt.Sprintf("%012d", n)
	case CategoryUUID:
		return fmt.Sprintf("00000000-0000-4000-8000-%012x", n)
	case CategoryRequestID:
		if shape == ShapeOpaque {
			return fmt.Sprintf("REPLAYREQUEST%011d", n)
		}
		return fmt.Sprintf("00000000-0000-4000-a000-%012x", n)
	case CategoryTimestamp:
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
