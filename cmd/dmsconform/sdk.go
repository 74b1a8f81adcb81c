package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	sdkconform "github.com/dmsconform/dmsconform/suites/sdk"
)

func init() {
	register("sdk", "replay the wire fixtures to aws-sdk-go-v2 and aws-sdk-js-v3 and report how each SDK decodes them", runSDK)
}

const sdkSynopsis = "[--sdk go|js|all] [--out DIR] [--known-deviations FILE] [--fixtures DIR] [--js-adapter DIR] [--node PATH]"

// sdkNow is the clock for known-deviation expiry (tests replace it).
var sdkNow = time.Now

// runSDK replays every fixture of fixtures/wire through the selected SDKs and writes
// one report per SDK into <out>/<go|js>/. Exit 1 when a check fails that no known
// deviation covers, 3 when the harness broke (a check is an error, or the setup
// failed), 2 for usage errors; a skipped SDK (no Node.js) is not a failure.
func runSDK(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sdk", sdkSynopsis, stderr)
	which := fs.String("sdk", "all", "which SDK to replay the fixtures to: go (aws-sdk-go-v2), js (aws-sdk-js-v3) or all")
	out := fs.String("out", "", "write the reports to `DIR`/<go|js>/ (default reports/out/sdk-<UTC timestamp>)")
	knownPath := fs.String("known-deviations", "", "YAML or JSON list of known SDK findings `FILE` ({check, target, reason, expires}; target aws-sdk-go-v2 or aws-sdk-js-v3), e.g. fixtures/known-deviations.sdk.yaml")
	fixturesDir := fs.String("fixtures", "", "read the fixtures from `DIR` (<Operation>/<case>.json) instead of the embedded fixtures/wire")
	jsDir := fs.String("js-adapter", "", "the Node adapter folder `DIR` (default: suites/sdk/js found from the working directory, or $"+sdkconform.AdapterEnv+")")
	node := fs.String("node", "", "the node executable `PATH` (default: node on PATH)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	var selected []string
	switch *which {
	case "go", "js":
		selected = []string{*which}
	case "all":
		selected = []string{"go", "js"}
	default:
		fmt.Fprintf(stderr, "dmsconform sdk: --sdk %q: use go, js or all\n", *which)
		return exitUsage
	}

	m, err := spec.Load()
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return exitHarnessFail
	}
	var fixtures []*sdkconform.Fixture
	if *fixturesDir != "" {
		fixtures, err = sdkconform.LoadFS(os.DirFS(*fixturesDir), ".")
	} else {
		fixtures, err = sdkconform.LoadDefault()
	}
	if err != nil {
		fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
		return exitUsage
	}
	if errs := sdkconform.Validate(m, fixtures); len(errs) > 0 {
		fmt.Fprintf(stderr, "dmsconform sdk: %d problem(s) in the fixtures (see fixtures/README.md):\n", len(errs))
		for _, e := range errs {
			fmt.Fprintf(stderr, "- %v\n", e)
		}
		return exitUsage
	}
	var known []reports.KnownDeviation
	if *knownPath != "" {
		if known, err = reports.LoadKnownDeviations(*knownPath); err != nil {
			fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
			return exitUsage
		}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("reports", "out", "sdk-"+time.Now().UTC().Format("20060102T150405Z"))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := sdkconform.Options{Model: m, Fixtures: fixtures, Tool: sdkToolInfo()}
	failures, broken := 0, 0
	fmt.Fprintf(stdout, "dmsconform sdk: %d fixtures, model %s\n", len(fixtures), m.Version)
	for _, name := range selected {
		var sdk sdkconform.SDK = sdkconform.GoSDK{}
		if name == "js" {
			sdk = sdkconform.NewJSSDK(*jsDir, *node)
		}
		run, err := sdkconform.Replay(ctx, sdk, opts)
		if err != nil {
			fmt.Fprintf(stderr, "dmsconform sdk: %s: %v\n", sdk.Info().Name, err)
			return exitHarnessFail
		}
		for _, w := range reports.ApplyKnown(run, known, sdkNow()) {
			fmt.Fprintf(stderr, "dmsconform sdk: warning: %s\n", w)
		}
		runDir := filepath.Join(dir, name)
		if err := reports.WriteAll(runDir, run, reports.WithSecrets(sdkconform.AccessKeyID, sdkconform.SecretAccessKey)); err != nil {
			fmt.Fprintf(stderr, "dmsconform sdk: %v\n", err)
			return exitHarnessFail
		}
		f, b := printSDKSummary(stdout, run, runDir)
		failures += f
		broken += b
	}
	switch {
	case failures > 0:
		return exitNonConform
	case broken > 0:
		return exitHarnessFail
	}
	return exitOK
}

// printSDKSummary prints one SDK's totals and its failing, erroring and skipped
// checks; it returns the failures no known deviation covers and the errors.
func printSDKSummary(w io.Writer, run *reports.Run, dir string) (failures, errs int) {
	t := run.Target
	fmt.Fprintf(w, "\n%s %s (%s): ", t.Kind, t.Version, t.Name)
	var parts []string
	for _, o := range reports.Outcomes {
		if n := run.Totals[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
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
			fmt.Fprintf(w, "  FAIL  %s: %s\n", c.ID, sdkOneLine(c.Message, 240))
		case c.Outcome == reports.Error:
			errs++
			fmt.Fprintf(w, "  ERROR %s: %s\n", c.ID, sdkOneLine(c.Message, 240))
		case c.Outcome == reports.Skipped && c.Message != skipReason:
			skipReason = c.Message
			fmt.Fprintf(w, "  skipped: %s\n", c.Message)
		}
	}
	return failures, errs
}

func sdkOneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// sdkToolInfo names the harness in SDK reports.
func sdkToolInfo() reports.Tool {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return reports.Tool{Name: "dmsconform", Version: v}
}
