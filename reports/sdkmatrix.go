package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dmsconform/dmsconform/internal/text"
)

// The side-by-side page of an SDK run (dmsconform sdk), written next to the
// per-SDK report folders.
const (
	FileSDKMatrixHTML     = "matrix.html"
	FileSDKMatrixMarkdown = "matrix.md"
)

// SDKMatrixInput is one SDK's part of the side-by-side page.
type SDKMatrixInput struct {
	Name     string            // the SDK's short name (go, js, botocore): its report folder
	Run      *Run              // the SDK's run (known deviations applied)
	Report   string            // link to the SDK's report.html, relative to the page
	Observed map[string]string // per check ID: what the SDK decoded, on one line
	// Differences: per failing check ID, how the decoding differs from the
	// expectation (by JSON pointer), on one line.
	Differences map[string]string
	// Series groups the versions of one SDK (the version matrix): columns of a series
	// are given oldest first, and a row records the version at which its outcome or
	// decoding changed. "" = a column of its own.
	Series string
	// Decodings: per check ID, the distinct decodings (compared between versions;
	// Observed when nil).
	Decodings map[string][]string
	// Typing: how the version types faults per operation (nil: not probed).
	Typing *SDKFaultTyping
	// Note: one line about the column (its set-up, what broke).
	Note string
}

// SDKFaultTyping is how one SDK version types the service's errors per operation.
type SDKFaultTyping struct {
	Rule       string // per-operation, service-wide or mixed
	Expected   string // the rule the drift test asserts for this version ("" = none)
	Holds      bool
	Summary    string
	Deviations []string
	ErrorTypes int // error types the SDK has
	Operations []SDKOperationTyping
	// Drift: the drift test run against this version: "pass", "fail: ...", "did not
	// run: ..." ("" = not run).
	Drift string
}

// SDKOperationTyping is the codes one operation returned typed.
type SDKOperationTyping struct {
	Operation string
	Modelled  int // faults the model lists for the operation
	Typed     []string
}

// SDKMatrixChange is a behaviour that changed between two versions of an SDK: the
// fixture's outcome or decoding at Version differs from the previous version's.
type SDKMatrixChange struct {
	Series, Version, Previous string
	ID, Fixture, Operation    string
	Before, After             string // outcome: decoding (or difference), one line each
}

// SDKMatrix is one row per fixture (check) and one column per SDK.
type SDKMatrix struct {
	Generated time.Time
	Tool      Tool
	Model     ModelInfo
	Columns   []SDKMatrixColumn
	Rows      []SDKMatrixRow
	// Changes: every behaviour change between consecutive versions of a series, by
	// series, version and check.
	Changes []SDKMatrixChange
}

// Versions reports whether the page is a version matrix (its columns belong to
// series: versions of an SDK).
func (m *SDKMatrix) Versions() bool {
	for _, c := range m.Columns {
		if c.Series != "" {
			return true
		}
	}
	return false
}

// Typed reports whether some column carries its fault typing.
func (m *SDKMatrix) Typed() bool {
	for _, c := range m.Columns {
		if c.Typing != nil {
			return true
		}
	}
	return false
}

// SDKMatrixColumn describes one SDK of the page.
type SDKMatrixColumn struct {
	Name, Target, Package, Version string
	Report                         string
	Totals                         Totals
	Known                          int    // failures covered by a known deviation
	Skipped                        string // the skip reason when every check was skipped
	Series                         string
	Typing                         *SDKFaultTyping
	Note                           string
}

// Count is the number of the column's checks with outcome o.
func (c SDKMatrixColumn) Count(o string) int { return c.Totals[Outcome(o)] }

// Failures is the number of failures no known deviation covers.
func (c SDKMatrixColumn) Failures() int { return c.Totals[Fail] - c.Known }

// SDKMatrixRow is one fixture across the SDKs.
type SDKMatrixRow struct {
	ID, Operation, Fixture, Area, Level, Title, Requirement string
	Expected                                                string // the fixture's expectation, on one line
	Cells                                                   []SDKMatrixCell
	// Disagree: some SDKs pass and others fail (skips and errors aside).
	Disagree bool
	// AllFail: every SDK that ran fails the fixture.
	AllFail bool
	// Changes: the versions at which the fixture's behaviour changed.
	Changes []SDKMatrixChange
}

// SDKMatrixCell is one SDK's verdict on one fixture.
type SDKMatrixCell struct {
	Outcome  Outcome
	Known    *KnownDeviation
	Observed string // what the SDK decoded (shown for failures)
	Diff     string // how that differs from the expectation (failures)
	Message  string // the check message
	Missing  bool   // the SDK's run has no such check
}

// NewSDKMatrix builds the page from the SDK runs, in the given column order.
// expected maps a check ID to the fixture's expectation (one line).
func NewSDKMatrix(inputs []SDKMatrixInput, expected map[string]string, generated time.Time) *SDKMatrix {
	m := &SDKMatrix{Generated: generated.UTC()}
	rows := map[string]Check{} // the first column's check of each ID, for the row's head
	byCol := make([]map[string]Check, len(inputs))
	for i, in := range inputs {
		col := SDKMatrixColumn{Name: in.Name, Report: in.Report, Series: in.Series, Typing: in.Typing, Note: in.Note}
		byCol[i] = map[string]Check{}
		if r := in.Run; r != nil {
			if m.Model.Version == "" {
				m.Model, m.Tool = r.Model, r.Tool
			}
			sdkColumnOf(&col, r)
			for _, c := range r.Checks {
				byCol[i][c.ID] = c
				if _, ok := rows[c.ID]; !ok {
					rows[c.ID] = c
				}
			}
		}
		m.Columns = append(m.Columns, col)
	}
	for _, id := range slices.Sorted(maps.Keys(rows)) {
		row := sdkMatrixRow(rows[id], expected[id], inputs, byCol)
		m.Changes = append(m.Changes, row.Changes...)
		m.Rows = append(m.Rows, row)
	}
	sort.SliceStable(m.Changes, func(i, j int) bool {
		a, b := m.Changes[i], m.Changes[j]
		if a.Series != b.Series {
			return a.Series < b.Series
		}
		return a.ID < b.ID
	})
	return m
}

// sdkColumnOf fills a column's head from its SDK's run: what was tested, the totals,
// the known failures, and the reason when every check was skipped.
func sdkColumnOf(col *SDKMatrixColumn, r *Run) {
	col.Target, col.Package, col.Version = r.Target.TargetKind, r.Target.Name, r.Target.Version
	col.Totals = ComputeTotals(r.Checks)
	skipReason, allSkipped := "", len(r.Checks) > 0
	for _, c := range r.Checks {
		if c.Outcome == Fail && c.Known != nil {
			col.Known++
		}
		if c.Outcome != Skipped {
			allSkipped = false
		} else if skipReason == "" {
			skipReason = c.Message
		}
	}
	if allSkipped {
		col.Skipped = skipReason
	}
}

// sdkMatrixRow is one fixture's row: its head from c (the check as the first column
// that has it states it), a cell per column, whether the SDKs disagree or all fail,
// and the changes between versions of one SDK.
func sdkMatrixRow(c Check, expected string, inputs []SDKMatrixInput, byCol []map[string]Check) SDKMatrixRow {
	area := ""
	for _, l := range c.Labels {
		if l != "sdk" && l != "wire" {
			area = l
		}
	}
	fixture := c.ID
	if j := strings.LastIndex(c.ID, "."); j >= 0 {
		fixture = c.ID[j+1:]
	}
	row := SDKMatrixRow{ID: c.ID, Operation: c.Operation, Fixture: fixture, Area: area, Level: c.Level,
		Title: c.Title, Requirement: c.Description, Expected: expected}
	passes, fails := 0, 0
	for i, in := range inputs {
		c, ok := byCol[i][row.ID]
		if !ok {
			row.Cells = append(row.Cells, SDKMatrixCell{Missing: true, Outcome: Skipped, Message: "no such check in this SDK's run"})
			continue
		}
		cell := SDKMatrixCell{Outcome: c.Outcome, Known: c.Known, Message: c.Message, Observed: in.Observed[row.ID], Diff: in.Differences[row.ID]}
		if cell.Diff == "" && c.Outcome == Fail {
			cell.Diff = firstSentence(c.Message)
		}
		switch c.Outcome {
		case Pass:
			passes++
		case Fail:
			fails++
		}
		row.Cells = append(row.Cells, cell)
	}
	row.Disagree = passes > 0 && fails > 0
	row.AllFail = fails > 0 && passes == 0 && fails == countRan(row.Cells)
	row.Changes = changes(inputs, byCol, row)
	return row
}

// changes compares each column of a series with the previous one for one row: a
// different outcome (known deviations aside) or different decodings is a change at
// that version. Columns that did not run (skipped, error, absent) are passed over.
func changes(inputs []SDKMatrixInput, byCol []map[string]Check, row SDKMatrixRow) []SDKMatrixChange {
	var out []SDKMatrixChange
	last := map[string]int{} // series -> index of its previous column that ran
	for i, in := range inputs {
		if in.Series == "" || row.Cells[i].Missing {
			continue
		}
		c := byCol[i][row.ID]
		if c.Outcome != Pass && c.Outcome != Fail && c.Outcome != Drift {
			continue
		}
		p, ok := last[in.Series]
		last[in.Series] = i
		if !ok {
			continue
		}
		prev := byCol[p][row.ID]
		if prev.Outcome == c.Outcome && strings.Join(decodings(inputs[p], row.ID), "\n") == strings.Join(decodings(in, row.ID), "\n") {
			continue
		}
		out = append(out, SDKMatrixChange{Series: in.Series, Version: versionOf(in), Previous: versionOf(inputs[p]),
			ID: row.ID, Fixture: row.Fixture, Operation: row.Operation,
			Before: behaviour(prev, inputs[p], row.ID), After: behaviour(c, in, row.ID)})
	}
	return out
}

func decodings(in SDKMatrixInput, id string) []string {
	if d, ok := in.Decodings[id]; ok {
		return d
	}
	return []string{in.Observed[id]}
}

func versionOf(in SDKMatrixInput) string {
	if in.Run != nil && in.Run.Target.Version != "" {
		return in.Run.Target.Version
	}
	return in.Name
}

// behaviour is a cell's outcome and what the SDK decoded, on one line.
func behaviour(c Check, in SDKMatrixInput, id string) string {
	d := strings.Join(decodings(in, id), " | ")
	if c.Outcome == Fail && in.Differences[id] != "" {
		d = in.Differences[id]
	}
	return string(c.Outcome) + ": " + d
}

// ChangesOf returns the changes of one series, in row order.
func (m *SDKMatrix) ChangesOf(series string) []SDKMatrixChange {
	var out []SDKMatrixChange
	for _, c := range m.Changes {
		if c.Series == series {
			out = append(out, c)
		}
	}
	return out
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i]
	}
	return s
}

func countRan(cells []SDKMatrixCell) int {
	n := 0
	for _, c := range cells {
		if c.Outcome == Pass || c.Outcome == Fail {
			n++
		}
	}
	return n
}

// Disagreements returns the rows where the SDKs disagree.
func (m *SDKMatrix) Disagreements() []SDKMatrixRow {
	var out []SDKMatrixRow
	for _, r := range m.Rows {
		if r.Disagree {
			out = append(out, r)
		}
	}
	return out
}

// Redact replaces secrets and account ids in every text of the page.
func (m *SDKMatrix) Redact(r *Redactor) {
	if r == nil {
		return
	}
	for i := range m.Columns {
		m.Columns[i].Skipped = r.String(m.Columns[i].Skipped)
		m.Columns[i].Note = r.String(m.Columns[i].Note)
	}
	for i := range m.Changes {
		m.Changes[i].Before, m.Changes[i].After = r.String(m.Changes[i].Before), r.String(m.Changes[i].After)
	}
	for i := range m.Rows {
		row := &m.Rows[i]
		row.Expected = r.String(row.Expected)
		for j := range row.Changes {
			row.Changes[j].Before, row.Changes[j].After = r.String(row.Changes[j].Before), r.String(row.Changes[j].After)
		}
		for j := range row.Cells {
			c := &row.Cells[j]
			c.Observed, c.Message, c.Diff = r.String(c.Observed), r.String(c.Message), r.String(c.Diff)
			if c.Known != nil {
				k := *c.Known
				k.Reason = r.String(k.Reason)
				c.Known = &k
			}
		}
	}
}

// WriteSDKMatrix writes matrix.html and matrix.md into dir, redacted (secrets as for
// WriteAll).
func WriteSDKMatrix(dir string, m *SDKMatrix, secrets ...string) error {
	if m == nil {
		return fmt.Errorf("write the SDK matrix to %s: no matrix", dir)
	}
	red := NewRedactor(secrets...)
	m.Redact(red)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write the SDK matrix: create folder: %w (pass a writable --out folder)", err)
	}
	for _, w := range []struct {
		name  string
		write func(io.Writer, *SDKMatrix) error
	}{{FileSDKMatrixHTML, WriteSDKMatrixHTML}, {FileSDKMatrixMarkdown, WriteSDKMatrixMarkdown}} {
		var buf bytes.Buffer
		if err := w.write(&buf, m); err != nil {
			return fmt.Errorf("write the SDK matrix: %s: %w", w.name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, w.name), buf.Bytes()); err != nil {
			return fmt.Errorf("write the SDK matrix: %w (pass a writable --out folder)", err)
		}
	}
	return nil
}

// cellLabel is the short verdict of a cell: pass, fail, known, skipped, error ...
func cellLabel(c SDKMatrixCell) string {
	switch {
	case c.Missing:
		return "absent"
	case c.Outcome == Fail && c.Known != nil:
		return "known"
	}
	return string(c.Outcome)
}

func expiry(k *KnownDeviation) string {
	if k == nil || k.Expires.IsZero() {
		return ""
	}
	return k.Expires.UTC().Format(time.DateOnly)
}

// WriteSDKMatrixMarkdown writes the page as Markdown (GitHub flavour): the SDKs with
// their totals, the fixtures where they disagree, then every fixture.
func WriteSDKMatrixMarkdown(w io.Writer, m *SDKMatrix) error {
	var b strings.Builder
	versions := m.Versions()
	if versions {
		b.WriteString("# dmsconform sdk --versions: the fixtures across SDK versions\n\n")
	} else {
		b.WriteString("# dmsconform sdk: the fixtures side by side\n\n")
	}
	fmt.Fprintf(&b, "%d fixtures, model %s, %s. A fixture's expectation follows from the model and the Smithy awsJson 1.1 rules; each SDK's report has the transcripts.\n\n",
		len(m.Rows), mdEscape(orDash(m.Model.Version)), m.Generated.Format("2006-01-02 15:04 MST"))
	b.WriteString("| SDK | version | pass | fail | known | skipped | error | report |\n|---|---|---:|---:|---:|---:|---:|---|\n")
	for _, c := range m.Columns {
		report := "-"
		if c.Report != "" {
			report = fmt.Sprintf("[%s](%s)", c.Report, c.Report)
		}
		fmt.Fprintf(&b, "| %s (`%s`) | %s | %d | %d | %d | %d | %d | %s |\n", mdEscape(c.Target), c.Name, mdEscape(orDash(c.Version)),
			c.Totals[Pass], c.Failures(), c.Known, c.Totals[Skipped], c.Totals[Error], report)
	}
	if versions {
		writeVersionsMarkdown(&b, m)
	}
	for _, c := range m.Columns {
		if c.Skipped != "" {
			fmt.Fprintf(&b, "\n> %s skipped every fixture: %s\n", mdEscape(c.Target), mdEscape(c.Skipped))
		}
	}
	b.WriteString("\nLegend: ✅ pass · ❌ fail (what the SDK decoded) · ⚠️ known deviation (until its expiry; the failure still shows) · ⏭️ skipped · 💥 error (the harness broke).\n")
	dis := m.Disagreements()
	fmt.Fprintf(&b, "\n## Where the SDKs disagree (%d)\n", len(dis))
	if len(dis) == 0 {
		b.WriteString("\nEvery SDK that ran decodes every fixture the same way (pass or fail).\n")
	} else {
		writeSDKMatrixTables(&b, m, dis)
	}
	var allFail []SDKMatrixRow
	for _, r := range m.Rows {
		if r.AllFail && countRan(r.Cells) > 1 {
			allFail = append(allFail, r)
		}
	}
	if len(allFail) > 0 {
		fmt.Fprintf(&b, "\n## Every SDK fails (%d)\n", len(allFail))
		writeSDKMatrixTables(&b, m, allFail)
	}
	fmt.Fprintf(&b, "\n## Every fixture (%d)\n", len(m.Rows))
	writeSDKMatrixTables(&b, m, m.Rows)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSDKMatrixTables writes rows grouped by operation, one table per operation: a
// column per SDK (or SDK version, with where a fixture's outcome changed).
func writeSDKMatrixTables(b *strings.Builder, m *SDKMatrix, rows []SDKMatrixRow) {
	versions := m.Versions()
	header := func() {
		b.WriteString("| fixture | area |")
		for _, c := range m.Columns {
			if versions {
				fmt.Fprintf(b, " `%s` |", c.Name)
			} else {
				fmt.Fprintf(b, " %s |", mdEscape(c.Target))
			}
		}
		if versions {
			b.WriteString(" changed at |")
		}
		b.WriteString("\n|---|---|")
		for range m.Columns {
			b.WriteString("---|")
		}
		if versions {
			b.WriteString("---|")
		}
		b.WriteString("\n")
	}
	for i, r := range rows {
		if i == 0 || rows[i-1].Operation != r.Operation {
			fmt.Fprintf(b, "\n### %s\n\n", mdEscape(orDash(r.Operation)))
			header()
		}
		fmt.Fprintf(b, "| `%s` | %s |", r.Fixture, r.Area)
		for _, c := range r.Cells {
			b.WriteString(" " + mdCell(c) + " |")
		}
		if versions {
			var at []string
			for _, ch := range r.Changes {
				at = append(at, mdEscape(ch.Series+" "+ch.Version))
			}
			b.WriteString(" " + orDash(strings.Join(at, ", ")) + " |")
		}
		b.WriteString("\n")
	}
}

// writeVersionsMarkdown writes the sections of a version matrix: how each version
// types faults, the behaviour changes between versions, and each version's findings.
func writeVersionsMarkdown(b *strings.Builder, m *SDKMatrix) {
	for _, c := range m.Columns {
		if c.Note != "" {
			fmt.Fprintf(b, "\n> `%s`: %s", c.Name, mdEscape(c.Note))
		}
	}
	b.WriteString("\n")
	if m.Typed() {
		b.WriteString("\n## How each version types faults\n\n")
		b.WriteString("A 400 answer with each of the service's error codes, on every operation: does the SDK return its typed error? " +
			"*per-operation*: exactly the faults the model lists for the operation; *service-wide*: every error type of the service on every operation. " +
			"The drift test (`spec/drift_test.go`) says which rule each Go version follows and, run against each version, must pass; a ❌ means it does not hold for that version.\n\n")
		b.WriteString("| SDK | rule | the drift test assumes | the drift test | error types | typed per operation |\n|---|---|---|---|---:|---|\n")
		for _, c := range m.Columns {
			t := c.Typing
			if t == nil {
				fmt.Fprintf(b, "| `%s` | not probed | - | - | - | - |\n", c.Name)
				continue
			}
			exp := "-"
			if t.Expected != "" {
				exp = t.Expected + map[bool]string{true: " ✅", false: " ❌"}[t.Holds]
			}
			var ops []string
			for _, o := range t.Operations {
				ops = append(ops, fmt.Sprintf("%s %d/%d", o.Operation, len(o.Typed), o.Modelled))
			}
			drift := orDash(t.Drift)
			if strings.HasPrefix(drift, "fail") {
				drift = "❌ " + drift
			} else if drift == "pass" {
				drift = "✅ pass"
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %d | %s |\n", c.Name, t.Rule, exp, mdEscape(text.Line(drift, 200)), t.ErrorTypes, mdEscape(strings.Join(ops, ", ")))
		}
		b.WriteString("\n(typed/modelled: codes returned typed on the operation / faults the model lists for it.)\n")
	}
	fmt.Fprintf(b, "\n## Behaviour changes across versions (%d)\n\n", len(m.Changes))
	if len(m.Changes) == 0 {
		b.WriteString("Every version of each SDK decodes every fixture as the version before it.\n")
	} else {
		b.WriteString("The first version of a series that decodes a fixture differently from the version before it (outcome, or what it decoded).\n\n")
		b.WriteString("| SDK | since | fixture | before | after |\n|---|---|---|---|---|\n")
		for _, ch := range m.Changes {
			fmt.Fprintf(b, "| %s | %s (after %s) | `%s` | `%s` | `%s` |\n", mdEscape(ch.Series), mdEscape(ch.Version), mdEscape(ch.Previous), ch.Fixture,
				mdCode(text.Line(ch.Before, 200)), mdCode(text.Line(ch.After, 200)))
		}
	}
	b.WriteString("\n## Findings per version\n\n")
	code := func(names []string) string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = "`" + n + "`"
		}
		return strings.Join(out, ", ")
	}
	for _, f := range m.Findings() {
		fmt.Fprintf(b, "- `%s`: %d pass, %d fail", f.Name, f.Pass, f.Fail)
		if f.NotRun > 0 {
			fmt.Fprintf(b, ", %d not run (%s)", f.NotRun, mdEscape(text.Line(orDash(f.Why), 400)))
		}
		if len(f.New) > 0 {
			fmt.Fprintf(b, "; not in the known deviations: %s", code(f.New))
		}
		if len(f.Known) > 0 {
			fmt.Fprintf(b, "; known: %s", code(f.Known))
		}
		b.WriteString("\n")
	}
}

// SDKColumnFindings is what one column (an SDK version) fails.
type SDKColumnFindings struct {
	Name       string
	Pass, Fail int
	NotRun     int    // skipped or errors
	Why        string // why they did not run
	New, Known []string
}

// Findings lists each column's failing fixtures: those no known deviation covers
// (New) and the known ones.
func (m *SDKMatrix) Findings() []SDKColumnFindings {
	var out []SDKColumnFindings
	for i, c := range m.Columns {
		f := SDKColumnFindings{Name: c.Name, Pass: c.Totals[Pass], Fail: c.Totals[Fail], NotRun: c.Totals[Error] + c.Totals[Skipped], Why: c.Note + c.Skipped}
		for _, r := range m.Rows {
			switch cell := r.Cells[i]; {
			case cell.Outcome != Fail:
			case cell.Known != nil:
				f.Known = append(f.Known, r.Fixture)
			default:
				f.New = append(f.New, r.Fixture)
			}
		}
		out = append(out, f)
	}
	return out
}

func mdCell(c SDKMatrixCell) string {
	switch cellLabel(c) {
	case "pass":
		return "✅"
	case "known":
		return fmt.Sprintf("⚠️ known until %s: `%s`", expiry(c.Known), mdCode(text.Line(c.Diff, 160)))
	case "fail":
		return fmt.Sprintf("❌ `%s`", mdCode(text.Line(c.Diff, 160)))
	case "skipped":
		return "⏭️"
	case "error":
		return "💥 " + mdEscape(text.Line(c.Message, 80))
	case "absent":
		return "–"
	}
	return mdEscape(string(c.Outcome))
}

// mdCode makes s safe inside a one-line code span in a table cell.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "`", "'")
	return strings.ReplaceAll(s, "|", `\|`)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var sdkMatrixTemplate = template.Must(template.New("matrix.html").Funcs(template.FuncMap{
	"label":  cellLabel,
	"expiry": expiry,
	"time":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
	"short":  text.Line,
	"grid": func(m *SDKMatrix, r []SDKMatrixRow) sdkGrid {
		return sdkGrid{Columns: m.Columns, Rows: r, Versions: m.Versions()}
	},
}).Parse(sdkMatrixHTML))

type sdkMatrixView struct {
	*SDKMatrix
	Disagree []SDKMatrixRow
	AllFail  []SDKMatrixRow
}

// WriteSDKMatrixHTML writes the page as one self-contained HTML file (no scripts).
func WriteSDKMatrixHTML(w io.Writer, m *SDKMatrix) error {
	v := sdkMatrixView{SDKMatrix: m, Disagree: m.Disagreements()}
	for _, r := range m.Rows {
		if r.AllFail && countRan(r.Cells) > 1 {
			v.AllFail = append(v.AllFail, r)
		}
	}
	return sdkMatrixTemplate.Execute(w, v)
}

const sdkMatrixHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Versions}}dmsconform sdk --versions: the fixtures across SDK versions{{else}}dmsconform sdk: the fixtures side by side{{end}}</title>
<style>
:root{--pass:#1a7f37;--fail:#cf222e;--known:#9a6700;--skipped:#6e7781;--error:#bc4c00;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
p{margin:4px 0 8px;max-width:1100px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:6px 8px;margin:4px 0 0;white-space:pre-wrap;word-break:break-word;max-height:320px;overflow:auto}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}
thead th{position:sticky;top:0;z-index:1}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.grid td.sdk,.grid th.sdk{width:25%;min-width:220px;max-width:420px}
.grid td.fx{min-width:220px;max-width:340px}
.grid td.fx .op{display:block;color:var(--muted);font-size:12px}
.grid td.fx details summary{color:var(--muted);font-size:12px;cursor:pointer}
.grid tr.disagree td.fx{box-shadow:inset 5px 0 0 #d4a72c}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.b-pass{background:var(--pass)}.b-fail{background:var(--fail)}.b-known{background:#fff;color:var(--known);border:1px solid var(--known)}
.b-skipped{background:var(--skipped)}.b-error{background:var(--error)}.b-absent{background:#fff;color:var(--muted);border:1px solid var(--line)}
td.c-pass{background:#f3fbf5}td.c-fail{background:#fff5f5}td.c-known{background:#fffbeb}td.c-skipped{background:#f6f8fa}td.c-error{background:#fff1e5}
td.sdk details summary{cursor:pointer;color:var(--muted);font-size:12px}
td.sdk .obs{display:block;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-word;margin-top:2px}
.muted{color:var(--muted)}
.legend span{margin-right:14px}
.obs{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-word}
footer{margin-top:32px;color:var(--muted);font-size:12px}
</style>
</head>
<body>
<h1>{{if .Versions}}dmsconform sdk --versions: the fixtures across SDK versions{{else}}dmsconform sdk: the fixtures side by side{{end}}</h1>
<p class="muted">{{len .Rows}} fixtures · model {{or .Model.Version "?"}} · {{.Tool.Name}} {{.Tool.Version}} · {{time .Generated}}</p>
<p>One row per wire fixture, one column per SDK. A fixture's expectation follows from the model and the Smithy awsJson 1.1 rules, never from what one SDK does; a failing cell shows what that SDK decoded. Each SDK's own report has the requests, the responses and the rule.</p>
<table>
<thead><tr><th>SDK</th><th>version</th><th>pass</th><th>fail</th><th>known</th><th>skipped</th><th>error</th><th>report</th></tr></thead>
<tbody>
{{range .Columns}}<tr><td><b>{{.Target}}</b> <code>{{.Name}}</code>{{with .Package}}<br><span class="muted">{{.}}</span>{{end}}</td><td>{{or .Version "-"}}</td><td class="n">{{.Count "pass"}}</td><td class="n">{{.Failures}}</td><td class="n">{{.Known}}</td><td class="n">{{.Count "skipped"}}</td><td class="n">{{.Count "error"}}</td><td>{{if .Report}}<a href="{{.Report}}">{{.Report}}</a>{{else}}-{{end}}</td></tr>
{{if .Skipped}}<tr><td colspan="8" class="muted">skipped: {{.Skipped}}</td></tr>{{end}}{{if .Note}}<tr><td colspan="8" class="muted">{{.Name}}: {{.Note}}</td></tr>{{end}}{{end}}
</tbody>
</table>
<p class="legend"><span><span class="badge b-pass">pass</span> decoded as expected</span><span><span class="badge b-fail">fail</span> decoded otherwise (non-conformance)</span><span><span class="badge b-known">known</span> a known deviation until its expiry (still a failure)</span><span><span class="badge b-skipped">skipped</span> the SDK is not installed here</span><span><span class="badge b-error">error</span> the harness broke</span></p>
{{if .Versions}}{{template "versions" .}}{{end}}
<p>{{if .Versions}}<a href="#changes">Behaviour changes ({{len .Changes}})</a> · {{end}}<a href="#disagree">Where the SDKs disagree ({{len .Disagree}})</a>{{if .AllFail}} · <a href="#allfail">Every SDK fails ({{len .AllFail}})</a>{{end}} · <a href="#all">Every fixture ({{len .Rows}})</a></p>
<h2 id="disagree">Where the SDKs disagree ({{len .Disagree}})</h2>
{{if .Disagree}}{{template "grid" (grid .SDKMatrix .Disagree)}}{{else}}<p>Every SDK that ran decodes every fixture the same way (pass or fail).</p>{{end}}
{{if .AllFail}}<h2 id="allfail">Every SDK fails ({{len .AllFail}})</h2>
{{template "grid" (grid .SDKMatrix .AllFail)}}{{end}}
<h2 id="all">Every fixture ({{len .Rows}})</h2>
{{template "grid" (grid .SDKMatrix .Rows)}}
<footer>Written by dmsconform sdk. The rows marked on the left are fixtures where the SDKs disagree.</footer>
</body>
</html>
{{define "grid"}}<table class="grid">
<thead><tr><th>fixture</th><th>area</th>{{range .Columns}}<th class="sdk">{{if $.Versions}}{{.Name}}{{else}}{{.Target}}{{end}}</th>{{end}}{{if .Versions}}<th>changed at</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr{{if .Disagree}} class="disagree"{{end}}><td class="fx"><code>{{.Fixture}}</code> <span class="badge b-absent">{{.Level}}</span><span class="op">{{.Operation}}</span><details><summary>{{short .Title 90}}</summary><p>{{.Requirement}}</p><p>Expected <code>{{.Expected}}</code></p></details></td><td>{{.Area}}</td>
{{range .Cells}}{{$l := label .}}<td class="sdk c-{{$l}}"><span class="badge b-{{$l}}">{{$l}}</span>{{if eq $l "known"}} <span class="muted">until {{expiry .Known}}</span>{{end}}{{if or (eq $l "fail") (eq $l "known")}}<span class="obs">{{short .Diff 300}}</span><details><summary>{{if eq $l "known"}}reason and {{end}}what it decoded</summary>{{if .Known}}<p>{{.Known.Reason}}</p>{{end}}<pre>{{.Observed}}</pre></details>{{else if eq $l "error"}}<span class="obs">{{short .Message 220}}</span>{{end}}</td>
{{end}}{{if $.Versions}}<td>{{range .Changes}}<div><b>{{.Series}} {{.Version}}</b></div>{{else}}<span class="muted">-</span>{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{end}}
{{define "versions"}}{{if .Typed}}<h2 id="typing">How each version types faults</h2>
<p>A 400 answer with each of the service's error codes, on every operation: does the SDK return its typed error? <i>per-operation</i>: exactly the faults the model lists for the operation; <i>service-wide</i>: every error type of the service on every operation. The drift test (spec/drift_test.go) says which rule each Go version follows and, run against each version, must pass; a ✗ means it does not hold for that version.</p>
<table><thead><tr><th>SDK</th><th>rule</th><th>the drift test assumes</th><th>the drift test</th><th>error types</th><th>typed / modelled per operation</th></tr></thead><tbody>
{{range .Columns}}<tr><td><code>{{.Name}}</code></td>{{with .Typing}}<td>{{.Rule}}{{range .Deviations}}<div class="muted">{{.}}</div>{{end}}</td><td>{{if .Expected}}{{.Expected}} {{if .Holds}}✓{{else}}<b>✗</b>{{end}}{{else}}-{{end}}</td><td>{{or .Drift "-"}}</td><td class="n">{{.ErrorTypes}}</td><td>{{range .Operations}}<div>{{.Operation}} {{len .Typed}}/{{.Modelled}}</div>{{end}}</td>{{else}}<td colspan="5" class="muted">not probed</td>{{end}}</tr>
{{end}}</tbody></table>{{end}}
<h2 id="changes">Behaviour changes across versions ({{len .Changes}})</h2>
{{if .Changes}}<p>The first version of a series that decodes a fixture differently from the version before it (outcome, or what it decoded).</p>
<table><thead><tr><th>SDK</th><th>since</th><th>fixture</th><th>before</th><th>after</th></tr></thead><tbody>
{{range .Changes}}<tr><td>{{.Series}}</td><td><b>{{.Version}}</b> <span class="muted">(after {{.Previous}})</span></td><td><code>{{.Fixture}}</code><span class="muted"> {{.Operation}}</span></td><td><span class="obs">{{short .Before 300}}</span></td><td><span class="obs">{{short .After 300}}</span></td></tr>
{{end}}</tbody></table>{{else}}<p>Every version of each SDK decodes every fixture as the version before it.</p>{{end}}
<h2 id="findings">Findings per version</h2>
<ul>{{range .Findings}}<li><code>{{.Name}}</code>: {{.Pass}} pass, {{.Fail}} fail{{if .NotRun}}, {{.NotRun}} not run ({{short .Why 400}}){{end}}{{if .New}}; <b>not in the known deviations</b>: {{range $i, $f := .New}}{{if $i}}, {{end}}<code>{{$f}}</code>{{end}}{{end}}{{if .Known}}; known: {{range $i, $f := .Known}}{{if $i}}, {{end}}<code>{{$f}}</code>{{end}}{{end}}</li>
{{end}}</ul>{{end}}`

// sdkGrid is what the "grid" template renders: a table of rows.
type sdkGrid struct {
	Columns  []SDKMatrixColumn
	Rows     []SDKMatrixRow
	Versions bool
}
