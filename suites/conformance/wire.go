package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/dmsconform/dmsconform/spec"
)

// Exchange is one captured HTTP request/response pair. Its JSON form matches
// reports.Exchange, so the runner converts it without knowing this package.
type Exchange struct {
	Name     string        `json:"name,omitempty"`
	View     string        `json:"view,omitempty"` // "wire" or "sdk"
	Request  HTTPMessage   `json:"request"`
	Response HTTPMessage   `json:"response"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"durationNs"`
}

// HTTPMessage is one side of an exchange.
type HTTPMessage struct {
	Method  string              `json:"method,omitempty"`
	URL     string              `json:"url,omitempty"`
	Status  int                 `json:"status,omitempty"`
	Headers map[string][]string `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
}

var (
	sigRe   = regexp.MustCompile(`Signature=[0-9a-fA-F]+`)
	credRe  = regexp.MustCompile(`Credential=[^/,\s]+/`)
	secrets = []string{"X-Amz-Security-Token"}
)

// maskHeaders copies headers with signatures, key ids and tokens masked: captures are
// safe to print even before the report writer redacts them again.
func maskHeaders(h http.Header) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case strings.EqualFold(k, "Authorization"):
				v = credRe.ReplaceAllString(sigRe.ReplaceAllString(v, "Signature=<redacted>"), "Credential=<access-key-id>/")
			case containsFold(secrets, k):
				v = "<redacted>"
			}
			cp[i] = v
		}
		out[http.CanonicalHeaderKey(k)] = cp
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// capturingTransport records every exchange into the sink carried by the request
// context (see withSink). It is the HTTP client of the SDK, so the typed result and
// the raw bytes are two views of the same exchange.
type capturingTransport struct {
	base http.RoundTripper
	kind string // target kind: replay targets get CheckHeader
}

type sinkKey struct{}

type sink struct {
	mu        sync.Mutex
	exchanges []Exchange
	name      string
}

func withSink(ctx context.Context, name string) (context.Context, *sink) {
	s := &sink{name: name}
	return context.WithValue(ctx, sinkKey{}, s), s
}

func (s *sink) add(e Exchange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Name == "" {
		e.Name = s.name
	}
	s.exchanges = append(s.exchanges, e)
}

func (s *sink) all() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Exchange(nil), s.exchanges...)
}

func (t *capturingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.kind == TargetReplay {
		req = req.Clone(req.Context())
		tagCheck(req.Header, t.kind)
	}
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	ex := Exchange{View: "sdk", Request: HTTPMessage{Method: req.Method, URL: req.URL.String(), Headers: maskHeaders(req.Header), Body: string(reqBody)}}
	if err != nil {
		ex.Error = err.Error()
	} else {
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if rerr != nil {
			ex.Error = "reading the response body: " + rerr.Error()
		}
		ex.Response = HTTPMessage{Status: resp.StatusCode, Headers: maskHeaders(resp.Header), Body: string(body)}
	}
	ex.Duration = time.Since(start)
	if s, ok := req.Context().Value(sinkKey{}).(*sink); ok {
		s.add(ex)
		ex.Name = s.name
	}
	observe(ex)
	return resp, err
}

// WireClient sends raw awsJson 1.1 requests, signed with SigV4 (or deliberately not),
// and keeps the response as bytes.
type WireClient struct {
	Endpoint string
	Region   string
	Service  spec.Service
	Creds    aws.Credentials
	HTTP     *http.Client
	kind     string
}

// WireRequest describes one raw call.
type WireRequest struct {
	Name        string // what the call is for, shown in transcripts
	Operation   string // operation name; the target is <prefix>.<Operation> unless Target is set
	Target      string // raw X-Amz-Target value (overrides Operation)
	Body        []byte
	ContentType string           // default the service content type
	Unsigned    bool             // send no Authorization
	BadSig      bool             // sign, then corrupt the signature
	Creds       *aws.Credentials // sign as another principal
}

// WireResponse is what came back.
type WireResponse struct {
	Status   int
	Header   http.Header
	Body     []byte
	Decoded  any   // the body decoded with spec.DecodeJSON; nil if not JSON
	JSONErr  error // why the body is not JSON
	Exchange Exchange
}

// Do sends a raw request. The error is a transport error (the harness or the
// infrastructure broke), never a non-2xx status.
func (w *WireClient) Do(ctx context.Context, r WireRequest) (*WireResponse, error) {
	target := r.Target
	if target == "" {
		target = w.Service.TargetPrefix + "." + r.Operation
	}
	ct := r.ContentType
	if ct == "" {
		ct = w.Service.ContentType
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(w.Endpoint, "/")+"/", bytes.NewReader(r.Body))
	if err != nil {
		return nil, fmt.Errorf("building the request to %s: %w", w.Endpoint, err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Amz-Target", target)
	tagCheck(req.Header, w.kind)
	if !r.Unsigned {
		creds := w.Creds
		if r.Creds != nil {
			creds = *r.Creds
		}
		sum := sha256.Sum256(r.Body)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), w.Service.SigningName, w.Region, time.Now().UTC()); err != nil {
			return nil, fmt.Errorf("signing the request: %w", err)
		}
		if r.BadSig {
			auth := req.Header.Get("Authorization")
			i := strings.LastIndex(auth, "Signature=")
			if i >= 0 {
				sig := []byte(auth[i+len("Signature="):])
				for j := range sig {
					if sig[j] == '0' {
						sig[j] = '1'
					} else {
						sig[j] = '0'
					}
				}
				req.Header.Set("Authorization", auth[:i]+"Signature="+string(sig))
			}
		}
	}
	name := r.Name
	if name == "" {
		name = r.Operation
	}
	ex := Exchange{Name: name, View: "wire", Request: HTTPMessage{Method: req.Method, URL: req.URL.String(), Headers: maskHeaders(req.Header), Body: string(r.Body)}}
	start := time.Now()
	resp, err := w.HTTP.Do(req)
	ex.Duration = time.Since(start)
	if err != nil {
		ex.Error = err.Error()
		observe(ex) // a call without an answer is part of the record too
		return nil, &TransportError{Op: name, Endpoint: w.Endpoint, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, &TransportError{Op: name, Endpoint: w.Endpoint, Err: fmt.Errorf("reading the response: %w", err)}
	}
	ex.Response = HTTPMessage{Status: resp.StatusCode, Headers: maskHeaders(resp.Header), Body: string(body)}
	observe(ex)
	out := &WireResponse{Status: resp.StatusCode, Header: resp.Header, Body: body, Exchange: ex}
	if len(bytes.TrimSpace(body)) > 0 {
		out.Decoded, out.JSONErr = spec.DecodeJSON(body)
	} else {
		out.JSONErr = fmt.Errorf("empty body")
	}
	return out, nil
}

// TransportError is a failure to exchange at all: connection refused, DNS, timeout.
// Checks report it as outcome error, never fail.
type TransportError struct {
	Op, Endpoint string
	Err          error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: no answer from %s: %v (is the target running and reachable? check --endpoint/--region)", e.Op, e.Endpoint, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// ErrorCode returns the sanitised error code of a non-2xx response the way awsJson
// 1.1 clients resolve it: X-Amzn-ErrorType header first, then body __type, then code.
func (r *WireResponse) ErrorCode() (code, source string) {
	if h := r.Header.Get("X-Amzn-ErrorType"); h != "" {
		return spec.SanitizeErrorCode(h), "X-Amzn-ErrorType header"
	}
	if obj, ok := r.Decoded.(map[string]any); ok {
		for _, k := range []string{"__type", "code"} {
			if s, ok := obj[k].(string); ok && s != "" {
				return spec.SanitizeErrorCode(s), "body " + k
			}
		}
	}
	return "", ""
}

// BodyType returns the sanitised body __type, if any.
func (r *WireResponse) BodyType() string {
	if obj, ok := r.Decoded.(map[string]any); ok {
		if s, ok := obj["__type"].(string); ok {
			return spec.SanitizeErrorCode(s)
		}
	}
	return ""
}

// Message returns the error message from "message" or "Message".
func (r *WireResponse) Message() (string, bool) {
	if obj, ok := r.Decoded.(map[string]any); ok {
		for _, k := range []string{"message", "Message"} {
			if s, ok := obj[k].(string); ok {
				return s, true
			}
		}
	}
	return "", false
}

// Object returns the decoded body as an object (nil if it is not one).
func (r *WireResponse) Object() map[string]any {
	obj, _ := r.Decoded.(map[string]any)
	return obj
}
