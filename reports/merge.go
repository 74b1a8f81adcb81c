package reports

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// MergeSchemaVersion identifies the report.json of a merge (dmsconform merge).
const MergeSchemaVersion = "dmsconform.merge/v1"

// Merge is several runs side by side: the same checks, one column per run (an
// account and region, an emulator, an SDK). Rows whose outcomes differ between the
// columns come first. It is what `dmsconform merge` writes: report.json (this
// struct), report.html, summary.md and junit.xml.
type Merge struct {
	SchemaVersion string        `json:"schemaVersion"`
	Tool          Tool          `json:"tool"`
	Columns       []MergeColumn `json:"columns"`
	// Checks is one row per check ID of any column: rows that differ first (the most
	// severe first), then the rest by ID.
	Checks []MergeRow `json:"checks"`
	// Differing counts the rows whose outcomes differ between the columns.
	Differing int `json:"differing"`
	// Status is the worst column's verdict (FAIL, ERROR, PARTIAL, PASS); ExitCode the
	// worst column's exit code by run's rules (see WorstExitCode).
	Status   string   `json:"status"`
	ExitCode int      `json:"exitCode"`
	Warnings []string `json:"warnings,omitempty"`
	// Stable leaves out of the pages what changes from one run to the next (API calls,
	// durations, start times), for a page committed to a repository.
	Stable bool `json:"stable,omitempty"`

	runs []*Run // the runs, in column order (for junit.xml)
}

// MergeColumn is one run of a merge.
type MergeColumn struct {
	Label string `json:"label"`
	// Short is the label without what every column's label starts with (a header
	// where many columns look alike); the label when nothing is shared.
	Short  string `json:"short,omitempty"`
	Source string `json:"source,omitempty"` // the folder the report was read from
	// Report is the run's own report.html relative to the merge's folder ("" when
	// unknown).
	Report      string        `json:"report,omitempty"`
	Mode        string        `json:"kind"` // the run's mode (Run.Mode)
	Target      Target        `json:"target"`
	Model       ModelInfo     `json:"model"`
	ToolVersion string        `json:"toolVersion,omitempty"`
	Started     time.Time     `json:"started"`
	Duration    time.Duration `json:"durationNs"`
	Calls       int64         `json:"calls,omitempty"` // API calls, retries included
	Starts      int           `json:"starts,omitempty"`
	LabelFilter string        `json:"labelFilter,omitempty"`
	Interrupted bool          `json:"interrupted,omitempty"`
	Status      string        `json:"status"`
	Verdict     string        `json:"verdict"`
	ExitCode    int           `json:"exitCode"`
	Totals      Totals        `json:"totals"`
	// Baseline is the run's classification against its own baseline, when it had one
	// (a nightly cell compared with the night before).
	Baseline map[Class]int `json:"baseline,omitempty"`
}

// MergeRow is one check across the columns.
type MergeRow struct {
	ID        string      `json:"id"`
	Title     string      `json:"title,omitempty"`
	Level     string      `json:"level,omitempty"`
	Operation string      `json:"operation,omitempty"`
	Labels    []string    `json:"labels,omitempty"`
	Differs   bool        `json:"differs"`
	Cells     []MergeCell `json:"cells"` // one per column, in column order
}

// MergeCell is one column's result of one check; Outcome "" when that run did not
// have the check (another label filter, another model).
type MergeCell struct {
	Outcome Outcome `json:"outcome,omitempty"`
	Message string  `json:"message,omitempty"` // one line
	Cause   string  `json:"cause,omitempty"`
	Known   bool    `json:"known,omitempty"` // a failure a known deviation covers
	Class   Class   `json:"class,omitempty"` // against the column's baseline, when not unchanged
}

// MergeInput is one run to merge: its report, the label its column gets ("" for the
// target's own), the folder it came from and the link to its report.html.
type MergeInput struct {
	Run    *Run
	Label  string
	Source string
	Report string
}

// statusRank orders verdict statuses from best to worst.
var statusRank = map[string]int{"PASS": 0, "PARTIAL": 1, "ERROR": 2, "FAIL": 3}

// NewMerge puts runs side by side, in the given order. A column is labelled by its
// input's Label, else by its target (TargetLabel); two columns that would look alike
// get the name of the folder they came from (or a number) added, and a warning says
// to name them with a label.
func NewMerge(inputs []MergeInput, tool Tool) *Merge {
	m := &Merge{SchemaVersion: MergeSchemaVersion, Tool: tool, Status: "PASS", Columns: []MergeColumn{}, Checks: []MergeRow{}}
	for _, in := range inputs {
		Finalize(in.Run)
		m.runs = append(m.runs, in.Run)
		col := MergeColumn{Label: strings.TrimSpace(in.Label), Source: in.Source, Report: in.Report, Mode: in.Run.Mode,
			Target: in.Run.Target, Model: in.Run.Model, ToolVersion: in.Run.Tool.Version, Started: in.Run.Started,
			Duration: in.Run.Duration, Calls: callsOf(in.Run), Starts: in.Run.Starts, LabelFilter: in.Run.LabelFilter,
			Interrupted: in.Run.Interrupted, ExitCode: ExitCode(in.Run), Totals: ComputeTotals(in.Run.Checks)}
		col.Status, col.Verdict = VerdictStatus(in.Run)
		if col.Label == "" {
			col.Label = TargetLabel(in.Run.Target)
		}
		if b := in.Run.Baseline; b != nil {
			col.Baseline = map[Class]int{}
			for c, n := range b.Counts {
				if n > 0 && c != Unchanged {
					col.Baseline[c] = n
				}
			}
		}
		m.Columns = append(m.Columns, col)
		if statusRank[col.Status] > statusRank[m.Status] {
			m.Status = col.Status
		}
		m.ExitCode = WorstExitCode(m.ExitCode, col.ExitCode)
	}
	m.Warnings = disambiguate(m.Columns)
	shortLabels(m.Columns)
	for i := 1; i < len(m.Columns); i++ {
		if a, b := m.Columns[0].Model.SHA256, m.Columns[i].Model.SHA256; a != "" && b != "" && a != b {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s and %s were judged with different models (sha256 %.12s, %.12s): a check only one of them has shows as absent in the other", m.Columns[0].Label, m.Columns[i].Label, a, b))
			break
		}
	}
	m.Checks = mergeRows(inputs)
	for _, r := range m.Checks {
		if r.Differs {
			m.Differing++
		}
	}
	return m
}

func callsOf(run *Run) int64 {
	var n int64
	for _, c := range run.Calls {
		n += int64(c)
	}
	if n == 0 {
		n = run.ExchangeCount
	}
	return n
}

// disambiguate makes every column label unique: a repeated label gets the base name
// of its source folder, and if that does not tell them apart, its column number.
func disambiguate(cols []MergeColumn) []string {
	var warnings []string
	count := map[string]int{}
	for _, c := range cols {
		count[c.Label]++
	}
	for label, n := range count {
		if n < 2 {
			continue
		}
		warnings = append(warnings, fmt.Sprintf("%d reports are of targets that look alike (%s): their columns are told apart by their folders; name them with --label", n, label))
		for i := range cols {
			if cols[i].Label == label && cols[i].Source != "" {
				cols[i].Label += " (" + filepath.Base(filepath.Clean(cols[i].Source)) + ")"
			}
		}
	}
	seen := map[string]int{}
	for i := range cols {
		seen[cols[i].Label]++
		if k := seen[cols[i].Label]; k > 1 {
			cols[i].Label = fmt.Sprintf("%s #%d", cols[i].Label, k)
		}
	}
	sort.Strings(warnings)
	return warnings
}

// shortLabels sets each column's Short: its label less the words every label starts
// with (kept whole when that would leave a column without a name).
func shortLabels(cols []MergeColumn) {
	if len(cols) < 2 {
		for i := range cols {
			cols[i].Short = cols[i].Label
		}
		return
	}
	prefix := cols[0].Label
	for _, c := range cols[1:] {
		for !strings.HasPrefix(c.Label, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if i := strings.LastIndexByte(prefix, ' '); i >= 0 {
		prefix = prefix[:i+1]
	} else {
		prefix = ""
	}
	for i := range cols {
		cols[i].Short = cols[i].Label
		if rest := strings.TrimPrefix(cols[i].Label, prefix); strings.TrimSpace(rest) != "" {
			cols[i].Short = rest
		}
	}
}

func mergeRows(inputs []MergeInput) []MergeRow {
	rows := map[string]*MergeRow{}
	var ids []string
	for col, in := range inputs {
		for _, c := range in.Run.Checks {
			r := rows[c.ID]
			if r == nil {
				r = &MergeRow{ID: c.ID, Title: c.Title, Level: c.Level, Operation: c.Operation, Labels: c.Labels, Cells: make([]MergeCell, len(inputs))}
				rows[c.ID] = r
				ids = append(ids, c.ID)
			}
			cell := MergeCell{Outcome: c.Outcome, Message: OneLine(c.Message, 300), Cause: c.Cause, Known: c.Known != nil && c.Outcome == Fail}
			if c.Class != Unchanged {
				cell.Class = c.Class
			}
			r.Cells[col] = cell
		}
	}
	out := make([]MergeRow, 0, len(ids))
	for _, id := range ids {
		r := rows[id]
		for _, c := range r.Cells[1:] {
			if c.Outcome != r.Cells[0].Outcome || c.Known != r.Cells[0].Known {
				r.Differs = true
			}
		}
		out = append(out, *r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Differs != out[j].Differs {
			return out[i].Differs
		}
		if out[i].Differs {
			if si, sj := rowSeverity(out[i]), rowSeverity(out[j]); si != sj {
				return si < sj
			}
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// rowSeverity is the most severe outcome of a row (sev's order; an absent cell after
// every outcome).
func rowSeverity(r MergeRow) int {
	worst := 99
	for _, c := range r.Cells {
		s := 98
		if c.Outcome != "" {
			s = sev(Check{Outcome: c.Outcome, Known: knownMark(c.Known)})
		}
		worst = min(worst, s)
	}
	return worst
}

func knownMark(known bool) *KnownDeviation {
	if known {
		return &KnownDeviation{}
	}
	return nil
}

// Verdict is the merge's one line: the worst status, which columns have it, and how
// many checks differ between the columns.
func (m *Merge) Verdict() string {
	var worst []string
	for _, c := range m.Columns {
		if c.Status == m.Status {
			worst = append(worst, c.Label)
		}
	}
	n := len(m.Columns)
	var text string
	switch {
	case n == 0:
		return "no reports"
	case m.Status == "PASS":
		text = fmt.Sprintf("every target passes (%d of %d)", n, n)
	default:
		named := worst
		if len(named) > 3 {
			named = append(named[:3:3], fmt.Sprintf("and %d more", len(worst)-3))
		}
		text = fmt.Sprintf("%s on %d of %d target(s): %s", m.Status, len(worst), n, strings.Join(named, ", "))
	}
	return fmt.Sprintf("%s; %d of %d checks differ between the targets", text, m.Differing, len(m.Checks))
}

// cellText is a cell's short label: its outcome, "known" for a failure a known
// deviation covers, "absent" when the run lacked the check.
func cellText(c MergeCell) string {
	switch {
	case c.Outcome == "":
		return "absent"
	case c.Known:
		return "known"
	}
	return string(c.Outcome)
}

// Redact replaces secrets and account ids in every text of the merge (labels given
// on the command line included; the reports it was made from are redacted already).
func (m *Merge) Redact(r *Redactor) {
	redactValue(r, m)
}
