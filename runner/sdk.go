package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/sdk"
)

// DefaultSDKKnownDeviations is the known-deviations file an SDK run reads when none
// is named and the fixtures are the embedded ones: looked for in the working
// directory and its parents (the repository root).
const DefaultSDKKnownDeviations = "fixtures/known-deviations.sdk.yaml"

// SDKOptions configures `dmsconform sdk`.
type SDKOptions struct {
	Which string // the SDKs: names, aliases, a comma list or "all"
	// Versions, when set, runs the version matrix: "" the default matrix, else a list
	// of SDK@VERSION (sdk.ParseVersions).
	Versions *string
	Out      string // "" = <OutRoot>/sdk-<UTC timestamp>
	OutRoot  string // "" = reports/out
	// KnownDeviations, when set, names the file ("" or "none": no file); nil looks
	// for DefaultSDKKnownDeviations when the fixtures are the embedded ones.
	KnownDeviations *string
	Fixtures        string            // a folder of fixtures; "" = the embedded fixtures/wire
	SDKOpts         map[string]string // the SDKs' own options (sdk.SDKOptions), by flag
	Stdout, Stderr  io.Writer
	Now             func() time.Time // for known-deviation expiry and the folder name
}

// SDKResult is what an SDK run wrote and its exit code.
type SDKResult struct {
	Dir      string
	ExitCode int
}

// sdkSetup is what an SDK run checked before it replays anything.
type sdkSetup struct {
	selected  []sdk.Entry
	versions  []sdk.VersionSpec
	model     *spec.Model
	fixtures  []*sdk.Fixture
	known     []reports.KnownDeviation
	knownPath string
	dir       string
}

// SDK replays every fixture through the selected SDKs (the registry in suites/sdk)
// and writes one report per SDK into <dir>/<name>/ and the side-by-side page
// <dir>/matrix.html and matrix.md; with Versions, the version matrix instead. Exit 1
// when a check fails that no known deviation covers, 3 when a check is an error; a
// skipped SDK (not installed) is not a failure. A wrong option is a UsageError, a
// broken setup a HarnessError.
func SDK(ctx context.Context, opts SDKOptions) (*SDKResult, error) {
	o := Options{Stdout: opts.Stdout, Stderr: opts.Stderr, Now: opts.Now, OutRoot: opts.OutRoot}
	o.defaults()
	opts.Stdout, opts.Stderr, opts.Now, opts.OutRoot = o.Stdout, o.Stderr, o.Now, o.OutRoot
	su, err := sdkSetUp(opts)
	if err != nil {
		return nil, err
	}
	base := sdk.Options{Model: su.model, Fixtures: su.fixtures, Tool: Tool()}
	if opts.Versions != nil {
		code, err := sdkVersions(ctx, sdk.MatrixOptions{Options: base, Versions: su.versions, SDKOpts: opts.SDKOpts, Progress: opts.Stdout, DriftTests: true}, su, opts)
		return &SDKResult{Dir: su.dir, ExitCode: code}, err
	}
	w := opts.Stdout
	fmt.Fprintf(w, "dmsconform sdk: %d fixtures, model %s, %s\n", len(su.fixtures), su.model.Version, pluralOf(len(su.selected), "SDK"))
	if su.knownPath != "" {
		note := ""
		if opts.KnownDeviations == nil {
			note = " (default)"
		}
		fmt.Fprintf(w, "known deviations: %s%s, %d entries\n", su.knownPath, note, len(su.known))
	}
	failures, broken := 0, 0
	var inputs []reports.SDKMatrixInput
	for _, entry := range su.selected {
		in, f, b, err := sdkReplayOne(ctx, entry, base, su, opts)
		if err != nil {
			return nil, err
		}
		failures += f
		broken += b
		inputs = append(inputs, in)
	}
	expected := map[string]string{}
	for _, fx := range su.fixtures {
		expected[fx.CheckID()] = fx.Expect.String()
	}
	matrix := reports.NewSDKMatrix(inputs, expected, time.Now())
	if err := reports.WriteSDKMatrix(su.dir, matrix, sdk.AccessKeyID, sdk.SecretAccessKey); err != nil {
		return nil, &HarnessError{Err: err}
	}
	fmt.Fprintf(w, "\nside by side: %s (%s): %d of %d fixtures where the SDKs disagree\n",
		filepath.Join(su.dir, reports.FileSDKMatrixHTML), filepath.Join(su.dir, reports.FileSDKMatrixMarkdown), len(matrix.Disagreements()), len(matrix.Rows))
	code := reports.ExitOK
	switch {
	case failures > 0:
		code = reports.ExitNonConform
	case broken > 0:
		code = reports.ExitHarnessFail
	}
	return &SDKResult{Dir: su.dir, ExitCode: code}, nil
}

// sdkSetUp checks the options, loads the model, the fixtures and the known
// deviations, and names the folder.
func sdkSetUp(opts SDKOptions) (*sdkSetup, error) {
	usage := func(format string, args ...any) error { return &UsageError{Err: fmt.Errorf(format, args...)} }
	selected, err := sdk.SelectSDKs(opts.Which)
	if err != nil {
		return nil, usage("--sdk: %v", err)
	}
	su := &sdkSetup{selected: selected, dir: opts.Out}
	if opts.Versions != nil {
		if su.versions, err = sdk.ParseVersions(*opts.Versions); err != nil {
			return nil, usage("--versions: %v", err)
		}
		su.versions = slices.DeleteFunc(su.versions, func(v sdk.VersionSpec) bool {
			return !slices.ContainsFunc(selected, func(e sdk.Entry) bool { return e.Name == v.SDK })
		})
		if len(su.versions) == 0 {
			return nil, usage("--versions %s names no version of the SDKs --sdk %s selects", *opts.Versions, opts.Which)
		}
	}
	if su.model, err = spec.Load(); err != nil {
		return nil, &HarnessError{Err: err}
	}
	if opts.Fixtures != "" {
		su.fixtures, err = sdk.LoadFS(os.DirFS(opts.Fixtures), ".")
	} else {
		su.fixtures, err = sdk.LoadDefault()
	}
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if errs := sdk.Validate(su.model, su.fixtures); len(errs) > 0 {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = "- " + e.Error()
		}
		return nil, usage("%d problem(s) in the fixtures (see fixtures/README.md):\n%s", len(errs), strings.Join(lines, "\n"))
	}
	switch {
	case opts.KnownDeviations != nil:
		su.knownPath = *opts.KnownDeviations
	case opts.Fixtures == "":
		su.knownPath = findUp(DefaultSDKKnownDeviations)
	}
	if strings.EqualFold(su.knownPath, "none") {
		su.knownPath = ""
	}
	if su.knownPath != "" {
		if su.known, err = reports.LoadKnownDeviations(su.knownPath); err != nil {
			return nil, &UsageError{Err: err}
		}
	}
	if su.dir == "" {
		su.dir = filepath.Join(opts.OutRoot, "sdk-"+opts.Now().UTC().Format("20060102T150405Z"))
	}
	return su, nil
}

// sdkReplayOne replays the fixtures through one SDK, writes its reports and prints
// its summary; it returns its column of the side-by-side page, the failures no known
// deviation covers and the errors.
func sdkReplayOne(ctx context.Context, entry sdk.Entry, base sdk.Options, su *sdkSetup, opts SDKOptions) (reports.SDKMatrixInput, int, int, error) {
	impl := entry.New(opts.SDKOpts)
	res, err := sdk.ReplaySDK(ctx, impl, base)
	if err != nil {
		return reports.SDKMatrixInput{}, 0, 0, &HarnessError{Err: fmt.Errorf("%s: %w", impl.Info().Name, err)}
	}
	run := res.Run
	for _, w := range reports.ApplyKnown(run, su.known, opts.Now()) {
		fmt.Fprintf(opts.Stderr, "dmsconform sdk: warning: %s\n", w)
	}
	runDir := filepath.Join(su.dir, entry.Name)
	if err := reports.WriteAll(runDir, run, reports.WithSecrets(sdk.AccessKeyID, sdk.SecretAccessKey)); err != nil {
		return reports.SDKMatrixInput{}, 0, 0, &HarnessError{Err: err}
	}
	f, b := printSDKSummary(opts.Stdout, run, runDir)
	in := reports.SDKMatrixInput{Name: entry.Name, Run: run, Report: entry.Name + "/" + reports.FileHTML, Observed: res.Observed, Differences: res.Differences}
	return in, f, b, nil
}

// sdkVersions runs the version matrix (suites/sdk) and maps its result to an exit
// code: 3 when a version could not be set up or run, 1 when a Go version does not type
// faults as the drift test assumes, else 0 (the versions' findings are the page; a
// version the registry does not serve is a skipped column, said on the console).
func sdkVersions(ctx context.Context, mo sdk.MatrixOptions, su *sdkSetup, opts SDKOptions) (int, error) {
	w := opts.Stdout
	fmt.Fprintf(w, "dmsconform sdk --versions: %d fixtures through %s\n", len(mo.Fixtures), sdk.VersionList(mo.Versions))
	vm, err := sdk.RunVersions(ctx, mo)
	if err != nil {
		return reports.ExitHarnessFail, &HarnessError{Err: err}
	}
	page, err := vm.Write(su.dir, mo.Model, mo.Fixtures, su.known, opts.Now())
	if err != nil {
		return reports.ExitHarnessFail, &HarnessError{Err: err}
	}
	fmt.Fprintf(w, "\n%d SDK versions x %d fixtures in %s (scratch: %s)\n", len(vm.Columns), len(page.Rows), vm.Duration.Round(time.Second), vm.WorkDir)
	for _, ch := range page.Changes {
		fmt.Fprintf(w, "  changed in %s %s: %s: %s -> %s\n", ch.Series, ch.Version, ch.Fixture, text.Line(ch.Before, 80), text.Line(ch.After, 80))
	}
	for _, c := range vm.Columns {
		if c.SDK != nil && c.SDK.Unavailable() != "" {
			fmt.Fprintf(w, "  skipped %s: %s\n", c.Name(), text.Line(c.SDK.Unavailable(), 300))
		}
	}
	fmt.Fprintf(w, "the page: %s (%s)\n", filepath.Join(su.dir, reports.FileSDKMatrixHTML), filepath.Join(su.dir, reports.FileSDKMatrixMarkdown))
	code := reports.ExitOK
	for _, b := range vm.DriftBroken() {
		fmt.Fprintf(opts.Stderr, "dmsconform sdk: the drift test's fault typing does not hold: %s\n", b)
		code = reports.ExitNonConform
	}
	for _, b := range vm.Broken() {
		fmt.Fprintf(opts.Stderr, "dmsconform sdk: %s\n", b)
		code = reports.ExitHarnessFail
	}
	return code, nil
}

// findUp returns rel under the working directory or the nearest parent that has it,
// or "".
func findUp(rel string) string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, filepath.FromSlash(rel))
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
				return r
			}
			return p
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func pluralOf(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printSDKSummary prints one SDK's totals and its failing, erroring and skipped
// checks; it returns the failures no known deviation covers and the errors.
func printSDKSummary(w io.Writer, run *reports.Run, dir string) (failures, errs int) {
	t := run.Target
	fmt.Fprintf(w, "\n%s %s (%s): ", t.TargetKind, t.Version, t.Name)
	known := 0
	for _, c := range run.Checks {
		if c.Outcome == reports.Fail && c.Known != nil {
			known++
		}
	}
	var parts []string
	for _, o := range reports.Outcomes {
		if n := run.Totals[o]; n > 0 {
			p := fmt.Sprintf("%d %s", n, o)
			if o == reports.Fail && known > 0 {
				p += fmt.Sprintf(" (%d known)", known)
			}
			parts = append(parts, p)
		}
	}
	fmt.Fprintf(w, "%s -> %s\n", strings.Join(parts, ", "), dir)
	skipReason := ""
	for _, c := range run.Checks {
		switch {
		case c.Outcome == reports.Fail && c.Known != nil:
			fmt.Fprintf(w, "  known %s (known deviation until %s)\n", c.ID, c.Known.Expires.UTC().Format(time.DateOnly))
		case c.Outcome == reports.Fail:
			failures++
			fmt.Fprintf(w, "  FAIL  %s: %s\n", c.ID, text.Line(c.Message, 240))
		case c.Outcome == reports.Error:
			errs++
			fmt.Fprintf(w, "  ERROR %s: %s\n", c.ID, text.Line(c.Message, 240))
		case c.Outcome == reports.Skipped && c.Message != skipReason:
			skipReason = c.Message
			fmt.Fprintf(w, "  skipped: %s\n", c.Message)
		}
	}
	return failures, errs
}
