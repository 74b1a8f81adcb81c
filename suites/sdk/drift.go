package sdk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// The drift test across versions: spec/drift_test.go compares the model with the Go
// SDK it is built with. The version matrix builds that test against each Go version of
// the matrix, so what the drift test asserts is checked for every version, not only the
// pinned one (it says itself which versions its fault-typing assertion applies to).

// DriftTests selects the tests of spec/drift_test.go that depend on the Go SDK.
const DriftTests = `^(TestModelMatchesSDK|TestDrift.*|TestFaultsMatchSDKBehaviour|TestFaultDriftIsNamed|TestRequiredMembersMatchSDK|TestUnionMembersDecodeInSDK|TestSDKSourceMatchesTheSDK)$`

// DriftResult is the drift test run against one SDK version.
type DriftResult struct {
	Passed   bool
	Output   string // the end of go test's output
	Duration time.Duration
}

// RunDriftTest runs the drift test (DriftTests of the harness's spec package) against
// aws-sdk-go-v2 at exactly b.Version, in a scratch module <WorkDir>/go/<Version>/drift
// that requires the harness (its source folder, found above the Go adapter's source)
// and the SDK version. A failing test is a result, not an error; the error is for a
// test that could not be built or run.
func RunDriftTest(ctx context.Context, b GoBuild) (*DriftResult, error) {
	src, err := b.source()
	if err != nil {
		return nil, err
	}
	root, hf := harnessModule(src)
	if hf == nil {
		return nil, fmt.Errorf("the harness's go.mod is not above %s: the drift test needs the repository", src)
	}
	dir := filepath.Join(b.WorkDir, "go", b.Version, "drift")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	const harness = "github.com/dmsconform/dmsconform"
	f := &modfile.File{}
	_ = f.AddModuleStmt("dmsconform.local/drift")
	if hf.Go != nil {
		_ = f.AddGoStmt(hf.Go.Version)
	}
	_ = f.AddRequire(harness, "v0.0.0-00010101000000-000000000000")
	_ = f.AddRequire(GoModule, b.Version)
	_ = f.AddReplace(harness, "", root, "")
	_ = f.AddReplace(GoModule, "", GoModule, b.Version) // exactly this version, also below the harness's
	f.Cleanup()
	gomod, _ := f.Format()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		return nil, err
	}
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil && !fileExists(filepath.Join(dir, "go.sum")) {
		_ = os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
	}
	t0 := time.Now()
	args := append(append([]string{"test", "-count=1"}, b.Flags...), "-run", DriftTests, harness+"/spec")
	err = goCommand(ctx, dir, b.Offline, args...)
	res := &DriftResult{Passed: err == nil, Duration: time.Since(t0)}
	if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, "--- FAIL") {
			return nil, fmt.Errorf("the drift test against %s %s did not run: %w", GoModule, b.Version, err)
		}
		res.Output = msg[max(0, len(msg)-1500):]
	}
	return res, nil
}
