package sdk

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmsconform/dmsconform/internal/require"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

func TestParseVersions(t *testing.T) {
	got, err := ParseVersions("go@v1.63.0, golang@latest,js@3.999.0,botocore")
	want := []VersionSpec{{"go", "v1.63.0"}, {"go", Latest}, {"js", "3.999.0"}, {"botocore", ""}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseVersions = %v, %v; want %v", got, err, want)
	}
	if got, err := ParseVersions(""); err != nil || !reflect.DeepEqual(got, DefaultVersions) {
		t.Errorf("ParseVersions(\"\") = %v, %v; want the default matrix", got, err)
	}
	for in, msg := range map[string]string{
		"rust@1.0":       `unknown SDK "rust"`,
		"go":             "name a version, e.g. go@v1.64.0",
		"go@1.64.0":      "is not a Go module version",
		"botocore@1.0.0": "botocore is the installed one",
		",":              "no version in",
	} {
		if _, err := ParseVersions(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseVersions(%q) = %v, want an error saying %q", in, err, msg)
		}
	}
}

func TestGoFaultTyping(t *testing.T) {
	for v, want := range map[string]string{
		"v1.59.0": TypingPerOperation, "v1.64.0": TypingPerOperation, "v1.71.0": TypingPerOperation,
		"v1.72.0": TypingServiceWide, "v1.75.9": TypingServiceWide, "v2.0.0": TypingServiceWide,
		"v1.72.0 (replaced: x)": TypingServiceWide, "unknown": TypingPerOperation,
	} {
		if got := GoFaultTyping(v); got != want {
			t.Errorf("GoFaultTyping(%q) = %s, want %s", v, got, want)
		}
	}
}

func TestModelNames(t *testing.T) {
	m := spec.MustLoad()
	in := map[string]any{"Request": map[string]any{"Status": "FAILED", "Error": map[string]any{"DefaultErrorDetails": map[string]any{"Message": "x"}},
		"Progress": map[string]any{"ProcessedObject": map[string]any{"Name": "t"}}, "FutureField": "kept"}}
	want := map[string]any{"Request": map[string]any{"Status": "FAILED", "Error": map[string]any{"defaultErrorDetails": map[string]any{"Message": "x"}},
		"Progress": map[string]any{"ProcessedObject": map[string]any{"Name": "t"}}, "FutureField": "kept"}}
	if got := ModelNames(m.Operation("CancelMetadataModelConversion").Output, in); !reflect.DeepEqual(got, want) {
		t.Errorf("ModelNames = %v\nwant %v", got, want)
	}
	list := map[string]any{"Requests": []any{map[string]any{"Error": map[string]any{spec.UnknownTag: "sqlErrorDetails"}}}}
	if got := ModelNames(m.Operation("DescribeMetadataModelConversions").Output, list); !reflect.DeepEqual(got, list) {
		t.Errorf("ModelNames kept the unknown tag? %v", got)
	}
}

func TestClassifyTyping(t *testing.T) {
	m := spec.MustLoad()
	service := []string{"AccessDeniedFault", "CollectorNotFoundFault", "InvalidResourceStateFault", "KMSKeyNotAccessibleFault", "ResourceAlreadyExistsFault",
		"ResourceNotFoundFault", "ResourceQuotaExceededFault", "S3AccessDeniedFault", "S3ResourceNotFoundFault"}
	perOp, wide := map[string][]string{}, map[string][]string{}
	for _, op := range m.Operations {
		for _, f := range op.Faults {
			perOp[op.Name] = append(perOp[op.Name], f.Code)
		}
		slices.Sort(perOp[op.Name])
		wide[op.Name] = service
	}
	mixed := map[string][]string{}
	for k, v := range perOp {
		mixed[k] = v
	}
	mixed["CancelMetadataModelConversion"] = []string{"CollectorNotFoundFault", "InvalidResourceStateFault", "ResourceNotFoundFault"}
	for name, tc := range map[string]struct {
		typed map[string][]string
		rule  string
		dev   []string
	}{
		"per operation": {perOp, TypingPerOperation, nil},
		"service-wide":  {wide, TypingServiceWide, nil},
		"mixed": {mixed, TypingRuleMixed, []string{"CancelMetadataModelConversion: modelled fault AccessDeniedFault is not typed",
			"CancelMetadataModelConversion: 1 faults the operation does not model are typed (CollectorNotFoundFault)"}},
	} {
		rule, dev := classifyTyping(m, &FaultTyping{Codes: service, Service: service, Typed: tc.typed})
		if rule != tc.rule || !reflect.DeepEqual(dev, tc.dev) {
			t.Errorf("%s: classifyTyping = %s %q, want %s %q", name, rule, dev, tc.rule, tc.dev)
		}
	}
}

// The version matrix on the pinned versions, offline (make test; make sdk-matrix runs
// the full one): the Go SDK built out of process in a scratch module against the
// version go.mod pins, from the module cache only; the npm client make js-setup
// installed; the installed botocore. The out-of-process Go adapter must decode every
// fixture as the in-process one does, and the fault typing must be the drift test's
// rule for the pinned version.
func TestVersionMatrixPinned(t *testing.T) {
	if _, err := GoTool(); err != nil {
		t.Skip(err)
	}
	m := spec.MustLoad()
	fixtures, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	versions, goPinned, jsPinned := pinnedVersions(t)
	work := t.TempDir()
	ctx := context.Background()
	opts := Options{Model: m, Fixtures: fixtures, Tool: reports.Tool{Name: "dmsconform", Version: "test"}}
	var progress strings.Builder
	vm, err := RunVersions(ctx, MatrixOptions{Options: opts, Versions: versions, WorkDir: work, Offline: true, GoBuildFlags: raceFlags, Progress: &progress, DriftTests: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("matrix in %s:\n%s", vm.Duration.Round(time.Millisecond), progress.String())
	if broken := vm.Broken(); len(broken) > 0 {
		t.Fatalf("columns broke: %s", strings.Join(broken, "\n"))
	}
	if names := columnNames(vm); names[0] != "go@"+goPinned || names[1] != "js@"+jsPinned && jsPinned != "" {
		t.Errorf("columns %v: want the Go SDK first, then the npm client, then botocore", names)
	}
	goCol := vm.Columns[0]
	g, ok := goCol.SDK.(*GoAdapterSDK)
	if !ok || !strings.HasPrefix(g.Binary, filepath.Join(work, "go", goPinned)) || goCol.Run.Run.Target.Version != goPinned {
		t.Fatalf("the Go column is %T %+v (target %+v), want the adapter built in the scratch module", goCol.SDK, goCol.SDK, goCol.Run.Run.Target)
	}
	checkGoColumnAsInProcess(t, ctx, opts, goCol)
	// Fault typing: the drift test's rule for the pinned version holds.
	if goCol.Typing == nil || goCol.Typing.Rule != GoFaultTyping(goPinned) || !goCol.Typing.Holds() || len(vm.DriftBroken()) > 0 {
		t.Errorf("the pinned Go SDK's fault typing: %+v (broken: %v), want %s", goCol.Typing, vm.DriftBroken(), GoFaultTyping(goPinned))
	}
	if goCol.Drift == nil || !goCol.Drift.Passed || goCol.DriftErr != nil {
		t.Errorf("the drift test against the pinned version: %+v %v", goCol.Drift, goCol.DriftErr)
	}
	if len(vm.Codes) < 26 || !slices.Contains(vm.Codes, "S3AccessDeniedFault") {
		t.Errorf("the typing probes used %d codes: %v", len(vm.Codes), vm.Codes)
	}
	checkMatrixPage(t, vm, m, fixtures, goPinned)
	// A second run reuses the build.
	t0 := time.Now()
	if _, err := BuildGoAdapter(ctx, GoBuild{Version: goPinned, WorkDir: work, Offline: true, Flags: raceFlags}); err != nil {
		t.Fatal(err)
	}
	t.Logf("the reused build took %s", time.Since(t0).Round(time.Millisecond))
}

// pinnedVersions is the pinned matrix: the Go SDK go.mod pins, botocore, and the npm
// client make js-setup installed when it is there (jsPinned "" when not).
func pinnedVersions(t *testing.T) (versions []VersionSpec, goPinned, jsPinned string) {
	t.Helper()
	goPinned = GoSDK{}.Info().Version
	versions = []VersionSpec{{"go", goPinned}, {"botocore", ""}}
	jsDir, _ := FindJSAdapter()
	jsPinned = installedJSVersion(jsDir)
	if jsPinned != "" {
		versions = append(versions, VersionSpec{"js", jsPinned})
	} else {
		t.Logf("the npm client is not installed in %s (make js-setup): the matrix runs without it", jsDir)
	}
	return versions, goPinned, jsPinned
}

// checkGoColumnAsInProcess: the out-of-process adapter decodes as the in-process SDK
// does, and every check has the same outcome.
func checkGoColumnAsInProcess(t *testing.T, ctx context.Context, opts Options, goCol *MatrixColumn) {
	t.Helper()
	inProcess, err := ReplaySDK(ctx, GoSDK{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range inProcess.Decodings {
		if got := goCol.Run.Decodings[id]; !reflect.DeepEqual(got, want) && !strings.Contains(id, "union-two-") && !strings.Contains(id, "union-type-") {
			t.Errorf("%s: the Go adapter decoded %q, the in-process SDK %q", id, got, want)
		}
	}
	for i, c := range inProcess.Run.Checks {
		if got := goCol.Run.Run.Checks[i]; got.ID != c.ID || got.Outcome != c.Outcome {
			t.Errorf("%s: %s out of process, %s in process", c.ID, got.Outcome, c.Outcome)
		}
	}
}

// checkMatrixPage: the page has every column, the typing table, no behaviour change
// between columns of different SDKs, and a report for the Go column.
func checkMatrixPage(t *testing.T, vm *VersionMatrix, m *spec.Model, fixtures []*Fixture, goPinned string) {
	t.Helper()
	out := t.TempDir()
	page, err := vm.Write(out, m, fixtures, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, reports.FileSDKMatrixMarkdown))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# dmsconform sdk --versions", "## How each version types faults", "`go@" + goPinned + "` | " + GoFaultTyping(goPinned) + " | " + GoFaultTyping(goPinned) + " ✅ | ✅ pass |",
		"## Behaviour changes across versions (0)", "## Findings per version", "built with github.com/aws/aws-sdk-go-v2 v", "github.com/aws/smithy-go v"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("matrix.md does not say %q", want)
		}
	}
	if len(page.Changes) != 0 || !fileExists(filepath.Join(out, "go@"+goPinned, reports.FileJSON)) {
		t.Errorf("changes %v; or no report for the Go column", page.Changes)
	}
}

func columnNames(vm *VersionMatrix) []string {
	var out []string
	for _, c := range vm.Columns {
		out = append(out, c.Name())
	}
	return append(out, "", "")
}

// A version the registry cannot give is a column of errors that says why, and the
// matrix goes on; "latest" offline is refused before anything runs.
func TestVersionMatrixBrokenColumn(t *testing.T) {
	if _, err := GoTool(); err != nil {
		t.Skip(err)
	}
	m := spec.MustLoad()
	fixtures, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Model: m, Fixtures: fixtures[:3]}
	vm, err := RunVersions(context.Background(), MatrixOptions{Options: opts, Versions: []VersionSpec{{"go", "v1.0.0-does-not-exist"}}, WorkDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	c := vm.Columns[0]
	if c.Err == nil || c.SDK != nil || len(vm.Broken()) != 1 {
		t.Fatalf("column %+v: want a set-up error", c)
	}
	for _, ch := range c.Run.Run.Checks {
		if ch.Outcome != reports.Error || !strings.Contains(ch.Message, "the set-up of aws-sdk-go-v2 v1.0.0-does-not-exist failed") {
			t.Errorf("%s: %s %q", ch.ID, ch.Outcome, ch.Message)
		}
	}
	if _, err := RunVersions(context.Background(), MatrixOptions{Options: opts, Versions: []VersionSpec{{"go", Latest}}, WorkDir: t.TempDir(), Offline: true}); err == nil || !strings.Contains(err.Error(), "latest needs the registry") {
		t.Errorf("latest offline: %v", err)
	}
}

// A version the registry refuses is not observable here: its column is skipped with
// the registry's answer and the matrix is not broken. A registry that cannot be
// reached is infrastructure trouble and stays an error. The go command is the real
// one, asking a real module proxy on 127.0.0.1 that refuses the version as
// proxy.golang.org refuses aws-sdk-go-v2's databasemigrationservice v1.63.0.
func TestAVersionTheRegistryDoesNotServeIsSkipped(t *testing.T) {
	if _, err := GoTool(); err != nil {
		t.Skip(err)
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found: This module version is not available.", http.StatusForbidden)
	}))
	defer proxy.Close()
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOTOOLCHAIN", "local")
	m := spec.MustLoad()
	fixtures, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Model: m, Fixtures: fixtures, Tool: reports.Tool{Name: "dmsconform", Version: "test"}}
	matrix := func(goproxy string) *VersionMatrix {
		t.Setenv("GOPROXY", goproxy)
		vm, err := RunVersions(context.Background(), MatrixOptions{Options: opts, Versions: []VersionSpec{{"go", "v1.63.999"}}, WorkDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return vm
	}

	vm := matrix(proxy.URL)
	col := vm.Columns[0]
	t.Logf("skipped: %s", col.Run.Run.Checks[0].Message)
	totals := reports.ComputeTotals(col.Run.Run.Checks)
	if broken := vm.Broken(); len(broken) > 0 || totals[reports.Skipped] != len(fixtures) {
		t.Fatalf("a version the proxy refuses: broken %v, totals %v; want every fixture skipped", broken, totals)
	}
	for _, want := range []string{"the Go module proxy does not serve " + GoModule + " v1.63.999", "403 Forbidden", "This module version is not available", "--versions"} {
		if msg := col.Run.Run.Checks[0].Message; !strings.Contains(msg, want) {
			t.Errorf("the skip reason %q does not say %q", msg, want)
		}
	}
	if in := vm.MatrixInputs(m, nil, time.Now()); !strings.Contains(in[0].Note, "does not serve") {
		t.Errorf("the page's note for the column: %q", in[0].Note)
	}

	proxy.Close() // now nothing answers there
	vm = matrix(proxy.URL)
	if broken := vm.Broken(); len(broken) != 1 || reports.ComputeTotals(vm.Columns[0].Run.Run.Checks)[reports.Error] != len(fixtures) {
		t.Errorf("a proxy that cannot be reached: broken %v; want the column's every fixture an error", broken)
	} else {
		t.Logf("broken: %s", broken[0])
	}
}

// The same for npm: a registry on 127.0.0.1 that has no such version of the client
// (npm's real answer, E404) skips the column; npm itself runs.
func TestAnNPMVersionTheRegistryDoesNotServeIsSkipped(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		require.Missing(t, require.JS, "npm is not on PATH")
	}
	registry := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"Not found"}`)
	}))
	defer registry.Close()
	t.Setenv("npm_config_registry", registry.URL+"/")
	t.Setenv("npm_config_cache", t.TempDir())
	t.Setenv("npm_config_fetch_retries", "0")
	_, err := PrepareJS(context.Background(), "3.999.999", t.TempDir(), "", "", false)
	var ns *NotServedError
	if !errors.As(err, &ns) || !strings.Contains(ns.Error(), "the npm registry does not serve "+JSPackage+" 3.999.999") {
		t.Fatalf("PrepareJS of a version the registry lacks: %v, want a NotServedError", err)
	}
	t.Logf("skipped: %s", ns)
}
