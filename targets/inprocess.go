package targets

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

// inProcess is the embedded target's way to the emulator: the same http.Handler the
// loopback server serves, called directly with the request, so a call costs no
// socket, no connection and no goroutine hop. Everything above it (the SDK, signing,
// the resilient transport, capture) is the same as for any endpoint.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	defer func() {
		// A handler aborts a connection with http.ErrAbortHandler (a server drops it):
		// to the client that is a call without an answer.
		if r := recover(); r != nil {
			if r != http.ErrAbortHandler {
				panic(r)
			}
			resp, err = nil, errAborted
			if cerr := req.Context().Err(); cerr != nil {
				err = cerr
			}
		}
	}()
	// What a server sees of a client's request: the host, the path as sent.
	in := req.Clone(req.Context())
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	in.Body = req.Body
	rec := &recorder{header: http.Header{}}
	t.h.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil && !rec.wrote {
		return nil, err // the handler gave up with the client (a silent target)
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{
		Status: http.StatusText(rec.status), StatusCode: rec.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.header, Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())), ContentLength: int64(rec.body.Len()), Request: req,
	}, nil
}

var errAborted = errors.New("the connection was closed without an answer")

// recorder is the http.ResponseWriter of an in-process call.
type recorder struct {
	header http.Header
	body   bytes.Buffer
	status int
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}
