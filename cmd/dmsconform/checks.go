package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	sdkconform "github.com/dmsconform/dmsconform/suites/sdk"
)

func init() {
	register("checks", "print the catalog of every check (the families' and the SDK fixture checks)", runChecks)
}

func runChecks(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("checks", "[--format text|json|markdown] [--label-filter EXPR]", stderr)
	format := fs.String("format", "text", "output `format`: text, json or markdown (markdown is suites/CHECKS.md)")
	filter := fs.String("label-filter", "", "only the family checks a Ginkgo label `expression` selects, as dmsconform run --label-filter does (SDK fixture checks are listed without a filter)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fams := all.Families
	var sdkChecks []reports.CheckInfo
	if *filter != "" {
		selected, err := engine.Select(all.Families, *filter)
		if err != nil {
			fmt.Fprintf(stderr, "dmsconform checks: %v\n", err)
			return reports.ExitUsage
		}
		fams = groupFamilies(selected)
	} else {
		fixtures, err := sdkconform.LoadDefault()
		if err != nil {
			fmt.Fprintf(stderr, "dmsconform checks: the SDK fixtures: %v\n", err)
			return reports.ExitHarnessFail
		}
		for _, fx := range fixtures {
			sdkChecks = append(sdkChecks, fx.Info())
		}
	}
	switch *format {
	case "text":
		n := 0
		for _, f := range fams {
			fmt.Fprintf(stdout, "%s family (%s): %d checks\n", f.Name, f.Operation, len(f.Checks))
			for _, c := range f.Checks {
				fmt.Fprintf(stdout, "  %-6s %-80s [%s]\n         %s\n         needs: %s\n         source: %s\n", c.Level, c.ID, strings.Join(c.Labels, ","), c.Description, strings.Join(c.Kind.Needs().Words(), ", "), c.Source)
			}
			n += len(f.Checks)
		}
		if len(sdkChecks) > 0 {
			fmt.Fprintf(stdout, "SDK fixture checks (dmsconform sdk): %d per SDK\n", len(sdkChecks))
			for _, c := range sdkChecks {
				fmt.Fprintf(stdout, "  %-6s %-80s [%s]\n         %s\n", c.Level, c.ID, strings.Join(c.Labels, ","), c.Description)
			}
			n += len(sdkChecks)
		}
		fmt.Fprintf(stdout, "%d checks\n", n)
	case "json":
		var checks []reports.CheckInfo
		for _, f := range fams {
			for _, c := range f.Checks {
				checks = append(checks, c.CheckInfo)
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"modelVersion": all.ModelVersion, "modelSha256": all.ModelSHA256, "checks": checks, "sdkChecks": sdkChecks}); err != nil {
			fmt.Fprintf(stderr, "dmsconform checks: %v\n", err)
			return reports.ExitHarnessFail
		}
	case "markdown":
		fmt.Fprint(stdout, engine.CatalogMarkdown(spec.DocumentName, all.ModelVersion, all.ModelSHA256[:16], fams, sdkChecks))
	default:
		fmt.Fprintf(stderr, "dmsconform checks: unknown --format %q: pass text, json or markdown\n", *format)
		return reports.ExitUsage
	}
	return reports.ExitOK
}

// groupFamilies regroups selected checks by family, in catalog order.
func groupFamilies(checks []engine.Check) []engine.Family {
	var out []engine.Family
	for _, f := range all.Families {
		g := engine.Family{Name: f.Name, Operation: f.Operation}
		for _, c := range checks {
			if c.Family == f.Name {
				g.Checks = append(g.Checks, c)
			}
		}
		if len(g.Checks) > 0 {
			out = append(out, g)
		}
	}
	return out
}
