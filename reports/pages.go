package reports

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
	"time"
)

// The pages of several runs: a merge (runs side by side) and a history (runs over
// time). They share one template file and its style.

//go:embed pages.html.tmpl
var pagesTemplateText string

var pagesTemplate = template.Must(template.New("pages").Funcs(template.FuncMap{
	"cell":     cellText,
	"time":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") },
	"date":     func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"dateptr":  datePtr,
	"duration": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"baseline": baselineLine,
	"anchor":   anchor,
	"outcomes": func() []Outcome { return Outcomes },
	"count":    func(t Totals, o Outcome) int { return t[o] },
	"strip":    outcomeStrip,
	"icon":     statusIcon,
	"wrapid":   wrapID,
	"mgrid": func(c []MergeColumn, r []MergeRow) mergeGrid {
		return mergeGrid{Columns: c, Rows: r, Compact: len(c) > compactColumns}
	},
}).Parse(pagesTemplateText))

func executePage(w io.Writer, name string, v any) error {
	if err := pagesTemplate.ExecuteTemplate(w, name, v); err != nil {
		return fmt.Errorf("render the %s page: %w", name, err)
	}
	return nil
}

// encodeIndented writes v as indented JSON, HTML characters not escaped.
func encodeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func datePtr(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.DateOnly)
}

// outcomeStrip renders a check's outcomes run by run as a row of small squares, each
// titled with its run's start and outcome (oldest left).
func outcomeStrip(outcomes []Outcome, runs []HistoryRun) template.HTML {
	var b strings.Builder
	b.WriteString(`<span class="strip">`)
	for i, o := range outcomes {
		cls, name := "absent", "absent"
		if o != "" {
			cls, name = string(o), string(o)
		}
		when := ""
		if i < len(runs) {
			when = runs[i].Started.UTC().Format("2006-01-02 15:04") + ": "
		}
		fmt.Fprintf(&b, `<i class="sq q-%s" title="%s%s"></i>`, html.EscapeString(cls), html.EscapeString(when), html.EscapeString(name))
	}
	b.WriteString(`</span>`)
	return template.HTML(b.String())
}

// chartGeometry is the size of a trend chart: one bar per run.
const (
	chartHeight = 120
	chartBarMax = 28
	chartWidth  = 480 // three charts side by side on a wide screen
	chartLeft   = 52  // room for the axis labels
	chartBottom = 18
)

// barChart draws one value per run as an inline SVG bar chart (no scripts): the
// bars' titles say the run and the value, the axis its maximum.
func barChart(title, unit string, runs []HistoryRun, value func(HistoryRun) float64, format func(float64) string) template.HTML {
	n := len(runs)
	if n == 0 {
		return ""
	}
	maxV := 0.0
	for _, r := range runs {
		maxV = max(maxV, value(r))
	}
	if maxV == 0 {
		maxV = 1
	}
	slot := float64(chartWidth-chartLeft) / float64(n)
	bar := min(slot*0.8, chartBarMax)
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart"><figcaption>%s</figcaption><svg role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		html.EscapeString(title), html.EscapeString(title), chartWidth, chartHeight+chartBottom, chartWidth, chartHeight+chartBottom)
	fmt.Fprintf(&b, `<line x1="%d" y1="0" x2="%d" y2="%d" class="axis"/><line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`,
		chartLeft, chartLeft, chartHeight, chartLeft, chartHeight, chartWidth, chartHeight)
	fmt.Fprintf(&b, `<text x="%d" y="10" class="tick" text-anchor="end">%s</text><text x="%d" y="%d" class="tick" text-anchor="end">0</text>`,
		chartLeft-4, html.EscapeString(format(maxV)+unit), chartLeft-4, chartHeight)
	for i, r := range runs {
		v := value(r)
		h := v / maxV * float64(chartHeight-14)
		x := float64(chartLeft) + slot*float64(i) + (slot-bar)/2
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar s-%s"><title>%s: %s%s (%s)</title></rect>`,
			x, float64(chartHeight)-h, bar, h, html.EscapeString(r.Status), r.Started.UTC().Format("2006-01-02 15:04"), html.EscapeString(format(v)), html.EscapeString(unit), html.EscapeString(r.Status))
	}
	writeDateTicks(&b, runs, slot)
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

// outcomeChart draws each run's outcomes as a stacked bar (the share of each outcome).
func outcomeChart(runs []HistoryRun) template.HTML {
	n := len(runs)
	if n == 0 {
		return ""
	}
	slot := float64(chartWidth-chartLeft) / float64(n)
	bar := min(slot*0.8, chartBarMax)
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart"><figcaption>Outcomes per run</figcaption><svg role="img" aria-label="Outcomes per run" viewBox="0 0 %d %d" width="%d" height="%d">`,
		chartWidth, chartHeight+chartBottom, chartWidth, chartHeight+chartBottom)
	fmt.Fprintf(&b, `<text x="%d" y="10" class="tick" text-anchor="end">100%%</text><text x="%d" y="%d" class="tick" text-anchor="end">0</text>`, chartLeft-4, chartLeft-4, chartHeight)
	for i, r := range runs {
		total := 0
		for _, o := range Outcomes {
			total += r.Totals[o]
		}
		if total == 0 {
			continue
		}
		x := float64(chartLeft) + slot*float64(i) + (slot-bar)/2
		y := float64(chartHeight)
		for _, o := range Outcomes {
			k := r.Totals[o]
			if k == 0 {
				continue
			}
			h := float64(k) / float64(total) * float64(chartHeight-14)
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="o-%s"><title>%s: %d %s of %d</title></rect>`,
				x, y, bar, h, o, r.Started.UTC().Format("2006-01-02 15:04"), k, o, total)
		}
	}
	writeDateTicks(&b, runs, slot)
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

// writeDateTicks labels the first, the last and a few runs between with their date.
func writeDateTicks(b *strings.Builder, runs []HistoryRun, slot float64) {
	n := len(runs)
	every := max(1, (n+5)/6)
	for i, r := range runs {
		if i%every != 0 && i != n-1 {
			continue
		}
		if i != n-1 && n-1-i < every/2 { // too close to the last label
			continue
		}
		x, anchor := float64(chartLeft)+slot*float64(i)+slot/2, "middle"
		if i == n-1 && n > 1 { // the last label ends at the chart's edge, not beyond it
			x, anchor = min(x+slot/2, chartWidth-1), "end"
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" class="tick" text-anchor="%s">%s</text>`, x, chartHeight+13, anchor, r.Started.UTC().Format("01-02"))
	}
}

// mergeGrid is what the "mergegrid" template renders: rows of a merge. Compact (more
// than compactColumns columns) shows each cell's message on hover only, so many
// columns fit side by side.
type mergeGrid struct {
	Columns []MergeColumn
	Rows    []MergeRow
	Compact bool
}

const compactColumns = 4

// wrapID lets a long check ID break after its dots (and nowhere else).
func wrapID(id string) template.HTML {
	return template.HTML(strings.ReplaceAll(html.EscapeString(id), ".", ".<wbr>"))
}
