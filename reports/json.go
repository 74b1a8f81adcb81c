package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// EncodeJSON writes run as indented JSON (HTML characters not escaped, so transcripts
// stay readable). It does not finalize or redact: WriteAll does both.
func EncodeJSON(w io.Writer, run *Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("encode report.json: %w", err)
	}
	return nil
}

// ReadJSON reads a report.json written by WriteAll. It refuses a file without the
// expected schemaVersion, saying which version it found and which it reads.
func ReadJSON(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read report: %s does not exist: pass the report.json a dmsconform run wrote (by default under reports/out/)", path)
		}
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	return DecodeJSON(path, data)
}

// DecodeJSON decodes report.json bytes; name is used in error messages.
func DecodeJSON(name string, data []byte) (*Run, error) {
	var probe struct {
		SchemaVersion *string `json:"schemaVersion"`
		Tool          Tool    `json:"tool"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("read report %s: not valid JSON (%v): pass a report.json written by dmsconform", name, err)
	}
	if probe.SchemaVersion == nil || *probe.SchemaVersion == "" {
		return nil, fmt.Errorf("read report %s: no schemaVersion field, so this is not a dmsconform report.json (expected schemaVersion %q): pass the report.json from a dmsconform output folder", name, SchemaVersion)
	}
	if got := *probe.SchemaVersion; got != SchemaVersion {
		by := ""
		if probe.Tool.Version != "" {
			by = fmt.Sprintf(" (written by %s %s)", probe.Tool.Name, probe.Tool.Version)
		}
		return nil, fmt.Errorf("read report %s: schemaVersion %q%s is not the %q this dmsconform reads: re-run the suites with this dmsconform to get a comparable report, or read the file with the dmsconform release that wrote it", name, got, by, SchemaVersion)
	}
	var run Run
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&run); err != nil {
		return nil, fmt.Errorf("read report %s: %w (the file has schemaVersion %q but does not match it; was it edited by hand?)", name, err, SchemaVersion)
	}
	if run.Totals == nil {
		run.Totals = ComputeTotals(run.Checks)
	}
	return &run, nil
}
