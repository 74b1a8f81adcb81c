package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/semver"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
)

// The SDK version matrix (dmsconform sdk --versions, make sdk-matrix): the fixture
// corpus replayed through several versions of each SDK side by side, each version in
// a scratch module or folder of its own (go get / npm install of the exact version),
// plus the installed botocore. Every column also probes how the version types faults,
// which is what the drift test's per-operation assertion depends on.

// VersionsDirEnv names the scratch root of the version matrix (default: the user's
// cache folder, dmsconform/sdk-versions). Builds and installs there are reused.
const VersionsDirEnv = "DMSCONFORM_SDK_VERSIONS_DIR"

// Latest is the version word for the newest version the registry serves.
const Latest = "latest"

// VersionSpec is one column of the matrix: a registered SDK (go, js, botocore) at a
// version: exact, Latest, or "" for botocore (the installed one).
type VersionSpec struct {
	SDK     string
	Version string
}

func (v VersionSpec) String() string {
	if v.Version == "" {
		return v.SDK
	}
	return v.SDK + "@" + v.Version
}

// VersionList writes versions as --versions takes them: SDK@VERSION,...
func VersionList(vs []VersionSpec) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, ",")
}

// DefaultVersions is the matrix of make sdk-matrix: the Go SDK's first version with the
// waiters the harness calls (v1.63.0), the pinned one, the last and the first of the
// schema-based serialisation (v1.71.0, v1.72.0) and the newest; the npm client's first
// version with both Cancel commands and the newest; the installed botocore.
var DefaultVersions = []VersionSpec{
	{"go", "v1.63.0"}, {"go", "v1.64.0"}, {"go", "v1.71.0"}, {"go", "v1.72.0"}, {"go", Latest},
	{"js", "3.999.0"}, {"js", Latest},
	{"botocore", ""},
}

// ParseVersions reads a version list: "go@v1.63.0,go@latest,js@3.999.0,botocore"
// (an SDK name or alias, @ and a version; botocore takes none). "" or "default" is
// DefaultVersions.
func ParseVersions(s string) ([]VersionSpec, error) {
	if t := strings.TrimSpace(s); t == "" || t == "default" || t == "true" {
		return append([]VersionSpec(nil), DefaultVersions...), nil
	}
	var out []VersionSpec
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, version, _ := strings.Cut(part, "@")
		e, ok := LookupSDK(name)
		if !ok {
			return nil, fmt.Errorf("version %q: unknown SDK %q: use %s", part, name, strings.Join(SDKNames(), ", "))
		}
		switch {
		case e.Name == "botocore" && version != "":
			return nil, fmt.Errorf("version %q: botocore is the installed one (python3 -m pip install botocore==X to change it): write botocore without a version", part)
		case e.Name != "botocore" && version == "":
			return nil, fmt.Errorf("version %q: name a version, e.g. %s@%s or %s@latest", part, e.Name, map[string]string{"go": "v1.64.0", "js": "3.999.0"}[e.Name], e.Name)
		case e.Name == "go" && version != Latest && !semver.IsValid(version):
			return nil, fmt.Errorf("version %q: %q is not a Go module version (vMAJOR.MINOR.PATCH)", part, version)
		}
		out = append(out, VersionSpec{SDK: e.Name, Version: version})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no version in %q: write e.g. go@v1.64.0,js@latest,botocore", s)
	}
	return out, nil
}

// MatrixOptions configure a version matrix.
type MatrixOptions struct {
	Options                    // the model, the fixtures, the tool, the clock
	Versions []VersionSpec     // the columns (DefaultVersions when nil)
	WorkDir  string            // the scratch root ("" = $DMSCONFORM_SDK_VERSIONS_DIR, else the user cache)
	SDKOpts  map[string]string // the registry's options: js-adapter, node, python, botocore-adapter
	// Offline: no registry is asked: Go builds from the module cache only and npm
	// versions must be installed already (the pinned one in suites/sdk/js). A
	// "latest" version is then an error.
	Offline  bool
	Progress io.Writer // one line per step (nil: quiet)
	// GoBuildFlags are extra go build flags for the Go adapters (tests: -race).
	GoBuildFlags []string
	// DriftTests runs the drift test (spec/drift_test.go) against every Go version.
	DriftTests bool
}

// MatrixColumn is one SDK version of the matrix.
type MatrixColumn struct {
	Spec    VersionSpec   // as asked
	Entry   Entry         // the registry entry
	Version string        // the exact version (latest resolved)
	SDK     SDK           // nil when the setup failed
	Run     *SDKRun       // the fixture replay (every check an error when the setup failed)
	Typing  *FaultTyping  // nil when it could not be probed
	Setup   time.Duration // go get + build, npm install
	Replay  time.Duration // the corpus and the typing probes
	Err     error         // the setup or the typing probe broke
	// Drift is the drift test run against this Go version (nil: not run); DriftErr
	// says why it could not run.
	Drift    *DriftResult
	DriftErr error
}

// Name is the column's short name, also its report folder: go@v1.63.0, botocore@1.43.11.
func (c *MatrixColumn) Name() string {
	if c.Version == "" {
		return c.Entry.Name
	}
	return c.Entry.Name + "@" + c.Version
}

// VersionMatrix is the result of RunVersions.
type VersionMatrix struct {
	Columns  []*MatrixColumn // by SDK (registry order), then by version
	Codes    []string        // the error codes the typing probes used
	WorkDir  string
	Duration time.Duration
}

// DriftBroken lists the Go versions the drift test does not hold for: their fault
// typing is not what it assumes for them, or the drift test fails against them.
func (vm *VersionMatrix) DriftBroken() []string {
	var out []string
	for _, c := range vm.Columns {
		if c.Typing != nil && !c.Typing.Holds() {
			out = append(out, fmt.Sprintf("%s types faults %s, the drift test assumes %s", c.Name(), c.Typing.Rule, c.Typing.Expected))
		}
		if c.Drift != nil && !c.Drift.Passed {
			out = append(out, fmt.Sprintf("the drift test fails against %s: %s", c.Name(), c.Drift.Output))
		}
	}
	return out
}

// DefaultWorkDir is $DMSCONFORM_SDK_VERSIONS_DIR, else <user cache>/dmsconform/sdk-versions.
func DefaultWorkDir() (string, error) {
	if d := os.Getenv(VersionsDirEnv); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for the SDK versions (%v): set %s", err, VersionsDirEnv)
	}
	return filepath.Join(c, "dmsconform", "sdk-versions"), nil
}

// RunVersions sets up every version (the npm installs side by side with the Go builds),
// then replays the corpus and the typing probes to each. A version whose setup fails
// is a column of errors with the reason; the error is only for a broken setup of the
// matrix itself (no model, no scratch folder, a version that cannot be resolved).
func RunVersions(ctx context.Context, opts MatrixOptions) (*VersionMatrix, error) {
	start := time.Now()
	if opts.Model == nil {
		return nil, errors.New("sdk versions: no model")
	}
	specs := opts.Versions
	if specs == nil {
		specs = DefaultVersions
	}
	work, err := matrixWorkDir(opts.WorkDir)
	if err != nil {
		return nil, err
	}
	vm := &VersionMatrix{WorkDir: work}
	if vm.Columns, err = resolveColumns(ctx, specs, work, opts.Offline); err != nil {
		return nil, err
	}
	setupColumns(ctx, vm.Columns, work, opts)
	var goService map[*MatrixColumn][]string
	vm.Codes, goService = probeCodes(opts.Model, vm.Columns)
	for _, c := range vm.Columns {
		if err := replayColumn(ctx, c, vm.Codes, goService[c], work, opts); err != nil {
			return nil, err
		}
	}
	vm.Duration = time.Since(start)
	return vm, nil
}

// matrixWorkDir makes the matrix's scratch root: work, or DefaultWorkDir when "".
func matrixWorkDir(work string) (string, error) {
	if work == "" {
		var err error
		if work, err = DefaultWorkDir(); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", fmt.Errorf("sdk versions: scratch folder: %w (set %s to a writable folder)", err, VersionsDirEnv)
	}
	return work, nil
}

// progressf writes one line of progress, when the options ask for it.
func (opts MatrixOptions) progressf(format string, args ...any) {
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, format+"\n", args...)
	}
}

// resolveColumns makes the matrix's columns from the specs, latest resolved, one per
// distinct version, sorted by SDK then version.
func resolveColumns(ctx context.Context, specs []VersionSpec, work string, offline bool) ([]*MatrixColumn, error) {
	var cols []*MatrixColumn
	seen := map[string]bool{}
	for _, sp := range specs {
		e, ok := LookupSDK(sp.SDK)
		if !ok {
			return nil, fmt.Errorf("sdk versions: unknown SDK %q", sp.SDK)
		}
		v, err := resolveVersion(ctx, e.Name, sp.Version, work, offline)
		if err != nil {
			return nil, fmt.Errorf("sdk versions: %s: %w", sp, err)
		}
		c := &MatrixColumn{Spec: sp, Entry: e, Version: v}
		if seen[c.Name()] {
			continue // "latest" is one of the listed versions
		}
		seen[c.Name()] = true
		cols = append(cols, c)
	}
	sortColumns(cols)
	return cols, nil
}

// setupColumns sets every column up, recording its SDK or why not: Go builds one after
// another (each uses every core), npm installs and the botocore probe beside them.
func setupColumns(ctx context.Context, cols []*MatrixColumn, work string, opts MatrixOptions) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, c := range cols {
		setup := func() {
			t0 := time.Now()
			c.SDK, c.Err = setupColumn(ctx, c, work, opts)
			c.Setup = time.Since(t0)
			mu.Lock()
			if c.Err != nil {
				opts.progressf("  %-22s set-up failed after %s: %v", c.Name(), c.Setup.Round(100*time.Millisecond), c.Err)
			} else {
				opts.progressf("  %-22s ready in %s", c.Name(), c.Setup.Round(100*time.Millisecond))
			}
			mu.Unlock()
		}
		if c.Entry.Name == "go" {
			setup()
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); setup() }()
	}
	wg.Wait()
}

// probeCodes lists the error codes to probe, sorted: the model's faults and every Go
// version's error types; and per Go column, its own error types. A Go column whose
// error types cannot be read gets the reason as its error.
func probeCodes(m *spec.Model, cols []*MatrixColumn) ([]string, map[*MatrixColumn][]string) {
	codes := map[string]bool{}
	for _, f := range m.Faults {
		codes[f.Code] = true
	}
	goService := map[*MatrixColumn][]string{}
	for _, c := range cols {
		if g, ok := c.SDK.(*GoAdapterSDK); ok {
			errs, err := ReadGoErrorTypes(g.Module.Dir)
			if err != nil {
				c.Err = err
				continue
			}
			for _, e := range errs {
				codes[e.Code] = true
				goService[c] = append(goService[c], e.Code)
			}
		}
	}
	return slices.Sorted(maps.Keys(codes)), goService
}

// replayColumn replays the corpus to one column (a broken one gives a run of errors),
// probes its fault typing with codes (service: a Go version's own error types), runs
// the drift test against a Go version when asked, and reports the column's progress
// line. The error is only for a broken replay setup.
func replayColumn(ctx context.Context, c *MatrixColumn, codes, service []string, work string, opts MatrixOptions) error {
	t0 := time.Now()
	sdk := c.SDK
	if sdk == nil {
		sdk = brokenSDK{info: c.info(), err: c.Err}
	}
	res, err := ReplaySDK(ctx, sdk, opts.Options)
	if err != nil {
		return err
	}
	c.Run = res
	if c.SDK != nil && c.Err == nil && c.SDK.Unavailable() == "" {
		ft, err := ProbeFaultTyping(ctx, c.SDK, opts.Model, codes, service)
		if err != nil {
			c.Err = fmt.Errorf("fault typing probe: %w", err)
		} else {
			if c.Entry.Name == "go" {
				ft.Expected = GoFaultTyping(c.Version)
			}
			c.Typing = ft
		}
	}
	if g, ok := c.SDK.(*GoAdapterSDK); ok && opts.DriftTests && c.Err == nil {
		c.Drift, c.DriftErr = RunDriftTest(ctx, GoBuild{Version: g.Module.Version, WorkDir: work, Offline: opts.Offline, Flags: opts.GoBuildFlags})
	}
	c.Replay = time.Since(t0)
	t := reports.ComputeTotals(res.Run.Checks)
	opts.progressf("  %-22s %d pass, %d fail, %d skipped, %d error; %s (%s)", c.Name(), t[reports.Pass], t[reports.Fail], t[reports.Skipped], t[reports.Error], c.typingSummary(), c.Replay.Round(100*time.Millisecond))
	return nil
}

// typingSummary says, for the progress line, how the column types faults and how the
// drift test went against it.
func (c *MatrixColumn) typingSummary() string {
	typing := "faults not probed"
	if c.Typing != nil {
		typing = "faults typed " + c.Typing.Rule
	}
	switch {
	case c.DriftErr != nil:
		typing += "; the drift test did not run: " + text.Truncate(c.DriftErr.Error(), 200)
	case c.Drift != nil && c.Drift.Passed:
		typing += "; the drift test passes"
	case c.Drift != nil:
		typing += "; the drift test FAILS"
	}
	return typing
}

// sortColumns orders the columns by SDK (registry order), then by version.
func sortColumns(cols []*MatrixColumn) {
	order := map[string]int{}
	for i, e := range Registry {
		order[e.Name] = i
	}
	sort.SliceStable(cols, func(i, j int) bool {
		a, b := cols[i], cols[j]
		if a.Entry.Name != b.Entry.Name {
			return order[a.Entry.Name] < order[b.Entry.Name]
		}
		return semver.Compare(semverOf(a.Version), semverOf(b.Version)) < 0
	})
}

// semverOf makes an npm or Python version comparable with x/mod/semver.
func semverOf(v string) string {
	if v == "" || strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}

// brokenSDK stands for a version whose set-up failed: every check is an error with
// the reason (infrastructure, not the SDK's behaviour); or, when the registry does not
// serve the version (unavailable), every check is skipped with the reason.
type brokenSDK struct {
	info        SDKInfo
	err         error
	unavailable string
}

func (b brokenSDK) Info() SDKInfo       { return b.info }
func (b brokenSDK) Unavailable() string { return b.unavailable }
func (b brokenSDK) Run(context.Context, *spec.Model, []Job) ([]Observation, error) {
	return nil, fmt.Errorf("the set-up of %s %s failed: %w", b.info.Name, b.info.Version, b.err)
}

// NotServedError says a registry does not serve an SDK version: the Go module proxy
// or its checksum database refuses it, or npm has no such version. Nothing of that
// version can be observed here, so its column is skipped with this reason, not an
// error of the matrix (a registry that cannot be reached stays an error).
type NotServedError struct {
	SDK, Version, Registry string
	Answer                 string // the registry's refusal, as the go command or npm printed it
	Err                    error
}

func (e *NotServedError) Error() string {
	return fmt.Sprintf("%s does not serve %s %s (%s), so its column is skipped: name a version it serves in --versions", e.Registry, e.SDK, e.Version, e.Answer)
}

func (e *NotServedError) Unwrap() error { return e.Err }

// goNotServed and npmNotServed match what the go command and npm print when the
// registry answered, refusing the version (not when it could not be reached).
var (
	goNotServed  = []*regexp.Regexp{regexp.MustCompile(`(?i)this module version is not available|: (403 Forbidden|404 Not Found|410 Gone)\b|unknown revision|invalid version: `)}
	npmNotServed = []*regexp.Regexp{regexp.MustCompile(`No matching version found|404 Not Found`), regexp.MustCompile(`\b(ETARGET|E404)\b`)}
)

// notServed is the refusal found in out (what a registry's client printed) by the
// first of res that matches, as a NotServedError wrapping err; nil when none does.
func notServed(res []*regexp.Regexp, out string, err error, registry, sdk, version string) error {
	var loc []int
	for _, re := range res {
		if loc = re.FindStringIndex(out); loc != nil {
			break
		}
	}
	if loc == nil {
		return nil
	}
	answer := strings.TrimLeft(out[loc[0]:], ": ")
	if i := strings.IndexByte(answer, '\n'); i > 0 {
		answer = answer[:i]
	}
	return &NotServedError{SDK: sdk, Version: version, Registry: registry, Answer: text.Truncate(strings.TrimSpace(answer), 160), Err: err}
}

// info is what the column's SDK is when it could not be set up.
func (c *MatrixColumn) info() SDKInfo {
	return SDKInfo{Name: c.Entry.Target, Package: c.Entry.Description, Version: c.Version}
}

// resolveVersion turns Latest into the newest version the registry serves; botocore's
// version is the installed one.
func resolveVersion(ctx context.Context, sdk, version, work string, offline bool) (string, error) {
	switch {
	case sdk == "botocore":
		return "", nil
	case version != Latest:
		return version, nil
	case offline:
		return "", errors.New("latest needs the registry, and the matrix runs offline: name an exact version")
	case sdk == "go":
		return newestGoVersion(ctx, work)
	case sdk == "js":
		return newestNPMVersion(ctx)
	}
	return "", fmt.Errorf("no registry for %s", sdk)
}

// newestGoVersion is the highest release the module proxy lists for the Go SDK
// (go list -m -versions).
func newestGoVersion(ctx context.Context, work string) (string, error) {
	dir := filepath.Join(work, "go")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if !fileExists(filepath.Join(dir, "go.mod")) {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module dmsconform.local/versions\n\ngo 1.24\n"), 0o644); err != nil {
			return "", err
		}
	}
	gobin, err := GoTool()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "list", "-m", "-json", "-versions", GoModule)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go list -m -versions %s: %v: %s", GoModule, err, text.Truncate(strings.TrimSpace(stderr.String()), 500))
	}
	var info struct{ Versions []string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		return "", fmt.Errorf("go list -m -versions %s: %v", GoModule, err)
	}
	best := ""
	for _, v := range info.Versions {
		if semver.Prerelease(v) == "" && (best == "" || semver.Compare(v, best) > 0) {
			best = v
		}
	}
	if best == "" {
		return "", fmt.Errorf("the module proxy lists no release of %s", GoModule)
	}
	return best, nil
}

// newestNPMVersion is the npm client's latest dist-tag (npm view).
func newestNPMVersion(ctx context.Context) (string, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("npm not found on PATH: install Node.js 20+ with npm")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, npm, "view", JSPackage, "version").Output()
	if err != nil {
		return "", fmt.Errorf("npm view %s version: %v", JSPackage, err)
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "", fmt.Errorf("npm view %s version printed nothing", JSPackage)
	}
	return v, nil
}

// setupColumn makes one version ready to run.
func setupColumn(ctx context.Context, c *MatrixColumn, work string, opts MatrixOptions) (SDK, error) {
	var ns *NotServedError
	switch c.Entry.Name {
	case "go":
		g, err := BuildGoAdapter(ctx, GoBuild{Version: c.Version, WorkDir: work, Offline: opts.Offline, Flags: opts.GoBuildFlags})
		if errors.As(err, &ns) {
			return brokenSDK{info: c.info(), unavailable: ns.Error()}, nil
		}
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return g, nil
	case "js":
		j, err := PrepareJS(ctx, c.Version, work, opts.SDKOpts["js-adapter"], opts.SDKOpts["node"], opts.Offline)
		if errors.As(err, &ns) {
			return brokenSDK{info: c.info(), unavailable: ns.Error()}, nil
		}
		if err != nil {
			return nil, err
		}
		return j, nil
	case "botocore":
		b := NewBotocoreSDK(opts.SDKOpts["botocore-adapter"], opts.SDKOpts["python"])
		c.Version = strings.TrimSpace(strings.SplitN(b.Info().Version, " ", 2)[0])
		if b.Unavailable() != "" {
			c.Version = ""
		}
		return b, nil
	}
	return nil, fmt.Errorf("the version matrix cannot set up SDK %s", c.Entry.Name)
}

// PrepareJS makes the npm client at exactly version ready: the adapter folder when
// it has that version installed (make js-setup installs the pinned one), else a
// scratch folder <work>/js/<version> with the adapter and `npm install` of the version.
func PrepareJS(ctx context.Context, version, work, adapterDir, node string, offline bool) (*JSSDK, error) {
	src := adapterDir
	if src == "" {
		var err error
		if src, err = FindJSAdapter(); err != nil {
			return nil, err
		}
	}
	if installedJSVersion(src) == version {
		return NewJSSDK(src, node), nil
	}
	dir := filepath.Join(work, "js", version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	adapter, err := os.ReadFile(filepath.Join(src, "adapter.mjs"))
	if err != nil {
		return nil, fmt.Errorf("the Node adapter: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "adapter.mjs"), adapter, 0o644); err != nil {
		return nil, err
	}
	if installedJSVersion(dir) != version {
		pkg, _ := json.MarshalIndent(map[string]any{
			"name": "dmsconform-sdk-js-" + strings.ReplaceAll(version, ".", "-"), "version": "0.0.0", "private": true, "type": "module",
			"description":  "dmsconform's Node adapter with " + JSPackage + " " + version + " (the SDK version matrix)",
			"dependencies": map[string]string{JSPackage: version},
		}, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "package.json"), append(pkg, '\n'), 0o644); err != nil {
			return nil, err
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			return nil, fmt.Errorf("npm not found on PATH: install Node.js %d+ with npm to install %s %s", MinNodeMajor, JSPackage, version)
		}
		args := []string{"install", "--no-audit", "--no-fund", "--loglevel=error"}
		if offline {
			args = append(args, "--offline")
		}
		ictx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ictx, npm, args...)
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			err = fmt.Errorf("npm install %s@%s (in %s): %v: %s", JSPackage, version, dir, err, text.Truncate(strings.TrimSpace(out.String()), 1000))
			if ns := notServed(npmNotServed, out.String(), err, "the npm registry", JSPackage, version); ns != nil {
				return nil, ns
			}
			return nil, err
		}
		if got := installedJSVersion(dir); got != version {
			return nil, fmt.Errorf("npm install %s@%s installed %q", JSPackage, version, got)
		}
	}
	return NewJSSDK(dir, node), nil
}

// installedJSVersion is the version of the npm client installed in dir ("" when none).
func installedJSVersion(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", filepath.FromSlash(JSPackage), "package.json"))
	if err != nil {
		return ""
	}
	var meta struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(data, &meta)
	return meta.Version
}

// MatrixInputs turns the columns into the side-by-side page's inputs, with known
// deviations applied to every column (a deviation names an SDK, not a version).
func (vm *VersionMatrix) MatrixInputs(m *spec.Model, known []reports.KnownDeviation, now time.Time) []reports.SDKMatrixInput {
	var out []reports.SDKMatrixInput
	for _, c := range vm.Columns {
		run := c.Run.Run
		reports.ApplyKnown(run, known, now)
		run.Warnings = nil // "matched no failing check" is expected of some versions
		in := reports.SDKMatrixInput{Name: c.Name(), Series: c.Entry.Target, Run: run,
			Observed: c.Run.Observed, Differences: c.Run.Differences, Decodings: c.Run.Decodings}
		if c.Typing != nil {
			in.Typing = &reports.SDKFaultTyping{Rule: c.Typing.Rule, Expected: c.Typing.Expected, Holds: c.Typing.Holds(),
				Summary: c.Typing.Summary(m), Deviations: c.Typing.Deviations, ErrorTypes: len(c.Typing.Service)}
			for _, op := range m.Operations {
				in.Typing.Operations = append(in.Typing.Operations, reports.SDKOperationTyping{Operation: op.Name, Modelled: len(op.Faults), Typed: c.Typing.Typed[op.Name]})
			}
			switch {
			case c.DriftErr != nil:
				in.Typing.Drift = "did not run: " + text.Truncate(c.DriftErr.Error(), 200)
			case c.Drift != nil && c.Drift.Passed:
				in.Typing.Drift = "pass"
			case c.Drift != nil:
				in.Typing.Drift = "fail: " + text.Truncate(c.Drift.Output, 300)
			}
		}
		switch g, _ := c.SDK.(*GoAdapterSDK); {
		case c.Err != nil:
			in.Note = text.Truncate(c.Err.Error(), 400)
		case c.SDK != nil && c.SDK.Unavailable() != "":
			in.Note = text.Truncate(c.SDK.Unavailable(), 400)
		case g != nil:
			in.Note = "built with " + strings.Join(g.With, ", ")
		}
		out = append(out, in)
	}
	return out
}

// Write writes every column's report into <dir>/<column name>/ and the page into
// dir/matrix.html and dir/matrix.md (redacted), with the known deviations applied to
// every column, and returns the page.
func (vm *VersionMatrix) Write(dir string, m *spec.Model, fixtures []*Fixture, known []reports.KnownDeviation, now time.Time) (*reports.SDKMatrix, error) {
	inputs := vm.MatrixInputs(m, known, now)
	for i, c := range vm.Columns {
		if err := reports.WriteAll(filepath.Join(dir, c.Name()), c.Run.Run, reports.WithSecrets(AccessKeyID, SecretAccessKey)); err != nil {
			return nil, err
		}
		inputs[i].Report = c.Name() + "/" + reports.FileHTML
	}
	expected := map[string]string{}
	for _, fx := range fixtures {
		expected[fx.CheckID()] = fx.Expect.String()
	}
	page := reports.NewSDKMatrix(inputs, expected, now)
	if err := reports.WriteSDKMatrix(dir, page, AccessKeyID, SecretAccessKey); err != nil {
		return nil, err
	}
	return page, nil
}

// Broken lists the columns the harness could not run (a set-up or probe that failed,
// checks that are errors): infrastructure, not findings.
func (vm *VersionMatrix) Broken() []string {
	var out []string
	for _, c := range vm.Columns {
		switch {
		case c.Err != nil:
			out = append(out, fmt.Sprintf("%s: %v", c.Name(), c.Err))
		case c.DriftErr != nil:
			out = append(out, fmt.Sprintf("%s: %v", c.Name(), c.DriftErr))
		case c.Run != nil && reports.ComputeTotals(c.Run.Run.Checks)[reports.Error] > 0:
			out = append(out, fmt.Sprintf("%s: %d checks are errors (see its report)", c.Name(), reports.ComputeTotals(c.Run.Run.Checks)[reports.Error]))
		}
	}
	return out
}
