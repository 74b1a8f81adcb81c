package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// ReferenceSchemaVersion identifies a reference report (reference.json).
const ReferenceSchemaVersion = "dmsconform.reference/v1"

// Reference is what a committed reference report (fixtures/reports/) keeps of a run:
// what the tests compare (each check's outcome and cause, the causes, the verdict),
// what a page of several references shows (a failing, drifting or broken check's
// message), and nothing that changes from one run to the next (durations, ports,
// dates, exchanges). WriteReference puts one check on one line, so a new check
// changes a few lines of it.
type Reference struct {
	SchemaVersion string           `json:"schemaVersion"`
	Label         string           `json:"label"`
	Target        Target           `json:"target"` // kind, region, project: no endpoint (its port changes)
	Model         string           `json:"model"`  // the model version
	Status        string           `json:"status"` // PASS, PARTIAL, FAIL or ERROR
	Totals        Totals           `json:"totals"`
	Causes        []ReferenceCause `json:"causes"`
	Checks        []ReferenceCheck `json:"checks"`
}

// ReferenceCause is one cause of a reference: its ID, what it made of the checks it
// decided, and how many.
type ReferenceCause struct {
	ID      string  `json:"id"`
	Outcome Outcome `json:"outcome"`
	Checks  int     `json:"checks"`
}

// ReferenceCheck is one check of a reference.
type ReferenceCheck struct {
	ID      string  `json:"id"`
	Level   string  `json:"level"`
	Outcome Outcome `json:"outcome"`
	Cause   string  `json:"cause,omitempty"`
	// Message is kept for a fail, a drift or an error (what a page of references
	// shows); it is not compared.
	Message string `json:"message,omitempty"`
}

// NewReference keeps of run what a reference keeps, under label.
func NewReference(label string, run *Run) *Reference {
	Finalize(run)
	status, _ := VerdictStatus(run)
	r := &Reference{SchemaVersion: ReferenceSchemaVersion, Label: label, Model: run.Model.Version, Status: status,
		Target: Target{TargetKind: run.Target.TargetKind, Region: run.Target.Region, Project: run.Target.Project},
		Totals: ComputeTotals(run.Checks), Causes: []ReferenceCause{}, Checks: []ReferenceCheck{}}
	for _, c := range run.Causes {
		r.Causes = append(r.Causes, ReferenceCause{ID: c.ID, Outcome: c.Outcome, Checks: c.Checks})
	}
	sort.Slice(r.Causes, func(i, j int) bool { return r.Causes[i].ID < r.Causes[j].ID })
	for _, c := range run.Checks {
		rc := ReferenceCheck{ID: c.ID, Level: c.Level, Outcome: c.Outcome, Cause: c.Cause}
		if c.Outcome == Fail || c.Outcome == Drift || c.Outcome == Error {
			rc.Message = OneLine(c.Message, 200)
		}
		r.Checks = append(r.Checks, rc)
	}
	sort.Slice(r.Checks, func(i, j int) bool { return r.Checks[i].ID < r.Checks[j].ID })
	return r
}

// Run is the reference as a run (its checks' outcomes, causes and messages), for a
// page of several references side by side (NewMerge).
func (r *Reference) Run() *Run {
	run := &Run{SchemaVersion: SchemaVersion, Mode: ModeTarget, Target: r.Target, Model: ModelInfo{Version: r.Model}}
	for _, c := range r.Causes {
		run.Causes = append(run.Causes, Cause{ID: c.ID, Outcome: c.Outcome, Checks: c.Checks})
	}
	for _, c := range r.Checks {
		run.Checks = append(run.Checks, Check{CheckInfo: CheckInfo{ID: c.ID, Level: c.Level}, Outcome: c.Outcome, Cause: c.Cause, Message: c.Message})
	}
	Finalize(run)
	return run
}

// Differences lists how run differs from the reference in what a reference compares:
// the verdict, the causes, and each check's outcome and cause (a check only one of
// them has included). None: the run says what the reference says.
func (r *Reference) Differences(run *Run) []string {
	now := NewReference(r.Label, run)
	var out []string
	if now.Status != r.Status {
		out = append(out, fmt.Sprintf("verdict %s, the reference says %s", now.Status, r.Status))
	}
	causeID := func(c ReferenceCause) string { return c.ID }
	was, is := byID(r.Causes, causeID), byID(now.Causes, causeID)
	for _, c := range now.Causes {
		if w, ok := was[c.ID]; !ok || w.Outcome != c.Outcome {
			out = append(out, fmt.Sprintf("cause %s (%s): the reference has %s", c.ID, c.Outcome, orNone(w.Outcome)))
		}
	}
	for _, c := range r.Causes {
		if _, ok := is[c.ID]; !ok {
			out = append(out, fmt.Sprintf("cause %s (%s) of the reference is gone", c.ID, c.Outcome))
		}
	}
	checkID := func(c ReferenceCheck) string { return c.ID }
	wasC, isC := byID(r.Checks, checkID), byID(now.Checks, checkID)
	for _, c := range now.Checks {
		w, ok := wasC[c.ID]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: %s, a check the reference does not have", c.ID, c.Outcome))
		case w.Outcome != c.Outcome || w.Cause != c.Cause:
			out = append(out, fmt.Sprintf("%s: %s, the reference says %s", c.ID, outcomeWithCause(c), outcomeWithCause(w)))
		}
	}
	for _, c := range r.Checks {
		if _, ok := isC[c.ID]; !ok {
			out = append(out, fmt.Sprintf("%s: %s in the reference, a check the run does not have", c.ID, c.Outcome))
		}
	}
	return out
}

// byID indexes xs by their ID.
func byID[T any](xs []T, id func(T) string) map[string]T {
	m := make(map[string]T, len(xs))
	for _, x := range xs {
		m[id(x)] = x
	}
	return m
}

func orNone(o Outcome) string {
	if o == "" {
		return "no such cause"
	}
	return string(o)
}

func outcomeWithCause(c ReferenceCheck) string {
	if c.Cause != "" {
		return string(c.Outcome) + " (cause " + c.Cause + ")"
	}
	return string(c.Outcome)
}

// compactJSON is v as one line of JSON, with <, > and & as they are (a message
// quoting an HTML page stays readable).
func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// EncodeReference renders a reference as JSON with one cause and one check per line.
func EncodeReference(r *Reference) ([]byte, error) {
	var b bytes.Buffer
	field := func(name string, v any, last bool) error {
		data, err := compactJSON(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "  %q: %s", name, data)
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	list := func(name string, n int, item func(i int) any, last bool) error {
		fmt.Fprintf(&b, "  %q: [", name)
		for i := 0; i < n; i++ {
			data, err := compactJSON(item(i))
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    ")
			b.Write(data)
		}
		if n > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("]")
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	b.WriteString("{\n")
	for _, f := range []struct {
		name string
		v    any
	}{{"schemaVersion", r.SchemaVersion}, {"label", r.Label}, {"target", r.Target}, {"model", r.Model}, {"status", r.Status}, {"totals", r.Totals}} {
		if err := field(f.name, f.v, false); err != nil {
			return nil, err
		}
	}
	if err := list("causes", len(r.Causes), func(i int) any { return r.Causes[i] }, false); err != nil {
		return nil, err
	}
	if err := list("checks", len(r.Checks), func(i int) any { return r.Checks[i] }, true); err != nil {
		return nil, err
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// WriteReference writes a reference to path (EncodeReference's layout).
func WriteReference(path string, r *Reference) error {
	data, err := EncodeReference(r)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// ReadReference reads a reference.json.
func ReadReference(path string) (*Reference, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Reference
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.SchemaVersion != ReferenceSchemaVersion {
		return nil, fmt.Errorf("%s: schema %q, want %s (make reference-reports rewrites it)", path, r.SchemaVersion, ReferenceSchemaVersion)
	}
	return &r, nil
}

// FileReference is a reference report's file name.
const FileReference = "reference.json"
