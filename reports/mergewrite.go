package reports

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WriteMerge writes a merge into dir: report.json (the Merge), report.html,
// summary.md and junit.xml (one testsuite per column, one testcase per check and
// column). Everything is redacted first (secrets as for WriteAll); each file is
// written whole or not at all.
func WriteMerge(dir string, m *Merge, secrets ...string) error {
	if m == nil {
		return fmt.Errorf("write the merged report to %s: no merge", dir)
	}
	red := NewRedactor(secrets...)
	m.Redact(red)
	for _, r := range m.runs {
		red.Run(r)
	}
	return writeFiles(dir, "the merged report", []pageFile{
		{FileJSON, func(w io.Writer) error { return EncodeMerge(w, m) }},
		{FileHTML, func(w io.Writer) error { return WriteMergeHTML(w, m) }},
		{FileMarkdown, func(w io.Writer) error { return WriteMergeMarkdown(w, m) }},
		{FileJUnit, func(w io.Writer) error { return WriteMergeJUnit(w, m) }},
	})
}

// EncodeMerge writes a merge as report.json does: indented JSON.
func EncodeMerge(w io.Writer, m *Merge) error { return encodeIndented(w, m) }

// pageFile is one file of a page's folder and how to write it.
type pageFile struct {
	name  string
	write func(io.Writer) error
}

// writeFiles renders every file in memory and then writes it atomically into dir.
func writeFiles(dir, what string, files []pageFile) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: create folder: %w (pass a writable --out folder)", what, err)
	}
	for _, f := range files {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			return fmt.Errorf("write %s: %s: %w", what, f.name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, f.name), buf.Bytes()); err != nil {
			return fmt.Errorf("write %s: %w (pass a writable --out folder)", what, err)
		}
	}
	return nil
}

// WriteMergeJUnit writes junit.xml of a merge: one testsuite per column (named by
// its label), one testcase per check, the label in every testcase's classname.
func WriteMergeJUnit(w io.Writer, m *Merge) error {
	suites := make([]junitSuite, 0, len(m.runs))
	for i, r := range m.runs {
		suites = append(suites, junitSuiteOf(r, m.Columns[i].Label))
	}
	return writeJUnitSuites(w, suites...)
}

// mdMergeRows caps the rows of summary.md's table of differences (a step summary
// holds 1 MiB: 400 rows of a few columns fit well).
const mdMergeRows = 400

// WriteMergeMarkdown writes summary.md of a merge (it fits a CI step summary): the
// verdict, one line per column (its verdict, totals, its classes against its own
// baseline, calls and time), the checks that differ between the columns as a table,
// and what every column agrees on, counted.
func WriteMergeMarkdown(w io.Writer, m *Merge) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### dmsconform merge: %s %s: %s\n\n", statusIcon(m.Status), m.Status, mdEscape(m.Verdict()))
	b.WriteString("| target | verdict |")
	for _, o := range Outcomes {
		fmt.Fprintf(&b, " %s %s |", outcomeIcon(o), o)
	}
	b.WriteString(" against its baseline |")
	if !m.Stable {
		b.WriteString(" API calls | took |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(Outcomes)) + "---|")
	if !m.Stable {
		b.WriteString("---:|---:|")
	}
	b.WriteString("\n")
	for _, c := range m.Columns {
		fmt.Fprintf(&b, "| **%s** | %s %s |", mdEscape(c.Label), statusIcon(c.Status), c.Status)
		for _, o := range Outcomes {
			fmt.Fprintf(&b, " %d |", c.Totals[o])
		}
		fmt.Fprintf(&b, " %s |", mdEscape(baselineLine(c.Baseline)))
		if !m.Stable {
			fmt.Fprintf(&b, " %d | %s |", c.Calls, c.Duration.Round(time.Millisecond))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	for _, wn := range m.Warnings {
		fmt.Fprintf(&b, "- ⚠️ %s\n", mdEscape(wn))
	}
	if len(m.Warnings) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "#### Checks that differ between the targets (%d)\n\n", m.Differing)
	if m.Differing == 0 {
		b.WriteString("Every check has the same outcome on every target.\n\n")
	} else {
		b.WriteString("| check | level |")
		for _, c := range m.Columns {
			fmt.Fprintf(&b, " %s |", mdEscape(c.Label))
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---|", len(m.Columns)) + "\n")
		for i, r := range m.Checks {
			if !r.Differs {
				break
			}
			if i == mdMergeRows {
				fmt.Fprintf(&b, "| … %d more (see report.html) | |%s\n", m.Differing-i, strings.Repeat(" |", len(m.Columns)))
				break
			}
			fmt.Fprintf(&b, "| `%s` | %s |", mdCode(r.ID), mdEscape(r.Level))
			for _, c := range r.Cells {
				fmt.Fprintf(&b, " %s |", mdMergeCell(c))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if same := len(m.Checks) - m.Differing; same > 0 {
		fmt.Fprintf(&b, "#### The same on every target (%d)\n\n", same)
		for _, g := range agreement(m) {
			fmt.Fprintf(&b, "- %s %s everywhere: %d\n", outcomeIcon(g.outcome), g.label, g.n)
		}
		b.WriteString("\n")
	}
	b.WriteString("Every check side by side, with each cell's message: `report.html` in the merged folder; each target's own report has the transcripts.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

type agreed struct {
	outcome Outcome
	label   string
	n       int
}

// agreement counts the rows every column agrees on, by their common outcome.
func agreement(m *Merge) []agreed {
	count := map[string]int{}
	for _, r := range m.Checks {
		if !r.Differs && len(r.Cells) > 0 {
			count[cellText(r.Cells[0])]++
		}
	}
	var out []agreed
	for _, o := range append([]Outcome{Fail, "known"}, Outcomes...) {
		label := string(o)
		if n := count[label]; n > 0 {
			out = append(out, agreed{o, label, n})
			delete(count, label)
		}
	}
	return out
}

func mdMergeCell(c MergeCell) string {
	label := cellText(c)
	s := outcomeIcon(c.Outcome) + " " + label
	if c.Outcome == "" {
		s = "– absent"
	}
	if c.Class != "" && c.Class != KnownFailure {
		s += " (" + string(c.Class) + ")"
	}
	if c.Outcome == Fail || c.Outcome == Error || c.Outcome == Drift {
		if msg := OneLine(c.Message, 80); msg != "" {
			s += ": " + mdEscape(msg)
		}
	}
	return s
}

// baselineLine says what a column's run said against its own baseline: the classes
// that are not unchanged, e.g. "1 new-failure, 12 no-longer-judged"; "–" without one.
func baselineLine(counts map[Class]int) string {
	if counts == nil {
		return "–"
	}
	var parts []string
	for _, c := range Classes {
		if n := counts[c]; n > 0 && c != Unchanged {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	if len(parts) == 0 {
		return "unchanged"
	}
	return strings.Join(parts, ", ")
}

func statusIcon(status string) string {
	return map[string]string{"PASS": "✅", "FAIL": "❌", "ERROR": "⚠️", "PARTIAL": "🟡"}[status]
}

// WriteMergeHTML writes report.html of a merge: one self-contained page (inline CSS,
// no scripts) with the verdict, a line per column, the checks that differ side by
// side (each cell's message on the page, the check's requirement a click away) and
// the checks every column agrees on.
func WriteMergeHTML(w io.Writer, m *Merge) error {
	v := mergeView{Merge: m, Agreed: agreement(m)}
	for _, r := range m.Checks {
		if r.Differs {
			v.Differ = append(v.Differ, r)
		} else {
			v.Same = append(v.Same, r)
		}
	}
	return executePage(w, "merge", v)
}

type mergeView struct {
	*Merge
	Differ, Same []MergeRow
	Agreed       []agreed
}

func (a agreed) Outcome() Outcome { return a.outcome }
func (a agreed) Label() string    { return a.label }
func (a agreed) N() int           { return a.n }
