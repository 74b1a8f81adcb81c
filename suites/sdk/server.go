package sdk

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dmsconform/dmsconform/reports"
)

// Server serves fixture responses on 127.0.0.1. Each replay gets its own route key
// (the first path segment: the SDK's endpoint is http://127.0.0.1:<port>/<key>/), so
// routing is deterministic and every exchange is recorded against the replay that
// caused it.
type Server struct {
	URL string

	srv *http.Server
	ln  net.Listener

	mu     sync.Mutex
	seq    int
	routes map[string]*route
}

type route struct {
	fx        *Fixture
	exchanges []reports.Exchange
}

// RequestIDPrefix prefixes the x-amzn-RequestId the server sends by default.
const RequestIDPrefix = "dmsconform-"

// NewServer starts a fixture server on a free loopback port.
func NewServer() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fixture server: listen on 127.0.0.1: %w (is the loopback interface up?)", err)
	}
	s := &Server{ln: ln, URL: "http://" + ln.Addr().String(), routes: map[string]*route{}}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// Route registers one replay of fx and returns the endpoint the SDK must use and the
// key to read its exchanges with.
func (s *Server) Route(fx *Fixture) (endpoint, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	key = fx.ID + "." + strconv.Itoa(s.seq)
	s.routes[key] = &route{fx: fx}
	return s.URL + "/" + key + "/", key
}

// Exchanges returns the exchanges recorded for a route key.
func (s *Server) Exchanges(key string) []reports.Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.routes[key]; r != nil {
		return append([]reports.Exchange(nil), r.exchanges...)
	}
	return nil
}

// ServeHTTP answers with the fixture of the route key in the path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	key := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	rt := s.routes[key]
	s.mu.Unlock()
	if rt == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "dmsconform fixture server: no fixture route %q: the SDK must use the endpoint URL the harness gave it, path included\n", key)
		return
	}
	resp := rt.fx.Response
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amzn-Requestid", RequestIDPrefix+rt.fx.ID)
	for k, v := range resp.Headers {
		if v == "" {
			h.Del(k)
			continue
		}
		h.Set(k, v)
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	_, _ = io.WriteString(w, resp.Body)

	ex := reports.Exchange{
		Name: "fixture " + rt.fx.ID,
		View: "wire",
		Request: reports.HTTPMessage{
			Method:  r.Method,
			URL:     r.URL.RequestURI(),
			Headers: cloneHeader(r.Header),
			Body:    string(body),
		},
		Response: reports.HTTPMessage{
			Status:  resp.Status,
			Headers: cloneHeader(h),
			Body:    resp.Body,
		},
		Duration: time.Since(start),
	}
	s.mu.Lock()
	rt.exchanges = append(rt.exchanges, ex)
	s.mu.Unlock()
}

func cloneHeader(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	return out
}
