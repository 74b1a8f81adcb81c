package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"pretty":   prettyBody,
	"headers":  headerLines,
	"duration": func(d time.Duration) string { return d.Round(time.Microsecond).String() },
	"time":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
	"date":     func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"short":    short,
	"first":    func(s string) string { return truncate(firstLine(s), 160) },
	"pct":      func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"join":     strings.Join,
	"label":    TargetLabel,
	"inc":      func(i int) int { return i + 1 },
}).Parse(htmlTemplateText))

// severity orders outcomes for display: what needs attention first.
var severity = map[Outcome]int{Fail: 0, Error: 1, Drift: 2, Unimplemented: 3, Skipped: 4, Pass: 5}

type htmlView struct {
	Run      *Run
	Target   string
	Verdict  string
	Status   string
	Outcomes []htmlCount
	Labels   []htmlLabelRow
	Columns  []Outcome
	Checks   []Check
	Classes  []htmlClassCount
	Entries  []ComparisonEntry
	Matrix   *htmlMatrix
	Fails    int
	Errors   int
}

type htmlCount struct {
	Outcome Outcome
	Count   int
}

type htmlLabelRow struct {
	Label  string
	Counts []int
	Total  int
}

type htmlClassCount struct {
	Class Class
	Count int
}

type htmlMatrix struct {
	*KillMatrix
	Rows     []htmlMatrixRow
	Survived []string
	Silent   int // checks that killed no mode
}

type htmlMatrixRow struct {
	ID            string
	Cells         []bool
	Kills         int
	FalsePositive bool
}

// WriteHTML writes report.html: one self-contained page (inline CSS, no scripts, no
// external resources) with the header, totals, a label × outcome matrix, the baseline
// classification, the kill matrix of mutation runs, and every check as an expandable
// block with its request/response transcripts. Everything is escaped by html/template.
// Checks needing attention come first (fail, error, drift, unimplemented, skipped,
// pass) and radio buttons filter by outcome with CSS only.
func WriteHTML(w io.Writer, run *Run) error {
	v := htmlView{Run: run, Target: TargetLabel(run.Target), Columns: Outcomes}
	v.Status, v.Verdict = VerdictStatus(run)
	t := ComputeTotals(run.Checks)
	for _, o := range Outcomes {
		v.Outcomes = append(v.Outcomes, htmlCount{o, t[o]})
	}
	v.Fails, v.Errors = t[Fail], t[Error]
	v.Labels = labelMatrix(run.Checks)
	v.Checks = append([]Check(nil), run.Checks...)
	sort.SliceStable(v.Checks, func(i, j int) bool {
		si, sj := sev(v.Checks[i]), sev(v.Checks[j])
		if si != sj {
			return si < sj
		}
		return v.Checks[i].ID < v.Checks[j].ID
	})
	if cmp := run.Baseline; cmp != nil {
		for _, c := range Classes {
			v.Classes = append(v.Classes, htmlClassCount{c, cmp.Counts[c]})
		}
		v.Entries = cmp.Entries
	}
	if run.Matrix != nil {
		v.Matrix = killMatrixView(run)
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
		return fmt.Errorf("render report.html: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func sev(c Check) int {
	s, ok := severity[c.Outcome]
	if !ok {
		return 1 // unknown outcomes need attention like errors
	}
	if c.Outcome == Fail && c.Known != nil {
		return 2 // expected failures after the real ones and errors
	}
	return s
}

func labelMatrix(checks []Check) []htmlLabelRow {
	idx := map[Outcome]int{}
	for i, o := range Outcomes {
		idx[o] = i
	}
	rows := map[string]*htmlLabelRow{}
	add := func(label string, o Outcome) {
		r := rows[label]
		if r == nil {
			r = &htmlLabelRow{Label: label, Counts: make([]int, len(Outcomes))}
			rows[label] = r
		}
		if i, ok := idx[o]; ok {
			r.Counts[i]++
		}
		r.Total++
	}
	for _, c := range checks {
		if len(c.Labels) == 0 {
			add("(no label)", c.Outcome)
		}
		for _, l := range c.Labels {
			add(l, c.Outcome)
		}
	}
	out := make([]htmlLabelRow, 0, len(rows))
	for _, k := range sortedKeys(rows) {
		out = append(out, *rows[k])
	}
	return out
}

func killMatrixView(run *Run) *htmlMatrix {
	m := run.Matrix
	hm := &htmlMatrix{KillMatrix: m}
	fp := map[string]bool{}
	for _, id := range m.FalsePositives {
		fp[id] = true
	}
	killedBy := map[string]map[string]bool{} // check -> modes
	for mode, ids := range m.Killed {
		for _, id := range ids {
			if killedBy[id] == nil {
				killedBy[id] = map[string]bool{}
			}
			killedBy[id][mode] = true
		}
	}
	ids := map[string]bool{}
	for id := range killedBy {
		ids[id] = true
	}
	for id := range fp {
		ids[id] = true
	}
	for _, c := range run.Checks {
		if !ids[c.ID] {
			hm.Silent++
		}
	}
	for _, id := range sortedKeys(ids) {
		row := htmlMatrixRow{ID: id, FalsePositive: fp[id]}
		for _, mode := range m.Modes {
			k := killedBy[id][mode]
			row.Cells = append(row.Cells, k)
			if k {
				row.Kills++
			}
		}
		hm.Rows = append(hm.Rows, row)
	}
	for _, mode := range m.Modes {
		if len(m.Killed[mode]) == 0 {
			hm.Survived = append(hm.Survived, mode)
		}
	}
	return hm
}

// prettyBody indents a JSON body; anything else is returned as is.
func prettyBody(body string) string {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return body
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(trimmed), "", "  "); err != nil {
		return body
	}
	return out.String()
}

// headerLines renders headers as "Name: value" lines sorted by name.
func headerLines(h map[string][]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}
