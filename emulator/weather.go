package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Error codes of weather answers (infrastructure conditions, not DMS faults).
const (
	CodeThrottling         = "ThrottlingException"
	CodeServiceUnavailable = "ServiceUnavailable"
)

// Weather is the conditions the emulator shows besides its contract: the things a
// conforming DMS does on a bad day (throttling, transient 5xx, latency, eventual
// consistency, a slow or fast lifecycle) and a few a broken piece of infrastructure
// in front of it does (a proxy answering HTML, a target that goes silent). The zero
// Weather is clear sky: the emulator behaves as if there were no weather at all.
//
// The *Every and SilentAfter fields count AWS-surface calls (control-surface calls
// are not counted) with one counter per Emulator, numbered 1, 2, 3, ... in the order
// the calls reach the handler. The counter restarts at 0 whenever the weather is set
// (SetWeather, PUT weather) and on Reset. A call that several fields pick gets one
// answer, decided in this order:
//
//	call n > SilentAfter        no answer ever (until the client goes away or the Server closes)
//	Latency                     wait, then go on down this list
//	ProxyError                  502 text/html, no x-amzn-RequestId
//	n % ThrottleEvery == 0      400 ThrottlingException "Rate exceeded"
//	n % UnavailableEvery == 0   503 ServiceUnavailable
//	n % FailEvery == 0          500 InternalFailure
//
// so a throttle wins over a 503 and a 503 over a 500: the front door refuses a call
// before a backend could fail it. A weather answer is given before anything else
// (body size, SigV4, routing): it runs no operation, does not advance the clock
// (Config.AutoAdvance), consumes no scenario and changes no request. The JSON error
// answers carry the usual headers (Content-Type application/x-amz-json-1.1,
// x-amzn-RequestId, X-Amzn-ErrorType), changed by the defect modes that change every
// response (wrong-content-type, no-request-id); the 502 page carries none of them.
//
// In JSON the fields are lower camel case and durations are Go duration strings
// ("150ms", "2s"); unknown fields are refused.
type Weather struct {
	// ThrottleEvery N > 0: every Nth call answers HTTP 400
	// {"__type":"ThrottlingException","message":"Rate exceeded"}.
	ThrottleEvery int `json:"throttleEvery"`
	// FailEvery N > 0: every Nth call answers HTTP 500 InternalFailure.
	FailEvery int `json:"failEvery"`
	// UnavailableEvery N > 0: every Nth call answers HTTP 503 ServiceUnavailable.
	UnavailableEvery int `json:"unavailableEvery"`
	// Latency is real wall-clock time waited before every AWS-surface answer (also
	// on a virtual clock, which it does not move). The operation runs after the
	// wait, so a client that gives up during it leaves no trace.
	Latency time.Duration `json:"latency"`
	// ConsistencyWindow: a request is invisible for this long after its start,
	// measured on the emulator's clock: Describe* leaves it out (also when filtered
	// by request-id) and Cancel* answers ResourceNotFoundFault as for an unknown id.
	// Its lifecycle still counts from its start.
	ConsistencyWindow time.Duration `json:"consistencyWindow"`
	// SilentAfter N > 0: calls 1..N are answered, every later call is accepted and
	// never answered: the target answers the probe, then goes silent.
	SilentAfter int `json:"silentAfter"`
	// ProxyError: every call answers HTTP 502 with a small text/html page, like a
	// load balancer whose backend is down.
	ProxyError bool `json:"proxyError"`
	// StepDuration > 0 replaces Config.StepDuration for requests started from now
	// on (running requests keep the step they started with, so none jumps); 0 leaves
	// the configured step.
	StepDuration time.Duration `json:"stepDuration"`
}

// weatherJSON is the wire form of Weather: durations as strings.
type weatherJSON struct {
	ThrottleEvery     int    `json:"throttleEvery"`
	FailEvery         int    `json:"failEvery"`
	UnavailableEvery  int    `json:"unavailableEvery"`
	Latency           string `json:"latency"`
	ConsistencyWindow string `json:"consistencyWindow"`
	SilentAfter       int    `json:"silentAfter"`
	ProxyError        bool   `json:"proxyError"`
	StepDuration      string `json:"stepDuration"`
}

const weatherFields = `throttleEvery, failEvery, unavailableEvery, silentAfter (integers, 0 = off), ` +
	`latency, consistencyWindow, stepDuration (Go duration strings such as "150ms", "" or "0s" = off) and proxyError (boolean)`

// MarshalJSON writes every field, durations as Go duration strings.
func (w Weather) MarshalJSON() ([]byte, error) {
	return json.Marshal(weatherJSON{ThrottleEvery: w.ThrottleEvery, FailEvery: w.FailEvery, UnavailableEvery: w.UnavailableEvery,
		Latency: w.Latency.String(), ConsistencyWindow: w.ConsistencyWindow.String(), SilentAfter: w.SilentAfter,
		ProxyError: w.ProxyError, StepDuration: w.StepDuration.String()})
}

// UnmarshalJSON reads a Weather; fields left out are off, unknown fields are an
// error naming the accepted ones. It does not validate ranges (Validate does).
func (w *Weather) UnmarshalJSON(b []byte) error {
	var in weatherJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err != nil {
		return fmt.Errorf("weather: %v; send one JSON object whose fields are %s", err, weatherFields)
	}
	out := Weather{ThrottleEvery: in.ThrottleEvery, FailEvery: in.FailEvery, UnavailableEvery: in.UnavailableEvery,
		SilentAfter: in.SilentAfter, ProxyError: in.ProxyError}
	for _, f := range []struct {
		name string
		s    string
		dst  *time.Duration
	}{{"latency", in.Latency, &out.Latency}, {"consistencyWindow", in.ConsistencyWindow, &out.ConsistencyWindow}, {"stepDuration", in.StepDuration, &out.StepDuration}} {
		if f.s == "" {
			continue
		}
		d, err := time.ParseDuration(f.s)
		if err != nil {
			return fmt.Errorf("weather %s %q is not a Go duration string such as \"150ms\" or \"2s\"", f.name, f.s)
		}
		*f.dst = d
	}
	*w = out
	return nil
}

// Validate reports a weather the emulator cannot show, with what is accepted.
func (w Weather) Validate() error {
	var problems []string
	for _, f := range []struct {
		name string
		n    int
	}{{"throttleEvery", w.ThrottleEvery}, {"failEvery", w.FailEvery}, {"unavailableEvery", w.UnavailableEvery}, {"silentAfter", w.SilentAfter}} {
		if f.n < 0 {
			problems = append(problems, fmt.Sprintf("%s %d is negative (use 0 for off, or N ≥ 1)", f.name, f.n))
		}
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"latency", w.Latency}, {"consistencyWindow", w.ConsistencyWindow}, {"stepDuration", w.StepDuration}} {
		if f.d < 0 {
			problems = append(problems, fmt.Sprintf("%s %v is negative (use 0 for off, or a positive duration such as 150ms)", f.name, f.d))
		}
	}
	if len(problems) > 0 {
		return errors.New("emulator: weather " + strings.Join(problems, "; "))
	}
	return nil
}

// String describes the weather: "clear sky", or the fields that are set, such as
// "throttleEvery=3 latency=150ms".
func (w Weather) String() string {
	var parts []string
	add := func(name string, on bool, v string) {
		if on {
			parts = append(parts, name+"="+v)
		}
	}
	add("throttleEvery", w.ThrottleEvery != 0, strconv.Itoa(w.ThrottleEvery))
	add("failEvery", w.FailEvery != 0, strconv.Itoa(w.FailEvery))
	add("unavailableEvery", w.UnavailableEvery != 0, strconv.Itoa(w.UnavailableEvery))
	add("latency", w.Latency != 0, w.Latency.String())
	add("consistencyWindow", w.ConsistencyWindow != 0, w.ConsistencyWindow.String())
	add("silentAfter", w.SilentAfter != 0, strconv.Itoa(w.SilentAfter))
	add("proxyError", w.ProxyError, "true")
	add("stepDuration", w.StepDuration != 0, w.StepDuration.String())
	if len(parts) == 0 {
		return "clear sky"
	}
	return strings.Join(parts, " ")
}

// weatherState is the current weather with its call counter; it is replaced, never
// changed, so one atomic load gives a consistent pair.
type weatherState struct {
	w     Weather
	gate  bool // some field acts in ServeHTTP (the others act in the operations)
	calls atomic.Uint64
}

func newWeatherState(w Weather) *weatherState {
	return &weatherState{w: w, gate: w.ThrottleEvery > 0 || w.FailEvery > 0 || w.UnavailableEvery > 0 ||
		w.Latency > 0 || w.SilentAfter > 0 || w.ProxyError}
}

// SetWeather replaces the weather (the zero Weather is clear sky) and restarts the
// call counter. An invalid weather is an error saying what is accepted, and nothing
// changes.
func (e *Emulator) SetWeather(w Weather) error {
	if err := w.Validate(); err != nil {
		return err
	}
	e.weather.Store(newWeatherState(w))
	return nil
}

// Weather returns the current weather.
func (e *Emulator) Weather() Weather { return e.weather.Load().w }

// resetCalls restarts the call counter, keeping the weather.
func (e *Emulator) resetCalls() {
	for {
		old := e.weather.Load()
		if e.weather.CompareAndSwap(old, newWeatherState(old.w)) {
			return
		}
	}
}

// stepNow is the step a request started now gets.
func (e *Emulator) stepNow() time.Duration {
	if s := e.weather.Load().w.StepDuration; s > 0 {
		return s
	}
	return e.step
}

// visible reports whether r is out of the consistency window at now.
func visible(r *request, now time.Time, window time.Duration) bool {
	return window <= 0 || now.Sub(r.start) >= window
}

// serveWeather applies the weather to one AWS-surface call and reports whether it
// answered it. It never returns for a silent call: it aborts the connection when the
// client goes away or the Server closes.
func (e *Emulator) serveWeather(w http.ResponseWriter, r *http.Request, ws *weatherState, d *defectSet) bool {
	n := ws.calls.Add(1)
	wt := &ws.w
	silent := wt.SilentAfter > 0 && n > uint64(wt.SilentAfter)
	if silent || wt.Latency > 0 {
		// Read the body now: net/http notices that the client went away (and
		// cancels r.Context) only once the body has been read to its end.
		b, err := io.ReadAll(io.LimitReader(r.Body, e.maxBody+1))
		rest := io.Reader(bytes.NewReader(b))
		if err != nil {
			rest = io.MultiReader(rest, errReader{err})
		}
		r.Body = io.NopCloser(rest)
	}
	if silent {
		select {
		case <-r.Context().Done():
		case <-e.quit:
		}
		panic(http.ErrAbortHandler) // no answer at all, not even an empty 200
	}
	if wt.Latency > 0 {
		t := time.NewTimer(wt.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	if wt.ProxyError {
		h := w.Header()
		h["Content-Type"] = []string{"text/html"}
		h["Content-Length"] = []string{strconv.Itoa(len(proxyErrorPage))}
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, proxyErrorPage)
		return true
	}
	every := func(k int) bool { return k > 0 && n%uint64(k) == 0 }
	var ae *apiError
	switch {
	case every(wt.ThrottleEvery):
		ae = &apiError{status: http.StatusBadRequest, code: CodeThrottling, msg: "Rate exceeded"}
	case every(wt.UnavailableEvery):
		ae = &apiError{status: http.StatusServiceUnavailable, code: CodeServiceUnavailable,
			msg: fmt.Sprintf("Service Unavailable (dmsconform weather unavailableEvery=%d, call %d; retry it)", wt.UnavailableEvery, n)}
	case every(wt.FailEvery):
		ae = &apiError{status: http.StatusInternalServerError, code: CodeInternal,
			msg: fmt.Sprintf("We encountered an internal error. Please try again. (dmsconform weather failEvery=%d, call %d; retry it)", wt.FailEvery, n)}
	default:
		return false
	}
	e.writeError(w, e.newUUID(), ae, d)
	return true
}

const proxyErrorPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
	"<hr><center>dmsconform emulator (weather: proxyError)</center>\r\n</body>\r\n</html>\r\n"

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
