package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is an emulator serving HTTP on a loopback port.
type Server struct {
	URL             string // http://127.0.0.1:<port>
	Region          string
	AccessKeyID     string // a key pair the access policy allows everything
	SecretAccessKey string
	// DeniedAccessKeyID and DeniedSecretAccessKey are a key pair the access policy
	// denies some operation (the defaults: the Cancel* operations); "" if none.
	DeniedAccessKeyID     string
	DeniedSecretAccessKey string
	Emulator              *Emulator
	Clock                 *VirtualClock // nil if the clock is the wall clock

	srv       *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error

	connMu   sync.Mutex
	newConns map[net.Conn]bool // accepted connections that have not sent a request yet
}

// Start builds an emulator from cfg and serves it on 127.0.0.1 with a free port.
func Start(cfg Config) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on 127.0.0.1: %w", err)
	}
	s, err := Serve(l, cfg)
	if err != nil {
		l.Close()
		return nil, err
	}
	return s, nil
}

// Serve builds an emulator from cfg and serves it on l, which the caller chose (the
// standalone command refuses non-loopback addresses before it gets here). Close
// stops it and closes l.
func Serve(l net.Listener, cfg Config) (*Server, error) {
	e, err := New(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:      "http://" + l.Addr().String(),
		Region:   e.region,
		Emulator: e,
		Clock:    e.vclock,
		srv: &http.Server{
			Handler:           e,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
		done:     make(chan error, 1),
		newConns: map[net.Conn]bool{},
	}
	s.srv.ConnState = s.trackNew
	creds := cfg.Credentials
	if creds == nil {
		creds = DefaultCredentials()
	}
	for _, c := range creds {
		if len(c.Deny) == 0 {
			s.AccessKeyID, s.SecretAccessKey = c.AccessKeyID, c.SecretAccessKey
			break
		}
	}
	if s.AccessKeyID == "" {
		s.AccessKeyID, s.SecretAccessKey = creds[0].AccessKeyID, creds[0].SecretAccessKey
	}
	for _, c := range creds {
		if len(c.Deny) > 0 && (s.DeniedAccessKeyID == "" || c.AccessKeyID == DeniedAccessKeyID) {
			s.DeniedAccessKeyID, s.DeniedSecretAccessKey = c.AccessKeyID, c.SecretAccessKey
		}
	}
	go func() {
		err := s.srv.Serve(l)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Close stops the server: it drops the calls the weather keeps silent
// (Weather.SilentAfter) without an answer, closes the connections that never sent a
// request, waits up to 5 seconds for the other calls in flight, then closes the
// remaining connections. It returns the serving error, if
// any. Calling it again returns the same result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	s.Emulator.releaseSilent()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- s.srv.Shutdown(ctx) }()
	// Shutdown closes the listener and waits for connections to go idle, but counts a
	// connection that never sent a request (a client's spare dial) as idle only after
	// 5 s. Such a connection carries no call, so close it at once, until Shutdown is done.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		s.closeNew()
		select {
		case err = <-shut:
			break wait
		case <-tick.C:
		}
	}
	if err != nil {
		s.srv.Close()
	}
	if serr := <-s.done; serr != nil {
		return serr
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// ControlURL returns the base URL of the control surface, or "" when it is disabled.
func (s *Server) ControlURL() string {
	if !s.Emulator.control {
		return ""
	}
	return s.URL + ControlPrefix
}

// trackNew is the server's ConnState hook: it keeps the connections that have not
// sent a request yet, for close.
func (s *Server) trackNew(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if st == http.StateNew {
		s.newConns[c] = true
	} else {
		delete(s.newConns, c)
	}
}

// closeNew closes the connections that have not sent a request yet.
func (s *Server) closeNew() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for c := range s.newConns {
		c.Close()
		delete(s.newConns, c)
	}
}
