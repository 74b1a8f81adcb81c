package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	sdkconform "github.com/dmsconform/dmsconform/suites/sdk"
)

func init() {
	register("sdk", "replay the wire fixtures to every registered SDK ("+strings.Join(sdkTargets(), ", ")+") and report how each decodes them, side by side", runSDK)
}

// DefaultSDKKnownDeviations is the known-deviations file dmsconform sdk reads when no
// --known-deviations is given and the fixtures are the embedded ones: looked for in
// the working directory and its parents (the repository root).
const DefaultSDKKnownDeviations = "fixtures/known-deviations.sdk.yaml"

func sdkSynopsis() string {
	var opts []string
	for _, o := range sdkconform.SDKOptions() {
		name, _ := flag.UnquoteUsage(&flag.Flag{Usage: o.Usage})
		opts = append(opts, fmt.Sprintf("[--%s %s]", o.Flag, name))
	}
	return fmt.Sprintf("[--sdk %s|all] [--versions[=SDK@VERSION,...]] [--out DIR] [--known-deviations FILE|none] [--fixtures DIR] %s",
		strings.Join(sdkconform.SDKNames(), "|"), strings.Join(opts, " "))
}

func sdkTargets() []string {
	out := make([]string, len(sdkconform.Registry))
	for i, e := range sdkconform.Registry {
		out[i] = e.Target
	}
	return out
}

// sdkNow is the clock for known-deviation expiry (tests replace it).
var sdkNow = time.Now

// optionalString is a string flag that knows whether it was given.
type optionalString struct {
	value string
	set   bool
}

func (o *optionalString) String() string { return o.value }
func (o *optionalString) Set(v string) error {
	o.value, o.set = v, true
	return nil
}

// optionalList is a flag that may be given alone (--versions) or with a value
// (--versions=go@v1.64.0,js@latest).
type optionalList struct{ optionalString }

func (o *optionalList) IsBoolFlag() bool { return true }

// runSDK replays every fixture of fixtures/wire through the selected SDKs (the
// registry in suites/sdk) and writes one report per SDK into <out>/<name>/ and the
// side-by-side page <out>/matrix.html and <out>/matrix.md. Exit 1 when a check fails
// that no known deviation covers, 3 when the harness broke (a check is an error, or
// the setup failed), 2 for usage errors; a skipped SDK (not installed) is not a
// failure.
func runSDK(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sdk", sdkSynopsis(), stderr)
	which := fs.String("sdk", "all", "which SDKs to replay the fixtures to: "+strings.Join(sdkconform.SDKNames(), ", ")+" (or their aliases), a comma-separated list, or all")
	out := fs.String("out", "", "write the reports to `DIR`/<sdk>/ and the side-by-side page to DIR/matrix.html and DIR/matrix.md (default reports/out/sdk-<UTC timestamp>)")
	var knownFlag optionalString
	fs.Var(&knownFlag, "known-deviations", "YAML or JSON list of known SDK findings `FILE` ({check, target, reason, expires}; target an SDK name such as "+strings.Join(sdkTargets(), ", ")+"). "+
		"Default: "+DefaultSDKKnownDeviations+" when it exists (looked for from the working directory up) and the fixtures are the embedded ones; none (or an empty value) reads no file")
	fixturesDir := fs.String("fixtures", "", "read the fixtures from `DIR` (<Operation>/<case>.json) instead of the embedded fixtures/wire")
	var versions optionalList
	fs.Var(&versions, "versions", "replay the fixtures through several versions of each SDK side by side (the version matrix; make sdk-matrix): "+
		"alone, the default matrix "+sdkVersionList(sdkconform.DefaultVersions)+"; or =`SDK@VERSION,...` (a version or latest; botocore is the installed one). "+
		"Each version is built or installed in a scratch folder ($"+sdkconform.VersionsDirEnv+", default the user cache) and reused; --sdk narrows the list. "+
		"The drift test (spec/drift_test.go) runs against every Go version too. Exit 1 only when the drift test does not hold for a version; the versions' findings are on the page; exit 3 when a version could not be set up")
	optVals := map[string]*string{}
	for _, o := range sdkconform.SDKOptions() {
		optVals[o.Flag] = fs.String(o.Flag, "", o.Usage)
	}
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dmsconform sdk %s\n\n", sdkSynopsis())
		fmt.Fprintln(w, "Replays the wire fixtures (fixtures/wire, see fixtures/README.md) to each SDK through its adapter, compares each")
		fmt.Fprintln(w, "decoding with the fixture's expectation and writes one report per SDK plus a side-by-side page.")
		fmt.Fprintln(w, "\nSDKs (--sdk):")
		for _, e := range sdkconform.Registry {
			fmt.Fprintf(w, "  %-9s %s\n", e.Name, e.Description)
			if len(e.Aliases) > 0 {
				fmt.Fprintf(w, "  %-9s aliases: %s; report name %s\n", "", strings.Join(e.Aliases, ", "), e.Target)
			}
		}
		fmt.Fprintln(w, "  all       every SDK above (the default); an SDK that is not installed is skipped with the reason")
		fmt.Fprintln(w, "\nExit codes: 0 no failure outside the known deviations, 1 a failure, 2 usage error, 3 the harness broke.")
		fmt.Fprintln(w, "With --versions: 0 the matrix ran, 1 the drift test does not hold for a version, 2 usage error, 3 a version could not be set up.")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	selected, err := sdkconform.SelectSDKs(*which)
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: --sdk: %v\n", err)
		return reports.ExitUsage
	}
	var versionList []sdkconform.VersionSpec
	if versions.set {
		if versionList, err = sdkconform.ParseVersions(versions.value); err != nil {
			fmt.Fprintf(stderr, "dmsconform sdk: --versions: %v\n", err)
			return reports.ExitUsage
		}
		versionList = slices.DeleteFunc(versionList, func(v sdkconform.VersionSpec) bool {
			return !slices.ContainsFunc(selected, func(e sdkconform.Entry) bool { return e.Name == v.SDK })
		})
		if len(versionList) == 0 {
			fmt.Fprintf(stderr, "dmsconform sdk: --versions %s names no version of the SDKs --sdk %s selects\n", versions.value, *which)
			return reports.ExitUsage
		}
	}

	m, err := spec.Load()
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return reports.ExitHarnessFail
	}
	var fixtures []*sdkconform.Fixture
	if *fixturesDir != "" {
		fixtures, err = sdkconform.LoadFS(os.DirFS(*fixturesDir), ".")
	} else {
		fixtures, err = sdkconform.LoadDefault()
	}
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return reports.ExitUsage
	}
	if errs := sdkconform.Validate(m, fixtures); len(errs) > 0 {
		fmt.Fprintf(stderr, "dmsconform sdk: %d problem(s) in the fixtures (see fixtures/README.md):\n", len(errs))
		for _, e := range errs {
			fmt.Fprintf(stderr, "- %v\n", e)
		}
		return reports.ExitUsage
	}
	knownPath := knownFlag.value
	if !knownFlag.set && *fixturesDir == "" {
		knownPath = sdkFindUp(DefaultSDKKnownDeviations)
	}
	if strings.EqualFold(knownPath, "none") {
		knownPath = ""
	}
	var known []reports.KnownDeviation
	if knownPath != "" {
		if known, err = reports.LoadKnownDeviations(knownPath); err != nil {
			fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
			return reports.ExitUsage
		}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("reports", "out", "sdk-"+time.Now().UTC().Format("20060102T150405Z"))
	}
	options := map[string]string{}
	for k, v := range optVals {
		options[k] = *v
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := sdkconform.Options{Model: m, Fixtures: fixtures, Tool: sdkToolInfo()}
	if versions.set {
		return runSDKVersions(ctx, sdkconform.MatrixOptions{Options: opts, Versions: versionList, SDKOpts: options, Progress: stdout, DriftTests: true}, dir, known, stdout, stderr)
	}
	failures, broken := 0, 0
	fmt.Fprintf(stdout, "dmsconform sdk: %d fixtures, model %s, %s\n", len(fixtures), m.Version, sdkPlural(len(selected), "SDK"))
	if knownPath != "" {
		note := ""
		if !knownFlag.set {
			note = " (default)"
		}
		fmt.Fprintf(stdout, "known deviations: %s%s, %d entries\n", knownPath, note, len(known))
	}
	var inputs []reports.SDKMatrixInput
	for _, entry := range selected {
		sdk := entry.New(options)
		res, err := sdkconform.ReplaySDK(ctx, sdk, opts)
		if err != nil {
			fmt.Fprintf(stderr, "dmsconform sdk: %s: %v\n", sdk.Info().Name, err)
			return reports.ExitHarnessFail
		}
		run := res.Run
		for _, w := range reports.ApplyKnown(run, known, sdkNow()) {
			fmt.Fprintf(stderr, "dmsconform sdk: warning: %s\n", w)
		}
		runDir := filepath.Join(dir, entry.Name)
		if err := reports.WriteAll(runDir, run, reports.WithSecrets(sdkconform.AccessKeyID, sdkconform.SecretAccessKey)); err != nil {
			fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
			return reports.ExitHarnessFail
		}
		f, b := printSDKSummary(stdout, run, runDir)
		failures += f
		broken += b
		inputs = append(inputs, reports.SDKMatrixInput{Name: entry.Name, Run: run, Report: entry.Name + "/" + reports.FileHTML, Observed: res.Observed, Differences: res.Differences})
	}
	expected := map[string]string{}
	for _, fx := range fixtures {
		expected[fx.CheckID()] = fx.Expect.String()
	}
	matrix := reports.NewSDKMatrix(inputs, expected, time.Now())
	if err := reports.WriteSDKMatrix(dir, matrix, sdkconform.AccessKeyID, sdkconform.SecretAccessKey); err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return reports.ExitHarnessFail
	}
	fmt.Fprintf(stdout, "\nside by side: %s (%s): %d of %d fixtures where the SDKs disagree\n",
		filepath.Join(dir, reports.FileSDKMatrixHTML), filepath.Join(dir, reports.FileSDKMatrixMarkdown), len(matrix.Disagreements()), len(matrix.Rows))
	switch {
	case failures > 0:
		return reports.ExitNonConform
	case broken > 0:
		return reports.ExitHarnessFail
	}
	return reports.ExitOK
}

// sdkFindUp returns rel under the working directory or the nearest parent that has it,
// or "".
func sdkFindUp(rel string) string {
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

func sdkPlural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printSDKSummary prints one SDK's totals and its failing, erroring and skipped
// checks; it returns the failures no known deviation covers and the errors.
func printSDKSummary(w io.Writer, run *reports.Run, dir string) (failures, errs int) {
	t := run.Target
	fmt.Fprintf(w, "\n%s %s (%s): ", t.Kind, t.Version, t.Name)
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

// sdkToolInfo names the harness in SDK reports.
func sdkToolInfo() reports.Tool {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return reports.Tool{Name: "dmsconform", Version: v}
}

func sdkVersionList(vs []sdkconform.VersionSpec) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, ",")
}

// runSDKVersions runs the version matrix (suites/sdk) and maps its result to an exit
// code: 3 when a version could not be set up or run, 1 when a Go version does not type
// faults as the drift test assumes, else 0 (the versions' findings are the page).
func runSDKVersions(ctx context.Context, opts sdkconform.MatrixOptions, dir string, known []reports.KnownDeviation, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "dmsconform sdk --versions: %d fixtures through %s\n", len(opts.Fixtures), sdkVersionList(opts.Versions))
	vm, err := sdkconform.RunVersions(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return reports.ExitHarnessFail
	}
	page, err := vm.Write(dir, opts.Model, opts.Fixtures, known, sdkNow())
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return reports.ExitHarnessFail
	}
	fmt.Fprintf(stdout, "\n%d SDK versions x %d fixtures in %s (scratch: %s)\n", len(vm.Columns), len(page.Rows), vm.Duration.Round(time.Second), vm.WorkDir)
	for _, ch := range page.Changes {
		fmt.Fprintf(stdout, "  changed in %s %s: %s: %s -> %s\n", ch.Series, ch.Version, ch.Fixture, text.Line(ch.Before, 80), text.Line(ch.After, 80))
	}
	fmt.Fprintf(stdout, "the page: %s (%s)\n", filepath.Join(dir, reports.FileSDKMatrixHTML), filepath.Join(dir, reports.FileSDKMatrixMarkdown))
	code := reports.ExitOK
	for _, b := range vm.DriftBroken() {
		fmt.Fprintf(stderr, "dmsconform sdk: the drift test's fault typing does not hold: %s\n", b)
		code = reports.ExitNonConform
	}
	for _, b := range vm.Broken() {
		fmt.Fprintf(stderr, "dmsconform sdk: %s\n", b)
		code = reports.ExitHarnessFail
	}
	return code
}
