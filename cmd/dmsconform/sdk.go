package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/dmsconform/dmsconform/runner"
	"github.com/dmsconform/dmsconform/suites/sdk"
)

func init() {
	register("sdk", "replay the wire fixtures to every registered SDK ("+strings.Join(sdkTargets(), ", ")+") and report how each decodes them, side by side", runSDK)
}

func sdkSynopsis() string {
	var opts []string
	for _, o := range sdk.SDKOptions() {
		name, _ := flag.UnquoteUsage(&flag.Flag{Usage: o.Usage})
		opts = append(opts, fmt.Sprintf("[--%s %s]", o.Flag, name))
	}
	return fmt.Sprintf("[--sdk %s|all] [--versions[=SDK@VERSION,...]] [--out DIR] [--known-deviations FILE|none] [--fixtures DIR] %s",
		strings.Join(sdk.SDKNames(), "|"), strings.Join(opts, " "))
}

func sdkTargets() []string {
	out := make([]string, len(sdk.Registry))
	for i, e := range sdk.Registry {
		out[i] = e.Target
	}
	return out
}

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

// given is the flag's value when it was given, else nil.
func (o *optionalString) given() *string {
	if !o.set {
		return nil
	}
	return &o.value
}

// optionalList is a flag that may be given alone (--versions) or with a value
// (--versions=go@v1.64.0,js@latest).
type optionalList struct{ optionalString }

func (o *optionalList) IsBoolFlag() bool { return true }

// runSDK parses the flags of `dmsconform sdk` (runner.SDK does the work).
func runSDK(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sdk", sdkSynopsis(), stderr)
	which := fs.String("sdk", "all", "which SDKs to replay the fixtures to: "+strings.Join(sdk.SDKNames(), ", ")+" (or their aliases), a comma-separated list, or all")
	out := fs.String("out", "", "write the reports to `DIR`/<sdk>/ and the side-by-side page to DIR/matrix.html and DIR/matrix.md (default reports/out/sdk-<UTC timestamp>)")
	var knownFlag optionalString
	fs.Var(&knownFlag, "known-deviations", "YAML or JSON list of known SDK findings `FILE` ({check, target, reason, expires}; target an SDK name such as "+strings.Join(sdkTargets(), ", ")+"). "+
		"Default: "+runner.DefaultSDKKnownDeviations+" when it exists (looked for from the working directory up) and the fixtures are the embedded ones; none (or an empty value) reads no file")
	fixturesDir := fs.String("fixtures", "", "read the fixtures from `DIR` (<Operation>/<case>.json) instead of the embedded fixtures/wire")
	var versions optionalList
	fs.Var(&versions, "versions", "replay the fixtures through several versions of each SDK side by side (the version matrix; make sdk-matrix): "+
		"alone, the default matrix "+sdk.VersionList(sdk.DefaultVersions)+"; or =`SDK@VERSION,...` (a version or latest; botocore is the installed one). "+
		"Each version is built or installed in a scratch folder ($"+sdk.VersionsDirEnv+", default the user cache) and reused; --sdk narrows the list. "+
		"The drift test (spec/drift_test.go) runs against every Go version too. Exit 1 only when the drift test does not hold for a version; the versions' findings are on the page; exit 3 when a version could not be set up")
	optVals := map[string]*string{}
	for _, o := range sdk.SDKOptions() {
		optVals[o.Flag] = fs.String(o.Flag, "", o.Usage)
	}
	fs.Usage = func() { sdkUsage(fs) }
	if code, done := parseFlags(fs, args); done {
		return code
	}
	options := map[string]string{}
	for k, v := range optVals {
		options[k] = *v
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := runner.SDK(ctx, runner.SDKOptions{Which: *which, Versions: versions.given(), Out: *out, KnownDeviations: knownFlag.given(),
		Fixtures: *fixturesDir, SDKOpts: options, Stdout: stdout, Stderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return runner.ExitCodeOf(err)
	}
	return res.ExitCode
}

func sdkUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, "Usage: dmsconform sdk %s\n\n", sdkSynopsis())
	fmt.Fprintln(w, "Replays the wire fixtures (fixtures/wire, see fixtures/README.md) to each SDK through its adapter, compares each")
	fmt.Fprintln(w, "decoding with the fixture's expectation and writes one report per SDK plus a side-by-side page.")
	fmt.Fprintln(w, "\nSDKs (--sdk):")
	for _, e := range sdk.Registry {
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
