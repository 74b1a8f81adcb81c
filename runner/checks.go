package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dmsconform/dmsconform/reports"
	"github.com/dmsconform/dmsconform/spec"
	"github.com/dmsconform/dmsconform/suites/all"
	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/suites/sdk"
)

// WriteChecks prints the catalog of every check, as text, JSON or Markdown (the
// Markdown is suites/CHECKS.md): the families' checks a Ginkgo label filter selects
// (all without one), and without a filter the SDK fixture checks too.
func WriteChecks(w io.Writer, format, filter string) error {
	fams := all.Families
	var sdkChecks []reports.CheckInfo
	if filter != "" {
		selected, err := engine.Select(all.Families, filter)
		if err != nil {
			return &UsageError{Err: err}
		}
		fams = groupFamilies(selected)
	} else {
		fixtures, err := sdk.LoadDefault()
		if err != nil {
			return &HarnessError{Err: fmt.Errorf("the SDK fixtures: %w", err)}
		}
		for _, fx := range fixtures {
			sdkChecks = append(sdkChecks, fx.Info())
		}
	}
	switch format {
	case "text":
		n := 0
		for _, f := range fams {
			fmt.Fprintf(w, "%s family (%s): %d checks\n", f.Name, f.Operation, len(f.Checks))
			for _, c := range f.Checks {
				fmt.Fprintf(w, "  %-6s %-80s [%s]\n         %s\n         needs: %s\n         source: %s\n", c.Level, c.ID, strings.Join(c.Labels, ","), c.Description, strings.Join(c.Kind.Needs().Words(), ", "), c.Source)
			}
			n += len(f.Checks)
		}
		if len(sdkChecks) > 0 {
			fmt.Fprintf(w, "SDK fixture checks (dmsconform sdk): %d per SDK\n", len(sdkChecks))
			for _, c := range sdkChecks {
				fmt.Fprintf(w, "  %-6s %-80s [%s]\n         %s\n", c.Level, c.ID, strings.Join(c.Labels, ","), c.Description)
			}
			n += len(sdkChecks)
		}
		fmt.Fprintf(w, "%d checks\n", n)
	case "json":
		var checks []reports.CheckInfo
		for _, f := range fams {
			for _, c := range f.Checks {
				checks = append(checks, c.CheckInfo)
			}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"modelVersion": all.ModelVersion, "modelSha256": all.ModelSHA256, "checks": checks, "sdkChecks": sdkChecks}); err != nil {
			return &HarnessError{Err: err}
		}
	case "markdown":
		fmt.Fprint(w, engine.CatalogMarkdown(spec.DocumentName, all.ModelVersion, all.ModelSHA256[:16], fams, sdkChecks))
	default:
		return &UsageError{Err: fmt.Errorf("unknown --format %q: pass text, json or markdown", format)}
	}
	return nil
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
