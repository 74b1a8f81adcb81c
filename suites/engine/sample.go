package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/dmsconform/dmsconform/internal/jsonv"
	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// Sample is one call the harness made, with every attempt: a transient answer (a
// throttle, a 5xx, a reset connection) was retried, and only the last attempt's
// answer is judged. The SDK view of that answer is derived (Sample.SDK) by decoding it
// through aws-sdk-go-v2, live and offline alike.
type Sample struct {
	Op       string             `json:"op,omitempty"` // the operation called ("" for a raw target such as an unknown X-Amz-Target)
	Name     string             `json:"name"`         // what the call was for, e.g. "walk: cancel"
	Attempts []reports.Exchange `json:"attempts"`
	// Solicited is what a scenario asked the target to send (an undocumented value, an
	// unknown union member): such values are expected, not drift.
	Solicited *Solicitation `json:"solicited,omitempty"`
	// Lost is set on a call that changes state (a Start, a Cancel) when an attempt's
	// answer was lost on the way: what describes found out it had done (see lost.go).
	Lost *Resolution `json:"lost,omitempty"`

	respOnce sync.Once
	resp     *Response
	sdkOnce  sync.Once
	sdkOut   any
	sdkErr   error
}

// Solicitation is what a scenario asked for.
type Solicitation struct {
	Status             string `json:"status,omitempty"`
	ProgressStep       string `json:"progressStep,omitempty"`
	EndpointType       string `json:"endpointType,omitempty"`
	UnknownUnionMember string `json:"unknownUnionMember,omitempty"`
}

// Solicits reports whether a value (a string or a union object) is what the sample's
// scenario asked for.
func (s *Sample) Solicits(v any) bool {
	sc := s.Solicited
	if sc == nil {
		return false
	}
	switch x := v.(type) {
	case string:
		return x != "" && (x == sc.Status || x == sc.ProgressStep || x == sc.EndpointType)
	case map[string]any:
		_, has := x[sc.UnknownUnionMember]
		return sc.UnknownUnionMember != "" && has
	}
	return false
}

// Last is the attempt whose answer counts (nil when the call was never sent).
func (s *Sample) Last() *reports.Exchange {
	if s == nil || len(s.Attempts) == 0 {
		return nil
	}
	return &s.Attempts[len(s.Attempts)-1]
}

// Response is the parsed answer of the last attempt (never nil; Status 0 when there was
// no answer).
func (s *Sample) Response() *Response {
	s.respOnce.Do(func() { s.resp = parseResponse(s.Last()) })
	return s.resp
}

// SDK is what aws-sdk-go-v2 makes of the answer: the typed output or its error. It is
// computed from the recorded bytes, so a recording is judged like the live run.
func (s *Sample) SDK(op *spec.Operation) (any, error) {
	s.sdkOnce.Do(func() {
		r := s.Response()
		if r.Status == 0 {
			s.sdkErr = errors.New("no answer to decode: " + r.TransportError)
			return
		}
		s.sdkOut, s.sdkErr = gosdk.Decode(context.Background(), op, gosdk.Response{Status: r.Status, Header: r.Header, Body: r.Body})
	})
	return s.sdkOut, s.sdkErr
}

// Response is an HTTP answer, parsed once.
type Response struct {
	Status         int
	Header         http.Header
	Body           []byte
	Decoded        any   // the body decoded with jsonv.Decode; nil if not JSON
	JSONErr        error // why the body is not JSON
	TransportError string
}

func parseResponse(ex *reports.Exchange) *Response {
	r := &Response{Header: http.Header{}}
	if ex == nil {
		r.TransportError = "the call was never sent"
		return r
	}
	if ex.Error != "" && ex.Response.Status == 0 {
		r.TransportError = ex.Error
		return r
	}
	r.Status = ex.Response.Status
	for k, vs := range ex.Response.Headers {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	r.Body = []byte(ex.Response.Body)
	if len(bytes.TrimSpace(r.Body)) == 0 {
		r.JSONErr = errors.New("empty body")
	} else {
		r.Decoded, r.JSONErr = jsonv.Decode(r.Body)
	}
	return r
}

// OK reports a 2xx answer.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Object returns the decoded body as an object (nil if it is not one).
func (r *Response) Object() map[string]any {
	obj, _ := r.Decoded.(map[string]any)
	return obj
}

// ErrorCode returns the sanitised error code the way awsJson 1.1 clients resolve it:
// X-Amzn-ErrorType header first, then body __type, then body code.
func (r *Response) ErrorCode() string {
	if h := r.Header.Get("X-Amzn-ErrorType"); h != "" {
		return spec.SanitizeErrorCode(h)
	}
	for _, k := range []string{"__type", "code"} {
		if s, ok := r.Object()[k].(string); ok && s != "" {
			return spec.SanitizeErrorCode(s)
		}
	}
	return ""
}

// Message returns the error message from "message" or "Message".
func (r *Response) Message() (string, bool) {
	for _, k := range []string{"message", "Message"} {
		if s, ok := r.Object()[k].(string); ok {
			return s, true
		}
	}
	return "", false
}

// RequestID returns the x-amzn-RequestId header (or X-Amz-RequestId).
func (r *Response) RequestID() string {
	if v := r.Header.Get("X-Amzn-Requestid"); v != "" {
		return v
	}
	return r.Header.Get("X-Amz-Requestid")
}

// Summary is one line about the answer: "HTTP 400 ResourceNotFoundFault: message".
func (r *Response) Summary() string {
	if r.Status == 0 {
		return "no answer: " + r.TransportError
	}
	s := fmt.Sprintf("HTTP %d", r.Status)
	if code := r.ErrorCode(); code != "" {
		s += " " + code
	}
	if r.JSONErr != nil {
		ct := r.Header.Get("Content-Type")
		return fmt.Sprintf("%s %s: %s", s, orWord(ct, "(no Content-Type)"), text.Truncate(strings.Join(strings.Fields(string(r.Body)), " "), 120))
	}
	if msg, ok := r.Message(); ok && !r.OK() {
		s += ": " + text.Truncate(msg, 160)
	}
	return s
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Str returns v as a string ("" when it is not one).
func Str(v any) string { s, _ := v.(string); return s }

// RequestsOf returns the request objects of a describe answer.
func RequestsOf(obj map[string]any) []map[string]any {
	arr, _ := obj["Requests"].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, a := range arr {
		if m, ok := a.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
