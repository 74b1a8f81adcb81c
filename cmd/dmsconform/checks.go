package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/conformance"
)

func init() {
	register("checks", "print the catalog of conformance checks", runChecks)
}

func runChecks(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("checks", "[--format text|json|markdown] [--label-filter LABEL]", stderr)
	format := fs.String("format", "text", "output `format`: text, json or markdown (markdown is suites/CHECKS.md)")
	label := fs.String("label", "", "only checks carrying this `label` (shape, union, enum, fault, lifecycle, input, sdk, wire)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fams := all.Families
	if *label != "" {
		var filtered []conformance.Family
		for _, f := range fams {
			g := conformance.Family{Name: f.Name, Operation: f.Operation}
			for _, c := range f.Checks {
				for _, l := range c.Labels {
					if l == *label {
						g.Checks = append(g.Checks, c)
						break
					}
				}
			}
			filtered = append(filtered, g)
		}
		fams = filtered
	}
	switch *format {
	case "text":
		n := 0
		for _, f := range fams {
			fmt.Fprintf(stdout, "%s family (%s): %d checks\n", f.Name, f.Operation, len(f.Checks))
			for _, c := range f.Checks {
				fmt.Fprintf(stdout, "  %-6s %-80s [%s]\n         %s\n", c.Level, c.ID, strings.Join(c.Labels, ","), c.Description)
			}
			n += len(f.Checks)
		}
		fmt.Fprintf(stdout, "%d checks\n", n)
	case "json":
		var checks []conformance.Check
		for _, f := range fams {
			checks = append(checks, f.Checks...)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"modelVersion": all.ModelVersion, "modelSha256": all.ModelSHA256, "checks": checks}); err != nil {
			fmt.Fprintf(stderr, "dmsconform checks: %v\n", err)
			return exitHarnessFail
		}
	case "markdown":
		fmt.Fprint(stdout, conformance.CatalogMarkdown(spec.DocumentName, all.ModelVersion, all.ModelSHA256[:16], fams))
	default:
		fmt.Fprintf(stderr, "dmsconform checks: unknown --format %q: pass text, json or markdown\n", *format)
		return exitUsage
	}
	return exitOK
}
