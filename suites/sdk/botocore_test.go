package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/internal/require"
	"github.com/dmsconform/dmsconform/reports"
)

// botocoreOrSkip returns the botocore SDK, or skips the test with the reason (no
// python3, no botocore).
func botocoreOrSkip(t *testing.T) *BotocoreSDK {
	t.Helper()
	b := NewBotocoreSDK("", "")
	if r := b.Unavailable(); r != "" {
		require.Missing(t, require.Botocore, r)
	}
	return b
}

// TestBotocoreSDKCorpus replays the whole corpus through botocore and requires
// exactly the known botocore findings to fail, each showing what botocore decoded.
func TestBotocoreSDKCorpus(t *testing.T) {
	b := botocoreOrSkip(t)
	run := replayCorpus(t, b)
	if run.Target.TargetKind != BotocoreName || !strings.HasPrefix(run.Target.Version, "1.") {
		t.Errorf("target %+v: want botocore with its version", run.Target)
	}
	assertFindings(t, run, botocoreFindings)
	// The failures show botocore's own decoding, not a harness artefact.
	want := map[string]string{
		"percent-nan":               `{"$wrongType":"str","value":"NaN"}`,
		"fault-header-only":         `code="400"`,
		"union-type-beside-unknown": `{"$unknown":"__type"}`,
		"union-null-beside-unknown": `{"$unknown":"defaultErrorDetails"}`,
		"progress-as-string":        "AttributeError raised inside botocore.parsers",
		"malformed-json":            "Observed output {}",
	}
	for _, c := range run.Checks {
		id := c.ID[strings.LastIndex(c.ID, ".")+1:]
		if w, ok := want[id]; ok && !strings.Contains(c.Message, w) {
			t.Errorf("%s: the message must show %s: %s", c.ID, w, c.Message)
		}
	}
}

// TestBotocoreOneAttempt: every fixture reaches the fixture server exactly once,
// also the 500, 503 and throttling ones botocore would retry. The adapter sets
// total_max_attempts 1; botocore's documented max_attempts 1 (one RETRY) is shown to
// send two requests, so the assertion can fail.
func TestBotocoreOneAttempt(t *testing.T) {
	b := botocoreOrSkip(t)
	m, fxs := loadCorpus(t)
	requests := func(sdk *BotocoreSDK, fxs []*Fixture) map[string]int {
		t.Helper()
		srv, err := NewServer()
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		var jobs []Job
		byID := map[string]string{}
		for _, fx := range fxs {
			ep, key := srv.Route(fx)
			in := fx.Input
			if in == nil {
				in = DefaultInput(m.Operation(fx.Operation))
			}
			jobs = append(jobs, Job{Key: key, Endpoint: ep, Region: Region, Operation: fx.Operation, Input: in})
			byID[fx.ID] = key
		}
		if _, err := sdk.Run(context.Background(), m, jobs); err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for id, key := range byID {
			out[id] = len(srv.Exchanges(key))
		}
		return out
	}
	retryable := map[string]bool{}
	for _, fx := range fxs {
		if fx.Response.Status >= 500 || strings.Contains(fx.Response.Body, "Throttling") {
			retryable[fx.ID] = true
		}
	}
	for _, id := range []string{"fault-500", "fault-500-empty-body", "fault-503", "fault-throttling"} {
		if !retryable[id] {
			t.Errorf("the corpus lacks the retryable fixture %s", id)
		}
	}
	for id, n := range requests(b, fxs) {
		if n != 1 {
			t.Errorf("fixture %s (retryable %v) was requested %d times, want exactly once", id, retryable[id], n)
		}
	}

	trap := *b
	trap.Retries = map[string]any{"max_attempts": 1, "mode": "standard"}
	var some []*Fixture
	for _, fx := range fxs {
		if fx.ID == "fault-500" || fx.ID == "fault-throttling" {
			some = append(some, fx)
		}
	}
	for id, n := range requests(&trap, some) {
		if n != 2 {
			t.Errorf("with retries={'max_attempts': 1} fixture %s was requested %d times; botocore documents max_attempts as retries, so 2 were expected (has botocore changed? then revisit BotocoreOneAttempt)", id, n)
		}
	}
}

// TestBotocoreCanonical: the adapter's canonical form for what the corpus cannot
// send: a real float NaN (Python's json accepts the bare literal) is "NaN", while the
// str 'NaN' is a $wrongType; a long beyond 2^53 is its decimal string; the unknown
// union member is {"$unknown": tag}; a typed fault is typed, an unknown code is not.
func TestBotocoreCanonical(t *testing.T) {
	b := botocoreOrSkip(t)
	m, _ := loadCorpus(t)
	mk := func(id, body string, status int, expect string) *Fixture {
		return &Fixture{ID: id, Operation: "CancelMetadataModelConversion", Area: "shape", Level: "MUST", Description: id,
			Requirement: "MUST", Rule: "test", Pointer: "#/components/schemas/Progress",
			Response: Response{Status: status, Body: body}, Expect: Expect{Output: json.RawMessage(expect)}}
	}
	fxs := []*Fixture{
		mk("bare-nan", `{"Request":{"Progress":{"ProgressPercent":NaN,"TotalObjects":18446744073709551615}}}`, 200,
			`{"Request":{"Progress":{"ProgressPercent":"NaN","TotalObjects":"18446744073709551615"}}}`),
		mk("bare-infinity", `{"Request":{"Progress":{"ProgressPercent":-Infinity}}}`, 200,
			`{"Request":{"Progress":{"ProgressPercent":"-Infinity"}}}`),
		mk("unknown", `{"Request":{"Error":{"x":{}}}}`, 200, `{"Request":{"Error":{"$unknown":"x"}}}`),
	}
	run, err := Replay(context.Background(), b, Options{Model: m, Fixtures: fxs})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range run.Checks {
		if c.Outcome != reports.Pass {
			t.Errorf("%s: %s %s", c.ID, c.Outcome, c.Message)
		}
	}
	typed := &Fixture{ID: "typed", Operation: "CancelMetadataModelConversion", Response: Response{Status: 400, Body: `{"__type":"AccessDeniedFault","message":"no"}`}}
	untyped := &Fixture{ID: "untyped", Operation: "CancelMetadataModelConversion", Response: Response{Status: 400, Body: `{"__type":"Nope","message":"no"}`}}
	res, err := ReplaySDK(context.Background(), b, Options{Model: m, Fixtures: []*Fixture{typed, untyped}})
	if err != nil {
		t.Fatal(err)
	}
	if o := res.Observed[typed.CheckID()]; !strings.Contains(o, `code="AccessDeniedFault", typed=true, message="no"`) {
		t.Errorf("typed fault observed as %s", o)
	}
	if o := res.Observed[untyped.CheckID()]; !strings.Contains(o, `code="Nope", typed=false`) {
		t.Errorf("unknown code observed as %s", o)
	}
}

// TestBotocoreUnavailableSkips: without python3, without botocore or without the
// adapter, every botocore check is skipped with a reason that says how to install.
func TestBotocoreUnavailableSkips(t *testing.T) {
	m, fxs := loadCorpus(t)
	dir, err := FindBotocoreAdapter()
	if err != nil {
		t.Fatal(err)
	}
	var sdks []*BotocoreSDK
	if py, err := exec.LookPath("python3"); err == nil {
		// An interpreter that cannot see site-packages: botocore does not import.
		wrapper := filepath.Join(t.TempDir(), "python-without-botocore")
		script := fmt.Sprintf("#!/bin/sh\nexec %q -I -S \"$@\"\n", py)
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		noBotocore := NewBotocoreSDK(dir, wrapper)
		if r := noBotocore.Unavailable(); !strings.Contains(r, "botocore is not importable") || !strings.Contains(r, "pip install botocore") {
			t.Errorf("reason without botocore = %q", r)
		}
		sdks = append(sdks, noBotocore)
	}
	noAdapter := NewBotocoreSDK(t.TempDir(), "")
	if r := noAdapter.Unavailable(); !strings.Contains(r, "adapter") || !strings.Contains(r, "--botocore-adapter") {
		t.Errorf("reason without the adapter = %q", r)
	}
	badPython := NewBotocoreSDK(dir, filepath.Join(t.TempDir(), "no-python"))
	if r := badPython.Unavailable(); !strings.Contains(r, "pip install botocore") {
		t.Errorf("reason with a missing interpreter = %q", r)
	}
	t.Setenv("PATH", "")
	t.Setenv(BotocorePythonEnv, "")
	pathless := NewBotocoreSDK(dir, "")
	if r := pathless.Unavailable(); !strings.Contains(r, "python3 not found") || !strings.Contains(r, "pip install botocore") {
		t.Errorf("reason without python3 on PATH = %q", r)
	}
	sdks = append(sdks, noAdapter, badPython, pathless)
	for _, sdk := range sdks {
		if sdk.Info().Name != BotocoreName {
			t.Errorf("name %q", sdk.Info().Name)
		}
		run, err := Replay(context.Background(), sdk, Options{Model: m, Fixtures: fxs})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range run.Checks {
			if c.Outcome != reports.Skipped || c.Message != sdk.Unavailable() {
				t.Fatalf("%s: outcome %s (%q), want skipped with the reason", c.ID, c.Outcome, c.Message)
			}
		}
	}
}

// TestRegistry: names and aliases are unique, every entry builds an SDK whose report
// name is its Target, and --sdk values resolve through it.
func TestRegistry(t *testing.T) {
	seen := map[string]string{}
	for _, e := range Registry {
		for _, n := range append([]string{e.Name, e.Target}, e.Aliases...) {
			if prev, dup := seen[strings.ToLower(n)]; dup && prev != e.Name {
				t.Errorf("name %q of %s is also a name of %s", n, e.Name, prev)
			}
			seen[strings.ToLower(n)] = e.Name
		}
		if e.Description == "" || e.New == nil {
			t.Errorf("%s: description or constructor missing", e.Name)
			continue
		}
		opts := map[string]string{}
		for _, o := range e.Options {
			if o.Flag == "" || !strings.Contains(o.Usage, "`") {
				t.Errorf("%s: option %+v needs a flag and a `VALUE` in its usage", e.Name, o)
			}
			opts[o.Flag] = ""
		}
		if got := e.New(opts).Info().Name; got != e.Target {
			t.Errorf("%s builds an SDK named %q, want %q", e.Name, got, e.Target)
		}
	}
	for _, want := range []string{"go", "js", "botocore"} {
		if _, ok := LookupSDK(want); !ok {
			t.Errorf("%s is not registered", want)
		}
	}
	all, err := SelectSDKs("all")
	if err != nil || len(all) != len(Registry) {
		t.Errorf("all: %d SDKs, %v", len(all), err)
	}
	some, err := SelectSDKs("boto3, go,aws-sdk-go-v2")
	if err != nil || len(some) != 2 || some[0].Name != "go" || some[1].Name != "botocore" {
		t.Errorf("boto3,go: %+v %v", some, err)
	}
	if _, err := SelectSDKs("rust"); err == nil || !strings.Contains(err.Error(), "go, js, botocore") {
		t.Errorf("unknown SDK: %v", err)
	}
}
