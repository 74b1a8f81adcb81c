package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/smithy-go"
)

// retryingClient is the real SDK client with the standard retryer, up to attempts
// attempts, without backoff or retry quota (so a test does not sleep).
func retryingClient(s *Server, attempts int) *dms.Client {
	return dms.New(dms.Options{
		BaseEndpoint: aws.String(s.URL),
		Region:       s.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		}),
	})
}

// controlCall calls the control surface of s over HTTP and returns the status and
// the body.
func controlCall(t testing.TB, s *Server, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.ControlURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// listConv returns the ids Describe lists in DefaultProject (the weather must be
// clear, or at least not pick this call).
func listConv(t *testing.T, c *dms.Client) []string {
	t.Helper()
	out, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(DefaultProject)})
	if err != nil {
		t.Fatalf("DescribeMetadataModelConversions: %v", err)
	}
	ids := []string{}
	for _, r := range out.Requests {
		ids = append(ids, aws.ToString(r.RequestIdentifier))
	}
	return ids
}

func startIn(c *dms.Client, ctx context.Context, rules string) (string, error) {
	out, err := c.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(DefaultProject), SelectionRules: aws.String(rules)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.RequestIdentifier), nil
}

func TestWeatherJSONAndValidate(t *testing.T) {
	w := Weather{ThrottleEvery: 3, FailEvery: 5, UnavailableEvery: 7, Latency: 150 * time.Millisecond,
		ConsistencyWindow: 2 * time.Second, SilentAfter: 9, ProxyError: true, StepDuration: 50 * time.Millisecond}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"throttleEvery":3,"failEvery":5,"unavailableEvery":7,"latency":"150ms","consistencyWindow":"2s","silentAfter":9,"proxyError":true,"stepDuration":"50ms"}`
	if string(b) != want {
		t.Fatalf("marshal:\n got %s\nwant %s", b, want)
	}
	var back Weather
	if err := json.Unmarshal(b, &back); err != nil || back != w {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	if b, _ := json.Marshal(Weather{}); !strings.Contains(string(b), `"latency":"0s"`) {
		t.Fatalf("clear sky: %s", b)
	}
	if err := json.Unmarshal([]byte(`{}`), &back); err != nil || back != (Weather{}) {
		t.Fatalf("{} is clear sky: %v %+v", err, back)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"throttle":1}`, "throttleEvery"},
		{`{"latency":"soon"}`, `"150ms"`},
		{`{"latency":150}`, "Go duration strings"},
		{`{"failEvery":"2"}`, "integers"},
	} {
		if err := json.Unmarshal([]byte(tc.in), &back); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("unmarshal %s: %v, want an error mentioning %s", tc.in, err, tc.want)
		}
	}
	for _, bad := range []Weather{{ThrottleEvery: -1}, {FailEvery: -1}, {UnavailableEvery: -2}, {SilentAfter: -1},
		{Latency: -1}, {ConsistencyWindow: -time.Second}, {StepDuration: -time.Millisecond}} {
		err := bad.Validate()
		if err == nil || !strings.Contains(err.Error(), "negative") || !strings.Contains(err.Error(), "use 0 for off") {
			t.Errorf("Validate(%+v): %v", bad, err)
		}
		if _, err := New(Config{Weather: bad}); err == nil {
			t.Errorf("New with weather %+v succeeded", bad)
		}
	}
	if s := (Weather{}).String(); s != "clear sky" {
		t.Errorf("String of the zero Weather: %q", s)
	}
	if s := (Weather{ThrottleEvery: 3, Latency: 150 * time.Millisecond}).String(); s != "throttleEvery=3 latency=150ms" {
		t.Errorf("String: %q", s)
	}
}

func TestWeatherControlSurface(t *testing.T) {
	s := startServer(t, nil)
	code, body := controlCall(t, s, "GET", "weather", "")
	if code != 200 || !strings.Contains(body, `"throttleEvery":0`) || !strings.Contains(body, `"consistencyWindow":"0s"`) {
		t.Fatalf("GET weather: %d %s", code, body)
	}
	if code, body := controlCall(t, s, "PUT", "weather", `{"throttleEvery":4,"latency":"1ms","consistencyWindow":"2s"}`); code != 204 {
		t.Fatalf("PUT weather: %d %s", code, body)
	}
	if got := s.Emulator.Weather(); got != (Weather{ThrottleEvery: 4, Latency: time.Millisecond, ConsistencyWindow: 2 * time.Second}) {
		t.Fatalf("Weather after PUT: %+v", got)
	}
	if code, body := controlCall(t, s, "GET", "weather", ""); code != 200 || !strings.Contains(body, `"throttleEvery":4`) || !strings.Contains(body, `"latency":"1ms"`) {
		t.Fatalf("GET after PUT: %d %s", code, body)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"throttleEvery":-1}`, "use 0 for off"},
		{`{"bogus":true}`, "proxyError (boolean)"},
		{`{"latency":"later"}`, `Go duration string`},
		{`{`, "throttleEvery"},
		{`{}{}`, "after the JSON object"},
	} {
		code, body := controlCall(t, s, "PUT", "weather", tc.body)
		if code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("PUT weather %s: %d %s, want 400 mentioning %q", tc.body, code, body, tc.want)
		}
	}
	if got := s.Emulator.Weather(); got.ThrottleEvery != 4 {
		t.Fatalf("a refused PUT changed the weather: %+v", got)
	}
	// the whole weather is replaced; an empty body is clear sky
	if code, _ := controlCall(t, s, "PUT", "weather", ``); code != 204 || s.Emulator.Weather() != (Weather{}) {
		t.Fatalf("PUT empty weather: %d %+v", code, s.Emulator.Weather())
	}
	if code, body := controlCall(t, s, "DELETE", "weather", ""); code != 404 || !strings.Contains(body, "GET|PUT weather") {
		t.Fatalf("unknown endpoint: %d %s", code, body)
	}
}

// TestWeatherTransientErrors proves each counting condition through the real SDK:
// the Nth call answers the error (status, __type, message, headers) without running
// the operation, the SDK classifies it as retryable (and throttling as throttling),
// and a retrying client gets through.
func TestWeatherTransientErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		weather  Weather
		status   int
		code     string
		msg      string
		throttle bool
	}{
		{"throttleEvery", Weather{ThrottleEvery: 3}, 400, CodeThrottling, "Rate exceeded", true},
		{"failEvery", Weather{FailEvery: 3}, 500, CodeInternal, "failEvery=3", false},
		{"unavailableEvery", Weather{UnavailableEvery: 3}, 503, CodeServiceUnavailable, "unavailableEvery=3", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, func(c *Config) { c.Weather = tc.weather })
			s.Emulator.AddScenario(Scenario{HoldAtStep: StatusReceived})
			c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
			for i := 1; i <= 2; i++ {
				if _, err := startIn(c, ctx, "{}"); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			_, err := startIn(c, ctx, "{}") // call 3
			var ae smithy.APIError
			var re *awshttp.ResponseError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code || !strings.Contains(ae.ErrorMessage(), tc.msg) ||
				!errors.As(err, &re) || re.HTTPStatusCode() != tc.status {
				t.Fatalf("call 3: %v, want %d %s %q", err, tc.status, tc.code, tc.msg)
			}
			if re.Response.Header.Get("X-Amzn-ErrorType") != tc.code || re.Response.Header.Get("Content-Type") != contentTypeJSON11 ||
				len(re.Response.Header.Get("x-amzn-RequestId")) != 36 {
				t.Fatalf("call 3 headers: %v", re.Response.Header)
			}
			if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) != aws.TrueTernary {
				t.Errorf("the SDK does not consider %v retryable", err)
			}
			if got := (retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}).IsErrorThrottle(err) == aws.TrueTernary; got != tc.throttle {
				t.Errorf("the SDK's throttle classification of %v is %v, want %v", err, got, tc.throttle)
			}
			// nothing ran: two requests, and the first took the only scenario
			st := s.Emulator.State()
			if len(st) != 2 || st[0].Scenario == "" || st[1].Scenario != "" {
				t.Fatalf("state after the weather answer: %+v", st)
			}
			// calls 4..6 with a retrying client: call 6 is answered by the weather,
			// its retry (call 7) goes through
			rc := retryingClient(s, 3)
			for i := 4; i <= 6; i++ {
				out, err := rc.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{
					MigrationProjectIdentifier: aws.String(DefaultProject), SelectionRules: aws.String("{}")})
				if err != nil {
					t.Fatalf("retrying call %d: %v", i, err)
				}
				ar, _ := retry.GetAttemptResults(out.ResultMetadata)
				if want := map[bool]int{true: 2, false: 1}[i == 6]; len(ar.Results) != want {
					t.Fatalf("call %d took %d attempts, want %d", i, len(ar.Results), want)
				}
			}
			if n := len(s.Emulator.State()); n != 5 {
				t.Fatalf("%d requests after 5 successful starts", n)
			}
		})
	}
}

// TestWeatherPrecedence pins the answer when several counting fields pick the same
// call: throttle, then unavailable, then fail.
func TestWeatherPrecedence(t *testing.T) {
	e, _ := newTestEmulator(t, func(c *Config) { c.Weather = Weather{ThrottleEvery: 2, UnavailableEvery: 3, FailEvery: 5} })
	var got []int
	for range 30 {
		got = append(got, raw(t, e, "DescribeMetadataModelConversions", `{"MigrationProjectIdentifier":"`+DefaultProject+`"}`).Code)
	}
	want := make([]int, 30)
	for i := range want {
		n := i + 1
		switch {
		case n%2 == 0:
			want[i] = 400
		case n%3 == 0:
			want[i] = 503
		case n%5 == 0:
			want[i] = 500
		default:
			want[i] = 200
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("statuses of calls 1..30:\n got %v\nwant %v", got, want)
	}
	// 6 (2 and 3), 10 (2 and 5) are throttled; 15 (3 and 5) is unavailable
	if got[5] != 400 || got[9] != 400 || got[14] != 503 {
		t.Fatalf("precedence: %v", got)
	}
}

// TestWeatherCountsOnlyAWSCalls: control calls are not counted, Reset and
// SetWeather restart the counter, and clear sky answers everything.
func TestWeatherCountsOnlyAWSCalls(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Weather = Weather{ThrottleEvery: 3} })
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	describe := func() error {
		_, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(DefaultProject)})
		return err
	}
	isThrottle := func(err error) bool {
		var ae smithy.APIError
		return errors.As(err, &ae) && ae.ErrorCode() == CodeThrottling
	}
	for i := 1; i <= 2; i++ {
		if err := describe(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		for _, p := range []string{"info", "state", "weather", "defects"} {
			if code, body := controlCall(t, s, "GET", p, ""); code != 200 {
				t.Fatalf("GET %s: %d %s", p, code, body)
			}
		}
	}
	if err := describe(); !isThrottle(err) {
		t.Fatalf("call 3 after control calls: %v, want ThrottlingException", err)
	}
	// Reset restarts the counter
	if err := describe(); err != nil {
		t.Fatalf("call 4: %v", err)
	}
	s.Emulator.Reset()
	for i := 1; i <= 2; i++ {
		if err := describe(); err != nil {
			t.Fatalf("call %d after Reset: %v", i, err)
		}
	}
	if err := describe(); !isThrottle(err) {
		t.Fatalf("call 3 after Reset: %v, want ThrottlingException", err)
	}
	// PUT weather restarts it too
	if err := describe(); err != nil {
		t.Fatalf("call 4: %v", err)
	}
	if code, _ := controlCall(t, s, "PUT", "weather", `{"throttleEvery":1}`); code != 204 {
		t.Fatal("PUT weather")
	}
	if err := describe(); !isThrottle(err) {
		t.Fatalf("throttleEvery 1: %v", err)
	}
	if err := s.Emulator.SetWeather(Weather{}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := describe(); err != nil {
			t.Fatalf("clear sky, call %d: %v", i, err)
		}
	}
}

// TestWeatherConcurrentCount: with many clients at once, exactly every Nth call is
// throttled (run with -race).
func TestWeatherConcurrentCount(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Weather = Weather{ThrottleEvery: 4} })
	var wg sync.WaitGroup
	var mu sync.Mutex
	throttled, other := 0, []error{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
			for range 25 {
				_, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(DefaultProject)})
				var ae smithy.APIError
				mu.Lock()
				switch {
				case err == nil:
				case errors.As(err, &ae) && ae.ErrorCode() == CodeThrottling:
					throttled++
				default:
					other = append(other, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if throttled != 50 || len(other) > 0 {
		t.Fatalf("%d of 200 calls throttled (want 50), other errors: %v", throttled, other)
	}
}

func TestWeatherProxyError(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Weather = Weather{ProxyError: true} })
	body := `{"MigrationProjectIdentifier":"` + DefaultProject + `","SelectionRules":"{}"}`
	req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AmazonDMSv20160101.StartMetadataModelConversion")
	signRequest(t, req, []byte(body), DefaultAccessKeyID, DefaultSecretAccessKey, DefaultRegion)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "text/html" || resp.Header.Get("x-amzn-RequestId") != "" ||
		!strings.HasPrefix(string(page), "<html>") || !strings.Contains(string(page), "502 Bad Gateway") {
		t.Fatalf("proxy error: %d %v %s", resp.StatusCode, resp.Header, page)
	}
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	_, err = startIn(c, ctx, "{}")
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 502 || retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) != aws.TrueTernary {
		t.Fatalf("SDK through the proxy error: %v, want a retryable 502", err)
	}
	// the control surface still answers, nothing was started, and clearing the weather heals it
	if code, _ := controlCall(t, s, "PUT", "weather", `{}`); code != 204 {
		t.Fatal("PUT weather {}")
	}
	if ids := listConv(t, c); len(ids) != 0 {
		t.Fatalf("requests started through the proxy error: %v", ids)
	}
}

// TestWeatherLatency: every answer waits; a client whose deadline is shorter gives
// up, and then nothing happened.
func TestWeatherLatency(t *testing.T) {
	const latency = 300 * time.Millisecond
	s := startServer(t, func(c *Config) { c.Weather = Weather{Latency: latency} })
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, err := startIn(c, short, "{}"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("start with a 30ms deadline: %v, want the deadline to fire", err)
	}
	t0 := time.Now()
	id, err := startIn(c, ctx, "{}")
	if err != nil {
		t.Fatalf("start without deadline: %v", err)
	}
	if el := time.Since(t0); el < latency {
		t.Fatalf("answered after %v, before the latency %v", el, latency)
	}
	if err := s.Emulator.SetWeather(Weather{}); err != nil {
		t.Fatal(err)
	}
	// the abandoned start ran nothing: by now its latency has passed (the second
	// start took longer), so had the handler not seen the client go, it would have
	// started a request
	if ids := listConv(t, c); fmt.Sprint(ids) != fmt.Sprint([]string{id}) {
		t.Fatalf("requests %v, want only %s (the abandoned start ran)", ids, id)
	}
}

// TestWeatherSilentAfter: the first N calls are answered, later ones never; the
// control surface stays usable, clearing the weather heals new calls, and Close
// drops the held calls at once.
func TestWeatherSilentAfter(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	if code, _ := controlCall(t, s, "PUT", "weather", `{"silentAfter":2}`); code != 204 {
		t.Fatal("PUT weather")
	}
	for i := 1; i <= 2; i++ {
		if _, err := startIn(c, ctx, "{}"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := startIn(c, short, "{}"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call 3: %v, want no answer (the deadline fires)", err)
	}
	if code, body := controlCall(t, s, "GET", "weather", ""); code != 200 || !strings.Contains(body, `"silentAfter":2`) {
		t.Fatalf("control surface while silent: %d %s", code, body)
	}
	// a call without deadline is held until the server closes
	held := make(chan error, 1)
	go func() {
		_, err := startIn(c, ctx, "{}")
		held <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.Emulator.weather.Load().calls.Load() < 4 {
		if time.Now().After(deadline) {
			t.Fatal("call 4 never reached the emulator")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-held:
		t.Fatalf("call 4 was answered while silent: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if n := len(s.Emulator.State()); n != 2 {
		t.Fatalf("%d requests, want the 2 answered starts", n)
	}
	t0 := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if el := time.Since(t0); el > 4*time.Second {
		t.Errorf("Close took %v: it waited for the held call instead of dropping it", el)
	}
	select {
	case err := <-held:
		if err == nil {
			t.Fatal("the held call got a successful answer when the server closed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the held call did not end when the server closed")
	}
}

func TestWeatherSilentAfterHeals(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Weather = Weather{SilentAfter: 1} })
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	if _, err := startIn(c, ctx, "{}"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := startIn(c, short, "{}"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call 2: %v, want no answer", err)
	}
	if code, _ := controlCall(t, s, "PUT", "weather", `{}`); code != 204 {
		t.Fatal("PUT weather {}")
	}
	if _, err := startIn(c, ctx, "{}"); err != nil {
		t.Fatalf("after clearing the weather: %v", err)
	}
}

// TestWeatherConsistencyWindow: a new request is invisible to Describe (listed or
// filtered) and Cancel until the window has passed on the emulator's clock; then its
// lifecycle is where its start puts it.
func TestWeatherConsistencyWindow(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Weather = Weather{ConsistencyWindow: 3 * testStep} })
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	old := startConv(t, c, DefaultProject)
	s.Clock.Advance(3 * testStep)
	id := startConv(t, c, DefaultProject)
	s.Clock.Advance(3*testStep - 1)
	if ids := listConv(t, c); fmt.Sprint(ids) != fmt.Sprint([]string{old}) {
		t.Fatalf("inside the window Describe lists %v, want only %s", ids, old)
	}
	out, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(DefaultProject),
		Filters: []types.Filter{{Name: aws.String("request-id"), Values: []string{id}}}})
	if err != nil || len(out.Requests) != 0 {
		t.Fatalf("inside the window, filtered by request-id: %v %+v", err, out)
	}
	cancel := func() (*dms.CancelMetadataModelConversionOutput, error) {
		return c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
			MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id)})
	}
	var rnf *types.ResourceNotFoundFault
	if _, err := cancel(); !errors.As(err, &rnf) {
		t.Fatalf("cancel inside the window: %v, want ResourceNotFoundFault", err)
	}
	s.Clock.Advance(1)
	r := describeConv(t, c, DefaultProject, id)
	// It was received one step after its start, queued behind old until old ended
	// (5 steps after old's start, 2 after its own), and has run one step since.
	if st, _, _ := progressOf(r); aws.ToString(r.Status) != StatusInProgress || st != StepCountingObjects {
		t.Fatalf("after the window: %s %s, want IN_PROGRESS COUNTING_OBJECTS (its turn came when old ended)", aws.ToString(r.Status), st)
	}
	if out, err := cancel(); err != nil || aws.ToString(out.Request.Status) != StatusCanceling {
		t.Fatalf("cancel after the window: %v", err)
	}
	// the control surface sees every request
	if n := len(s.Emulator.State()); n != 2 {
		t.Fatalf("State: %d requests", n)
	}
}

// TestWeatherStepDuration: the weather's step applies to requests started after it
// is set; running requests keep theirs; Config.StepDuration comes back when cleared.
func TestWeatherStepDuration(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	slow := startConv(t, c, FailingProject) // in a project of its own: the queues are per project
	if code, _ := controlCall(t, s, "PUT", "weather", `{"stepDuration":"100ms"}`); code != 204 {
		t.Fatal("PUT weather")
	}
	if s.Emulator.StepDuration() != 100*time.Millisecond || s.Emulator.Info().StepDuration != "100ms" {
		t.Fatalf("StepDuration %v, info %s", s.Emulator.StepDuration(), s.Emulator.Info().StepDuration)
	}
	fast := startConv(t, c, DefaultProject)
	s.Clock.Advance(500 * time.Millisecond)
	if st := aws.ToString(describeConv(t, c, DefaultProject, fast).Status); st != StatusSuccess {
		t.Fatalf("fast request after 5 of its steps: %s", st)
	}
	if st := aws.ToString(describeConv(t, c, FailingProject, slow).Status); st != StatusReceived {
		t.Fatalf("request started before the change: %s, want RECEIVED (it keeps its 1s step)", st)
	}
	if err := s.Emulator.SetWeather(Weather{}); err != nil {
		t.Fatal(err)
	}
	if s.Emulator.StepDuration() != testStep {
		t.Fatalf("StepDuration after clearing: %v", s.Emulator.StepDuration())
	}
	again := startConv(t, c, DefaultProject)
	s.Clock.Advance(testStep)
	if r := describeConv(t, c, DefaultProject, again); aws.ToString(r.Status) != StatusInProgress {
		t.Fatalf("request after clearing, one configured step later: %s", aws.ToString(r.Status))
	}
	if st := aws.ToString(describeConv(t, c, DefaultProject, fast).Status); st != StatusSuccess {
		t.Fatalf("the fast request changed when the weather cleared: %s", st)
	}
}

// TestScenarioTag: tagged scenarios go to the starts whose SelectionRules carry the
// tag, whatever the order of the starts; untagged starts take untagged scenarios
// only.
func TestScenarioTag(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	checkTagsPickScenarios(t, s, c)
	s.Emulator.Reset()
	checkTaggedScenarioFirst(t, s, c)
}

// mustStartIn starts a conversion in DefaultProject with rules and returns its id,
// failing the test if the start fails.
func mustStartIn(t *testing.T, c *dms.Client, rules string) string {
	t.Helper()
	id, err := startIn(c, ctx, rules)
	if err != nil {
		t.Fatalf("start %s: %v", rules, err)
	}
	return id
}

// scenariosTaken maps each request the emulator knows to the scenario it took (the zero
// Scenario when it took none).
func scenariosTaken(t *testing.T, e *Emulator) map[string]Scenario {
	t.Helper()
	out := map[string]Scenario{}
	for _, rs := range e.State() {
		var sc Scenario
		if rs.Scenario != "" {
			if err := json.Unmarshal([]byte(rs.Scenario), &sc); err != nil {
				t.Fatal(err)
			}
		}
		out[rs.ID] = sc
	}
	return out
}

// checkTagsPickScenarios checks that a start whose selection rules carry a scenario's
// tag takes that scenario, up to its count, and that the scenarios then act.
func checkTagsPickScenarios(t *testing.T, s *Server, c *dms.Client) {
	t.Helper()
	e := s.Emulator
	e.AddScenario(Scenario{Tag: "job-A", Count: 2, HoldAtStep: StepAnalyzing})
	e.AddScenario(Scenario{Tag: "job-B", Count: 2, FailWith: "B failed"})
	b1 := mustStartIn(t, c, `{"rules":[],"comment":"job-B"}`)
	plain := mustStartIn(t, c, `{"rules":[]}`)
	a1 := mustStartIn(t, c, `{"rules":[{"rule-name":"job-A"}]}`)
	b2 := mustStartIn(t, c, `{"x":"job-B"}`)
	a2 := mustStartIn(t, c, `{"x":"job-A"}`)
	a3 := mustStartIn(t, c, `{"x":"job-A"}`) // job-A used up
	got := scenariosTaken(t, e)
	for _, id := range []string{a1, a2} {
		if got[id].HoldAtStep != StepAnalyzing {
			t.Errorf("job-A start %s took %+v, want the job-A scenario", id, got[id])
		}
	}
	for _, id := range []string{b1, b2} {
		if got[id].FailWith != "B failed" {
			t.Errorf("job-B start %s took %+v, want the job-B scenario", id, got[id])
		}
	}
	for _, id := range []string{plain, a3} {
		if got[id] != (Scenario{}) {
			t.Errorf("start %s without a scenario left took %+v", id, got[id])
		}
	}
	// and the scenarios act: b1 fails, plain succeeds, a1 is held at ANALYZING (and
	// holds the project's queue)
	s.Clock.Advance(10 * testStep)
	if r := describeConv(t, c, DefaultProject, b1); aws.ToString(r.Status) != StatusFailed {
		t.Errorf("job-B start %s: %s", b1, aws.ToString(r.Status))
	}
	if st := aws.ToString(describeConv(t, c, DefaultProject, plain).Status); st != StatusSuccess {
		t.Errorf("plain start: %s, want SUCCESS", st)
	}
	if st, _, _ := progressOf(describeConv(t, c, DefaultProject, a1)); st != StepAnalyzing {
		t.Errorf("job-A start %s at %s, want held at ANALYZING", a1, st)
	}
}

// checkTaggedScenarioFirst checks that a tagged start prefers its tagged scenario to an
// earlier untagged one, which stays for an untagged start, and that a tag cannot bind a
// request-bound scenario.
func checkTaggedScenarioFirst(t *testing.T, s *Server, c *dms.Client) {
	t.Helper()
	e := s.Emulator
	e.AddScenario(Scenario{FailWith: "untagged"})
	e.AddScenario(Scenario{Tag: "job-C", HoldAtStep: StatusReceived})
	c1 := mustStartIn(t, c, `"job-C"`)
	u := mustStartIn(t, c, `{}`)
	s.Clock.Advance(10 * testStep)
	if st := aws.ToString(describeConv(t, c, DefaultProject, c1).Status); st != StatusReceived {
		t.Errorf("job-C: %s, want held RECEIVED", st)
	}
	if st := aws.ToString(describeConv(t, c, DefaultProject, u).Status); st != StatusFailed {
		t.Errorf("untagged: %s, want FAILED (a request held RECEIVED is not queued)", st)
	}
	// a tag cannot bind a request-bound scenario
	if err := (Scenario{Tag: "x", Request: u}).Validate(); err == nil || !strings.Contains(err.Error(), "tag") {
		t.Errorf("Validate tag+request: %v", err)
	}
	if code, body := controlCall(t, s, "POST", "scenarios", `{"tag":"x","request":"`+u+`"}`); code != 400 {
		t.Errorf("POST scenarios tag+request: %d %s", code, body)
	}
}

// TestScenarioTagConcurrent: clients starting at once, each with its own tagged
// scenario, each get their own (run with -race).
func TestScenarioTagConcurrent(t *testing.T) {
	s := startServer(t, nil)
	const n = 8
	for i := range n {
		if code, body := controlCall(t, s, "POST", "scenarios", fmt.Sprintf(`{"tag":"client-%d","failWith":"for client-%d"}`, i, i)); code != 200 {
			t.Fatalf("POST scenarios: %d %s", code, body)
		}
	}
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = startIn(sdkClient(s, s.AccessKeyID, s.SecretAccessKey), ctx, fmt.Sprintf(`{"rules":[],"dmsconform":"client-%d"}`, i))
		}()
	}
	wg.Wait()
	s.Clock.Advance((1 + n) * testStep) // received, then one step each, one at a time
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("client %d: %v", i, errs[i])
		}
		r := describeConv(t, c, DefaultProject, ids[i])
		de, ok := r.Error.(*types.ErrorDetailsMemberDefaultErrorDetails)
		if !ok || aws.ToString(de.Value.Message) != fmt.Sprintf("for client-%d", i) {
			t.Errorf("client %d got %#v", i, r.Error)
		}
	}
}

// TestScenarioEndpointType: the scenario's EndpointType replaces
// ProcessedObject.EndpointType, so a client can be shown an undocumented value.
func TestScenarioEndpointType(t *testing.T) {
	const undocumented = "DMSCONFORM_UNDOCUMENTED_ENDPOINT_TYPE"
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	if code, body := controlCall(t, s, "POST", "scenarios", `{"endpointType":"`+undocumented+`"}`); code != 200 {
		t.Fatalf("POST scenarios: %d %s", code, body)
	}
	id := startConv(t, c, DefaultProject)
	plain := startConv(t, c, DefaultProject)                                // runs once id has ended, 4 steps later
	for _, at := range []time.Duration{3*testStep + testStep/2, testStep} { // ANALYZING, then CONVERTING
		s.Clock.Advance(at)
		r := describeConv(t, c, DefaultProject, id)
		if r.Progress == nil || r.Progress.ProcessedObject == nil || aws.ToString(r.Progress.ProcessedObject.EndpointType) != undocumented {
			t.Fatalf("at %v: ProcessedObject %+v, want EndpointType %s", at, r.Progress, undocumented)
		}
	}
	s.Clock.Advance(3 * testStep) // plain's ANALYZING
	if r := describeConv(t, c, DefaultProject, plain); r.Progress == nil || r.Progress.ProcessedObject == nil || aws.ToString(r.Progress.ProcessedObject.EndpointType) != "SOURCE" {
		t.Fatalf("the request without the scenario: %+v, want EndpointType SOURCE", r.Progress)
	}
}
