package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	sdk "github.com/dmsconform/dmsconform/suites/sdk"
)

// envAsAdapter makes this test binary act as an SDK adapter: it reads the adapter
// protocol's jobs on stdin and prints what aws-sdk-go-v2 makes of each (TestMain).
const envAsAdapter = "DMSCONFORM_TEST_AS_ADAPTER"

// serveAsAdapter is the adapter a test registers as a new SDK: a program that reads
// the jobs and prints the decoding, as suites/sdk/botocore/adapter.py does, here with
// aws-sdk-go-v2 doing the decoding.
func serveAsAdapter() int {
	var req struct {
		Jobs []sdk.Job `json:"jobs"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"error": "the jobs do not decode: " + err.Error()})
		return 1
	}
	obs, err := sdk.GoSDK{}.Run(context.Background(), spec.MustLoad(), req.Jobs)
	if err != nil {
		_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"error": err.Error()})
		return 1
	}
	results := make([]map[string]any, len(obs))
	for i, o := range obs {
		results[i] = map[string]any{"key": req.Jobs[i].Key}
		if e := o.Err; e != nil {
			results[i]["error"] = map[string]any{"kind": e.Layer, "code": e.Code, "typed": e.Typed, "message": e.Message, "detail": e.Detail}
		} else {
			results[i]["output"] = o.Output
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"sdk": map[string]string{"name": "recipe-sdk", "version": "test"}, "results": results})
	return 0
}

// TestANewSDKRunsTheCorpus does the mechanical part of the README's recipe for a new
// SDK: an adapter program (this test binary, decoding with aws-sdk-go-v2) and one
// Registry entry. dmsconform sdk then offers it (--sdk, its flag in --help), replays
// every fixture of the corpus to it through the adapter protocol and writes its
// report, with nothing else naming it; decoding as aws-sdk-go-v2 does, it gets the Go
// SDK's outcome for every fixture.
func TestANewSDKRunsTheCorpus(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envAsAdapter, "1") // the adapter process inherits it
	saved := sdk.Registry
	sdk.Registry = append(slices.Clone(saved), sdk.Entry{
		Name: "recipe", Target: "recipe-sdk", Description: "a test's SDK, through its adapter",
		Options: []sdk.Option{{Flag: "recipe-adapter", Usage: "the adapter `PROGRAM`"}},
		New: func(o map[string]string) sdk.SDK {
			return sdk.NewAdapterSDK("recipe-sdk", "aws-sdk-go-v2 behind a test adapter", o["recipe-adapter"])
		},
	})
	t.Cleanup(func() { sdk.Registry = saved })

	if _, stdout, stderr := sdkRunCLI(t, "sdk", "--help"); !strings.Contains(stdout+stderr, "-recipe-adapter") || !strings.Contains(stdout+stderr, "a test's SDK") {
		help := stdout + stderr
		t.Errorf("dmsconform sdk --help does not offer the registered SDK and its flag:\n%s", help)
	}
	out := t.TempDir()
	code, stdout, stderr := sdkRunCLI(t, "sdk", "--sdk", "go,recipe", "--recipe-adapter", exe, "--known-deviations", "none", "--out", out)
	if code != reports.ExitOK && code != reports.ExitNonConform {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	fixtures, err := sdk.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	goRun, err := reports.ReadJSON(filepath.Join(out, "go", reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	recipe, err := reports.ReadJSON(filepath.Join(out, "recipe", reports.FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if recipe.Target.TargetKind != "recipe-sdk" || len(recipe.Checks) != len(fixtures) || recipe.Totals[reports.Skipped] != 0 || recipe.Totals[reports.Error] != 0 {
		t.Fatalf("the new SDK's report: target %q, %d checks for %d fixtures, totals %v", recipe.Target.TargetKind, len(recipe.Checks), len(fixtures), recipe.Totals)
	}
	want := map[string]reports.Outcome{}
	for _, c := range goRun.Checks {
		want[c.ID] = c.Outcome
	}
	for _, c := range recipe.Checks {
		if c.Outcome != want[c.ID] {
			t.Errorf("%s: %s through the adapter, %s in process (%s)", c.ID, c.Outcome, want[c.ID], c.Message)
		}
	}
}
