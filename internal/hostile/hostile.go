// Package hostile is a fault-injecting HTTP proxy for tests: it listens on 127.0.0.1,
// forwards every request to a conforming endpoint (the standalone emulator, or any
// URL) and lets one Fault change what one kind of call sees: a rewritten status,
// header or body, a reset connection, a redirect, a huge or endless body, text
// injected into the answer, answers refused from call N on. It is how the tests hold
// the harness to its verdicts on hostile networks and hostile targets: each case is
// the conforming target with one thing changed.
//
// It uses the standard library only and binds loopback addresses only. A Sink is the
// other end of a redirect: a listener that counts whatever reaches it.
package hostile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Call is one request through the proxy, handed to the Fault.
type Call struct {
	// N numbers the AWS-surface calls (those with an X-Amz-Target header) from 1 in
	// the order they reach the proxy; 0 for any other request (a control surface).
	N int
	// Req is the request as received; Body is its body, read whole.
	Req  *http.Request
	Body []byte

	p       *Proxy
	w       http.ResponseWriter
	written bool
}

// Target is the request's X-Amz-Target ("" for requests that are not API calls).
func (c *Call) Target() string { return c.Req.Header.Get("X-Amz-Target") }

// Op is the operation the request names ("CancelMetadataModelConversion"), or "".
func (c *Call) Op() string {
	_, op, _ := strings.Cut(c.Target(), ".")
	return op
}

// AccessKey is the access key id of the request's SigV4 Authorization ("" when unsigned).
func (c *Call) AccessKey() string {
	auth := c.Req.Header.Get("Authorization")
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, "/")
	return key
}

// Answer is an HTTP answer: what the upstream said (Forward) or what a Fault makes up.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Forward sends the request (with Body, which a Fault may have changed) to the
// upstream and returns its answer, read whole.
func (c *Call) Forward() (*Answer, error) {
	u := *c.p.upstream
	u.Path = singleSlash(u.Path, c.Req.URL.Path)
	u.RawQuery = c.Req.URL.RawQuery
	req, err := http.NewRequestWithContext(c.Req.Context(), c.Req.Method, u.String(), bytes.NewReader(c.Body))
	if err != nil {
		return nil, err
	}
	for k, vs := range c.Req.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Host = c.Req.Host // the signature covers the host the client addressed
	resp, err := c.p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	h := resp.Header.Clone()
	h.Del("Content-Length")
	return &Answer{Status: resp.StatusCode, Header: h, Body: body}, nil
}

func singleSlash(a, b string) string {
	return strings.TrimRight(a, "/") + "/" + strings.TrimLeft(b, "/")
}

// Write sends a to the client.
func (c *Call) Write(a *Answer) {
	c.written = true
	h := c.w.Header()
	for k, vs := range a.Header {
		h[k] = vs
	}
	h.Set("Content-Length", fmt.Sprint(len(a.Body)))
	c.w.WriteHeader(a.Status)
	_, _ = c.w.Write(a.Body)
}

// Stream sends a status and headers, then the body from r until r ends or the client
// goes away. Without Content-Length, the answer is chunked.
func (c *Call) Stream(status int, h http.Header, r io.Reader) {
	c.written = true
	for k, vs := range h {
		c.w.Header()[k] = vs
	}
	c.w.Header().Del("Content-Length")
	c.w.WriteHeader(status)
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := c.w.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil || c.Req.Context().Err() != nil {
			return
		}
	}
}

// Reset ends the connection with a TCP reset, answering nothing.
func (c *Call) Reset() {
	c.written = true
	hj, ok := c.w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close sends RST, not FIN
	}
	conn.Close()
}

// Pass forwards the call unchanged (what the proxy does when no Fault acts).
func (c *Call) Pass() {
	a, err := c.Forward()
	if err != nil {
		c.Write(&Answer{Status: http.StatusBadGateway, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("hostile proxy: upstream: " + err.Error())})
		return
	}
	c.Write(a)
}

// A Fault decides what one call sees: it may forward it and change the answer, answer
// it itself, or reset it. A Fault that writes nothing lets the call through unchanged.
type Fault func(c *Call)

// Proxy is a running hostile proxy.
type Proxy struct {
	URL string // http://127.0.0.1:<port>

	upstream *url.URL
	fault    Fault
	client   *http.Client
	srv      *http.Server
	ln       net.Listener
	calls    atomic.Int64
	acted    atomic.Int64
	mu       sync.Mutex
	seen     []Seen
}

// Seen is what the proxy noted of one request.
type Seen struct {
	N      int
	Method string
	Path   string
	Target string
	Header http.Header
}

// Start starts a proxy on a free 127.0.0.1 port that forwards to upstream (a URL such
// as an emulator.Server's) and lets fault act on every call (nil: none).
func Start(upstream string, fault Fault) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("hostile: upstream %q is not an absolute URL", upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hostile: listen on 127.0.0.1: %w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConnsPerHost = 64
	p := &Proxy{
		URL:      "http://" + ln.Addr().String(),
		upstream: u,
		fault:    fault,
		ln:       ln,
		// The proxy itself never follows a redirect of the upstream: a Fault decides.
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// ServeHTTP handles one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	c := &Call{Req: r, Body: body, p: p, w: w}
	if r.Header.Get("X-Amz-Target") != "" {
		c.N = int(p.calls.Add(1))
	}
	p.mu.Lock()
	p.seen = append(p.seen, Seen{N: c.N, Method: r.Method, Path: r.URL.Path, Target: c.Target(), Header: r.Header.Clone()})
	p.mu.Unlock()
	if p.fault != nil {
		p.fault(c)
	}
	if c.written {
		p.acted.Add(1)
		return
	}
	c.Pass()
}

// Calls is how many AWS-surface calls reached the proxy.
func (p *Proxy) Calls() int { return int(p.calls.Load()) }

// Seen returns what the proxy noted of every request so far.
func (p *Proxy) Seen() []Seen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Seen(nil), p.seen...)
}

// Close stops the proxy and drops its connections.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	p.client.CloseIdleConnections()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// --- faults ----------------------------------------------------------------------

// When applies f to the calls pred picks; the others pass.
func When(pred func(*Call) bool, f Fault) Fault {
	return func(c *Call) {
		if pred(c) {
			f(c)
		}
	}
}

// Times applies f to the first n calls pred picks (nil: every AWS-surface call); the
// others pass.
func Times(n int, pred func(*Call) bool, f Fault) Fault {
	if pred == nil {
		pred = API
	}
	var left atomic.Int64
	left.Store(int64(n))
	return func(c *Call) {
		if pred(c) && left.Add(-1) >= 0 {
			f(c)
		}
	}
}

// From applies f to AWS-surface calls from the nth on (n counts from 1).
func From(n int, f Fault) Fault {
	return When(func(c *Call) bool { return c.N >= n }, f)
}

// API picks the AWS-surface calls (not a control surface).
func API(c *Call) bool { return c.N > 0 }

// Control picks requests that are not API calls (an emulator control surface).
func Control(c *Call) bool { return c.N == 0 }

// OpIs picks the calls of one operation.
func OpIs(op string) func(*Call) bool {
	return func(c *Call) bool { return c.Op() == op }
}

// Sometimes applies f to a share of the AWS-surface calls (0..1), chosen by a
// generator seeded with seed, so a run's choices repeat in the order calls arrive.
func Sometimes(share float64, seed uint64, f Fault) Fault {
	var mu sync.Mutex
	state := seed*2862933555777941757 + 3037000493
	return func(c *Call) {
		if c.N == 0 {
			return
		}
		mu.Lock()
		state = state*6364136223846793005 + 1442695040888963407
		x := float64(state>>11) / float64(1<<53)
		mu.Unlock()
		if x < share {
			f(c)
		}
	}
}

// Reset resets the connection of every call it is applied to before the upstream sees
// it: the target never ran the call.
func Reset() Fault { return (*Call).Reset }

// Applied forwards the call, so the target runs it, then drops the target's answer and
// lets f answer instead (Reset, AWSError(503, ...), Hang): an answer lost after the
// target applied the call.
func Applied(f Fault) Fault {
	return func(c *Call) {
		if _, err := c.Forward(); err != nil {
			c.Pass()
			return
		}
		f(c)
	}
}

// Hang answers nothing until the client gives up (its timeout), then resets the
// connection: an answer that never comes.
func Hang() Fault {
	return func(c *Call) {
		<-c.Req.Context().Done()
		c.Reset()
	}
}

// Respond answers every call with a fixed answer, without forwarding.
func Respond(status int, header http.Header, body string) Fault {
	return func(c *Call) {
		c.Write(&Answer{Status: status, Header: header.Clone(), Body: []byte(body)})
	}
}

// AWSError answers with an awsJson 1.1 error, as an AWS front door does, with a Date
// header (the server's clock) and a request id.
func AWSError(status int, code, message string) Fault {
	return func(c *Call) {
		c.Write(awsError(status, code, message, time.Now()))
	}
}

func awsError(status int, code, message string, date time.Time) *Answer {
	body := fmt.Sprintf(`{"__type":%q,"message":%q}`, code, message)
	return &Answer{Status: status, Header: http.Header{
		"Content-Type":     {"application/x-amz-json-1.1"},
		"X-Amzn-Errortype": {code},
		"X-Amzn-Requestid": {"00000000-0000-4000-8000-hostile00000"},
		"Date":             {date.UTC().Format(http.TimeFormat)},
	}, Body: []byte(body)}
}

// Rewrite forwards the call and lets edit change the answer before it is sent.
func Rewrite(edit func(c *Call, a *Answer)) Fault {
	return func(c *Call) {
		a, err := c.Forward()
		if err != nil {
			c.Write(&Answer{Status: http.StatusBadGateway, Body: []byte(err.Error())})
			return
		}
		edit(c, a)
		c.Write(a)
	}
}

// Redirect answers with a redirect to location (code 301, 302, 303, 307 or 308),
// without forwarding: whatever follows it goes to location.
func Redirect(code int, location string) Fault {
	return func(c *Call) {
		c.Write(&Answer{Status: code, Header: http.Header{"Location": {location}, "Content-Type": {"text/plain"}},
			Body: []byte(fmt.Sprintf("%d %s: %s", code, http.StatusText(code), location))})
	}
}

// Pad forwards the call and sends its answer followed by n bytes of pad (a JSON
// answer padded with spaces stays valid JSON), streamed: the proxy keeps none of it.
func Pad(n int64, pad byte) Fault {
	return func(c *Call) {
		a, err := c.Forward()
		if err != nil {
			c.Pass()
			return
		}
		c.Stream(a.Status, a.Header, io.MultiReader(bytes.NewReader(a.Body), io.LimitReader(repeat(pad), n)))
	}
}

// Endless forwards the call and sends its answer, then pad bytes until the client
// goes away: a body that never ends.
func Endless(pad byte) Fault {
	return func(c *Call) {
		a, err := c.Forward()
		if err != nil {
			c.Pass()
			return
		}
		c.Stream(a.Status, a.Header, io.MultiReader(bytes.NewReader(a.Body), repeat(pad)))
	}
}

// Inflate forwards the call and, when its answer holds the JSON string member
// `"<member>":"`, sends the answer with that first string made n bytes of fill
// longer, streamed. A ProcessedObject.Name of 200 MB is Inflate("Name", 200<<20, 'x').
// Answers without the member pass unchanged.
func Inflate(member string, n int64, fill byte) Fault {
	key := []byte(`"` + member + `":"`)
	return func(c *Call) {
		a, err := c.Forward()
		if err != nil {
			c.Pass()
			return
		}
		i := bytes.Index(a.Body, key)
		if i < 0 {
			c.Write(a)
			return
		}
		at := i + len(key)
		c.Stream(a.Status, a.Header, io.MultiReader(bytes.NewReader(a.Body[:at]), io.LimitReader(repeat(fill), n), bytes.NewReader(a.Body[at:])))
	}
}

// repeat is an endless reader of one byte.
func repeat(b byte) io.Reader { return &repeatReader{chunk: bytes.Repeat([]byte{b}, 64<<10)} }

type repeatReader struct{ chunk []byte }

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r.chunk)
	}
	return n, nil
}

// ClockSkew plays a server whose clock is skew ahead of the client's (negative:
// behind): a signed call whose X-Amz-Date is more than 5 minutes from the server's
// clock is refused the way AWS refuses it, 400 InvalidSignatureException "Signature
// expired: ..." (or, with tooSkewed, 403 RequestTimeTooSkewed), with the server's
// Date header; the others pass.
func ClockSkew(skew time.Duration, tooSkewed bool) Fault {
	return func(c *Call) {
		amz := c.Req.Header.Get("X-Amz-Date")
		signed, err := time.Parse("20060102T150405Z", amz)
		if err != nil {
			return
		}
		server := time.Now().Add(skew).UTC()
		d := server.Sub(signed)
		if d >= -5*time.Minute && d <= 5*time.Minute {
			return
		}
		const f = "20060102T150405Z"
		if tooSkewed {
			c.Write(awsError(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", server))
			return
		}
		msg := fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)", amz, server.Add(-5*time.Minute).Format(f), server.Format(f))
		if d < 0 {
			msg = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)", amz, server.Add(5*time.Minute).Format(f), server.Format(f))
		}
		c.Write(awsError(http.StatusBadRequest, "InvalidSignatureException", msg, server))
	}
}

// --- sink ------------------------------------------------------------------------

// Sink is a listener on 127.0.0.1 that counts the connections and requests reaching
// it and answers 200 "{}" to each: the place a redirect points at, which must see
// nothing.
type Sink struct {
	URL  string // http://127.0.0.1:<port>
	Port int

	srv   *http.Server
	conns atomic.Int64
	mu    sync.Mutex
	reqs  []Seen
}

// StartSink starts a Sink on a free 127.0.0.1 port.
func StartSink() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hostile: listen on 127.0.0.1: %w", err)
	}
	s := &Sink{URL: "http://" + ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port}
	s.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.reqs = append(s.reqs, Seen{Method: r.Method, Path: r.URL.Path, Target: r.Header.Get("X-Amz-Target"), Header: r.Header.Clone()})
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = io.WriteString(w, "{}")
		})}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Connections is how many connections reached the sink.
func (s *Sink) Connections() int { return int(s.conns.Load()) }

// Requests returns the requests that reached the sink.
func (s *Sink) Requests() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.reqs...)
}

// Close stops the sink.
func (s *Sink) Close() error { return s.srv.Close() }
