package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/internal/require"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// Findings the corpus must surface, per SDK (fixture ids). They are real SDK
// behaviours (shared/reference/dms-facts.md for Go); the expectations are the
// protocol's and stay as they are.
var (
	goFindings = []string{
		"union-two-members",         // picks one member by map order, no error
		"union-two-unknown-members", // same, between two unknown members
		"union-type-inside",         // __type not ignored: UnknownUnionMember{Tag:"__type"} in most replays
		"union-type-only",           // __type decoded as an unknown member
		"union-type-beside-unknown", // the same beside an unknown member: the tag is __type in most replays
	}
	jsFindings = []string{
		"success-with-type-200",     // undeclared __type/message copied into the output
		"total-objects-beyond-2-53", // long decoded into a JS number
		"total-objects-max-int64",
		"union-empty-object", // {} decoded as an empty union object
		"union-null-member",
		"union-two-members",         // keeps the known member
		"union-two-unknown-members", // {} instead of an error
		"union-type-only",           // {} after dropping __type
		"percent-as-string",         // wrong JSON types pass through (or are coerced) instead of failing
		"status-as-number",
		"total-objects-as-string",
		"total-objects-fraction",
		"progress-as-string",
		"union-as-string",
		"request-as-list", // an array decoded as an empty object
	}
	// botocore 1.43.11: see fixtures/known-deviations.sdk.yaml for a reproducer each.
	botocoreFindings = []string{
		"fault-header-only", // the error code comes from body __type only, else the HTTP status ("400")
		"fault-header-only-empty-body",
		"fault-header-namespace-uri",
		"fault-code-key", // the body field code is ignored too
		"fault-code-key-namespace",
		"malformed-json",            // a body that is not JSON decodes as {} (no error)
		"percent-nan",               // the strings "NaN"/"Infinity"/"-Infinity" stay str
		"percent-infinity",          //
		"percent-negative-infinity", //
		"percent-as-string",         // no type checks on scalars
		"status-as-number",
		"total-objects-as-string",
		"total-objects-fraction",
		"progress-as-string", // AttributeError from botocore/parsers.py, not ResponseParserError
		"request-as-list",
		"union-as-string",
		"body-null",
		"union-type-beside-unknown", // SDK_UNKNOWN_MEMBER named after the raw first key: __type
		"union-null-beside-unknown", // ... or the null known member defaultErrorDetails
	}
)

func replayCorpus(t *testing.T, sdk SDK) *reports.Run {
	t.Helper()
	m, fxs := loadCorpus(t)
	run, err := Replay(context.Background(), sdk, Options{Model: m, Fixtures: fxs})
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if len(run.Checks) != len(fxs) {
		t.Fatalf("%d checks for %d fixtures", len(run.Checks), len(fxs))
	}
	return run
}

func assertFindings(t *testing.T, run *reports.Run, findings []string) {
	t.Helper()
	want := map[string]bool{}
	for _, id := range findings {
		want[id] = true
	}
	for _, c := range run.Checks {
		id := c.ID[strings.LastIndex(c.ID, ".")+1:]
		switch {
		case want[id] && c.Outcome != reports.Fail:
			t.Errorf("%s: outcome %s, want fail (a known %s finding): %s", c.ID, c.Outcome, run.Target.TargetKind, c.Message)
		case want[id]:
			if !strings.Contains(c.Message, "Fixture "+id) || !strings.Contains(c.Message, "Expected ") || !strings.Contains(c.Message, "Observed") {
				t.Errorf("%s: the failure message must name the fixture and show expected and observed decodings: %s", c.ID, c.Message)
			}
			if len(c.Exchanges) == 0 {
				t.Errorf("%s: no exchange recorded", c.ID)
			}
		case c.Outcome != reports.Pass:
			t.Errorf("%s: outcome %s, want pass: %s", c.ID, c.Outcome, c.Message)
		}
		if !strings.HasPrefix(c.ID, "sdk.") || c.Level == "" || c.Pointer == "" || len(c.Labels) != 3 || c.Labels[0] != "sdk" || c.Labels[1] != "wire" {
			t.Errorf("%s: check metadata incomplete: level %q pointer %q labels %v", c.ID, c.Level, c.Pointer, c.Labels)
		}
	}
}

// TestGoSDKCorpus replays the whole corpus through aws-sdk-go-v2 and requires exactly
// the known Go findings to fail. union-type-inside is nondeterministic in Go (map
// order): the fixture replays 25 times and fails when any replay misdecodes; the
// message lists every observed decoding with its count.
func TestGoSDKCorpus(t *testing.T) {
	run := replayCorpus(t, GoSDK{})
	if run.Target.TargetKind != "aws-sdk-go-v2" || !strings.HasPrefix(run.Target.Version, "v1.") {
		t.Errorf("target %+v: want aws-sdk-go-v2 with its module version", run.Target)
	}
	assertFindings(t, run, goFindings)
	for _, c := range run.Checks {
		if strings.HasSuffix(c.ID, ".union-type-inside") && !strings.Contains(c.Message, `{"$unknown":"__type"}`) {
			t.Errorf("%s: the message must show the misdecoding as an unknown member __type: %s", c.ID, c.Message)
		}
	}
}

// TestJSSDKCorpus replays the corpus through aws-sdk-js-v3 when the adapter is
// installed (make js-setup; CI's make test installs it).
func TestJSSDKCorpus(t *testing.T) {
	js := NewJSSDK("", "")
	if reason := js.Unavailable(); reason != "" {
		require.Missing(t, require.JS, "aws-sdk-js-v3: "+reason)
	}
	run := replayCorpus(t, js)
	if run.Target.TargetKind != JSName || run.Target.Version == "" || strings.Contains(run.Target.Version, "not installed") {
		t.Errorf("target %+v: want %s with the installed version", run.Target, JSName)
	}
	assertFindings(t, run, jsFindings)
}

// TestJSSDKUnavailableSkips: without Node (or without node_modules) every JS check is
// skipped with the reason, never passed.
func TestJSSDKUnavailableSkips(t *testing.T) {
	m, fxs := loadCorpus(t)
	dir, err := FindJSAdapter()
	if err != nil {
		t.Fatal(err)
	}
	noNode := NewJSSDK(dir, filepath.Join(t.TempDir(), "no-such-node"))
	if noNode.Unavailable() == "" {
		t.Fatal("a missing node executable must make the JS SDK unavailable")
	}
	// A copy of the adapter without node_modules.
	bare := t.TempDir()
	for _, f := range []string{"adapter.mjs", "package.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bare, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", "")
	pathless := NewJSSDK(bare, "")
	if r := pathless.Unavailable(); !strings.Contains(r, "node not found") || !strings.Contains(r, "make js-setup") {
		t.Errorf("reason without node on PATH = %q", r)
	}
	if v := pathless.Info().Version; !strings.Contains(v, "pinned") {
		t.Errorf("version of an uninstalled adapter = %q, want the pinned version", v)
	}
	for _, sdk := range []SDK{noNode, pathless} {
		run, err := Replay(context.Background(), sdk, Options{Model: m, Fixtures: fxs})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range run.Checks {
			if c.Outcome != reports.Skipped || c.Message == "" {
				t.Fatalf("%s: outcome %s (%q), want skipped with the reason", c.ID, c.Outcome, c.Message)
			}
		}
	}
}

func TestJSSDKWithoutNodeModules(t *testing.T) {
	if NewJSSDK("", "").Node == "" {
		require.Missing(t, require.JS, "node not on PATH")
	}
	bare := t.TempDir()
	dir, _ := FindJSAdapter()
	for _, f := range []string{"adapter.mjs", "package.json"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		_ = os.WriteFile(filepath.Join(bare, f), data, 0o644)
	}
	r := NewJSSDK(bare, "").Unavailable()
	if !strings.Contains(r, "not installed") || !strings.Contains(r, "make js-setup") {
		t.Errorf("reason without node_modules = %q, want it to say run make js-setup", r)
	}
}

// wrong returns a copy of the fixture with a deliberately wrong expectation.
func wrong(t *testing.T, fxs []*Fixture, id string, mut func(e *Expect)) *Fixture {
	t.Helper()
	for _, fx := range fxs {
		if fx.ID == id {
			c := *fx
			c.ID = id + "-wrong"
			mut(&c.Expect)
			return &c
		}
	}
	t.Fatalf("no fixture %s", id)
	return nil
}

func strp(s string) *string { return &s }
func boolp(b bool) *bool    { return &b }

// TestWrongExpectationsFail proves every kind of expectation can fail: a fixture the
// Go SDK decodes correctly, with one part of its expectation made wrong, must fail,
// with a message naming the fixture and the difference.
func TestWrongExpectationsFail(t *testing.T) {
	m, fxs := loadCorpus(t)
	cases := []struct {
		name string
		fx   *Fixture
		want string
	}{
		{"output value", wrong(t, fxs, "status-canceling", func(e *Expect) {
			e.Output = json.RawMessage(strings.Replace(string(e.Output), `"CANCELING"`, `"CANCELED"`, 1))
		}), `/Request/Status: expected "CANCELED", observed "CANCELING"`},
		{"output member missing", wrong(t, fxs, "full-request", func(e *Expect) {
			e.Output = json.RawMessage(`{"Request":{"Status":"IN_PROGRESS"}}`)
		}), "expected absent, observed"},
		{"output double", wrong(t, fxs, "percent-nan", func(e *Expect) {
			e.Output = json.RawMessage(strings.Replace(string(e.Output), `"NaN"`, `0`, 1))
		}), `/Request/Progress/ProgressPercent: expected 0, observed "NaN"`},
		{"output long", wrong(t, fxs, "total-objects-beyond-2-53", func(e *Expect) {
			e.Output = json.RawMessage(strings.Replace(string(e.Output), `"9007199254740993"`, `9007199254740992`, 1))
		}), `expected 9007199254740992, observed 9007199254740993`},
		{"output instead of error", wrong(t, fxs, "fault-resource-not-found", func(e *Expect) {
			*e = Expect{Output: json.RawMessage(`{}`)}
		}), "expected a successful decoding, observed error"},
		{"error code", wrong(t, fxs, "fault-resource-not-found", func(e *Expect) {
			e.Error = &ErrorExpect{Code: strp("AccessDeniedFault"), Typed: e.Error.Typed, Message: e.Error.Message}
		}), `error code: expected "AccessDeniedFault", observed "ResourceNotFoundFault"`},
		{"typed", wrong(t, fxs, "fault-unmodeled", func(e *Expect) {
			e.Error = &ErrorExpect{Code: e.Error.Code, Typed: boolp(true), Message: e.Error.Message}
		}), "typed: expected true"},
		{"message", wrong(t, fxs, "fault-access-denied", func(e *Expect) {
			e.Error = &ErrorExpect{Code: e.Error.Code, Typed: e.Error.Typed, Message: strp("something else")}
		}), `error message: expected "something else"`},
		{"error kind", wrong(t, fxs, "malformed-json", func(e *Expect) {
			e.Error = &ErrorExpect{Layer: LayerAPI}
		}), "expected a api error, observed a deserialization error"},
		{"error instead of output", wrong(t, fxs, "empty-body", func(e *Expect) {
			*e = Expect{Error: &ErrorExpect{Layer: LayerDeserialization}}
		}), "observed a successful decoding"},
		{"oneOf", wrong(t, fxs, "fault-header-and-body-disagree", func(e *Expect) {
			e.OneOf = []Expect{{Error: &ErrorExpect{Code: strp("AccessDeniedFault")}}, {Output: json.RawMessage(`{}`)}}
		}), "alternative 2"},
	}
	var fixtures []*Fixture
	for _, c := range cases {
		fixtures = append(fixtures, c.fx)
	}
	run, err := Replay(context.Background(), GoSDK{}, Options{Model: m, Fixtures: fixtures})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		chk := run.Checks[i]
		if chk.Outcome != reports.Fail {
			t.Errorf("%s (%s): outcome %s, want fail: %s", c.name, chk.ID, chk.Outcome, chk.Message)
			continue
		}
		if !strings.Contains(chk.Message, c.want) || !strings.Contains(chk.Message, "Fixture "+c.fx.ID) {
			t.Errorf("%s: message does not say %q (or name the fixture): %s", c.name, c.want, chk.Message)
		}
	}
}

// fakeSDK scripts an SDK for harness tests.
type fakeSDK struct {
	run func(ctx context.Context, jobs []Job) ([]Observation, error)
}

func (fakeSDK) Info() SDKInfo       { return SDKInfo{Name: "fake", Package: "fake", Version: "0"} }
func (fakeSDK) Unavailable() string { return "" }
func (f fakeSDK) Run(ctx context.Context, _ *spec.Model, jobs []Job) ([]Observation, error) {
	return f.run(ctx, jobs)
}

// TestHarnessErrors: a broken SDK batch or an SDK that never reaches the fixture
// server is an error (the harness broke), not a pass and not a fail.
func TestHarnessErrors(t *testing.T) {
	m, fxs := loadCorpus(t)
	fxs = fxs[:3]
	broken := fakeSDK{run: func(context.Context, []Job) ([]Observation, error) {
		return nil, errors.New("adapter crashed")
	}}
	silent := fakeSDK{run: func(_ context.Context, jobs []Job) ([]Observation, error) {
		out := make([]Observation, len(jobs))
		for i := range out {
			out[i] = Observation{Err: &ObservedError{Layer: LayerTransport, Message: "connection refused"}}
		}
		return out, nil
	}}
	for name, sdk := range map[string]SDK{"broken": broken, "silent": silent} {
		run, err := Replay(context.Background(), sdk, Options{Model: m, Fixtures: fxs})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range run.Checks {
			if c.Outcome != reports.Error {
				t.Errorf("%s: %s outcome %s, want error: %s", name, c.ID, c.Outcome, c.Message)
			}
		}
	}
}

// TestRequestChecked: an SDK that sends the wrong X-Amz-Target fails even when it
// decodes the response correctly.
func TestRequestChecked(t *testing.T) {
	m, fxs := loadCorpus(t)
	var fx *Fixture
	for _, f := range fxs {
		if f.ID == "empty-body" {
			fx = f
		}
	}
	bad := fakeSDK{run: func(ctx context.Context, jobs []Job) ([]Observation, error) {
		out := make([]Observation, len(jobs))
		for i, j := range jobs {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, j.Endpoint, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AmazonDMSv20160101.Wrong")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
			out[i] = Observation{Output: map[string]any{}}
		}
		return out, nil
	}}
	run, err := Replay(context.Background(), bad, Options{Model: m, Fixtures: []*Fixture{fx}})
	if err != nil {
		t.Fatal(err)
	}
	c := run.Checks[0]
	if c.Outcome != reports.Fail || !strings.Contains(c.Message, "X-Amz-Target") {
		t.Errorf("outcome %s, message %q: want a fail about X-Amz-Target", c.Outcome, c.Message)
	}
}

// TestServerRoutes: unknown routes are refused; fixture headers override and remove
// the defaults; the body is served byte for byte.
func TestServerRoutes(t *testing.T) {
	srv, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/nope/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown route: status %d", resp.StatusCode)
	}
	fx := &Fixture{ID: "h", Response: Response{Status: 418, Headers: map[string]string{"X-Amzn-Requestid": "", "X-Amzn-ErrorType": "Teapot"}, Body: `{"a":`}}
	ep, key := srv.Route(fx)
	resp, err = http.Post(ep, "application/x-amz-json-1.1", strings.NewReader(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 418 || resp.Header.Get("X-Amzn-ErrorType") != "Teapot" || resp.Header.Get("X-Amzn-Requestid") != "" ||
		resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("response %d %v", resp.StatusCode, resp.Header)
	}
	ex := srv.Exchanges(key)
	if len(ex) != 1 || ex[0].Request.Body != `{"x":1}` || ex[0].Response.Body != `{"a":` || ex[0].Response.Status != 418 {
		t.Errorf("exchanges %+v", ex)
	}
}

func TestDiffSaysWhere(t *testing.T) {
	m := spec.MustLoad()
	out := m.Operation("CancelMetadataModelConversion").Output
	want := map[string]any{"Request": map[string]any{"Status": "CANCELING", "Progress": map[string]any{"TotalObjects": json.Number("9007199254740993")}}}
	got := map[string]any{"Request": map[string]any{"Progress": map[string]any{"TotalObjects": json.Number("9007199254740992"), "ProgressStep": "ANALYZING"}}}
	d := strings.Join(Diff(out, want, got), "\n")
	for _, line := range []string{
		"/Request/Progress/ProgressStep: expected absent, observed \"ANALYZING\"",
		"/Request/Progress/TotalObjects: expected 9007199254740993, observed 9007199254740992",
		"/Request/Status: expected \"CANCELING\", observed absent",
	} {
		if !strings.Contains(d, line) {
			t.Errorf("the differences do not say %q:\n%s", line, d)
		}
	}
	if d := Diff(out, "a", json.Number("1")); len(d) != 1 || d[0] != `/: expected "a", observed 1` {
		t.Errorf("the root: %q", d)
	}
}

func TestDefaultInput(t *testing.T) {
	m := spec.MustLoad()
	// The default input has every required member.
	in := DefaultInput(m.Operation("StartMetadataModelCreation"))
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "MetadataModelName,MigrationProjectIdentifier,Properties,SelectionRules" {
		t.Errorf("default input %v", in)
	}
}
